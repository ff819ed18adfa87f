package auth

import (
	"errors"
	"fmt"
	"time"
)

// Tunables are the settings of a Service that an admin may change while
// it runs (the admin console's settings): which sign-in methods are on,
// token lifetimes, the sign-in rate per address, and the login providers.
// Apply replaces them whole; each request reads one consistent snapshot.
type Tunables struct {
	Anonymous bool // POST /auth/anonymous
	Password  bool // end users' sign-up and sign-in by password
	OTPEmail  bool // one-time codes by email
	OTPSMS    bool // one-time codes by SMS

	AccessTTL       time.Duration // end users' access tokens
	RefreshTTL      time.Duration // end users' refresh tokens, renewed by each refresh
	AdminAccessTTL  time.Duration // admin accounts' access tokens (the console's session)
	AdminRefreshTTL time.Duration // admin accounts' refresh tokens

	// SignInIP limits password sign-ins (end users' and admins') and
	// first-run setup per client address (Limits.LoginIP).
	SignInIP Rate

	Providers Providers
}

// MaxAccessTTL is the longest access-token life Apply takes: revocations
// are remembered (and reloaded at start) for that long.
const MaxAccessTTL = 24 * time.Hour

// Default lifetimes of admin sessions.
const (
	DefaultAdminAccessTTL  = time.Hour
	DefaultAdminRefreshTTL = 7 * 24 * time.Hour
)

// check reports what is wrong with t, naming the field.
func (t *Tunables) check() error {
	var errs []error
	for _, d := range []struct {
		name          string
		access, fresh time.Duration
	}{{"AccessTTL", t.AccessTTL, t.RefreshTTL}, {"AdminAccessTTL", t.AdminAccessTTL, t.AdminRefreshTTL}} {
		switch {
		case d.access <= 0 || d.access > MaxAccessTTL:
			errs = append(errs, fmt.Errorf("auth: %s must be more than 0 and at most %v", d.name, MaxAccessTTL))
		case d.fresh <= d.access:
			errs = append(errs, fmt.Errorf("auth: the refresh-token life must be longer than %s (%v)", d.name, d.access))
		}
	}
	if t.SignInIP.N < 0 {
		errs = append(errs, errors.New("auth: SignInIP must not be negative"))
	}
	return errors.Join(errs...)
}

// Tunables returns the settings in force.
func (s *Service) Tunables() Tunables { return *s.t() }

// Apply puts t in force for the requests that start from now on: sign-in
// methods, token lifetimes (tokens already signed are held to a shorter
// access-token life too), the sign-in rate (a changed rate starts every
// address afresh) and the providers. It returns an error, and changes
// nothing, when a lifetime is out of range or not shorter than its
// refresh token's.
func (s *Service) Apply(t Tunables) error {
	if err := t.check(); err != nil {
		return err
	}
	if t.Providers.MiniPrograms == nil {
		t.Providers.MiniPrograms = map[string]MiniProgram{}
	}
	s.tunMu.Lock()
	defer s.tunMu.Unlock()
	s.lim.login.setIPRate(t.SignInIP)
	s.tokens.SetTTL(t.AccessTTL, t.AdminAccessTTL)
	s.tun.Store(&t)
	return nil
}

// t is the snapshot of the tunables in force.
func (s *Service) t() *Tunables { return s.tun.Load() }

// refreshTTL is the refresh-token life of a session kind.
func (t *Tunables) refreshTTL(kind string) time.Duration {
	if kind == SubjectAdmin {
		return t.AdminRefreshTTL
	}
	return t.RefreshTTL
}

// maxAccessTTL is the longest access-token life in force: how long a
// revoked family's tokens may still be presented.
func (t *Tunables) maxAccessTTL() time.Duration { return max(t.AccessTTL, t.AdminAccessTTL) }

// methodOff is the answer to a sign-in method an admin turned off.
func methodOff(what, setting string) error {
	return Errorf(CodeNotConfigured, "%s sign-in is turned off on this server (setting %s)", what, setting)
}
