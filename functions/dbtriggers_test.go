//go:build !minibase_fuzz

package functions

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"minibase/db"
	"minibase/db/sqlite"
)

// triggerEnv is a runtime over a functions folder and a real database,
// with database triggers set by Refresh and delivered by Run.
type triggerEnv struct {
	dir *Dir
	drv *sqlite.DB
	svc *db.Service
	tr  *Triggers
	dbt *DBTriggers

	mu      sync.Mutex
	reports []string
	waits   []time.Duration // the backoffs delivery waited
}

func newTriggerEnv(t *testing.T) *triggerEnv {
	t.Helper()
	dir, err := OpenDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	dir.every = 0 // see edits on disk at once
	drv, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "data.db"), sqlite.Options{Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { drv.Close() })
	svc := db.NewService(drv, db.Limits{})
	rt, err := New(dir, svc, Options{Async: AsyncOptions{Retries: 2, Backoff: 50 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Close() })
	e := &triggerEnv{dir: dir, drv: drv, svc: svc, dbt: NewDBTriggers(rt, drv)}
	e.dbt.sleep = func(ctx context.Context, d time.Duration) bool {
		e.mu.Lock()
		e.waits = append(e.waits, d)
		e.mu.Unlock()
		return ctx.Err() == nil
	}
	e.tr = NewTriggers(rt, dir, dir, time.UTC)
	e.tr.SetDatabase(e.dbt)
	return e
}

// deploy puts a function and rereads the triggers, as a deployment does.
func (e *triggerEnv) deploy(t *testing.T, name, index, config string) {
	t.Helper()
	deploy(t, e.dir, name, index, config)
	e.refresh(t)
}

func (e *triggerEnv) refresh(t *testing.T) {
	t.Helper()
	if err := e.tr.Refresh(context.Background(), time.Now()); err != nil {
		t.Fatal(err)
	}
}

// start runs delivery until stop is called or the test ends.
func (e *triggerEnv) start(t *testing.T) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		e.dbt.Run(ctx, func(err error) {
			e.mu.Lock()
			e.reports = append(e.reports, err.Error())
			e.mu.Unlock()
		})
	}()
	stop = func() { cancel(); <-done }
	t.Cleanup(stop)
	return stop
}

// until waits for cond (polling), failing after 30 s.
func until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("still not %s after 30 s", what)
		}
	}
}

// pending counts the changes waiting for delivery.
func (e *triggerEnv) pending(t *testing.T) int {
	t.Helper()
	cs, err := e.drv.Changes(context.Background(), FeedConsumer, 0, db.MaxChanges)
	if err != nil {
		t.Fatal(err)
	}
	return len(cs)
}

// settle waits until every change was delivered (and acknowledged): the
// functions they ran have finished, and their own changes too.
func (e *triggerEnv) settle(t *testing.T) {
	t.Helper()
	until(t, "delivered", func() bool { return e.pending(t) == 0 })
}

// write runs a database call as an admin.
func (e *triggerEnv) write(t *testing.T, call string) {
	t.Helper()
	verb, rest, _ := strings.Cut(call, " ")
	coll, body, _ := strings.Cut(rest, " ")
	v, err := db.DecodeJSON([]byte(body), db.MaxDepth)
	if err != nil {
		t.Fatalf("%s: %v", call, err)
	}
	d := v.(db.Doc)
	switch verb {
	case "insert":
		_, _, err = e.svc.Insert(adminCtx, coll, d)
	case "update":
		_, err = e.svc.Update(adminCtx, coll, d)
	case "remove":
		_, err = e.svc.Remove(adminCtx, coll, d)
	case "set":
		id, _ := d.Get("_id")
		_, err = e.svc.SetDoc(adminCtx, coll, id.(string), db.Doc{{Key: "data", Value: d[1:]}})
	}
	if err != nil {
		t.Fatalf("%s: %v", call, err)
	}
}

// docs returns coll's documents in insertion order.
func (e *triggerEnv) docs(t *testing.T, coll string) []map[string]any {
	t.Helper()
	raw, err := e.svc.Query(adminCtx, coll, db.Doc{{Key: "sort", Value: []any{[]any{"_id", int64(1)}}}, {Key: "limit", Value: int64(1000)}})
	if db.ErrorCode(err) == db.CodeCollectionNotExist {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	out := make([]map[string]any, len(raw))
	for i, b := range raw {
		json.Unmarshal(b, &out[i])
	}
	return out
}

// seenFn records each event it gets in the collection seen.
const seenFn = `const cloud = require('wx-server-sdk'); cloud.init();
exports.main = async (event) => {
  const d = event.Doc, b = event.Before;
  await cloud.database().collection('seen').add({ data: {
    line: [event.TriggerName, event.Collection, event.Event, event.DocId, d ? d.status : '-', b ? b.status : '-'].join(' '),
    type: event.Type, source: cloud.getWXContext().SOURCE, time: typeof event.Time,
    dates: [d && d.at, b && b.at].filter(Boolean).map(x => x instanceof Date ? 'Date' : typeof x).join(',') } });
};`

// The events a database trigger receives: which operations, which
// documents (its filter, on the document after the change, before it for a
// delete), one per document of a write of many, in commit order, with
// the documents as the function reads documents (dates as Date).
func TestDBTriggerEvents(t *testing.T) {
	at := `"at": {"$date": "2024-05-01T08:00:00Z"}`
	cases := []struct {
		name   string
		config string // the trigger's config
		writes []string
		want   []string // seen lines: trigger coll event id status-after status-before
	}{
		{"every event by default", `{"collection": "orders"}`, []string{
			`insert orders {"_id": "o1", "status": "new", ` + at + `}`,
			`update orders {"filter": {"_id": "o1"}, "update": {"$set": {"status": "paid"}}}`,
			`set orders {"_id": "o1", "status": "shipped", ` + at + `}`,
			`insert other {"_id": "x", "status": "new"}`,
			`remove orders {"filter": {"_id": "o1"}}`,
		}, []string{"t orders insert o1 new -", "t orders update o1 paid new", "t orders update o1 shipped paid", "t orders delete o1 - shipped"}},
		{"only the events asked for", `{"collection": "orders", "events": ["delete"]}`, []string{
			`insert orders {"_id": "o1", "status": "new"}`,
			`update orders {"filter": {"_id": "o1"}, "update": {"$set": {"status": "paid"}}}`,
			`remove orders {"filter": {"_id": "o1"}}`,
		}, []string{"t orders delete o1 - paid"}},
		{"the filter sees the document after, or before a delete", `{"collection": "orders", "filter": {"status": "paid"}}`, []string{
			`insert orders {"_id": "o1", "status": "new"}`,
			`update orders {"filter": {"_id": "o1"}, "update": {"$set": {"status": "paid"}}}`,
			`insert orders {"_id": "o2", "status": "paid"}`,
			`update orders {"filter": {"_id": "o2"}, "update": {"$set": {"status": "shipped"}}}`,
			`remove orders {"filter": {"_id": "o1"}}`,
			`remove orders {"filter": {"_id": "o2"}}`,
		}, []string{"t orders update o1 paid new", "t orders insert o2 paid -", "t orders delete o1 - paid"}},
		{"writes of many documents: one event each, in order", `{"collection": "orders"}`, []string{
			`insert orders {"data": [{"_id": "b", "status": "new"}, {"_id": "a", "status": "new"}]}`,
			`update orders {"filter": {}, "update": {"$set": {"status": "paid"}}, "multi": true}`,
			`update orders {"filter": {"_id": "u"}, "update": {"$set": {"status": "up"}}, "upsert": true}`,
			`remove orders {"filter": {"status": "paid"}, "multi": true}`,
		}, []string{"t orders insert b new -", "t orders insert a new -", "t orders update a paid new", "t orders update b paid new",
			"t orders insert u up -", "t orders delete a - paid", "t orders delete b - paid"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newTriggerEnv(t)
			e.deploy(t, "seen", seenFn, `{"triggers": [{"name": "t", "type": "database", "config": `+c.config+`}]}`)
			e.start(t)
			for _, w := range c.writes {
				if strings.HasPrefix(w, "insert") && !strings.Contains(w, `"data"`) {
					w = strings.Replace(w, " {", ` {"data": {`, 1) + "}"
				}
				e.write(t, w)
			}
			e.settle(t)
			var got []string
			for _, d := range e.docs(t, "seen") {
				got = append(got, d["line"].(string))
				if d["type"] != "Database" || d["source"] != "wx_trigger" || d["time"] != "string" || strings.Contains(d["dates"].(string), "string") {
					t.Errorf("event %s: Type %v, SOURCE %v, Time a %v, dates %v; want Database, wx_trigger, a string, Date objects", d["line"], d["type"], d["source"], d["time"], d["dates"])
				}
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
			if c.name == "every event by default" && e.docs(t, "seen")[0]["dates"] != "Date" {
				t.Errorf("the inserted document's date reached the function as %v, want a Date", e.docs(t, "seen")[0]["dates"])
			}
		})
	}
}

// flakyFn fails until it has been called Doc.failures+1 times for a
// document, counting its attempts in the collection attempts.
const flakyFn = `const cloud = require('wx-server-sdk'); cloud.init();
exports.main = async (event) => {
  const db = cloud.database();
  await db.collection('attempts').add({ data: { id: event.DocId } });
  const { total } = await db.collection('attempts').where({ id: event.DocId }).count();
  if (total <= event.Doc.failures) throw new Error('attempt ' + total + ' fails');
  await db.collection('done').add({ data: { id: event.DocId, total } });
};`

// A failed invocation is retried after a backoff that doubles, up to the
// asynchronous invocations' retry count; after the last it is dropped with
// a report that carries the function's error, and the feed moves on.
func TestDBTriggerRetry(t *testing.T) {
	e := newTriggerEnv(t)
	e.deploy(t, "flaky", flakyFn, `{"triggers": [{"name": "t", "type": "database", "config": {"collection": "orders", "events": ["insert"]}}]}`)
	e.start(t)
	e.write(t, `insert orders {"data": {"_id": "twice", "failures": 2}}`)
	e.write(t, `insert orders {"data": {"_id": "always", "failures": 9}}`)
	e.settle(t)
	done := e.docs(t, "done")
	if len(done) != 1 || done[0]["id"] != "twice" || done[0]["total"] != 3.0 {
		t.Errorf("done: %v, want twice on its 3rd attempt only", done)
	}
	if n := len(e.docs(t, "attempts")); n != 6 {
		t.Errorf("%d attempts, want 3 for each order (the first and 2 retries)", n)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	b := 50 * time.Millisecond
	if want := []time.Duration{b, 2 * b, b, 2 * b}; !slices.Equal(e.waits, want) {
		t.Errorf("waited %v before the retries, want %v", e.waits, want)
	}
	if len(e.reports) != 1 || !strings.Contains(e.reports[0], "orders/always dropped after 3 attempts") || !strings.Contains(e.reports[0], "Error: attempt 3 fails") {
		t.Errorf("reports %q, want one for always with the function's error", e.reports)
	}
}

// A function that writes what triggers it again stops after
// MaxCallDepth (8) triggered writes, with a report.
func TestDBTriggerLoopGuard(t *testing.T) {
	e := newTriggerEnv(t)
	const echo = `const cloud = require('wx-server-sdk'); cloud.init();
exports.main = async (event) => { await cloud.database().collection('ping').add({ data: { n: event.Doc.n + 1 } }) };`
	e.deploy(t, "echo", echo, `{"triggers": [{"name": "again", "type": "database", "config": {"collection": "ping"}}]}`)
	e.start(t)
	e.write(t, `insert ping {"data": {"n": 0}}`)
	e.settle(t)
	if got := len(e.docs(t, "ping")); got != 9 {
		t.Errorf("ping holds %d documents, want 9: the first and one for each of 8 triggered runs", got)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.reports) != 1 || !strings.Contains(e.reports[0], "chain of 8 writes by triggered functions") {
		t.Errorf("reports %q, want one about the chain", e.reports)
	}
}

// A trigger removed from config.json, or whose function is deleted, gets
// nothing more: its collection's pending changes are dropped and new
// writes record nothing; a new trigger starts with the writes after it.
func TestDBTriggerUnsubscribe(t *testing.T) {
	e := newTriggerEnv(t)
	config := `{"triggers": [{"name": "t", "type": "database", "config": {"collection": "orders"}}]}`
	e.deploy(t, "f", seenFn, config)
	e.write(t, `insert orders {"data": {"_id": "o1"}}`)
	if n := e.pending(t); n != 1 {
		t.Fatalf("%d changes pending, want 1", n)
	}
	e.deploy(t, "f", seenFn, "") // the trigger removed
	if n := e.pending(t); n != 0 {
		t.Errorf("after removing the trigger: %d changes pending, want 0", n)
	}
	e.write(t, `insert orders {"data": {"_id": "o2"}}`)
	if n := e.pending(t); n != 0 {
		t.Errorf("a write after removing the trigger recorded %d changes, want 0", n)
	}

	e.deploy(t, "f", seenFn, config)
	e.write(t, `insert orders {"data": {"_id": "o3"}}`)
	if err := os.RemoveAll(filepath.Join(e.dir.root, "f")); err != nil {
		t.Fatal(err)
	}
	e.refresh(t)
	if n := e.pending(t); n != 0 {
		t.Errorf("after deleting the function: %d changes pending, want 0", n)
	}

	e.deploy(t, "g", seenFn, config)
	e.start(t)
	e.write(t, `insert orders {"data": {"_id": "o4"}}`)
	e.settle(t)
	seen := e.docs(t, "seen")
	if len(seen) != 1 || !strings.Contains(seen[0]["line"].(string), "o4") {
		t.Errorf("seen %v, want only o4", seen)
	}
}

// Changes to several collections are delivered at once, each
// collection's in commit order; what was pending or running when delivery
// stopped (a shutdown) is delivered when it starts again.
func TestDBTriggerCollectionsAndRestart(t *testing.T) {
	e := newTriggerEnv(t)
	// On collection a, gate waits until b1's event was logged.
	const gate = `const cloud = require('wx-server-sdk'); cloud.init();
exports.main = async (event) => {
  const db = cloud.database();
  if (event.Collection === 'a') {
    await db.collection('started').add({ data: { id: event.DocId } });
    for (;;) {
      const { total } = await db.collection('log').where({ line: 'b b1' }).count().catch(() => ({ total: 0 }));
      if (total > 0) break;
      await new Promise(r => setTimeout(r, 2));
    }
  }
  await db.collection('log').add({ data: { line: event.Collection + ' ' + event.DocId } });
};`
	e.deploy(t, "gate", gate, `{"timeout": 60, "triggers": [{"name": "a", "type": "database", "config": {"collection": "a"}},
		{"name": "b", "type": "database", "config": {"collection": "b", "events": ["insert"]}}]}`)
	for i := 1; i <= 3; i++ {
		e.write(t, fmt.Sprintf(`insert a {"data": {"_id": "a%d"}}`, i))
	}
	stop := e.start(t)
	until(t, "running a1", func() bool { return len(e.docs(t, "started")) == 1 })
	stop()
	if n := e.pending(t); n != 3 {
		t.Fatalf("after stopping in a1's run: %d changes pending, want 3", n)
	}
	e.start(t)
	e.write(t, `insert b {"data": {"_id": "b1"}}`) // a1 waits for b1's event: b's delivery must not wait for a's
	e.settle(t)
	var got []string
	for _, d := range e.docs(t, "log") {
		got = append(got, d["line"].(string))
	}
	if want := []string{"b b1", "a a1", "a a2", "a a3"}; !slices.Equal(got, want) {
		t.Errorf("log %v, want %v", got, want)
	}
	if n := len(e.docs(t, "started")); n != 4 {
		t.Errorf("a's runs started %d times, want 4 (a1 twice: stopped, then delivered again)", n)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.reports) > 0 {
		t.Errorf("reports: %v", e.reports)
	}
}
