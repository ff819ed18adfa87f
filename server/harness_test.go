package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"minibase/auth"
)

const testKey = "test-admin-key-0123456789"

// The server package's own tests (settings, mounting, shutdown) run on
// newTestMain; the areas' HTTP contract tests run on servertest instead.

// newTestMain opens a Server on a temp dir; requests go through app.Test,
// the whole fiber stack without a socket.
func newTestMain(t testing.TB, mod func(*Config)) *Server {
	t.Helper()
	return newTestMainLog(t, mod, discardLogger())
}

// newTestMainLog is newTestMain with log as the server's logger.
func newTestMainLog(t testing.TB, mod func(*Config), log *slog.Logger) *Server {
	t.Helper()
	cfg, err := ParseConfig(nil, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.Dir, cfg.AdminKey = t.TempDir(), testKey
	if mod != nil {
		mod(&cfg)
	}
	m := &Server{Config: cfg, Out: io.Discard, Log: log}
	if err := m.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// clock is a settable time source for auth.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// cheapPasswords keeps the API tests fast; auth's own tests and benchmark
// cover the real cost.
var cheapPasswords = auth.PasswordParams{Time: 1, Memory: 64, Threads: 1}

// newAuthMain is newTestMain with a settable clock and cheap hashing; mod
// may change the config further.
func newAuthMain(t *testing.T, mod func(*Config)) (*Server, *clock) {
	t.Helper()
	return newAuthMainLog(t, mod, discardLogger())
}

func newAuthMainLog(t *testing.T, mod func(*Config), log *slog.Logger) (*Server, *clock) {
	t.Helper()
	clk := &clock{t: time.Now()}
	m := newTestMainLog(t, func(c *Config) {
		c.Auth.Password, c.Auth.Now = cheapPasswords, clk.Now
		if mod != nil {
			mod(c)
		}
	}, log)
	return m, clk
}

// answer is a decoded response.
type answer struct {
	status int
	body   map[string]any
	raw    string
	header http.Header
}

// str returns the string at a dotted path of the body ("" when absent).
func (a answer) str(path string) string {
	var v any = a.body
	for _, k := range strings.Split(path, ".") {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	s, _ := v.(string)
	return s
}

// do sends a request with bearer as the Authorization token ("" for none).
func (m *Server) do(t *testing.T, method, path, bearer, body string) answer {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := m.app.Test(req, -1)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, raw: string(raw), header: resp.Header}
	if err := json.Unmarshal(raw, &a.body); err != nil {
		t.Fatalf("%s %s: response is not a JSON object: %q", method, path, raw)
	}
	return a
}

// expect fails the test unless a has status and contains want (JSON subset).
func expect(t *testing.T, what string, a answer, status int, want string) {
	t.Helper()
	if a.status != status {
		t.Fatalf("%s: status %d, want %d; body %s", what, a.status, status, a.raw)
	}
	if want == "" {
		return
	}
	var w any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("%s: bad want: %v", what, err)
	}
	if path, ok := subset(w, any(a.body)); !ok {
		t.Fatalf("%s: at %s: got %s, want subset %s", what, path, a.raw, want)
	}
}

// signIn posts body to an auth endpoint and requires tokens back.
func (m *Server) signIn(t *testing.T, path, bearer, body string) answer {
	t.Helper()
	a := m.do(t, "POST", path, bearer, body)
	expect(t, path, a, 200, `{"token_type":"Bearer"}`)
	if a.str("access_token") == "" || a.str("refresh_token") == "" || a.body["expires_in"] == nil {
		t.Fatalf("%s: incomplete tokens: %s", path, a.raw)
	}
	return a
}

// step is one request of a scenario and what the response must contain:
// want is JSON that must be a subset of the response body.
type step struct {
	name         string
	method, path string
	body         string
	key          string // "" = testKey, "-" = none
	status       int
	want         string
}

func (m *Server) call(t *testing.T, s step) (int, any) {
	t.Helper()
	req := httptest.NewRequest(s.method, s.path, strings.NewReader(s.body))
	req.Header.Set("Content-Type", "application/json")
	switch s.key {
	case "":
		req.Header.Set("Authorization", "Bearer "+testKey)
	case "-":
	default:
		req.Header.Set("Authorization", "Bearer "+s.key)
	}
	resp, err := m.app.Test(req, -1)
	if err != nil {
		t.Fatalf("%s: %v", s.name, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var got any
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("%s: response is not JSON: %q", s.name, raw)
	}
	return resp.StatusCode, got
}

func runSteps(t *testing.T, m *Server, steps []step) {
	t.Helper()
	for _, s := range steps {
		status, got := m.call(t, s)
		if status != s.status {
			t.Errorf("%s: %s %s: status %d, want %d; body %v", s.name, s.method, s.path, status, s.status, got)
			continue
		}
		if s.want == "" {
			continue
		}
		var want any
		if err := json.Unmarshal([]byte(s.want), &want); err != nil {
			t.Fatalf("%s: bad want: %v", s.name, err)
		}
		if path, ok := subset(want, got); !ok {
			t.Errorf("%s: %s %s: at %s: got %v, want subset %s", s.name, s.method, s.path, path, got, s.want)
		}
	}
}

// subset reports whether want is contained in got: objects by key
// (recursively), arrays and scalars exactly.
func subset(want, got any) (string, bool) {
	wm, ok := want.(map[string]any)
	if !ok {
		return "", reflect.DeepEqual(want, got)
	}
	gm, ok := got.(map[string]any)
	if !ok {
		return "", false
	}
	for k, wv := range wm {
		if p, ok := subset(wv, gm[k]); !ok {
			return fmt.Sprintf("%s.%s", k, p), false
		}
	}
	return "", true
}

func TestHealth(t *testing.T) {
	m := newTestMain(t, nil)
	runSteps(t, m, []step{
		{name: "health needs no key", method: "GET", path: "/v1/health", key: "-", status: 200, want: `{"status":"ok"}`},
		{name: "unknown endpoint", method: "GET", path: "/v1/nope", status: 404, want: `{"code":"INVALID_PARAM","errCode":-501007}`},
	})
}
