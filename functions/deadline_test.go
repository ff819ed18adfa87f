package functions

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// answerWithin invokes fn and fails the test when no answer comes within
// limit, so that a runaway fails the test instead of hanging it.
func answerWithin(t *testing.T, rt *Runtime, fn, event string, limit time.Duration) (*Result, error) {
	t.Helper()
	type answer struct {
		res *Result
		err error
	}
	done := make(chan answer, 1)
	go func() {
		res, err := rt.Invoke(userCtx, fn, []byte(event), Invocation{})
		done <- answer{res, err}
	}()
	select {
	case a := <-done:
		return a.res, a.err
	case <-time.After(limit):
		t.Fatalf("%s %s: no answer after %v", fn, event, limit)
		return nil, nil
	}
}

// The deadline holds wherever the function's code runs: in the getters of
// what it threw (which the runtime reads to say what went wrong), in its
// result's toJSON or Proxy traps, in what console.log formats. Each ends
// with the timeout, soon after the deadline (1 s), and the next call is
// served.
func TestDeadlineHoldsInTheRuntimesOwnWork(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{})
	const slack = 10 * time.Second // far more than an interrupt takes, even under -race on a busy machine
	for _, mode := range []string{"stackGetter", "messageGetter", "toStringLoop", "proxyThrown", "toJSONLoop", "proxyKeysLoop", "logLoop"} {
		start := time.Now()
		_, err := answerWithin(t, rt, "runaway", `{"mode":"`+mode+`"}`, time.Second+slack)
		if ErrorCode(err) != CodeExecuteFail || !contains(err, "Task timed out after 1 second") {
			t.Errorf("%s: %v, want the timeout", mode, err)
		}
		t.Logf("%s: answered %v after the start", mode, time.Since(start).Round(time.Millisecond))
		runCases(t, rt, []fcase{{name: "after " + mode, fn: "runaway", event: `{"mode":"ok"}`, want: `"fine"`}})
	}
}

// A built-in that runs long in one Go call — here a sort without a
// comparator — ends at the deadline too (3 s): it is handed a comparator
// of the runtime's, which polls.
func TestDeadlineHoldsInLongBuiltins(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{})
	for _, mode := range []string{"typed", "array"} {
		start := time.Now()
		_, err := answerWithin(t, rt, "slowsort", `{"mode":"`+mode+`"}`, 3*time.Second+10*time.Second)
		if ErrorCode(err) != CodeExecuteFail || !contains(err, "Task timed out after 3 seconds") {
			t.Errorf("%s: %v, want the timeout", mode, err)
		}
		t.Logf("%s: answered %v after the start", mode, time.Since(start).Round(time.Millisecond))
	}
	// -0 before 0, NaN last; strings in code unit order.
	runCases(t, rt, []fcase{{name: "sorts as before", fn: "slowsort", event: `{"mode":"ok"}`, want: `[1,10,2,3,-1,0,0,3,null]`}})
}

// Values too deep or too large to write are refused with a clear error
// instead of keeping a core busy for minutes or ending the process: main's
// result, JSON.stringify, JSON.parse and console.log alike. The fixtures'
// timeout is 5 minutes and the wait 4, so that a loaded machine under
// -race cannot turn a refusal into a timeout (the errors' texts tell them
// apart); idle, each answers within seconds.
func TestHugeValuesAreRefused(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{})
	for _, c := range []struct{ mode, code, text string }{
		{"deep", CodeExecuteFail, "main's result cannot be turned into JSON: RangeError: Maximum call stack size exceeded: JSON.stringify stops at 10000 levels of nesting"},
		{"endless", CodeExecuteFail, "main's result cannot be turned into JSON: RangeError: Maximum call stack size exceeded"},
		{"sparse", CodeResultTooLarge, "the result is more than 1048576 bytes of JSON"},
		{"proxySparse", CodeResultTooLarge, "the result is more than 1048576 bytes of JSON"},
		{"stringifyDeep", CodeExecuteFail, "RangeError: Maximum call stack size exceeded: JSON.stringify stops at 10000 levels of nesting"},
		{"stringifySparse", CodeExecuteFail, "RangeError: Invalid string length: JSON.stringify would write more than the function's memory limit"},
		{"parseDeep", CodeExecuteFail, "RangeError: Maximum call stack size exceeded: JSON.parse stops at 10000 levels of nesting"},
	} {
		_, err := answerWithin(t, rt, "bigvalues", `{"mode":"`+c.mode+`"}`, 4*time.Minute)
		if ErrorCode(err) != c.code || !contains(err, c.text) {
			t.Errorf("%s: %v, want %s: %s", c.mode, err, c.code, c.text)
		}
		runCases(t, rt, []fcase{{name: "after " + c.mode, fn: "bigvalues", event: `{"mode":"ok"}`, want: `"fine"`}})
	}
	_, err := answerWithin(t, rt, "deepresult", `{}`, 4*time.Minute)
	if ErrorCode(err) != CodeExecuteFail || !contains(err, "JSON.stringify stops at 10000 levels of nesting") {
		t.Errorf("a result nested a million levels deep: %v", err)
	}
	res, err := answerWithin(t, rt, "bigvalues", `{"mode":"logDeep"}`, 4*time.Minute)
	if err != nil || string(res.Value) != `"logged"` || len(res.Logs) != 2 || res.Logs[0].Message != "[object Array]" || len(res.Logs[1].Message) > 64<<10+1 {
		t.Errorf("console.log of a deep and a sparse array: %+v, %v", res, err)
	}
}

// Shutdown interrupts an invocation stuck in the runtime's own work (here
// reading a thrown error's stack, whose getter never returns) instead of
// waiting for its timeout.
func TestCloseStopsAStuckDescription(t *testing.T) {
	inGetter := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case inGetter <- struct{}{}:
		default:
		}
	}))
	defer srv.Close()
	rt, _ := newTestRuntime(t, Options{})
	done := make(chan error, 1)
	go func() {
		_, err := rt.Invoke(userCtx, "stuck", []byte(`{"url":"`+srv.URL+`"}`), Invocation{})
		done <- err
	}()
	select {
	case <-inGetter:
	case err := <-done:
		t.Fatalf("the invocation ended before its stack getter ran: %v", err)
	case <-time.After(memoryTestWait):
		t.Fatal("the stack getter never ran")
	}
	rt.Close()
	select {
	case err := <-done:
		if ErrorCode(err) != CodeUnavailable || !strings.Contains(err.Error(), "shutting down") {
			t.Errorf("got %v, want the shutdown's error", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Close did not stop the invocation (its timeout is a minute)")
	}
}

// JSON.parse of tens of MB polls for interrupts: shutdown (as the deadline
// and the memory watchdog) stops it within moments, where goja's parse
// kept the invocation for as long as it took (40 MB: 25 s).
func TestInterruptStopsALargeJSONParse(t *testing.T) {
	parsing := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case parsing <- struct{}{}:
		default:
		}
	}))
	defer srv.Close()
	rt, _ := newTestRuntime(t, Options{})
	done := make(chan error, 1)
	go func() {
		_, err := rt.Invoke(userCtx, "bigparse", []byte(`{"url":"`+srv.URL+`"}`), Invocation{})
		done <- err
	}()
	select {
	case <-parsing:
	case err := <-done:
		t.Fatalf("the invocation ended before it parsed: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("the function never got to JSON.parse")
	}
	rt.Close()
	select {
	case err := <-done:
		if err == nil {
			t.Error("the parse finished: it was not interrupted")
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Close did not stop JSON.parse (the function's timeout is a minute)")
	}
}
