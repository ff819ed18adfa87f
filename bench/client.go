package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// maxBody caps how much of a response the driver reads.
const maxBody = 8 << 20

// client calls the minibase HTTP API with an admin key over keep-alive
// connections. It is safe for concurrent use.
type client struct {
	base string // e.g. http://127.0.0.1:8090, no trailing slash
	key  string
	hc   *http.Client
}

// newClient returns a client keeping up to conns idle connections open, so a
// closed loop of conns workers never reconnects. Each request times out
// after timeout.
func newClient(base, key string, conns int, timeout time.Duration) *client {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConnsPerHost: conns + 4,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	return &client{
		base: strings.TrimRight(base, "/"),
		key:  key,
		hc:   &http.Client{Transport: tr, Timeout: timeout},
	}
}

// apiError is a non-2xx answer, with the server's error body when it sent one.
type apiError struct {
	Status  int
	Code    string `json:"code"`
	ErrCode int    `json:"errCode"`
	Message string `json:"message"`
	Body    string `json:"-"`
}

func (e *apiError) Error() string {
	if e.Code != "" {
		return fmt.Sprintf("HTTP %d %s (%d): %s", e.Status, e.Code, e.ErrCode, e.Message)
	}
	return fmt.Sprintf("HTTP %d: %.200q", e.Status, e.Body)
}

// call sends in (marshalled as JSON unless nil or already []byte) to path and
// decodes a 200 response into out (unless nil). Any other status returns an
// *apiError; a body that does not decode into out is an error too.
func (c *client) call(ctx context.Context, method, path string, in, out any) error {
	return c.callAs(ctx, c.key, method, path, in, out)
}

// callAs is call with token as the bearer credential (none when empty).
func (c *client) callAs(ctx context.Context, token, method, path string, in, out any) error {
	var body io.Reader
	switch v := in.(type) {
	case nil:
	case []byte:
		body = bytes.NewReader(v)
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("encode %s %s: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return err // already names method and URL
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return fmt.Errorf("%s %s: read body: %w", method, path, err)
	}
	if resp.StatusCode != http.StatusOK {
		e := &apiError{Status: resp.StatusCode, Body: string(raw)}
		_ = json.Unmarshal(raw, e) // best effort: the status alone is an error
		return fmt.Errorf("%s %s: %w", method, path, e)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s %s: decode %.200q: %w", method, path, raw, err)
	}
	return nil
}
