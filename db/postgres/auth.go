package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"minibase/auth"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// authSchema holds auth's stores, as db/sqlite's does: accounts,
// refresh-token families and the record of revoked ones, admin accounts and
// one-time codes. Empty identifiers are stored as NULL so the unique
// indexes ignore them; usernames and emails are unique regardless of case
// (unique indexes on lower()). Times are Unix milliseconds, 0 for none.
// Every write runs in a write transaction (DB.write), like the documents'.
const authSchema = `
CREATE TABLE IF NOT EXISTS _auth_users (
	uid            text COLLATE "C" PRIMARY KEY,
	openid         text COLLATE "C" NOT NULL UNIQUE,
	unionid        text,
	username       text,
	email          text,
	phone          text COLLATE "C" UNIQUE,
	custom_user_id text COLLATE "C" UNIQUE,
	email_verified boolean NOT NULL DEFAULT false,
	phone_verified boolean NOT NULL DEFAULT false,
	password       text NOT NULL DEFAULT '',
	login_type     text NOT NULL,
	session_key    text NOT NULL DEFAULT '',
	created        bigint NOT NULL,
	last_login     bigint NOT NULL,
	disabled       boolean NOT NULL DEFAULT false,
	claims         text
);
CREATE UNIQUE INDEX IF NOT EXISTS _auth_users_username ON _auth_users (lower(username));
CREATE UNIQUE INDEX IF NOT EXISTS _auth_users_email ON _auth_users (lower(email));
CREATE INDEX IF NOT EXISTS _auth_users_created ON _auth_users (created, uid);
CREATE INDEX IF NOT EXISTS _auth_users_unionid ON _auth_users (unionid);
CREATE TABLE IF NOT EXISTS _auth_sessions (
	hash    bytea PRIMARY KEY,
	sid     text NOT NULL,
	kind    text NOT NULL,
	subject text NOT NULL,
	gen     integer NOT NULL,
	created bigint NOT NULL,
	expires bigint NOT NULL,
	used    boolean NOT NULL DEFAULT false
);
CREATE INDEX IF NOT EXISTS _auth_sessions_sid ON _auth_sessions (sid);
CREATE INDEX IF NOT EXISTS _auth_sessions_subject ON _auth_sessions (subject, kind);
CREATE INDEX IF NOT EXISTS _auth_sessions_expires ON _auth_sessions (expires);
CREATE TABLE IF NOT EXISTS _auth_revoked (
	sid     text PRIMARY KEY,
	issued  bigint NOT NULL,
	revoked bigint NOT NULL,
	expires bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS _auth_revoked_revoked ON _auth_revoked (revoked);
CREATE INDEX IF NOT EXISTS _auth_revoked_expires ON _auth_revoked (expires);
CREATE TABLE IF NOT EXISTS _auth_admins (
	id         text PRIMARY KEY,
	email      text NOT NULL,
	password   text NOT NULL,
	created    bigint NOT NULL,
	last_login bigint NOT NULL DEFAULT 0,
	disabled   boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX IF NOT EXISTS _auth_admins_email ON _auth_admins (lower(email));
CREATE TABLE IF NOT EXISTS _auth_otp (
	account   text PRIMARY KEY,
	code_hash bytea NOT NULL,
	created   bigint NOT NULL,
	expires   bigint NOT NULL,
	attempts  integer NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS _auth_otp_expires ON _auth_otp (expires);`

// Users is the auth.Users store. Get it with DB.Users.
type Users struct{ d *DB }

var _ auth.Users = (*Users)(nil)

// Users returns the end-user account store.
func (d *DB) Users() *Users { return &Users{d} }

const userCols = `uid, openid, unionid, username, email, phone, custom_user_id, email_verified, phone_verified,
	password, login_type, session_key, created, last_login, disabled, claims`

// userWhere maps lookup keys to conditions; usernames and emails match
// regardless of case (and use the lower() indexes).
var userWhere = map[auth.Key]string{
	auth.KeyUsername: "lower(username) = lower($1)", auth.KeyEmail: "lower(email) = lower($1)", auth.KeyPhone: "phone = $1",
	auth.KeyOpenID: "openid = $1", auth.KeyCustomUserID: "custom_user_id = $1",
}

func scanUser(r pgx.Row) (*auth.UserAccount, error) {
	var (
		u                                               auth.UserAccount
		unionid, username, email, phone, custom, claims *string
		created, lastLogin                              int64
		loginType                                       string
	)
	err := r.Scan(&u.UID, &u.OpenID, &unionid, &username, &email, &phone, &custom, &u.EmailVerified, &u.PhoneVerified,
		&u.PasswordHash, &loginType, &u.SessionKey, &created, &lastLogin, &u.Disabled, &claims)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, auth.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	u.UnionID, u.Username, u.Email, u.Phone, u.CustomUserID = str(unionid), str(username), str(email), str(phone), str(custom)
	u.LoginType = auth.LoginType(loginType)
	u.Created, u.LastLogin = fromMillis(created), fromMillis(lastLogin)
	if c := str(claims); c != "" {
		if err := json.Unmarshal([]byte(c), &u.Claims); err != nil {
			return nil, fmt.Errorf("user %s: stored claims: %w", u.UID, err)
		}
	}
	return &u, nil
}

// userArgs are the values of userCols for u, in order.
func userArgs(u *auth.UserAccount) ([]any, error) {
	var claims any
	if len(u.Claims) > 0 {
		b, err := json.Marshal(u.Claims)
		if err != nil {
			return nil, fmt.Errorf("encode claims: %w", err)
		}
		claims = string(b)
	}
	return []any{u.UID, u.OpenID, nullable(u.UnionID), nullable(u.Username), nullable(u.Email), nullable(u.Phone),
		nullable(u.CustomUserID), u.EmailVerified, u.PhoneVerified, u.PasswordHash, string(u.LoginType), u.SessionKey,
		millis(u.Created), millis(u.LastLogin), u.Disabled, claims}, nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMillis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}

// authErr maps a unique-constraint failure to auth.ErrTaken.
func authErr(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		return fmt.Errorf("%w: %v", auth.ErrTaken, err)
	}
	return err
}

// CreateUser stores a new user.
func (s *Users) CreateUser(ctx context.Context, u *auth.UserAccount) error {
	args, err := userArgs(u)
	if err != nil {
		return err
	}
	return s.d.write(ctx, func(tx pgx.Tx, _ *wstate) error {
		_, err := tx.Exec(ctx, "INSERT INTO _auth_users ("+userCols+") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)", args...)
		return authErr(err)
	})
}

// User returns the user uid.
func (s *Users) User(ctx context.Context, uid string) (*auth.UserAccount, error) {
	return scanUser(s.d.pool.QueryRow(ctx, "SELECT "+userCols+" FROM _auth_users WHERE uid = $1", uid))
}

// UserBy returns the user whose key (username, email, phone, openid or
// customUserId) is value; usernames and emails match regardless of case.
func (s *Users) UserBy(ctx context.Context, key auth.Key, value string) (*auth.UserAccount, error) {
	where, ok := userWhere[key]
	if !ok {
		return nil, fmt.Errorf("find user: unknown key %q", key)
	}
	if value == "" {
		return nil, auth.ErrNotFound
	}
	return scanUser(s.d.pool.QueryRow(ctx, "SELECT "+userCols+" FROM _auth_users WHERE "+where, value))
}

// UpdateUser reads, changes and writes the user uid in one transaction.
func (s *Users) UpdateUser(ctx context.Context, uid string, fn func(u *auth.UserAccount) error) (*auth.UserAccount, error) {
	var out *auth.UserAccount
	err := s.d.write(ctx, func(tx pgx.Tx, _ *wstate) error {
		u, err := scanUser(tx.QueryRow(ctx, "SELECT "+userCols+" FROM _auth_users WHERE uid = $1", uid))
		if err != nil {
			return err
		}
		if err := fn(u); err != nil {
			return err
		}
		u.UID = uid // the key cannot change
		args, err := userArgs(u)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE _auth_users SET openid = $2, unionid = $3, username = $4, email = $5, phone = $6,
			custom_user_id = $7, email_verified = $8, phone_verified = $9, password = $10, login_type = $11, session_key = $12,
			created = $13, last_login = $14, disabled = $15, claims = $16 WHERE uid = $1`, args...)
		out = u
		return authErr(err)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteUser deletes the user uid.
func (s *Users) DeleteUser(ctx context.Context, uid string) error {
	return s.d.write(ctx, func(tx pgx.Tx, _ *wstate) error {
		tag, err := tx.Exec(ctx, "DELETE FROM _auth_users WHERE uid = $1", uid)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return auth.ErrNotFound
		}
		return nil
	})
}

// ListUsers returns users newest first whose uid, username, email, phone
// or openid starts with prefix (usernames and emails regardless of case).
func (s *Users) ListUsers(ctx context.Context, prefix string, limit, offset int) ([]*auth.UserAccount, int, error) {
	where, args := "", []any{}
	if prefix != "" {
		where = ` WHERE starts_with(uid, $1) OR starts_with(lower(username), lower($1)) OR starts_with(lower(email), lower($1))
			OR starts_with(phone, $1) OR starts_with(openid, $1)`
		args = append(args, prefix)
	}
	var total int
	if err := s.d.pool.QueryRow(ctx, "SELECT count(*) FROM _auth_users"+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count users: %w", err)
	}
	n := len(args)
	rows, err := s.d.pool.Query(ctx, "SELECT "+userCols+" FROM _auth_users"+where+
		fmt.Sprintf(" ORDER BY created DESC, uid DESC LIMIT $%d OFFSET $%d", n+1, n+2), append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []*auth.UserAccount
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, u)
	}
	return out, total, rows.Err()
}

// Admins is the auth.Admins store. Get it with DB.Admins.
type Admins struct{ d *DB }

var _ auth.Admins = (*Admins)(nil)

// Admins returns the admin account store.
func (d *DB) Admins() *Admins { return &Admins{d} }

const adminCols = "id, email, password, created, last_login, disabled"

func scanAdmin(r pgx.Row) (*auth.AdminAccount, error) {
	var (
		a                  auth.AdminAccount
		created, lastLogin int64
	)
	err := r.Scan(&a.ID, &a.Email, &a.PasswordHash, &created, &lastLogin, &a.Disabled)
	if errors.Is(err, pgx.ErrNoRows) {
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
	return s.d.write(ctx, func(tx pgx.Tx, _ *wstate) error {
		_, err := tx.Exec(ctx, "INSERT INTO _auth_admins ("+adminCols+") VALUES ($1,$2,$3,$4,$5,$6)",
			a.ID, a.Email, a.PasswordHash, millis(a.Created), millis(a.LastLogin), a.Disabled)
		return authErr(err)
	})
}

// HasAdmin reports whether any admin account exists.
func (s *Admins) HasAdmin(ctx context.Context) (bool, error) {
	var ok bool
	err := s.d.pool.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM _auth_admins)").Scan(&ok)
	return ok, err
}

// CreateFirstAdmin stores a when there is no admin account yet, in one
// write transaction (two first-run setups, on any nodes, cannot both
// succeed: both hold the write lock in turn).
func (s *Admins) CreateFirstAdmin(ctx context.Context, a *auth.AdminAccount) error {
	return s.d.write(ctx, func(tx pgx.Tx, _ *wstate) error {
		tag, err := tx.Exec(ctx, "INSERT INTO _auth_admins ("+adminCols+") SELECT $1,$2,$3,$4,$5,$6 WHERE NOT EXISTS (SELECT 1 FROM _auth_admins)",
			a.ID, a.Email, a.PasswordHash, millis(a.Created), millis(a.LastLogin), a.Disabled)
		if err != nil {
			return authErr(err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("%w: an admin account exists", auth.ErrTaken)
		}
		return nil
	})
}

// Admin returns the admin id.
func (s *Admins) Admin(ctx context.Context, id string) (*auth.AdminAccount, error) {
	return scanAdmin(s.d.pool.QueryRow(ctx, "SELECT "+adminCols+" FROM _auth_admins WHERE id = $1", id))
}

// AdminByEmail returns the admin with email (regardless of case).
func (s *Admins) AdminByEmail(ctx context.Context, email string) (*auth.AdminAccount, error) {
	return scanAdmin(s.d.pool.QueryRow(ctx, "SELECT "+adminCols+" FROM _auth_admins WHERE lower(email) = lower($1)", email))
}

// UpdateAdmin reads, changes and writes the admin id in one transaction.
func (s *Admins) UpdateAdmin(ctx context.Context, id string, fn func(a *auth.AdminAccount) error) (*auth.AdminAccount, error) {
	var out *auth.AdminAccount
	err := s.d.write(ctx, func(tx pgx.Tx, _ *wstate) error {
		a, err := scanAdmin(tx.QueryRow(ctx, "SELECT "+adminCols+" FROM _auth_admins WHERE id = $1", id))
		if err != nil {
			return err
		}
		if err := fn(a); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "UPDATE _auth_admins SET email = $1, password = $2, last_login = $3, disabled = $4 WHERE id = $5",
			a.Email, a.PasswordHash, millis(a.LastLogin), a.Disabled, id)
		a.ID = id
		out = a
		return authErr(err)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// OTPs is the auth.OTPs store. Get it with DB.OTPs.
type OTPs struct{ d *DB }

var _ auth.OTPs = (*OTPs)(nil)

// OTPs returns the one-time-code store.
func (d *DB) OTPs() *OTPs { return &OTPs{d} }

// PutOTP stores o, replacing the account's previous code, and drops
// expired codes.
func (s *OTPs) PutOTP(ctx context.Context, o *auth.OTP) error {
	return s.d.write(ctx, func(tx pgx.Tx, _ *wstate) error {
		if _, err := tx.Exec(ctx, "DELETE FROM _auth_otp WHERE expires < $1", o.Created.UnixMilli()); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO _auth_otp (account, code_hash, created, expires, attempts) VALUES ($1,$2,$3,$4,$5)
			ON CONFLICT (account) DO UPDATE SET code_hash = excluded.code_hash, created = excluded.created,
				expires = excluded.expires, attempts = excluded.attempts`,
			o.Account, o.CodeHash, o.Created.UnixMilli(), o.Expires.UnixMilli(), o.Attempts)
		return err
	})
}

// UseOTP runs fn on the account's code and stores its verdict, in one
// transaction.
func (s *OTPs) UseOTP(ctx context.Context, account string, fn func(o *auth.OTP) (*auth.OTP, bool)) (bool, error) {
	var ok bool
	err := s.d.write(ctx, func(tx pgx.Tx, _ *wstate) error {
		var (
			o                auth.OTP
			created, expires int64
		)
		err := tx.QueryRow(ctx, "SELECT account, code_hash, created, expires, attempts FROM _auth_otp WHERE account = $1", account).
			Scan(&o.Account, &o.CodeHash, &created, &expires, &o.Attempts)
		var cur *auth.OTP
		switch {
		case err == nil:
			o.Created, o.Expires = time.UnixMilli(created), time.UnixMilli(expires)
			cur = &o
		case !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		var keep *auth.OTP
		keep, ok = fn(cur)
		if keep == nil {
			_, err = tx.Exec(ctx, "DELETE FROM _auth_otp WHERE account = $1", account)
		} else {
			_, err = tx.Exec(ctx, "UPDATE _auth_otp SET attempts = $1 WHERE account = $2", keep.Attempts, account)
		}
		return err
	})
	if err != nil {
		return false, err
	}
	return ok, nil
}
