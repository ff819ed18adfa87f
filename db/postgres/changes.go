package postgres

import (
	"context"
	"fmt"
	"slices"
	"time"

	"minibase/db"

	"github.com/jackc/pgx/v5"
)

// The change feed (db.ChangeLog) is an outbox table, _changes, written in
// the transaction of the write it describes: one row per change and
// consumer, for the consumers _change_subs subscribes to the collection
// (read in that transaction, so every node's writes see every node's
// subscriptions). Seqs come from the one-row counter _feed, bumped in the
// same transaction: every write holds writeLock, so seqs are handed out
// and committed in the same order, and a consumer reading "after n" never
// misses a change that commits later with a lower seq. The counter never
// goes back, acknowledged rows or not.
//
// A commit that records changes runs pg_notify(notifyChannel): every
// node's listener (DB.listen) then wakes its Changed waiters.

// opReplace is the op column of an update that replaced the document
// whole (db.Change.Replace); the other ops are db.ChangeOp's values.
const opReplace = 4

// pendingChange is a change recorded by a running write.
type pendingChange struct {
	coll        string
	op          int
	id          string
	doc, before []byte
	hop         int
}

func (w *wstate) record(coll string, op int, id string, doc, before []byte, hop int) {
	w.changes = append(w.changes, pendingChange{coll: coll, op: op, id: id, doc: doc, before: before, hop: hop})
}

// flushChanges writes the write's changes to the outbox of every
// subscribed consumer, before its commit.
func (d *DB) flushChanges(ctx context.Context, tx pgx.Tx, w *wstate) error {
	if len(w.changes) == 0 {
		return nil
	}
	subs := map[string][]string{}
	for _, c := range w.changes {
		if _, ok := subs[c.coll]; ok {
			continue
		}
		rows, err := tx.Query(ctx, "SELECT consumer FROM _change_subs WHERE coll = $1 ORDER BY consumer", c.coll)
		if err != nil {
			return fmt.Errorf("read change subscriptions: %w", err)
		}
		cs, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return fmt.Errorf("read change subscriptions: %w", err)
		}
		subs[c.coll] = cs
	}
	var (
		consumers, colls, ids, docs, befores []string
		docNull, beforeNull                  []bool
		ops, hops                            []int32
	)
	for _, c := range w.changes {
		for _, consumer := range subs[c.coll] {
			consumers = append(consumers, consumer)
			colls = append(colls, c.coll)
			ids = append(ids, c.id)
			docs = append(docs, string(c.doc))
			docNull = append(docNull, c.doc == nil)
			befores = append(befores, string(c.before))
			beforeNull = append(beforeNull, c.before == nil)
			ops = append(ops, int32(c.op))
			hops = append(hops, int32(c.hop))
		}
	}
	if len(consumers) == 0 {
		w.changes = nil // nobody subscribed: nothing recorded, nobody to wake
		return nil
	}
	var last int64
	if err := tx.QueryRow(ctx, "UPDATE _feed SET last = last + $1 RETURNING last", len(consumers)).Scan(&last); err != nil {
		return fmt.Errorf("record changes: %w", err)
	}
	first := last - int64(len(consumers)) + 1
	_, err := tx.Exec(ctx, `INSERT INTO _changes (seq, consumer, coll, op, doc_id, doc, before, time, hop)
		SELECT $1 + n - 1, consumer, coll, op, doc_id, CASE WHEN dn THEN NULL ELSE doc END, CASE WHEN bn THEN NULL ELSE before END, $2, hop
		FROM unnest($3::text[], $4::text[], $5::smallint[], $6::text[], $7::text[], $8::bool[], $9::text[], $10::bool[], $11::int[])
			WITH ORDINALITY AS u(consumer, coll, op, doc_id, doc, dn, before, bn, hop, n)`,
		first, time.Now().UnixMilli(), consumers, colls, ops, ids, docs, docNull, befores, beforeNull, hops)
	if err != nil {
		return fmt.Errorf("record changes: %w", err)
	}
	if _, err := tx.Exec(ctx, "SELECT pg_notify($1, '')", notifyChannel); err != nil {
		return fmt.Errorf("record changes: %w", err)
	}
	return nil
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
	if colls == nil {
		colls = []string{} // an empty array: NULL would make <> ALL unknown
	}
	for _, c := range colls {
		if !db.ValidCollectionName(c) {
			return db.Errorf(db.CodeInvalidParam, "invalid collection name %q", c)
		}
	}
	return d.write(ctx, func(tx pgx.Tx, w *wstate) error {
		// The changes kept for collections it no longer has go with them.
		if _, err := tx.Exec(ctx, "DELETE FROM _changes WHERE consumer = $1 AND coll <> ALL($2::text[])", consumer, colls); err != nil {
			return fmt.Errorf("unsubscribe: %w", err)
		}
		if _, err := tx.Exec(ctx, "DELETE FROM _change_subs WHERE consumer = $1 AND coll <> ALL($2::text[])", consumer, colls); err != nil {
			return fmt.Errorf("unsubscribe: %w", err)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO _change_subs (consumer, coll) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING", consumer, colls); err != nil {
			return fmt.Errorf("subscribe: %w", err)
		}
		return nil
	})
}

// Changes returns consumer's unacknowledged changes after seq after.
func (d *DB) Changes(ctx context.Context, consumer string, after int64, limit int) ([]db.Change, error) {
	if limit < 1 || limit > db.MaxChanges {
		return nil, db.Errorf(db.CodeInvalidParam, "limit must be 1 to %d", db.MaxChanges)
	}
	rows, err := d.pool.Query(ctx, "SELECT seq, coll, op, doc_id, doc, before, time, hop FROM _changes WHERE consumer = $1 AND seq > $2 ORDER BY seq LIMIT $3", consumer, after, limit)
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
			op          int16
			at          int64
			hop         int32
			doc, before []byte
		)
		if err := rows.Scan(&c.Seq, &c.Coll, &op, &c.ID, &doc, &before, &at, &hop); err != nil {
			return nil, fmt.Errorf("read changes: %w", err)
		}
		c.Op, c.Time, c.Size, c.Hop = db.ChangeOp(op), time.UnixMilli(at).UTC(), len(doc)+len(before), int(hop)
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
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read changes: %w", err)
	}
	return out, nil
}

// Ack deletes consumer's changes seqs.
func (d *DB) Ack(ctx context.Context, consumer string, seqs ...int64) error {
	if len(seqs) == 0 {
		return nil
	}
	if len(seqs) > db.MaxAck {
		return db.Errorf(db.CodeInvalidParam, "acknowledge at most %d changes at once, got %d", db.MaxAck, len(seqs))
	}
	if _, err := d.pool.Exec(ctx, "DELETE FROM _changes WHERE consumer = $1 AND seq = ANY($2::bigint[])", consumer, seqs); err != nil {
		return fmt.Errorf("acknowledge changes: %w", err)
	}
	return nil
}

// Changed returns a channel closed at the next commit that records a
// change, on this node or (through NOTIFY) any other.
func (d *DB) Changed() <-chan struct{} {
	d.feedMu.Lock()
	defer d.feedMu.Unlock()
	if d.changed == nil {
		d.changed = make(chan struct{})
	}
	return d.changed
}

// Snapshot runs Find and reads the feed's counter in one REPEATABLE READ
// transaction: the documents reflect exactly the changes committed before
// its snapshot, whose seqs are at most the counter it reads.
func (d *DB) Snapshot(ctx context.Context, name string, q *db.Query) ([][]byte, int64, error) {
	var (
		out [][]byte
		seq int64
	)
	err := d.read(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, "SELECT last FROM _feed").Scan(&seq); err != nil {
			return fmt.Errorf("read the feed's position: %w", err)
		}
		c, err := mustLookup(ctx, tx, name)
		if err != nil {
			return err
		}
		out, err = find(ctx, tx, c, q)
		return err
	})
	return out, seq, err
}
