package server

import (
	"errors"
	"fmt"
	"net"
	"time"

	"minibase/auth"
	"minibase/auth/otp"
	"minibase/auth/wechat"
)

// AuthConfig is end-user auth's part of Config: auth's own settings (its
// Password and Now are for tests), and the login providers.
type AuthConfig struct {
	auth.Config
	Providers ProvidersConfig
}

// ProvidersConfig is how the optional login methods are configured.
type ProvidersConfig struct {
	AppName string // names the app in code messages and the ticket key
	WeChat  wechat.Config
	Douyin  wechat.Config
	SMTP    otp.SMTPConfig
	SMS     otp.WebhookConfig
	OTPLog  bool // write codes for channels without a sender to the log (development)
}

func (a *AuthConfig) settings() []setting {
	p := &a.Providers
	return []setting{
		{env: "MINIBASE_ACCESS_TTL", def: "2h", usage: "access-token life", set: duration(&a.AccessTTL, time.Minute, 24*time.Hour)},
		{env: "MINIBASE_REFRESH_TTL", def: "720h", usage: "refresh-token life, renewed by each refresh (720h: 30 days)",
			set: duration(&a.RefreshTTL, time.Hour, 365*24*time.Hour)},
		{env: "MINIBASE_RATE_SIGNIN", alias: "MINIBASE_RATE_LIMITS", list: true,
			usage: `override sign-in rate limits, e.g. "login.account=50/h,anonymous.ip=300/m", or "off" (MINIBASE_RATE_LIMITS, its older name, is read too)`,
			set: func(v string) error {
				if err := a.Limits.Parse(v); err != nil {
					return fmt.Errorf("must be limits like login.account=50/h,anonymous.ip=300/m, or off (%v)", err)
				}
				return nil
			}},
		{env: "MINIBASE_OTP_SIGNUP", def: "true", usage: "a verified one-time code creates the account when none exists",
			set: boolean(&a.OTPSignup)},
		{env: "MINIBASE_WECHAT_APPID", usage: "the WeChat mini-program: login (/v1/auth/wechat) and functions' cloud.openapi, with MINIBASE_WECHAT_SECRET",
			set: text(&p.WeChat.AppID)},
		{env: "MINIBASE_WECHAT_SECRET", secret: true, usage: "the mini-program's AppSecret", set: text(&p.WeChat.Secret)},
		{env: "MINIBASE_WECHAT_API_BASE", usage: "WeChat's API origin, for jscode2session and cloud.openapi (default https://api.weixin.qq.com)",
			set: httpURL(&p.WeChat.BaseURL)},
		{env: "MINIBASE_DOUYIN_APPID", usage: "Douyin mini-program login (/v1/auth/douyin), with MINIBASE_DOUYIN_SECRET",
			set: text(&p.Douyin.AppID)},
		{env: "MINIBASE_DOUYIN_SECRET", secret: true, usage: "the Douyin mini-program's secret", set: text(&p.Douyin.Secret)},
		{env: "MINIBASE_DOUYIN_API_BASE", usage: "Douyin's code2session origin", set: httpURL(&p.Douyin.BaseURL)},
		{env: "MINIBASE_SMTP_ADDR", usage: "SMTP relay host:port for email one-time codes", set: hostPort(&p.SMTP.Addr)},
		{env: "MINIBASE_SMTP_FROM", usage: "the codes' sender address (required with MINIBASE_SMTP_ADDR)", set: text(&p.SMTP.From)},
		{env: "MINIBASE_SMTP_USERNAME", usage: "SMTP user", set: text(&p.SMTP.Username)},
		{env: "MINIBASE_SMTP_PASSWORD", secret: true, usage: "SMTP password", set: text(&p.SMTP.Password)},
		{env: "MINIBASE_SMTP_TLS", def: "starttls", usage: "starttls, tls (port 465) or none", set: smtpTLS(&p.SMTP)},
		{env: "MINIBASE_SMS_WEBHOOK_URL", usage: "SMS one-time codes are POSTed here as JSON", set: httpURL(&p.SMS.URL)},
		{env: "MINIBASE_SMS_WEBHOOK_SECRET", secret: true, usage: "signs them with HMAC-SHA256 in X-Minibase-Signature", set: text(&p.SMS.Secret)},
		{env: "MINIBASE_OTP_LOG", def: "false", usage: "true: codes without a sender go to the log (development)", set: boolean(&p.OTPLog)},
		{env: "MINIBASE_APP_NAME", def: "minibase", usage: "the app's name in code messages and the ticket key",
			set: func(v string) error {
				if len(v) > otp.MaxAppNameLen {
					return fmt.Errorf("must be at most %d bytes", otp.MaxAppNameLen)
				}
				p.AppName = v
				return nil
			}},
	}
}

func (a *AuthConfig) check() error {
	if a.AccessTTL >= a.RefreshTTL {
		return fmt.Errorf("MINIBASE_ACCESS_TTL (%v) must be shorter than MINIBASE_REFRESH_TTL (%v)", a.AccessTTL, a.RefreshTTL)
	}
	p := &a.Providers
	for _, mp := range []struct {
		c      wechat.Config
		prefix string
	}{{p.WeChat, "MINIBASE_WECHAT_"}, {p.Douyin, "MINIBASE_DOUYIN_"}} {
		if (mp.c.AppID == "") != (mp.c.Secret == "") {
			return fmt.Errorf("%sAPPID and %sSECRET go together", mp.prefix, mp.prefix)
		}
	}
	if p.SMTP.Addr != "" && p.SMTP.From == "" {
		return errors.New("MINIBASE_SMTP_FROM is required with MINIBASE_SMTP_ADDR")
	}
	return nil
}

func hostPort(dst *string) func(string) error {
	return func(v string) error {
		if _, port, err := net.SplitHostPort(v); err != nil || port == "" {
			return errors.New("must be host:port")
		}
		*dst = v
		return nil
	}
}

func smtpTLS(c *otp.SMTPConfig) func(string) error {
	return func(v string) error {
		switch v {
		case "starttls", "tls", "none":
			c.StartTLS, c.ImplicitTLS = v == "starttls", v == "tls"
			return nil
		}
		return errors.New("must be starttls, tls or none")
	}
}
