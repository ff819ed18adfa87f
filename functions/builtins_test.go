package functions

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// CommonJS as in Node, and state that lives as long as the instance.
func TestModules(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{})
	want := `{"sum":5,"sameModule":true,"loadedOnce":1,"data":{"name":"modules-test","items":[1,2,3]},"padded":"007",
		"scoped":"@scope/pkg helped","filename":"/lib/math.js",
		"missing":{"name":"Error","text":"Error: Cannot find module 'not-installed'","isError":true,
			"message":"Cannot find module 'not-installed'","code":"MODULE_NOT_FOUND"},"host":"Cannot find module 'child_process'"}`
	runCases(t, rt, []fcase{
		{name: "first call", fn: "modules", event: `{}`, want: strings.Replace(want, `"sum":5`, `"sum":5,"counted":1,"calls":1`, 1)},
		{name: "warm: top-level state and module caches kept", fn: "modules", event: `{}`, want: strings.Replace(want, `"sum":5`, `"sum":5,"counted":2,"calls":2`, 1)},
	})
}

func TestBuiltins(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{})
	res, err := rt.Invoke(userCtx, "builtins", nil, Invocation{})
	if err != nil {
		t.Fatal(err)
	}
	got := mustJSON(t, string(res.Value))
	want := mustJSON(t, `{
		"md5": "900150983cd24fb0d6963f7d28e17f72",
		"sha1": "a9993e364706816aba3e25717850c26c9cd0d89d",
		"sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		"sha256b64": "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=",
		"hmac": "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8",
		"uuid": true, "globalUUID": "string", "random": 16, "safeEqual": true,
		"buffer": {"base64": "aGVsbG8=", "hex": "hello", "concat": "ab", "alloc": 3, "isBuffer": true, "json": {"type": "Buffer", "data": [104, 105]}},
		"url": {"host": "example.com:8443", "pathname": "/a/b", "search": "?x=1&y=two&z=3", "x": "1", "href": "https://example.com:8443/a/b?x=1&y=two&z=3#frag"},
		"query": "a=1&b=x+y",
		"text": {"length": 6, "back": "héllo", "fatal": "TypeError"},
		"env": {},
		"absent": {"child_process": "MODULE_NOT_FOUND", "vm": "MODULE_NOT_FOUND", "worker_threads": "MODULE_NOT_FOUND",
			"cluster": "MODULE_NOT_FOUND", "inspector": "MODULE_NOT_FOUND"},
		"typed": [true, true, true, true, false, false, 3],
		"globals": ["function", "function", "function", "function", "function", "function", "object"]
	}`)
	if p, ok := subset(want, got); !ok {
		t.Errorf("at %s: got %s", p, res.Value)
	}
	// console went to the invocation's log, formatted as Node's.
	var lines []string
	for _, l := range res.Logs {
		lines = append(lines, l.Level+": "+l.Message)
	}
	if len(lines) != 3 || lines[0] != `log: hello log, 3 items {"a":1}` || lines[1] != "warn: a warning" ||
		!strings.HasPrefix(lines[2], "error: Error: logged error\n\tat ") {
		t.Errorf("logs %q", lines)
	}
}

// process.env is the function's own envVariables, nothing of the server's.
func TestEnvVariables(t *testing.T) {
	t.Setenv("MINIBASE_SECRET_OF_THE_HOST", "must not leak")
	rt, _ := newTestRuntime(t, Options{})
	runCases(t, rt, []fcase{
		{name: "env and limits", fn: "envvars", event: `{}`,
			want: `{"env":{"GREETING":"ni hao","TOKEN":"s3cret","SET_AT_RUNTIME":"kept in this instance"},
				"context":{"memory_limit_in_mb":128,"time_limit_in_ms":3000,"environment":"{\"GREETING\":\"ni hao\",\"TOKEN\":\"s3cret\"}"}}`},
	})
	got, _ := invoke(t, rt, userCtx, "envvars", `{}`)
	if env := got.(map[string]any)["env"].(map[string]any); len(env) != 3 {
		t.Errorf("process.env = %v, want exactly the function's variables", env)
	}
}

// Microtasks run before timers and immediates, as in Node; a timer left
// behind by one invocation never runs during the next.
func TestTimers(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{})
	want := `{"microtasks":["sync","nextTick","microtask","promise"],"macrotasks":["immediate","timeout"],"ticks":3,"cleared":"not run","hasRef":false,"isNumber":true,"args":["x","y"]}`
	runCases(t, rt, []fcase{
		{name: "leaves a throwing timer behind", fn: "timers", event: `{"leaveTimer":true}`, want: want},
		{name: "the next invocation is not disturbed", fn: "timers", event: `{}`, want: want},
	})
}

func TestFetch(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"q":%q,"header":%q}`, r.URL.Query().Get("q"), r.Header.Get("X-Test"))
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s %s %s", r.Method, r.Header.Get("Content-Type"), b)
	})
	mux.HandleFunc("/teapot", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/echo", http.StatusFound) })
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) { w.Write(make([]byte, 4096)) })
	ended := make(chan struct{})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select { // no answer until the client gives up, however long that takes
		case <-r.Context().Done():
		case <-ended:
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	defer close(ended)
	base := srv.URL

	rt, _ := newTestRuntime(t, Options{Fetch: FetchOptions{AllowPrivate: []string{"127.0.0.1"}, MaxResponse: 1024}})
	ev := func(mode string) string { return `{"mode":"` + mode + `","base":"` + base + `"}` }
	url := func(u string, timeout int) string { return fmt.Sprintf(`{"url":%q,"timeout":%d}`, u, timeout) }
	runCases(t, rt, []fcase{
		{name: "GET JSON with a header", fn: "fetcher", event: ev("json"), want: `{"status":200,"ok":true,"type":"application/json","body":{"q":"1","header":"yes"}}`},
		{name: "POST a body", fn: "fetcher", event: ev("post"), want: `{"status":200,"text":"POST application/json {\"a\":1}"}`},
		{name: "POST a form", fn: "fetcher", event: ev("form"), want: `{"text":"POST application/x-www-form-urlencoded;charset=UTF-8 x=1+2"}`},
		{name: "an HTTP error status is a response", fn: "fetcher", event: ev("status"), want: `{"status":418,"ok":false,"statusText":"I'm a teapot"}`},
		{name: "redirects are followed", fn: "fetcher", event: ev("redirect"), want: `{"status":200,"redirected":true,"text":"GET  "}`},
		{name: "the response size cap", fn: "fetcher", event: url(base+"/big", 0), want: `{"error":"TypeError: fetch failed: the response body is over 1024 bytes"}`},
		{name: "a timeout", fn: "fetcher", event: url(base+"/slow", 50), want: `{"error":"TypeError: fetch failed: no response within 50ms"}`},
		{name: "no other schemes", fn: "fetcher", event: url("file:///etc/passwd", 0), want: `{"error":"TypeError: fetch failed: only http and https URLs can be fetched, not \"file\""}`},
	})

	closed, _ := newTestRuntime(t, Options{Fetch: FetchOptions{AllowPrivate: []string{}}})
	listed, _ := newTestRuntime(t, Options{Fetch: FetchOptions{Allow: []string{"*.example.com"}, Deny: []string{"bad.example.com"}}})
	for _, c := range []struct {
		rt   *Runtime
		name string
		url  string
		want string
	}{
		{closed, "loopback is refused by default", base + "/json", "is not a public address (loopback)"},
		{closed, "so is a name for it", strings.Replace(base, "127.0.0.1", "localhost", 1) + "/json", "is not a public address (loopback)"},
		{closed, "and the cloud metadata address", "http://169.254.169.254/latest/meta-data/", "is not a public address (link-local)"},
		{listed, "hosts outside the allow list", base + "/json", "host 127.0.0.1 is not in the fetch allow list"},
		{listed, "denied hosts", "https://bad.example.com/", "host bad.example.com is denied"},
	} {
		got, err := invoke(t, c.rt, userCtx, "fetcher", url(c.url, 0))
		if e, _ := got.(map[string]any)["error"].(string); err != nil || !strings.Contains(e, c.want) {
			t.Errorf("%s: got %v, %v; want an error containing %q", c.name, got, err, c.want)
		}
	}
}
