package server

import (
	"bufio"
	"errors"
	"net"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

func TestParseCORSOrigins(t *testing.T) {
	for _, tc := range []struct {
		in      string
		allowed []string // Origin headers it allows
		refused []string // and refuses
	}{
		{"", nil, []string{"http://127.0.0.1:3000", "https://app.example.com"}},
		{"*", []string{"https://app.example.com", "http://127.0.0.1:5173", "null", "capacitor://localhost"}, []string{""}},
		{"https://app.example.com",
			[]string{"https://app.example.com"},
			[]string{
				"http://app.example.com",            // another scheme
				"https://app.example.com:8443",      // another port
				"https://app.example.com.evil.test", // a suffix
				"https://evil-app.example.com",      // a prefix
				"https://x.app.example.com",         // a subdomain
				"https://app.example.co",            // a shorter name
				"https://app.example.com/",          // not how browsers write it
				"https://APP.EXAMPLE.COM",           // nor this
				"https://user@app.example.com",      // nor this
				"null", "", "app.example.com", "https://app.example.com, https://evil.test"}},
		{" HTTPS://App.Example.com/ , http://localhost:5173,https://app.example.com:443,http://[::1]:8080,http://127.0.0.1:80",
			[]string{"https://app.example.com", "http://localhost:5173", "http://[::1]:8080", "http://127.0.0.1"},
			[]string{"http://localhost:5174", "http://localhost", "http://[::2]:8080", "http://127.0.0.1:8080"}},
		{"https://*.example.com",
			[]string{"https://a.example.com", "https://a.b.example.com", "https://x-1.example.com"},
			[]string{"https://example.com", "https://.example.com", "http://a.example.com", "https://a.example.com:8443",
				"https://a.example.com.evil.test", "https://evilexample.com", "https://a.example.co",
				"https://a.example.com/x", "https://*.example.com", "https://a@b.example.com", "https://[::1].example.com"}},
		{"http://*.dev.example.com:5173,capacitor://localhost",
			[]string{"http://a.dev.example.com:5173", "capacitor://localhost"},
			[]string{"http://a.dev.example.com", "http://dev.example.com:5173", "https://a.dev.example.com:5173", "ionic://localhost"}},
	} {
		p, err := ParseCORSOrigins(tc.in)
		if err != nil {
			t.Fatalf("ParseCORSOrigins(%q): %v", tc.in, err)
		}
		for _, o := range tc.allowed {
			if !p.Allows(o) {
				t.Errorf("ParseCORSOrigins(%q) refuses %q", tc.in, o)
			}
		}
		for _, o := range tc.refused {
			if p.Allows(o) {
				t.Errorf("ParseCORSOrigins(%q) allows %q", tc.in, o)
			}
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"null", `"null"`},
		{"*,https://a.example.com", `"*" allows every origin`},
		{"app.example.com", "scheme"},
		{"https://", "scheme"},
		{"https:///", "host"},
		{"https://app.example.com/path", "character '/'"},
		{"https://app.example.com?q", "character '?'"},
		{"https://user@app.example.com", "character '@'"},
		{"https://app.example.com:0", "port"},
		{"https://app.example.com:65536", "port"},
		{"https://app.example.com:08080", "port"},
		{"https://app.example.com:", "empty port"},
		{"https://[::1", "unclosed"},
		{"https://[fe80::1%25eth0]", "IPv6"},
		{"https://[::1]x", "follow the host"},
		{"https://*.com", "top-level domain"},
		{"https://*", "host"},
		{"https://a.*.example.com", "character '*'"},
		{"https://*example.com", "character '*'"},
		{"1http://a.example.com", "scheme"},
		{"https://a..example.com", "label"},
		{"https://" + strings.Repeat("a", 64) + ".example.com", "label"},
		{"https://" + strings.Repeat("a.", 150) + "com", "longer than"},
		{strings.Repeat("https://a.example.com,", 101), "at most 100"},
	} {
		_, err := ParseCORSOrigins(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "MINIBASE_CORS_ORIGINS") {
			t.Errorf("ParseCORSOrigins(%.50q) = %v, want an error naming the setting and saying %q", tc.in, err, tc.want)
		}
	}
	var none *CORS
	if none.Enabled() || none.Allows("https://app.example.com") {
		t.Error("a nil CORS allows an origin")
	}
}

// corsApp is a small API shaped like minibase's: the CORS middleware first,
// a bearer-token check and a counter of requests that reach the routes, a
// JSON error handler, /sdk/ with PublicCORS, and an HTTP function that sets
// its own Access-Control-Allow-Origin.
func corsApp(t *testing.T, origins string) (*fiber.App, *atomic.Int64) {
	t.Helper()
	cors, err := ParseCORSOrigins(origins)
	if err != nil {
		t.Fatal(err)
	}
	var reached atomic.Int64
	app := fiber.New(fiber.Config{DisableStartupMessage: true, ErrorHandler: func(c *fiber.Ctx, err error) error {
		status := fiber.StatusInternalServerError
		if fe := (*fiber.Error)(nil); errors.As(err, &fe) {
			status = fe.Code
		}
		return c.Status(status).JSON(fiber.Map{"code": "ERR", "message": err.Error()})
	}})
	app.Use(cors.Handler)
	app.Use(func(c *fiber.Ctx) error {
		reached.Add(1)
		return c.Next()
	})
	app.Use("/sdk", PublicCORS, func(c *fiber.Ctx) error { return c.SendString("export default {}") })
	app.All("/fn/own", func(c *fiber.Ctx) error {
		c.Response().Header.Add(fiber.HeaderAccessControlAllowOrigin, "https://fn.example.com")
		return c.SendString("function")
	})
	app.Use(func(c *fiber.Ctx) error {
		if c.Get(fiber.HeaderAuthorization) == "" {
			return fiber.NewError(fiber.StatusUnauthorized, "sign in first")
		}
		return c.Next()
	})
	app.Post("/v1/db/todos/insert", func(c *fiber.Ctx) error { return c.JSON(fiber.Map{"_id": "1"}) })
	app.Get("/v1/storage/download", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderRetryAfter, "3")
		return fiber.NewError(fiber.StatusTooManyRequests, "slow down")
	})
	return app, &reached
}

type corsCase struct {
	name, method, path string
	header             map[string]string
	status             int
	want               map[string]string // response headers; "" means absent
	reaches            bool              // the request reached the routes
}

func runCORS(t *testing.T, origins string, cases []corsCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			app, reached := corsApp(t, origins)
			req := httptest.NewRequest(tc.method, tc.path, nil)
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			res, err := app.Test(req, -1)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != tc.status {
				t.Errorf("%s %s: status %d, want %d", tc.method, tc.path, res.StatusCode, tc.status)
			}
			for k, want := range tc.want {
				if got := strings.Join(res.Header.Values(k), " | "); got != want {
					t.Errorf("%s: %q, want %q", k, got, want)
				}
			}
			if got := reached.Load() > 0; got != tc.reaches {
				t.Errorf("reached the routes: %t, want %t", got, tc.reaches)
			}
		})
	}
}

var preflight = map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "POST",
	"Access-Control-Request-Headers": "authorization, content-type"}

func with(h map[string]string, k, v string) map[string]string {
	out := map[string]string{k: v}
	for k2, v2 := range h {
		if k2 != k {
			out[k2] = v2
		}
	}
	return out
}

func TestCORSList(t *testing.T) {
	allowedPreflight := map[string]string{"Access-Control-Allow-Origin": "https://app.example.com",
		"Access-Control-Allow-Methods": corsMethods, "Access-Control-Allow-Headers": corsHeaders,
		"Access-Control-Max-Age": "7200", "Vary": "Origin", "Access-Control-Allow-Credentials": ""}
	refused := map[string]string{"Access-Control-Allow-Origin": "", "Access-Control-Allow-Methods": "",
		"Access-Control-Allow-Headers": "", "Access-Control-Max-Age": "", "Vary": "Origin"}
	app := map[string]string{"Origin": "https://app.example.com", "Authorization": "Bearer t"}
	runCORS(t, "https://app.example.com,https://*.example.org", []corsCase{
		{"a preflight needs no token and reaches no route", "OPTIONS", "/v1/db/todos/insert", preflight, 204, allowedPreflight, false},
		{"a preflight for any path", "OPTIONS", "/f/bucket/a.png", preflight, 204, allowedPreflight, false},
		{"a subdomain pattern", "OPTIONS", "/v1/db/todos/insert", with(preflight, "Origin", "https://a.example.org"), 204,
			map[string]string{"Access-Control-Allow-Origin": "https://a.example.org"}, false},
		{"another origin's preflight", "OPTIONS", "/v1/db/todos/insert", with(preflight, "Origin", "https://evil.test"), 204, refused, false},
		{"a lookalike origin's preflight", "OPTIONS", "/v1/db/todos/insert", with(preflight, "Origin", "https://app.example.com.evil.test"), 204, refused, false},
		{"null's preflight", "OPTIONS", "/v1/db/todos/insert", with(preflight, "Origin", "null"), 204, refused, false},
		{"an OPTIONS that is no preflight goes on", "OPTIONS", "/v1/db/todos/insert", map[string]string{"Origin": "https://app.example.com"}, 401,
			map[string]string{"Access-Control-Allow-Origin": "https://app.example.com"}, true},
		{"the request after the preflight", "POST", "/v1/db/todos/insert", app, 200,
			map[string]string{"Access-Control-Allow-Origin": "https://app.example.com", "Access-Control-Expose-Headers": corsExposed,
				"Vary": "Origin", "Access-Control-Allow-Methods": "", "Access-Control-Allow-Credentials": ""}, true},
		{"an error answer is readable", "POST", "/v1/db/todos/insert", map[string]string{"Origin": "https://app.example.com"}, 401,
			map[string]string{"Access-Control-Allow-Origin": "https://app.example.com", "Vary": "Origin"}, true},
		{"a rate limit's Retry-After is readable", "GET", "/v1/storage/download", app, 429,
			map[string]string{"Access-Control-Allow-Origin": "https://app.example.com", "Retry-After": "3",
				"Access-Control-Expose-Headers": corsExposed}, true},
		{"a not-found answer is readable", "GET", "/v1/nothing", app, 404,
			map[string]string{"Access-Control-Allow-Origin": "https://app.example.com"}, true},
		{"another origin's request runs without CORS headers", "POST", "/v1/db/todos/insert", with(app, "Origin", "https://evil.test"), 200,
			map[string]string{"Access-Control-Allow-Origin": "", "Access-Control-Expose-Headers": "", "Vary": "Origin"}, true},
		{"no Origin: no CORS headers, Vary for caches", "GET", "/v1/nothing", nil, 401,
			map[string]string{"Access-Control-Allow-Origin": "", "Vary": "Origin"}, true},
		{"the SDK is for everyone", "GET", "/sdk/minibase.mjs", map[string]string{"Origin": "https://evil.test"}, 200,
			map[string]string{"Access-Control-Allow-Origin": "*"}, true},
		{"the SDK, from a listed origin", "GET", "/sdk/minibase.mjs", map[string]string{"Origin": "https://app.example.com"}, 200,
			map[string]string{"Access-Control-Allow-Origin": "https://app.example.com", "Vary": "Origin"}, true},
		{"a function's own header is replaced for a listed origin", "GET", "/fn/own", map[string]string{"Origin": "https://app.example.com"}, 200,
			map[string]string{"Access-Control-Allow-Origin": "https://app.example.com"}, true},
		{"and kept for others", "GET", "/fn/own", map[string]string{"Origin": "https://fn.example.com"}, 200,
			map[string]string{"Access-Control-Allow-Origin": "https://fn.example.com"}, true},
	})
}

func TestCORSAny(t *testing.T) {
	runCORS(t, "*", []corsCase{
		{"a preflight", "OPTIONS", "/v1/db/todos/insert", with(preflight, "Origin", "https://anyone.test"), 204,
			map[string]string{"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": corsMethods,
				"Access-Control-Allow-Headers": corsHeaders, "Access-Control-Max-Age": "7200", "Vary": "",
				"Access-Control-Allow-Credentials": ""}, false},
		{"a request", "POST", "/v1/db/todos/insert", map[string]string{"Origin": "http://127.0.0.1:3000", "Authorization": "Bearer t"}, 200,
			map[string]string{"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": corsExposed, "Vary": ""}, true},
		{"no Origin", "GET", "/v1/nothing", nil, 401, map[string]string{"Access-Control-Allow-Origin": "*"}, true},
		{"a function's own header is replaced", "GET", "/fn/own", map[string]string{"Origin": "https://fn.example.com"}, 200,
			map[string]string{"Access-Control-Allow-Origin": "*"}, true},
	})
}

// TestCORSOff: with no origins nothing changes: a preflight goes on to the
// routes (an HTTP function may answer it), and only /sdk/ is public.
func TestCORSOff(t *testing.T) {
	runCORS(t, "", []corsCase{
		{"a preflight goes on", "OPTIONS", "/v1/db/todos/insert", preflight, 401,
			map[string]string{"Access-Control-Allow-Origin": "", "Access-Control-Allow-Methods": "", "Vary": ""}, true},
		{"a function answers its own", "OPTIONS", "/fn/own", preflight, 200,
			map[string]string{"Access-Control-Allow-Origin": "https://fn.example.com"}, true},
		{"a request", "POST", "/v1/db/todos/insert", map[string]string{"Origin": "https://app.example.com", "Authorization": "Bearer t"}, 200,
			map[string]string{"Access-Control-Allow-Origin": "", "Vary": ""}, true},
		{"the SDK is for everyone", "GET", "/sdk/minibase.mjs", map[string]string{"Origin": "https://evil.test"}, 200,
			map[string]string{"Access-Control-Allow-Origin": "*"}, true},
	})
}

func FuzzParseCORSOrigins(f *testing.F) {
	for _, s := range []string{"", "*", "https://app.example.com", "https://*.example.com:8443, http://[::1]:80/", "null", "a://b:0"} {
		f.Add(s, "https://app.example.com")
	}
	f.Fuzz(func(t *testing.T, setting, origin string) {
		p, err := ParseCORSOrigins(setting)
		if err != nil {
			return
		}
		// Every listed origin allows itself, as its browser writes it.
		for o := range p.exact {
			if !p.Allows(o) {
				t.Fatalf("ParseCORSOrigins(%q) refuses its own %q", setting, o)
			}
			if _, err := parseOrigin(o, false); err != nil {
				t.Fatalf("ParseCORSOrigins(%q) kept %q, which is no origin: %v", setting, o, err)
			}
		}
		// An allowed origin is "*"'s, a listed one, or a subdomain on a
		// pattern's scheme and port.
		if !p.Allows(origin) || p.any {
			return
		}
		if _, ok := p.exact[origin]; ok {
			return
		}
		o, err := parseOrigin(origin, false)
		if err != nil {
			t.Fatalf("ParseCORSOrigins(%q) allows %q, which is no origin: %v", setting, origin, err)
		}
		for _, pt := range p.patterns {
			if o.scheme == pt.scheme && o.port == pt.port && strings.HasSuffix(o.host, pt.suffix) && !strings.HasPrefix(o.host, ".") {
				return
			}
		}
		t.Fatalf("ParseCORSOrigins(%q) allows %q", setting, origin)
	})
}

// BenchmarkMiddlewares is what the two middlewares add to every request:
// go test -run '^$' -bench Middlewares -benchmem ./server
func BenchmarkMiddlewares(b *testing.B) {
	cors, err := ParseCORSOrigins("https://app.example.com,https://*.example.org")
	if err != nil {
		b.Fatal(err)
	}
	proxies, err := ParseTrustedProxies("loopback,private")
	if err != nil {
		b.Fatal(err)
	}
	plain := "GET /v1/db/todos/docs/019a HTTP/1.1\r\nHost: api.example.com\r\nAuthorization: Bearer t\r\n\r\n"
	for _, bc := range []struct {
		name, peer, raw string
		mw              []fiber.Handler
	}{
		{"none", "203.0.113.5", plain, nil},
		{"direct", "203.0.113.5", plain, []fiber.Handler{proxies.Handler, cors.Handler}},
		{"browser", "203.0.113.5", "GET /v1/db/todos/docs/019a HTTP/1.1\r\nHost: api.example.com\r\nAuthorization: Bearer t\r\n" +
			"Origin: https://a.example.org\r\n\r\n", []fiber.Handler{proxies.Handler, cors.Handler}},
		{"proxied", "10.0.0.1", "GET /v1/db/todos/docs/019a HTTP/1.1\r\nHost: api.example.com\r\nAuthorization: Bearer t\r\n" +
			"X-Forwarded-For: 198.51.100.1, 10.0.0.2\r\nX-Real-IP: 198.51.100.1\r\nX-Forwarded-Proto: https\r\n\r\n",
			[]fiber.Handler{proxies.Handler, cors.Handler}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			app := fiber.New(fiber.Config{DisableStartupMessage: true})
			for _, h := range bc.mw {
				app.Use(h)
			}
			app.Get("/v1/db/todos/docs/:id", func(c *fiber.Ctx) error { return c.SendString(c.IP()) })
			handler := app.Handler()
			var req fasthttp.Request
			if err := req.Read(bufio.NewReader(strings.NewReader(bc.raw))); err != nil {
				b.Fatal(err)
			}
			var rc fasthttp.RequestCtx
			addr := net.TCPAddrFromAddrPort(netip.AddrPortFrom(netip.MustParseAddr(bc.peer), 40000))
			b.ReportAllocs()
			for b.Loop() {
				rc.Response.Reset()
				rc.Init(&req, addr, nil)
				handler(&rc)
				if rc.Response.StatusCode() != fiber.StatusOK {
					b.Fatalf("status %d", rc.Response.StatusCode())
				}
			}
		})
	}
}
