//go:build !minibase_fuzz

package functions

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// recordOf waits for the log record of requestID on tail (records are
// stored when an invocation is over, work it left behind included).
func recordOf(t *testing.T, tail *Tail, requestID string) *LogEntry {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case b, ok := <-tail.C:
			if !ok {
				t.Fatal("the log tail closed")
			}
			var e LogEntry
			if err := json.Unmarshal(b, &e); err != nil {
				t.Fatal(err)
			}
			if e.RequestID == requestID {
				return &e
			}
		case <-deadline:
			t.Fatalf("no log record of %s within 30 s", requestID)
		}
	}
}

// receive waits for ch, at most 30 s.
func receive(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(30 * time.Second):
		t.Fatalf("no %s within 30 s", what)
	}
}

func logText(e *LogEntry) string {
	var b strings.Builder
	for _, l := range e.Logs {
		b.WriteString(l.Level + ": " + l.Message + "\n")
	}
	return b.String()
}

// A remove() fired and forgotten before main returns still removes the
// document (CloudBase's instance keeps running briefly after the
// response), and so does a write sent before main throws.
func TestForgottenWorkCompletes(t *testing.T) {
	s, _ := newLogStore(t, "", LogStoreOptions{})
	rt, svc := newTestRuntime(t, Options{Logs: s})
	tail, err := s.Tail("forget")
	if err != nil {
		t.Fatal(err)
	}
	defer tail.Close()
	if _, _, err := svc.Insert(adminCtx, "forget", doc("data", doc("_id", "doomed"))); err != nil {
		t.Fatal(err)
	}

	res, err := rt.Invoke(userCtx, "forget", []byte(`{"mode":"remove","id":"doomed"}`), Invocation{})
	if err != nil {
		t.Fatal(err)
	}
	if e := recordOf(t, tail, res.RequestID); e.Status != StatusOK {
		t.Fatalf("record %+v", e)
	}
	if docs, err := svc.Query(adminCtx, "forget", nil); err != nil || len(docs) != 0 {
		t.Errorf("after the invocation: %d documents (%v), want the forgotten remove() done", len(docs), err)
	}

	_, err = rt.Invoke(userCtx, "forget", []byte(`{"mode":"throw","id":"sent"}`), Invocation{})
	fe, _ := err.(*Error)
	if fe == nil || !strings.Contains(fe.Message, "failed after sending a write") {
		t.Fatalf("main threw: %v", err)
	}
	recordOf(t, tail, fe.RequestID)
	if _, err := svc.GetDoc(adminCtx, "forget", "sent", nil); err != nil {
		t.Errorf("the write sent before main threw: %v", err)
	}
}

// The caller is answered when main returns, not when the work it left is
// done; that work keeps its instance (the next call runs on another) and
// its callbacks run and log into the same invocation's record.
func TestLeftWorkDoesNotDelayTheAnswer(t *testing.T) {
	s, _ := newLogStore(t, "", LogStoreOptions{})
	// The fetch the test holds waits as long as the test may (not fetch's
	// 10 s default, which a loaded machine can spend on the second call).
	rt, svc := newTestRuntime(t, Options{Logs: s, Fetch: FetchOptions{Timeout: time.Minute}})
	tail, err := s.Tail("forget")
	if err != nil {
		t.Fatal(err)
	}
	defer tail.Close()
	arrived, release, gate := gateServer(t, 1)
	var ev map[string]any
	json.Unmarshal(gate, &ev)
	chain, _ := json.Marshal(map[string]any{"mode": "chain", "url": ev["url"], "id": "later"})

	first, err := rt.Invoke(userCtx, "forget", chain, Invocation{})
	if err != nil {
		t.Fatal(err)
	}
	receive(t, arrived, "fetch") // in flight, held by the test: the answer came without it
	if string(first.Value) != `{"runs":1}` {
		t.Errorf("first answer %s", first.Value)
	}
	second, err := rt.Invoke(userCtx, "forget", []byte(`{}`), Invocation{})
	if err != nil || string(second.Value) != `{"runs":1}` {
		t.Errorf("a call while the first instance finishes its work: %s, %v; want {runs: 1} (another instance)", second.Value, err)
	}
	close(release)
	e := recordOf(t, tail, first.RequestID)
	if !strings.Contains(logText(e), "log: saved after the answer") {
		t.Errorf("the first call's record lacks the line its callback logged after the answer:\n%s", logText(e))
	}
	got, err := svc.GetDoc(adminCtx, "forget", "later", nil)
	if err != nil || !strings.Contains(string(got), `"text":"done"`) {
		t.Errorf("the write chained after the fetch: %s, %v", got, err)
	}
	third, err := rt.Invoke(userCtx, "forget", []byte(`{}`), Invocation{})
	if err != nil || string(third.Value) != `{"runs":2}` {
		t.Errorf("a call after the work was done: %s, %v; want {runs: 2} (an instance back in the pool)", third.Value, err)
	}
}

// Work still running at the invocation's deadline is dropped, and the
// invocation's record says so.
func TestLeftWorkDroppedAtTheDeadline(t *testing.T) {
	s, _ := newLogStore(t, "", LogStoreOptions{})
	rt, svc := newTestRuntime(t, Options{Logs: s})
	tail, err := s.Tail("forget")
	if err != nil {
		t.Fatal(err)
	}
	defer tail.Close()
	arrived, release, gate := gateServer(t, 1)
	defer close(release)
	var ev map[string]any
	json.Unmarshal(gate, &ev)
	chain, _ := json.Marshal(map[string]any{"mode": "chain", "url": ev["url"], "id": "never"})

	// A warm instance, so that the deadline below is all the chained
	// call's own: from its start, the fetch is sent at once, and the test
	// holds it past the deadline.
	if _, err := rt.Invoke(userCtx, "forget", []byte(`{}`), Invocation{}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(userCtx, 5*time.Second) // the caller's deadline (an HTTP request's)
	defer cancel()
	res, err := rt.Invoke(ctx, "forget", chain, Invocation{})
	if err != nil {
		t.Fatal(err)
	}
	receive(t, arrived, "fetch")
	e := recordOf(t, tail, res.RequestID)
	if e.Status != StatusOK || !strings.Contains(logText(e), "1 operation(s) the function started and did not await were still running when its time ran out (its caller's deadline), and were dropped") {
		t.Errorf("record %s %s:\n%s", e.Status, e.Error, logText(e))
	}
	if _, err := svc.GetDoc(adminCtx, "forget", "never", nil); err == nil {
		t.Error("the write chained after the dropped fetch happened")
	}
}
