package functions

import (
	"errors"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"
)

// watchdog enforces functions' memory budgets (config.json memorySize).
// goja cannot count a runtime's memory, so it watches the process's live
// heap (as of the last garbage collection) every few milliseconds: when
// the heap has grown by more than an invocation's budget since that
// invocation started, the oldest such invocation, the likeliest culprit,
// is interrupted and its instance thrown away, which frees what it held.
// Heap that is only garbage does not count, so a function that allocates
// a lot without keeping it is left alone.
type watchdog struct {
	every time.Duration
	live  atomic.Uint64 // the live heap at the last sample

	mu      sync.Mutex
	running map[*call]uint64 // invocation → its budget in bytes
}

// errMemory is how an invocation stopped by the watchdog ends.
var errMemory = Errorf(CodeExecuteFail, "memory limit exceeded: the function kept more memory than its memorySize allows (config.json \"memorySize\", MB); it was stopped")

const liveHeapMetric = "/gc/heap/live:bytes"

func newWatchdog() *watchdog {
	w := &watchdog{every: 5 * time.Millisecond, running: make(map[*call]uint64)}
	w.sample()
	return w
}

func (w *watchdog) sample() uint64 {
	s := []metrics.Sample{{Name: liveHeapMetric}}
	metrics.Read(s)
	v := s[0].Value.Uint64()
	w.live.Store(v)
	return v
}

func (w *watchdog) add(c *call, budget uint64) {
	w.mu.Lock()
	c.heapStart = w.live.Load()
	c.heapPeak = c.heapStart
	w.running[c] = budget
	w.mu.Unlock()
}

// remove ends the watch of c and reports whether the watchdog
// interrupted it.
func (w *watchdog) remove(c *call) (interrupted bool) {
	w.mu.Lock()
	_, ok := w.running[c]
	delete(w.running, c)
	c.heapPeak = max(c.heapPeak, w.live.Load())
	w.mu.Unlock()
	return !ok
}

// memory is how much the live heap grew while c ran, as far as the
// samples tell (LogRecord.Memory); valid after remove.
func (c *call) memory() uint64 {
	if c.heapPeak > c.heapStart {
		return c.heapPeak - c.heapStart
	}
	return 0
}

// run samples until stop is closed.
func (w *watchdog) run(stop <-chan struct{}) {
	t := time.NewTicker(w.every)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			w.check(w.sample())
		}
	}
}

// check interrupts the oldest invocation over its budget. An invocation's
// baseline is the lowest live heap seen while it runs, so memory freed
// after it started (say, a stopped invocation's) is not counted against it.
func (w *watchdog) check(live uint64) {
	w.mu.Lock()
	var victim *call
	for c, budget := range w.running {
		if live < c.heapStart {
			c.heapStart = live
		}
		c.heapPeak = max(c.heapPeak, live)
		if live > c.heapStart && live-c.heapStart > budget && (victim == nil || c.start.Before(victim.start)) {
			victim = c
		}
	}
	if victim != nil {
		delete(w.running, victim) // remove reports it
		victim.inst.vm.Interrupt(errMemory)
	}
	w.mu.Unlock()
}

// interruptAll stops every running invocation with err (at Close).
func (w *watchdog) interruptAll(err error) {
	w.mu.Lock()
	for c := range w.running {
		delete(w.running, c)
		c.inst.vm.Interrupt(err)
	}
	w.mu.Unlock()
}

// isException reports whether err is a JavaScript exception (the function
// threw).
func isException(err error) bool {
	var ex *goja.Exception
	return errors.As(err, &ex)
}
