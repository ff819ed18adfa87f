package functions

import (
	"context"
	"time"
)

// Several minibase nodes may share one database (PostgreSQL). Each runs
// the same functions with the same triggers, and without coordination
// every node would fire every timer and deliver every database change. Two
// small primitives, satisfied by the database driver, make that happen
// once cluster-wide; on one node (SQLite) Local satisfies both and nothing
// changes.

// TickClaims decides which node runs a timer's tick.
type TickClaims interface {
	// ClaimTick reports whether the caller runs timer's run scheduled at
	// tick: true for exactly one caller per (timer, tick) cluster-wide,
	// whichever asks first; false for every later one. An error means
	// the claim could not be decided (the database is unreachable): the
	// caller does not run the tick.
	ClaimTick(ctx context.Context, timer string, tick time.Time) (bool, error)
}

// Leader runs work on one node of the cluster at a time.
type Leader interface {
	// Lead runs lead whenever this node holds name's leadership, with a
	// context that ends when ctx ends or the leadership is lost (the
	// node's connection to the database died); it then tries to take the
	// leadership again, until ctx ends. It returns when ctx has ended and
	// lead has returned. report receives why leadership could not be
	// taken or was lost.
	Lead(ctx context.Context, name string, lead func(ctx context.Context), report func(error))
}

// Cluster is what SetCluster takes: a database driver shared by nodes.
type Cluster interface {
	TickClaims
	Leader
}

// Local is the Cluster of a single node: every tick is its own, and it
// always leads.
type Local struct{}

var _ Cluster = Local{}

// ClaimTick returns true.
func (Local) ClaimTick(context.Context, string, time.Time) (bool, error) { return true, nil }

// Lead runs lead(ctx).
func (Local) Lead(ctx context.Context, _ string, lead func(context.Context), _ func(error)) {
	lead(ctx)
}

// dbTriggersLeadership is the leadership database triggers are delivered
// under: one node reads FeedConsumer's changes and acknowledges them.
const dbTriggersLeadership = "functions-dbtriggers"

// SetCluster makes the timers of t fire once per tick across the nodes
// sharing c (ClaimTick), and its database triggers (SetDatabase, before or
// after) be delivered by one node at a time (Lead). Call it before Run.
// Without it, the node is alone (Local).
func (t *Triggers) SetCluster(c Cluster) {
	t.mu.Lock()
	t.cluster = c
	t.mu.Unlock()
	if t.db != nil {
		t.db.leader = c
	}
}

// timerKey is a timer's name in ClaimTick: its function's and its own.
func timerKey(fn, timer string) string { return fn + "/" + timer }
