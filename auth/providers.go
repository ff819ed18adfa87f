package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// Provider errors: implementations of MiniProgram and Tickets return (or
// wrap) these so the Service can answer the client correctly. Any other
// error is a failure to reach the provider (502).
var (
	// ErrRejected means the provider refused the credential (a wrong,
	// used or expired login code; a bad or expired ticket).
	ErrRejected = errors.New("the login provider rejected the credential")
	// ErrNotConfigured means the login method lacks its configuration.
	ErrNotConfigured = errors.New("login method not configured")
)

// ProviderSession is what a mini-program platform says about a login code.
type ProviderSession struct {
	OpenID     string
	UnionID    string // empty when the platform gives none
	SessionKey string // stays on the server
}

// MiniProgram exchanges a mini-program login code (wx.login, tt.login …)
// for the user's identity on that platform.
type MiniProgram interface {
	Exchange(ctx context.Context, code string) (ProviderSession, error)
}

// OTPMessage is one one-time code to deliver.
type OTPMessage struct {
	To   string        // the email address or phone number
	Code string        // six digits
	TTL  time.Duration // how long the code is valid
}

// Sender delivers one-time codes over one channel (email or SMS).
type Sender interface {
	Send(ctx context.Context, m OTPMessage) error
}

// Tickets verifies and issues CloudBase custom-login tickets and manages
// the key that signs them.
type Tickets interface {
	// Verify returns the customUserId a valid ticket vouches for.
	Verify(ticket string) (customUserID string, err error)
	// Issue returns a ticket for customUserID (an *Error for a bad id).
	Issue(customUserID string) (string, error)
	// Credentials returns the key file (JSON) an app server signs with.
	Credentials() ([]byte, error)
	// Rotate replaces the signing key; the old one verifies for a while.
	Rotate() error
}

func notConfigured(what string) error {
	return Errorf(CodeNotConfigured, "%s login is not configured on this server", what)
}

// providerErr turns a provider's error into the client's answer.
func providerErr(ctx context.Context, what string, err error) error {
	switch {
	case errors.Is(err, ErrRejected):
		return Errorf(CodeInvalidCredentials, "%s login failed: the credential is invalid or expired", what)
	case errors.Is(err, ErrNotConfigured):
		return notConfigured(what)
	case ctx.Err() != nil:
		return ctx.Err()
	}
	e := Errorf(CodeProviderFailed, "%s login failed: the provider could not be reached", what)
	e.Err = err
	return e
}

// maxCodeLen bounds login codes sent to providers.
const maxCodeLen = 256

// MiniProgramLogin signs in with a mini-program login code on platform
// (e.g. "wechat"): the same openid is always the same user; its unionid is
// kept and its session key stored server-side.
func (s *Service) MiniProgramLogin(ctx context.Context, ip, platform, code string) (*Credentials, error) {
	p := s.t().Providers.MiniPrograms[platform]
	if p == nil {
		return nil, notConfigured(platform)
	}
	now := s.now()
	if err := check(now, s.lim.providerIP, ip, nil, ""); err != nil {
		return nil, err
	}
	if code == "" || len(code) > maxCodeLen {
		return nil, Errorf(CodeInvalidParam, "code must be 1-%d characters (from %s login)", maxCodeLen, platform)
	}
	ps, err := p.Exchange(ctx, code)
	if err != nil {
		return nil, providerErr(ctx, platform, err)
	}
	if ps.OpenID == "" {
		return nil, providerErr(ctx, platform, errors.New("no openid in the answer"))
	}
	u, err := s.findOrCreate(ctx, KeyOpenID, ps.OpenID, func(u *UserAccount) {
		u.OpenID, u.LoginType = ps.OpenID, LoginType(strings.ToUpper(platform))
	}, func(u *UserAccount) {
		u.SessionKey = ps.SessionKey
		if ps.UnionID != "" {
			u.UnionID = ps.UnionID
		}
	})
	if err != nil {
		return nil, err
	}
	return s.issue(ctx, u, nil)
}

// findOrCreate signs in the user found by key=value, creating it (init
// sets its identity) when there is none; update runs on either before it
// is stored. A disabled user gets errLoginFailed.
func (s *Service) findOrCreate(ctx context.Context, key Key, value string, init, update func(u *UserAccount)) (*UserAccount, error) {
	now := s.now()
	for range 2 { // a concurrent first sign-in may create the user between our read and our write
		u, err := s.st.Users.UserBy(ctx, key, value)
		if errors.Is(err, ErrNotFound) {
			uid := NewUID()
			u = &UserAccount{UID: uid, OpenID: uid, Created: now, LastLogin: now}
			init(u)
			update(u)
			err = s.st.Users.CreateUser(ctx, u)
			if errors.Is(err, ErrTaken) {
				continue
			}
			return u, err
		}
		if err != nil {
			return nil, err
		}
		if u.Disabled {
			return nil, errLoginFailed
		}
		return s.st.Users.UpdateUser(ctx, u.UID, func(u *UserAccount) error {
			if u.Disabled {
				return errLoginFailed
			}
			update(u)
			u.LastLogin = now
			return nil
		})
	}
	return nil, errors.New("sign-in raced with a concurrent change: try again")
}

// TicketLogin signs in with a custom-login ticket: the same customUserId
// is always the same user. An anonymous caller whose customUserId is new
// is upgraded to it, keeping its uid and documents (CloudBase's
// linkAndRetrieveDataWithTicket); its anonymous sign-in ends.
func (s *Service) TicketLogin(ctx context.Context, ip string, caller *Identity, ticket string) (*Credentials, error) {
	tickets := s.t().Providers.Tickets
	if tickets == nil {
		return nil, notConfigured("custom")
	}
	if err := check(s.now(), s.lim.providerIP, ip, nil, ""); err != nil {
		return nil, err
	}
	if ticket == "" {
		return nil, Errorf(CodeInvalidParam, "ticket is required")
	}
	cuid, err := tickets.Verify(ticket)
	if err != nil {
		return nil, providerErr(ctx, "custom", err)
	}
	if caller.Role == User && caller.LoginType == LoginAnonymous {
		if _, err := s.st.Users.UserBy(ctx, KeyCustomUserID, cuid); errors.Is(err, ErrNotFound) {
			u, err := s.st.Users.UpdateUser(ctx, caller.UID, func(u *UserAccount) error {
				if u.LoginType != LoginAnonymous || u.Disabled {
					return errLoginFailed
				}
				u.CustomUserID, u.LoginType, u.LastLogin = cuid, LoginCustom, s.now()
				return nil
			})
			if err == nil { // as with Signup, the anonymous sign-in ends
				if err := s.revokeSession(ctx, caller.SessionID); err != nil {
					return nil, err
				}
				return s.issue(ctx, u, nil)
			}
			if !errors.Is(err, ErrTaken) && !errors.Is(err, ErrNotFound) {
				return nil, err
			}
		}
	}
	u, err := s.findOrCreate(ctx, KeyCustomUserID, cuid, func(u *UserAccount) {
		u.CustomUserID, u.LoginType = cuid, LoginCustom
	}, func(*UserAccount) {})
	if err != nil {
		return nil, err
	}
	return s.issue(ctx, u, nil)
}

// IssueTicket returns a custom-login ticket for customUserID. Admins only.
func (s *Service) IssueTicket(ctx context.Context, customUserID string) (string, error) {
	if err := requireAdmin(ctx); err != nil {
		return "", err
	}
	tickets := s.t().Providers.Tickets
	if tickets == nil {
		return "", notConfigured("custom")
	}
	return tickets.Issue(customUserID)
}

// TicketCredentials returns the ticket key file. Admins only.
func (s *Service) TicketCredentials(ctx context.Context) ([]byte, error) {
	if err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	tickets := s.t().Providers.Tickets
	if tickets == nil {
		return nil, notConfigured("custom")
	}
	return tickets.Credentials()
}

// RotateTicketKey replaces the ticket signing key. Admins only.
func (s *Service) RotateTicketKey(ctx context.Context) error {
	if err := requireAdmin(ctx); err != nil {
		return err
	}
	tickets := s.t().Providers.Tickets
	if tickets == nil {
		return notConfigured("custom")
	}
	return tickets.Rotate()
}

// otpDigits is the length of one-time codes.
const otpDigits = 6

func newOTPCode() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(1_000_000)) // crypto/rand does not fail
	return fmt.Sprintf("%0*d", otpDigits, n.Int64())
}

func hashOTP(account, code string) []byte {
	h := sha256.Sum256([]byte(account + "\x00" + code))
	return h[:]
}

// sender is the sender of one-time codes to acct, or the error that the
// channel is off or not configured.
func (s *Service) sender(acct Identifier) (Sender, error) {
	t := s.t()
	sender, on, setting := t.Providers.SMS, t.OTPSMS, "auth.otp.sms"
	if acct.Key == KeyEmail {
		sender, on, setting = t.Providers.Email, t.OTPEmail, "auth.otp.email"
	}
	switch {
	case !on:
		return nil, methodOff("one-time code ("+string(acct.Key)+")", setting)
	case sender == nil:
		return nil, notConfigured("one-time code (" + string(acct.Key) + ")")
	}
	return sender, nil
}

// SendOTP sends a one-time code to an email address or phone number and
// returns how long it is valid. The answer is the same whether or not an
// account exists (without OTPSignup, no code is sent to unknown accounts).
func (s *Service) SendOTP(ctx context.Context, ip string, acct Identifier) (time.Duration, error) {
	sender, err := s.sender(acct)
	if err != nil {
		return 0, err
	}
	now := s.now()
	if err := check(now, s.lim.otpSendIP, ip, s.lim.otpSendAccount, acct.String()); err != nil {
		return 0, err
	}
	if !s.cfg.OTPSignup {
		if _, err := s.st.Users.UserBy(ctx, acct.Key, acct.Value); errors.Is(err, ErrNotFound) {
			return s.cfg.OTPTTL, nil
		} else if err != nil {
			return 0, err
		}
	}
	code := newOTPCode()
	o := &OTP{Account: acct.String(), CodeHash: hashOTP(acct.String(), code), Created: now, Expires: now.Add(s.cfg.OTPTTL)}
	if err := s.st.OTPs.PutOTP(ctx, o); err != nil {
		return 0, fmt.Errorf("store one-time code: %w", err)
	}
	if err := sender.Send(ctx, OTPMessage{To: acct.Value, Code: code, TTL: s.cfg.OTPTTL}); err != nil {
		return 0, providerErr(ctx, "one-time code", err)
	}
	return s.cfg.OTPTTL, nil
}

// VerifyOTP signs in with a one-time code. A code is used once, lives
// OTPTTL and allows 5 wrong guesses; every failure is INVALID_CREDENTIALS.
// Guesses are limited as Login's are. Proving the address marks it
// verified; a password set on the account before it was ever verified is
// removed, since whoever chose it did not prove they own the address.
func (s *Service) VerifyOTP(ctx context.Context, ip string, acct Identifier, code string) (*Credentials, error) {
	if _, err := s.sender(acct); err != nil {
		return nil, err
	}
	now := s.now()
	g, err := s.lim.otpVerify.begin(now, ip, acct.String())
	if err != nil {
		return nil, err
	}
	cr, err := s.verifyOTP(ctx, now, acct, code)
	g.done(err)
	return cr, err
}

func (s *Service) verifyOTP(ctx context.Context, now time.Time, acct Identifier, code string) (*Credentials, error) {
	if len(code) != otpDigits {
		return nil, errLoginFailed
	}
	want := hashOTP(acct.String(), code)
	ok, err := s.st.OTPs.UseOTP(ctx, acct.String(), func(o *OTP) (*OTP, bool) {
		switch {
		case o == nil || !now.Before(o.Expires):
			return nil, false
		case subtle.ConstantTimeCompare(o.CodeHash, want) == 1:
			return nil, true
		}
		o.Attempts++
		if o.Attempts >= otpAttempts {
			return nil, false
		}
		return o, false
	})
	if err != nil {
		return nil, fmt.Errorf("check one-time code: %w", err)
	}
	if !ok {
		return nil, errLoginFailed
	}
	if !s.cfg.OTPSignup {
		if _, err := s.st.Users.UserBy(ctx, acct.Key, acct.Value); errors.Is(err, ErrNotFound) {
			return nil, errLoginFailed
		}
	}
	cleared := false
	u, err := s.findOrCreate(ctx, acct.Key, acct.Value, func(u *UserAccount) {
		acct.set(u)
		u.LoginType = acct.LoginType()
	}, func(u *UserAccount) {
		verified := &u.EmailVerified
		if acct.Key == KeyPhone {
			verified = &u.PhoneVerified
		}
		if !*verified {
			cleared = cleared || u.PasswordHash != ""
			*verified, u.PasswordHash = true, ""
		}
	})
	if err != nil {
		return nil, err
	}
	if cleared { // and sign out whoever used that password
		if _, err := s.revokeSubject(ctx, SubjectUser, u.UID); err != nil {
			return nil, err
		}
	}
	return s.issue(ctx, u, nil)
}
