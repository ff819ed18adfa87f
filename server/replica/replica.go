// Package replica is minibase's continuous backup: it ships the SQLite
// database's WAL, as it grows, to an S3/MinIO bucket, and restores the
// database from there as it was at any moment the bucket covers.
//
// It works as Litestream does. The server owns checkpoints
// (sqlite.Options.ExternalCheckpoints): every Interval, the Replicator
// pins the WAL, reads the frames committed since the last round (checked
// by the WAL's salts and checksum chain, whole transactions only), uploads
// them as one compressed, checksummed segment, and only then lets SQLite
// checkpoint them (sqlite.DB.Checkpoint). A generation starts with a
// snapshot of the database and goes on with segments without a gap; a new
// one starts whenever the chain cannot be proven whole: at every start of
// the server, when the WAL was started over by someone else, or when the
// WAL outgrew its bound while the bucket was unreachable.
//
// Restore takes the newest snapshot at or before the asked time and
// applies the segments after it, up to the last one shipped at or before
// that time.
package replica

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"minibase/db/sqlite"
	"minibase/storage"
)

// Bucket is where a replica is kept: an S3 bucket (storage/s3).
type Bucket interface {
	Put(ctx context.Context, key string, r io.Reader, opts storage.PutOptions) (storage.ObjectInfo, error)
	Open(ctx context.Context, key string) (io.ReadSeekCloser, storage.ObjectInfo, error)
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, opts storage.ListOptions) (storage.ListPage, error)
}

// DB is the database a Replicator follows: *sqlite.DB opened with
// ExternalCheckpoints.
type DB interface {
	Checkpoint(ctx context.Context, ship func(context.Context) error) (sqlite.Checkpointed, error)
	WALPath() string
}

var _ DB = (*sqlite.DB)(nil)

// Config configures a Replicator. Zero values take the defaults.
type Config struct {
	Bucket Bucket
	Prefix string // key prefix in the bucket, e.g. "replica/"
	// Interval is how often new WAL frames are shipped (default 1 s).
	Interval time.Duration
	// SnapshotEvery is how often a new snapshot is taken (default 24 h):
	// restoring replays the segments since the newest snapshot.
	SnapshotEvery time.Duration
	// Retain is how far back a restore can go (default 72 h): snapshots
	// older than the newest one before that, and the segments before it,
	// are deleted after each snapshot.
	Retain time.Duration
	// Snapshot writes a consistent copy of the database to path, a file
	// that does not exist yet (sqlite.Backup).
	Snapshot func(ctx context.Context, path string) error
	// TempDir is where snapshots are written before the upload (the data
	// directory: the copy may be as large as the database).
	TempDir string
	Log     *slog.Logger
}

// maxSegment caps the frames of one segment (whole transactions: one
// larger transaction makes a larger segment).
const maxSegment = 16 << 20

// Replicator ships one database's WAL to a bucket. Run it with Run.
type Replicator struct {
	db  DB
	cfg Config
	wal *os.File

	mu      sync.Mutex // held by ship, and by Status for the fields below
	gen     string     // the current generation; "" before the first snapshot
	index   int64      // the next segment's index
	pos     walPos     // how far the WAL has been shipped; pos.h.pageSize 0: no WAL seen yet
	lost    bool       // continuity lost: the next round starts a new generation
	snapAt  time.Time  // the current generation's newest snapshot
	shipped time.Time  // everything committed before it is in the bucket
	readAt  time.Time  // when the WAL was last read
	started time.Time  // when the Replicator was made
	lastErr error
	rounds  int64
}

// New returns a Replicator of db (opened with ExternalCheckpoints) to
// cfg.Bucket. The caller runs it with Run.
func New(db DB, cfg Config) (*Replicator, error) {
	if cfg.Bucket == nil || cfg.Snapshot == nil {
		return nil, errors.New("replica: a bucket and a snapshot function are required")
	}
	if cfg.Interval <= 0 {
		cfg.Interval = time.Second
	}
	if cfg.SnapshotEvery <= 0 {
		cfg.SnapshotEvery = 24 * time.Hour
	}
	if cfg.Retain <= 0 {
		cfg.Retain = 72 * time.Hour
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.TempDir == "" {
		cfg.TempDir = filepath.Dir(db.WALPath())
	}
	return &Replicator{db: db, cfg: cfg, started: time.Now()}, nil
}

// Status is how far replication has got.
type Status struct {
	Generation string    `json:"generation"`
	Index      int64     `json:"index"`    // segments shipped in the generation
	Shipped    time.Time `json:"shipped"`  // every write committed before it is in the bucket
	LagSeconds float64   `json:"lag"`      // seconds since Shipped: at most what a lost disk would lose now
	Error      string    `json:"error"`    // the last round's failure, "" when it succeeded
	Rounds     int64     `json:"rounds"`   // rounds run
	Snapshot   time.Time `json:"snapshot"` // the generation's newest snapshot
}

// Status returns the replication's state; safe to call at any time.
func (r *Replicator) Status() Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := Status{Generation: r.gen, Index: r.index, Shipped: r.shipped, Rounds: r.rounds, Snapshot: r.snapAt, LagSeconds: r.lag().Seconds()}
	if r.lastErr != nil {
		s.Error = r.lastErr.Error()
	}
	return s
}

// Lag is how long ago replication last had every committed write in the
// bucket: a lost disk would lose at most the writes of that span. It is
// about Interval plus an upload when all goes well, and grows while the
// bucket is unreachable. The metrics read it.
func (r *Replicator) Lag() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lag()
}

func (r *Replicator) lag() time.Duration {
	if r.shipped.IsZero() {
		return time.Since(r.started)
	}
	return time.Since(r.shipped)
}

// Run ships the WAL every Interval until ctx ends, then ships once more
// (with a short deadline of its own) and returns. Failures are logged
// and retried next round; the server keeps writing meanwhile.
func (r *Replicator) Run(ctx context.Context) {
	t := time.NewTicker(r.cfg.Interval)
	defer t.Stop()
	for {
		r.Round(ctx)
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			r.Round(fctx)
			cancel()
			r.close()
			return
		case <-t.C:
		}
	}
}

// Round ships what is new and checkpoints what was shipped, once.
func (r *Replicator) Round(ctx context.Context) error {
	res, err := r.db.Checkpoint(ctx, r.ship)
	r.mu.Lock()
	r.rounds++
	if res.Unshipped {
		r.lost = true
		r.cfg.Log.Warn("continuous backup: the WAL outgrew its bound while shipping failed; it was checkpointed, and a new generation starts when the bucket is back", "err", err)
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		if r.lastErr == nil || r.lastErr.Error() != err.Error() {
			r.cfg.Log.Warn("continuous backup", "err", err)
		}
	}
	r.lastErr = err
	r.mu.Unlock()
	return err
}

func (r *Replicator) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.wal != nil {
		r.wal.Close()
		r.wal = nil
	}
}

// ship runs with the WAL pinned (sqlite.DB.Checkpoint): it uploads every
// committed frame not yet in the bucket, starting a generation first when
// there is none or continuity is lost.
func (r *Replicator) ship(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.gen == "" || r.lost {
		if err := r.startGeneration(ctx); err != nil {
			return err
		}
	}
	r.readAt = time.Now()
	h, err := r.header()
	if errors.Is(err, errNoWAL) {
		r.caughtUp()
		return nil
	}
	if err != nil {
		return err
	}
	if r.pos.h.pageSize == 0 { // the generation's first WAL
		r.pos = walPos{h: h, sum: h.sum}
	} else if h.salt1 != r.pos.h.salt1 || h.salt2 != r.pos.h.salt2 {
		// SQLite started the WAL over: first the old WAL's last frames,
		// if any are left, then the new one, if it follows on.
		if err := r.shipFrames(ctx); err != nil {
			return err
		}
		if h.salt1 != r.pos.h.salt1+1 {
			r.cfg.Log.Warn("continuous backup: the WAL was started over by another program; starting a new generation")
			if err := r.startGeneration(ctx); err != nil {
				return err
			}
			if h, err = r.header(); err != nil {
				return err
			}
		}
		r.pos = walPos{h: h, sum: h.sum}
	}
	if err := r.shipFrames(ctx); err != nil {
		return err
	}
	r.caughtUp()
	if time.Since(r.snapAt) >= r.cfg.SnapshotEvery {
		if err := r.snapshot(ctx, r.gen, r.index); err != nil {
			return err
		}
		if err := r.retain(ctx); err != nil {
			r.cfg.Log.Warn("continuous backup: retention", "err", err)
		}
	}
	return nil
}

// caughtUp records that the last read of the WAL found nothing left.
func (r *Replicator) caughtUp() {
	r.shipped = r.readAt
}

// shipFrames uploads the committed frames after r.pos, in segments.
func (r *Replicator) shipFrames(ctx context.Context) error {
	for {
		r.readAt = time.Now()
		frames, next, err := readCommitted(r.wal, r.pos, maxSegment)
		if err != nil {
			return err
		}
		if frames == nil {
			return nil
		}
		h := header{Kind: "wal", Generation: r.gen, Index: r.index, Time: msAfter(time.Now()), PageSize: r.pos.h.pageSize}
		var buf bytes.Buffer
		if err := encode(&buf, h, frames); err != nil {
			return err
		}
		if _, err := r.cfg.Bucket.Put(ctx, objectKey(r.cfg.Prefix, h), &buf, storage.PutOptions{ContentType: "application/gzip", MaxSize: int64(buf.Len())}); err != nil {
			return fmt.Errorf("upload WAL segment %d: %w", h.Index, err)
		}
		r.pos = next
		r.index++
	}
}

// header opens the WAL (once) and reads its header.
func (r *Replicator) header() (walHeader, error) {
	if r.wal == nil {
		f, err := os.Open(r.db.WALPath())
		if errors.Is(err, os.ErrNotExist) {
			return walHeader{}, errNoWAL
		}
		if err != nil {
			return walHeader{}, fmt.Errorf("open WAL: %w", err)
		}
		r.wal = f
	}
	b := make([]byte, walHeaderSize)
	if n, err := r.wal.ReadAt(b, 0); n < walHeaderSize {
		if err == nil || errors.Is(err, io.EOF) {
			return walHeader{}, errNoWAL
		}
		return walHeader{}, fmt.Errorf("read WAL: %w", err)
	}
	return parseWALHeader(b)
}

// startGeneration begins a new generation: a snapshot, then the WAL as it
// is after it, from its first frame (frames already in the snapshot are
// applied again on restore, which changes nothing).
func (r *Replicator) startGeneration(ctx context.Context) error {
	gen := time.Now().UTC().Format("20060102T150405Z") + "-" + randomHex(4)
	if err := r.snapshot(ctx, gen, 0); err != nil {
		return err
	}
	prev := r.gen
	r.gen, r.index, r.pos, r.lost = gen, 0, walPos{}, false
	r.cfg.Log.Info("continuous backup: new generation", "generation", gen, "previous", prev)
	return nil
}

// snapshot uploads a copy of the database as generation gen's snapshot
// before segment index.
func (r *Replicator) snapshot(ctx context.Context, gen string, index int64) error {
	dir, err := os.MkdirTemp(r.cfg.TempDir, ".replica-")
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	defer os.RemoveAll(dir)
	p := filepath.Join(dir, "data.db")
	if err := r.cfg.Snapshot(ctx, p); err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	h := header{Kind: "snapshot", Generation: gen, Index: index, Time: msAfter(time.Now())}
	if err := putFile(ctx, r.cfg.Bucket, r.cfg.Prefix, h, p); err != nil {
		return fmt.Errorf("upload snapshot: %w", err)
	}
	r.snapAt = h.Time
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// msAfter is t rounded up to the next millisecond, in UTC: objects' times
// are never earlier than what they hold.
func msAfter(t time.Time) time.Time {
	return t.UTC().Truncate(time.Millisecond).Add(time.Millisecond)
}
