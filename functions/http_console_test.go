//go:build !minibase_fuzz

package functions_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"minibase/server/servertest"
)

// fullConfig sets every console field: timeout, memory, env, and one
// trigger of each kind.
const fullConfig = `{"timeout": 10, "memorySize": 128, "envVariables": {"GREETING": "hi"},
	"http": [{"path": "/hi", "methods": ["GET"]}],
	"triggers": [{"name": "nightly", "type": "timer", "config": "0 0 2 * * * *"},
		{"name": "onOrder", "type": "database", "config": {"collection": "orders", "events": ["insert"]}}]}`

// TestFunctionDetailForConsole: a function's detail gives its triggers,
// the timer with its next five runs (02:00 in UTC+8, CloudBase's zone),
// and the timeout, memory and environment set by the deployment's config.
func TestFunctionDetailForConsole(t *testing.T) {
	servertest.Run(t, []servertest.Scenario{
		{Name: "triggers, timeout, memory, env", Setup: []servertest.Request{deploy("hi", `exports.main = () => process.env.GREETING`, fullConfig)},
			Method: "GET", URL: "/v1/admin/functions/hi", As: asAdmin, Status: 200,
			Want: `{"timeout":10,"memorySize":128,"config":{"envVariables":{"GREETING":"hi"}},"triggers":{` +
				`"http":[{"path":"/hi","methods":["GET"]}],` +
				`"cron":[{"name":"nightly","expr":"0 0 2 * * * *"}],` +
				`"db":[{"name":"onOrder","collection":"orders","events":["insert"]}]}}`,
			After: func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
				var v struct {
					Triggers struct{ Cron []struct{ Next []time.Time } }
				}
				if err := json.Unmarshal([]byte(r.Body), &v); err != nil || len(v.Triggers.Cron) != 1 {
					tb.Fatalf("%v: %s", err, r.Body)
				}
				next := v.Triggers.Cron[0].Next
				if len(next) != 5 {
					tb.Fatalf("next runs: %v, want 5", next)
				}
				zone := time.FixedZone("", 8*3600)
				for i, at := range next {
					if h, m, s := at.In(zone).Clock(); h != 2 || m != 0 || s != 0 {
						tb.Errorf("run %d at %v, want 02:00:00 UTC+8", i, at)
					}
					if i > 0 && at.Sub(next[i-1]) != 24*time.Hour {
						tb.Errorf("runs %d and %d are %v apart", i-1, i, at.Sub(next[i-1]))
					}
				}
				if wait := time.Until(next[0]); wait <= 0 || wait > 24*time.Hour {
					tb.Errorf("first run in %v", wait)
				}
			}},
		{Name: "no triggers: empty lists", Setup: []servertest.Request{deploy("plain", `exports.main = () => 1`, "")},
			Method: "GET", URL: "/v1/admin/functions/plain", As: asAdmin, Status: 200,
			Want: `{"triggers":{"http":[],"cron":[],"db":[]}}`},
		{Name: "env, timeout and memory are checked at deploy", Method: "PUT", URL: "/v1/admin/functions/bad", As: asAdmin,
			Body:   map[string]any{"files": map[string]string{"index.js": "exports.main = () => 1"}, "config": json.RawMessage(`{"memorySize": 9999}`)},
			Status: 400, Want: `{"code":"INVALID_PARAM","message":"function bad: config.json: memorySize must be 64 to 4096 (MB), got 9999"}`},
	})
}

// TestFunctionRun: the console's run panel answers the result or the
// error with that run's console output, bounded; only an admin may run.
func TestFunctionRun(t *testing.T) {
	logs := deploy("echo", `exports.main = async (event) => { console.log("got", event.n); console.warn("careful"); return event.n * 2 }`, "")
	fails := deploy("fails", `exports.main = async () => { console.error("about to fail"); throw new Error("boom") }`, "")
	chatty := deploy("chatty", `exports.main = async () => { for (let i = 0; i < 3000; i++) console.log("line " + i); return "done" }`, "")
	noisy := deploy("noisy", `exports.main = async () => { const s = "x".repeat(10000); for (let i = 0; i < 100; i++) console.log(s); return 1 }`, "")
	run := func(name string) string { return "/v1/admin/functions/" + name + "/run" }
	servertest.Run(t, []servertest.Scenario{
		{Name: "result and output", Setup: []servertest.Request{logs}, Method: "POST", URL: run("echo"), Body: `{"data":{"n":21}}`, As: asAdmin,
			Status: 200, Want: `{"result":42,"logs":[{"level":"log","msg":"got 21"},{"level":"warn","msg":"careful"}]}`,
			Absent: []string{`"error"`},
			After: func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
				if r.Str("requestID") == "" || r.Value("ms") == nil || r.Str("logs.0.time") == "" {
					tb.Errorf("no requestID, ms or time: %s", r.Body)
				}
			}},
		{Name: "a failure with its output", Setup: []servertest.Request{fails}, Method: "POST", URL: run("fails"), Body: `{}`, As: asAdmin,
			Status: 200, Want: `{"result":null,"error":{"code":"FUNCTIONS_EXECUTE_FAIL"},"logs":[{"level":"error","msg":"about to fail"}]}`,
			After: func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
				if !strings.Contains(r.Str("error.message"), "boom") {
					tb.Errorf("error message: %s", r.Body)
				}
			}},
		{Name: "lines are bounded", Setup: []servertest.Request{chatty}, Method: "POST", URL: run("chatty"), Body: `{}`, As: asAdmin,
			Status: 200, Want: `{"result":"done"}`,
			After: func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
				lines, _ := r.Value("logs").([]any)
				if len(lines) != 1001 || !strings.Contains(r.Str("logs.1000.msg"), "2000 more lines") {
					tb.Errorf("%d lines, last %q", len(lines), r.Str("logs.1000.msg"))
				}
			}},
		{Name: "bytes are bounded", Setup: []servertest.Request{noisy}, Method: "POST", URL: run("noisy"), Body: `{}`, As: asAdmin,
			Status: 200, Want: `{"result":1}`,
			After: func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
				if len(r.Body) > 80<<10 || !strings.Contains(r.Body, "more log lines dropped") {
					tb.Errorf("answer of %d bytes: %.300s", len(r.Body), r.Body)
				}
			}},
		{Name: "no such function", Method: "POST", URL: run("nope"), Body: `{}`, As: asAdmin,
			Status: 404, Want: `{"code":"FUNCTION_NOT_FOUND"}`},
		{Name: "data must be an object", Setup: []servertest.Request{logs}, Method: "POST", URL: run("echo"), Body: `{"data":[1]}`, As: asAdmin,
			Status: 400, Want: `{"code":"INVALID_PARAM"}`},
		{Name: "malformed body", Setup: []servertest.Request{logs}, Method: "POST", URL: run("echo"), Body: `{"data":`, As: asAdmin,
			Status: 400},
		{Name: "oversized event", Setup: []servertest.Request{logs}, Method: "POST", URL: run("echo"),
			Body: `{"data":{"s":"` + strings.Repeat("x", 7<<20) + `"}}`, As: asAdmin, Status: 413},
		{Name: "a user may not", Setup: []servertest.Request{logs}, Method: "POST", URL: run("echo"), Body: `{}`, As: alice,
			Status: 403, Want: `{"code":"PERMISSION_DENIED"}`},
		{Name: "a visitor may not", Setup: []servertest.Request{logs}, Method: "POST", URL: run("echo"), Body: `{}`, Status: 403},
	})
}
