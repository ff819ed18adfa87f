package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"sync"
	"time"

	"minibase/auth"
	"minibase/auth/otp"
	"minibase/auth/ticket"
	"minibase/auth/wechat"
)

// ProvidersConfig is how the optional login methods are configured.
type ProvidersConfig struct {
	AppName string        // MINIBASE_APP_NAME: names the app in code messages and the ticket key (default minibase)
	WeChat  wechat.Config // MINIBASE_WECHAT_APPID, _SECRET, _API_BASE
	Douyin  wechat.Config // MINIBASE_DOUYIN_APPID, _SECRET, _API_BASE
	SMTP    otp.SMTPConfig
	SMS     otp.WebhookConfig // MINIBASE_SMS_WEBHOOK_URL, _SECRET
	OTPLog  bool              // MINIBASE_OTP_LOG: write codes for channels without a sender to the log (development)
}

const providersUsage = `  MINIBASE_WECHAT_APPID, MINIBASE_WECHAT_SECRET
                             WeChat mini-program login (/v1/auth/wechat)
  MINIBASE_WECHAT_API_BASE   jscode2session origin (default https://api.weixin.qq.com)
  MINIBASE_DOUYIN_APPID, MINIBASE_DOUYIN_SECRET, MINIBASE_DOUYIN_API_BASE
                             Douyin mini-program login (/v1/auth/douyin)
  MINIBASE_SMTP_ADDR         SMTP relay host:port for email one-time codes, with
  MINIBASE_SMTP_FROM, MINIBASE_SMTP_USERNAME, MINIBASE_SMTP_PASSWORD and
  MINIBASE_SMTP_TLS          starttls (default), tls (port 465) or none
  MINIBASE_SMS_WEBHOOK_URL   SMS one-time codes are POSTed here as JSON, signed
  MINIBASE_SMS_WEBHOOK_SECRET  with HMAC-SHA256 in X-Minibase-Signature
  MINIBASE_OTP_LOG           true: codes without a sender go to the log (development)
  MINIBASE_APP_NAME          the app's name in code messages (default minibase)
`

func parseProviders(getenv func(string) string) (ProvidersConfig, error) {
	p := ProvidersConfig{AppName: envOr(getenv, "MINIBASE_APP_NAME", "minibase")}
	if len(p.AppName) > otp.MaxAppNameLen {
		return p, fmt.Errorf("MINIBASE_APP_NAME must be at most %d bytes", otp.MaxAppNameLen)
	}
	for _, mp := range []struct {
		dst    *wechat.Config
		prefix string
	}{{&p.WeChat, "MINIBASE_WECHAT_"}, {&p.Douyin, "MINIBASE_DOUYIN_"}} {
		mp.dst.AppID, mp.dst.Secret, mp.dst.BaseURL = getenv(mp.prefix+"APPID"), getenv(mp.prefix+"SECRET"), getenv(mp.prefix+"API_BASE")
		if (mp.dst.AppID == "") != (mp.dst.Secret == "") {
			return p, fmt.Errorf("%sAPPID and %sSECRET go together", mp.prefix, mp.prefix)
		}
		if err := checkURL(mp.prefix+"API_BASE", mp.dst.BaseURL); err != nil {
			return p, err
		}
	}
	if p.SMTP.Addr = getenv("MINIBASE_SMTP_ADDR"); p.SMTP.Addr != "" {
		if _, port, err := net.SplitHostPort(p.SMTP.Addr); err != nil || port == "" {
			return p, fmt.Errorf("MINIBASE_SMTP_ADDR must be host:port, got %q", p.SMTP.Addr)
		}
		p.SMTP.From, p.SMTP.Username, p.SMTP.Password = getenv("MINIBASE_SMTP_FROM"), getenv("MINIBASE_SMTP_USERNAME"), getenv("MINIBASE_SMTP_PASSWORD")
		if p.SMTP.From == "" {
			return p, errors.New("MINIBASE_SMTP_FROM is required with MINIBASE_SMTP_ADDR")
		}
		switch v := envOr(getenv, "MINIBASE_SMTP_TLS", "starttls"); v {
		case "starttls":
			p.SMTP.StartTLS = true
		case "tls":
			p.SMTP.ImplicitTLS = true
		case "none":
		default:
			return p, fmt.Errorf("MINIBASE_SMTP_TLS must be starttls, tls or none, got %q", v)
		}
	}
	p.SMS.URL, p.SMS.Secret = getenv("MINIBASE_SMS_WEBHOOK_URL"), getenv("MINIBASE_SMS_WEBHOOK_SECRET")
	if err := checkURL("MINIBASE_SMS_WEBHOOK_URL", p.SMS.URL); err != nil {
		return p, err
	}
	if v := getenv("MINIBASE_OTP_LOG"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return p, fmt.Errorf("MINIBASE_OTP_LOG must be true or false, got %q", v)
		}
		p.OTPLog = b
	}
	return p, nil
}

func checkURL(name, v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%s must be an http(s) URL, got %q", name, v)
	}
	return nil
}

// providers builds the login providers the configuration enables.
func (p ProvidersConfig) providers(dir string, now func() time.Time, log *slog.Logger) auth.Providers {
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
	out.Tickets = &tickets{dir: dir, now: now, env: p.AppName}
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
	dir string
	now func() time.Time
	env string

	mu sync.Mutex
	k  *ticket.Keyring
}

func (t *tickets) keyring() (*ticket.Keyring, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.k == nil {
		k, err := ticket.Open(t.dir, t.now)
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
