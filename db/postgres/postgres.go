// Package postgres is a db.Driver on PostgreSQL (github.com/jackc/pgx/v5),
// for minibase nodes that share one database.
//
// Layout: one table per collection, c_<id> (id of the collection's row in
// _collections), with the document's _id as primary key (COLLATE "C": _id
// order is byte order, as in db.CompareDocs), the document as extended JSON
// text exactly as written (raw: field order and number spelling survive,
// which jsonb does not keep), and doc, a jsonb column PostgreSQL derives
// from raw, that queries and indexes read. A table per collection rather
// than one shared table: DropCollection is a DROP TABLE (no long DELETE, no
// bloat), each collection's indexes cover only its documents, and a
// collection's expression indexes stay small.
//
// Queries: the filter is translated to a SQL condition over doc where it
// narrows exactly or as a superset (see translate.go); the shared Go
// matcher (db.Filter.Match) decides on every candidate, and sort, skip and
// limit are applied in Go with db.CompareDocs, so results equal the Go
// reference semantics whatever SQL could do.
//
// Writes: every write transaction first takes one transaction-level
// advisory lock of the database (writeLock), so writes are serialized
// cluster-wide, as SQLite's single writer serializes them on one node:
// reads inside a write see the latest state, the change feed's order is
// the commit order, and db.Transactions' Update needs no retry loop. Reads
// never take it.
//
// Nothing is cached between calls: the catalog (collections, indexes,
// rules) and the change feed's subscriptions are read from the database in
// the transaction that uses them, so several nodes sharing the database
// agree without invalidation messages.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"minibase/db"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// writeLock is the advisory lock key every write transaction takes
// ("minibase" in ASCII, cut to 63 bits). Advisory locks are per database.
const writeLock int64 = 0x6d696e6962617365 & (1<<63 - 1)

// notifyChannel is the LISTEN/NOTIFY channel a commit that records changes
// notifies, to wake Changed's waiters on every node.
const notifyChannel = "minibase_changes"

// Options configures Open.
type Options struct {
	// MaxConns caps the connection pool (default: pgxpool's, the larger of
	// 4 and the number of CPUs).
	MaxConns int32
}

// DB is the PostgreSQL driver. It is safe for concurrent use.
type DB struct {
	pool *pgxpool.Pool

	feedMu  sync.Mutex
	changed chan struct{} // closed at the next change; nil until asked for

	// wsem lets one write of this node at a time ask for writeLock: the
	// others wait here, without a connection, so that waiting writes never
	// take the pool's connections from reads.
	wsem chan struct{}

	stopListen context.CancelFunc
	listenD    chan struct{}
	closeOnce  sync.Once
}

var _ db.Driver = (*DB)(nil)

// Open connects to the database at url (postgres://…), creates minibase's
// tables when missing and starts listening for other nodes' changes.
func Open(ctx context.Context, url string, opts Options) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	d := &DB{pool: pool, listenD: make(chan struct{}), wsem: make(chan struct{}, 1)}
	if err := d.init(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	lctx, cancel := context.WithCancel(context.Background())
	d.stopListen = cancel
	ready := make(chan error, 1)
	go d.listen(lctx, ready)
	if err := <-ready; err != nil {
		cancel()
		<-d.listenD
		pool.Close()
		return nil, fmt.Errorf("listen for changes: %w", err)
	}
	return d, nil
}

const schema = `
CREATE TABLE IF NOT EXISTS _collections (
	id      bigserial PRIMARY KEY,
	name    text NOT NULL UNIQUE COLLATE "C",
	created timestamptz NOT NULL DEFAULT now(),
	rules   text
);
CREATE TABLE IF NOT EXISTS _indexes (
	id       bigserial PRIMARY KEY,
	coll_id  bigint NOT NULL REFERENCES _collections(id) ON DELETE CASCADE,
	name     text NOT NULL COLLATE "C",
	spec     jsonb NOT NULL,
	multikey boolean NOT NULL DEFAULT false,
	UNIQUE (coll_id, name)
);
CREATE TABLE IF NOT EXISTS _changes (
	seq      bigint PRIMARY KEY,
	consumer text NOT NULL,
	coll     text NOT NULL,
	op       smallint NOT NULL,
	doc_id   text NOT NULL,
	doc      text,
	before   text,
	time     bigint NOT NULL,
	hop      integer NOT NULL
);
CREATE TABLE IF NOT EXISTS _change_subs (
	consumer text NOT NULL,
	coll     text NOT NULL,
	PRIMARY KEY (consumer, coll)
);
CREATE TABLE IF NOT EXISTS _feed (
	one  boolean PRIMARY KEY DEFAULT true CHECK (one),
	last bigint NOT NULL
);
INSERT INTO _feed (one, last) VALUES (true, 0) ON CONFLICT DO NOTHING;`

func (d *DB) init(ctx context.Context) error {
	// Under the write lock: nodes starting together do not race on
	// CREATE TABLE IF NOT EXISTS.
	err := d.write(ctx, func(tx pgx.Tx, w *wstate) error {
		_, err := tx.Exec(ctx, schema+authSchema)
		return err
	})
	if err != nil {
		return fmt.Errorf("create schema: %w", err)
	}
	return nil
}

// Close stops listening and closes the pool; writes in progress finish
// first (the pool waits for its connections to be released).
func (d *DB) Close() error {
	d.closeOnce.Do(func() {
		d.stopListen()
		<-d.listenD
		d.pool.Close()
	})
	return nil
}

// wstate is what a write transaction accumulates.
type wstate struct {
	changes []pendingChange
	subs    map[string][]string // collection → consumers, read once per write
}

// write runs fn in a write transaction: it holds writeLock, commits when fn
// succeeds and rolls back otherwise.
func (d *DB) write(ctx context.Context, fn func(tx pgx.Tx, w *wstate) error) error {
	select {
	case d.wsem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-d.wsem }()
	tx, err := d.pool.BeginTx(ctx, pgx.TxOptions{})
	if err != nil {
		return fmt.Errorf("begin write: %w", err)
	}
	defer tx.Rollback(context.Background())
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", writeLock); err != nil {
		return fmt.Errorf("take the write lock: %w", err)
	}
	w := &wstate{}
	if err := fn(tx, w); err != nil {
		return err
	}
	if err := d.flushChanges(ctx, tx, w); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if len(w.changes) > 0 {
		d.notifyChanged()
	}
	return nil
}

// read runs fn in a read-only REPEATABLE READ transaction: every statement
// of fn sees the same snapshot.
func (d *DB) read(ctx context.Context, fn func(tx pgx.Tx) error) error {
	tx, err := d.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("begin read: %w", err)
	}
	defer tx.Rollback(context.Background())
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// listen keeps a connection LISTENing on notifyChannel and wakes Changed's
// waiters at every notification, reconnecting after a failure, until ctx
// ends. ready gets the first connection's outcome.
func (d *DB) listen(ctx context.Context, ready chan<- error) {
	defer close(d.listenD)
	first := true
	for delay := 100 * time.Millisecond; ctx.Err() == nil; delay = min(2*delay, 5*time.Second) {
		err := d.listenOnce(ctx, func() {
			if first {
				first = false
				ready <- nil
			} else {
				// Listening again: what committed while nobody listened
				// notified nobody, so wake everybody now.
				d.notifyChanged()
			}
			delay = 100 * time.Millisecond
		})
		if first {
			ready <- err
			return
		}
		// A lost connection may have lost notifications: wake everybody,
		// who then read the feed.
		d.notifyChanged()
		select {
		case <-ctx.Done():
		case <-time.After(delay):
		}
	}
}

// The listening connection is its own, outside the pool: it is held for
// as long as the driver is open.
func (d *DB) listenOnce(ctx context.Context, listening func()) error {
	c, err := pgx.ConnectConfig(ctx, d.pool.Config().ConnConfig.Copy())
	if err != nil {
		return err
	}
	defer c.Close(context.Background())
	if _, err := c.Exec(ctx, "LISTEN "+notifyChannel); err != nil {
		return err
	}
	listening()
	for {
		if _, err := c.WaitForNotification(ctx); err != nil {
			return err
		}
		d.notifyChanged()
	}
}

// notifyChanged wakes the readers waiting on Changed.
func (d *DB) notifyChanged() {
	d.feedMu.Lock()
	if d.changed != nil {
		close(d.changed)
		d.changed = nil
	}
	d.feedMu.Unlock()
}

func notExist(name string) error {
	return db.Errorf(db.CodeCollectionNotExist, "collection %q does not exist", name)
}

// pgErr turns PostgreSQL failures a client caused into *db.Error.
func pgErr(err error, coll string) error {
	if err == nil {
		return nil
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505": // unique_violation
			if strings.HasSuffix(pe.ConstraintName, "_pkey") {
				return db.DuplicateID(coll)
			}
			return db.Errorf(db.CodeDuplicateKey, "duplicate key: a unique index of collection %q already has this value", coll)
		case "42P01": // undefined_table: dropped meanwhile
			return notExist(coll)
		case "22P05", "22021": // untranslatable_character, character_not_in_repertoire
			return db.Errorf(db.CodeInvalidParam, "PostgreSQL cannot store this document: %s (the character U+0000 is not allowed in strings)", pe.Message)
		}
	}
	return err
}
