//go:build !minibase_fuzz

package functions_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"minibase/server/servertest"
)

// auditFn is a CloudBase-style function: on an order's insert, it writes
// an audit document.
const auditFn = `const cloud = require('wx-server-sdk')
cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV })
const db = cloud.database()

exports.main = async (event, context) => {
  if (event.Type !== 'Database') return 'not a trigger'
  await db.collection('audit').add({ data: {
    order: event.DocId, action: event.Event, amount: event.Doc.amount,
    placedAt: event.Doc.placedAt, source: cloud.getWXContext().SOURCE,
  } })
}`

const auditConfig = `{"triggers": [{"name": "onOrder", "type": "database", "config": {"collection": "orders", "events": ["insert"], "filter": {"amount": {"$gt": 0}}}}]}`

// insertOrder is the admin's insert of an order (a document's JSON).
func insertOrder(order string) servertest.Request {
	return servertest.Request{Method: "POST", URL: "/v1/db/orders/insert", Body: `{"data": ` + order + `}`, As: asAdmin}
}

// waitAudit waits until order has an audit document, and returns the
// audit query's answer.
func waitAudit(tb testing.TB, s *servertest.Server, order string) *servertest.Response {
	tb.Helper()
	var r *servertest.Response
	servertest.WaitFor(tb, "the audit document of "+order, func() bool {
		r = s.Do(tb, servertest.Request{Method: "POST", URL: "/v1/db/audit/query", Body: `{"filter": {"order": "` + order + `"}}`,
			As: asAdmin})
		return r.Status == 200 && records(r) > 0
	})
	return r
}

// TestDatabaseTriggerEndToEnd: a function deployed over HTTP with a
// trigger on orders runs after an order is inserted through /v1/db, with
// the inserted document (its date a Date), and writes its audit document;
// an order the trigger's filter does not match runs nothing.
func TestDatabaseTriggerEndToEnd(t *testing.T) {
	s := servertest.New(t, servertest.Options{Listen: true})
	s.Deploy(t, "audit", map[string]string{"index.js": auditFn}, auditConfig)
	s.Do(t, insertOrder(`{"_id": "free", "amount": 0}`)).Expect(t, 200, "")
	s.Do(t, insertOrder(`{"_id": "o1", "amount": 42, "placedAt": {"$date": "2024-05-01T08:00:00.000Z"}}`)).Expect(t, 200, "")
	// One audit document of o1: action insert, amount 42, source
	// wx_trigger and placedAt stored as a date.
	waitAudit(t, s, "o1").Expect(t, 200, `{"data":[{"order":"o1","action":"insert","amount":42,"source":"wx_trigger",
		"placedAt":{"$date":"2024-05-01T08:00:00.000Z"}}]}`)
	s.Run(t, servertest.Scenario{Name: "the free order does not match the filter", Method: "POST", URL: "/v1/db/audit/count",
		Body: `{}`, As: asAdmin, Status: 200, Equal: `{"total":1}`})
}

// TestDatabaseTriggerSurvivesKill: a committed write whose trigger has not
// run yet is delivered after a crash. The function fails (its retry is an
// hour away) when the server, a minibase process, is killed with SIGKILL;
// after a restart on the same data with the function fixed, the order is
// audited.
func TestDatabaseTriggerSurvivesKill(t *testing.T) {
	dir := t.TempDir()
	p := startMinibase(t, dir, "MINIBASE_ADMIN_KEY="+servertest.AdminKey, "MINIBASE_FUNCTIONS_RETRY_BACKOFF=1h")
	broken := strings.Replace(auditFn, "if (event.Type", "throw new Error('not yet'); if (event.Type", 1)
	p.send(t, deploy("audit", broken, auditConfig))
	p.send(t, insertOrder(`{"_id": "o1", "amount": 7}`))
	p.cmd.Process.Signal(syscall.SIGKILL)
	p.cmd.Wait()

	if err := os.WriteFile(filepath.Join(dir, "functions", "audit", "index.js"), []byte(auditFn), 0o600); err != nil {
		t.Fatal(err)
	}
	s := servertest.New(t, servertest.Options{Dir: dir, Listen: true})
	waitAudit(t, s, "o1").Expect(t, 200, `{"data":[{"order":"o1","amount":7}]}`)
}

// minibase is a `minibase serve` child process.
type minibase struct {
	cmd  *exec.Cmd
	url  string
	out  *lockedBuffer
	http *http.Client
}

// startMinibase runs the minibase binary (binary) on dir with the
// environment env added, on a 127.0.0.1 port, and waits until it answers;
// it is killed when the test ends.
func startMinibase(t *testing.T, dir string, env ...string) *minibase {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	p := &minibase{url: "http://" + addr, out: &lockedBuffer{}, http: &http.Client{Timeout: servertest.RequestTimeout}}
	p.cmd = exec.Command(binary(t), "serve", "--dir", dir, "--http", addr)
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.cmd.Process.Kill(); p.cmd.Wait() })
	servertest.WaitFor(t, "minibase to serve on "+addr, func() bool {
		resp, err := p.http.Get(p.url + "/v1/health")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	return p
}

// send sends r (Body a string, or JSON) to the process as servertest
// would, and requires a 2xx answer.
func (p *minibase) send(t *testing.T, r servertest.Request) {
	t.Helper()
	body, ok := r.Body.(string)
	if !ok {
		b, err := json.Marshal(r.Body)
		if err != nil {
			t.Fatal(err)
		}
		body = string(b)
	}
	req, err := http.NewRequest(r.Method, p.url+r.URL, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if r.As == asAdmin {
		req.Header.Set("Authorization", "Bearer "+servertest.AdminKey)
	}
	resp, err := p.http.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", r.Method, r.URL, err)
	}
	defer resp.Body.Close()
	var out bytes.Buffer
	out.ReadFrom(resp.Body)
	if resp.StatusCode/100 != 2 {
		t.Fatalf("%s %s: %d %.300s; server output:\n%s", r.Method, r.URL, resp.StatusCode, out.String(), p.out)
	}
}

// binary is the minibase binary under test: $MINIBASE_BIN (make test
// builds it with the Dockerfile's flags) or a static build made once per
// test binary.
func binary(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("MINIBASE_BIN"); p != "" {
		return p
	}
	built.once.Do(func() {
		dir, err := os.MkdirTemp("", "minibase-test-bin")
		if err != nil {
			built.err = err
			return
		}
		built.path = filepath.Join(dir, "minibase")
		cmd := exec.Command("go", "build", "-trimpath", "-o", built.path, "minibase")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if b, err := cmd.CombinedOutput(); err != nil {
			built.err = fmt.Errorf("build: %v\n%s", err, b)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.path
}

var built struct {
	once sync.Once
	path string
	err  error
}
