package functions

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/dop251/goja"
)

// loop is an instance's event loop: timers, immediates and Go work (database
// calls, fetch, callFunction) whose results come back to JavaScript. It runs
// on the goroutine of the invocation that holds the instance; other
// goroutines only post to it. Go work main started and did not wait for
// still runs after main settles, on the goroutine that finishes the
// invocation (Runtime.finishLeft). When an invocation ends, reset cancels
// every timer and drops whatever arrives late, so nothing of one
// invocation runs during the next.
//
// It is minibase's own rather than goja_nodejs/eventloop because a cloud
// function needs three things that loop does not offer: it knows when
// nothing is left that could settle main's promise (so a promise that can
// never settle fails at once, not at the timeout), an exception thrown in a
// timer callback fails the invocation instead of being dropped, and the
// loop runs on the invoking goroutine under the invocation's deadline.
type loop struct {
	vm *goja.Runtime
	in *instance // whose running call gives Go work its context

	mu    sync.Mutex
	gen   uint64 // the invocation's generation; posts from an older one are dropped
	queue []func()
	spare []func()
	wake  chan struct{}

	// Used on the loop's goroutine only.
	pending  int  // referenced timers, immediates and Go work in flight
	inflight int  // Go work in flight (part of pending)
	draining bool // main settled: Go work cut by the deadline is dropped, not settled (finishLeft)
	dropped  int  // Go work dropped so
	timers   map[int64]*timer
	nextID   int64
	failure  error // the first exception thrown by a callback
}

type timer struct {
	id       int64
	t        *time.Timer // nil for an immediate
	fn       goja.Callable
	args     []goja.Value
	interval time.Duration // > 0 for setInterval
	ref      bool          // keeps the invocation waiting (Node's ref/unref)
}

// errNeverSettles ends an invocation whose main returned a promise that
// nothing left could settle.
var errNeverSettles = errors.New("main returned a Promise that can never settle: no timer, database call, fetch or callFunction is left that could resolve it")

func newLoop(vm *goja.Runtime, in *instance) *loop {
	return &loop{vm: vm, in: in, wake: make(chan struct{}, 1), timers: make(map[int64]*timer)}
}

// post runs fn on the loop, unless the invocation of generation gen has
// ended. Safe from any goroutine.
func (l *loop) post(gen uint64, fn func()) {
	l.mu.Lock()
	if gen != l.gen {
		l.mu.Unlock()
		return
	}
	l.queue = append(l.queue, fn)
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// generation returns the current generation (loop goroutine).
func (l *loop) generation() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.gen
}

// run runs callbacks until settled reports true, a callback throws, nothing
// is left that could settle it (errNeverSettles), the invocation's
// deadline passes or the watchdog stops it (expired is signalled; the
// instance's cause) or caller ends (its cause).
func (l *loop) run(caller context.Context, expired <-chan struct{}, settled func() bool) error {
	for {
		if l.failure != nil {
			return l.failure
		}
		if settled() {
			return nil
		}
		l.mu.Lock()
		jobs := l.queue
		l.queue, l.spare = l.spare[:0], nil
		l.mu.Unlock()
		if len(jobs) > 0 {
			for i, job := range jobs {
				jobs[i] = nil
				if l.failure == nil {
					job()
				}
			}
			l.spare = jobs[:0]
			continue
		}
		if l.pending <= 0 {
			return errNeverSettles
		}
		var stop error
		l.in.js.Add(1) // parked: its JavaScript does not run
		select {
		case <-l.wake:
		case <-expired:
			stop = *l.in.cause.Load()
		case <-caller.Done():
			stop = context.Cause(caller)
		}
		l.in.js.Add(1)
		if stop != nil {
			return stop
		}
	}
}

// call runs a callback; an exception it throws fails the invocation.
func (l *loop) call(fn goja.Callable, args []goja.Value) {
	if _, err := fn(goja.Undefined(), args...); err != nil && l.failure == nil {
		l.failure = err
	}
}

// reset ends the invocation: pending timers are cancelled and late posts
// dropped.
func (l *loop) reset() {
	l.mu.Lock()
	l.gen++
	l.queue = l.queue[:0]
	l.mu.Unlock()
	for id, t := range l.timers {
		if t.t != nil {
			t.t.Stop()
		}
		delete(l.timers, id)
	}
	l.pending, l.inflight, l.failure = 0, 0, nil
	l.draining, l.dropped = false, 0
}

// schedule starts a timer (interval > 0 repeats) or, with a negative
// delay, an immediate. It returns the timer's id.
func (l *loop) schedule(fn goja.Callable, delay time.Duration, interval bool, args []goja.Value) *timer {
	l.nextID++
	t := &timer{id: l.nextID, fn: fn, args: args, ref: true}
	l.timers[t.id] = t
	l.pending++
	gen := l.generation()
	if delay < 0 {
		l.post(gen, func() { l.fire(t) })
		return t
	}
	if interval {
		t.interval = delay
	}
	t.t = time.AfterFunc(delay, func() { l.post(gen, func() { l.fire(t) }) })
	return t
}

func (l *loop) fire(t *timer) {
	if l.timers[t.id] != t {
		return // cleared meanwhile
	}
	if t.interval > 0 {
		t.t.Reset(t.interval)
	} else {
		l.clear(t.id)
	}
	l.call(t.fn, t.args)
}

// clear cancels the timer id; unknown ids are ignored, as in Node.
func (l *loop) clear(id int64) {
	t := l.timers[id]
	if t == nil {
		return
	}
	if t.t != nil {
		t.t.Stop()
	}
	delete(l.timers, id)
	if t.ref {
		l.pending--
	}
}

// setRef makes the timer id keep the invocation waiting, or not (unref).
func (l *loop) setRef(id int64, ref bool) {
	if t := l.timers[id]; t != nil && t.ref != ref {
		t.ref = ref
		if ref {
			l.pending++
		} else {
			l.pending--
		}
	}
}

// async runs work on its own goroutine, under the invocation's context,
// and returns a promise that finish settles on the loop: finish returns the
// value to resolve with, or an error to reject with (a *jsError carries a
// JavaScript value).
func (l *loop) async(work func(ctx context.Context) func(vm *goja.Runtime) (goja.Value, error)) goja.Value {
	p, resolve, reject := l.vm.NewPromise()
	l.pending++
	l.inflight++
	gen, ctx, tag := l.generation(), l.in.cur.context(), l.in.tag
	l.in.rt.workers.do(func() {
		var finish func(*goja.Runtime) (goja.Value, error)
		tagged(tag, func() { finish = safeWork(work, ctx) }) // what it fetches is the instance's
		l.post(gen, func() {
			l.pending--
			l.inflight--
			if l.draining && ctx.Err() != nil { // the deadline passed while it ran: nobody waits for it
				l.dropped++
				return
			}
			v, err := finish(l.vm)
			if err == nil {
				err = resolve(v)
			} else {
				err = reject(errorValue(l.vm, err))
			}
			if err != nil && l.failure == nil { // a reaction was interrupted
				l.failure = err
			}
		})
	})
	return l.vm.ToValue(p)
}

// stream runs work on a worker under the invocation's context, like
// async, for Go work that answers more than once (an HTTP response, chunk
// by chunk): work calls emit with each piece of JavaScript to run on the
// loop, in order, and returns when it has nothing more to say. The
// invocation waits for it until then, as for a promise of async.
func (l *loop) stream(work func(ctx context.Context, emit func(func(*goja.Runtime) error))) {
	l.pending++
	gen, ctx, tag := l.generation(), l.in.cur.context(), l.in.tag
	emit := func(f func(*goja.Runtime) error) {
		l.post(gen, func() {
			if err := f(l.vm); err != nil && l.failure == nil {
				l.failure = err
			}
		})
	}
	l.in.rt.workers.do(func() {
		tagged(tag, func() { safeStream(work, ctx, emit) })
		l.post(gen, func() { l.pending-- })
	})
}

// safeStream runs a stream's work; a Go panic in it fails the invocation
// instead of ending the server.
func safeStream(work func(context.Context, func(func(*goja.Runtime) error)), ctx context.Context, emit func(func(*goja.Runtime) error)) {
	defer func() {
		if p := recover(); p != nil {
			err := fmt.Errorf("internal error in the functions runtime: %v", p)
			emit(func(*goja.Runtime) error { return err })
		}
	}()
	work(ctx, emit)
}

// workers runs the Go work of event loops (database and storage calls,
// fetch, callFunction) on goroutines kept for a while after their work. A
// new goroutine's stack starts small and is copied as it grows to what a
// database call needs: with a goroutine per call, that copying was 4% of a
// function doing a read and a write.
type workers struct {
	jobs chan func()
	idle time.Duration // a worker with nothing to do this long ends
	stop <-chan struct{}
}

// workerIdle is how long an idle worker waits for more work.
const workerIdle = 10 * time.Second

func newWorkers(stop <-chan struct{}) *workers {
	return &workers{jobs: make(chan func()), idle: workerIdle, stop: stop}
}

// do runs job on an idle worker, or on a new one when none is idle.
func (w *workers) do(job func()) {
	select {
	case w.jobs <- job:
	default:
		go w.run(job)
	}
}

func (w *workers) run(job func()) {
	t := time.NewTimer(w.idle)
	defer t.Stop()
	for {
		job()
		t.Reset(w.idle)
		select {
		case job = <-w.jobs:
		case <-t.C:
			return
		case <-w.stop:
			return
		}
	}
}

// safeWork runs work; a Go panic in it becomes a rejection instead of
// ending the server.
func safeWork(work func(context.Context) func(*goja.Runtime) (goja.Value, error), ctx context.Context) (finish func(*goja.Runtime) (goja.Value, error)) {
	defer func() {
		if p := recover(); p != nil {
			err := fmt.Errorf("internal error in the functions runtime: %v", p)
			finish = func(*goja.Runtime) (goja.Value, error) { return nil, err }
		}
	}()
	return work(ctx)
}

// jsError is an error that rejects with a given JavaScript value.
type jsError struct{ v goja.Value }

func (e *jsError) Error() string { return e.v.String() }

func errorValue(vm *goja.Runtime, err error) goja.Value {
	var je *jsError
	if errors.As(err, &je) {
		return je.v
	}
	return vm.NewGoError(err)
}
