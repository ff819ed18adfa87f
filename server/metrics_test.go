package server_test

import (
	"bufio"
	"strconv"
	"strings"
	"testing"

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
