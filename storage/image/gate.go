package image

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"
)

// gate admits transforms: at most slots at once, at most queue waiting
// for one, none waiting longer than wait; and, among those admitted, at
// most memory estimated bytes held together (a transform waits, still
// within wait, until the bytes it needs are free). What does not get in
// fails with ErrBusy at once rather than piling up: under a burst of
// distinct variants the server answers 503 and stays within its memory.
type gate struct {
	slots  chan struct{}
	queue  int64
	wait   time.Duration
	memory *semaphore.Weighted
	limit  int64

	waiting atomic.Int64 // for a slot
	held    atomic.Int64 // bytes reserved
}

func newGate(slots, queue int, wait time.Duration, memory int64) *gate {
	return &gate{slots: make(chan struct{}, slots), queue: int64(queue), wait: wait,
		memory: semaphore.NewWeighted(memory), limit: memory}
}

// enter takes a slot, waiting at most g.wait (and while ctx lasts) in a
// queue of at most g.queue. The returned func gives the slot back. Errors
// wrap ErrBusy, or are ctx's.
func (g *gate) enter(ctx context.Context) (func(), error) {
	select {
	case g.slots <- struct{}{}:
		return g.leave, nil
	default:
	}
	if n := g.waiting.Add(1); n > g.queue {
		g.waiting.Add(-1)
		return nil, fmt.Errorf("%w: all %d resizing slots are taken and %d more requests are waiting; try again later",
			ErrBusy, cap(g.slots), g.queue)
	}
	defer g.waiting.Add(-1)
	timer := time.NewTimer(g.wait)
	defer timer.Stop()
	select {
	case g.slots <- struct{}{}:
		return g.leave, nil
	case <-timer.C:
		return nil, fmt.Errorf("%w: no image could be resized for %s (%d at a time); try again later",
			ErrBusy, g.wait, cap(g.slots))
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (g *gate) leave() { <-g.slots }

// reserve holds n bytes (at most g.limit) of the memory budget, waiting at
// most g.wait for them. The returned func gives them back.
func (g *gate) reserve(ctx context.Context, n int64) (func(), error) {
	wctx, cancel := context.WithTimeout(ctx, g.wait)
	defer cancel()
	if err := g.memory.Acquire(wctx, n); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("%w: the images being resized hold the memory this one needs (%s of %s) for more than %s; try again later",
			ErrBusy, bytesText(n), bytesText(g.limit), g.wait)
	}
	g.held.Add(n)
	return func() {
		g.held.Add(-n)
		g.memory.Release(n)
	}, nil
}
