package otp

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// SignatureHeader carries hex(hmac-sha256(Secret, body)) on webhook requests.
const SignatureHeader = "X-Minibase-Signature"

// WebhookConfig is an HTTP endpoint (an SMS gateway adapter, say) that
// delivers the codes.
type WebhookConfig struct {
	URL     string
	Secret  string        // signs each body when set
	Timeout time.Duration // per request; zero means 10 s
	Client  *http.Client  // nil means a plain client; Timeout applies either way
}

// NewWebhook returns a Sender that POSTs each code as JSON
// {"channel", "to", "code", "ttl_seconds", "app"} to cfg.URL, with header
// X-Minibase-Signature: hex(hmac-sha256(Secret, body)) when Secret is set.
// A response other than 2xx is an error.
func NewWebhook(cfg WebhookConfig) Sender {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{}
	}
	return &webhook{cfg}
}

type webhook struct{ cfg WebhookConfig }

func (s *webhook) Send(ctx context.Context, m Message) error {
	if err := check(m); err != nil {
		return err
	}
	body, err := json.Marshal(struct {
		Channel    string `json:"channel"`
		To         string `json:"to"`
		Code       string `json:"code"`
		TTLSeconds int64  `json:"ttl_seconds"`
		App        string `json:"app"`
	}{m.Channel, m.To, m.Code, int64(m.TTL / time.Second), m.AppName})
	if err != nil {
		return fmt.Errorf("send code by webhook: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return errors.New("send code by webhook: bad URL") // the URL may hold a token: not repeated
	}
	req.Header.Set("Content-Type", "application/json")
	if s.cfg.Secret != "" {
		mac := hmac.New(sha256.New, []byte(s.cfg.Secret))
		mac.Write(body)
		req.Header.Set(SignatureHeader, hex.EncodeToString(mac.Sum(nil)))
	}
	resp, err := s.cfg.Client.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // drop the URL
		}
		if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
			err = fmt.Errorf("%w (%w)", ctxErr, err)
		}
		return fmt.Errorf("send code by webhook: %w", err)
	}
	defer resp.Body.Close()
	excerpt, _ := io.ReadAll(io.LimitReader(resp.Body, 256))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // let the connection be reused
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("send code by webhook: HTTP %d: %q", resp.StatusCode, strings.ToValidUTF8(string(excerpt), ""))
	}
	return nil
}
