package db

import (
	"context"
	"regexp"
	"time"
)

// ChangeLog is a Driver's change feed: a durable outbox of the committed
// changes of the collections somebody subscribed to, kept per consumer
// until that consumer acknowledges them. Database triggers (functions) and
// realtime watch read it; writes to collections no consumer subscribed to
// record nothing and pay nothing.
//
// A write records its changes in its own transaction, so a committed write
// always has them and a failed one never does: one Change per document the
// write inserted, changed or removed (an update that changes nothing records
// nothing; a replace of an existing document records an update marked
// Replace; an upsert or a replace that creates the document records an
// insert). A consumer's
// changes come in commit order, each with a Seq higher than every earlier
// one's, and stay (across restarts) until Ack removes them: delivery is at
// least once.
type ChangeLog interface {
	// Subscribe sets the collections whose changes consumer receives, from
	// the next write on, replacing the ones it had: the changes it has not
	// acknowledged for collections it no longer has are dropped. No colls
	// ends its subscription. Subscriptions are durable. Errors: an invalid
	// consumer or collection name, more than MaxSubscriptions collections.
	Subscribe(ctx context.Context, consumer string, colls []string) error
	// Changes returns up to limit (1 to MaxChanges) of consumer's
	// unacknowledged changes with Seq > after, in commit order. It stops
	// early after the change that brings their Size over MaxChangeBytes,
	// so one call holds at most that plus one change's documents.
	Changes(ctx context.Context, consumer string, after int64, limit int) ([]Change, error)
	// Ack removes the changes seqs from consumer's feed. Unknown seqs are
	// ignored.
	Ack(ctx context.Context, consumer string, seqs ...int64) error
	// Changed returns a channel that is closed at the next commit that
	// records a change: get it before reading Changes, wait on it after.
	Changed() <-chan struct{}
	// Snapshot returns what Find(coll, q) returns, read at one point of
	// the feed, and that point: seq is the Seq of the newest change any
	// consumer's feed recorded before it (0 when none), so the documents
	// reflect every change with a Seq up to seq and none after. A consumer
	// that subscribed coll before reading the snapshot applies its changes
	// with a higher Seq to the snapshot and misses nothing (realtime
	// watch's initial documents).
	Snapshot(ctx context.Context, coll string, q *Query) (docs [][]byte, seq int64, err error)
}

// Limits of the change feed.
const (
	MaxSubscriptions = 1000 // collections per consumer
	MaxChanges       = 1000 // changes per Changes call
	MaxAck           = 1000 // seqs per Ack call
	MaxChangeBytes   = 8 << 20
)

// ChangeOp is what a change did to its document.
type ChangeOp uint8

// Change operations.
const (
	ChangeInsert ChangeOp = 1 + iota
	ChangeUpdate
	ChangeDelete
)

// String returns "insert", "update" or "delete".
func (op ChangeOp) String() string {
	switch op {
	case ChangeInsert:
		return "insert"
	case ChangeUpdate:
		return "update"
	case ChangeDelete:
		return "delete"
	}
	return "unknown"
}

// ParseChangeOp is the inverse of ChangeOp.String.
func ParseChangeOp(s string) (ChangeOp, bool) {
	for op := ChangeInsert; op <= ChangeDelete; op++ {
		if op.String() == s {
			return op, true
		}
	}
	return 0, false
}

// Change is one committed change to one document.
type Change struct {
	Seq    int64 // position in the consumer's feed
	Coll   string
	Op     ChangeOp
	ID     string // the document's _id
	Doc    Doc    // the document after the change (insert, update); nil for delete
	Before Doc    // the document before (update, delete); nil for insert
	// Replace marks an update that replaced the stored document whole
	// (WriteReplace: doc(id).set) instead of applying update operators;
	// realtime watch tells the two apart (dataType replace and update).
	Replace bool
	Time    time.Time // when the write ran, just before its commit (UTC, milliseconds)
	// Hop is how many changes led to this one: 0 for a write made by a
	// client or an admin, n+1 for a write made by whatever handled a change
	// of hop n (a database trigger's function). Consumers bound chains with it.
	Hop int
	// Size is the bytes of Doc and Before as stored (extended JSON), for
	// consumers that bound the memory of what they hold.
	Size int
}

var consumerRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$`)

// ValidConsumer reports whether name is an allowed change feed consumer:
// 1 to 64 letters, digits, '_', '.', ':' or '-', starting with a letter or
// digit.
func ValidConsumer(name string) bool { return consumerRE.MatchString(name) }

type hopKey struct{}

// WithHop returns a context whose writes record their changes with Hop
// hop: a consumer that writes while handling a change of hop n passes
// n+1.
func WithHop(ctx context.Context, hop int) context.Context {
	return context.WithValue(ctx, hopKey{}, hop)
}

// HopFrom returns the hop WithHop put in ctx, or 0.
func HopFrom(ctx context.Context) int {
	h, _ := ctx.Value(hopKey{}).(int)
	return h
}
