package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"minibase/db/sqlite"
	"minibase/server/backup"
	"minibase/storage"
	"minibase/storage/s3"
)

// backups is the server's backups: made on demand (admin API, CLI) and
// on the schedule, kept in <dir>/backups/ or an S3 bucket.
type backups struct {
	src   backup.Source
	local *backup.Dir  // <dir>/backups/
	s3    backup.Store // MINIBASE_BACKUP_S3_BUCKET; nil: none
	cfg   BackupConfig
	tz    *time.Location
	log   *slog.Logger
	busy  sync.Mutex // one backup at a time
	// now and after are time.Now and time.After (tests pass their own
	// clock).
	now   func() time.Time
	after func(time.Duration) <-chan time.Time
}

// backupSource is what a backup of cfg's data directory holds; hold
// keeps deployments out while the functions folder is read (nil: none).
func backupSource(cfg Config, version string, hold func(func() error) error) backup.Source {
	src := backup.Source{Dir: cfg.Dir, Version: version, Hold: hold,
		Snapshot: func(ctx context.Context, p string) error {
			return sqlite.Backup(ctx, filepath.Join(cfg.Dir, "data.db"), p, sqlite.SnapshotPages)
		}}
	if cfg.Storage.Backend != "s3" && cfg.Storage.Dir != "" {
		src.Files = cfg.Storage.Dir
	}
	return src
}

// openBackups opens where cfg's backups go.
func openBackups(ctx context.Context, cfg Config, version string, hold func(func() error) error, log *slog.Logger) (*backups, error) {
	local, err := backup.OpenDir(filepath.Join(cfg.Dir, "backups"))
	if err != nil {
		return nil, err
	}
	if hold != nil { // a server opening: no backup of its own runs yet
		if err := backup.RemoveLeftovers(cfg.Dir); err != nil {
			log.Warn("backups", "err", err)
		}
	}
	b := &backups{src: backupSource(cfg, version, hold), local: local, cfg: cfg.Backup, tz: cfg.Functions.TimerTZ, log: log, now: time.Now, after: time.After}
	if b.tz == nil {
		b.tz = time.FixedZone("UTC+8", 8*3600)
	}
	if cfg.Backup.S3Bucket != "" {
		if b.s3, err = openBackupBucket(ctx, cfg); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// openBackupBucket opens MINIBASE_BACKUP_S3_BUCKET on the S3 server of
// the storage settings.
func openBackupBucket(ctx context.Context, cfg Config) (backup.Store, error) {
	sc := cfg.Storage.S3
	sc.Bucket, sc.Prefix = cfg.Backup.S3Bucket, cfg.Backup.S3Prefix
	bk, err := s3.Open(ctx, sc)
	if err != nil {
		return nil, fmt.Errorf("backups bucket: %w", err)
	}
	return bucketStore{bk}, nil
}

// store is where new backups go.
func (b *backups) store() backup.Store {
	if b.s3 != nil {
		return b.s3
	}
	return b.local
}

// create makes a backup named name now; one runs at a time (a second is
// CodeBusy).
func (b *backups) create(ctx context.Context, name string) (backup.Info, *backup.Manifest, error) {
	if !b.busy.TryLock() {
		return backup.Info{}, nil, backup.Errorf(backup.CodeBusy, "a backup is being made; try again when it has finished")
	}
	defer b.busy.Unlock()
	return backup.Create(ctx, b.store(), b.src, name)
}

// list is every backup, in the data dir and the bucket, oldest first.
func (b *backups) list(ctx context.Context) ([]backup.Info, error) {
	out, err := b.local.List(ctx)
	if err != nil {
		return nil, err
	}
	if b.s3 != nil {
		more, err := b.s3.List(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, more...)
		backup.SortInfos(out)
	}
	return out, nil
}

// find is the store holding the backup name: the bucket's first.
func (b *backups) find(ctx context.Context, name string) (backup.Store, error) {
	if err := backup.CheckName(name); err != nil {
		return nil, err
	}
	if b.s3 != nil {
		rc, _, err := b.s3.Open(ctx, name)
		if err == nil {
			rc.Close()
			return b.s3, nil
		}
		if backup.ErrorCode(err) != backup.CodeNotFound {
			return nil, err
		}
	}
	return b.local, nil
}

// runSchedule makes a backup at each time of the schedule until ctx ends,
// then deletes the scheduled ones beyond Keep. Failures are logged; the
// schedule goes on.
func (b *backups) runSchedule(ctx context.Context) {
	if b.cfg.Every <= 0 && b.cfg.Cron == nil {
		return
	}
	for {
		now := b.now()
		wait := b.cfg.Every
		if b.cfg.Cron != nil {
			wait = b.cfg.Cron.Next(now.In(b.tz)).Sub(now)
		}
		select {
		case <-ctx.Done():
			return
		case <-b.after(max(wait, 0)):
		}
		b.scheduled(ctx, b.now())
	}
}

// scheduled makes the scheduled backup of time t and prunes.
func (b *backups) scheduled(ctx context.Context, t time.Time) {
	info, m, err := b.create(ctx, backup.AutoName(t))
	if err != nil {
		b.log.Error("scheduled backup failed", "err", err)
		return
	}
	b.log.Info("scheduled backup made", "name", info.Name, "where", info.Where, "bytes", info.Size, "files", len(m.Entries))
	deleted, err := backup.Prune(ctx, b.store(), b.cfg.Keep)
	if err != nil {
		b.log.Error("deleting old scheduled backups failed", "err", err)
	}
	if len(deleted) > 0 {
		b.log.Info("deleted old scheduled backups", "names", deleted, "keep", b.cfg.Keep)
	}
}

// bucketStore keeps backups in an S3 bucket (the s3 package's Bucket,
// whose Put makes an object visible only whole).
type bucketStore struct{ b storage.Bucket }

var _ backup.Store = bucketStore{}

func (s bucketStore) Create(ctx context.Context, name string, write func(io.Writer) error) (backup.Info, error) {
	if err := backup.CheckName(name); err != nil {
		return backup.Info{}, err
	}
	if _, err := s.b.Stat(ctx, name); err == nil {
		return backup.Info{}, backup.Errorf(backup.CodeInvalidParam, "a backup named %s already exists", name)
	}
	pr, pw := io.Pipe()
	werr := make(chan error, 1)
	go func() {
		err := write(pw)
		pw.CloseWithError(err) // nil: EOF, the end of the object
		werr <- err
	}()
	oi, err := s.b.Put(ctx, name, pr, storage.PutOptions{ContentType: "application/gzip"})
	pr.CloseWithError(errors.New("upload ended")) // ends write if Put stopped reading
	if e := <-werr; e != nil {
		s.b.Delete(context.WithoutCancel(ctx), name) // Put should have kept nothing; make sure
		return backup.Info{}, fmt.Errorf("backup %s failed, nothing was kept: %w", name, e)
	}
	if err != nil {
		return backup.Info{}, fmt.Errorf("backup %s: upload to the bucket failed, nothing was kept: %w", name, err)
	}
	return s.info(oi), nil
}

func (s bucketStore) info(oi storage.ObjectInfo) backup.Info {
	return backup.Info{Name: oi.Key, Size: oi.Size, Created: backup.CreatedAt(oi.Key, oi.ModTime), Where: "s3"}
}

func (s bucketStore) List(ctx context.Context) ([]backup.Info, error) {
	var out []backup.Info
	opts := storage.ListOptions{Folders: true}
	for {
		page, err := s.b.List(ctx, opts)
		if err != nil {
			return nil, fmt.Errorf("list backups in the bucket: %w", err)
		}
		for _, oi := range page.Objects {
			if backup.CheckName(oi.Key) == nil {
				out = append(out, s.info(oi))
			}
		}
		if page.Next == "" {
			break
		}
		opts.After = page.Next
	}
	backup.SortInfos(out)
	return out, nil
}

func (s bucketStore) Open(ctx context.Context, name string) (io.ReadCloser, backup.Info, error) {
	if err := backup.CheckName(name); err != nil {
		return nil, backup.Info{}, err
	}
	rc, oi, err := s.b.Open(ctx, name)
	if errors.Is(err, storage.ErrNotExist) {
		return nil, backup.Info{}, backup.Errorf(backup.CodeNotFound, "no backup named %s", name)
	}
	if err != nil {
		return nil, backup.Info{}, fmt.Errorf("open backup: %w", err)
	}
	return rc, s.info(oi), nil
}

func (s bucketStore) Delete(ctx context.Context, name string) error {
	if err := backup.CheckName(name); err != nil {
		return err
	}
	if _, err := s.b.Stat(ctx, name); errors.Is(err, storage.ErrNotExist) {
		return backup.Errorf(backup.CodeNotFound, "no backup named %s", name)
	}
	return s.b.Delete(ctx, name)
}

// CreateBackup backs up cfg's data directory, whether a server runs on
// it or not, to out: a folder (the archive gets a new name in it), a
// file name ending .tar.gz, or "" for <dir>/backups/ (or the bucket of
// MINIBASE_BACKUP_S3_BUCKET). It returns where the archive is.
func CreateBackup(ctx context.Context, cfg Config, version, out string) (string, backup.Info, *backup.Manifest, error) {
	if cfg.Postgres() {
		return "", backup.Info{}, nil, errBackupOnPG()
	}
	if _, err := os.Stat(filepath.Join(cfg.Dir, "data.db")); err != nil {
		return "", backup.Info{}, nil, fmt.Errorf("%s holds no minibase database (data.db): %w", cfg.Dir, err)
	}
	src := backupSource(cfg, version, nil)
	name := backup.NewName(time.Now())
	var store backup.Store
	where := ""
	switch fi, err := os.Stat(out); {
	case out == "" && cfg.Backup.S3Bucket != "":
		if store, err = openBackupBucket(ctx, cfg); err != nil {
			return "", backup.Info{}, nil, err
		}
		where = "s3://" + cfg.Backup.S3Bucket + "/" + cfg.Backup.S3Prefix
	case out == "":
		out = filepath.Join(cfg.Dir, "backups")
		fallthrough
	case err == nil && fi.IsDir(), strings.HasSuffix(out, "/"):
		d, err := backup.OpenDir(out)
		if err != nil {
			return "", backup.Info{}, nil, err
		}
		store, where = d, out
	default:
		d, err := backup.OpenDir(filepath.Dir(out))
		if err != nil {
			return "", backup.Info{}, nil, err
		}
		store, where, name = d, filepath.Dir(out), filepath.Base(out)
	}
	info, m, err := backup.Create(ctx, store, src, name)
	if err != nil {
		return "", backup.Info{}, nil, err
	}
	if strings.HasPrefix(where, "s3://") {
		return where + info.Name, info, m, nil
	}
	return filepath.Join(where, info.Name), info, m, nil
}

// ListBackups lists the backups of cfg's data directory (its backups/
// folder and MINIBASE_BACKUP_S3_BUCKET), oldest first.
func ListBackups(ctx context.Context, cfg Config) ([]backup.Info, error) {
	if cfg.Postgres() {
		return nil, errBackupOnPG()
	}
	b, err := openBackups(ctx, cfg, "", nil, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, err
	}
	return b.list(ctx)
}

// RestoreBackup replaces cfg's data directory with the archive at path
// (see backup.Restore). It refuses a directory a running server holds
// (ErrDirLocked) unless force; it holds the directory's lock meanwhile,
// so that no server starts on it halfway.
func RestoreBackup(ctx context.Context, cfg Config, path string, force bool) (*backup.Restored, error) {
	if cfg.Postgres() {
		return nil, errBackupOnPG()
	}
	if _, err := os.Stat(cfg.Dir); err == nil {
		unlock, err := LockDir(cfg.Dir)
		switch {
		case errors.Is(err, ErrDirLocked) && !force:
			return nil, fmt.Errorf("%w.\nStop the server first, or pass --force (see the README: the running server keeps the replaced data until it restarts)", err)
		case errors.Is(err, ErrDirLocked):
		case err != nil:
			return nil, err
		default:
			defer unlock()
		}
	}
	return backup.Restore(ctx, path, cfg.Dir, backup.Limits{})
}
