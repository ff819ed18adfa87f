package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"minibase/auth"
	"minibase/auth/otp"
	"minibase/auth/ticket"
	"minibase/auth/wechat"
)

// providers builds the login providers the configuration enables.
// Custom-login tickets' keys are keys's when set (PostgreSQL: shared by
// every node), else a file in dir.
func (p ProvidersConfig) providers(dir string, keys ticket.Store, now func() time.Time, log *slog.Logger) auth.Providers {
	out := auth.Providers{MiniPrograms: map[string]auth.MiniProgram{}}
	if p.WeChat.AppID != "" {
		out.MiniPrograms["wechat"] = miniProgram{wechat.NewWeChat(p.WeChat)}
	}
	if p.Douyin.AppID != "" {
		out.MiniPrograms["douyin"] = miniProgram{wechat.NewDouyin(p.Douyin)}
	}
	var dev otp.Sender
	if p.OTPLog {
		dev = otp.NewLog(log)
	}
	if p.SMTP.Addr != "" {
		out.Email = otpSender{otp.NewSMTP(p.SMTP), otp.Email, p.AppName}
	} else if dev != nil {
		out.Email = otpSender{dev, otp.Email, p.AppName}
	}
	if p.SMS.URL != "" {
		out.SMS = otpSender{otp.NewWebhook(p.SMS), otp.SMS, p.AppName}
	} else if dev != nil {
		out.SMS = otpSender{dev, otp.SMS, p.AppName}
	}
	out.Tickets = &tickets{dir: dir, store: keys, now: now, env: p.AppName}
	return out
}

// miniProgram adapts a wechat.Provider to auth.MiniProgram.
type miniProgram struct{ p wechat.Provider }

func (m miniProgram) Exchange(ctx context.Context, code string) (auth.ProviderSession, error) {
	s, err := m.p.Exchange(ctx, code)
	switch {
	case errors.Is(err, wechat.ErrInvalidCode):
		return auth.ProviderSession{}, fmt.Errorf("%w: %w", auth.ErrRejected, err)
	case errors.Is(err, wechat.ErrNotConfigured):
		return auth.ProviderSession{}, fmt.Errorf("%w: %w", auth.ErrNotConfigured, err)
	case err != nil:
		return auth.ProviderSession{}, err
	}
	return auth.ProviderSession{OpenID: s.OpenID, UnionID: s.UnionID, SessionKey: s.SessionKey}, nil
}

// otpSender adapts an otp.Sender to auth.Sender for one channel.
type otpSender struct {
	s       otp.Sender
	channel string
	app     string
}

func (o otpSender) Send(ctx context.Context, m auth.OTPMessage) error {
	err := o.s.Send(ctx, otp.Message{Channel: o.channel, To: m.To, Code: m.Code, TTL: m.TTL, AppName: o.app})
	if errors.Is(err, otp.ErrChannelNotConfigured) {
		return fmt.Errorf("%w: %w", auth.ErrNotConfigured, err)
	}
	return err
}

// tickets adapts the ticket keyring to auth.Tickets. The keyring (and its
// RSA key, slow to generate) is opened on first use, not at start.
type tickets struct {
	dir   string
	store ticket.Store // nil: the keyring is a file in dir
	now   func() time.Time
	env   string

	mu sync.Mutex
	k  *ticket.Keyring
}

func (t *tickets) keyring() (*ticket.Keyring, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.k == nil {
		var k *ticket.Keyring
		var err error
		if t.store != nil {
			k, err = ticket.OpenStore(t.store, t.now)
		} else {
			k, err = ticket.Open(t.dir, t.now)
		}
		if err != nil {
			return nil, err
		}
		t.k = k
	}
	return t.k, nil
}

func (t *tickets) Verify(tk string) (string, error) {
	k, err := t.keyring()
	if err != nil {
		return "", err
	}
	c, err := k.Verify(tk)
	if errors.Is(err, ticket.ErrInvalidTicket) || errors.Is(err, ticket.ErrExpiredTicket) {
		return "", fmt.Errorf("%w: %w", auth.ErrRejected, err)
	}
	if err != nil {
		return "", err
	}
	if c.Env != t.env { // a key shared by two environments must not let one's tickets into the other
		return "", fmt.Errorf("%w: %w: it was made for environment %q, this server is %q (MINIBASE_ENV)",
			auth.ErrRejected, ticket.ErrInvalidTicket, c.Env, t.env)
	}
	return c.UID, nil
}

func (t *tickets) Issue(customUserID string) (string, error) {
	k, err := t.keyring()
	if err != nil {
		return "", err
	}
	s, err := k.Issue(customUserID, ticket.IssueOptions{Env: t.env})
	if errors.Is(err, ticket.ErrInvalidUID) {
		return "", auth.Errorf(auth.CodeInvalidParam, "%v", err)
	}
	return s, err
}

func (t *tickets) Credentials() ([]byte, error) {
	k, err := t.keyring()
	if err != nil {
		return nil, err
	}
	return k.Credentials(t.env)
}

func (t *tickets) Rotate() error {
	k, err := t.keyring()
	if err != nil {
		return err
	}
	return k.Rotate()
}
