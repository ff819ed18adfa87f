package server_test

import (
	"encoding/json"
	"testing"

	"minibase/server/servertest"
)

// TestInfoAPI: the console's overview: the server, the domains to enter
// in WeChat's admin console, the totals, and series that count the
// requests made.
func TestInfoAPI(t *testing.T) {
	admin := servertest.Admin
	servertest.Run(t, []servertest.Scenario{
		{Name: "overview", Options: servertest.Options{Env: map[string]string{"MINIBASE_PUBLIC_URL": "https://api.example.com", "MINIBASE_ENV": "prod-1"}},
			Setup: []servertest.Request{
				{Method: "POST", URL: "/v1/db/posts/insert", Body: `{"data":[{"a":1},{"a":2}]}`, As: admin},
				{Method: "POST", URL: "/v1/db/notes/insert", Body: `{"data":{"a":1}}`, As: admin},
			},
			Before: func(tb testing.TB, s *servertest.Server, r *servertest.Request) {
				s.Deploy(tb, "hello", map[string]string{"index.js": `exports.main = async () => 1`}, "")
				s.Upload(tb, admin, "", "a/b.txt", "hello", "text/plain")
			},
			Method: "GET", URL: "/v1/admin/info", As: admin, Status: 200,
			Want: `{"envId":"prod-1","publicURL":"https://api.example.com","backends":{"db":"sqlite","storage":"local"},` +
				`"domains":{"request":["https://api.example.com"],"uploadFile":["https://api.example.com"],` +
				`"downloadFile":["https://api.example.com"],"socket":["wss://api.example.com"]},` +
				`"figures":{"collections":2,"documents":3,"functions":1,"files":1,"storageBytes":5,"filesCounted":true},"series":{"minutes":60}}`,
			Absent: []string{"domainsNote"}},
		{Name: "no public URL: empty domains and a note", Method: "GET", URL: "/v1/admin/info", As: admin, Status: 200,
			Want: `{"domains":{"request":[],"uploadFile":[],"downloadFile":[],"socket":[]},"domainsNote":"set MINIBASE_PUBLIC_URL to this server's https address (e.g. https://api.example.com) to get the domains to enter in the mini-program's admin console"}`},
		{Name: "a user may not", Method: "GET", URL: "/v1/admin/info", As: servertest.Anonymous("alice"), Status: 403,
			Want: `{"code":"PERMISSION_DENIED"}`},
		{Name: "a visitor may not", Method: "GET", URL: "/v1/admin/info", Status: 403},
	})
}

// TestInfoSeriesCount: the series count the requests, error answers,
// invocations and failed invocations made, in the current minute (the
// last element).
func TestInfoSeriesCount(t *testing.T) {
	s := servertest.New(t, servertest.Options{})
	admin := servertest.Admin
	s.Deploy(t, "ok", map[string]string{"index.js": `exports.main = async () => 1`}, "")
	s.Deploy(t, "fails", map[string]string{"index.js": `exports.main = async () => { throw new Error("no") }`}, "")
	before := series(t, s)
	s.Do(t, servertest.Request{Method: "POST", URL: "/v1/db/x/insert", Body: `{"data":{}}`, As: admin}).Expect(t, 200, "")
	s.Do(t, servertest.Request{Method: "GET", URL: "/v1/db/x/docs/nope", As: admin}).Expect(t, 404, "")
	s.Do(t, servertest.Request{Method: "GET", URL: "/v1/no-such-endpoint", As: admin}).Expect(t, 404, "")
	s.Do(t, servertest.Request{Method: "POST", URL: "/v1/functions/ok/invoke", Body: `{}`, As: admin}).Expect(t, 200, "")
	s.Do(t, servertest.Request{Method: "POST", URL: "/v1/functions/fails/invoke", Body: `{}`, As: admin}).Expect(t, 500, `{"code":"FUNCTIONS_EXECUTE_FAIL"}`)
	after := series(t, s)
	sum := func(a []int64) (n int64) {
		for _, v := range a {
			n += v
		}
		return n
	}
	// The window may have moved a minute between the two reads: compare
	// totals, which only grow while the window holds them.
	check := func(name string, b, a []int64, want int64) {
		if got := sum(a) - sum(b); got < want {
			t.Errorf("%s grew by %d, want at least %d (before %v, after %v)", name, got, want, b[50:], a[50:])
		}
	}
	check("requests", before.Requests, after.Requests, 6) // five requests and the first info read
	check("errors", before.Errors, after.Errors, 3)
	check("invocations", before.Invocations, after.Invocations, 2)
	check("functionErrors", before.FunctionErrors, after.FunctionErrors, 1)
	if len(after.Requests) != 60 || after.Requests[59] == 0 {
		t.Errorf("the last minute is not the current one: %v", after.Requests[50:])
	}
}

type seriesBody struct {
	Requests, Errors, Invocations, FunctionErrors []int64
}

func series(t *testing.T, s *servertest.Server) seriesBody {
	t.Helper()
	r := s.Do(t, servertest.Request{Method: "GET", URL: "/v1/admin/info", As: servertest.Admin})
	r.Expect(t, 200, "")
	var v struct{ Series seriesBody }
	if err := json.Unmarshal([]byte(r.Body), &v); err != nil {
		t.Fatal(err)
	}
	return v.Series
}
