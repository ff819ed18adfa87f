package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"minibase/db"
)

// A job is one write, run by the writer goroutine inside the shared group
// commit transaction, in a savepoint of its own.
type job struct {
	ctx context.Context
	fn  func(tx *sql.Tx, e *effects) (any, error)
	// raw, when set instead of fn, runs alone on the writer, outside any
	// transaction (Checkpoint's last step).
	raw  func() error
	res  any
	err  error
	done chan struct{}
}

// effects are catalog changes a job made; they become visible to readers
// only after the transaction commits, and vanish if the job fails.
type effects struct {
	parent  *effects // the batch's effects, consulted by lookups
	created map[string]*collection
	dropped map[string]bool
	after   []func(d *DB)  // run under d.mu after commit
	subs    *subscriptions // the change feed's subscriptions, when the job changed them
	changes int            // changes recorded to the feed
	hop     int            // the job's db.HopFrom, recorded with its changes
	// indexes are the collections' index lists the job changed; published
	// after commit.
	indexes map[*collection][]catIndex

	addChange *sql.Stmt // the batch's (root effects only): feed.add in the transaction
}

func (e *effects) merge(o *effects) {
	for k, v := range o.created {
		if e.created == nil {
			e.created = map[string]*collection{}
		}
		e.created[k] = v
		delete(e.dropped, k)
	}
	for k := range o.dropped {
		if e.dropped == nil {
			e.dropped = map[string]bool{}
		}
		e.dropped[k] = true
		delete(e.created, k)
	}
	e.after = append(e.after, o.after...)
	for c, l := range o.indexes {
		if e.indexes == nil {
			e.indexes = map[*collection][]catIndex{}
		}
		e.indexes[c] = l
	}
	if o.subs != nil {
		e.subs = o.subs
	}
	e.changes += o.changes
}

// errClosed is returned for writes submitted after Close.
var errClosed = errors.New("database is closed")

// do runs fn, a write that may take space, on the writer and waits for
// its transaction to commit. While Options.Space says the disk is full it
// fails at once with db.CodeDiskFull; a damaged database refuses it.
func (d *DB) do(ctx context.Context, fn func(tx *sql.Tx, e *effects) (any, error)) (any, error) {
	if d.opts.Space != nil && d.opts.Space.Full() {
		return nil, errDiskFull
	}
	return d.free(ctx, fn)
}

// free is do for a write that only deletes: it runs on a full disk too,
// so that space can be freed.
func (d *DB) free(ctx context.Context, fn func(tx *sql.Tx, e *effects) (any, error)) (any, error) {
	if d.damaged.Load() != nil {
		return nil, d.refusal()
	}
	j := &job{ctx: ctx, fn: fn, done: make(chan struct{})}
	d.closeMu.RLock()
	if d.closed.Load() {
		d.closeMu.RUnlock()
		return nil, errClosed
	}
	select {
	case d.jobs <- j:
	case <-ctx.Done():
		d.closeMu.RUnlock()
		return nil, ctx.Err()
	}
	d.closeMu.RUnlock()
	<-j.done // once queued, a write runs to the end: never report a committed write as failed
	return j.res, d.fault(j.err)
}

func (d *DB) writer() {
	defer close(d.writerD)
	batch := make([]*job, 0, d.opts.MaxBatch)
	for first := range d.jobs {
		if first.raw != nil {
			first.err = first.raw()
			close(first.done)
			continue
		}
		batch = append(batch[:0], first)
		var raw *job
	drain:
		for len(batch) < d.opts.MaxBatch {
			select {
			case j, ok := <-d.jobs:
				if !ok {
					break drain
				}
				if j.raw != nil {
					raw = j
					break drain
				}
				batch = append(batch, j)
			default:
				break drain
			}
		}
		d.runBatch(batch)
		if raw != nil {
			raw.err = raw.raw()
			close(raw.done)
		}
	}
}

func (d *DB) runBatch(batch []*job) {
	ctx := context.Background()
	start := time.Now()
	tx, err := d.w.BeginTx(ctx, nil)
	if err != nil {
		finish(batch, fmt.Errorf("begin write transaction: %w", err))
		return
	}
	all := &effects{}
	ok := 0
	for _, j := range batch {
		if j.err = j.ctx.Err(); j.err != nil {
			continue
		}
		if d.damaged.Load() != nil {
			j.err = d.refusal()
			continue
		}
		j.res, j.err = d.runJob(tx, j, all)
		if j.err == nil {
			ok++
		} else if isCorrupt(j.err) {
			d.damage(fmt.Errorf("%w: %w", ErrDamaged, j.err))
		}
	}
	if d.damaged.Load() != nil { // found by this batch: commit none of it
		for _, j := range batch {
			if j.err == nil {
				j.res, j.err = nil, d.refusal()
			}
		}
		ok = 0
	}
	if ok == 0 {
		tx.Rollback()
		finish(batch, nil)
		return
	}
	if err := tx.Commit(); err != nil {
		for _, j := range batch {
			if j.err == nil {
				j.res, j.err = nil, fmt.Errorf("commit: %w", err)
			}
		}
		finish(batch, nil)
		return
	}
	d.written.Add(int64(ok))
	d.commitT.Add(int64(time.Since(start)))
	d.commits.Add(1)
	d.apply(all)
	for _, c := range all.created {
		d.prepareInsert(c)
	}
	if all.changes > 0 {
		d.notifyChanged()
	}
	finish(batch, nil)
}

func (d *DB) runJob(tx *sql.Tx, j *job, all *effects) (res any, err error) {
	if _, err := tx.Stmt(d.savepoint).Exec(); err != nil {
		return nil, fmt.Errorf("savepoint: %w", err)
	}
	e := &effects{parent: all, hop: db.HopFrom(j.ctx)}
	func() {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("write panicked: %v", p)
			}
		}()
		res, err = j.fn(tx, e)
	}()
	if err != nil {
		if _, rerr := tx.Exec("ROLLBACK TO job; RELEASE job"); rerr != nil {
			return nil, errors.Join(err, fmt.Errorf("rollback savepoint: %w", rerr))
		}
		return nil, err
	}
	if _, err := tx.Stmt(d.release).Exec(); err != nil {
		return nil, fmt.Errorf("release savepoint: %w", err)
	}
	all.merge(e)
	return res, nil
}

func finish(batch []*job, err error) {
	for _, j := range batch {
		if err != nil {
			j.res, j.err = nil, err
		}
		close(j.done)
	}
}

// apply publishes a committed batch's catalog changes.
func (d *DB) apply(e *effects) {
	if e.subs != nil {
		d.feed.subs.Store(e.subs)
	}
	for c, l := range e.indexes {
		c.indexes.Store(&l)
	}
	if len(e.created) == 0 && len(e.dropped) == 0 && len(e.after) == 0 {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	next := make(map[string]*collection, len(d.colls)+len(e.created))
	for k, v := range d.colls {
		if !e.dropped[k] {
			next[k] = v
		}
	}
	for k, v := range e.created {
		next[k] = v
	}
	d.colls = next
	for _, f := range e.after {
		f(d)
	}
}

// indexesTx returns c's secondary indexes as the running write transaction
// sees them.
func (d *DB) indexesTx(e *effects, c *collection) []catIndex {
	for x := e; x != nil; x = x.parent {
		if l, ok := x.indexes[c]; ok {
			return l
		}
	}
	return c.indexList()
}

// setIndexesTx records that the job changed c's indexes to l.
func (d *DB) setIndexesTx(e *effects, c *collection, l []catIndex) {
	if e.indexes == nil {
		e.indexes = map[*collection][]catIndex{}
	}
	e.indexes[c] = l
}

// lookupTx finds a collection as the running write transaction sees it.
func (d *DB) lookupTx(e *effects, name string) *collection {
	for x := e; x != nil; x = x.parent {
		if c, ok := x.created[name]; ok {
			return c
		}
		if x.dropped[name] {
			return nil
		}
	}
	return d.lookup(name)
}
