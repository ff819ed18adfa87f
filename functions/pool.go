package functions

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dop251/goja_nodejs/require"
)

// function is one version of a function: its compiled modules, its pool
// of idle instances and its concurrency slots.
type function struct {
	code     *Code
	registry *require.Registry // compiles each module file once for every instance
	envJSON  string            // context.environment
	slots    chan struct{}
	waiting  atomic.Int64

	mu      sync.Mutex
	idle    []*instance
	retired bool // a newer version replaced it

	fsOnce sync.Once
	fs     *fsIndex // its files as directories, for require('fs'): made on first use
}

// function returns the pool for code's version, replacing an older one.
func (r *Runtime) function(code *Code) *function {
	r.mu.Lock()
	defer r.mu.Unlock()
	fn := r.fns[code.Name]
	if fn != nil && fn.code.Version == code.Version {
		return fn
	}
	if fn != nil {
		fn.retire()
	}
	env, _ := json.Marshal(code.Config.Env)
	if code.Config.Env == nil {
		env = []byte("{}")
	}
	fn = &function{code: code, envJSON: string(env), slots: make(chan struct{}, r.opts.Concurrency)}
	fn.registry = r.newRegistry(code)
	r.fns[code.Name] = fn
	return fn
}

// Retire drops the function called name's idle instances and forgets
// its compiled code: the next invocation loads it again (Source.Load)
// and starts a new instance. Invocations running now finish on their
// instance, which is then closed. Shared mode's follower calls it when
// another node deployed, rolled back or deleted the function.
func (r *Runtime) Retire(name string) {
	r.mu.Lock()
	fn := r.fns[name]
	delete(r.fns, name)
	r.mu.Unlock()
	if fn != nil {
		fn.retire()
	}
}

// acquire takes one of the function's slots, waiting in its queue when
// all are taken: CodeBusy when the queue is full or ctx ends first.
func (f *function) acquire(ctx context.Context, queue int) error {
	select {
	case f.slots <- struct{}{}:
		return nil
	default:
	}
	if f.waiting.Add(1) > int64(queue) {
		f.waiting.Add(-1)
		return Errorf(CodeBusy, "function %s is busy: %d invocations running and %d waiting; try again later", f.code.Name, cap(f.slots), queue)
	}
	defer f.waiting.Add(-1)
	select {
	case f.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return Errorf(CodeBusy, "function %s stayed busy (%d invocations running) until the caller's deadline", f.code.Name, cap(f.slots))
	}
}

// evict closes in if it is idle in f's pool (the watchdog drops it) and
// reports whether it was.
func (f *function) evict(in *instance) bool {
	f.mu.Lock()
	i := slices.Index(f.idle, in)
	if i >= 0 {
		f.idle = slices.Delete(f.idle, i, i+1)
	}
	f.mu.Unlock()
	if i >= 0 {
		in.close()
	}
	return i >= 0
}

func (f *function) take() *instance {
	f.mu.Lock()
	defer f.mu.Unlock()
	if n := len(f.idle); n > 0 {
		in := f.idle[n-1]
		f.idle[n-1] = nil
		f.idle = f.idle[:n-1]
		return in
	}
	return nil
}

// put returns in to the pool after an invocation; a broken instance, one
// of a retired version or one the pool has no room for is closed instead.
func (f *function) put(in *instance) {
	if !in.broken {
		f.mu.Lock()
		if !f.retired && len(f.idle) < cap(f.slots) {
			f.idle = append(f.idle, in)
			in = nil
		}
		f.mu.Unlock()
	}
	if in != nil {
		in.close()
	}
}

// retire marks f replaced by a newer version and closes its idle
// instances; those still running are closed when they finish (put).
func (f *function) retire() {
	f.mu.Lock()
	idle := f.idle
	f.retired, f.idle = true, nil
	f.mu.Unlock()
	for _, in := range idle {
		in.close()
	}
}

// minJanitorTick bounds how often the janitor looks for idle instances,
// whatever IdleTTL is.
const minJanitorTick = 10 * time.Millisecond

// janitor drops instances idle for longer than IdleTTL, looking every
// half IdleTTL.
func (r *Runtime) janitor() {
	t := time.NewTicker(max(r.opts.IdleTTL/2, minJanitorTick))
	defer t.Stop()
	for {
		select {
		case <-r.stop:
			return
		case now := <-t.C:
			r.retireIdle(now)
		}
	}
}

// retireIdle closes the instances that were last used IdleTTL or more
// before now.
func (r *Runtime) retireIdle(now time.Time) {
	r.mu.Lock()
	fns := make([]*function, 0, len(r.fns))
	for _, fn := range r.fns {
		fns = append(fns, fn)
	}
	r.mu.Unlock()
	for _, fn := range fns {
		var old []*instance
		fn.mu.Lock()
		keep := fn.idle[:0]
		for _, in := range fn.idle {
			if now.Sub(in.lastUsed) < r.opts.IdleTTL {
				keep = append(keep, in)
			} else {
				old = append(old, in)
			}
		}
		clear(fn.idle[len(keep):])
		fn.idle = keep
		fn.mu.Unlock()
		for _, in := range old {
			in.close()
		}
	}
}
