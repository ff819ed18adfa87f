// Package wechat exchanges mini-program login codes for the user's platform
// identity: the server side of wx.login (WeChat) and tt.login (Douyin).
//
// A mini-program calls its platform's login API, gets a short-lived code, and
// sends it to minibase; a Provider trades the code, with the app's id and
// secret, for the user's openid, unionid and session_key (the platform's
// code2session). The session key stays on the server: it decrypts data the
// platform signs for the user and must never reach the client.
//
// Every platform is one Provider; the auth service picks one by Name. Alipay
// (my.getAuthCode) fits the same interface but is not built: its
// alipay.system.oauth.token call is an Alipay OpenAPI request signed with the
// app's RSA2 private key (SHA256withRSA over the sorted parameters, Alipay's
// public key checking the answer), the auth code is exchanged for user_id /
// open_id and an access_token rather than a session_key. An Alipay provider
// would hold that key pair in its Config, sign the request, verify the answer's
// sign, and map user_id/open_id to Session.OpenID with an empty SessionKey.
package wechat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Session is what a platform's code2session returns; SessionKey never leaves the server.
type Session struct {
	OpenID     string // the user's id in this mini-program
	UnionID    string // the user's id across the developer's apps; empty when the platform gives none
	SessionKey string // the key for the user's encrypted data: keep it server-side
}

// Provider exchanges a mini-program login code (wx.login / tt.login …) for the user's platform identity.
type Provider interface {
	// Name is the platform: "wechat", "douyin".
	Name() string
	// Exchange trades code for a Session. It fails with ErrNotConfigured,
	// ErrInvalidCode, a ctx error, or an error wrapping *UpstreamError.
	Exchange(ctx context.Context, code string) (Session, error)
}

// Config is a platform app's credentials and where its API is.
type Config struct {
	AppID, Secret string
	BaseURL       string       // the API origin; empty means the platform's own
	Client        *http.Client // nil means a client with a 10 s timeout
}

// Limits on what is sent and received.
const (
	MaxCodeLen  = 128      // the longest login code accepted
	MaxBodySize = 64 << 10 // the largest code2session answer read
)

var (
	// ErrInvalidCode means the login code is malformed, or the platform says
	// it is wrong, already used or expired: the client should log in again.
	ErrInvalidCode = errors.New("invalid login code")
	// ErrNotConfigured means the provider has no AppID or Secret.
	ErrNotConfigured = errors.New("mini-program login is not configured")
)

// UpstreamError is a failure the platform reported (or an answer it gave that
// could not be used): rate limits, a busy system, a wrong appid or secret.
type UpstreamError struct {
	Provider string // "wechat", "douyin"
	Code     int    // the platform's error code; 0 when its answer had none
	Msg      string // the platform's message, or what was wrong with its answer
}

// Error says which platform failed with which code and message.
func (e *UpstreamError) Error() string {
	return fmt.Sprintf("%s code2session: error %d: %s", e.Provider, e.Code, e.Msg)
}

// checkCode validates a login code before it is sent anywhere.
func checkCode(code string) error {
	if code == "" || len(code) > MaxCodeLen {
		return fmt.Errorf("%w: want 1 to %d characters", ErrInvalidCode, MaxCodeLen)
	}
	for i := 0; i < len(code); i++ {
		if code[i] <= ' ' || code[i] > '~' {
			return fmt.Errorf("%w: want printable ASCII", ErrInvalidCode)
		}
	}
	return nil
}

// client is what both providers share: credentials, origin, HTTP client.
type client struct {
	name string
	cfg  Config
}

func newClient(name, defaultBase string, cfg Config) client {
	if cfg.BaseURL == "" {
		cfg.BaseURL = defaultBase
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 10 * time.Second}
	}
	return client{name: name, cfg: cfg}
}

// ready checks the configuration and the code.
func (c *client) ready(code string) error {
	if c.cfg.AppID == "" || c.cfg.Secret == "" {
		return ErrNotConfigured
	}
	return checkCode(code)
}

// do sends req and decodes its JSON answer into v, whatever its status and
// content type. Errors never carry the request URL or body (they hold the
// secret) nor anything the platform echoed of them.
func (c *client) do(req *http.Request, v any) error {
	resp, err := c.cfg.Client.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // drop the URL: it carries the secret
		}
		if ctxErr := req.Context().Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
			err = fmt.Errorf("%w (%w)", ctxErr, err)
		}
		return fmt.Errorf("%s code2session: %w", c.name, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxBodySize+1))
	if err != nil {
		return fmt.Errorf("%s code2session: read answer: %w", c.name, err)
	}
	if len(body) > MaxBodySize {
		return c.upstream(0, fmt.Sprintf("answer larger than %d bytes (HTTP %d)", MaxBodySize, resp.StatusCode))
	}
	if err := json.Unmarshal(body, v); err != nil {
		return c.upstream(0, fmt.Sprintf("answer is not code2session JSON (HTTP %d, %q)", resp.StatusCode, resp.Header.Get("Content-Type")))
	}
	return nil
}

// upstream returns an *UpstreamError with msg cleaned of the app secret and
// cut to a readable length.
func (c *client) upstream(code int, msg string) error {
	msg = strings.ReplaceAll(msg, c.cfg.Secret, "[secret]")
	if len(msg) > 200 {
		msg = strings.ToValidUTF8(msg[:200], "") + "…" // the cut may split a character
	}
	return &UpstreamError{Provider: c.name, Code: code, Msg: msg}
}
