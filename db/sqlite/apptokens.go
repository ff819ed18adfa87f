package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// appTokensSchema keeps the access tokens of platform apps (WeChat's
// access_token, for cloud.openapi) and the lease on fetching the next
// one, so that every node uses one token and one node at a time replaces
// it. Times are Unix milliseconds; an empty holder is no lease.
const appTokensSchema = `
CREATE TABLE IF NOT EXISTS _app_tokens (
	app         TEXT PRIMARY KEY,
	token       TEXT NOT NULL DEFAULT '',
	expires     INTEGER NOT NULL DEFAULT 0,
	holder      TEXT NOT NULL DEFAULT '',
	lease_until INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;`

// AppTokens is the store of platform apps' access tokens: a
// wechat.TokenStore (the server checks that it is one; this package does
// not import wechat). Get it with DB.AppTokens.
type AppTokens struct{ d *DB }

// AppTokens returns the access-token store.
func (d *DB) AppTokens() *AppTokens { return &AppTokens{d} }

// Token returns app's stored token and the time to stop using it; "" and
// the zero time when there is none.
func (s *AppTokens) Token(ctx context.Context, app string) (string, time.Time, error) {
	var (
		tok string
		exp int64
	)
	err := s.d.r.QueryRowContext(ctx, "SELECT token, expires FROM _app_tokens WHERE app = ?", app).Scan(&tok, &exp)
	if errors.Is(err, sql.ErrNoRows) || err == nil && tok == "" {
		return "", time.Time{}, nil
	}
	if err != nil {
		return "", time.Time{}, err
	}
	return tok, fromMillis(exp), nil
}

// LeaseToken gives holder the lease on app's next token until `until`
// unless another holder's runs past now, and reports whether holder has
// it.
func (s *AppTokens) LeaseToken(ctx context.Context, app, holder string, now, until time.Time) (bool, error) {
	res, err := s.d.do(ctx, func(tx *sql.Tx, _ *effects) (any, error) {
		r, err := tx.Exec(`INSERT INTO _app_tokens (app, holder, lease_until) VALUES (?, ?, ?)
			ON CONFLICT (app) DO UPDATE SET holder = excluded.holder, lease_until = excluded.lease_until
			WHERE holder = '' OR holder = excluded.holder OR lease_until <= ?`,
			app, holder, until.UnixMilli(), now.UnixMilli())
		if err != nil {
			return nil, err
		}
		n, err := r.RowsAffected()
		return n == 1, err
	})
	if err != nil {
		return false, err
	}
	return res.(bool), nil
}

// SaveToken stores app's token and ends holder's lease; when another
// holder has the lease now, it stores nothing.
func (s *AppTokens) SaveToken(ctx context.Context, app, holder, token string, expires time.Time) error {
	_, err := s.d.do(ctx, func(tx *sql.Tx, _ *effects) (any, error) {
		_, err := tx.Exec(`UPDATE _app_tokens SET token = ?, expires = ?, holder = '', lease_until = 0
			WHERE app = ? AND holder = ?`, token, expires.UnixMilli(), app, holder)
		return nil, err
	})
	return err
}

// ReleaseToken ends holder's lease on app, keeping the token.
func (s *AppTokens) ReleaseToken(ctx context.Context, app, holder string) error {
	_, err := s.d.free(ctx, func(tx *sql.Tx, _ *effects) (any, error) {
		_, err := tx.Exec("UPDATE _app_tokens SET holder = '', lease_until = 0 WHERE app = ? AND holder = ?", app, holder)
		return nil, err
	})
	return err
}
