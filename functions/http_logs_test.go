//go:build !minibase_fuzz

package functions_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"minibase/server/servertest"

	"github.com/fasthttp/websocket"
)

const chattyFn = `exports.main = async (event) => {
  console.log('said', event.say);
  if (event.fail) throw new Error(event.fail);
  return event.say;
};`

// logsOf is the admin's GET /v1/admin/functions/logs?query.
func logsOf(tb testing.TB, s *servertest.Server, query string) *servertest.Response {
	tb.Helper()
	return s.Do(tb, servertest.Request{URL: "/v1/admin/functions/logs?" + query, As: asAdmin})
}

// records is the number of records in a logs answer.
func records(r *servertest.Response) int {
	data, _ := r.Value("data").([]any)
	return len(data)
}

// waitLogs waits until logs?query answers n records, and returns that
// answer.
func waitLogs(tb testing.TB, s *servertest.Server, query string, n int) *servertest.Response {
	tb.Helper()
	var r *servertest.Response
	servertest.WaitFor(tb, fmt.Sprintf("%d records in logs?%s", n, query), func() bool {
		r = logsOf(tb, s, query)
		return r.Status == 200 && records(r) == n
	})
	return r
}

// requestIDs lists the requestId of each record of a logs answer.
func requestIDs(r *servertest.Response) []string {
	var out []string
	for i := range records(r) {
		out = append(out, r.Str(fmt.Sprintf("data.%d.requestId", i)))
	}
	return out
}

// TestFunctionLogsAPI: the admin API finds invocation records by function,
// requestId, openid, status and time, newest first, page by page.
func TestFunctionLogsAPI(t *testing.T) {
	s := servertest.New(t, servertest.Options{})
	s.Deploy(t, "chatty", map[string]string{"index.js": chattyFn}, "")
	s.Deploy(t, "quiet", map[string]string{"index.js": `exports.main = () => 1`}, "")
	openid := s.Session(t, alice).OpenID

	before := time.Now()
	var reqs []string // in call order
	for _, c := range []struct {
		fn   string
		id   servertest.Identity
		body string
	}{
		{"chatty", alice, `{"data":{"say":"one"}}`},
		{"quiet", alice, `{}`},
		{"chatty", asAdmin, `{"data":{"say":"two"}}`},
		{"chatty", alice, `{"data":{"say":"three","fail":"no luck"}}`},
	} {
		a := s.Do(t, invoke(c.fn, c.body, c.id))
		reqs = append(reqs, a.Str("requestID")+a.Str("requestId"))
	}
	waitLogs(t, s, "", 4)
	until := time.Now()

	for _, c := range []struct {
		what, query string
		want        []int // indexes into reqs, newest first
	}{
		{"all", "", []int{3, 2, 1, 0}},
		{"by function", "function=chatty", []int{3, 2, 0}},
		{"by requestId", "requestId=" + reqs[1], []int{1}},
		{"by openid", "openid=" + url.QueryEscape(openid), []int{3, 1, 0}},
		{"by status", "status=error", []int{3}},
		{"since, RFC 3339", "since=" + url.QueryEscape(before.Format(time.RFC3339Nano)), []int{3, 2, 1, 0}},
		{"until, milliseconds", fmt.Sprintf("until=%d", before.UnixMilli()), nil},
		{"a range", fmt.Sprintf("since=%d&until=%d&function=quiet", before.UnixMilli(), until.UnixMilli()+1), []int{1}},
	} {
		a := logsOf(t, s, c.query)
		var want []string
		for _, i := range c.want {
			want = append(want, reqs[i])
		}
		if got := requestIDs(a); a.Status != 200 || strings.Join(got, ",") != strings.Join(want, ",") || a.Value("next") != nil {
			t.Errorf("%s: %d %v (next %v), want %v", c.what, a.Status, got, a.Value("next"), want)
		}
	}

	s.Run(t, servertest.Scenario{Name: "a failed invocation's record", URL: "/v1/admin/functions/logs?status=error", As: asAdmin,
		Status: 200, Want: `{"data":[{"function":"chatty","source":"wx_client","errCode":-504002,"memoryLimit":256,
			"logs":[{"message":"said three"}]}]}`,
		After: after(openIDAt(alice, "data.0.openid"), textAt("data.0.error", "Error: no luck"),
			func(tb testing.TB, _ *servertest.Server, r *servertest.Response) {
				tb.Helper()
				d, _ := r.Value("data.0.duration").(json.Number)
				if f, err := d.Float64(); err != nil || f <= 0 {
					tb.Errorf("the failed record's duration: %v", r.Value("data.0.duration"))
				}
			})})

	// Pages of one, following next.
	var got []string
	for q, pages := "limit=1", 0; ; pages++ {
		a := logsOf(t, s, q)
		got = append(got, requestIDs(a)...)
		next := a.Str("next")
		if next == "" || pages > 10 {
			break
		}
		q = "limit=1&cursor=" + next
	}
	if strings.Join(got, ",") != strings.Join([]string{reqs[3], reqs[2], reqs[1], reqs[0]}, ",") {
		t.Errorf("paged: %v", got)
	}

	s.Run(t, servertest.Scenario{Name: "stats", URL: "/v1/admin/functions/logs/stats", As: asAdmin, Status: 200,
		Want: `{"written":4,"dropped":0,"failed":0,"maxBytes":268435456,"maxAgeHours":168}`})
}

// TestFunctionLogsRefused: the logs API refuses bad parameters and anyone
// but an admin.
func TestFunctionLogsRefused(t *testing.T) {
	get := func(name, url string, id servertest.Identity, status int, want string) servertest.Scenario {
		return servertest.Scenario{Name: name, URL: url, As: id, Status: status, Want: want}
	}
	const logs = "/v1/admin/functions/logs"
	servertest.Run(t, []servertest.Scenario{
		get("an end user", logs, alice, 403, `{"code":"PERMISSION_DENIED"}`),
		get("a visitor", logs, servertest.Visitor, 403, `{"code":"PERMISSION_DENIED"}`),
		get("limit over 200", logs+"?limit=201", asAdmin, 400, `{"code":"INVALID_PARAM"}`),
		get("limit 0", logs+"?limit=0", asAdmin, 400, `{"code":"INVALID_PARAM"}`),
		get("limit not a number", logs+"?limit=ten", asAdmin, 400, `{"code":"INVALID_PARAM"}`),
		get("a made-up cursor", logs+"?cursor=abc", asAdmin, 400, `{"code":"INVALID_PARAM"}`),
		get("an unknown status", logs+"?status=failed", asAdmin, 400, `{"code":"INVALID_PARAM"}`),
		get("a bad time", logs+"?since=yesterday", asAdmin, 400, `{"code":"INVALID_PARAM"}`),
		get("an unknown parameter", logs+"?fn=chatty", asAdmin, 400, `{"code":"INVALID_PARAM"}`),
		get("since after until", logs+"?since=2000&until=1000", asAdmin, 400, `{"code":"INVALID_PARAM"}`),
		get("stats are for admins", logs+"/stats", alice, 403, `{"code":"PERMISSION_DENIED"}`),
		get("the tail needs an upgrade", logs+"/tail", asAdmin, 426, `{}`),
		get("and an admin", logs+"/tail", alice, 403, `{"code":"PERMISSION_DENIED"}`),
	})
}

// TestFunctionOutcomesAreSystemData: asynchronous outcomes live in the log
// store: queryable by requestID, never a collection of the app's database.
func TestFunctionOutcomesAreSystemData(t *testing.T) {
	servertest.Run(t, []servertest.Scenario{{Name: "the outcome",
		Setup:  []servertest.Request{deploy("sum", `exports.main = async (e) => ({ sum: e.a + e.b })`, "")},
		Before: invokedAsync(alice, "sum", `{"data":{"a":2,"b":3},"async":true}`),
		URL:    "/v1/functions/invocations/", As: alice, Status: 200, Want: `{"status":"succeeded","result":{"sum":5}}`,
		After: after(itsRequestID, servertest.Then(
			servertest.Scenario{Name: "the app's collections", URL: "/v1/admin/collections", As: asAdmin, Status: 200,
				Absent: []string{"invocations", "logs"}},
			servertest.Scenario{Name: "functions_invocations through /v1/db", Method: "POST", URL: "/v1/db/functions_invocations/query",
				Body: `{}`, As: asAdmin, Status: 404, Want: `{"code":"DATABASE_COLLECTION_NOT_EXIST"}`},
			servertest.Scenario{Name: "invocations through /v1/db", Method: "POST", URL: "/v1/db/invocations/query",
				Body: `{}`, As: asAdmin, Status: 404, Want: `{"code":"DATABASE_COLLECTION_NOT_EXIST"}`},
			servertest.Scenario{Name: "logs through /v1/db", Method: "POST", URL: "/v1/db/logs/query",
				Body: `{}`, As: asAdmin, Status: 404, Want: `{"code":"DATABASE_COLLECTION_NOT_EXIST"}`},
		)),
	}})
}

// lockedBuffer is a bytes.Buffer the server log writes to while the test
// reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestFunctionLogsServerLog: MINIBASE_FUNCTIONS_LOG chooses what reaches
// the server log, and MINIBASE_FUNCTIONS_LOG_STORE what the store keeps,
// each on its own.
func TestFunctionLogsServerLog(t *testing.T) {
	for _, c := range []struct {
		log, store     string
		okLine, failed bool
		stored         []string
	}{
		{"errors", "all", false, true, []string{"failed", "fine"}},
		{"all", "all", true, true, []string{"failed", "fine"}},
		{"off", "all", false, false, []string{"failed", "fine"}},
		{"all", "errors", true, true, []string{"failed"}},
		{"errors", "off", false, true, nil},
	} {
		t.Run("log="+c.log+",store="+c.store, func(t *testing.T) {
			var out lockedBuffer
			s := servertest.New(t, servertest.Options{
				Env: map[string]string{"MINIBASE_FUNCTIONS_LOG": c.log, "MINIBASE_FUNCTIONS_LOG_STORE": c.store},
				Log: slog.New(slog.NewTextHandler(&out, nil)),
			})
			s.Deploy(t, "chatty", map[string]string{"index.js": chattyFn}, "")
			fine := s.Do(t, invoke("chatty", `{"data":{"say":"fine"}}`, asAdmin)).Str("requestID")
			failed := s.Do(t, invoke("chatty", `{"data":{"say":"oops","fail":"broken"}}`, asAdmin)).Str("requestId")
			s.Do(t, invoke("chatty", `{"data":{"say":"last","fail":"marker"}}`, asAdmin)) // written after the others
			if c.store != "off" {
				waitLogs(t, s, "function=chatty&status=error", 2)
			}
			names := map[string]string{fine: "fine", failed: "failed"}
			var stored []string
			for _, id := range requestIDs(logsOf(t, s, "function=chatty")) {
				if names[id] != "" {
					stored = append(stored, names[id])
				}
			}
			log := out.String()
			if strings.Contains(log, "said fine") != c.okLine || strings.Contains(log, "said oops") != c.failed ||
				strings.Join(stored, ",") != strings.Join(c.stored, ",") {
				t.Errorf("MINIBASE_FUNCTIONS_LOG=%s, _STORE=%s: stored %v, server log %q", c.log, c.store, stored, log)
			}
		})
	}
}

// TestFunctionLogsTail: the live tail over a real WebSocket connection:
// admin only (header or ?access_token=), one function's records or all, as
// they are written; a bounded number of tails; a shutdown with tails open
// is not held up.
func TestFunctionLogsTail(t *testing.T) {
	s := servertest.New(t, servertest.Options{Listen: true})
	s.Deploy(t, "chatty", map[string]string{"index.js": chattyFn}, "")
	s.Deploy(t, "quiet", map[string]string{"index.js": `exports.main = () => 1`}, "")
	user := s.Token(t, alice)
	key := servertest.AdminKey

	base := "ws" + strings.TrimPrefix(s.URL, "http") + "/v1/admin/functions/logs/tail"
	dial := func(query, bearer string) (*websocket.Conn, int, error) {
		h := http.Header{}
		if bearer != "" {
			h.Set("Authorization", "Bearer "+bearer)
		}
		c, resp, err := websocket.DefaultDialer.Dial(base+query, h)
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		if c != nil {
			t.Cleanup(func() { c.Close() })
		}
		return c, status, err
	}
	for _, c := range []struct {
		what, query, bearer string
		status              int
	}{
		{"no token", "", "", 403},
		{"an end user's token", "", user, 403},
		{"an end user's token in the query", "?access_token=" + user, "", 403},
		{"a wrong key", "?access_token=not-the-key-0123456789", "", 401},
		{"an unknown parameter", "?fn=chatty", key, 400},
	} {
		if _, status, err := dial(c.query, c.bearer); err == nil || status != c.status {
			t.Errorf("%s: status %d, %v; want %d", c.what, status, err, c.status)
		}
	}
	chatty, _, err := dial("?function=chatty&access_token="+key, "")
	if err != nil {
		t.Fatalf("tail with ?access_token=: %v", err)
	}
	all, _, err := dial("", key)
	if err != nil {
		t.Fatalf("tail with the header: %v", err)
	}

	call := func(fn, body string) string {
		t.Helper()
		r := s.Do(t, invoke(fn, body, asAdmin))
		r.Expect(t, 200, "")
		return r.Str("requestID")
	}
	read := func(c *websocket.Conn) map[string]any {
		t.Helper()
		c.SetReadDeadline(time.Now().Add(servertest.WaitTimeout))
		_, msg, err := c.ReadMessage()
		if err != nil {
			t.Fatalf("tail: %v", err)
		}
		var rec map[string]any
		if err := json.Unmarshal(msg, &rec); err != nil {
			t.Fatalf("tail sent %q", msg)
		}
		return rec
	}
	q := call("quiet", `{}`)
	ch := call("chatty", `{"data":{"say":"live"}}`)
	if rec := read(chatty); rec["requestId"] != ch || rec["function"] != "chatty" ||
		rec["logs"].([]any)[0].(map[string]any)["message"] != "said live" {
		t.Errorf("the chatty tail got %v, want chatty's record %s", rec, ch)
	}
	if r1, r2 := read(all), read(all); r1["requestId"] != q || r2["requestId"] != ch {
		t.Errorf("the tail of all got %v then %v, want %s then %s", r1["requestId"], r2["requestId"], q, ch)
	}

	// 16 tails at most (2 open): the 17th is refused before the upgrade.
	for i := range 14 {
		if _, _, err := dial("", key); err != nil {
			t.Fatalf("tail %d: %v", i+3, err)
		}
	}
	if _, status, err := dial("", key); err == nil || status != 429 {
		t.Errorf("a 17th tail: %d %v, want 429", status, err)
	}

	// A shutdown with 16 tails open: the server still stops (Run returns,
	// Close closes; the harness fails the test on an error of either), and
	// says goodbye.
	closed := make(chan struct{})
	go func() { s.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(servertest.WaitTimeout):
		t.Fatalf("the server did not shut down within %v with tails open", servertest.WaitTimeout)
	}
	all.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, _, err := all.ReadMessage(); !websocket.IsCloseError(err, websocket.CloseGoingAway) {
		t.Errorf("a tail when the server exits: %v, want a close 1001 (going away)", err)
	}
}
