package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"

	"minibase/auth"
)

// Admins is the auth.Admins store. Get it with DB.Admins.
type Admins struct{ d *DB }

var _ auth.Admins = (*Admins)(nil)

// Admins returns the admin account store.
func (d *DB) Admins() *Admins { return &Admins{d} }

const adminCols = "id, email, password, created, last_login, disabled"

func scanAdmin(r scanner) (*auth.AdminAccount, error) {
	var (
		a                  auth.AdminAccount
		created, lastLogin int64
	)
	err := r.Scan(&a.ID, &a.Email, &a.PasswordHash, &created, &lastLogin, &a.Disabled)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, auth.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	a.Created, a.LastLogin = fromMillis(created), fromMillis(lastLogin)
	return &a, nil
}

// CreateAdmin stores a new admin account.
func (s *Admins) CreateAdmin(ctx context.Context, a *auth.AdminAccount) error {
	_, err := s.d.do(ctx, func(tx *sql.Tx, _ *effects) (any, error) {
		_, err := tx.Exec("INSERT INTO _auth_admins ("+adminCols+") VALUES (?,?,?,?,?,?)",
			a.ID, a.Email, a.PasswordHash, millis(a.Created), millis(a.LastLogin), a.Disabled)
		return nil, authErr(err)
	})
	return err
}

// HasAdmin reports whether any admin account exists.
func (s *Admins) HasAdmin(ctx context.Context) (bool, error) {
	var n int
	err := s.d.r.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM _auth_admins)").Scan(&n)
	return n == 1, err
}

// CreateFirstAdmin stores a when there is no admin account yet, in one
// write transaction (two first-run setups cannot both succeed).
func (s *Admins) CreateFirstAdmin(ctx context.Context, a *auth.AdminAccount) error {
	_, err := s.d.do(ctx, func(tx *sql.Tx, _ *effects) (any, error) {
		r, err := tx.Exec("INSERT INTO _auth_admins ("+adminCols+") SELECT ?,?,?,?,?,? WHERE NOT EXISTS (SELECT 1 FROM _auth_admins)",
			a.ID, a.Email, a.PasswordHash, millis(a.Created), millis(a.LastLogin), a.Disabled)
		if err != nil {
			return nil, authErr(err)
		}
		if n, err := r.RowsAffected(); err != nil || n == 0 {
			return nil, cmp.Or(err, fmt.Errorf("%w: an admin account exists", auth.ErrTaken))
		}
		return nil, nil
	})
	return err
}

// Admin returns the admin id.
func (s *Admins) Admin(ctx context.Context, id string) (*auth.AdminAccount, error) {
	return scanAdmin(s.d.r.QueryRowContext(ctx, "SELECT "+adminCols+" FROM _auth_admins WHERE id = ?", id))
}

// AdminByEmail returns the admin with email (regardless of case).
func (s *Admins) AdminByEmail(ctx context.Context, email string) (*auth.AdminAccount, error) {
	return scanAdmin(s.d.r.QueryRowContext(ctx, "SELECT "+adminCols+" FROM _auth_admins WHERE email = ?", email))
}

// UpdateAdmin reads, changes and writes the admin id in one transaction.
func (s *Admins) UpdateAdmin(ctx context.Context, id string, fn func(a *auth.AdminAccount) error) (*auth.AdminAccount, error) {
	res, err := s.d.do(ctx, func(tx *sql.Tx, _ *effects) (any, error) {
		a, err := scanAdmin(tx.QueryRow("SELECT "+adminCols+" FROM _auth_admins WHERE id = ?", id))
		if err != nil {
			return nil, err
		}
		if err := fn(a); err != nil {
			return nil, err
		}
		_, err = tx.Exec("UPDATE _auth_admins SET email = ?, password = ?, last_login = ?, disabled = ? WHERE id = ?",
			a.Email, a.PasswordHash, millis(a.LastLogin), a.Disabled, id)
		a.ID = id
		return a, authErr(err)
	})
	if err != nil {
		return nil, err
	}
	return res.(*auth.AdminAccount), nil
}
