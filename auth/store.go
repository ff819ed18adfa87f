package auth

import (
	"context"
	"time"
)

// Users stores end-user accounts. openid, username (regardless of case),
// email, phone and customUserId are each unique when set; a write that
// would repeat one fails with ErrTaken. Lookups of a missing user return
// ErrNotFound.
type Users interface {
	CreateUser(ctx context.Context, u *UserAccount) error
	User(ctx context.Context, uid string) (*UserAccount, error)
	UserBy(ctx context.Context, key Key, value string) (*UserAccount, error)
	// UpdateUser reads the user, calls fn on it and stores the result, in
	// one write transaction. fn must be quick (it runs on the writer); an
	// error from it aborts the update and is returned as is.
	UpdateUser(ctx context.Context, uid string, fn func(u *UserAccount) error) (*UserAccount, error)
	DeleteUser(ctx context.Context, uid string) error
	// ListUsers returns users, newest first, whose uid, username, email,
	// phone or openid starts with prefix (all when empty), and how many
	// match in total.
	ListUsers(ctx context.Context, prefix string, limit, offset int) ([]*UserAccount, int, error)
}

// Subject kinds of a session.
const (
	SubjectUser  = "user"
	SubjectAdmin = "admin"
)

// Session is a refresh-token family: the chain of refresh tokens issued
// from one sign-in, each replacing the previous one.
type Session struct {
	ID         string // sid: the family
	Kind       string // SubjectUser or SubjectAdmin
	Subject    string // uid, or admin id
	Generation int    // 1 for the sign-in, +1 per refresh
	Created    time.Time
	Expires    time.Time
}

// RotateResult is what RotateSession found for a presented refresh token.
type RotateResult int

// Outcomes of RotateSession.
const (
	Rotated RotateResult = iota // the token was current: it is now used, the new one current
	Unknown                     // no such token (never issued, revoked, or pruned)
	Reused                      // the token had been used before: its whole family is now revoked
	Expired                     // the token is past its expiry: nothing changed
)

// Revocation records that a refresh-token family was ended (logout,
// reuse of a used token, an admin's revoke, a disabled or deleted
// account…). Access tokens are checked by signature, without a database
// read, so the Service keeps the families revoked in the last access-token
// lifetime in memory and refuses their access tokens; the store keeps the
// records so that a restart (or, later, another node) knows them too.
type Revocation struct {
	SID     string    // the family
	Issued  time.Time // when its newest token was created: its last access token expires an access-token lifetime later
	Revoked time.Time // when it was revoked
}

// Sessions stores refresh tokens by their SHA-256 hash, in families. Every
// method that ends a family deletes its tokens and records a Revocation
// (at now) in the same write, and returns what it recorded; a record is
// kept at least until the family's refresh tokens would have expired,
// which is longer than any access token it issued can live.
type Sessions interface {
	// CreateSession stores the first token of a new family.
	CreateSession(ctx context.Context, s *Session, tokenHash []byte) error
	// RotateSession marks the token with oldHash used and stores newHash
	// as the family's next token, which expires life(the family's Kind)
	// after now, in one write. A token
	// presented again after its use revokes the whole family (Reused),
	// recorded at now as by RevokeSession. The session returned describes
	// the new token when Rotated, the old one otherwise (nil when Unknown).
	RotateSession(ctx context.Context, oldHash, newHash []byte, now time.Time, life func(kind string) time.Duration) (*Session, RotateResult, error)
	// RevokeToken revokes the family of the token with hash; an unknown
	// token is not an error and records nothing (nil).
	RevokeToken(ctx context.Context, tokenHash []byte, now time.Time) (*Revocation, error)
	// RevokeSession revokes the family sid (nil when it has no tokens).
	RevokeSession(ctx context.Context, sid string, now time.Time) (*Revocation, error)
	// RevokeSubject revokes every family of a user or admin and returns
	// how many tokens were deleted and the families revoked.
	RevokeSubject(ctx context.Context, kind, subject string, now time.Time) (int, []Revocation, error)
	// Revocations returns the revocations recorded at or after since, in
	// no particular order.
	Revocations(ctx context.Context, since time.Time) ([]Revocation, error)
}

// AdminAccount is an admin account, which signs in to the admin UI with an email
// and a password and then holds admin access tokens.
type AdminAccount struct {
	ID           string
	Email        string // lower-cased; unique
	PasswordHash string
	Created      time.Time
	LastLogin    time.Time
	Disabled     bool
}

// Admins stores admin accounts. A duplicate email is ErrTaken; a missing
// admin is ErrNotFound.
type Admins interface {
	CreateAdmin(ctx context.Context, a *AdminAccount) error
	Admin(ctx context.Context, id string) (*AdminAccount, error)
	AdminByEmail(ctx context.Context, email string) (*AdminAccount, error)
	// UpdateAdmin is like Users.UpdateUser.
	UpdateAdmin(ctx context.Context, id string, fn func(a *AdminAccount) error) (*AdminAccount, error)
	// HasAdmin reports whether any admin account exists (disabled ones
	// count).
	HasAdmin(ctx context.Context) (bool, error)
	// CreateFirstAdmin stores a only when no admin account exists, checked
	// in the same write; otherwise it stores nothing and returns ErrTaken.
	CreateFirstAdmin(ctx context.Context, a *AdminAccount) error
}

// OTP is a one-time code waiting to be verified, stored by its account
// ("email:…" or "phone:…"): one live code per account.
type OTP struct {
	Account  string
	CodeHash []byte
	Created  time.Time
	Expires  time.Time
	Attempts int // wrong guesses so far
}

// OTPs stores one-time codes.
type OTPs interface {
	// PutOTP stores o, replacing the account's previous code.
	PutOTP(ctx context.Context, o *OTP) error
	// UseOTP calls fn with the account's code (nil when there is none) in
	// one write transaction and stores what fn returns: the record to keep
	// (e.g. with one more attempt) or nil to delete it. It returns fn's ok.
	UseOTP(ctx context.Context, account string, fn func(o *OTP) (keep *OTP, ok bool)) (bool, error)
}

// Stores are the storage a Service needs.
type Stores struct {
	Users    Users
	Sessions Sessions
	Admins   Admins
	OTPs     OTPs
}
