package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

const testKey = "test-admin-key-0123456789"

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
