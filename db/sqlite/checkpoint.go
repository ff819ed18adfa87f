package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"sync"
)

// Checkpointed is what one Checkpoint did.
type Checkpointed struct {
	Frames     int // frames in the WAL when the checkpoint ran
	Backfilled int // of them, copied into the database file
	// Unshipped is set when ship failed and the WAL had grown past
	// Options.MaxWAL: the WAL was checkpointed without its frames shipped,
	// and SQLite may overwrite them.
	Unshipped bool
}

// finishFrames is the WAL length (in frames) past which Checkpoint makes
// sure SQLite starts the WAL over: under a steady load the background
// checkpoint never finds the WAL quiet, so its last frames are
// checkpointed on the writer, between two group commits.
const finishFrames = 16384

// checkpointer holds Checkpoint's connections: one pins the WAL with a
// read transaction, the other checkpoints.
type checkpointer struct {
	mu   sync.Mutex
	once sync.Once
	db   *sql.DB
	err  error
}

func (c *checkpointer) close() error {
	if c.db == nil {
		return nil
	}
	return c.db.Close()
}

// WALPath is the database's write-ahead log file.
func (d *DB) WALPath() string { return d.path + "-wal" }

// Checkpoint copies the WAL's committed frames into the database file,
// for callers that own checkpoints (Options.ExternalCheckpoints). It first
// pins the WAL with a read transaction and calls ship (nil: none), which
// may read the WAL file: while the pin holds, SQLite neither checkpoints
// frames committed after it began nor starts the WAL over, so every frame
// the checkpoint copies, and that SQLite may then overwrite, was in the
// WAL when ship ran. When ship fails, nothing is checkpointed and its
// error is returned, unless the WAL is larger than Options.MaxWAL: then
// the checkpoint runs anyway (Checkpointed.Unshipped).
//
// Checkpoint never blocks writes, except when the WAL has reached
// finishFrames: its last frames are then shipped and checkpointed on the
// writer between two commits (a few milliseconds: the bulk was
// checkpointed before). Calls are serialized.
func (d *DB) Checkpoint(ctx context.Context, ship func(context.Context) error) (Checkpointed, error) {
	c := &d.ck
	c.mu.Lock()
	defer c.mu.Unlock()
	c.once.Do(func() {
		c.db, c.err = sql.Open("sqlite", dsn(d.path, withDefaults(Options{Synchronous: d.opts.Synchronous, CacheKiB: 256, MmapMiB: -1}), false))
		if c.err == nil {
			c.db.SetMaxOpenConns(2)
			c.db.SetMaxIdleConns(2)
			c.db.SetConnMaxLifetime(0)
		}
	})
	if c.err != nil {
		return Checkpointed{}, fmt.Errorf("checkpoint: %w", c.err)
	}
	pin, err := c.db.Conn(ctx)
	if err != nil {
		return Checkpointed{}, fmt.Errorf("checkpoint: %w", err)
	}
	defer pin.Close()
	if err := beginRead(ctx, pin); err != nil {
		return Checkpointed{}, fmt.Errorf("checkpoint: pin the WAL: %w", err)
	}
	var shipErr error
	if ship != nil {
		shipErr = ship(ctx)
	}
	if shipErr != nil {
		endRead(pin)
		if fi, err := os.Stat(d.WALPath()); err != nil || fi.Size() <= d.opts.MaxWAL {
			return Checkpointed{}, shipErr
		}
		res, err := d.passive(ctx, c.db)
		res.Unshipped = true
		return res, errors.Join(shipErr, err)
	}
	res, err := d.passive(ctx, c.db)
	endRead(pin)
	if err != nil || res.Frames < finishFrames || res.Frames-res.Backfilled > finishFrames/4 {
		// nothing more to do, or a long read transaction (a backup)
		// holds the checkpoint back: finishing on the writer would not
		// get further
		return res, err
	}
	return d.finish(ctx, ship)
}

// finish ships and checkpoints the WAL's last frames on the writer, so
// that no commit comes in between and the next one starts the WAL over.
func (d *DB) finish(ctx context.Context, ship func(context.Context) error) (Checkpointed, error) {
	var res Checkpointed
	j := &job{ctx: ctx, done: make(chan struct{}), raw: func() error {
		if ship != nil {
			if err := ship(ctx); err != nil {
				return err
			}
		}
		var err error
		res, err = d.passive(ctx, d.w)
		return err
	}}
	d.closeMu.RLock()
	if d.closed.Load() {
		d.closeMu.RUnlock()
		return res, errClosed
	}
	select {
	case d.jobs <- j:
	case <-ctx.Done():
		d.closeMu.RUnlock()
		return res, ctx.Err()
	}
	d.closeMu.RUnlock()
	<-j.done
	return res, j.err
}

// passive runs a passive checkpoint on one of db's connections.
func (d *DB) passive(ctx context.Context, db *sql.DB) (Checkpointed, error) {
	var busy int
	var res Checkpointed
	if err := db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &res.Frames, &res.Backfilled); err != nil {
		return res, fmt.Errorf("checkpoint: %w", err)
	}
	if res.Frames < 0 { // not in WAL mode
		res.Frames, res.Backfilled = 0, 0
	}
	return res, nil
}

// beginRead starts a read transaction on conn and reads, so that it holds
// a snapshot.
func beginRead(ctx context.Context, conn *sql.Conn) error {
	if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
		return err
	}
	var n int
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&n); err != nil {
		endRead(conn)
		return err
	}
	return nil
}

func endRead(conn *sql.Conn) {
	conn.ExecContext(context.Background(), "ROLLBACK")
}
