package server

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gofiber/fiber/v2"
)

type consoleAnswer struct {
	status int
	header map[string]string
	body   []byte
}

func consoleGet(t *testing.T, app *fiber.App, method, path string, headers ...string) consoleAnswer {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	h := map[string]string{}
	for k := range resp.Header {
		h[k] = resp.Header.Get(k)
	}
	return consoleAnswer{resp.StatusCode, h, body}
}

// TestConsoleServed checks /_/ against the committed build (admin/dist):
// the app's index.html for the root and for deep links the app routes
// itself, revalidated on every load; its hashed assets byte for byte with
// their types, cached for good and gzipped for browsers that take it; a
// missing asset, a traversal or a bad path never gets a file it names.
func TestConsoleServed(t *testing.T) {
	m := newTestMain(t, nil)
	index, err := os.ReadFile("../admin/dist/index.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/_/", "/_/index.html", "/_/database", "/_/database/orders%20v2", "/_/settings/"} {
		a := consoleGet(t, m.app, "GET", p)
		if a.status != 200 || !bytes.Equal(a.body, index) {
			t.Fatalf("GET %s: status %d, %d bytes; want 200 and dist/index.html", p, a.status, len(a.body))
		}
		if a.header["Content-Type"] != "text/html; charset=utf-8" || a.header["Cache-Control"] != "no-cache" ||
			a.header["Etag"] == "" || !strings.Contains(a.header["Content-Security-Policy"], "default-src 'self'") ||
			a.header["X-Frame-Options"] != "DENY" {
			t.Errorf("GET %s: headers %v; want text/html, no-cache, an ETag, the console's CSP, X-Frame-Options DENY", p, a.header)
		}
		if again := consoleGet(t, m.app, "GET", p, "If-None-Match", a.header["Etag"]); again.status != 304 || len(again.body) != 0 {
			t.Errorf("GET %s with If-None-Match: status %d, %d bytes; want 304, empty", p, again.status, len(again.body))
		}
	}
	if a := consoleGet(t, m.app, "GET", "/_"); a.status != 301 || a.header["Location"] != "/_/" {
		t.Errorf("GET /_: status %d, Location %q; want 301 to /_/", a.status, a.header["Location"])
	}

	assets := regexp.MustCompile(`/_/assets/[^"]+\.(js|css)`).FindAllString(string(index), -1)
	if len(assets) < 2 {
		t.Fatalf("index.html names %d assets (%v); want its script and stylesheet", len(assets), assets)
	}
	for _, p := range assets {
		want, err := os.ReadFile("../admin/dist/" + strings.TrimPrefix(p, "/_/"))
		if err != nil {
			t.Fatal(err)
		}
		ctype := map[bool]string{true: "text/javascript; charset=utf-8", false: "text/css; charset=utf-8"}[strings.HasSuffix(p, ".js")]
		a := consoleGet(t, m.app, "GET", p)
		if a.status != 200 || !bytes.Equal(a.body, want) || a.header["Content-Type"] != ctype {
			t.Fatalf("GET %s: status %d, %d bytes, type %q; want 200, the file (%d bytes), %q", p, a.status, len(a.body), a.header["Content-Type"], len(want), ctype)
		}
		if a.header["Cache-Control"] != "public, max-age=31536000, immutable" {
			t.Errorf("GET %s: Cache-Control %q; want immutable caching of a hashed asset", p, a.header["Cache-Control"])
		}
		z := consoleGet(t, m.app, "GET", p, "Accept-Encoding", "br, gzip;q=0.9")
		if z.header["Content-Encoding"] != "gzip" || !strings.Contains(z.header["Vary"], "Accept-Encoding") || len(z.body) >= len(want) {
			t.Fatalf("GET %s accepting gzip: encoding %q, Vary %q, %d bytes; want gzip, Vary Accept-Encoding, smaller than %d",
				p, z.header["Content-Encoding"], z.header["Vary"], len(z.body), len(want))
		}
		zr, err := gzip.NewReader(bytes.NewReader(z.body))
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := io.ReadAll(zr); !bytes.Equal(got, want) {
			t.Errorf("GET %s gzipped: decompresses to %d bytes that differ from the file", p, len(got))
		}
		if no := consoleGet(t, m.app, "GET", p, "Accept-Encoding", "gzip;q=0"); no.header["Content-Encoding"] != "" {
			t.Errorf("GET %s refusing gzip (q=0): Content-Encoding %q", p, no.header["Content-Encoding"])
		}
	}

	goMod, _ := os.ReadFile("../go.mod")
	for _, p := range []string{"/_/assets/nope.js", "/_/assets/", "/_/favicon.ico", "/_/../go.mod", "/_/%2e%2e/go.mod", "/_/..%2f..%2fgo.mod", "/_/assets/..%2f..%2f..%2fgo.mod"} {
		a := consoleGet(t, m.app, "GET", p)
		if bytes.Contains(a.body, goMod) || (a.status == 200 && !bytes.Equal(a.body, index)) {
			t.Errorf("GET %s: status %d, %d bytes; want a 404 or index.html, never another file", p, a.status, len(a.body))
		}
	}
	for _, p := range []string{"/_/assets/nope.js", "/_/favicon.ico"} {
		if a := consoleGet(t, m.app, "GET", p); a.status != 404 || !strings.Contains(string(a.body), `"code"`) {
			t.Errorf("GET %s: status %d %s; want a 404 error body (a missing asset is never index.html)", p, a.status, a.body)
		}
	}
	if a := consoleGet(t, m.app, "POST", "/_/"); a.status != 404 {
		t.Errorf("POST /_/: status %d, want 404", a.status)
	}
}

// TestConsoleMissing: a build without the console (the noadmin tag: an
// empty dist) answers /_/ with a 404 that says why.
func TestConsoleMissing(t *testing.T) {
	c, err := newAdminUI(fstest.MapFS{})
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New(fiber.Config{ErrorHandler: func(ctx *fiber.Ctx, err error) error {
		return ctx.Status(fiber.StatusNotFound).SendString(err.Error())
	}})
	c.mount(app)
	for _, p := range []string{"/_/", "/_/database"} {
		if a := consoleGet(t, app, "GET", p); a.status != 404 || !strings.Contains(string(a.body), "noadmin") {
			t.Errorf("GET %s without a console: status %d %q; want 404 naming the noadmin build", p, a.status, a.body)
		}
	}
}

func TestAcceptsGzip(t *testing.T) {
	for _, tc := range []struct {
		ae   string
		want bool
	}{
		{"", false}, {"gzip", true}, {"gzip, deflate, br", true}, {"br;q=1, GZIP;q=0.5", true},
		{"gzip;q=0", false}, {"gzip; q=0", false}, {"deflate", false}, {"*", true}, {"identity", false},
	} {
		if got := acceptsGzip(tc.ae); got != tc.want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", tc.ae, got, tc.want)
		}
	}
}
