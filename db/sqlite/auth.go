package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"minibase/auth"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// authSchema holds accounts, refresh-token families and the record of
// revoked ones (kept until the family's refresh tokens would have
// expired), admin accounts and one-time codes, beside the collections
// (whose tables are named c<id>, so they cannot collide). Empty
// identifiers are stored as NULL so the unique indexes ignore them. auth
// lower-cases emails; NOCASE is a second guard.
const authSchema = `
CREATE TABLE IF NOT EXISTS _auth_users (
	uid            TEXT PRIMARY KEY,
	openid         TEXT NOT NULL UNIQUE,
	unionid        TEXT,
	username       TEXT UNIQUE COLLATE NOCASE,
	email          TEXT UNIQUE COLLATE NOCASE,
	phone          TEXT UNIQUE,
	custom_user_id TEXT UNIQUE,
	email_verified INTEGER NOT NULL DEFAULT 0,
	phone_verified INTEGER NOT NULL DEFAULT 0,
	password       TEXT NOT NULL DEFAULT '',
	login_type     TEXT NOT NULL,
	session_key    TEXT NOT NULL DEFAULT '',
	created        INTEGER NOT NULL,
	last_login     INTEGER NOT NULL,
	disabled       INTEGER NOT NULL DEFAULT 0,
	claims         TEXT
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS _auth_users_created ON _auth_users (created);
CREATE INDEX IF NOT EXISTS _auth_users_unionid ON _auth_users (unionid);
CREATE TABLE IF NOT EXISTS _auth_sessions (
	hash    BLOB PRIMARY KEY,
	sid     TEXT NOT NULL,
	kind    TEXT NOT NULL,
	subject TEXT NOT NULL,
	gen     INTEGER NOT NULL,
	created INTEGER NOT NULL,
	expires INTEGER NOT NULL,
	used    INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS _auth_sessions_sid ON _auth_sessions (sid);
CREATE INDEX IF NOT EXISTS _auth_sessions_subject ON _auth_sessions (subject, kind);
CREATE INDEX IF NOT EXISTS _auth_sessions_expires ON _auth_sessions (expires);
CREATE TABLE IF NOT EXISTS _auth_revoked (
	sid     TEXT PRIMARY KEY,
	issued  INTEGER NOT NULL,
	revoked INTEGER NOT NULL,
	expires INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS _auth_revoked_revoked ON _auth_revoked (revoked);
CREATE INDEX IF NOT EXISTS _auth_revoked_expires ON _auth_revoked (expires);
CREATE TABLE IF NOT EXISTS _auth_admins (
	id         TEXT PRIMARY KEY,
	email      TEXT NOT NULL UNIQUE COLLATE NOCASE,
	password   TEXT NOT NULL,
	created    INTEGER NOT NULL,
	last_login INTEGER NOT NULL DEFAULT 0,
	disabled   INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS _auth_otp (
	account   TEXT PRIMARY KEY,
	code_hash BLOB NOT NULL,
	created   INTEGER NOT NULL,
	expires   INTEGER NOT NULL,
	attempts  INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS _auth_otp_expires ON _auth_otp (expires);`

// Users is the auth.Users store in the database file. Get it with
// DB.Users.
type Users struct{ d *DB }

var _ auth.Users = (*Users)(nil)

// Users returns the end-user account store.
func (d *DB) Users() *Users { return &Users{d} }

const userCols = `uid, openid, unionid, username, email, phone, custom_user_id, email_verified, phone_verified,
	password, login_type, session_key, created, last_login, disabled, claims`

// userColumn maps lookup keys to columns.
var userColumn = map[auth.Key]string{
	auth.KeyUsername: "username", auth.KeyEmail: "email", auth.KeyPhone: "phone",
	auth.KeyOpenID: "openid", auth.KeyCustomUserID: "custom_user_id",
}

type scanner interface{ Scan(dest ...any) error }

func scanUser(r scanner) (*auth.UserAccount, error) {
	var (
		u                                               auth.UserAccount
		unionid, username, email, phone, custom, claims sql.NullString
		created, lastLogin                              int64
		emailVerified, phoneVerified, disabled          bool
		loginType                                       string
	)
	err := r.Scan(&u.UID, &u.OpenID, &unionid, &username, &email, &phone, &custom, &emailVerified, &phoneVerified,
		&u.PasswordHash, &loginType, &u.SessionKey, &created, &lastLogin, &disabled, &claims)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, auth.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	u.UnionID, u.Username, u.Email, u.Phone, u.CustomUserID = unionid.String, username.String, email.String, phone.String, custom.String
	u.EmailVerified, u.PhoneVerified, u.Disabled = emailVerified, phoneVerified, disabled
	u.LoginType = auth.LoginType(loginType)
	u.Created, u.LastLogin = fromMillis(created), fromMillis(lastLogin)
	if claims.Valid && claims.String != "" {
		if err := json.Unmarshal([]byte(claims.String), &u.Claims); err != nil {
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
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%w: %v", auth.ErrTaken, err)
		}
	}
	return err
}

const insertUserSQL = "INSERT INTO _auth_users (" + userCols + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"

// CreateUser stores a new user.
func (s *Users) CreateUser(ctx context.Context, u *auth.UserAccount) error {
	args, err := userArgs(u)
	if err != nil {
		return err
	}
	_, err = s.d.do(ctx, func(tx *sql.Tx, _ *effects) (any, error) {
		_, err := tx.Exec(insertUserSQL, args...)
		return nil, authErr(err)
	})
	return err
}

// User returns the user uid.
func (s *Users) User(ctx context.Context, uid string) (*auth.UserAccount, error) {
	var u *auth.UserAccount
	err := s.d.stmts.use(ctx, "SELECT "+userCols+" FROM _auth_users WHERE uid = ?", func(st *sql.Stmt) (err error) {
		u, err = scanUser(st.QueryRowContext(ctx, uid))
		return err
	})
	return u, err
}

// UserBy returns the user whose key (username, email, phone, openid or
// customUserId) is value; usernames and emails match regardless of case.
func (s *Users) UserBy(ctx context.Context, key auth.Key, value string) (*auth.UserAccount, error) {
	col, ok := userColumn[key]
	if !ok {
		return nil, fmt.Errorf("find user: unknown key %q", key)
	}
	if value == "" {
		return nil, auth.ErrNotFound
	}
	var u *auth.UserAccount
	err := s.d.stmts.use(ctx, "SELECT "+userCols+" FROM _auth_users WHERE "+col+" = ?", func(st *sql.Stmt) (err error) {
		u, err = scanUser(st.QueryRowContext(ctx, value))
		return err
	})
	return u, err
}

// UpdateUser reads, changes and writes the user uid in one transaction.
func (s *Users) UpdateUser(ctx context.Context, uid string, fn func(u *auth.UserAccount) error) (*auth.UserAccount, error) {
	res, err := s.d.do(ctx, func(tx *sql.Tx, _ *effects) (any, error) {
		u, err := scanUser(tx.QueryRow("SELECT "+userCols+" FROM _auth_users WHERE uid = ?", uid))
		if err != nil {
			return nil, err
		}
		if err := fn(u); err != nil {
			return nil, err
		}
		u.UID = uid // the key cannot change
		args, err := userArgs(u)
		if err != nil {
			return nil, err
		}
		_, err = tx.Exec(`UPDATE _auth_users SET openid = ?, unionid = ?, username = ?, email = ?, phone = ?,
			custom_user_id = ?, email_verified = ?, phone_verified = ?, password = ?, login_type = ?, session_key = ?,
			created = ?, last_login = ?, disabled = ?, claims = ? WHERE uid = ?`, append(args[1:], uid)...)
		return u, authErr(err)
	})
	if err != nil {
		return nil, err
	}
	return res.(*auth.UserAccount), nil
}

// DeleteUser deletes the user uid.
func (s *Users) DeleteUser(ctx context.Context, uid string) error {
	_, err := s.d.free(ctx, func(tx *sql.Tx, _ *effects) (any, error) {
		r, err := tx.Exec("DELETE FROM _auth_users WHERE uid = ?", uid)
		if err != nil {
			return nil, err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return nil, auth.ErrNotFound
		}
		return nil, nil
	})
	return err
}

// searchCols are the columns ListUsers matches its prefix against.
var searchCols = []string{"uid", "username", "email", "phone", "openid"}

// ListUsers returns users newest first whose uid, username, email, phone
// or openid starts with prefix (usernames and emails regardless of case).
func (s *Users) ListUsers(ctx context.Context, prefix string, limit, offset int) ([]*auth.UserAccount, int, error) {
	where, args := "", []any{}
	if prefix != "" {
		for i, col := range searchCols {
			if i > 0 {
				where += " OR "
			}
			where += "(" + col + " >= ? AND " + col + " < ?)"
			args = append(args, prefix, prefix+"\xff")
		}
		where = " WHERE " + where
	}
	var total int
	if err := s.d.r.QueryRowContext(ctx, "SELECT count(*) FROM _auth_users"+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count users: %w", err)
	}
	rows, err := s.d.r.QueryContext(ctx, "SELECT "+userCols+" FROM _auth_users"+where+
		" ORDER BY created DESC, uid DESC LIMIT ? OFFSET ?", append(args, limit, offset)...)
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
