package auth

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Config configures a Service. Zero durations take the defaults.
type Config struct {
	AccessTTL  time.Duration // access-token life (default 2 h)
	RefreshTTL time.Duration // refresh-token life, renewed by each refresh (default 30 days)
	// AdminAccessTTL and AdminRefreshTTL are the lives of admin accounts'
	// tokens (default 1 h and 7 days).
	AdminAccessTTL, AdminRefreshTTL time.Duration
	Limits                          Limits         // rate limits; the zero value limits nothing (see DefaultLimits)
	Password                        PasswordParams // argon2id cost (default DefaultPasswordParams)
	OTPTTL                          time.Duration  // one-time-code life (default 5 min)
	OTPSignup                       bool           // a verified code for an unknown email or phone creates the account
	Now                             func() time.Time
}

// Default lifetimes.
const (
	DefaultAccessTTL  = 2 * time.Hour
	DefaultRefreshTTL = 30 * 24 * time.Hour
	DefaultOTPTTL     = 5 * time.Minute
	otpAttempts       = 5 // wrong guesses before a code is void
)

// Providers are the optional login methods; a nil one answers
// RESOURCE_NOT_INITIAL.
type Providers struct {
	// MiniPrograms exchange mini-program login codes, by platform name as
	// in the URL (/v1/auth/wechat): "wechat", "douyin", ….
	MiniPrograms map[string]MiniProgram
	Email, SMS   Sender  // deliver one-time codes
	Tickets      Tickets // custom-login tickets
}

// Service is end-user and admin authentication: sign-ins that issue
// tokens, token refresh and revocation, and account administration. It is
// safe for concurrent use.
type Service struct {
	cfg    Config
	st     Stores
	tun    atomic.Pointer[Tunables] // what Apply changes; read with t()
	tunMu  sync.Mutex               // serialises Apply
	tokens *Tokens
	hasher *hasher
	lim    *limiters
	now    func() time.Time
}

// NewService returns a Service over st that signs access tokens with key
// (LoadSigningKey), with every sign-in method on (Apply changes that). It
// reads the sessions revoked in the last MaxAccessTTL from st, whose
// access tokens it keeps refusing.
func NewService(ctx context.Context, cfg Config, st Stores, prov Providers, key []byte) (*Service, error) {
	if len(key) < signingKeyLen {
		return nil, fmt.Errorf("auth: signing key must be at least %d bytes", signingKeyLen)
	}
	if st.Users == nil || st.Sessions == nil || st.Admins == nil || st.OTPs == nil {
		return nil, errors.New("auth: every store is required")
	}
	if cfg.AccessTTL <= 0 {
		cfg.AccessTTL = DefaultAccessTTL
	}
	if cfg.RefreshTTL <= 0 {
		cfg.RefreshTTL = DefaultRefreshTTL
	}
	if cfg.AdminAccessTTL <= 0 {
		cfg.AdminAccessTTL = DefaultAdminAccessTTL
	}
	if cfg.AdminRefreshTTL <= 0 {
		cfg.AdminRefreshTTL = DefaultAdminRefreshTTL
	}
	if cfg.OTPTTL <= 0 {
		cfg.OTPTTL = DefaultOTPTTL
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Service{
		cfg: cfg, st: st, now: cfg.Now,
		tokens: newTokens(key, cfg.Now),
		hasher: newHasher(cfg.Password, runtime.GOMAXPROCS(0)),
		lim:    newLimiters(cfg.Limits),
	}
	err := s.Apply(Tunables{Anonymous: true, Password: true, OTPEmail: true, OTPSMS: true,
		AccessTTL: cfg.AccessTTL, RefreshTTL: cfg.RefreshTTL, AdminAccessTTL: cfg.AdminAccessTTL, AdminRefreshTTL: cfg.AdminRefreshTTL,
		SignInIP: cfg.Limits.LoginIP, Providers: prov})
	if err != nil {
		return nil, err
	}
	if err := s.loadRevoked(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Tokens returns the access-token verifier, for Middleware.
func (s *Service) Tokens() *Tokens { return s.tokens }

// Credentials are what a sign-in or refresh returns: an access token, a
// refresh token, and the account (User for end users, Admin for admins).
type Credentials struct {
	AccessToken  string
	RefreshToken string
	ExpiresIn    time.Duration // the access token's remaining life
	User         *UserAccount
	Admin        *AdminAccount
}

// userIdentity is the caller an access token for u names.
func userIdentity(u *UserAccount) *Identity {
	return &Identity{Role: User, UID: u.UID, OpenID: u.OpenID, UnionID: u.UnionID, LoginType: u.LoginType, Claims: u.Claims}
}

// issue starts a new refresh-token family for a user or admin and returns
// its first tokens.
func (s *Service) issue(ctx context.Context, u *UserAccount, a *AdminAccount) (*Credentials, error) {
	refresh, hash := newRefreshToken()
	now := s.now()
	sess := &Session{ID: NewUID(), Generation: 1, Created: now}
	if u != nil {
		sess.Kind, sess.Subject = SubjectUser, u.UID
	} else {
		sess.Kind, sess.Subject = SubjectAdmin, a.ID
	}
	sess.Expires = now.Add(s.t().refreshTTL(sess.Kind))
	if err := s.st.Sessions.CreateSession(ctx, sess, hash); err != nil {
		return nil, fmt.Errorf("create session: %w", err)
	}
	return s.credentials(u, a, sess, refresh)
}

// credentials signs the access token of session sess at the time its
// refresh token was stored (sess.Created), which a Revocation of the
// family counts from.
func (s *Service) credentials(u *UserAccount, a *AdminAccount, sess *Session, refresh string) (*Credentials, error) {
	id := &Identity{Role: Admin}
	if u != nil {
		id = userIdentity(u)
	} else {
		id.UID = a.ID
	}
	access, err := s.tokens.sign(id, sess.ID, sess.Created)
	if err != nil {
		return nil, err
	}
	return &Credentials{AccessToken: access, RefreshToken: refresh, ExpiresIn: s.tokens.ttlOf(id.Role), User: u, Admin: a}, nil
}

var (
	errRefreshInvalid = Errorf(CodeInvalidRefreshToken, "the refresh token is not valid: sign in again")
	errRefreshExpired = Errorf(CodeRefreshTokenExpired, "the refresh token has expired: sign in again")
	errRefreshRevoked = Errorf(CodeInvalidRefreshToken, "the account is disabled or deleted")
)

// Refresh trades a refresh token for new tokens. The presented token is
// used up; presenting it again revokes its whole family (a copy of it is
// in someone else's hands). A disabled or deleted account cannot refresh.
func (s *Service) Refresh(ctx context.Context, token string) (*Credentials, error) {
	if token == "" || len(token) > maxRefreshToken {
		return nil, errRefreshInvalid
	}
	next, nextHash := newRefreshToken()
	now := s.now()
	t := s.t()
	sess, res, err := s.st.Sessions.RotateSession(ctx, hashToken(token), nextHash, now, t.refreshTTL)
	switch {
	case err != nil:
		return nil, fmt.Errorf("rotate refresh token: %w", err)
	case res == Expired:
		return nil, errRefreshExpired
	case res == Reused: // the store revoked the family: its access tokens go too
		s.tokens.Revoke(sess.ID, now.Add(t.maxAccessTTL()))
		return nil, errRefreshInvalid
	case res != Rotated:
		return nil, errRefreshInvalid
	}
	var (
		u *UserAccount
		a *AdminAccount
	)
	if sess.Kind == SubjectAdmin {
		a, err = s.st.Admins.Admin(ctx, sess.Subject)
	} else {
		u, err = s.st.Users.User(ctx, sess.Subject)
	}
	if errors.Is(err, ErrNotFound) || err == nil && (u != nil && u.Disabled || a != nil && a.Disabled) {
		if err := s.revokeSession(ctx, sess.ID); err != nil {
			return nil, err
		}
		return nil, errRefreshRevoked
	}
	if err != nil {
		return nil, fmt.Errorf("load account: %w", err)
	}
	return s.credentials(u, a, sess, next)
}

// Logout revokes the family of a refresh token: its refresh and access
// tokens. An unknown token is not an error: the outcome, no valid token,
// is the same.
func (s *Service) Logout(ctx context.Context, token string) error {
	if token == "" || len(token) > maxRefreshToken {
		return nil
	}
	r, err := s.st.Sessions.RevokeToken(ctx, hashToken(token), s.now())
	if err != nil {
		return fmt.Errorf("revoke refresh token: %w", err)
	}
	if r != nil {
		s.revoked(*r)
	}
	return nil
}

// Me returns the account of the caller in ctx: a User for end users, an
// Admin for admin-account tokens, neither (and no error) for an admin key.
// A visitor gets INVALID_ACCESS_TOKEN.
func (s *Service) Me(ctx context.Context) (*UserAccount, *AdminAccount, error) {
	id := FromContext(ctx)
	switch {
	case id.Role == User:
		u, err := s.st.Users.User(ctx, id.UID)
		if errors.Is(err, ErrNotFound) {
			return nil, nil, Errorf(CodeUserNotFound, "the account no longer exists")
		}
		return u, nil, err
	case id.Role == Admin && id.UID != "":
		a, err := s.st.Admins.Admin(ctx, id.UID)
		if errors.Is(err, ErrNotFound) {
			return nil, nil, Errorf(CodeUserNotFound, "the admin account no longer exists")
		}
		return nil, a, err
	case id.Role == Admin:
		return nil, nil, nil
	}
	return nil, nil, Errorf(CodeInvalidAccessToken, "sign in first (Authorization: Bearer <access token>)")
}
