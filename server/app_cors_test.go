package server

import (
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"strings"
	"testing"
)

// TestCORSMounted: the app answers a browser's preflight for a listed
// origin before any token check, error answers carry the CORS headers, and
// the SDK is readable from every origin.
func TestCORSMounted(t *testing.T) {
	m := newTestMain(t, func(c *Config) {
		var err error
		if c.CORS, err = ParseCORSOrigins("https://app.example.com"); err != nil {
			t.Fatal(err)
		}
	})
	pre := map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "POST",
		"Access-Control-Request-Headers": "authorization,content-type"}
	r := m.send(t, "OPTIONS", "/v1/db/todos/insert", "", nil, flat(pre)...)
	if r.status != 204 || r.header.Get("Access-Control-Allow-Origin") != "https://app.example.com" ||
		!strings.Contains(r.header.Get("Access-Control-Allow-Headers"), "Authorization") {
		t.Errorf("preflight: %d %v, want 204 allowing https://app.example.com", r.status, r.header)
	}
	pre["Origin"] = "https://evil.test"
	if r := m.send(t, "OPTIONS", "/v1/db/todos/insert", "", nil, flat(pre)...); r.status != 204 || r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("another origin's preflight: %d %v, want 204 allowing nothing", r.status, r.header)
	}
	r = m.send(t, "POST", "/v1/db/todos/query", "", []byte(`{}`), "Origin", "https://app.example.com", "Content-Type", "application/json")
	if r.status < 400 || r.header.Get("Access-Control-Allow-Origin") != "https://app.example.com" {
		t.Errorf("a visitor's query: %d %v, want an error answer readable by https://app.example.com", r.status, r.header)
	}
	r = m.send(t, "GET", "/sdk/minibase.mjs", "", nil, "Origin", "https://evil.test")
	if r.status != 200 || r.header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("/sdk/minibase.mjs: %d, Access-Control-Allow-Origin %q, want 200 and *", r.status, r.header.Get("Access-Control-Allow-Origin"))
	}
}

func flat(h map[string]string) []string {
	var out []string
	for k, v := range h {
		out = append(out, k, v)
	}
	return out
}

// TestTrustedProxiesMounted: behind a trusted proxy (the test's own
// connections come from 127.0.0.1) each client has its own rate-limit
// bucket, named by the right-most untrusted X-Forwarded-For entry; without
// the setting the header changes nothing.
func TestTrustedProxiesMounted(t *testing.T) {
	for _, tc := range []struct {
		trust string
		want  []int // statuses of the sign-ins below, at one a minute per address
	}{
		{"loopback", []int{200, 429, 200, 429}},
		{"", []int{200, 429, 429, 429}},
	} {
		t.Run("MINIBASE_TRUSTED_PROXIES="+tc.trust, func(t *testing.T) {
			m := newTestMain(t, func(c *Config) {
				var err error
				if c.Proxies, err = ParseTrustedProxies(tc.trust); err != nil {
					t.Fatal(err)
				}
				if err := c.Auth.Limits.Parse("anonymous.ip=1/m"); err != nil {
					t.Fatal(err)
				}
			})
			base := "http://" + listen(t, m)
			for i, xff := range []string{"203.0.113.1", "203.0.113.1", "1.1.1.1, 203.0.113.2", "203.0.113.1, 203.0.113.2"} {
				req, _ := http.NewRequest("POST", base+"/v1/auth/anonymous", nil)
				req.Header.Set("X-Forwarded-For", xff)
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != tc.want[i] {
					t.Errorf("sign-in %d with X-Forwarded-For %q: %d, want %d", i+1, xff, res.StatusCode, tc.want[i])
				}
			}
		})
	}
}

// TestForwardedHostIgnored: a client's X-Forwarded-Host and
// X-Forwarded-Proto do not choose the address of the temporary URLs built
// for it; a trusted proxy's X-Forwarded-Proto chooses the scheme.
func TestForwardedHostIgnored(t *testing.T) {
	m := newTestMain(t, func(c *Config) {
		var err error
		if c.Proxies, err = ParseTrustedProxies("loopback"); err != nil {
			t.Fatal(err)
		}
	})
	id := m.upload(t, testKey, "", "a.txt", "hello", "text/plain").json()["fileID"].(string)
	body := fmt.Appendf(nil, `{"fileList":[%q]}`, id)
	spoof := []string{"X-Forwarded-Host", "evil.test", "X-Forwarded-Proto", "https"}
	// app.Test's connections come from 0.0.0.0: not a trusted proxy.
	r := m.send(t, "POST", "/v1/storage/temp-urls", testKey, body, spoof...)
	if u := tempURLOf(r); !strings.HasPrefix(u, "http://files.test/f/") {
		t.Errorf("a client's forwarding headers: temporary URL %q, want http://files.test/f/…", u)
	}
	req, _ := http.NewRequest("POST", "http://"+listen(t, m)+"/v1/storage/temp-urls", strings.NewReader(string(body)))
	req.Host = "files.test"
	req.Header.Set("Authorization", "Bearer "+testKey)
	req.Header.Set(spoof[0], spoof[1])
	req.Header.Set(spoof[2], spoof[3])
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if u := tempURLOf(resp{status: res.StatusCode, body: string(b)}); !strings.HasPrefix(u, "https://files.test/f/") {
		t.Errorf("a trusted proxy's X-Forwarded-Proto: temporary URL %q, want https://files.test/f/…", u)
	}
}

func tempURLOf(r resp) string {
	list, _ := r.json()["fileList"].([]any)
	if len(list) != 1 {
		return fmt.Sprintf("(answer %d %s)", r.status, r.body)
	}
	u, _ := list[0].(map[string]any)["tempFileURL"].(string)
	return u
}

// TestParseConfigCORSProxies: both settings are read from the environment,
// and a bad value stops serve with an error naming it.
func TestParseConfigCORSProxies(t *testing.T) {
	env := map[string]string{"MINIBASE_CORS_ORIGINS": "https://app.example.com", "MINIBASE_TRUSTED_PROXIES": "loopback"}
	cfg, err := ParseConfig(nil, func(k string) string { return env[k] })
	if err != nil || !cfg.CORS.Allows("https://app.example.com") || !cfg.Proxies.Trusts(netip.MustParseAddr("127.0.0.1")) {
		t.Fatalf("ParseConfig: %v; CORS %+v, proxies %+v", err, cfg.CORS, cfg.Proxies)
	}
	for k, v := range map[string]string{"MINIBASE_CORS_ORIGINS": "app.example.com", "MINIBASE_TRUSTED_PROXIES": "0.0.0.0/0"} {
		_, err := ParseConfig(nil, func(key string) string {
			if key == k {
				return v
			}
			return ""
		})
		if err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("%s=%s: %v, want an error naming the setting", k, v, err)
		}
	}
}
