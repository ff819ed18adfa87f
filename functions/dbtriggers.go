package functions

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"minibase/db"
)

// FeedConsumer is the name database triggers read the change feed under.
const FeedConsumer = "functions"

// Delivery bounds of database triggers.
const (
	maxTriggerRuns   = 16       // trigger invocations running at once, over all collections
	maxTriggerQueued = 1000     // changes read from the feed and not yet done
	maxTriggerBytes  = 64 << 20 // their documents' bytes (db.Change.Size); one read may add db.MaxChangeBytes more
	triggerPage      = 100      // changes read at once
	feedRetry        = time.Second
)

// DBTriggers runs the functions whose database triggers (config.json)
// match the database's committed changes. It subscribes the triggers'
// collections on the database's change feed (db.ChangeLog), so only writes
// to those collections record anything, and delivers each change after its
// write committed, never in the writer's way:
//
//   - in commit order within a collection (the next change of a
//     collection waits for the one before), collections in parallel, at
//     most maxTriggerRuns invocations at once;
//   - at least once: a change leaves the feed only when every trigger it
//     matched has run, or failed its last attempt, so what was pending when
//     the server stopped is delivered after the restart;
//   - a failed invocation is retried with backoff (the asynchronous
//     invocations' AsyncOptions.Retries and Backoff), then dropped with a
//     report;
//   - a change made by a chain of MaxCallDepth triggered writes is not
//     delivered (a trigger that writes what triggers it again).
//
// Refresh (through Triggers.Refresh) sets the triggers; a trigger that is
// gone (function deleted, trigger removed) receives nothing more, even of
// changes already read.
type DBTriggers struct {
	feed     db.ChangeLog
	run      invoker
	retries  int
	backoff  time.Duration
	maxHop   int
	maxEvent int
	// sleep waits d or until ctx ends (false then); tests replace it.
	sleep func(ctx context.Context, d time.Duration) bool

	leader Leader // Triggers.SetCluster; nil: this node alone delivers

	mu    sync.Mutex
	binds map[string][]boundDBTrigger // by collection
	runs  chan struct{}               // invocation slots
}

type boundDBTrigger struct {
	fn string
	DBTrigger
}

// NewDBTriggers returns the database triggers of rt's functions over
// feed. Set them with Triggers.SetDatabase; deliver with Run.
func NewDBTriggers(rt *Runtime, feed db.ChangeLog) *DBTriggers {
	t := newDBTriggers(rt, feed, rt.opts.Async.Retries, rt.opts.Async.Backoff)
	t.maxHop, t.maxEvent = rt.opts.MaxCallDepth, rt.opts.MaxEvent
	return t
}

func newDBTriggers(run invoker, feed db.ChangeLog, retries int, backoff time.Duration) *DBTriggers {
	return &DBTriggers{feed: feed, run: run, retries: retries, backoff: backoff, maxHop: 8, maxEvent: 6 << 20,
		sleep: sleepCtx, runs: make(chan struct{}, maxTriggerRuns)}
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// SetDatabase makes Refresh set the database triggers d too (and
// SetCluster's leadership, before or after, apply to them).
func (t *Triggers) SetDatabase(d *DBTriggers) {
	t.db = d
	t.mu.Lock()
	if _, alone := t.cluster.(Local); !alone {
		d.leader = t.cluster
	}
	t.mu.Unlock()
}

// set replaces the triggers (by function) and subscribes their
// collections, which drops what is pending for the others.
func (t *DBTriggers) set(ctx context.Context, byFn map[string][]DBTrigger) error {
	binds := make(map[string][]boundDBTrigger)
	for _, fn := range slices.Sorted(maps.Keys(byFn)) {
		for _, tr := range byFn[fn] {
			binds[tr.Collection] = append(binds[tr.Collection], boundDBTrigger{fn: fn, DBTrigger: tr})
		}
	}
	t.mu.Lock()
	t.binds = binds
	t.mu.Unlock()
	if err := t.feed.Subscribe(ctx, FeedConsumer, slices.Sorted(maps.Keys(binds))); err != nil {
		return fmt.Errorf("subscribe database triggers: %w", err)
	}
	return nil
}

// triggers returns the triggers of coll.
func (t *DBTriggers) triggers(coll string) []boundDBTrigger {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.binds[coll]
}

// bound reports whether b is still one of the triggers.
func (t *DBTriggers) bound(b *boundDBTrigger) bool {
	for _, o := range t.triggers(b.Collection) {
		if o.fn == b.fn && o.Name == b.Name {
			return true
		}
	}
	return false
}

// dispatch is Run's state: a queue and a worker per collection with
// changes in progress, and the acknowledgements to send.
type dispatch struct {
	t      *DBTriggers
	ctx    context.Context
	report func(error)

	mu     sync.Mutex
	queues map[string][]db.Change // by collection; present while its worker runs
	queued int                    // changes in queues or in delivery
	bytes  int                    // their Size
	freed  chan struct{}          // a change was done (capacity 1)
	acks   chan int64
	wg     sync.WaitGroup
}

// Run delivers changes until ctx ends, then waits for the invocations in
// progress; what they did not finish stays in the feed. report receives
// failures: a change dropped after its last attempt, a feed error.
//
// With several nodes (Triggers.SetCluster) only the node that holds the
// leadership dbTriggersLeadership reads the feed: the others wait to take
// it over. FeedConsumer's unacknowledged changes, kept in the shared
// database, are the cursor: a new leader starts from the oldest of them.
// So in normal operation every change is delivered once; when the leader
// dies or loses its connection while a function runs, that change is
// delivered again by the next leader (at least once across a failover).
func (t *DBTriggers) Run(ctx context.Context, report func(error)) {
	if t.leader == nil {
		t.deliverAll(ctx, report)
		return
	}
	t.leader.Lead(ctx, dbTriggersLeadership, func(ctx context.Context) { t.deliverAll(ctx, report) },
		func(err error) { report(fmt.Errorf("database triggers: %w", err)) })
}

// deliverAll is Run on the node that delivers.
func (t *DBTriggers) deliverAll(ctx context.Context, report func(error)) {
	d := &dispatch{t: t, ctx: ctx, report: report, queues: make(map[string][]db.Change),
		freed: make(chan struct{}, 1), acks: make(chan int64, maxTriggerQueued)}
	ackDone := make(chan struct{})
	go func() { defer close(ackDone); d.acknowledge() }()
	defer func() {
		d.wg.Wait()
		close(d.acks)
		<-ackDone
	}()
	var after int64
	for {
		changed := t.feed.Changed()
		d.mu.Lock()
		room := maxTriggerQueued - d.queued
		if d.bytes >= maxTriggerBytes {
			room = 0
		}
		d.mu.Unlock()
		if room > 0 {
			cs, err := t.feed.Changes(ctx, FeedConsumer, after, min(room, triggerPage))
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				report(fmt.Errorf("database triggers: read the change feed: %w", err))
				if !t.sleep(ctx, feedRetry) {
					return
				}
				continue
			}
			size := 0
			for _, c := range cs {
				after = c.Seq
				size += c.Size
				d.add(c)
			}
			if len(cs) == min(room, triggerPage) || size > db.MaxChangeBytes {
				continue // maybe more
			}
		}
		var freed chan struct{} // wait for room only when there was too little for a page
		if room < triggerPage {
			freed = d.freed
		}
		select {
		case <-changed:
		case <-freed:
		case <-ctx.Done():
			return
		}
	}
}

// add queues c behind its collection's changes, starting a worker when
// there is none.
func (d *dispatch) add(c db.Change) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.queued++
	d.bytes += c.Size
	q, running := d.queues[c.Coll]
	d.queues[c.Coll] = append(q, c)
	if !running {
		d.wg.Add(1)
		go d.work(c.Coll)
	}
}

// work delivers coll's changes in order until its queue is empty.
func (d *dispatch) work(coll string) {
	defer d.wg.Done()
	for {
		d.mu.Lock()
		q := d.queues[coll]
		if len(q) == 0 || d.ctx.Err() != nil {
			delete(d.queues, coll)
			d.mu.Unlock()
			return
		}
		c := q[0]
		q[0] = db.Change{} // its documents are not kept by the queue's array
		d.queues[coll] = q[1:]
		d.mu.Unlock()
		done := d.t.deliver(d.ctx, c, d.report)
		d.mu.Lock()
		d.queued--
		d.bytes -= c.Size
		d.mu.Unlock()
		select {
		case d.freed <- struct{}{}:
		default:
		}
		if !done {
			continue // stopped: the change stays in the feed
		}
		d.acks <- c.Seq
	}
}

// acknowledge removes delivered changes from the feed, many at a time.
// Once Run's context ended, it still sends what it has (for a short
// while), so finished work is not redone after a restart.
func (d *dispatch) acknowledge() {
	for seq := range d.acks {
		batch := []int64{seq}
	more:
		for len(batch) < db.MaxAck {
			select {
			case s, ok := <-d.acks:
				if !ok {
					break more
				}
				batch = append(batch, s)
			default:
				break more
			}
		}
		ctx, cancel := context.WithTimeout(context.WithoutCancel(d.ctx), 10*time.Second)
		if err := d.t.feed.Ack(ctx, FeedConsumer, batch...); err != nil {
			d.report(fmt.Errorf("database triggers: acknowledge %d changes (they will be delivered again): %w", len(batch), err))
		}
		cancel()
	}
}
