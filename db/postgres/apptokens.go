package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// AppTokens is the store of platform apps' access tokens (WeChat's
// access_token, for cloud.openapi) and of the lease on fetching the next
// one, shared by every node, so that the cluster uses one token and one
// node at a time replaces it. It is an openapi.TokenStore (the server
// checks that it is one). Get it with DB.AppTokens.
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
	err := s.d.pool.QueryRow(ctx, "SELECT token, expires FROM _app_tokens WHERE app = $1", app).Scan(&tok, &exp)
	if errors.Is(err, pgx.ErrNoRows) || err == nil && tok == "" {
		return "", time.Time{}, nil
	}
	if err != nil {
		return "", time.Time{}, err
	}
	return tok, fromMillis(exp), nil
}

// LeaseToken gives holder the lease on app's next token until `until`
// unless another holder's runs past now, and reports whether holder has
// it. The row's lock makes two nodes asking at once get one answer each.
func (s *AppTokens) LeaseToken(ctx context.Context, app, holder string, now, until time.Time) (bool, error) {
	tag, err := s.d.pool.Exec(ctx, `INSERT INTO _app_tokens AS t (app, holder, lease_until) VALUES ($1, $2, $3)
		ON CONFLICT (app) DO UPDATE SET holder = excluded.holder, lease_until = excluded.lease_until
		WHERE t.holder = '' OR t.holder = excluded.holder OR t.lease_until <= $4`,
		app, holder, until.UnixMilli(), now.UnixMilli())
	if err != nil {
		return false, err
	}
	return tag.RowsAffected() == 1, nil
}

// SaveToken stores app's token and ends holder's lease; when another
// holder has the lease now, it stores nothing.
func (s *AppTokens) SaveToken(ctx context.Context, app, holder, token string, expires time.Time) error {
	_, err := s.d.pool.Exec(ctx, `UPDATE _app_tokens SET token = $1, expires = $2, holder = '', lease_until = 0
		WHERE app = $3 AND holder = $4`, token, expires.UnixMilli(), app, holder)
	return err
}

// ReleaseToken ends holder's lease on app, keeping the token.
func (s *AppTokens) ReleaseToken(ctx context.Context, app, holder string) error {
	_, err := s.d.pool.Exec(ctx, "UPDATE _app_tokens SET holder = '', lease_until = 0 WHERE app = $1 AND holder = $2", app, holder)
	return err
}
