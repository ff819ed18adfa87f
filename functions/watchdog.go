package functions

import (
	"cmp"
	"errors"
	"math"
	"runtime"
	"runtime/metrics"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"
)

// watchdog enforces functions' memory budgets (config.json memorySize)
// and the runtime's total (Options.MaxMemory).
//
// A budget bounds what one instance holds, as it bounds a Node
// container: its module state and whatever its running invocation keeps.
// What an instance holds is measured, not guessed: each instance has a
// heap tag (memtag.go), and Go's heap profile says how many bytes its own
// code allocated that are still live. Memory another invocation, an image
// resize, an upload or a query allocated never carries the tag, so it is
// never charged to the instance, whether the instance was waiting on a
// timer or running on the other core at the time: no instance is ever
// stopped for another's memory.
//
// A snapshot also counts what an instance allocated while the garbage
// collection that took it ran ("floating garbage", freed only by the next
// one), which a function churning through garbage while a big heap is
// marked has plenty of. So an instance is judged on proof taken over two
// snapshots: what was live at the later one minus everything it
// allocated between them is memory it allocated before the earlier one
// and still kept. It is stopped (running: its invocation ends with
// "memory limit exceeded"; idle: it is dropped) only when that proof
// passes its budget by four standard deviations of the profile's
// sampling error, sqrt(MemProfileRate × budget) (at 64 KiB: 8 MB on
// 64 MB, 16 MB on 256 MB), so a function within its budget is stopped
// for sampling noise with a probability under 1 in 10,000.
//
// When to measure: the profile is published by garbage collections, one
// late. The watchdog reads it after collections while some instance may
// be near its budget and, when a running instance may be over it, forces
// a collection (runtime.GC), which publishes it at once. Since the last
// fresh profile, an instance can have allocated no more than the whole
// process did while its JavaScript ran (the loop says when it runs:
// instance.js), nor can it hold more than the heap: an instance waiting
// on a timer or a fetch accrues nothing, and nothing is read for
// instances that cannot be near their budget (warm calls of small
// functions cause no reads at all). A read costs milliseconds (more as
// the profile grows: BenchmarkHeapProfileRead), and a forced collection
// marks the whole heap: reads that find nothing to do take at most a
// fifth of the time (GOMEMLIMIT, by making collections more frequent as
// the heap nears it, makes the profile fresher for free). A read that
// sees a running instance grow is followed by another at once, so a
// function passing its budget is stopped two reads later, having
// allocated meanwhile what it allocates in them (BenchmarkMemoryOvershoot:
// a 64 MB function keeping 2 GB/s is stopped at about 170 MB, 270 at
// worst, on a busy 2-core machine).
//
// When all instances together hold more than MaxMemory, idle instances
// are dropped, biggest first; if that is not enough, new invocations are
// refused (CodeBusy) until they hold less, and the running instance that
// provably holds the most is stopped with an error saying so: for its
// own memory, not another's.
//
// What it cannot do: memory allocated more than 128 frames below an
// instance's entry (memtag.go) is charged to no one; memory the server
// keeps on a call's behalf (a pooled connection fetch opened, a cached
// query plan) is charged to the instance that made the call while it is
// kept; a function that passes its budget and returns before the next
// read finishes normally; instances beyond the 4,095 tags alive or
// cooling at once are not watched; with MemProfileRate 0, nothing is
// enforced.
type watchdog struct {
	every    time.Duration
	maxTotal float64
	marks    *markLines
	checks   atomic.Int64 // heap profile reads
	full     atomic.Bool  // over maxTotal: new invocations are refused

	mu   sync.Mutex
	tags map[int]*tracked // this runtime's instances
	snap uint64           // the garbage collection whose end the last read's profile showed

	// Used on the watchdog's goroutine only.
	prof    heapProfile
	samples []metrics.Sample
	cycle   uint64        // garbage collections seen
	allocs  uint64        // bytes the process allocated, at the last tick
	heap    uint64        // bytes in heap objects, live or not yet swept, at the last tick
	next    time.Time     // no read before (pace)
	took    time.Duration // reads' time since the last pause
	urgent  int           // reads in a row that did not pause
}

// tracked is an instance the watchdog watches: its tag's figures as of
// the last read.
type tracked struct {
	in      *instance
	budget  float64
	base    float64 // live bytes the tag's previous instance left
	inuse   float64 // live bytes at the last read
	alloc   float64 // bytes ever allocated under the tag, at the last read
	kept    float64 // live bytes at the last read that were allocated before the one before
	cur     *call   // the running invocation; nil when idle
	stopped bool
	// accrued is what the whole process allocated while the instance's
	// JavaScript ran since the last fresh profile: more than it can have
	// allocated itself (what its Go work fetches meanwhile is bounded by
	// fetch's and storage's own limits, and is made into JavaScript
	// values, which counts, when it resumes).
	accrued float64
	seen    uint32 // its instance's js counter at the last tick
}

// memoryError is how an invocation stopped for its instance's memory
// ends.
func memoryError(held, budget float64) *Error {
	return Errorf(CodeExecuteFail, "memory limit exceeded: the function kept %d MB, more than its memorySize of %d MB allows (config.json \"memorySize\"); it was stopped",
		int64(held)>>20, int64(budget)>>20)
}

// MemProfileRate is the heap profiling rate (runtime.MemProfileRate) the
// memory budgets are made for: set it first thing in main. Under Go's
// default (512 KiB) budgets hold all the same, with thrice the margin
// for sampling error; with profiling off (0), they are not enforced.
const MemProfileRate = 64 << 10

const (
	gcCyclesMetric = "/gc/cycles/total:gc-cycles"
	allocsMetric   = "/gc/heap/allocs:bytes"
	objectsMetric  = "/memory/classes/heap/objects:bytes"
	// readShare: reads, with the collections forced for them, take at
	// most 1/readShare of the time.
	readShare = 5
)

func newWatchdog(maxTotal int64) (*watchdog, error) {
	marks, err := markSites()
	if err != nil {
		return nil, err
	}
	w := &watchdog{every: 5 * time.Millisecond, maxTotal: float64(maxTotal), marks: marks, tags: make(map[int]*tracked),
		samples: []metrics.Sample{{Name: gcCyclesMetric}, {Name: allocsMetric}, {Name: objectsMetric}}}
	w.sample()
	w.snap = w.cycle
	return w, nil
}

// sample reads the process's counters; it returns what it allocated
// since the last sample.
func (w *watchdog) sample() (allocated float64) {
	metrics.Read(w.samples)
	allocs := w.samples[1].Value.Uint64()
	if allocs > w.allocs {
		allocated = float64(allocs - w.allocs)
	}
	w.cycle, w.allocs, w.heap = w.samples[0].Value.Uint64(), allocs, w.samples[2].Value.Uint64()
	return allocated
}

// assign gives a new instance a tag and starts watching it; 0 when all
// tags are taken (the instance's memory is then charged to no one).
func (w *watchdog) assign(in *instance, budget uint64) int {
	tag, base := heapTags.take()
	if tag > 0 {
		w.mu.Lock()
		w.tags[tag] = &tracked{in: in, budget: float64(budget), base: base.inuse, inuse: base.inuse, alloc: base.alloc}
		w.mu.Unlock()
	}
	return tag
}

// release stops watching a closed instance and gives its tag back.
func (w *watchdog) release(tag int) {
	if tag == 0 {
		return
	}
	s := []metrics.Sample{{Name: gcCyclesMetric}}
	metrics.Read(s)
	w.mu.Lock()
	delete(w.tags, tag)
	w.mu.Unlock()
	heapTags.give(tag, s[0].Value.Uint64())
}

// add starts the watch of c, running on its instance.
func (w *watchdog) add(c *call) {
	w.mu.Lock()
	if t := w.tags[c.inst.tag]; t != nil {
		t.cur = c
	}
	w.mu.Unlock()
}

// remove ends the watch of c and reports whether the watchdog stopped it.
func (w *watchdog) remove(c *call) (stopped bool) {
	w.mu.Lock()
	if t := w.tags[c.inst.tag]; t != nil && t.cur == c {
		t.cur = nil
	}
	stopped = c.stopped
	w.mu.Unlock()
	return stopped
}

// memory is the most its instance held while c ran, as the watchdog
// measured it (LogRecord.Memory); valid after remove.
func (c *call) memory() uint64 { return c.memPeak }

// run watches until stop is closed.
func (w *watchdog) run(stop <-chan struct{}) {
	t := time.NewTicker(w.every)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			w.tick()
		}
	}
}

// read kinds.
const (
	readNone = iota
	readNatural
	readForced
)

// tick looks at the process's counters and reads the profile when that
// can tell something.
func (w *watchdog) tick() {
	allocated := w.sample()
	start := time.Now()
	w.mu.Lock()
	for _, t := range w.tags { // those whose JavaScript ran since the last tick
		if js := t.in.js.Load(); js != t.seen || js%2 == 1 {
			t.accrued += allocated
			t.seen = js
		}
	}
	read := w.plan(start)
	w.mu.Unlock()
	switch read {
	case readNatural:
		// The profile published by collection n shows the end of n-1.
		r := w.read(w.cycle - 1)
		w.pace(time.Since(start), r)
	case readForced:
		w.forceRead()
	}
}

// plan says whether to read the profile now, and how. w.mu is held.
func (w *watchdog) plan(now time.Time) int {
	rate := float64(runtime.MemProfileRate)
	if rate <= 0 {
		w.full.Store(false)
		return readNone
	}
	// An instance whose JavaScript has not run since the last read cannot
	// have grown: only the others call for one.
	heap := float64(w.heap) // no instance holds more than the whole heap
	var total, accrued float64
	natural, forced := w.full.Load(), false
	for _, t := range w.tags {
		if t.stopped {
			continue
		}
		held := max(t.inuse-t.base, 0)
		total += held
		accrued += t.accrued
		bound, limit := min(held+t.accrued, heap), threshold(t.budget, rate)
		natural = natural || (t.cur != nil || t.accrued > 0) && bound >= limit/2
		forced = forced || t.cur != nil && bound > limit
	}
	if total <= w.maxTotal*7/8 {
		w.full.Store(false) // those that held it are gone
	}
	if bound := min(total+accrued, heap); accrued > 0 {
		natural = natural || bound >= w.maxTotal/2
		forced = forced || bound > w.maxTotal
	}
	switch {
	case now.Before(w.next):
		return readNone
	case forced:
		return readForced
	case w.cycle > w.snap+1 && (natural || heapTags.cooling(w.cycle)): // a profile newer than the last read's
		return readNatural
	}
	return readNone
}

// threshold is the proven memory past which an instance with budget is
// stopped: four standard deviations of sampling error above it.
func threshold(budget, rate float64) float64 { return budget + 4*math.Sqrt(rate*budget) }

// maxUrgent is how many reads may follow each other without a pause
// while a running instance grows towards its budget.
const maxUrgent = 8

// pace holds the next read back after one that took took, so that reads
// that find nothing to do take at most 1/readShare of the time. A read
// that stopped an instance is not counted; one that saw a running
// instance grow by a sixteenth of its budget or more, or pass its
// threshold without proof yet (a proof takes two profiles), is followed
// by another at once, up to maxUrgent times in a row.
func (w *watchdog) pace(took time.Duration, r outcome) {
	switch {
	case r.stopped:
		w.took, w.urgent = 0, 0
		return
	case r.urgent && w.urgent < maxUrgent:
		w.took += took
		w.urgent++
		return
	}
	w.took += took
	w.next = time.Now().Add((readShare - 1) * w.took)
	w.took, w.urgent = 0, 0
}

// outcome is what a read led to.
type outcome struct {
	stopped bool // a running instance was stopped
	urgent  bool // read again at once (pace)
}

// forceRead collects garbage and reads the fresh profile (runtime.GC
// publishes it). What instances allocate while it runs accrues at the
// next tick.
func (w *watchdog) forceRead() {
	start := time.Now()
	w.mu.Lock()
	for _, t := range w.tags {
		t.accrued = 0
	}
	w.mu.Unlock()
	runtime.GC()
	metrics.Read(w.samples[:1])
	w.cycle = w.samples[0].Value.Uint64()
	r := w.read(w.cycle)
	w.pace(time.Since(start), r)
}

// read reads the profile, which shows the end of collection snap, and
// acts on it. A read that fails (never seen) is skipped.
func (w *watchdog) read(snap uint64) outcome {
	heap, ok, err := w.prof.read(w.marks)
	if !ok || err != nil { // profiling off; a profile that cannot be read is not expected
		return outcome{}
	}
	heapTags.cooled(heap, w.cycle)
	w.checks.Add(1)
	w.mu.Lock()
	evict, r := w.judge(heap, snap)
	w.mu.Unlock()
	for _, in := range evict {
		in.fn.evict(in)
	}
	return r
}

// judge updates every instance's figures from a profile read, stops those
// that provably hold more than they may, and returns the idle ones to
// drop, and whether to read again at once (pace). w.mu is held.
func (w *watchdog) judge(heap map[int]tagHeap, snap uint64) (evict []*instance, r outcome) {
	if snap <= w.snap {
		return nil, r // the profile the last read saw: nothing to compare
	}
	rate := float64(runtime.MemProfileRate)
	var total float64
	var idle, running []*tracked
	for tag, t := range w.tags {
		if t.stopped {
			continue
		}
		h := heap[tag]
		held, before := max(h.inuse-t.base, 0), max(t.inuse-t.base, 0)
		// Live now, minus all it allocated since the last profile: what
		// it allocated before that one and still keeps. Not what it
		// allocated while this one's collection ran, garbage or not.
		kept := h.inuse - t.base - (h.alloc - t.alloc)
		t.inuse, t.alloc, t.kept = h.inuse, h.alloc, kept
		if t.cur != nil {
			t.cur.memPeak = max(t.cur.memPeak, uint64(held))
		}
		limit := threshold(t.budget, rate)
		switch {
		case kept > limit && t.cur != nil:
			w.stop(t, memoryError(kept, t.budget))
			r.stopped = true
		case kept > limit: // idle: its module state is too big
			evict = append(evict, t.in)
		case t.cur != nil:
			r.urgent = r.urgent || held > limit || held-before >= t.budget/16
			total += held
			running = append(running, t)
		default:
			total += held
			idle = append(idle, t)
		}
	}
	w.snap = snap
	if total <= w.maxTotal {
		w.full.Store(total > w.maxTotal*7/8 && w.full.Load())
		return evict, r
	}
	// Over the total: drop idle instances, biggest first.
	slices.SortFunc(idle, func(a, b *tracked) int { return cmp.Compare(b.inuse-b.base, a.inuse-a.base) })
	for _, t := range idle {
		if total <= w.maxTotal {
			return evict, r
		}
		total -= max(t.inuse-t.base, 0)
		evict = append(evict, t.in)
	}
	if total <= w.maxTotal {
		return evict, r
	}
	// Still over: refuse new invocations and stop the running instance
	// that provably keeps the most, once none other may hold more than
	// that and none may be over its own budget (proofs take two profiles:
	// until then, read again).
	w.full.Store(true)
	var big *tracked
	for _, t := range running {
		if big == nil || t.kept > big.kept {
			big = t
		}
	}
	for _, t := range running {
		if held := t.inuse - t.base; t != big && held > big.kept || held > threshold(t.budget, rate) {
			r.urgent = true
			return evict, r
		}
	}
	if big != nil && big.kept > 0 {
		w.stop(big, Errorf(CodeExecuteFail, "stopped: the functions running on this server together held more than %d MB (MINIBASE_FUNCTIONS_MEMORY), and this one held the most (%d MB of its %d MB memorySize)",
			int64(w.maxTotal)>>20, int64(big.kept)>>20, int64(big.budget)>>20))
		r.stopped = true
	}
	return evict, r
}

// stop ends t's running invocation with err. w.mu is held.
func (w *watchdog) stop(t *tracked, err *Error) {
	t.stopped = true
	c := t.cur
	c.stopped = true
	c.inst.interrupt(err)
}

// interruptAll stops every running invocation with err (at Close).
func (w *watchdog) interruptAll(err *Error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, t := range w.tags {
		if t.cur != nil && !t.cur.stopped {
			w.stop(t, err)
		}
	}
}

// isException reports whether err is a JavaScript exception (the function
// threw).
func isException(err error) bool {
	var ex *goja.Exception
	return errors.As(err, &ex)
}
