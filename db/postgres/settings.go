package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// settingsSchema keeps what a node must share with the others beside the
// documents and accounts: the console's settings (one JSON document and a
// version every save increments, as db/sqlite's _settings), platform apps'
// access tokens and the lease on fetching the next one (as db/sqlite's
// _app_tokens), and the cluster's secrets (the access-token key, the admin
// key's hash, the URL signing key), each written once by the first node
// that needs it, and the custom-login tickets' keyring (versioned: it is
// rotated). Times are Unix milliseconds.
const settingsSchema = `
CREATE TABLE IF NOT EXISTS _settings (
	id      integer PRIMARY KEY CHECK (id = 1),
	version bigint NOT NULL,
	doc     text NOT NULL,
	updated bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS _app_tokens (
	app         text COLLATE "C" PRIMARY KEY,
	token       text NOT NULL DEFAULT '',
	expires     bigint NOT NULL DEFAULT 0,
	holder      text NOT NULL DEFAULT '',
	lease_until bigint NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS _secrets (
	name    text COLLATE "C" PRIMARY KEY,
	value   bytea NOT NULL,
	created bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS _ticket_keys (
	id      integer PRIMARY KEY CHECK (id = 1),
	version bigint NOT NULL,
	data    bytea NOT NULL
);
CREATE TABLE IF NOT EXISTS _probe (
	id integer PRIMARY KEY CHECK (id = 1),
	at bigint NOT NULL
);`

// settingsChannel is the NOTIFY channel a settings save notifies, so that
// every node reloads them at once rather than at its next poll.
const settingsChannel = "minibase_settings"

// ErrSettingsChanged is Settings.Save's answer when the stored version is
// not the one the caller read: someone (another node) saved in between.
var ErrSettingsChanged = errors.New("the settings were changed meanwhile")

// Settings is the store of the console's settings, shared by every node on
// the database. Get it with DB.Settings.
type Settings struct{ d *DB }

// Settings returns the settings store.
func (d *DB) Settings() *Settings { return &Settings{d} }

// Load returns the saved settings document and its version; nil and 0
// when nothing was ever saved.
func (s *Settings) Load(ctx context.Context) (doc []byte, version int64, err error) {
	var text string
	err = s.d.pool.QueryRow(ctx, "SELECT doc, version FROM _settings WHERE id = 1").Scan(&text, &version)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("load settings: %w", err)
	}
	return []byte(text), version, nil
}

// Version returns the version of the saved settings (0: none saved).
func (s *Settings) Version(ctx context.Context) (int64, error) {
	var v int64
	err := s.d.pool.QueryRow(ctx, "SELECT version FROM _settings WHERE id = 1").Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read the settings' version: %w", err)
	}
	return v, nil
}

// Save replaces the settings document with doc if the stored version is
// still prev (0: none saved yet), and returns the new version; otherwise it
// stores nothing and returns ErrSettingsChanged. A save notifies every
// node (Changed).
func (s *Settings) Save(ctx context.Context, doc []byte, prev int64, now time.Time) (int64, error) {
	var next int64
	err := s.d.write(ctx, func(tx pgx.Tx, _ *wstate) error {
		var cur int64
		err := tx.QueryRow(ctx, "SELECT version FROM _settings WHERE id = 1").Scan(&cur)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if cur != prev {
			return ErrSettingsChanged
		}
		next = cur + 1
		if _, err := tx.Exec(ctx, `INSERT INTO _settings (id, version, doc, updated) VALUES (1, $1, $2, $3)
			ON CONFLICT (id) DO UPDATE SET version = excluded.version, doc = excluded.doc, updated = excluded.updated`,
			next, string(doc), now.UnixMilli()); err != nil {
			return err
		}
		// Delivered at commit, to every listening node (this one included).
		_, err = tx.Exec(ctx, "SELECT pg_notify($1, $2)", settingsChannel, fmt.Sprint(next))
		return err
	})
	if errors.Is(err, ErrSettingsChanged) {
		return 0, err
	}
	if err != nil {
		return 0, fmt.Errorf("save settings: %w", err)
	}
	return next, nil
}

// Changed returns a channel closed when a node (this one or another) saves
// the settings, or when notifications may have been missed (the listening
// connection was lost): then the caller reads Version again.
func (s *Settings) Changed() <-chan struct{} {
	return s.d.settingsWake.wait()
}

// ReadSettings returns the settings document saved in the database at url
// without creating or changing anything there (a server may be running on
// it): nil when none was saved or minibase never ran on it.
func ReadSettings(ctx context.Context, url string) ([]byte, error) {
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("read the saved settings: %w", err)
	}
	defer c.Close(context.Background())
	var exists bool
	if err := c.QueryRow(ctx, "SELECT to_regclass('_settings') IS NOT NULL").Scan(&exists); err != nil {
		return nil, fmt.Errorf("read the saved settings: %w", err)
	}
	if !exists {
		return nil, nil
	}
	var doc string
	err = c.QueryRow(ctx, "SELECT doc FROM _settings WHERE id = 1").Scan(&doc)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the saved settings: %w", err)
	}
	return []byte(doc), nil
}
