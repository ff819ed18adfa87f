package server

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
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

// deployFn deploys a function over the admin API.
func (s *server) deployFn(t *testing.T, name, index, config string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"files": map[string]string{"index.js": index}, "config": json.RawMessage(config)})
	if code, res, err := s.do("PUT", "/v1/admin/functions/"+name, string(body)); err != nil || code != 200 {
		t.Fatalf("deploy %s: %d %v %v", name, code, res, err)
	}
}

// waitAudit waits for the audit document of order and returns it.
func (s *server) waitAudit(t *testing.T, order string) map[string]any {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		code, res, err := s.post("/v1/db/audit/query", `{"filter": {"order": "`+order+`"}}`)
		if err != nil {
			t.Fatal(err)
		}
		if data, _ := res["data"].([]any); code == 200 && len(data) > 0 {
			if len(data) > 1 {
				t.Errorf("%d audit documents of %s, want 1", len(data), order)
			}
			return data[0].(map[string]any)
		}
	}
	t.Fatalf("no audit document of %s after 20 s; server output:\n%s", order, s.out)
	return nil
}

// A database trigger end to end: a function deployed over HTTP with a
// trigger on orders runs after an order is inserted through /v1/db, with
// the inserted document (its date a Date), and writes its audit document.
func TestDatabaseTriggerEndToEnd(t *testing.T) {
	bin, dir, addr := binary(t), t.TempDir(), freeAddr(t)
	s := startServer(t, bin, dir, addr)
	s.deployFn(t, "audit", auditFn, auditConfig)
	for _, order := range []string{`{"_id": "free", "amount": 0}`, `{"_id": "o1", "amount": 42, "placedAt": {"$date": "2024-05-01T08:00:00.000Z"}}`} {
		if code, res, err := s.post("/v1/db/orders/insert", `{"data": `+order+`}`); err != nil || code != 200 {
			t.Fatalf("insert %s: %d %v %v", order, code, res, err)
		}
	}
	a := s.waitAudit(t, "o1")
	placed, _ := a["placedAt"].(map[string]any)
	if a["action"] != "insert" || a["amount"] != 42.0 || a["source"] != "wx_trigger" || placed["$date"] != "2024-05-01T08:00:00.000Z" {
		t.Errorf("audit document %v, want action insert, amount 42, source wx_trigger and placedAt stored as a date", a)
	}
	if _, res, _ := s.post("/v1/db/audit/count", `{}`); res["total"] != 1.0 {
		t.Errorf("%v audit documents, want 1 (the free order does not match the filter)", res["total"])
	}
}

// A committed write whose trigger has not run yet is delivered after a
// crash: the function fails (its retry is an hour away) when the server
// is killed; after a restart with the function fixed, the order is
// audited.
func TestDatabaseTriggerSurvivesKill(t *testing.T) {
	bin, dir, addr := binary(t), t.TempDir(), freeAddr(t)
	s := startServerEnv(t, bin, dir, addr, []string{"MINIBASE_ADMIN_KEY=" + testKey, "MINIBASE_FUNCTIONS_RETRY_BACKOFF=1h"})
	broken := strings.Replace(auditFn, "if (event.Type", "throw new Error('not yet'); if (event.Type", 1)
	s.deployFn(t, "audit", broken, auditConfig)
	if code, _, err := s.post("/v1/db/orders/insert", `{"data": {"_id": "o1", "amount": 7}}`); err != nil || code != 200 {
		t.Fatalf("insert: %d %v", code, err)
	}
	s.cmd.Process.Signal(syscall.SIGKILL)
	s.cmd.Wait()
	if err := os.WriteFile(filepath.Join(dir, "functions", "audit", "index.js"), []byte(auditFn), 0o600); err != nil {
		t.Fatal(err)
	}
	s2 := startServer(t, bin, dir, addr)
	if a := s2.waitAudit(t, "o1"); a["amount"] != 7.0 {
		t.Errorf("audit after the restart: %v, want amount 7", a)
	}
}
