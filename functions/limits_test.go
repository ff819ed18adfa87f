package functions

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"testing"
	"time"
)

// Each runaway ends its own invocation with a clear error, and the next
// invocation of the same function works: the pool stays healthy.
func TestRunawaysEndTheirInvocationOnly(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{})
	cases := []struct{ mode, errText string }{
		{"loop", "Task timed out after 1 second"},
		{"catchLoop", "Task timed out after 1 second"},
		{"hang", "Task timed out after 1 second"},
		{"never", "main returned a Promise that can never settle"},
		{"recursion", "RangeError: Maximum call stack size exceeded"},
		{"repeat", "RangeError: Invalid string length"},
		{"typed", "RangeError: Array buffer allocation failed"},
		{"map", "RangeError: Invalid array length"},
		{"timerThrow", "RangeError: thrown in a timer"},
	}
	for _, c := range cases {
		runCases(t, rt, []fcase{
			{name: c.mode, fn: "runaway", event: `{"mode":"` + c.mode + `"}`, errCode: CodeExecuteFail, errText: c.errText},
			{name: "after " + c.mode, fn: "runaway", event: `{"mode":"ok"}`, want: `"fine"`},
		})
	}
	// A function that keeps allocating is stopped by the heap watchdog (its
	// timeout is two minutes), twice in a row: the memory the first held is
	// freed once its instance is dropped.
	for i := 0; i < 2; i++ {
		runCases(t, rt, []fcase{
			{name: "hog", fn: "hog", event: `{}`, errCode: CodeExecuteFail, errText: "memory limit exceeded"},
			{name: "after hog", fn: "hog", event: `{"mode":"ok"}`, want: `"fine"`},
		})
	}
	// A backtracking regular expression ends at the match timeout (5 s).
	runCases(t, rt, []fcase{{name: "redos", fn: "redos", event: `{}`, want: `false`}})
	// Other functions were never affected.
	runCases(t, rt, []fcase{{name: "another function", fn: "hello", event: `{}`, want: `{"message":"Hello, World!"}`}})
}

// The concurrency limit per function: Concurrency invocations run, Queue
// wait, and more are refused at once with EXCEED_CONCURRENT_REQUEST_LIMIT.
func TestConcurrencyLimitAndQueue(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{Concurrency: 1, Queue: 1})
	arrived := make(chan struct{}, 4)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-release
		fmt.Fprint(w, "done")
	}))
	defer srv.Close()
	event := []byte(`{"url":"` + srv.URL + `"}`)

	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = rt.Invoke(userCtx, "gate", event, Invocation{})
		}()
		if i == 0 {
			<-arrived // the first holds the only slot
		}
	}
	for fn := rt.fns["gate"]; fn.waiting.Load() != 1; fn = rt.currentFunction("gate") {
		runtime.Gosched() // until the second waits in the queue
	}
	_, err := rt.Invoke(userCtx, "gate", event, Invocation{})
	if ErrorCode(err) != CodeBusy {
		t.Fatalf("third invocation: %v, want %s", err, CodeBusy)
	}
	if fe := err.(*Error); fe.ErrCode != -501004 {
		t.Errorf("errCode %d, want -501004", fe.ErrCode)
	}
	close(release)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("invocation %d: %v", i, err)
		}
	}
}

func (r *Runtime) currentFunction(name string) *function {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.fns[name]
}

// An invocation never outlives its caller's deadline, even when the
// function's own timeout is longer.
func TestCallerDeadline(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{})
	// A warm instance that ran under its own timeout first.
	runCases(t, rt, []fcase{{name: "warm up", fn: "runaway", event: `{"mode":"ok"}`, want: `"fine"`}})
	ctx, cancel := contextWithTimeout(userCtx, 50*time.Millisecond)
	defer cancel()
	_, err := rt.Invoke(ctx, "runaway", []byte(`{"mode":"loop"}`), Invocation{})
	if ErrorCode(err) != CodeExecuteFail || !contains(err, "caller's deadline") {
		t.Fatalf("got %v, want a timeout naming the caller's deadline", err)
	}
}
