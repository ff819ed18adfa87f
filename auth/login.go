package auth

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Anonymous creates an anonymous user (its openid is its uid) and signs it
// in. Rate-limited per client ip.
func (s *Service) Anonymous(ctx context.Context, ip string) (*Credentials, error) {
	if !s.t().Anonymous {
		return nil, methodOff("anonymous", "auth.anonymous")
	}
	now := s.now()
	if err := check(now, s.lim.anonymousIP, ip, nil, ""); err != nil {
		return nil, err
	}
	uid := NewUID()
	u := &UserAccount{UID: uid, OpenID: uid, LoginType: LoginAnonymous, Created: now, LastLogin: now}
	if err := s.st.Users.CreateUser(ctx, u); err != nil {
		return nil, fmt.Errorf("create anonymous user: %w", err)
	}
	return s.issue(ctx, u, nil)
}

// Signup creates a password account for acct. When caller is an anonymous
// user, that user is upgraded instead: it keeps its uid and openid, and so
// its documents; its anonymous session is revoked and a new one begins. A
// taken username, email or phone is ACCOUNT_EXISTS.
func (s *Service) Signup(ctx context.Context, ip string, caller *Identity, acct Identifier, password string) (*Credentials, error) {
	if !s.t().Password {
		return nil, methodOff("password", "auth.password")
	}
	now := s.now()
	if err := check(now, s.lim.signupIP, ip, s.lim.signupAccount, acct.String()); err != nil {
		return nil, err
	}
	if err := CheckPassword(password); err != nil {
		return nil, err
	}
	hash, err := s.hasher.hash(ctx, password)
	if err != nil {
		return nil, err
	}
	exists := Errorf(CodeAccountExists, "an account with this %s already exists", acct.Key)
	if caller.Role == User && caller.LoginType == LoginAnonymous {
		u, err := s.st.Users.UpdateUser(ctx, caller.UID, func(u *UserAccount) error {
			if u.LoginType != LoginAnonymous || u.Disabled {
				return Errorf(CodeInvalidParam, "only an anonymous account can be upgraded")
			}
			acct.set(u)
			u.PasswordHash, u.LoginType, u.LastLogin = hash, acct.LoginType(), now
			return nil
		})
		switch {
		case errors.Is(err, ErrTaken):
			return nil, exists
		case errors.Is(err, ErrNotFound):
			return nil, Errorf(CodeInvalidAccessToken, "the anonymous account no longer exists")
		case err != nil:
			return nil, err
		}
		if err := s.revokeSession(ctx, caller.SessionID); err != nil {
			return nil, err
		}
		return s.issue(ctx, u, nil)
	}
	uid := NewUID()
	u := &UserAccount{UID: uid, OpenID: uid, PasswordHash: hash, LoginType: acct.LoginType(), Created: now, LastLogin: now}
	acct.set(u)
	if err := s.st.Users.CreateUser(ctx, u); errors.Is(err, ErrTaken) {
		return nil, exists
	} else if err != nil {
		return nil, fmt.Errorf("create user: %w", err)
	}
	return s.issue(ctx, u, nil)
}

// Login signs in with a password. Every failure (unknown account, wrong
// password, no password, disabled) is the same INVALID_CREDENTIALS and
// costs the same password hash, so neither the answer nor its timing
// tells whether the account exists. Guesses are limited per address, per
// account and address, and per account from unfamiliar addresses (Limits).
func (s *Service) Login(ctx context.Context, ip string, acct Identifier, password string) (*Credentials, error) {
	if !s.t().Password {
		return nil, methodOff("password", "auth.password")
	}
	now := s.now()
	g, err := s.lim.login.begin(now, ip, acct.String())
	if err != nil {
		return nil, err
	}
	cr, err := s.login(ctx, now, acct, password)
	g.done(err)
	return cr, err
}

func (s *Service) login(ctx context.Context, now time.Time, acct Identifier, password string) (*Credentials, error) {
	if len(password) > maxPasswordBytes {
		password = "" // do not hash megabytes; an empty password never matches
	}
	u, err := s.st.Users.UserBy(ctx, acct.Key, acct.Value)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("find user: %w", err)
	}
	stored := ""
	if u != nil {
		stored = u.PasswordHash
	}
	ok, err := s.hasher.verify(ctx, password, stored)
	if err != nil {
		return nil, err
	}
	if !ok || password == "" || u.Disabled {
		return nil, errLoginFailed
	}
	rehash := ""
	if s.hasher.outdated(stored) {
		if rehash, err = s.hasher.hash(ctx, password); err != nil {
			return nil, err
		}
	}
	u, err = s.st.Users.UpdateUser(ctx, u.UID, func(u *UserAccount) error {
		u.LastLogin = now
		if rehash != "" {
			u.PasswordHash = rehash
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("record login: %w", err)
	}
	return s.issue(ctx, u, nil)
}

// AdminLogin signs an admin account in; failures and limits are as for
// Login.
func (s *Service) AdminLogin(ctx context.Context, ip, email, password string) (*Credentials, error) {
	now := s.now()
	email, err := NormalizeEmail(email)
	if err != nil {
		return nil, err
	}
	g, err := s.lim.login.begin(now, ip, "admin:"+email)
	if err != nil {
		return nil, err
	}
	cr, err := s.adminLogin(ctx, now, email, password)
	g.done(err)
	return cr, err
}

func (s *Service) adminLogin(ctx context.Context, now time.Time, email, password string) (*Credentials, error) {
	if len(password) > maxPasswordBytes {
		password = ""
	}
	a, err := s.st.Admins.AdminByEmail(ctx, email)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("find admin: %w", err)
	}
	stored := ""
	if a != nil {
		stored = a.PasswordHash
	}
	ok, err := s.hasher.verify(ctx, password, stored)
	if err != nil {
		return nil, err
	}
	if !ok || password == "" || a.Disabled {
		return nil, errLoginFailed
	}
	a, err = s.st.Admins.UpdateAdmin(ctx, a.ID, func(a *AdminAccount) error { a.LastLogin = now; return nil })
	if err != nil {
		return nil, fmt.Errorf("record admin login: %w", err)
	}
	return s.issue(ctx, nil, a)
}

// ErrAdminExists is returned by CreateAdmin for an email already in use.
var ErrAdminExists = errors.New("an admin account with this email already exists")

// CreateAdmin adds an admin account (for `minibase admin create`). The
// password follows the user password policy.
func (s *Service) CreateAdmin(ctx context.Context, email, password string) (*AdminAccount, error) {
	email, err := NormalizeEmail(email)
	if err != nil {
		return nil, err
	}
	if err := CheckPassword(password); err != nil {
		return nil, err
	}
	hash, err := s.hasher.hash(ctx, password)
	if err != nil {
		return nil, err
	}
	now := s.now()
	a := &AdminAccount{ID: NewUID(), Email: email, PasswordHash: hash, Created: now}
	if err := s.st.Admins.CreateAdmin(ctx, a); errors.Is(err, ErrTaken) {
		return nil, ErrAdminExists
	} else if err != nil {
		return nil, fmt.Errorf("create admin: %w", err)
	}
	return a, nil
}
