//go:build !minibase_fuzz

package functions

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"minibase/auth"
)

// Each runaway ends its own invocation with a clear error, and the next
// invocation of the same function works: the pool stays healthy.
func TestRunawaysEndTheirInvocationOnly(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{})
	cases := []struct{ fn, mode, errText string }{
		{"runaway", "loop", "Task timed out after 1 second"},
		{"runaway", "catchLoop", "Task timed out after 1 second"},
		{"runaway", "hang", "Task timed out after 1 second"},
		{"failing", "never", "main returned a Promise that can never settle"},
		{"failing", "recursion", "RangeError: Maximum call stack size exceeded"},
		{"failing", "repeat", "RangeError: Invalid string length"},
		{"failing", "typed", "RangeError: Array buffer allocation failed"},
		{"failing", "map", "RangeError: Invalid array length"},
		{"failing", "timerThrow", "RangeError: thrown in a timer"},
	}
	for _, c := range cases {
		runCases(t, rt, []fcase{
			{name: c.mode, fn: c.fn, event: `{"mode":"` + c.mode + `"}`, errCode: CodeExecuteFail, errText: c.errText},
			{name: "after " + c.mode, fn: c.fn, event: `{"mode":"ok"}`, want: `"fine"`},
		})
	}
	// A function that keeps allocating is stopped by the memory watchdog
	// (its timeout is the longest there is, 15 minutes), twice in a row: the
	// memory the first held is freed once its instance is dropped.
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
	arrived, release, event := gateServer(t, 4)

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

// A warm instance that stays idle for IdleTTL is closed: the next call
// starts a new one, whose top-level code runs again.
func TestIdleInstancesRetire(t *testing.T) {
	src := &memSource{}
	src.put(t, "count", `let n = 0; exports.main = () => ++n`)
	rt, _ := newRuntimeOver(t, src, Options{IdleTTL: time.Hour})
	runCases(t, rt, []fcase{
		{name: "cold", fn: "count", event: `{}`, want: `1`},
		{name: "warm", fn: "count", event: `{}`, want: `2`},
	})
	warm := rt.idleOf("count")
	if len(warm) != 1 {
		t.Fatalf("%d idle instances, want 1", len(warm))
	}
	rt.retireIdle(time.Now().Add(59 * time.Minute))
	runCases(t, rt, []fcase{{name: "idle for less than IdleTTL: still warm", fn: "count", event: `{}`, want: `3`}})
	rt.retireIdle(time.Now().Add(time.Hour))
	if idle := rt.idleOf("count"); len(idle) != 0 || !warm[0].closed {
		t.Fatalf("after IdleTTL: %d idle, closed %v; want none idle and the old instance closed", len(idle), warm[0].closed)
	}
	runCases(t, rt, []fcase{{name: "after IdleTTL: a new instance", fn: "count", event: `{}`, want: `1`}})
}

// An IdleTTL shorter than the janitor's tick neither panics nor keeps
// instances: the janitor closes them at its next look, and the next call
// starts afresh.
func TestTinyIdleTTL(t *testing.T) {
	src := &memSource{}
	src.put(t, "count", `let n = 0; exports.main = () => ++n`)
	rt, _ := newRuntimeOver(t, src, Options{IdleTTL: time.Nanosecond})
	runCases(t, rt, []fcase{{name: "runs", fn: "count", event: `{}`, want: `1`}})
	for deadline := time.Now().Add(time.Minute); len(rt.idleOf("count")) > 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the janitor never dropped the idle instance")
		}
	}
	runCases(t, rt, []fcase{{name: "a new instance", fn: "count", event: `{}`, want: `1`}})
}

// A redeploy takes effect at the next call, even while the old version is
// still running an invocation; the old version's instances are closed, the
// running one when it finishes, and never serve again.
func TestRedeployRetiresWarmInstances(t *testing.T) {
	src := &memSource{}
	const v1 = `let n = 0; exports.main = async (event) => ({ v: 1, n: ++n, body: event.url ? await (await fetch(event.url)).text() : '' })`
	src.put(t, "ver", v1)
	rt, _ := newRuntimeOver(t, src, Options{})
	runCases(t, rt, []fcase{
		{name: "v1", fn: "ver", event: `{}`, want: `{"v":1,"n":1}`},
		{name: "v1 warm", fn: "ver", event: `{}`, want: `{"v":1,"n":2}`},
	})
	warm := rt.idleOf("ver")[0]

	arrived, release := make(chan struct{}), make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-release
		fmt.Fprint(w, "late")
	}))
	defer srv.Close()
	done := make(chan error)
	go func() {
		_, err := invoke(t, rt, userCtx, "ver", `{"url":"`+srv.URL+`"}`)
		done <- err
	}()
	<-arrived // v1's warm instance is busy
	running := rt.currentFunction("ver")

	src.put(t, "ver", `exports.main = () => ({ v: 2 })`)
	runCases(t, rt, []fcase{{name: "v2 at once", fn: "ver", event: `{}`, want: `{"v":2}`}})
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("the v1 invocation running across the redeploy: %v", err)
	}
	if !warm.closed || !running.retired || len(running.idle) != 0 {
		t.Errorf("old version: instance closed %v, retired %v, %d idle; want closed, retired, none", warm.closed, running.retired, len(running.idle))
	}
	for i := range 3 {
		runCases(t, rt, []fcase{{name: fmt.Sprint("v2 call ", i), fn: "ver", event: `{}`, want: `{"v":2}`}})
	}
	// An idle instance is closed by the redeploy itself.
	idle := rt.idleOf("ver")
	src.put(t, "ver", `exports.main = () => ({ v: 3 })`)
	runCases(t, rt, []fcase{{name: "v3", fn: "ver", event: `{}`, want: `{"v":3}`}})
	if len(idle) != 1 || !idle[0].closed {
		t.Errorf("v2's idle instance (%d) not closed by the redeploy", len(idle))
	}
}

// Asynchronous invocations beyond MaxPending are refused with
// EXCEED_CONCURRENT_REQUEST_LIMIT; once one finishes, there is room again.
func TestAsyncMaxPending(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{Async: AsyncOptions{MaxPending: 2, PerCaller: 2}})
	arrived, release, event := gateServer(t, 2)
	var ids []string
	for range 2 {
		id, err := rt.InvokeAsync(userCtx, "gate", event, Invocation{})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	_, err := rt.InvokeAsync(userCtx, "gate", event, Invocation{})
	if fe, ok := err.(*Error); !ok || fe.Code != CodeBusy || fe.ErrCode != -501004 || !strings.Contains(fe.Message, "2 asynchronous invocations are pending") {
		t.Fatalf("a third pending invocation: %v, want %s (-501004)", err, CodeBusy)
	}
	<-arrived
	<-arrived
	close(release)
	for _, id := range ids {
		if o := waitOutcome(t, rt, userCtx, id); o.Status != OutcomeSucceeded {
			t.Fatalf("%s: %+v", id, o)
		}
	}
	for deadline := time.Now().Add(time.Minute); rt.async.pending.Load() > 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("finished invocations still count as pending")
		}
	}
	id, err := rt.InvokeAsync(userCtx, "hello", nil, Invocation{})
	if err != nil {
		t.Fatalf("after the pending ones finished: %v", err)
	}
	if o := waitOutcome(t, rt, userCtx, id); o.Status != OutcomeSucceeded {
		t.Fatalf("%+v", o)
	}
}

// One caller cannot fill the asynchronous queue for everyone: an end user
// has at most PerCaller invocations pending, and anonymous users (cheap to
// make) count by their client address too (IPv6 by its /64); another
// caller is still accepted, and a share is free again once its
// invocations finish.
func TestAsyncPerCaller(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{Async: AsyncOptions{MaxPending: 100, PerCaller: 2}})
	arrived, release, event := gateServer(t, 10)
	anon := func(uid string) context.Context {
		return auth.NewContext(context.Background(), &auth.Identity{Role: auth.User, UID: uid, OpenID: uid, LoginType: auth.LoginAnonymous})
	}
	var ids []string
	steps := []struct {
		name    string
		ctx     context.Context
		ip      string
		errText string // "": accepted
	}{
		{"alice's first", userCtx, "198.51.100.1", ""},
		{"alice's second", userCtx, "198.51.100.2", ""},
		{"alice's third", userCtx, "198.51.100.3", "this user has 2 asynchronous invocations pending, the most one caller may"},
		{"bob's first, at alice's address", user2Ctx, "198.51.100.1", ""},
		{"an anonymous user", anon("anon-1"), "203.0.113.9", ""},
		{"another anonymous user at that address", anon("anon-2"), "203.0.113.9", ""},
		{"a third one there", anon("anon-3"), "203.0.113.9", "anonymous users at this address have 2 asynchronous invocations pending"},
		{"an anonymous user in a /64", anon("anon-4"), "2001:db8:1:2::1", ""},
		{"another one in that /64", anon("anon-5"), "2001:db8:1:2:ffff::7", ""},
		{"a third one there", anon("anon-6"), "2001:db8:1:2::99", "anonymous users at this address have 2"},
		{"an anonymous user elsewhere", anon("anon-3"), "203.0.113.10", ""},
	}
	for _, st := range steps {
		id, err := rt.InvokeAsync(st.ctx, "gate", event, Invocation{ClientIP: st.ip})
		if st.errText == "" {
			if err != nil {
				t.Fatalf("%s: %v, want it accepted", st.name, err)
			}
			ids = append(ids, id)
			continue
		}
		if fe, ok := err.(*Error); !ok || fe.Code != CodeBusy || !strings.Contains(fe.Message, st.errText) {
			t.Fatalf("%s: %v, want %s saying %q", st.name, err, CodeBusy, st.errText)
		}
	}
	if _, err := rt.InvokeAsync(adminCtx, "hello", nil, Invocation{}); err != nil {
		t.Errorf("an admin's invocation: %v, want it accepted (admins have no share)", err)
	}
	for range ids {
		<-arrived
	}
	close(release)
	for _, id := range ids {
		if o := waitOutcome(t, rt, adminCtx, id); o.Status != OutcomeSucceeded {
			t.Fatalf("%s: %+v", id, o)
		}
	}
	for deadline := time.Now().Add(time.Minute); rt.async.pending.Load() > 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("finished invocations still count as pending")
		}
	}
	if id, err := rt.InvokeAsync(userCtx, "hello", nil, Invocation{}); err != nil {
		t.Errorf("alice after hers finished: %v", err)
	} else {
		waitOutcome(t, rt, userCtx, id)
	}
}

// An HTTP access request whose body is over MaxHTTPBody is refused before
// the function runs; one within it (and within the event limit) is served.
func TestHTTPAccessBodyLimit(t *testing.T) {
	d, err := OpenDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	rt, _ := newRuntimeOver(t, d, Options{})
	deploy(t, d, "up", `let calls = 0; exports.main = (event) => ({ calls: ++calls, size: event.body.length })`, `{"http": [{"path": "/up"}]}`)
	tr := NewTriggers(rt, d, d, shanghai)
	if err := tr.Refresh(context.Background(), time.Now()); err != nil {
		t.Fatal(err)
	}
	post := func(size int) (*HTTPResponse, error) {
		return tr.ServeHTTP(userCtx, &HTTPRequest{Method: "POST", Path: "/up", Header: [][2]string{{"Content-Type", "text/plain"}},
			Body: bytes.Repeat([]byte("x"), size)})
	}
	if _, err := post(MaxHTTPBody + 1); ErrorCode(err) != CodeEventTooLarge || !contains(err, "over the limit of 6291456") {
		t.Fatalf("a body of MaxHTTPBody+1 bytes: %v, want %s", err, CodeEventTooLarge)
	}
	res, err := post(1 << 20)
	if err != nil || res.Status != 200 || string(res.Body) != `{"calls":1,"size":1048576}` {
		t.Fatalf("a 1 MiB body: %+v, %v; want it served, and the refused request never run", res, err)
	}
}

// Workers run every job; jobs given while the others are busy run at the
// same time (a database call never waits for another invocation's).
func TestWorkersRunJobsConcurrently(t *testing.T) {
	stop := make(chan struct{})
	defer close(stop)
	w := newWorkers(stop)
	const n = 4
	started, release := make(chan struct{}, n), make(chan struct{})
	for range n {
		w.do(func() { started <- struct{}{}; <-release })
	}
	for range n {
		select {
		case <-started:
		case <-time.After(30 * time.Second):
			t.Fatal("a job never started while the others were busy")
		}
	}
	close(release)
	done := make(chan int, 100)
	for i := range 100 {
		w.do(func() { done <- i })
	}
	seen := map[int]bool{}
	for range 100 {
		seen[<-done] = true
	}
	if len(seen) != 100 {
		t.Errorf("%d distinct jobs ran, want 100", len(seen))
	}
}
