package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"
)

// settingsSchema keeps the settings saved from the admin console: one
// JSON document, and a version that every save increments, so that a
// node sharing the database sees that it changed by reading one integer.
// It is a system table: the public API has no way to it.
const settingsSchema = `
CREATE TABLE IF NOT EXISTS _settings (
	id      INTEGER PRIMARY KEY CHECK (id = 1),
	version INTEGER NOT NULL,
	doc     TEXT NOT NULL,
	updated INTEGER NOT NULL
);`

// ErrSettingsChanged is SaveSettings' answer when the stored version is
// not the one the caller read: someone saved in between.
var ErrSettingsChanged = errors.New("the settings were changed meanwhile")

// Settings is the store of the console's settings. Get it with DB.Settings.
type Settings struct{ d *DB }

// Settings returns the settings store.
func (d *DB) Settings() *Settings { return &Settings{d} }

// Load returns the saved settings document and its version; nil and 0
// when nothing was ever saved.
func (s *Settings) Load(ctx context.Context) (doc []byte, version int64, err error) {
	err = s.d.r.QueryRowContext(ctx, "SELECT doc, version FROM _settings WHERE id = 1").Scan(&doc, &version)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("load settings: %w", err)
	}
	return doc, version, nil
}

// Version returns the version of the saved settings (0: none saved).
func (s *Settings) Version(ctx context.Context) (int64, error) {
	var v int64
	err := s.d.r.QueryRowContext(ctx, "SELECT version FROM _settings WHERE id = 1").Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read the settings' version: %w", err)
	}
	return v, nil
}

// Save replaces the settings document with doc if the stored version is
// still prev (0: none saved yet), and returns the new version; otherwise it
// stores nothing and returns ErrSettingsChanged.
func (s *Settings) Save(ctx context.Context, doc []byte, prev int64, now time.Time) (int64, error) {
	d := string(doc)
	res, err := s.d.do(ctx, func(tx *sql.Tx, _ *effects) (any, error) {
		var cur int64
		err := tx.QueryRow("SELECT version FROM _settings WHERE id = 1").Scan(&cur)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		if cur != prev {
			return nil, ErrSettingsChanged
		}
		_, err = tx.Exec(`INSERT INTO _settings (id, version, doc, updated) VALUES (1, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET version = excluded.version, doc = excluded.doc, updated = excluded.updated`,
			cur+1, d, now.UnixMilli())
		return cur + 1, err
	})
	if errors.Is(err, ErrSettingsChanged) {
		return 0, err
	}
	if err != nil {
		return 0, fmt.Errorf("save settings: %w", err)
	}
	return res.(int64), nil
}

// ReadSettings returns the settings document saved in the database file
// at path, opened read-only (a server may be running on it): nil when the
// file or the document does not exist.
func ReadSettings(ctx context.Context, path string) ([]byte, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	q := url.Values{}
	q.Set("mode", "ro")
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "query_only(1)")
	c, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	defer c.Close()
	var doc []byte
	err = c.QueryRowContext(ctx, "SELECT doc FROM _settings WHERE id = 1").Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) || err != nil && strings.Contains(err.Error(), "no such table") {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the saved settings of %s: %w", path, err)
	}
	return doc, nil
}
