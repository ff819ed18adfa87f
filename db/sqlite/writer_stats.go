package sqlite

import (
	"context"
	"database/sql"
	"time"
)

// probeSchema is the row Probe rewrites.
const probeSchema = `
CREATE TABLE IF NOT EXISTS _probe (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	at INTEGER NOT NULL
);`

// WriterStats are the writer's figures since the database was opened:
// what metrics report about group commit.
type WriterStats struct {
	Queued     int           // writes waiting for the writer now
	Commits    int64         // write transactions (batches) committed
	Writes     int64         // writes those transactions committed: Writes/Commits is the mean batch
	CommitTime time.Duration // time the committed batches took, from begin to commit
}

// WriterStats returns the writer's figures; it takes no lock.
func (d *DB) WriterStats() WriterStats {
	return WriterStats{Queued: len(d.jobs), Commits: d.commits.Load(), Writes: d.written.Load(),
		CommitTime: time.Duration(d.commitT.Load())}
}

// Probe makes a real write through the writer and waits for its commit:
// it fails when the database cannot take writes (damaged, closed, the
// disk full, the file read-only). Each probe rewrites the one row of
// _probe, which nothing else reads.
func (d *DB) Probe(ctx context.Context) error {
	_, err := d.do(ctx, func(tx *sql.Tx, _ *effects) (any, error) {
		_, err := tx.ExecContext(ctx, "INSERT OR REPLACE INTO _probe (id, at) VALUES (1, ?)", time.Now().UnixNano())
		return nil, err
	})
	return err
}
