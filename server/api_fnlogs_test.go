package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
)

const chattyFn = `exports.main = async (event) => {
  console.log('said', event.say);
  if (event.fail) throw new Error(event.fail);
  return event.say;
};`

// waitLogs polls the logs API until query returns n records.
func (m *Server) waitLogs(t *testing.T, query string, n int) answer {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		a := m.do(t, "GET", "/v1/admin/functions/logs?"+query, testKey, "")
		if data, _ := a.body["data"].([]any); a.status == 200 && len(data) == n {
			return a
		}
	}
	t.Fatalf("logs?%s: never %d records", query, n)
	return answer{}
}

func requestIDs(a answer) []string {
	var out []string
	data, _ := a.body["data"].([]any)
	for _, d := range data {
		out = append(out, d.(map[string]any)["requestId"].(string))
	}
	return out
}

// The admin API finds invocation records by function, requestId, openid,
// status and time, newest first, page by page; it refuses bad parameters
// and anyone but an admin.
func TestFunctionLogsAPI(t *testing.T) {
	m, _ := newAuthMain(t, nil)
	m.deploy(t, "chatty", chattyFn, "")
	m.deploy(t, "quiet", `exports.main = () => 1`, "")
	user := m.signIn(t, "/v1/auth/anonymous", "", "").str("access_token")
	openid := m.do(t, "GET", "/v1/auth/me", user, "").str("user.openid")

	before := time.Now()
	var reqs []string // in call order
	for _, c := range []struct{ fn, bearer, body string }{
		{"chatty", user, `{"data":{"say":"one"}}`},
		{"quiet", user, `{}`},
		{"chatty", testKey, `{"data":{"say":"two"}}`},
		{"chatty", user, `{"data":{"say":"three","fail":"no luck"}}`},
	} {
		a := m.do(t, "POST", "/v1/functions/"+c.fn+"/invoke", c.bearer, c.body)
		reqs = append(reqs, a.str("requestID")+a.str("requestId"))
	}
	m.waitLogs(t, "", 4)
	after := time.Now()

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
		{"a range", fmt.Sprintf("since=%d&until=%d&function=quiet", before.UnixMilli(), after.UnixMilli()+1), []int{1}},
	} {
		a := m.do(t, "GET", "/v1/admin/functions/logs?"+c.query, testKey, "")
		var want []string
		for _, i := range c.want {
			want = append(want, reqs[i])
		}
		if got := requestIDs(a); a.status != 200 || strings.Join(got, ",") != strings.Join(want, ",") || a.body["next"] != nil {
			t.Errorf("%s: %d %v (next %v), want %v", c.what, a.status, got, a.body["next"], want)
		}
	}

	failed := m.do(t, "GET", "/v1/admin/functions/logs?status=error", testKey, "")
	expect(t, "a failed invocation's record", failed, 200, `{}`)
	rec := failed.body["data"].([]any)[0].(map[string]any)
	logs, _ := rec["logs"].([]any)
	if rec["function"] != "chatty" || rec["openid"] != openid || rec["source"] != "wx_client" || rec["errCode"] != float64(-504002) ||
		!strings.HasPrefix(rec["error"].(string), "Error: no luck") || rec["duration"].(float64) <= 0 || rec["memoryLimit"] != float64(256) ||
		len(logs) != 1 || logs[0].(map[string]any)["message"] != "said three" {
		t.Errorf("the failed record: %v", rec)
	}

	// Pages of one, following next.
	var got []string
	for q, pages := "limit=1", 0; ; pages++ {
		a := m.do(t, "GET", "/v1/admin/functions/logs?"+q, testKey, "")
		got = append(got, requestIDs(a)...)
		next, _ := a.body["next"].(string)
		if next == "" || pages > 10 {
			break
		}
		q = "limit=1&cursor=" + next
	}
	if strings.Join(got, ",") != strings.Join([]string{reqs[3], reqs[2], reqs[1], reqs[0]}, ",") {
		t.Errorf("paged: %v", got)
	}

	for _, c := range []struct {
		what, query, bearer string
		status              int
		want                string
	}{
		{"an end user", "", user, 403, `{"code":"PERMISSION_DENIED"}`},
		{"a visitor", "", "", 403, `{"code":"PERMISSION_DENIED"}`},
		{"limit over 200", "limit=201", testKey, 400, `{"code":"INVALID_PARAM"}`},
		{"limit 0", "limit=0", testKey, 400, `{"code":"INVALID_PARAM"}`},
		{"limit not a number", "limit=ten", testKey, 400, `{"code":"INVALID_PARAM"}`},
		{"a made-up cursor", "cursor=abc", testKey, 400, `{"code":"INVALID_PARAM"}`},
		{"an unknown status", "status=failed", testKey, 400, `{"code":"INVALID_PARAM"}`},
		{"a bad time", "since=yesterday", testKey, 400, `{"code":"INVALID_PARAM"}`},
		{"an unknown parameter", "fn=chatty", testKey, 400, `{"code":"INVALID_PARAM"}`},
		{"since after until", "since=2000&until=1000", testKey, 400, `{"code":"INVALID_PARAM"}`},
	} {
		expect(t, c.what, m.do(t, "GET", "/v1/admin/functions/logs?"+c.query, c.bearer, ""), c.status, c.want)
	}
	expect(t, "stats", m.do(t, "GET", "/v1/admin/functions/logs/stats", testKey, ""), 200, `{"written":4,"dropped":0,"failed":0,"maxBytes":268435456,"maxAgeHours":168}`)
	expect(t, "stats are for admins", m.do(t, "GET", "/v1/admin/functions/logs/stats", user, ""), 403, `{"code":"PERMISSION_DENIED"}`)
	expect(t, "the tail needs an upgrade", m.do(t, "GET", "/v1/admin/functions/logs/tail", testKey, ""), 426, "")
	expect(t, "and an admin", m.do(t, "GET", "/v1/admin/functions/logs/tail", user, ""), 403, `{"code":"PERMISSION_DENIED"}`)
}

// Asynchronous outcomes live in the log store: queryable by requestID as
// before, never a collection of the app's database.
func TestFunctionOutcomesAreSystemData(t *testing.T) {
	m, _ := newAuthMain(t, nil)
	m.deploy(t, "sum", `exports.main = async (e) => ({ sum: e.a + e.b })`, "")
	user := m.signIn(t, "/v1/auth/anonymous", "", "").str("access_token")
	id := m.do(t, "POST", "/v1/functions/sum/invoke", user, `{"data":{"a":2,"b":3},"async":true}`).str("requestID")
	var a answer
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline) && a.str("status") != "succeeded"; time.Sleep(2 * time.Millisecond) {
		a = m.do(t, "GET", "/v1/functions/invocations/"+id, user, "")
	}
	expect(t, "the outcome", a, 200, `{"requestID":"`+id+`","status":"succeeded","result":{"sum":5}}`)
	colls := m.do(t, "GET", "/v1/admin/collections", testKey, "")
	if strings.Contains(colls.raw, "invocations") || strings.Contains(colls.raw, "logs") {
		t.Errorf("the app's collections: %s", colls.raw)
	}
	for _, coll := range []string{"functions_invocations", "invocations", "logs"} {
		expect(t, coll+" through /v1/db", m.do(t, "POST", "/v1/db/"+coll+"/query", testKey, `{}`), 404, `{"code":"DATABASE_COLLECTION_NOT_EXIST"}`)
	}
}

// MINIBASE_FUNCTIONS_LOG still chooses what reaches the server log, and
// MINIBASE_FUNCTIONS_LOG_STORE what the store keeps, each on its own.
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
		var out bytes.Buffer
		m, _ := newAuthMainLog(t, func(cfg *Config) { cfg.Functions.Log, cfg.Functions.LogStore = c.log, c.store },
			slog.New(slog.NewTextHandler(&out, nil)))
		m.deploy(t, "chatty", chattyFn, "")
		fine := m.do(t, "POST", "/v1/functions/chatty/invoke", testKey, `{"data":{"say":"fine"}}`).str("requestID")
		failed := m.do(t, "POST", "/v1/functions/chatty/invoke", testKey, `{"data":{"say":"oops","fail":"broken"}}`).str("requestId")
		m.do(t, "POST", "/v1/functions/chatty/invoke", testKey, `{"data":{"say":"last","fail":"marker"}}`) // written after the others
		if c.store != "off" {
			m.waitLogs(t, "function=chatty&status=error", 2)
		}
		names := map[string]string{fine: "fine", failed: "failed"}
		var stored []string
		for _, id := range requestIDs(m.do(t, "GET", "/v1/admin/functions/logs?function=chatty", testKey, "")) {
			if names[id] != "" {
				stored = append(stored, names[id])
			}
		}
		log := out.String()
		if strings.Contains(log, "said fine") != c.okLine || strings.Contains(log, "said oops") != c.failed ||
			strings.Join(stored, ",") != strings.Join(c.stored, ",") {
			t.Errorf("MINIBASE_FUNCTIONS_LOG=%s, _STORE=%s: stored %v, server log %q", c.log, c.store, stored, log)
		}
	}
}

func TestFunctionLogsSettings(t *testing.T) {
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	if c, err := parseFunctions(env(nil)); err != nil || c.LogStore != "all" || c.LogAge != 7*24*time.Hour || c.LogSize != 256<<20 || c.Memory != 0 {
		t.Errorf("defaults: age %v, size %d, memory %d, %v", c.LogAge, c.LogSize, c.Memory, err)
	}
	if c, err := parseFunctions(env(map[string]string{"MINIBASE_FUNCTIONS_MEMORY": "2GiB"})); err != nil || c.Memory != 2<<30 {
		t.Errorf("MINIBASE_FUNCTIONS_MEMORY=2GiB: %d, %v", c.Memory, err)
	}
	for _, c := range []struct {
		age, size string
		wantAge   time.Duration
		wantSize  int64
	}{{"30d", "1GiB", 30 * 24 * time.Hour, 1 << 30}, {"36h", "2MiB", 36 * time.Hour, 2 << 20}} {
		got, err := parseFunctions(env(map[string]string{"MINIBASE_FUNCTIONS_LOG_AGE": c.age, "MINIBASE_FUNCTIONS_LOG_SIZE": c.size}))
		if err != nil || got.LogAge != c.wantAge || got.LogSize != c.wantSize {
			t.Errorf("%s, %s: age %v, size %d, %v", c.age, c.size, got.LogAge, got.LogSize, err)
		}
	}
	for _, bad := range []map[string]string{
		{"MINIBASE_FUNCTIONS_LOG_AGE": "a week"},
		{"MINIBASE_FUNCTIONS_LOG_AGE": "10s"},
		{"MINIBASE_FUNCTIONS_LOG_AGE": "-1d"},
		{"MINIBASE_FUNCTIONS_LOG_SIZE": "100KiB"},
		{"MINIBASE_FUNCTIONS_LOG_SIZE": "lots"},
		{"MINIBASE_FUNCTIONS_LOG_STORE": "some"},
		{"MINIBASE_FUNCTIONS_MEMORY": "32MiB"},
		{"MINIBASE_FUNCTIONS_MEMORY": "a lot"},
	} {
		if _, err := parseFunctions(env(bad)); err == nil {
			t.Errorf("%v: accepted", bad)
		}
	}
}

// The live tail over a real WebSocket connection: admin only (header or
// ?access_token=), one function's records or all, as they are written; a
// bounded number of tails; a shutdown with tails open is not held up.
func TestFunctionLogsTail(t *testing.T) {
	bin, dir, addr := binary(t), t.TempDir(), freeAddr(t)
	s := startServer(t, bin, dir, addr)
	for name, code := range map[string]string{"chatty": chattyFn, "quiet": `exports.main = () => 1`} {
		b, _ := json.Marshal(map[string]any{"files": map[string]string{"index.js": code}})
		if status, body, err := s.do("PUT", "/v1/admin/functions/"+name, string(b)); err != nil || status != 200 {
			t.Fatalf("deploy %s: %d %v %v", name, status, body, err)
		}
	}
	_, anon, _ := s.post("/v1/auth/anonymous", "")
	user, _ := anon["access_token"].(string)

	base := "ws://" + addr + "/v1/admin/functions/logs/tail"
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
		{"an unknown parameter", "?fn=chatty", testKey, 400},
	} {
		if _, status, err := dial(c.query, c.bearer); err == nil || status != c.status {
			t.Errorf("%s: status %d, %v; want %d", c.what, status, err, c.status)
		}
	}
	chatty, _, err := dial("?function=chatty&access_token="+testKey, "")
	if err != nil {
		t.Fatalf("tail with ?access_token=: %v", err)
	}
	all, _, err := dial("", testKey)
	if err != nil {
		t.Fatalf("tail with the header: %v", err)
	}

	invoke := func(fn, body string) string {
		t.Helper()
		_, res, err := s.post("/v1/functions/"+fn+"/invoke", body)
		if err != nil {
			t.Fatal(err)
		}
		id, _ := res["requestID"].(string)
		return id
	}
	read := func(c *websocket.Conn) map[string]any {
		t.Helper()
		c.SetReadDeadline(time.Now().Add(30 * time.Second))
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
	q := invoke("quiet", `{}`)
	ch := invoke("chatty", `{"data":{"say":"live"}}`)
	if rec := read(chatty); rec["requestId"] != ch || rec["function"] != "chatty" ||
		rec["logs"].([]any)[0].(map[string]any)["message"] != "said live" {
		t.Errorf("the chatty tail got %v, want chatty's record %s", rec, ch)
	}
	if r1, r2 := read(all), read(all); r1["requestId"] != q || r2["requestId"] != ch {
		t.Errorf("the tail of all got %v then %v, want %s then %s", r1["requestId"], r2["requestId"], q, ch)
	}

	// 16 tails at most (2 open): the 17th is refused before the upgrade.
	for i := range 14 {
		if _, _, err := dial("", testKey); err != nil {
			t.Fatalf("tail %d: %v", i+3, err)
		}
	}
	if _, status, err := dial("", testKey); err == nil || status != 429 {
		t.Errorf("a 17th tail: %d %v, want 429", status, err)
	}

	// SIGTERM with 16 tails open: the server still exits, and says goodbye.
	s.cmd.Process.Signal(syscall.SIGTERM)
	exited := make(chan error, 1)
	go func() { exited <- s.cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("exit: %v; output:\n%s", err, s.out)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("the server did not exit with tails open; output:\n%s", s.out)
	}
	all.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, _, err := all.ReadMessage(); !websocket.IsCloseError(err, websocket.CloseGoingAway) {
		t.Errorf("a tail when the server exits: %v, want a close 1001 (going away)", err)
	}
}
