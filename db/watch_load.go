package db

import (
	"context"
	"fmt"
	"slices"
)

// A query starts from a snapshot of its documents (ChangeSource.Snapshot)
// read beside the hub, which goes on applying changes to the other
// queries meanwhile. The snapshot reflects the changes up to its seq. The
// collection keeps the changes the hub reads while one of its queries
// loads (collQueries.buffer): nothing the hub read before the load began
// can be after the snapshot's seq (the hub reads only committed changes),
// so the query applies the buffered changes after that seq and then
// every later change, and misses none. The collection is subscribed
// before the snapshot is read, so every change after it is recorded.

// maxLoads bounds the snapshots read at once.
const maxLoads = 4

// startLoad reads a snapshot for q: its first (phaseLoading) or one that
// refills its list (phaseResync).
func (w *Watches) startLoad(q *wquery, phase int) {
	q.phase = phase
	q.gen++
	gen := q.gen
	w.byColl[q.coll].loading++
	if phase == phaseResync {
		q.labels = map[string]string{}
	}
	query := q.snapshotQuery(w.opts.MaxDocs)
	w.loads.Add(1)
	go func() {
		defer w.loads.Done()
		docs, seq, err := w.snapshot(q.coll, query)
		w.post(func() { w.loaded(q, gen, docs, seq, err) })
	}()
}

// snapshot subscribes coll, then reads the snapshot.
func (w *Watches) snapshot(coll string, query *Query) ([][]byte, int64, error) {
	w.loadSlots <- struct{}{}
	defer func() { <-w.loadSlots }()
	if err := w.resubscribe(w.ctx); err != nil {
		return nil, 0, err
	}
	return w.src.Snapshot(w.ctx, coll, query)
}

// loaded takes a snapshot read for q (generation gen).
func (w *Watches) loaded(q *wquery, gen int, docs [][]byte, seq int64, err error) {
	if q.phase == phaseDead || q.gen != gen {
		return
	}
	cq := w.byColl[q.coll]
	if err != nil {
		if w.ctx.Err() == nil && ErrorCode(err) == "" {
			w.report(fmt.Errorf("realtime watch: read %s: %w", q.coll, err))
		}
		w.fail(q, asError(err))
		return
	}
	buffered := slices.Clone(cq.buffer)
	phase := q.phase
	cq.loaded()
	var changes []docChange
	if phase == phaseLoading {
		err = q.load(w.ctx, w.svc, docs, seq, w.opts.MaxDocs)
	} else {
		for _, c := range buffered {
			if c.Seq <= seq {
				q.labels[c.ID] = dataTypeOf(&c)
			}
		}
		changes, err = q.resync(w.ctx, w.svc, docs, seq, w.opts.MaxDocs)
	}
	if err != nil {
		w.fail(q, asError(err))
		return
	}
	q.phase = phaseLive
	if phase == phaseLoading {
		for sub := range q.subs {
			w.sendInit(q, sub)
		}
	} else {
		w.emit(q, changes)
	}
	for i := range buffered {
		c := &buffered[i]
		if c.Seq > q.from && q.phase == phaseLive {
			var raw []byte
			w.applyTo(q, c, func() []byte {
				if raw == nil {
					raw = MarshalJSON(c.Doc)
				}
				return raw
			})
		}
	}
}

// reload starts the loads of cq's queries again: the changes kept for
// them grew too large (a flood of writes while snapshots were read).
func (w *Watches) reload(cq *collQueries) {
	for q := range cq.all {
		if q.phase == phaseLoading || q.phase == phaseResync {
			cq.loading--
			w.startLoad(q, q.phase)
		}
	}
	cq.buffer, cq.bytes = nil, 0
}

// resubscribe makes the source record the collections that have queries
// (and only those), when that changed.
func (w *Watches) resubscribe(ctx context.Context) error {
	w.subMu.Lock()
	defer w.subMu.Unlock()
	w.mu.Lock()
	want := slices.Sorted(mapKeys(w.colls))
	w.mu.Unlock()
	if slices.Equal(want, w.subscribed) {
		return nil
	}
	if err := w.src.Subscribe(ctx, want); err != nil {
		return fmt.Errorf("subscribe the watched collections: %w", err)
	}
	w.subscribed = want
	return nil
}
