package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"minibase/db"
)

// The change feed (db.ChangeLog) is an outbox table written by the writer
// in the transaction of the write it describes: one row per change and
// consumer. A consumer's subscriptions are rows of _change_subs, mirrored
// in memory for the write path, which looks its collection up there once
// per write: a collection nobody subscribed to records nothing.
//
// Seq is an AUTOINCREMENT key, so it never goes back, even after the
// newest rows were acknowledged and deleted: a reader's "after" stays valid.
// There is no index on consumer: a reader scans the rows after its cursor,
// which are its own but for the few other consumers have not acknowledged
// yet (a lagging consumer's older rows are before the others' cursors), and
// each index would cost every recorded change a second B-tree insert.
const changesSchema = `
CREATE TABLE IF NOT EXISTS _changes (
	seq      INTEGER PRIMARY KEY AUTOINCREMENT,
	consumer TEXT NOT NULL,
	coll     TEXT NOT NULL,
	op       INTEGER NOT NULL,
	doc_id   TEXT NOT NULL,
	doc      TEXT,
	before   TEXT,
	time     INTEGER NOT NULL,
	hop      INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS _change_subs (
	consumer TEXT NOT NULL,
	coll     TEXT NOT NULL,
	PRIMARY KEY (consumer, coll)
) WITHOUT ROWID;`

// opReplace is the op column of an update that replaced the document
// whole (db.Change.Replace); the other ops are db.ChangeOp's values.
const opReplace = 4

const addChangeSQL = "INSERT INTO _changes (consumer, coll, op, doc_id, doc, before, time, hop) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"

// feed is the driver's change feed state.
type feed struct {
	subs atomic.Pointer[subscriptions] // committed
	add  *sql.Stmt                     // addChangeSQL, prepared on the writer connection
	sub  sync.Mutex                    // one Subscribe at a time, so each compares with the committed state

	mu      sync.Mutex
	changed chan struct{} // closed at the next commit that records a change; nil until asked for
}

// subscriptions are who receives which collection's changes. A value is
// never modified once published: Subscribe builds a new one.
type subscriptions struct {
	byColl     map[string][]string // collection → consumers
	byConsumer map[string][]string // consumer → collections, sorted
}

func (s *subscriptions) with(consumer string, colls []string) *subscriptions {
	next := &subscriptions{byColl: map[string][]string{}, byConsumer: map[string][]string{}}
	for c, cs := range s.byConsumer {
		if c != consumer {
			next.byConsumer[c] = cs
		}
	}
	if len(colls) > 0 {
		next.byConsumer[consumer] = colls
	}
	for c, cs := range next.byConsumer {
		for _, coll := range cs {
			next.byColl[coll] = append(next.byColl[coll], c)
		}
	}
	return next
}

func (d *DB) loadSubscriptions(ctx context.Context) error {
	rows, err := d.w.QueryContext(ctx, "SELECT consumer, coll FROM _change_subs ORDER BY consumer, coll")
	if err != nil {
		return fmt.Errorf("load change subscriptions: %w", err)
	}
	defer rows.Close()
	by := map[string][]string{}
	for rows.Next() {
		var consumer, coll string
		if err := rows.Scan(&consumer, &coll); err != nil {
			return fmt.Errorf("load change subscriptions: %w", err)
		}
		by[consumer] = append(by[consumer], coll)
	}
	s := (&subscriptions{}).with("", nil)
	for c, colls := range by {
		s = s.with(c, colls)
	}
	d.feed.subs.Store(s)
	return rows.Err()
}

// subsTx returns the subscriptions as the running write transaction sees them.
func (d *DB) subsTx(e *effects) *subscriptions {
	for x := e; x != nil; x = x.parent {
		if x.subs != nil {
			return x.subs
		}
	}
	return d.feed.subs.Load()
}

// Subscribe sets the collections consumer receives changes of.
func (d *DB) Subscribe(ctx context.Context, consumer string, colls []string) error {
	if !db.ValidConsumer(consumer) {
		return db.Errorf(db.CodeInvalidParam, "invalid change feed consumer %q", consumer)
	}
	if len(colls) > db.MaxSubscriptions {
		return db.Errorf(db.CodeInvalidParam, "a consumer subscribes to at most %d collections, got %d", db.MaxSubscriptions, len(colls))
	}
	colls = slices.Compact(slices.Sorted(slices.Values(colls)))
	for _, c := range colls {
		if !db.ValidCollectionName(c) {
			return db.Errorf(db.CodeInvalidParam, "invalid collection name %q", c)
		}
	}
	d.feed.sub.Lock()
	defer d.feed.sub.Unlock()
	if slices.Equal(d.feed.subs.Load().byConsumer[consumer], colls) {
		return nil // the common case: triggers reread, nothing changed
	}
	_, err := d.do(ctx, func(tx *sql.Tx, e *effects) (any, error) {
		cur := d.subsTx(e)
		old := cur.byConsumer[consumer]
		for _, coll := range old {
			if _, keep := slices.BinarySearch(colls, coll); keep {
				continue
			}
			if _, err := tx.Exec("DELETE FROM _changes WHERE consumer = ? AND coll = ?", consumer, coll); err != nil {
				return nil, fmt.Errorf("unsubscribe: %w", err)
			}
			if _, err := tx.Exec("DELETE FROM _change_subs WHERE consumer = ? AND coll = ?", consumer, coll); err != nil {
				return nil, fmt.Errorf("unsubscribe: %w", err)
			}
		}
		for _, coll := range colls {
			if _, had := slices.BinarySearch(old, coll); !had {
				if _, err := tx.Exec("INSERT INTO _change_subs (consumer, coll) VALUES (?, ?)", consumer, coll); err != nil {
					return nil, fmt.Errorf("subscribe: %w", err)
				}
			}
		}
		e.subs = cur.with(consumer, colls)
		return nil, nil
	})
	return err
}

// Changes returns consumer's unacknowledged changes after seq after.
func (d *DB) Changes(ctx context.Context, consumer string, after int64, limit int) ([]db.Change, error) {
	if limit < 1 || limit > db.MaxChanges {
		return nil, db.Errorf(db.CodeInvalidParam, "limit must be 1 to %d", db.MaxChanges)
	}
	rows, err := d.r.QueryContext(ctx, "SELECT seq, coll, op, doc_id, doc, before, time, hop FROM _changes WHERE consumer = ? AND seq > ? ORDER BY seq LIMIT ?", consumer, after, limit)
	if err != nil {
		return nil, fmt.Errorf("read changes: %w", err)
	}
	defer rows.Close()
	var (
		out  []db.Change
		size int
	)
	for size <= db.MaxChangeBytes && rows.Next() {
		var (
			c           db.Change
			op          int
			at          int64
			doc, before []byte
		)
		if err := rows.Scan(&c.Seq, &c.Coll, &op, &c.ID, &doc, &before, &at, &c.Hop); err != nil {
			return nil, fmt.Errorf("read changes: %w", err)
		}
		c.Op, c.Time, c.Size = db.ChangeOp(op), time.UnixMilli(at).UTC(), len(doc)+len(before)
		if op == opReplace {
			c.Op, c.Replace = db.ChangeUpdate, true
		}
		size += c.Size
		if doc != nil {
			if c.Doc, err = decodeDoc(doc); err != nil {
				return nil, err
			}
		}
		if before != nil {
			if c.Before, err = decodeDoc(before); err != nil {
				return nil, err
			}
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Ack deletes consumer's changes seqs.
func (d *DB) Ack(ctx context.Context, consumer string, seqs ...int64) error {
	if len(seqs) == 0 {
		return nil
	}
	if len(seqs) > db.MaxAck {
		return db.Errorf(db.CodeInvalidParam, "acknowledge at most %d changes at once, got %d", db.MaxAck, len(seqs))
	}
	list, _ := json.Marshal(seqs)
	_, err := d.free(ctx, func(tx *sql.Tx, e *effects) (any, error) {
		_, err := tx.Exec("DELETE FROM _changes WHERE consumer = ? AND seq IN (SELECT value FROM json_each(?))", consumer, string(list))
		return nil, err
	})
	if err != nil {
		return fmt.Errorf("acknowledge changes: %w", err)
	}
	return nil
}

// Changed returns a channel closed at the next commit that records a change.
func (d *DB) Changed() <-chan struct{} {
	d.feed.mu.Lock()
	defer d.feed.mu.Unlock()
	if d.feed.changed == nil {
		d.feed.changed = make(chan struct{})
	}
	return d.feed.changed
}

// notifyChanged wakes the readers waiting on Changed.
func (d *DB) notifyChanged() {
	d.feed.mu.Lock()
	if d.feed.changed != nil {
		close(d.feed.changed)
		d.feed.changed = nil
	}
	d.feed.mu.Unlock()
}

// recorder writes one write's changes to the feed, inside its transaction.
// A nil *recorder (nobody subscribed to the collection) records nothing.
type recorder struct {
	st        *sql.Stmt
	e         *effects
	consumers []string
	coll      string
	at        int64 // unix ms
}

// recorder returns the recorder of a write to coll, or nil when no
// consumer subscribed to coll.
func (d *DB) recorder(tx *sql.Tx, e *effects, coll string) *recorder {
	cs := d.subsTx(e).byColl[coll]
	if len(cs) == 0 {
		return nil
	}
	root := e
	for root.parent != nil {
		root = root.parent
	}
	if root.addChange == nil { // once per group commit, not per write
		root.addChange = tx.Stmt(d.feed.add)
	}
	return &recorder{st: root.addChange, e: e, consumers: cs, coll: coll, at: time.Now().UnixMilli()}
}

// add records one change; doc and before are extended JSON, nil when
// absent.
func (r *recorder) add(op db.ChangeOp, id string, doc, before []byte) error {
	return r.addOp(int(op), id, doc, before)
}

// replaced records the update of a stored document that a replace made.
func (r *recorder) replaced(id string, doc, before []byte) error {
	return r.addOp(opReplace, id, doc, before)
}

func (r *recorder) addOp(op int, id string, doc, before []byte) error {
	if r == nil {
		return nil
	}
	for _, c := range r.consumers {
		if _, err := r.st.Exec(c, r.coll, op, id, text(doc), text(before), r.at, r.e.hop); err != nil {
			return fmt.Errorf("record change: %w", err)
		}
	}
	r.e.changes++
	return nil
}

// text stores b as TEXT, nil as NULL.
func text(b []byte) any {
	if b == nil {
		return nil
	}
	return string(b)
}

// Snapshot runs Find and reads the feed's newest Seq in one read
// transaction: SQLite's WAL gives every statement of a read transaction the
// database as of its first read. sqlite_sequence holds the highest seq
// _changes ever gave (AUTOINCREMENT), acknowledged or not.
func (d *DB) Snapshot(ctx context.Context, coll string, q *db.Query) ([][]byte, int64, error) {
	c := d.lookup(coll)
	if c == nil {
		return nil, 0, notExist(coll)
	}
	for {
		sh, gen := c.shape.load()
		out, seq, err := d.snapshot(ctx, c, sh, q)
		if err != nil {
			return nil, 0, d.fault(sqlErr(err, coll))
		}
		if _, now := c.shape.load(); now == gen {
			return out, seq, nil
		}
	}
}

func (d *DB) snapshot(ctx context.Context, c *collection, sh *shape, q *db.Query) ([][]byte, int64, error) {
	tx, err := d.r.BeginTx(ctx, nil)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	var seq int64
	if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = '_changes'").Scan(&seq); err != nil {
		return nil, 0, err
	}
	out, err := d.find(ctx, func(ctx context.Context, q string, args []any) (*sql.Rows, error) {
		return tx.QueryContext(ctx, q, args...)
	}, c, sh, deref(c.indexes.Load()), q)
	return out, seq, err
}
