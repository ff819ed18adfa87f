package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"sync"
	"time"

	"minibase/db"

	"github.com/jackc/pgx/v5"
)

// Realtime watches need a change feed per node: every node's watches must
// see every change, and a consumer's changes go to whoever reads them
// first (and Watches resets its consumer when it starts). NodeFeed gives a
// node a consumer of its own, registered in _feed_nodes with the time it
// was last seen; a node that crashed leaves its consumer behind, whose
// subscriptions would record every change of its collections for nobody,
// so every node's NodeFeed.Run deletes the consumers not seen for
// nodeGone, with their subscriptions and changes.

// feedNodesSchema registers the nodes' consumers; NodeFeed creates it.
const feedNodesSchema = `
CREATE TABLE IF NOT EXISTS _feed_nodes (
	consumer text PRIMARY KEY COLLATE "C",
	seen     timestamptz NOT NULL DEFAULT now()
);`

// Periods of node feeds.
const (
	nodeTouch = 30 * time.Second // a node marks its consumer seen, and collects the others', this often
	nodeGone  = 10 * time.Minute // a consumer not seen for this long is deleted
)

// NodeFeed is a node's own change feed consumer (a db.ChangeSource), for
// the node's realtime watches. Run keeps it registered.
type NodeFeed struct {
	d        *DB
	consumer string
	touch    time.Duration // nodeTouch; tests shorten it

	mu    sync.Mutex
	colls []string // the last Subscribe's, to subscribe again after a removal
}

var _ db.ChangeSource = (*NodeFeed)(nil)

// NodeFeed registers a consumer of this node's own, prefix + ":" + 12
// random hex digits (prefix: a valid consumer name of at most 51
// characters), and returns it. Call Run for as long as the node reads it.
func (d *DB) NodeFeed(ctx context.Context, prefix string) (*NodeFeed, error) {
	var id [6]byte
	rand.Read(id[:])
	name := prefix + ":" + hex.EncodeToString(id[:])
	if !db.ValidConsumer(name) {
		return nil, db.Errorf(db.CodeInvalidParam, "invalid change feed consumer prefix %q: use 1 to 51 letters, digits, '_', '.', ':' or '-'", prefix)
	}
	err := d.write(ctx, func(tx pgx.Tx, w *wstate) error {
		if _, err := tx.Exec(ctx, feedNodesSchema); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "INSERT INTO _feed_nodes (consumer) VALUES ($1)", name)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("register the node's change feed: %w", err)
	}
	return &NodeFeed{d: d, consumer: name, touch: nodeTouch}, nil
}

// Consumer returns the feed's consumer name.
func (f *NodeFeed) Consumer() string { return f.consumer }

// Run marks the consumer seen every nodeTouch and deletes the consumers of
// nodes not seen for nodeGone, until ctx ends; then it deletes its own
// (the node stops: nobody reads it any more). A consumer found deleted
// (the node could not reach the database for nodeGone) is registered and
// subscribed again, and reported: the changes in between were lost to its
// watches. report receives failures.
func (f *NodeFeed) Run(ctx context.Context, report func(error)) {
	t := time.NewTicker(f.touch)
	defer t.Stop()
	for {
		if err := f.pass(ctx); err != nil && ctx.Err() == nil {
			report(err)
		}
		select {
		case <-ctx.Done():
			ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			if err := f.d.dropConsumers(ctx, []string{f.consumer}, false); err != nil {
				report(fmt.Errorf("remove the node's change feed: %w", err))
			}
			return
		case <-t.C:
		}
	}
}

// pass marks the consumer seen and collects the gone ones.
func (f *NodeFeed) pass(ctx context.Context) error {
	tag, err := f.d.pool.Exec(ctx, "UPDATE _feed_nodes SET seen = now() WHERE consumer = $1", f.consumer)
	if err != nil {
		return fmt.Errorf("mark the node's change feed seen: %w", err)
	}
	if tag.RowsAffected() == 0 {
		if _, err := f.d.pool.Exec(ctx, "INSERT INTO _feed_nodes (consumer) VALUES ($1) ON CONFLICT DO NOTHING", f.consumer); err != nil {
			return fmt.Errorf("register the node's change feed again: %w", err)
		}
		f.mu.Lock()
		colls := f.colls
		f.mu.Unlock()
		if err := f.d.Subscribe(ctx, f.consumer, colls); err != nil {
			return fmt.Errorf("subscribe the node's change feed again: %w", err)
		}
		return fmt.Errorf("realtime watch: this node's change feed %s was removed while the node was not seen for %v; it is back, but its watches missed the changes in between", f.consumer, nodeGone)
	}
	rows, err := f.d.pool.Query(ctx, "SELECT consumer FROM _feed_nodes WHERE seen < now() - make_interval(secs => $1)", nodeGone.Seconds())
	if err != nil {
		return fmt.Errorf("find the change feeds of gone nodes: %w", err)
	}
	gone, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("find the change feeds of gone nodes: %w", err)
	}
	if len(gone) == 0 {
		return nil
	}
	if err := f.d.dropConsumers(ctx, gone, true); err != nil {
		return fmt.Errorf("remove the change feeds of gone nodes: %w", err)
	}
	return nil
}

// dropConsumers deletes consumers' registrations, subscriptions and
// changes; with onlyGone, those of a consumer seen again meanwhile are
// kept.
func (d *DB) dropConsumers(ctx context.Context, consumers []string, onlyGone bool) error {
	return d.write(ctx, func(tx pgx.Tx, w *wstate) error {
		rows, err := tx.Query(ctx, `DELETE FROM _feed_nodes WHERE consumer = ANY($1::text[])
			AND (NOT $2 OR seen < now() - make_interval(secs => $3)) RETURNING consumer`, consumers, onlyGone, nodeGone.Seconds())
		if err != nil {
			return err
		}
		gone, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		if !onlyGone {
			gone = consumers
		}
		if _, err := tx.Exec(ctx, "DELETE FROM _change_subs WHERE consumer = ANY($1::text[])", gone); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "DELETE FROM _changes WHERE consumer = ANY($1::text[])", gone)
		return err
	})
}

// Subscribe sets the collections whose changes the node's watches get.
func (f *NodeFeed) Subscribe(ctx context.Context, colls []string) error {
	f.mu.Lock()
	f.colls = slices.Clone(colls)
	f.mu.Unlock()
	return f.d.Subscribe(ctx, f.consumer, colls)
}

// Changes returns the node's changes after seq after.
func (f *NodeFeed) Changes(ctx context.Context, after int64, limit int) ([]db.Change, error) {
	return f.d.Changes(ctx, f.consumer, after, limit)
}

// Ack drops the node's changes seqs.
func (f *NodeFeed) Ack(ctx context.Context, seqs ...int64) error {
	return f.d.Ack(ctx, f.consumer, seqs...)
}

// Changed returns a channel closed at the next change (on any node).
func (f *NodeFeed) Changed() <-chan struct{} { return f.d.Changed() }

// Snapshot returns a query's documents and the feed's position.
func (f *NodeFeed) Snapshot(ctx context.Context, coll string, q *db.Query) ([][]byte, int64, error) {
	return f.d.Snapshot(ctx, coll, q)
}
