package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"minibase/db/sqlite"
	"minibase/server/replica"
	"minibase/storage/s3"
)

// replication is the server's continuous backup (MINIBASE_REPLICATE_*),
// running from Open to Close.
type replication struct {
	rep  *replica.Replicator
	stop context.CancelFunc
	done chan struct{}
}

// openReplica opens the replica's bucket on the S3 server of the storage
// settings.
func openReplica(ctx context.Context, cfg Config, bucket string) (*s3.Bucket, error) {
	sc := cfg.Storage.S3
	sc.Bucket, sc.Prefix = bucket, ""
	b, err := s3.Open(ctx, sc)
	if err != nil {
		return nil, fmt.Errorf("continuous backup bucket: %w", err)
	}
	return b, nil
}

// startReplication starts shipping store's WAL when continuous backup is
// on (nil when it is off). Its first round, a snapshot, runs in the
// background: the server serves meanwhile.
func startReplication(ctx context.Context, cfg Config, store *sqlite.DB, log *slog.Logger) (*replication, error) {
	rc := cfg.Backup.Replica
	if rc.S3Bucket == "" {
		return nil, nil
	}
	b, err := openReplica(ctx, cfg, rc.S3Bucket)
	if err != nil {
		return nil, err
	}
	dbPath := filepath.Join(cfg.Dir, "data.db")
	rep, err := replica.New(store, replica.Config{Bucket: b, Prefix: rc.S3Prefix, Interval: rc.Interval,
		SnapshotEvery: rc.SnapshotEvery, Retain: rc.Retain, TempDir: cfg.Dir, Log: log,
		Snapshot: func(ctx context.Context, p string) error { return sqlite.Backup(ctx, dbPath, p, sqlite.SnapshotPages) }})
	if err != nil {
		return nil, err
	}
	runCtx, stop := context.WithCancel(context.Background())
	r := &replication{rep: rep, stop: stop, done: make(chan struct{})}
	go func() { defer close(r.done); rep.Run(runCtx) }()
	return r, nil
}

// close ships what is left and stops; safe on nil.
func (r *replication) close() {
	if r == nil {
		return
	}
	r.stop()
	<-r.done
}

// ReplicaStatus is continuous backup's state (nil when it is off), for
// GET /v1/admin/info and the metrics: Lag is what a lost disk would lose.
func (s *Server) ReplicaStatus() *replica.Status {
	if s.replica == nil {
		return nil
	}
	st := s.replica.rep.Status()
	return &st
}

// ReplicaLag is how long ago every committed write was last in the
// continuous backup's bucket (0 when continuous backup is off).
func (s *Server) ReplicaLag() time.Duration {
	if s.replica == nil {
		return 0
	}
	return s.replica.rep.Lag()
}

// ParseReplicaURL reads s3://bucket/prefix/; a URL without a path takes
// defPrefix.
func ParseReplicaURL(from, defPrefix string) (bucket, prefix string, err error) {
	u, err := url.Parse(from)
	if err != nil || u.Scheme != "s3" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", "", fmt.Errorf("--from %q: must be s3://bucket/prefix/ (the bucket's server and keys come from MINIBASE_S3_ENDPOINT, _ACCESS_KEY, _SECRET_KEY)", from)
	}
	prefix = strings.TrimPrefix(u.Path, "/")
	if prefix == "" {
		prefix = defPrefix
	} else if !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	if strings.Contains(prefix, "..") || strings.Contains(prefix, "//") {
		return "", "", fmt.Errorf("--from %q: bad prefix %q", from, prefix)
	}
	return u.Host, prefix, nil
}

// RestoredReplica says what RestoreReplica did.
type RestoredReplica struct {
	replica.Restored
	// Previous is where the database it replaced was moved
	// (data.db.before-restore-<time>); "" when there was none.
	Previous string
}

// RestoreReplica restores cfg's database (data.db) from the continuous
// backup at from (s3://bucket/prefix/) as it was at at (zero: the newest
// it holds). The database is rebuilt and checked in a new folder of the
// data directory, then swapped in by renames: the one it replaces (and
// its WAL) is kept as data.db.before-restore-<time>; nothing else of the
// data directory changes. A directory a running server holds is refused
// (ErrDirLocked) unless force.
func RestoreReplica(ctx context.Context, cfg Config, from string, at time.Time, force bool) (*RestoredReplica, error) {
	bucket, prefix, err := ParseReplicaURL(from, cfg.Backup.Replica.S3Prefix)
	if err != nil {
		return nil, err
	}
	if s := cfg.Storage.S3; s.Endpoint == "" || s.AccessKey == "" || s.SecretKey == "" {
		return nil, errors.New("restoring from s3:// needs MINIBASE_S3_ENDPOINT, MINIBASE_S3_ACCESS_KEY and MINIBASE_S3_SECRET_KEY")
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	unlock, err := LockDir(cfg.Dir)
	switch {
	case errors.Is(err, ErrDirLocked) && !force:
		return nil, fmt.Errorf("%w.\nStop the server first, or pass --force (the running server keeps the replaced database until it restarts)", err)
	case errors.Is(err, ErrDirLocked):
	case err != nil:
		return nil, err
	default:
		defer unlock()
	}
	b, err := openReplica(ctx, cfg, bucket)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(cfg.Dir, ".replica-restore-")
	if err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	defer os.RemoveAll(tmp)
	res, err := replica.Restore(ctx, b, prefix, at, filepath.Join(tmp, "data.db"), sqlite.Verify)
	if err != nil {
		return nil, err
	}
	out := &RestoredReplica{Restored: *res}
	live := filepath.Join(cfg.Dir, "data.db")
	if _, err := os.Stat(live); err == nil {
		out.Previous = live + ".before-restore-" + time.Now().UTC().Format("20060102T150405Z")
		for _, suffix := range []string{"-wal", "-shm", ""} { // the database last: never a stale WAL beside the new one
			if err := os.Rename(live+suffix, out.Previous+suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
				return nil, fmt.Errorf("restore: move the old database aside: %w", err)
			}
		}
	}
	if err := os.Rename(filepath.Join(tmp, "data.db"), live); err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	if d, err := os.Open(cfg.Dir); err == nil {
		d.Sync()
		d.Close()
	}
	return out, nil
}
