package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"minibase/auth"
)

// OTPs is the auth.OTPs store. Get it with DB.OTPs.
type OTPs struct{ d *DB }

var _ auth.OTPs = (*OTPs)(nil)

// OTPs returns the one-time-code store.
func (d *DB) OTPs() *OTPs { return &OTPs{d} }

// PutOTP stores o, replacing the account's previous code, and drops
// expired codes.
func (s *OTPs) PutOTP(ctx context.Context, o *auth.OTP) error {
	_, err := s.d.do(ctx, func(tx *sql.Tx, _ *effects) (any, error) {
		if _, err := tx.Exec("DELETE FROM _auth_otp WHERE expires < ?", o.Created.UnixMilli()); err != nil {
			return nil, err
		}
		_, err := tx.Exec("INSERT OR REPLACE INTO _auth_otp (account, code_hash, created, expires, attempts) VALUES (?,?,?,?,?)",
			o.Account, o.CodeHash, o.Created.UnixMilli(), o.Expires.UnixMilli(), o.Attempts)
		return nil, err
	})
	return err
}

// UseOTP runs fn on the account's code and stores its verdict, in one
// transaction.
func (s *OTPs) UseOTP(ctx context.Context, account string, fn func(o *auth.OTP) (*auth.OTP, bool)) (bool, error) {
	res, err := s.d.do(ctx, func(tx *sql.Tx, _ *effects) (any, error) {
		var (
			o                auth.OTP
			created, expires int64
		)
		err := tx.QueryRow("SELECT account, code_hash, created, expires, attempts FROM _auth_otp WHERE account = ?", account).
			Scan(&o.Account, &o.CodeHash, &created, &expires, &o.Attempts)
		var cur *auth.OTP
		switch {
		case err == nil:
			o.Created, o.Expires = time.UnixMilli(created), time.UnixMilli(expires)
			cur = &o
		case !errors.Is(err, sql.ErrNoRows):
			return nil, err
		}
		keep, ok := fn(cur)
		if keep == nil {
			_, err = tx.Exec("DELETE FROM _auth_otp WHERE account = ?", account)
		} else {
			_, err = tx.Exec("UPDATE _auth_otp SET attempts = ? WHERE account = ?", keep.Attempts, account)
		}
		return ok, err
	})
	if err != nil {
		return false, err
	}
	return res.(bool), nil
}
