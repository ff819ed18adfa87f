package functions

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"minibase/db/postgres/pgtest"
)

func TestMain(m *testing.M) {
	runtime.MemProfileRate = MemProfileRate // as main sets it
	os.Exit(pgtest.Main(m))                 // the cluster and shared-mode tests' PostgreSQL, started by the first that asks
}

// Every tag reads back from the stacks of the heap profile's samples
// of what was allocated under it, and a stack cut inside a tag reads as
// none.
func TestHeapTagsRoundTrip(t *testing.T) {
	marks, err := markSites()
	if err != nil {
		t.Fatal(err)
	}
	for _, tag := range []int{1, 2, 15, 16, 17, 255, 256, 1234, maxTags - 1} {
		var pcs [32]uintptr
		var n int
		tagged(tag, func() { n = runtime.Callers(1, pcs[:]) })
		var names []string
		var lines []int64
		for frames, more := runtime.CallersFrames(pcs[:n]), true; more; {
			var f runtime.Frame
			f, more = frames.Next()
			names, lines = append(names, f.Function), append(lines, int64(f.Line))
		}
		if got := marks.tagOf(names, lines); got != tag {
			t.Errorf("tag %d read back as %d", tag, got)
		}
		if got := marks.tagOf(names[:3], lines[:3]); got != 0 {
			t.Errorf("tag %d cut off inside read back as %d, want 0", tag, got)
		}
		var inner []string
		var innerLines []int64
		tagged(tag, func() {
			untagged(func() { n = runtime.Callers(1, pcs[:]) })
		})
		for frames, more := runtime.CallersFrames(pcs[:n]), true; more; {
			var f runtime.Frame
			f, more = frames.Next()
			inner, innerLines = append(inner, f.Function), append(innerLines, int64(f.Line))
		}
		if got := marks.tagOf(inner, innerLines); got != 0 {
			t.Errorf("untagged work inside tag %d read as %d, want 0", tag, got)
		}
	}
	var keep [][]byte
	tagged(maxTags-2, func() {
		for range 64 {
			keep = append(keep, make([]byte, 64<<10))
		}
	})
	runtime.GC()
	var p heapProfile
	heap, ok, err := p.read(marks)
	if got := heap[maxTags-2].inuse; !ok || err != nil || got < 3<<20 || got > 5<<20 {
		t.Errorf("4 MiB allocated under a tag: the profile says %.0f bytes (%v, %v)", got, ok, err)
	}
	runtime.KeepAlive(keep)
}

// A returned tag is given again only after three garbage collections and
// a read of the profile, with what its last instance left as the new
// one's base; past the last tag, instances go untagged.
func TestHeapTagPool(t *testing.T) {
	var p tagPool
	a, _ := p.take()
	p.give(a, 10)
	if b, _ := p.take(); b == a {
		t.Fatalf("tag %d given again at once", a)
	}
	p.cooled(map[int]tagHeap{a: {inuse: 5, alloc: 9}}, 12)
	if b, _ := p.take(); b == a {
		t.Fatalf("tag %d given again two collections after", a)
	}
	if !p.cooling(13) {
		t.Fatal("a tag three collections old is not ready to be read")
	}
	p.cooled(map[int]tagHeap{a: {inuse: 5, alloc: 9}}, 13)
	if b, base := p.take(); b != a || base != (tagHeap{inuse: 5, alloc: 9}) {
		t.Fatalf("after cooling: tag %d base %+v, want %d with what it left", b, base, a)
	}
	p.minted = maxTags - 1
	if b, _ := p.take(); b != 0 {
		t.Fatalf("past the last tag: %d, want 0", b)
	}
}

// The watchdog reads a profile after a garbage collection only when it is
// newer than the last one it read, from the very first (a read before any
// collection once left it judging nothing ever again).
func TestWatchdogReadsOnlyNewProfiles(t *testing.T) {
	w, err := newWatchdog(1 << 30)
	if err != nil {
		t.Fatal(err)
	}
	w.heap = 1 << 40
	w.tags[1] = &tracked{in: &instance{}, budget: 64 << 20, inuse: 40 << 20, cur: &call{}} // running, near its budget
	for _, c := range []struct {
		cycle, snap uint64
		want        int
	}{{0, 0, readNone}, {1, 0, readNone}, {2, 0, readNatural}, {7, 5, readNatural}, {7, 6, readNone}, {8, 6, readNatural}} {
		w.cycle, w.snap = c.cycle, c.snap
		if got := w.plan(time.Now()); got != c.want {
			t.Errorf("%d collections, last read showing %d: plan %d, want %d", c.cycle, c.snap, got, c.want)
		}
	}
}

// Whatever stack it is given, tagOf reads the tag of the innermost
// marker frames found whole in it, else 0, and never more.
func FuzzHeapTagOf(f *testing.F) {
	marks, err := markSites()
	if err != nil {
		f.Fatal(err)
	}
	lineOf := map[int]int64{}
	for line, d := range marks.digit {
		lineOf[d] = line
	}
	f.Add([]byte{200, 16, 1, 2, 3, 200})
	f.Add([]byte{16, 15, 15})
	f.Add([]byte{16, 16, 0, 0, 0, 17})
	f.Fuzz(func(t *testing.T, frames []byte) {
		// A byte is a frame: 0-15 markFrame calling itself for that digit,
		// 16 markFrame calling f, 17 markFrame elsewhere, above another
		// function.
		names, lines := make([]string, len(frames)), make([]int64, len(frames))
		for i, b := range frames {
			switch {
			case b < 16:
				names[i], lines[i] = marks.name, lineOf[int(b)]
			case b == 16:
				names[i], lines[i] = marks.name, marks.end
			case b == 17:
				names[i], lines[i] = marks.name, 1
			default:
				names[i], lines[i] = "main.other", int64(b)
			}
		}
		want := 0
		if i := bytes.IndexByte(frames, 16); i >= 0 && i+markDigits < len(frames) {
			for _, b := range frames[i+1 : i+1+markDigits] {
				if b >= 16 {
					want = 0
					break
				}
				want = want*markBase + int(b)
			}
		}
		if got := marks.tagOf(names, lines); got != want {
			t.Fatalf("frames %v: tag %d, want %d", frames, got, want)
		}
	})
}

// The memory budget is charged only to the instance whose JavaScript
// allocated the memory: an invocation waiting on a timer survives while
// another function holding 320 MB with a 256 MB budget is stopped.
func TestMemoryBudgetStopsOnlyTheHolder(t *testing.T) {
	rt, sig, logs := newMemoryRuntime(t)
	waiter := rt.start(userCtx, "keeper64", sig.event("waiter", `"mb":16`))
	sig.arrived(t, "waiter") // it holds 16 MB and is waiting on timers

	hog := rt.start(userCtx, "keeper256", sig.event("hog", `"mb":320`))
	if err := hog.wait(t); ErrorCode(err) != CodeExecuteFail || !contains(err, "memory limit exceeded") {
		sig.release("hog")
		t.Fatalf("the function holding 320 MB with a 256 MB budget: %v, want %s memory limit exceeded", err, CodeExecuteFail)
	}
	if rec := logs.of(hog.requestID); rec == nil || rec.Memory < 256<<20 {
		t.Errorf("the stopped function's record: %+v, want memory over its 256 MB budget", rec)
	}
	sig.release("waiter")
	if err := waiter.wait(t); err != nil {
		t.Fatalf("the function waiting on a timer with 16 MB of its 64 MB: %v, want it to finish", err)
	}
	if got := string(waiter.res.Value); got != "256" {
		t.Errorf("the waiting function returned %s, want 256 (its strings)", got)
	}
}

// A function over its budget is stopped even while it waits on Go work
// that has not answered (a fetch), not only once its JavaScript runs
// again.
func TestMemoryStopsAWaitingFunction(t *testing.T) {
	// The fetch must outwait the watchdog, whose reads are paced by their
	// own cost: seconds under -race on a machine at load 25.
	rt, _, _ := newMemoryRuntime(t, Options{Fetch: FetchOptions{Timeout: memoryTestWait}})
	arrived, release, event := gateServer(t, 1)
	defer close(release)
	parked := rt.start(userCtx, "parked64", event)
	select {
	case <-arrived: // it holds 100 MB and waits for the fetch, which will not answer
	case <-parked.done: // stopped while it still allocated
	}
	if err := parked.wait(t); ErrorCode(err) != CodeExecuteFail || !contains(err, "memory limit exceeded") {
		t.Fatalf("a function holding 100 MB of a 64 MB budget, waiting on a fetch: %v, want %s memory limit exceeded", err, CodeExecuteFail)
	}
}

// Memory that Go code allocates for something else (an image being
// resized, an upload) is never charged to a function, even one that is
// running JavaScript at the time.
func TestMemoryHostAllocationNotCharged(t *testing.T) {
	rt, sig, _ := newMemoryRuntime(t)
	busy := rt.start(userCtx, "busy64", sig.event("busy", ``))
	sig.arrived(t, "busy")

	host := make([]byte, 400<<20) // a thumbnail's worth of decoding, and more
	for i := 0; i < len(host); i += 4096 {
		host[i] = 1
	}
	rt.waitChecks(t, 3) // the watchdog looked at the heap with the 400 MB in it
	sig.release("busy")
	if err := busy.wait(t); err != nil {
		t.Fatalf("a function running while the server held 400 MB for something else: %v, want it to finish", err)
	}
	runtime.KeepAlive(host)
}

// Two functions allocating without end at the same time are each
// stopped, for what each holds, while a third, within its budget, keeps
// running.
func TestMemoryConcurrentHogsEachStopped(t *testing.T) {
	rt, sig, logs := newMemoryRuntime(t)
	waiter := rt.start(userCtx, "keeper64", sig.event("waiter", `"mb":8`))
	sig.arrived(t, "waiter")

	hogs := []*running{rt.start(userCtx, "grow64", []byte(`{}`)), rt.start(userCtx, "grow64", []byte(`{}`))}
	for i, h := range hogs {
		if err := h.wait(t); ErrorCode(err) != CodeExecuteFail || !contains(err, "memory limit exceeded") {
			t.Errorf("hog %d: %v, want %s memory limit exceeded", i, err, CodeExecuteFail)
		}
		if rec := logs.of(h.requestID); rec == nil || rec.Memory < 64<<20 {
			t.Errorf("hog %d's record: %+v, want memory over its 64 MB budget", i, rec)
		}
	}
	sig.release("waiter")
	if err := waiter.wait(t); err != nil {
		t.Fatalf("the function within its budget beside the hogs: %v, want it to finish", err)
	}
}

// A function that allocates a lot but keeps little is not stopped, nor
// is it charged for what a neighbour holds within its own budget.
func TestMemoryGarbageNotCharged(t *testing.T) {
	rt, sig, _ := newMemoryRuntime(t)
	churn := rt.start(userCtx, "churn64", sig.event("churn", ``))
	sig.arrived(t, "churn") // it makes ~100 MB of garbage per round until released

	holder := rt.start(userCtx, "keeper256", sig.event("holder", `"mb":150`))
	sig.arrived(t, "holder")
	rt.waitChecks(t, 3)
	sig.release("churn")
	if err := churn.wait(t); err != nil {
		t.Fatalf("a function making garbage: %v, want it to finish", err)
	}
	sig.release("holder")
	if err := holder.wait(t); err != nil {
		t.Fatalf("a function holding 150 MB of its 256: %v, want it to finish", err)
	}
}

// Memory an instance keeps is charged to it whichever way it was made:
// in native callbacks nested in each other, in promise reactions and
// timers, by JSON.parse, and by the Go work of fetch.
func TestMemoryChargedWhateverPath(t *testing.T) {
	rt, sig, logs := newMemoryRuntime(t)
	body := strings.Repeat("f", 8<<20)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, body) }))
	defer srv.Close()
	paths := rt.start(userCtx, "paths64", sig.event("paths", fmt.Sprintf(`"body":%q`, srv.URL)))
	sig.arrived(t, "paths")
	rt.waitChecks(t, 3)
	// 8 MB in each of six ways, 48 MB; the sampling error is a few MB.
	// While it waits, what it holds is what it keeps: that may be up to
	// 8 MB more, as JSON.parse's result can keep the parsed text alive (the
	// runtime checks the text's nesting before goja parses it), so the
	// bound above is 64 MB. The bound below is the point: every path is
	// charged.
	rt.wd.mu.Lock()
	var held float64
	for _, tr := range rt.wd.tags {
		if tr.cur != nil {
			held = tr.inuse - tr.base
		}
	}
	rt.wd.mu.Unlock()
	if held < 40<<20 || held > 64<<20 {
		t.Errorf("an instance keeping 48 MB, waiting: the watchdog measured %.1f MB, want 48 to 56 (plus sampling error)", held/(1<<20))
	}
	sig.release("paths")
	if err := paths.wait(t); err != nil {
		t.Fatal(err)
	}
	if rec := logs.of(paths.requestID); rec == nil || rec.Memory < 40<<20 {
		t.Errorf("an instance keeping 48 MB: its record says %d MB, want at least about 48", rec.Memory>>20)
	}
}

// When all instances together hold more than MaxMemory, idle ones are
// dropped first: what a warm instance keeps between invocations gives way
// to a running invocation.
func TestMemoryTotalDropsIdleInstances(t *testing.T) {
	rt, sig, _ := newMemoryRuntime(t, Options{MaxMemory: 100 << 20})
	if res, err := rt.Invoke(userCtx, "stash256", []byte(`{"mb":60}`), Invocation{}); err != nil || string(res.Value) != "960" {
		t.Fatalf("stash 60 MB in module state: %v, %v", res, err)
	}
	keeper := rt.start(userCtx, "keeper256", sig.event("keeper", `"mb":60`))
	sig.arrived(t, "keeper")
	for deadline := time.Now().Add(memoryTestWait); len(rt.idleOf("stash256")) > 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the idle instance holding 60 MB was not dropped while a running one held 60 MB more, over MaxMemory 100 MB")
		}
	}
	sig.release("keeper")
	if err := keeper.wait(t); err != nil {
		t.Fatalf("the running function, within its budget: %v", err)
	}
	if res, err := rt.Invoke(userCtx, "stash256", []byte(`{"mb":1}`), Invocation{}); err != nil || string(res.Value) != "16" {
		t.Fatalf("the next call: %s, %v; want 16 (a new instance)", res.Value, err)
	}
}

// When running invocations alone hold more than MaxMemory, the one that
// holds the most is stopped, with an error saying why; new invocations
// are refused while the runtime is over it.
func TestMemoryTotalStopsTheBiggest(t *testing.T) {
	rt, sig, _ := newMemoryRuntime(t, Options{MaxMemory: 100 << 20})
	small := rt.start(userCtx, "keeper256", sig.event("small", `"mb":30`))
	sig.arrived(t, "small")
	big := rt.start(userCtx, "keeper256", sig.event("big", `"mb":90`))
	if err := big.wait(t); ErrorCode(err) != CodeExecuteFail || !contains(err, "together held more than 100 MB") {
		sig.release("big")
		t.Fatalf("the biggest of two over MaxMemory: %v, want it stopped for the server's memory", err)
	}
	sig.release("small")
	if err := small.wait(t); err != nil {
		t.Fatalf("the smaller one: %v, want it to finish", err)
	}
	// The watchdog's own tick may clear the state between the Store and the
	// call (it sees the runtime under MaxMemory): a few tries, each setting
	// it again; a runtime that never refuses fails them all.
	var err error
	for try := 0; try < 20; try++ {
		rt.wd.full.Store(true)
		if _, err = rt.Invoke(userCtx, "hello", nil, Invocation{}); ErrorCode(err) == CodeBusy {
			break
		}
	}
	if ErrorCode(err) != CodeBusy || !contains(err, "MINIBASE_FUNCTIONS_MEMORY") {
		t.Errorf("an invocation while over MaxMemory: %v, want %s", err, CodeBusy)
	}
	rt.wd.full.Store(false)
}

// memoryFunctions are the functions of the memory tests.
var memoryFunctions = map[string]struct{ config, index string }{
	// keeper: holds event.mb MB of strings, says so, then waits on timers
	// (polling the test's gate) until released.
	"keeper64":  {`{"memorySize": 64, "timeout": 300}`, keeperJS},
	"keeper256": {`{"memorySize": 256, "timeout": 300}`, keeperJS},
	// stash: adds event.mb MB of strings to its module state and returns
	// how many it holds.
	"stash256": {`{"memorySize": 256}`, `const keep = [];
exports.main = (event) => {
  const chunk = 's'.repeat(65520);
  for (let i = 0; i < event.mb * 16; i++) keep.push(chunk + String(i).padStart(8, '0'));
  return keep.length;
};`},
	"hello": {`{}`, `exports.main = () => 'hello'`},
	// paths: keeps 8 MB in each of six ways, then waits until released.
	"paths64": {`{"memorySize": 64, "timeout": 300}`, `const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
exports.main = async (event) => {
  const keep = [], chunk = 'p'.repeat(65520);
  const add = (mb, tag) => { for (let i = 0; i < mb * 16; i++) keep.push(chunk + tag + String(i).padStart(6, '0')); };
  [1, 2].map(() => [1, 2].forEach(() => [1].some(() => add(2, 'a'))));       // nested native callbacks
  await Promise.resolve().then(() => add(8, 'b'));                           // a promise reaction
  await new Promise((resolve) => setTimeout(() => { add(8, 'c'); resolve(); }, 1)); // a timer
  keep.push(JSON.parse(JSON.stringify({ s: 'j'.repeat(8 << 20) })));       // JSON.parse
  keep.push(await (await fetch(event.body)).text());                         // fetch's Go work
  add(8, 'd');
  await fetch(event.signals + '/arrive/' + event.name);
  for (;;) {
    await sleep(20);
    if ((await (await fetch(event.signals + '/gate/' + event.name)).text()) === 'go') return keep.length;
  }
};`},
	// grow: allocates and keeps without end.
	"grow64": {`{"memorySize": 64, "timeout": 300}`, `exports.main = () => {
  const keep = [], chunk = 'h'.repeat(65520);
  for (let i = 0; ; i++) keep.push(chunk + String(i).padStart(8, '0')); // 64 KiB each
};`},
	// parked: holds 100 MB, made in ten steps, and waits on a fetch of
	// event.url.
	"parked64": {`{"memorySize": 64, "timeout": 300}`, `exports.main = async (event) => {
  // in 10 MB strings: one string made in one step may be at most ¼ of the budget
  const a = Array.from({ length: 6 }, (_, i) => 'p'.repeat(10 << 20) + i), b = Array.from({ length: 4 }, (_, i) => 'q'.repeat(10 << 20) + i);
  return (await (await fetch(event.url)).text()) + a.length + b.length;
};`},
	// busy: runs JavaScript, making garbage, until released.
	"busy64": {`{"memorySize": 64, "timeout": 300}`, `exports.main = async (event) => {
  await fetch(event.signals + '/arrive/' + event.name);
  let n = 0;
  for (;;) {
    for (let i = 0; i < 2000; i++) n += JSON.stringify({ i, s: 'b'.repeat(1000) }).length;
    if ((await (await fetch(event.signals + '/gate/' + event.name)).text()) === 'go') return n;
  }
};`},
	// churn: makes 64 KiB strings it drops at once, ~100 MB a round, until
	// released.
	"churn64": {`{"memorySize": 64, "timeout": 300}`, `exports.main = async (event) => {
  await fetch(event.signals + '/arrive/' + event.name);
  const chunk = 'g'.repeat(65520);
  let n = 0;
  for (;;) {
    for (let i = 0; i < 1600; i++) n += (chunk + String(i).padStart(8, '0')).length;
    if ((await (await fetch(event.signals + '/gate/' + event.name)).text()) === 'go') return n;
  }
};`},
}

const keeperJS = `const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
exports.main = async (event) => {
  const keep = [], chunk = 'k'.repeat(65520);
  for (let i = 0; i < event.mb * 16; i++) keep.push(chunk + String(i).padStart(8, '0')); // 64 KiB each
  await fetch(event.signals + '/arrive/' + event.name);
  for (;;) {
    await sleep(20);
    if ((await (await fetch(event.signals + '/gate/' + event.name)).text()) === 'go') return keep.length;
  }
};`

// memRuntime is a Runtime over memoryFunctions.
type memRuntime struct{ *Runtime }

func newMemoryRuntime(t *testing.T, opts ...Options) (*memRuntime, *signals, *recordLog) {
	t.Helper()
	src := &memSource{codes: map[string]*Code{}}
	for name, f := range memoryFunctions {
		c, err := NewCode(name, map[string][]byte{"index.js": []byte(f.index), "config.json": []byte(f.config)})
		if err != nil {
			t.Fatal(err)
		}
		src.codes[name] = c
	}
	logs := &recordLog{recs: map[string]*LogRecord{}}
	o := Options{}
	if len(opts) > 0 {
		o = opts[0]
	}
	o.Logs = logs
	rt, _ := newRuntimeOver(t, src, o)
	t.Cleanup(runtime.GC) // give the next test a small heap
	return &memRuntime{rt}, newSignals(t), logs
}

// running is an invocation started in the background.
type running struct {
	requestID string
	done      chan struct{}
	res       *Result
	err       error
}

func (r *memRuntime) start(ctx context.Context, name string, event []byte) *running {
	inv := &running{requestID: NewRequestID(), done: make(chan struct{})}
	go func() {
		defer close(inv.done)
		inv.res, inv.err = r.Invoke(ctx, name, event, Invocation{RequestID: inv.requestID})
	}()
	return inv
}

// memoryTestWait bounds every wait of the memory tests.
const memoryTestWait = 3 * time.Minute

// wait returns the invocation's error once it has ended.
func (r *running) wait(t *testing.T) error {
	t.Helper()
	select {
	case <-r.done:
		return r.err
	case <-time.After(memoryTestWait):
		t.Fatalf("invocation %s did not end within %s", r.requestID, memoryTestWait)
		return nil
	}
}

// waitChecks waits until the watchdog has examined the heap n more times.
func (r *memRuntime) waitChecks(t *testing.T, n int64) {
	t.Helper()
	want := r.wd.checks.Load() + n
	for i, deadline := 0, time.Now().Add(memoryTestWait); r.wd.checks.Load() < want; i++ {
		if time.Now().After(deadline) {
			t.Fatalf("the watchdog examined the heap %d times in %s, want %d", r.wd.checks.Load()-want+n, memoryTestWait, n)
		}
		if i%100 == 0 {
			runtime.GC() // the watchdog looks after garbage collections
		}
		time.Sleep(time.Millisecond)
	}
}

// recordLog keeps every invocation's record, by requestID.
type recordLog struct {
	mu   sync.Mutex
	recs map[string]*LogRecord
}

func (l *recordLog) Write(_ context.Context, rec *LogRecord) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.recs[rec.RequestID] = rec
}

func (l *recordLog) of(requestID string) *LogRecord {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.recs[requestID]
}

// signals is a local HTTP server through which test functions say where
// they are and wait for the test's go-ahead: GET /arrive/{name} signals
// the test; GET /gate/{name} answers "go" once the test released name,
// "wait" before.
type signals struct {
	url string

	mu       sync.Mutex
	arrivals map[string]chan struct{}
	released map[string]bool
}

func newSignals(t *testing.T) *signals {
	s := &signals{arrivals: map[string]chan struct{}{}, released: map[string]bool{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		kind, name, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		s.mu.Lock()
		defer s.mu.Unlock()
		switch kind {
		case "arrive":
			select {
			case s.arrival(name) <- struct{}{}:
			default:
			}
			fmt.Fprint(w, "ok")
		case "gate":
			if s.released[name] {
				fmt.Fprint(w, "go")
			} else {
				fmt.Fprint(w, "wait")
			}
		}
	}))
	t.Cleanup(srv.Close)
	s.url = srv.URL
	t.Cleanup(func() { // nothing is left waiting on a failed test
		s.mu.Lock()
		defer s.mu.Unlock()
		for name := range s.arrivals {
			s.released[name] = true
		}
	})
	return s
}

// arrival returns name's channel; s.mu is held.
func (s *signals) arrival(name string) chan struct{} {
	ch := s.arrivals[name]
	if ch == nil {
		ch = make(chan struct{}, 1)
		s.arrivals[name] = ch
	}
	return ch
}

// event is the event of a test function called name, with more fields.
func (s *signals) event(name, more string) []byte {
	if more != "" {
		more = "," + more
	}
	return []byte(fmt.Sprintf(`{"signals":%q,"name":%q%s}`, s.url, name, more))
}

func (s *signals) arrived(t *testing.T, name string) {
	t.Helper()
	s.mu.Lock()
	ch := s.arrival(name)
	s.mu.Unlock()
	select {
	case <-ch:
	case <-time.After(memoryTestWait):
		t.Fatalf("%s did not arrive within %s", name, memoryTestWait)
	}
}

func (s *signals) release(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.released[name] = true
}

// How far past its 64 MB budget a function that keeps allocating gets
// before it is stopped, as the watchdog measured it (goal: well under
// its budget again).
func BenchmarkMemoryOvershoot(b *testing.B) {
	src := &memSource{codes: map[string]*Code{}}
	f := memoryFunctions["grow64"]
	c, err := NewCode("grow64", map[string][]byte{"index.js": []byte(f.index), "config.json": []byte(f.config)})
	if err != nil {
		b.Fatal(err)
	}
	src.codes["grow64"] = c
	logs := &recordLog{recs: map[string]*LogRecord{}}
	rt, _ := newRuntimeOver(b, src, Options{Logs: logs})
	var over, worst float64
	for i := 0; i < b.N; i++ {
		id := NewRequestID()
		if _, err := rt.Invoke(adminCtx, "grow64", []byte(`{}`), Invocation{RequestID: id}); !contains(err, "memory limit exceeded") {
			b.Fatal(err)
		}
		mb := float64(logs.of(id).Memory)/(1<<20) - 64
		over += mb
		worst = max(worst, mb)
	}
	b.ReportMetric(over/float64(b.N), "MB-past-budget")
	b.ReportMetric(worst, "worst-MB")
}

// What one read of the heap profile costs the watchdog, with the profile
// of a process that has run a variety of functions.
func BenchmarkHeapProfileRead(b *testing.B) {
	rt, _ := newTestRuntime(b, Options{})
	for range 200 {
		for _, f := range []string{"hello", "sum", "builtins", "bufferdata", "wxcontext", "timers", "echo", "modules", "readwrite"} {
			rt.Invoke(adminCtx, f, []byte(`{"a":1,"b":2}`), Invocation{})
		}
	}
	runtime.GC()
	marks, err := markSites()
	if err != nil {
		b.Fatal(err)
	}
	var p heapProfile
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, ok, err := p.read(marks); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
	b.StopTimer()
	n, _ := runtime.MemProfile(nil, true)
	b.ReportMetric(float64(n), "stacks")
}
