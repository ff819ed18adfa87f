package db

import "context"

// ChangeSource is where realtime watches (Watches) read committed changes.
// On one node it is the database's change feed read under a consumer name
// of the node's own (FeedSource); nodes sharing a database each read
// theirs, woken by the database (PostgreSQL's LISTEN/NOTIFY) instead of
// by their own commits. Changes' Seqs and Snapshot's seq are one sequence.
type ChangeSource interface {
	// Subscribe sets the collections whose changes are recorded for the
	// watches from the next write on, replacing the ones before.
	Subscribe(ctx context.Context, colls []string) error
	// Changes returns up to limit recorded changes with Seq > after, in
	// commit order.
	Changes(ctx context.Context, after int64, limit int) ([]Change, error)
	// Ack drops changes the watches are done with.
	Ack(ctx context.Context, seqs ...int64) error
	// Changed returns a channel closed at the next commit that records a
	// change: get it before reading Changes, wait on it after.
	Changed() <-chan struct{}
	// Snapshot returns a query's documents and the Seq of the newest
	// change they reflect (ChangeLog.Snapshot).
	Snapshot(ctx context.Context, coll string, q *Query) (docs [][]byte, seq int64, err error)
}

// FeedSource returns the ChangeSource that reads log (a Driver's change
// feed) as consumer.
func FeedSource(log ChangeLog, consumer string) ChangeSource {
	return feedSource{log: log, consumer: consumer}
}

type feedSource struct {
	log      ChangeLog
	consumer string
}

var _ ChangeSource = feedSource{}

func (f feedSource) Subscribe(ctx context.Context, colls []string) error {
	return f.log.Subscribe(ctx, f.consumer, colls)
}

func (f feedSource) Changes(ctx context.Context, after int64, limit int) ([]Change, error) {
	return f.log.Changes(ctx, f.consumer, after, limit)
}

func (f feedSource) Ack(ctx context.Context, seqs ...int64) error {
	return f.log.Ack(ctx, f.consumer, seqs...)
}

func (f feedSource) Changed() <-chan struct{} { return f.log.Changed() }

func (f feedSource) Snapshot(ctx context.Context, coll string, q *Query) ([][]byte, int64, error) {
	return f.log.Snapshot(ctx, coll, q)
}
