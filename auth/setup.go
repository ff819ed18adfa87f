package auth

import (
	"context"
	"errors"
	"fmt"
)

// First-run setup: a server without any admin account lets the holder of
// the admin key (printed once at first start) create the first one from
// the browser, and signs it in. Guesses at the key are limited as
// password guesses are (Limits.Login*, under the account "setup").

var (
	errSetupKey  = Errorf(CodePermissionDenied, "the admin key is not valid (it was printed once when the server first started, or is MINIBASE_ADMIN_KEY)")
	errSetupDone = Errorf(CodeAdminExists, "an admin account already exists: sign in with it, or add one with `minibase admin create`")
)

// setupAccount is the account key of setup's guesses in the limiters.
const setupAccount = "setup:"

// SetupNeeded reports whether there is no admin account yet.
func (s *Service) SetupNeeded(ctx context.Context) (bool, error) {
	has, err := s.st.Admins.HasAdmin(ctx)
	if err != nil {
		return false, fmt.Errorf("look for admin accounts: %w", err)
	}
	return !has, nil
}

// Setup creates the first admin account (email, password: the policy of
// CreateAdmin) when keys accept adminKey and no admin account exists, and
// signs it in. A wrong key is PERMISSION_DENIED and counts as a wrong
// password for the address ip (too many: EXCEED_REQUEST_LIMIT); once an
// admin account exists it is ADMIN_EXISTS, whoever asks.
func (s *Service) Setup(ctx context.Context, ip string, keys *AdminKeys, adminKey, email, password string) (*Credentials, error) {
	now := s.now()
	g, err := s.lim.login.begin(now, ip, setupAccount)
	if err != nil {
		return nil, err
	}
	if !keys.Verify(adminKey) {
		g.done(errLoginFailed) // counted as a failed guess
		return nil, errSetupKey
	}
	g.done(nil)
	if need, err := s.SetupNeeded(ctx); err != nil {
		return nil, err
	} else if !need {
		return nil, errSetupDone
	}
	email, err = NormalizeEmail(email)
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
	a := &AdminAccount{ID: NewUID(), Email: email, PasswordHash: hash, Created: now, LastLogin: now}
	if err := s.st.Admins.CreateFirstAdmin(ctx, a); errors.Is(err, ErrTaken) {
		return nil, errSetupDone
	} else if err != nil {
		return nil, fmt.Errorf("create admin: %w", err)
	}
	return s.issue(ctx, nil, a)
}
