package image

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Source is one stored object a variant is made from.
type Source struct {
	// Key names the object (for example "bucket/path/to/file.jpg").
	Key string
	// Version changes whenever the object's content does (its ETag): a
	// variant cached for an older version is never served for a newer one.
	Version string
	// Open returns the object's content. It is called at most once per
	// variant being made, and not at all when the variant is cached.
	Open func(ctx context.Context) (io.ReadSeekCloser, error)
}

// Variant is a made or cached variant.
type Variant struct {
	// Body is the encoded image: an *os.File from the cache (servable with
	// sendfile), or bytes in memory when it was just made. The caller
	// closes it.
	Body io.ReadSeekCloser
	// Size of Body in bytes.
	Size int64
	// ContentType is TypeJPEG or TypePNG.
	ContentType string
	// ETag is a strong, quoted entity tag naming this variant of this
	// source version.
	ETag string
	// Cached: Body came from the cache (no decoding happened).
	Cached bool
}

// Variants makes image variants and caches them: each (source version,
// params) is computed once, however many requests for it arrive together,
// and stops when every request for it is gone. The transforms it runs
// pass a gate (Options): a bounded number at once, a bounded queue and
// wait, and a memory budget for all of them together, so a burst of
// requests for big variants is answered with ErrBusy instead of
// exhausting memory.
type Variants struct {
	cache  *Cache
	limits Limits
	gate   *gate

	mu       sync.Mutex
	flights  map[string]*flight
	canceled atomic.Int64
}

// Options configure Variants. Zero fields take the defaults.
type Options struct {
	// Limits bound each transform. Limits.MaxMemory is also the budget of
	// all running transforms together: one that needs the whole budget
	// runs alone.
	Limits Limits
	// Concurrency bounds the transforms running at once. Default
	// GOMAXPROCS, at most 4.
	Concurrency int
	// Queue bounds the transforms waiting for a slot; beyond it a request
	// fails with ErrBusy at once. Default DefaultQueue.
	Queue int
	// Wait bounds how long a transform waits for a slot, and then for its
	// memory; then it fails with ErrBusy. Default DefaultWait.
	Wait time.Duration
}

// Defaults of Options.
const (
	DefaultQueue = 32
	DefaultWait  = 10 * time.Second
)

// NewVariants returns Variants over cache (nil: nothing is cached).
func NewVariants(cache *Cache, o Options) *Variants {
	if o.Concurrency <= 0 {
		o.Concurrency = min(runtime.GOMAXPROCS(0), 4)
	}
	if o.Queue <= 0 {
		o.Queue = DefaultQueue
	}
	if o.Wait <= 0 {
		o.Wait = DefaultWait
	}
	lim := o.Limits.withDefaults()
	return &Variants{cache: cache, limits: lim, gate: newGate(o.Concurrency, o.Queue, o.Wait, lim.MaxMemory),
		flights: map[string]*flight{}}
}

// flight is one variant being made, shared by the callers waiting for it.
type flight struct {
	done    chan struct{} // closed when res and err are set
	res     made
	err     error
	cancel  context.CancelFunc
	waiters int // guarded by Variants.mu
}

// Get returns the variant p of src, from the cache or made now. When
// several callers ask for the same variant at once, one transform makes
// it for all; a caller whose ctx ends stops waiting (with ctx's error),
// and when the last one does the transform is canceled: it stops at its
// next check, frees its buffers and caches nothing. Errors are Transform's,
// ErrBusy, or the source's Open error wrapped.
func (v *Variants) Get(ctx context.Context, src Source, p Params) (Variant, error) {
	p = p.canonical()
	name := Name(src.Key + "\x00" + src.Version + "\x00" + p.Key())
	if vr, ok := v.cached(name); ok {
		return vr, nil
	}
	f := v.join(ctx, name, src, p)
	select {
	case <-f.done:
		v.leave(name, f)
		if f.err != nil {
			return Variant{}, f.err
		}
		return Variant{Body: bytesBody{bytes.NewReader(f.res.data)}, Size: int64(len(f.res.data)), ContentType: f.res.typ,
			ETag: etag(name), Cached: f.res.cached}, nil
	case <-ctx.Done():
		v.leave(name, f)
		return Variant{}, ctx.Err()
	}
}

// join adds the caller to the flight making name, starting one if there
// is none.
func (v *Variants) join(ctx context.Context, name string, src Source, p Params) *flight {
	v.mu.Lock()
	defer v.mu.Unlock()
	if f := v.flights[name]; f != nil {
		f.waiters++
		return f
	}
	// The work is the flight's, not the first caller's: it ends when the
	// last caller leaves, not when the first does.
	fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	f := &flight{done: make(chan struct{}), cancel: cancel, waiters: 1}
	v.flights[name] = f
	go func() {
		res, err := v.make(fctx, name, src, p)
		if err != nil && fctx.Err() != nil && errors.Is(err, context.Canceled) {
			v.canceled.Add(1)
		}
		v.mu.Lock()
		if v.flights[name] == f {
			delete(v.flights, name)
		}
		v.mu.Unlock()
		f.res, f.err = res, err
		cancel()
		close(f.done)
	}()
	return f
}

// leave removes a caller from f; the last one cancels it, and a caller
// arriving after that starts a new flight.
func (v *Variants) leave(name string, f *flight) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if f.waiters--; f.waiters > 0 {
		return
	}
	f.cancel()
	if v.flights[name] == f {
		delete(v.flights, name)
	}
}

// Stats is a snapshot of the work in progress.
type Stats struct {
	Flights  int   // variants being made or waiting to be
	Running  int   // transforms holding a slot
	Waiting  int   // transforms waiting for a slot
	Memory   int64 // estimated bytes held by running transforms
	Canceled int64 // transforms stopped because their callers left, since NewVariants
}

// Stats returns the current Stats.
func (v *Variants) Stats() Stats {
	v.mu.Lock()
	flights := len(v.flights)
	v.mu.Unlock()
	return Stats{Flights: flights, Running: len(v.gate.slots), Waiting: int(v.gate.waiting.Load()),
		Memory: v.gate.held.Load(), Canceled: v.canceled.Load()}
}

// made is what one flight produces, shared by its callers: the encoded
// bytes, and whether they came from the cache.
type made struct {
	data   []byte
	typ    string
	cached bool
}

// bytesBody is a Variant body in memory.
type bytesBody struct{ *bytes.Reader }

func (bytesBody) Close() error { return nil }

func (v *Variants) cached(name string) (Variant, bool) {
	if v.cache == nil {
		return Variant{}, false
	}
	e, ok, err := v.cache.Open(name)
	if err != nil || !ok {
		// An unreadable entry is remade (and rewritten) rather than failing.
		return Variant{}, false
	}
	return Variant{Body: e.File, Size: e.Size, ContentType: e.ContentType, ETag: etag(name), Cached: true}, true
}

// make computes one variant through the gate and caches it.
func (v *Variants) make(ctx context.Context, name string, src Source, p Params) (made, error) {
	// A flight that started just after another finished finds its result
	// (read into memory: an open file cannot be shared by the callers).
	if vr, ok := v.cached(name); ok {
		defer vr.Body.Close()
		data, err := io.ReadAll(vr.Body)
		if err == nil {
			return made{data: data, typ: vr.ContentType, cached: true}, nil
		}
	}
	leave, err := v.gate.enter(ctx)
	if err != nil {
		return made{}, err
	}
	defer leave()
	r, err := src.Open(ctx)
	if err != nil {
		return made{}, fmt.Errorf("image: open source: %w", err)
	}
	defer r.Close()
	j, err := prepare(r, p, v.limits)
	if err != nil {
		return made{}, err
	}
	free, err := v.gate.reserve(ctx, j.cost)
	if err != nil {
		return made{}, err
	}
	data, typ, err := j.run(ctx)
	free()
	if err != nil {
		return made{}, err
	}
	if v.cache != nil {
		// A cache that cannot write (disk full) costs speed, not the answer.
		_ = v.cache.Put(name, typ, data)
	}
	return made{data: data, typ: typ}, nil
}

func etag(name string) string { return `"` + name[:32] + `"` }
