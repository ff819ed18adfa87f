package servertest

import (
	"fmt"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"
)

// Scenario is one case of an HTTP contract: a server (Options), what is
// done to it first (Setup, Before), one request, and what its response
// must be. Each scenario that runs by itself (Run, Test, Benchmark) has a
// server of its own.
type Scenario struct {
	Name    string  // the subtest's name; "" is "METHOD URL"
	Options Options // the server's

	// Setup requests are sent in order before the request; each must
	// answer 2xx. Before runs after them: for what is not one request
	// (deploy a function), and to fill in the request what only the
	// server knows (a user's uid, a refresh token).
	Setup  []Request
	Before func(tb testing.TB, s *Server, r *Request)

	// The request: as Request's fields.
	Method string
	URL    string
	Body   any
	Header map[string]string
	As     Identity

	// Status is the response's status; required.
	Status int
	// Want is JSON the body must contain: an object's keys are matched
	// recursively (the body's objects may have more), arrays element by
	// element and of the same length, numbers by value, the rest exactly.
	Want string
	// Equal is JSON the whole body must equal (objects with exactly these
	// keys, in any order).
	Equal string
	// Absent are strings the body must not contain.
	Absent []string
	// WantHeader are response headers and their values; "" means the
	// header must be absent.
	WantHeader map[string]string
	// After checks more, after the response (what else the server holds,
	// that nothing changed).
	After func(tb testing.TB, s *Server, r *Response)
}

// Run runs each scenario as a subtest of t, each on a server of its own.
func Run(t *testing.T, scenarios []Scenario) {
	t.Helper()
	for _, sc := range scenarios {
		sc.Test(t)
	}
}

// Test runs sc as a subtest of t, on a server of its own.
func (sc Scenario) Test(t *testing.T) {
	t.Helper()
	t.Run(sc.name(), func(t *testing.T) {
		New(t, sc.Options).Run(t, sc)
	})
}

// Run runs sc on s, whatever s holds already (sc.Options are not
// applied): its Setup, Before, the request, its checks (each failed one is
// an error of tb) and After. It returns the response.
func (s *Server) Run(tb testing.TB, sc Scenario) *Response {
	tb.Helper()
	r, _ := s.run(tb, sc)
	return r
}

// run is Run, also returning the request as Before left it.
func (s *Server) run(tb testing.TB, sc Scenario) (*Response, Request) {
	tb.Helper()
	if sc.Status == 0 {
		tb.Fatalf("scenario %q has no Status", sc.name())
	}
	for i, req := range sc.Setup {
		if r := s.Do(tb, req); r.Status < 200 || r.Status > 299 {
			tb.Fatalf("setup %d: %s as %s: %d %.300s", i+1, r.Req, req.As, r.Status, r.Body)
		}
	}
	req := Request{Method: sc.Method, URL: sc.URL, Body: sc.Body, Header: sc.Header, As: sc.As}
	if sc.Before != nil {
		sc.Before(tb, s, &req)
	}
	r := s.Do(tb, req)
	what := fmt.Sprintf("%s as %s", r.Req, req.As)
	if sc.Name != "" {
		what = sc.Name + ": " + what
	}
	for _, p := range sc.check(r) {
		tb.Errorf("%s: %s", what, p)
	}
	if sc.After != nil {
		sc.After(tb, s, r)
	}
	return r, req
}

// Then is an After that runs steps on the scenario's server in order
// (Server.Run): the requests that show what the scenario's request did,
// or did not do, to the server.
func Then(steps ...Scenario) func(tb testing.TB, s *Server, r *Response) {
	return func(tb testing.TB, s *Server, _ *Response) {
		tb.Helper()
		for _, st := range steps {
			s.Run(tb, st)
		}
	}
}

func (sc *Scenario) name() string {
	if sc.Name != "" {
		return sc.Name
	}
	return strings.TrimSpace(sc.Method + " " + sc.URL)
}

// check lists what in r does not meet sc's expectations.
func (sc *Scenario) check(r *Response) []string {
	var problems []string
	if r.Status != sc.Status {
		problems = append(problems, fmt.Sprintf("status %d, want %d; body %.600s", r.Status, sc.Status, r.Body))
	}
	for _, w := range []struct {
		what, json string
		exact      bool
	}{{"Want", sc.Want, false}, {"Equal", sc.Equal, true}} {
		if w.json == "" {
			continue
		}
		want, err := decode(w.json)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s is not JSON: %v", w.what, err))
			continue
		}
		got, err := decode(r.Body)
		if err != nil {
			problems = append(problems, fmt.Sprintf("the body is not JSON (%v): %.600s", err, r.Body))
			continue
		}
		if d := diff(want, got, w.exact); d != "" {
			problems = append(problems, fmt.Sprintf("%s, in %.600s", d, r.Body))
		}
	}
	for _, a := range sc.Absent {
		if strings.Contains(r.Body, a) {
			problems = append(problems, fmt.Sprintf("the body contains %q: %.600s", a, r.Body))
		}
	}
	for k, v := range sc.WantHeader {
		if got := r.Header.Values(k); v == "" && len(got) > 0 {
			problems = append(problems, fmt.Sprintf("header %s: %q, want none", k, got))
		} else if v != "" && r.Header.Get(k) != v {
			problems = append(problems, fmt.Sprintf("header %s: %q, want %q", k, r.Header.Get(k), v))
		}
	}
	return problems
}

// Benchmark runs each scenario as a benchmark of b (Scenario.Benchmark).
func Benchmark(b *testing.B, scenarios []Scenario) {
	b.Helper()
	for _, sc := range scenarios {
		sc.Benchmark(b)
	}
}

// Benchmark measures sc's request as a sub-benchmark of b: on a server of
// its own, after Setup and Before and one checked run (Server.Run), the
// request goes to the app's handler again and again, without a socket, and
// must answer sc.Status each time. What it measures is what the server
// adds to a request: middlewares, routing, identity, the area's work and
// the answer.
func (sc Scenario) Benchmark(b *testing.B) {
	b.Helper()
	b.Run(sc.name(), func(b *testing.B) {
		s := New(b, sc.Options)
		_, r := s.run(b, sc)
		if b.Failed() {
			return
		}
		if _, ok := r.Body.(io.Reader); ok {
			b.Fatal("a benchmark sends its body again and again: a string or []byte, not an io.Reader")
		}
		req := s.request(b, r)
		var body []byte
		if req.Body != nil {
			var err error
			if body, err = io.ReadAll(req.Body); err != nil {
				b.Fatal(err)
			}
		}
		h := s.Server.App().Handler()
		var ctx fasthttp.RequestCtx
		ctx.Init(&fasthttp.Request{}, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1234}, nil)
		b.ReportAllocs()
		for b.Loop() {
			ctx.Request.Reset()
			ctx.Response.Reset()
			ctx.Request.Header.SetMethod(req.Method)
			ctx.Request.SetRequestURI(r.URL)
			ctx.Request.Header.SetHost(req.Host)
			for k, vs := range req.Header {
				for _, v := range vs {
					ctx.Request.Header.Add(k, v)
				}
			}
			ctx.Request.SetBodyRaw(body)
			h(&ctx)
			if code := ctx.Response.StatusCode(); code != sc.Status {
				b.Fatalf("%s %s: %d %.300s, want %d", req.Method, r.URL, code, ctx.Response.Body(), sc.Status)
			}
		}
	})
}
