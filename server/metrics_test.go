package server_test

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"minibase/server"
	"minibase/server/servertest"
)

// scrape reads /metrics with the admin key.
func scrape(t *testing.T, s *servertest.Server) string {
	t.Helper()
	r := s.Do(t, servertest.Request{Method: "GET", URL: "/metrics", As: servertest.Admin})
	r.Expect(t, 200, "")
	return r.Body
}

// metric is the value of the sample of name whose labels include all of
// labels (`route="/x"`, …); 0 when there is none.
func metric(body, name string, labels ...string) float64 {
	sc := bufio.NewScanner(strings.NewReader(body))
	sc.Buffer(nil, 1<<20)
	var sum float64
	for sc.Scan() {
		line := sc.Text()
		rest, ok := strings.CutPrefix(line, name)
		if !ok || (rest[0] != '{' && rest[0] != ' ') {
			continue
		}
		if !hasAll(rest, labels) {
			continue
		}
		v, err := strconv.ParseFloat(rest[strings.LastIndexByte(rest, ' ')+1:], 64)
		if err == nil {
			sum += v
		}
	}
	return sum
}

func hasAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// labelSets counts the samples of name (its label sets).
func labelSets(body, name string) int {
	n := 0
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(line, name+"{") {
			n++
		}
	}
	return n
}

// /metrics needs an admin: a visitor and an end user are refused (403,
// CloudBase's PERMISSION_DENIED), the admin key reads the Prometheus text
// format with every family this server exports.
func TestMetricsAccess(t *testing.T) {
	servertest.Run(t, []servertest.Scenario{
		{Name: "a visitor may not", Method: "GET", URL: "/metrics", Status: 403,
			Want: `{"code":"PERMISSION_DENIED","message":"permission denied: /metrics needs the admin key or an admin token (Authorization: Bearer …), or serve it on MINIBASE_METRICS_ADDR"}`},
		{Name: "an end user may not", Method: "GET", URL: "/metrics", As: servertest.Anonymous("alice"), Status: 403,
			Want: `{"code":"PERMISSION_DENIED"}`},
		{Name: "a bad key is refused", Method: "GET", URL: "/metrics", As: servertest.Bearer("not-the-key-0123456789"), Status: 401},
		{Name: "the admin key reads them", Method: "GET", URL: "/metrics", As: servertest.Admin, Status: 200,
			After: contains("minibase_http_requests_in_flight", "minibase_db_commit_duration_seconds_count", "minibase_db_write_queue",
				"minibase_watch_subscriptions", "minibase_storage_bytes", "go_goroutines", "process_resident_memory_bytes",
				"minibase_ready_checks_total")},
	})
}

// contains checks that a response's body has each of parts.
func contains(parts ...string) func(testing.TB, *servertest.Server, *servertest.Response) {
	return func(tb testing.TB, _ *servertest.Server, r *servertest.Response) {
		for _, p := range parts {
			if !strings.Contains(r.Body, p) {
				tb.Errorf("%s: the body lacks %q", r.Req, p)
			}
		}
	}
}

// The counters move with what the server does: requests by route pattern
// and status class, the router's 404s under "unmatched", function
// invocations and failures by function (the first call a cold start),
// sign-ins by method and result, and the database writer's commits.
func TestMetricsCount(t *testing.T) {
	s := servertest.New(t, servertest.Options{})
	admin := servertest.Admin
	s.Deploy(t, "ok", map[string]string{"index.js": `exports.main = async () => 1`}, "")
	s.Deploy(t, "fails", map[string]string{"index.js": `exports.main = async () => { throw new Error("no") }`}, "")
	before := scrape(t, s)
	s.Do(t, servertest.Request{Method: "POST", URL: "/v1/db/x/insert", Body: `{"data":{}}`, As: admin}).Expect(t, 200, "")
	s.Do(t, servertest.Request{Method: "GET", URL: "/v1/db/x/docs/nope", As: admin}).Expect(t, 404, "")
	s.Do(t, servertest.Request{Method: "GET", URL: "/v1/no-such-endpoint", As: admin}).Expect(t, 404, "")
	for range 2 {
		s.Do(t, servertest.Request{Method: "POST", URL: "/v1/functions/ok/invoke", Body: `{}`, As: admin}).Expect(t, 200, "")
	}
	s.Do(t, servertest.Request{Method: "POST", URL: "/v1/functions/fails/invoke", Body: `{}`, As: admin}).Expect(t, 500, "")
	s.Do(t, servertest.Request{Method: "POST", URL: "/v1/auth/anonymous", Body: `{}`}).Expect(t, 200, "")
	s.Do(t, servertest.Request{Method: "POST", URL: "/v1/auth/login", Body: `{"username":"nobody","password":"wrong-password"}`}).Expect(t, 401, "")
	after := scrape(t, s)

	checks := []struct {
		what   string
		name   string
		labels []string
		want   float64
	}{
		{"inserts answered 2xx", "minibase_http_requests_total", []string{`route="/v1/db/:coll/insert"`, `method="POST"`, `status="2xx"`}, 1},
		{"a missing document: 4xx of its route", "minibase_http_requests_total", []string{`route="/v1/db/:coll/docs/:id"`, `method="GET"`, `status="4xx"`}, 1},
		{"an unknown path: unmatched", "minibase_http_requests_total", []string{`route="unmatched"`, `method="GET"`, `status="4xx"`}, 1},
		{"invocations answered 5xx", "minibase_http_requests_total", []string{`route="/v1/functions/:name/invoke"`, `status="5xx"`}, 1},
		{"latency observed", "minibase_http_request_duration_seconds_count", []string{`route="/v1/db/:coll/insert"`}, 1},
		{"invocations of ok", "minibase_function_invocations_total", []string{`function="ok"`, `status="ok"`}, 2},
		{"failures of fails", "minibase_function_invocations_total", []string{`function="fails"`, `status="error"`}, 1},
		{"one cold start of ok", "minibase_function_cold_starts_total", []string{`function="ok"`}, 1},
		{"durations of ok", "minibase_function_duration_seconds_count", []string{`function="ok"`}, 2},
		{"anonymous sign-in", "minibase_auth_sign_ins_total", []string{`method="anonymous"`, `result="ok"`}, 1},
		{"failed password sign-in", "minibase_auth_sign_ins_total", []string{`method="password"`, `result="failed"`}, 1},
		{"a commit", "minibase_db_commit_duration_seconds_count", nil, 1},
	}
	for _, c := range checks {
		if got := metric(after, c.name, c.labels...) - metric(before, c.name, c.labels...); got < c.want {
			t.Errorf("%s: %s%v grew by %v, want %v", c.what, c.name, c.labels, got, c.want)
		}
	}
	if got := metric(after, "minibase_db_documents"); got != 1 {
		t.Errorf("minibase_db_documents = %v, want 1", got)
	}
}

// A flood of random paths, methods and a function name that is no
// function's grows no label set: every unknown path is "unmatched".
func TestMetricsHostilePaths(t *testing.T) {
	s := servertest.New(t, servertest.Options{})
	scrape(t, s) // the scrape's own route
	s.Do(t, servertest.Request{Method: "GET", URL: "/v1/unknown-warmup"}).Expect(t, 404, "")
	before := scrape(t, s)
	const n = 300
	rnd := rand.New(rand.NewPCG(1, 2))
	for i := range n {
		path := fmt.Sprintf("/%x/%x?q=%d", rnd.Uint64(), rnd.Uint64(), i)
		if i%3 == 0 {
			path = fmt.Sprintf("/v1/%x", rnd.Uint64())
		}
		s.Do(t, servertest.Request{Method: "GET", URL: path}).Expect(t, 404, "")
	}
	after := scrape(t, s)
	for _, name := range []string{"minibase_http_requests_total", "minibase_http_request_duration_seconds_count"} {
		if b, a := labelSets(before, name), labelSets(after, name); a != b {
			t.Errorf("%s: %d label sets after %d random paths, %d before", name, a, n, b)
		}
	}
	if got := metric(after, "minibase_http_requests_total", `route="unmatched"`, `status="4xx"`) -
		metric(before, "minibase_http_requests_total", `route="unmatched"`, `status="4xx"`); got != n {
		t.Errorf("unmatched 4xx grew by %v, want %d", got, n)
	}
	if strings.Contains(after, "q=") {
		t.Errorf("a raw path reached the metrics")
	}
}

// Slow queries are counted (every query is slow at a 1 ns threshold).
func TestMetricsSlowQueries(t *testing.T) {
	s := servertest.New(t, servertest.Options{Config: func(c *server.Config) { c.SlowQuery = time.Nanosecond }})
	s.Do(t, servertest.Request{Method: "POST", URL: "/v1/db/x/insert", Body: `{"data":{}}`, As: servertest.Admin}).Expect(t, 200, "")
	before := metric(scrape(t, s), "minibase_db_slow_queries_total")
	for range 3 {
		s.Do(t, servertest.Request{Method: "POST", URL: "/v1/db/x/query", Body: `{}`, As: servertest.Admin}).Expect(t, 200, "")
	}
	if got := metric(scrape(t, s), "minibase_db_slow_queries_total") - before; got != 3 {
		t.Errorf("3 slow queries counted %v times", got)
	}
}
