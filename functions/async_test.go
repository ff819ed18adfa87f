//go:build !minibase_fuzz

package functions

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// waitOutcome polls until the invocation is finished (succeeded or failed).
func waitOutcome(t *testing.T, rt *Runtime, ctx context.Context, id string) *Outcome {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		o, err := rt.Outcome(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if o.Status == OutcomeSucceeded || o.Status == OutcomeFailed {
			return o
		}
		runtime.Gosched()
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("invocation %s did not finish", id)
	return nil
}

// Asynchronous invocations: accepted at once, run in the background,
// retried with backoff, and their outcome recorded for the caller, in the
// log store (a server's) or in memory (without one).
func TestInvokeAsync(t *testing.T) {
	t.Run("log store", func(t *testing.T) {
		s, _ := newLogStore(t, "", LogStoreOptions{})
		testInvokeAsync(t, s)
	})
	t.Run("memory", func(t *testing.T) { testInvokeAsync(t, nil) })
}

func testInvokeAsync(t *testing.T, store OutcomeStore) {
	rt, _ := newTestRuntime(t, Options{Async: AsyncOptions{Retries: 2, Backoff: time.Millisecond}, Outcomes: store})
	cases := []struct {
		name     string
		fn       string
		event    string
		status   string
		attempts int
		result   string
		errText  string
	}{
		{"succeeds at once", "sum", `{"a":1,"b":1}`, OutcomeSucceeded, 1, `{"sum":2}`, ""},
		{"succeeds on a retry", "flaky", `{"key":"k1","failures":2}`, OutcomeSucceeded, 3, `{"attempts":3}`, ""},
		{"fails every attempt", "flaky", `{"key":"k2","failures":5}`, OutcomeFailed, 3, "", "attempt 3 fails"},
		{"is not retried when the result is too large", "failing", `{"mode":"bigResult"}`, OutcomeFailed, 1, "", "result size exceed"},
	}
	for _, c := range cases {
		id, err := rt.InvokeAsync(userCtx, c.fn, []byte(c.event), Invocation{})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		o := waitOutcome(t, rt, userCtx, id)
		if o.Status != c.status || o.Attempts != c.attempts || o.Function != c.fn || o.RequestID != id {
			t.Errorf("%s: %+v, want status %s after %d attempts", c.name, o, c.status, c.attempts)
		}
		if c.result != "" {
			if p, ok := subset(mustJSON(t, c.result), mustJSON(t, string(o.Result))); !ok {
				t.Errorf("%s: result at %s: %s, want %s", c.name, p, o.Result, c.result)
			}
		}
		if c.errText != "" && (o.Error == nil || !strings.Contains(o.Error.Message, c.errText) || o.Error.ErrCode == 0) {
			t.Errorf("%s: error %+v, want one containing %q", c.name, o.Error, c.errText)
		}
	}

	id, _ := rt.InvokeAsync(userCtx, "hello", nil, Invocation{})
	waitOutcome(t, rt, userCtx, id)
	if _, err := rt.Outcome(user2Ctx, id); ErrorCode(err) != CodePermissionDenied {
		t.Errorf("another user reads the outcome: %v, want %s", err, CodePermissionDenied)
	}
	if o, err := rt.Outcome(adminCtx, id); err != nil || o.Status != OutcomeSucceeded {
		t.Errorf("an admin reads it: %+v, %v", o, err)
	}
	if _, err := rt.Outcome(userCtx, "no-such-request"); ErrorCode(err) != CodeNoInvocation {
		t.Errorf("unknown requestID: %v, want %s", err, CodeNoInvocation)
	}
	if _, err := rt.InvokeAsync(userCtx, "no-such-function", nil, Invocation{}); ErrorCode(err) != CodeNotFound {
		t.Errorf("unknown function: %v, want %s at once", err, CodeNotFound)
	}
	b, _ := json.Marshal(waitOutcome(t, rt, adminCtx, id))
	if p, ok := subset(mustJSON(t, `{"status":"succeeded","attempts":1,"result":{"message":"Hello, World!"}}`), mustJSON(t, string(b))); !ok {
		t.Errorf("outcome JSON at %s: %s", p, b)
	}
}

// Outcomes kept in the log store outlive a restart, and every attempt of a
// retried invocation is in the logs under its one requestID.
func TestAsyncOutcomesInLogStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "functions.db")
	s, _ := newLogStore(t, path, LogStoreOptions{})
	rt, _ := newTestRuntime(t, Options{Async: AsyncOptions{Retries: 2, Backoff: time.Millisecond}, Outcomes: s, Logs: s})
	id, err := rt.InvokeAsync(userCtx, "flaky", []byte(`{"key":"k","failures":2}`), Invocation{})
	if err != nil {
		t.Fatal(err)
	}
	waitOutcome(t, rt, userCtx, id)
	waitWritten(t, s, 3)
	p, err := s.Query(adminCtx, LogQuery{RequestID: id})
	if err != nil {
		t.Fatal(err)
	}
	var statuses []string
	for _, e := range p.Data {
		statuses = append(statuses, e.Status)
	}
	if strings.Join(statuses, ",") != "ok,error,error" {
		t.Errorf("the attempts' records, newest first: %v, want ok,error,error", statuses)
	}
	rt.Close()
	s.Close()

	s2, _ := newLogStore(t, path, LogStoreOptions{})
	rt2, _ := newTestRuntime(t, Options{Outcomes: s2})
	o, err := rt2.Outcome(userCtx, id)
	if err != nil || o.Status != OutcomeSucceeded || o.Attempts != 3 || string(o.Result) != `{"attempts":3}` || o.Function != "flaky" {
		t.Errorf("after a restart: %+v, %v", o, err)
	}
	if _, err := rt2.Outcome(user2Ctx, id); ErrorCode(err) != CodePermissionDenied {
		t.Errorf("another user reads it after a restart: %v", err)
	}
}

// Without a store, a Runtime keeps the latest outcomes in memory, the
// oldest forgotten first, each a copy of what was saved.
func TestMemOutcomes(t *testing.T) {
	s := newMemOutcomes(2)
	o := &Outcome{RequestID: "a", Status: OutcomeRunning}
	for _, id := range []string{"a", "b", "b", "c"} {
		o.RequestID = id
		s.SaveOutcome(adminCtx, o)
	}
	o.Status = OutcomeFailed // changed after saving
	if _, err := s.LoadOutcome(adminCtx, "a"); !errors.Is(err, ErrNotFound) {
		t.Errorf("the oldest of 3 with room for 2: %v, want ErrNotFound", err)
	}
	for _, id := range []string{"b", "c"} {
		if got, err := s.LoadOutcome(adminCtx, id); err != nil || got.Status != OutcomeRunning {
			t.Errorf("%s: %+v, %v", id, got, err)
		}
	}
}
