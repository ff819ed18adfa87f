package functions

import (
	"compress/gzip"
	"compress/zlib"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	brotli "github.com/molecule-man/go-brrr"
)

// apiServer is the service the npm clients of testdata/npmhttp call, on
// 127.0.0.1: JSON, an echo of the request, each content encoding, a
// redirect, an error status, a response that never comes (until the
// client gives up), a large body, and a redirect to any URL. With tls,
// over https with httptest's self-signed certificate.
func apiServer(t *testing.T, tls ...bool) *httptest.Server {
	t.Helper()
	done := make(chan struct{})
	srv := httptest.NewUnstartedServer(apiHandler(done))
	if len(tls) > 0 && tls[0] {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(func() {
		close(done)
		srv.Close()
	})
	return srv
}

// apiHandler serves apiServer's paths; /slow answers when done is closed.
func apiHandler(done <-chan struct{}) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Add("Set-Cookie", "a=1")
		w.Header().Add("Set-Cookie", "b=2")
		fmt.Fprintf(w, `{"method":%q,"q":%q}`, r.Method, r.URL.RawQuery)
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"method": r.Method, "type": r.Header.Get("Content-Type"), "body": string(b), "len": len(b)})
	})
	encoded := func(encoding string, wrap func(io.Writer) io.WriteCloser) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", encoding)
			w.Header().Set("Content-Type", "application/json")
			z := wrap(w)
			fmt.Fprintf(z, `{"encoding":%q,"padding":%q}`, encoding, strings.Repeat("minibase ", 50))
			z.Close()
		}
	}
	mux.HandleFunc("/gzip", encoded("gzip", func(w io.Writer) io.WriteCloser { return gzip.NewWriter(w) }))
	mux.HandleFunc("/deflate", encoded("deflate", func(w io.Writer) io.WriteCloser { return zlib.NewWriter(w) }))
	mux.HandleFunc("/br", encoded("br", func(w io.Writer) io.WriteCloser {
		z, _ := brotli.NewWriter(w, 5)
		return z
	}))
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/json?from=redirect", http.StatusFound)
	})
	mux.HandleFunc("/to", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Query().Get("url"), http.StatusFound)
	})
	mux.HandleFunc("/status/418", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTeapot)
		fmt.Fprint(w, `{"error":"teapot"}`)
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select { // answers only when the client has given up
		case <-r.Context().Done():
		case <-done:
		}
	})
	mux.HandleFunc("/multipart", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		files := map[string]any{}
		for name, fhs := range r.MultipartForm.File {
			f, _ := fhs[0].Open()
			b, _ := io.ReadAll(f)
			f.Close()
			files[name] = []any{fhs[0].Filename, fhs[0].Header.Get("Content-Type"), string(b)}
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"fields": r.MultipartForm.Value, "files": files})
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		w.Write(make([]byte, 2<<20))
	})
	return mux
}

// The HTTP clients real functions bundle — axios@1 (its Node adapter,
// follow-redirects), got@11, node-fetch@2 and request-promise@4, installed
// from npm — work over require('http'): status, JSON bodies both ways,
// headers (Set-Cookie as an array), gzip, deflate and brotli bodies
// decoded, redirects followed, error statuses, their own timeouts, and
// streamed bodies.
func TestNPMHTTPClients(t *testing.T) {
	srv := apiServer(t)
	rt, _ := newTestRuntime(t, Options{})
	base := srv.URL
	ev := func(client string) string { return fmt.Sprintf(`{"client":%q,"base":%q}`, client, base) }
	enc := func(e string) string {
		return fmt.Sprintf(`{"encoding":%q,"padding":%q}`, e, strings.Repeat("minibase ", 50))
	}
	get := `[200, {"method":"GET","q":"a=1"}, "application/json", ["a=1","b=2"]]`
	runCases(t, rt, []fcase{
		{name: "axios", fn: "npmhttp", event: ev("axios"), want: `{
			"get": ` + get + `,
			"post": {"method":"POST","type":"application/json","body":"{\"hello\":\"axios\"}","len":17},
			"gzip": ` + enc("gzip") + `, "deflate": ` + enc("deflate") + `, "br": ` + enc("br") + `,
			"redirect": [200, "from=redirect", "` + base + `/json?from=redirect"],
			"status": ["Request failed with status code 418", 418, {"error":"teapot"}],
			"timeout": ["ECONNABORTED", "timeout of 200ms exceeded"],
			"stream": "GET"}`},
		{name: "got", fn: "npmhttp", event: ev("got"), want: `{
			"get": ` + get + `,
			"post": {"method":"POST","type":"application/json","body":"{\"hello\":\"got\"}","len":15},
			"gzip": ` + enc("gzip") + `, "deflate": ` + enc("deflate") + `, "br": ` + enc("br") + `,
			"redirect": [200, "from=redirect", "` + base + `/json?from=redirect", 1],
			"status": ["HTTPError", "Response code 418 (I'm a teapot)", 418],
			"timeout": ["ETIMEDOUT", "Timeout awaiting 'request' for 200ms"],
			"stream": "GET"}`},
		{name: "node-fetch", fn: "npmhttp", event: ev("nodeFetch"), want: `{
			"get": [200, {"method":"GET","q":"a=1"}, "application/json", ["a=1","b=2"]],
			"post": {"method":"POST","type":"application/json","body":"{\"hello\":\"node-fetch\"}","len":22},
			"gzip": ` + enc("gzip") + `, "deflate": ` + enc("deflate") + `, "br": ` + enc("br") + `,
			"redirect": [200, "from=redirect", "` + base + `/json?from=redirect", true],
			"manual": [302, "` + base + `/json?from=redirect"],
			"status": [418, false, {"error":"teapot"}],
			"timeout": ["request-timeout", "network timeout at: BASE/slow"],
			"stream": "GET"}`},
		{name: "request-promise", fn: "npmhttp", event: ev("requestPromise"), want: `{
			"get": ` + get + `,
			"post": {"method":"POST","type":"application/json","body":"{\"hello\":\"request\"}","len":19},
			"form": {"method":"POST","type":"application/x-www-form-urlencoded","body":"a=x%20y","len":7},
			"gzip": ` + enc("gzip") + `, "deflate": ` + enc("deflate") + `,
			"redirect": [200, "from=redirect", "` + base + `/json?from=redirect"],
			"status": ["StatusCodeError", 418, {"error":"teapot"}],
			"timeout": ["RequestError", "ESOCKETTIMEDOUT"]}`},
		{name: "multipart uploads (form-data, as WeChat's media APIs take them)", fn: "npmhttp", event: fmt.Sprintf(`{"multipart":%q}`, base), want: `{
			"axios": {"fields": {"openid": ["o-1"]}, "files": {"media": ["a.txt", "text/plain", "hello from axios"]}},
			"got": {"fields": {"openid": ["o-1"]}, "files": {"media": ["a.txt", "text/plain", "hello from got"]}},
			"requestPromise": {"fields": {"openid": ["o-1"]}, "files": {"media": ["a.txt", "text/plain", "hello from request"]}},
			"ownFile": {"fields": {}, "files": {"media": ["config.json", "application/json", "{\"timeout\": 600}\n"]}}}`},
		{name: "a bundled function reads its own files", fn: "npmhttp", event: `{"self":true}`,
			want: `{"axios": "1.21.1", "files": ["config.json", "index.js", "package-lock.json", "package.json"]}`},
	})
}

// https verifies the server's certificate as Node does: a self-signed one
// is refused with Node's code, and trusted through the ca option (of a
// request, of an agent: axios's httpsAgent, got's certificateAuthority)
// or skipped with rejectUnauthorized: false.
func TestNPMHTTPSCertificates(t *testing.T) {
	srv := apiServer(t, true)
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	rt, _ := newTestRuntime(t, Options{})
	selfSigned := `["DEPTH_ZERO_SELF_SIGNED_CERT", "self-signed certificate"]`
	runCases(t, rt, []fcase{{name: "https", fn: "npmhttp", event: fmt.Sprintf(`{"base":%q,"ca":%q}`, srv.URL, ca), want: `{
		"untrusted": ` + selfSigned + `, "untrustedAxios": ` + selfSigned + `,
		"ca": "ok 200 GET", "insecure": "ok 200 GET", "axios": "ok 200", "got": "ok 200"}`}})
}

// require('http') keeps fetch's limits whatever package calls it: the
// response and request size caps, the timeout, and the allow and deny
// lists, each refused before anything is sent.
func TestNPMHTTPLimits(t *testing.T) {
	srv := apiServer(t)
	base := srv.URL
	url := func(u string) string { return fmt.Sprintf(`{"url":%q}`, u) }
	small, _ := newTestRuntime(t, Options{Fetch: FetchOptions{AllowPrivate: []string{"127.0.0.1"}, MaxResponse: 1 << 20, MaxRequest: 1000, Timeout: 300e6}})
	over := `["ERR_FR_MAX_BODY_LENGTH_EXCEEDED", "the response body is over 1048576 bytes (the functions' fetch limit)"]`
	slow := `"the request to 127.0.0.1 took longer than 300ms (the functions' fetch timeout)"`
	runCases(t, small, []fcase{
		{name: "a response over MaxResponse", fn: "npmhttp", event: url(base + "/big"), want: `{
			"axios": ` + over + `, "got": ` + over + `, "node": ` + over + `,
			"requestPromise": ["ERR_FR_MAX_BODY_LENGTH_EXCEEDED", "Error: the response body is over 1048576 bytes (the functions' fetch limit)"],
			"nodeFetch": ["ERR_FR_MAX_BODY_LENGTH_EXCEEDED", "Invalid response body while trying to fetch ` + base + `/big: the response body is over 1048576 bytes (the functions' fetch limit)"]}`},
		{name: "a response later than Timeout", fn: "npmhttp", event: url(base + "/slow"), want: `{
			"axios": ["ETIMEDOUT", ` + slow + `], "got": ["ETIMEDOUT", ` + slow + `], "node": ["ETIMEDOUT", ` + slow + `],
			"requestPromise": ["ETIMEDOUT", "Error: ` + strings.Trim(slow, `"`) + `"],
			"nodeFetch": ["ETIMEDOUT", "request to ` + base + `/slow failed, reason: ` + strings.Trim(slow, `"`) + `"]}`},
		{name: "a request body over MaxRequest", fn: "npmhttp", event: fmt.Sprintf(`{"base":%q,"body":2000}`, base), want: `{
			"axios": ["ERR_FR_MAX_BODY_LENGTH_EXCEEDED", "the request body is over 1000 bytes (the functions' fetch limit)"],
			"got": ["ERR_FR_MAX_BODY_LENGTH_EXCEEDED", "the request body is over 1000 bytes (the functions' fetch limit)"],
			"nodeFetch": ["ERR_FR_MAX_BODY_LENGTH_EXCEEDED", "request to ` + base + `/echo failed, reason: the request body is over 1000 bytes (the functions' fetch limit)"]}`},
		{name: "a body within MaxRequest", fn: "npmhttp", event: fmt.Sprintf(`{"base":%q,"body":1000}`, base), want: `{
			"axios": "ok 1000", "got": "ok 1000", "nodeFetch": "ok 200"}`},
	})

	listed, _ := newTestRuntime(t, Options{Fetch: FetchOptions{Allow: []string{"*.example.com"}, Deny: []string{"bad.example.com"}}})
	notListed := `["EACCES", "connect EACCES 127.0.0.1:` + srv.URL[strings.LastIndexByte(srv.URL, ':')+1:] + ` - host 127.0.0.1 is not in the fetch allow list"]`
	runCases(t, listed, []fcase{
		{name: "a host outside the allow list", fn: "npmhttp", event: url(base + "/json"), want: `{
			"axios": ` + notListed + `, "got": ` + notListed + `, "node": ` + notListed + `}`},
		{name: "a denied host", fn: "npmhttp", event: url("https://bad.example.com/"), want: `{
			"axios": ["EACCES", "connect EACCES bad.example.com:443 - host bad.example.com is denied by the fetch settings"]}`},
	})
}

// No package reaches an address that is not public through
// require('http'), however it is written, by name or through a redirect:
// the check is on the address dialled, before connecting.
func TestNPMHTTPRefusesPrivateAddresses(t *testing.T) {
	srv := apiServer(t)
	port := srv.URL[strings.LastIndexByte(srv.URL, ':')+1:]
	closed, _ := newTestRuntime(t, Options{Fetch: FetchOptions{AllowPrivate: []string{}}})
	for _, c := range []struct{ url, why string }{
		{srv.URL + "/json", "address 127.0.0.1 is not a public address (loopback)"},
		{"http://localhost:" + port + "/json", "address 127.0.0.1 is not a public address (loopback)"},
		{"http://2130706433:" + port + "/json", "address 127.0.0.1 is not a public address (loopback)"},
		{"http://0x7f.1:" + port + "/json", "address 127.0.0.1 is not a public address (loopback)"},
		{"http://[::ffff:127.0.0.1]:" + port + "/json", "address 127.0.0.1 is not a public address (loopback)"},
		{"http://0.0.0.0:" + port + "/json", "address 0.0.0.0 is not a public address (this network)"},
		{"http://[::1]:" + port + "/json", "address ::1 is not a public address (loopback)"},
		{"http://10.1.2.3/", "address 10.1.2.3 is not a public address (private)"},
		{"http://169.254.169.254/latest/meta-data/", "address 169.254.169.254 is not a public address (link-local)"},
		{"https://192.168.1.1/", "address 192.168.1.1 is not a public address (private)"},
	} {
		got, err := invoke(t, closed, userCtx, "npmhttp", fmt.Sprintf(`{"url":%q}`, c.url))
		if err != nil {
			t.Errorf("%s: %v", c.url, err)
			continue
		}
		for client, res := range got.(map[string]any) {
			r, _ := res.([]any)
			if len(r) != 2 || !strings.Contains(fmt.Sprint(r[1]), c.why) {
				t.Errorf("%s with %s: got %v, want a refusal saying %q", c.url, client, res, c.why)
			}
		}
	}

	// A public-looking first hop that redirects to a private address: the
	// loopback server may be reached, nothing else, and every client
	// follows the redirect into the refusal.
	open, _ := newTestRuntime(t, Options{Fetch: FetchOptions{AllowPrivate: []string{"127.0.0.1"}}})
	for _, to := range []string{"http://127.0.0.2:" + port + "/json", "http://169.254.169.254/", "http://[::1]:" + port + "/", "http://10.0.0.1/"} {
		got, err := invoke(t, open, userCtx, "npmhttp", fmt.Sprintf(`{"url":%q}`, srv.URL+"/to?url="+to))
		if err != nil {
			t.Errorf("redirect to %s: %v", to, err)
			continue
		}
		for client, res := range got.(map[string]any) {
			r, _ := res.([]any)
			if client == "node" { // Node's http follows no redirect: it sees the 302
				if res != "ok 302" {
					t.Errorf("redirect to %s with http.get: %v, want the 302 itself", to, res)
				}
				continue
			}
			if len(r) != 2 || !strings.Contains(fmt.Sprint(r[1]), "is not a public address") {
				t.Errorf("redirect to %s with %s: got %v, want a refusal", to, client, res)
			}
		}
	}
}

// moment, dayjs, lodash and crypto-js, required from node_modules as they
// are (not bundled), give what they give under Node 20.
func TestNPMLibraries(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{})
	runCases(t, rt, []fcase{{name: "libraries", fn: "npmlibs", event: `{}`, want: `{
		"moment": ["2024-03-05 08:09:10 Tuesday", "2024-04-05T08:09:10.000Z", "2024年3月5日 星期二", -64, false, "3 days ago"],
		"dayjs": ["2024/03/05 08:09", "2024-03-12T08:09:10.000Z", "2024-03-01T00:00:00.000Z", 2],
		"lodash": [[[1,2],[3,4],[5]], {"3":["one","two"],"5":["three"]}, 2, 2, "hi x", 0, true, [2,1], {"a":{"b":1,"c":2}}],
		"cryptojs": ["900150983cd24fb0d6963f7d28e17f72", "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=",
			"102900b72b7bf1031eec76b4804b66052376896b", "secret text", "mIsqhldTHwzQCHYp5p2Ndw==", "5L2g5aW9", 16]}`}})
}
