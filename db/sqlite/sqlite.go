// Package sqlite is minibase's default db.Driver: documents stored as JSONB
// in SQLite (modernc.org/sqlite, pure Go), one table per collection.
//
// Connections: one writer connection, fed by a group-commit goroutine that
// packs concurrent writes into one transaction (each write in its own
// savepoint, so one failure does not undo the others), and a small pool of
// read connections. WAL journal.
//
// Queries are translated to SQL where the translation is exact (see
// translate.go); where it is not, SQL returns a superset and the Go matcher
// (db.Filter.Match) decides, so results always equal the Go reference
// semantics.
//
// The same file keeps the collections' catalog and rules, the change feed
// that database triggers read (changes.go), and auth's stores: Users,
// Sessions, Admins and OTPs (auth*.go), each in tables whose names start
// with "_".
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"

	"minibase/db"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Options configures Open. Zero values take the defaults.
type Options struct {
	// Synchronous is SQLite's synchronous pragma: "FULL" (default: every
	// group commit is fsynced, acknowledged writes survive power loss) or
	// "NORMAL" (survives a crash of the process but not of the machine).
	Synchronous string
	// Readers is the size of the read connection pool (default 4).
	Readers int
	// CacheKiB is the private page cache per connection (default 2048).
	// Reads mostly come from the memory map instead.
	CacheKiB int
	// MmapMiB maps up to this much of the database file for reads (default
	// 1024). Mapped pages are the kernel's page cache, shared and
	// reclaimable, not the process's own memory; reading them costs no
	// system call or copy, which makes scans and scattered reads 2-5x
	// faster here. Negative turns mapping off.
	MmapMiB int
	// MaxBatch caps the writes committed together (default 512).
	MaxBatch int
	// Check is how Open checks the file beyond its header: CheckBackground
	// (the default), CheckOpen or CheckOff.
	Check string
	// Space, when set, is asked before each write that takes space whether
	// the disk is full, and told of writes that failed because it is.
	// Writes that only delete run regardless.
	Space Space
	// ExternalCheckpoints turns SQLite's automatic checkpoints off: the
	// WAL is copied into the database file only by Checkpoint (continuous
	// backup ships the WAL's frames before a checkpoint may let SQLite
	// overwrite them), and by Close.
	ExternalCheckpoints bool
	// MaxWAL bounds the WAL while Checkpoint's ship fails (default
	// 1 GiB): past it, Checkpoint checkpoints anyway and says so
	// (Checkpointed.Unshipped).
	MaxWAL int64
	// OnDamage, when set, is called once, on any goroutine, when SQLite
	// finds the file damaged after Open (a query, or the background
	// check): from then on every write fails with db.CodeCorrupted.
	OnDamage func(cause error)
}

// DB is the SQLite driver. It is safe for concurrent use.
type DB struct {
	w, r *sql.DB
	opts Options
	path string
	ck   checkpointer // Checkpoint's connections (checkpoint.go)

	mu    sync.RWMutex
	colls map[string]*collection // committed catalog

	jobs    chan *job
	writerD chan struct{}
	closed  atomic.Bool
	closeMu sync.RWMutex // held for reading while submitting jobs

	stmts stmtCache
	// savepoint and release are prepared once on the writer connection.
	savepoint, release *sql.Stmt
	sessions           *sessionStmts // the refresh-token path's, likewise
	feed               feed          // the change feed (changes.go)

	commits atomic.Int64 // write transactions committed (console_stats.go)
	written atomic.Int64 // writes (jobs) those transactions committed (WriterStats)
	commitT atomic.Int64 // nanoseconds the committed batches took, begin to commit (WriterStats)
	stats   statsCache   // Collections' counts and sizes (console_stats.go)

	damaged   atomic.Pointer[error] // why writes are refused (fault.go)
	stopCheck context.CancelFunc    // ends the background check
	checkD    chan struct{}         // closed when it has ended
}

var (
	_ db.Driver  = (*DB)(nil)
	_ db.Catalog = (*DB)(nil)
)

// Open opens the database file at path, creating it (mode 0600) when
// missing. A file that is not a whole database fails with an error
// wrapping ErrDamaged (see Options.Check). The caller closes the DB with
// Close.
func Open(ctx context.Context, path string, opts Options) (*DB, error) {
	opts = withDefaults(opts)
	if opts.Check != CheckBackground && opts.Check != CheckOpen && opts.Check != CheckOff {
		return nil, fmt.Errorf("open sqlite: unknown check %q", opts.Check)
	}
	if err := prepareFile(ctx, path); err != nil {
		return nil, err
	}
	w, err := sql.Open("sqlite", dsn(path, opts, true))
	if err != nil {
		return nil, fmt.Errorf("open sqlite writer: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	r, err := sql.Open("sqlite", dsn(path, opts, false))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite readers: %w", err)
	}
	r.SetMaxOpenConns(opts.Readers)
	r.SetMaxIdleConns(opts.Readers)
	r.SetConnMaxLifetime(0)
	d := &DB{w: w, r: r, opts: opts, path: path, colls: map[string]*collection{}, jobs: make(chan *job, 4096), writerD: make(chan struct{})}
	d.stmts.db = r
	if err := d.init(ctx); err != nil {
		w.Close()
		r.Close()
		if isCorrupt(err) {
			return nil, damaged(path, "%v", err)
		}
		return nil, err
	}
	if opts.Check == CheckOpen {
		if err := d.quickCheck(ctx); err != nil {
			w.Close()
			r.Close()
			if errors.Is(err, ErrDamaged) {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			return nil, err
		}
	}
	if d.savepoint, err = w.PrepareContext(ctx, "SAVEPOINT job"); err == nil {
		d.release, err = w.PrepareContext(ctx, "RELEASE job")
	}
	if err == nil {
		d.sessions, err = prepareSessions(ctx, w)
	}
	if err == nil {
		d.feed.add, err = w.PrepareContext(ctx, addChangeSQL)
	}
	if err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("prepare writer statements: %w", err)
	}
	go d.writer()
	if opts.Check == CheckBackground {
		d.checkInBackground()
	}
	return d, nil
}

func withDefaults(o Options) Options {
	if o.Synchronous == "" {
		o.Synchronous = "FULL"
	}
	if o.Readers <= 0 {
		o.Readers = 4
	}
	if o.CacheKiB <= 0 {
		o.CacheKiB = 2048
	}
	if o.MmapMiB == 0 {
		o.MmapMiB = 1024
	}
	if o.MmapMiB < 0 {
		o.MmapMiB = 0
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = 512
	}
	if o.Check == "" {
		o.Check = CheckBackground
	}
	if o.MaxWAL <= 0 {
		o.MaxWAL = 1 << 30
	}
	return o
}

func dsn(path string, o Options, writer bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous("+o.Synchronous+")")
	q.Add("_pragma", fmt.Sprintf("cache_size(-%d)", o.CacheKiB))
	q.Add("_pragma", "temp_store(MEMORY)")
	q.Add("_pragma", fmt.Sprintf("mmap_size(%d)", o.MmapMiB<<20))
	if writer {
		q.Add("_pragma", "journal_size_limit(67108864)")
		if o.ExternalCheckpoints {
			q.Add("_pragma", "wal_autocheckpoint(0)")
		}
		q.Set("_txlock", "immediate")
	} else {
		q.Add("_pragma", "query_only(1)")
	}
	return "file:" + path + "?" + q.Encode()
}

const schema = `
CREATE TABLE IF NOT EXISTS _collections (
	id      INTEGER PRIMARY KEY AUTOINCREMENT,
	name    TEXT NOT NULL UNIQUE,
	created INTEGER NOT NULL,
	shape   TEXT NOT NULL DEFAULT '{}',
	rules   TEXT
);
CREATE TABLE IF NOT EXISTS _indexes (
	id      INTEGER PRIMARY KEY AUTOINCREMENT,
	coll_id INTEGER NOT NULL REFERENCES _collections(id),
	name    TEXT NOT NULL,
	spec    TEXT NOT NULL,
	UNIQUE (coll_id, name)
);`

func (d *DB) init(ctx context.Context) error {
	if _, err := d.w.ExecContext(ctx, schema+authSchema+changesSchema+appTokensSchema+settingsSchema+probeSchema); err != nil {
		return fmt.Errorf("create schema: %w", err)
	}
	if err := d.migrateRules(ctx); err != nil {
		return err
	}
	if err := d.loadSubscriptions(ctx); err != nil {
		return err
	}
	return d.loadCatalog(ctx)
}

// Close waits for queued writes, stops the writer and closes the database.
func (d *DB) Close() error {
	d.closeMu.Lock()
	if d.closed.Swap(true) {
		d.closeMu.Unlock()
		return nil
	}
	close(d.jobs)
	d.closeMu.Unlock()
	if d.stopCheck != nil {
		d.stopCheck()
		<-d.checkD
	}
	<-d.writerD
	d.stmts.close()
	err := errors.Join(d.ck.close(), d.r.Close(), d.checkpoint(), d.w.Close())
	return err
}

func (d *DB) checkpoint() error {
	_, err := d.w.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	return err
}

// lookup returns the committed collection called name, or nil.
func (d *DB) lookup(name string) *collection {
	d.mu.RLock()
	c := d.colls[name]
	d.mu.RUnlock()
	return c
}

func notExist(name string) error {
	return db.Errorf(db.CodeCollectionNotExist, "collection %q does not exist", name)
}

// sqlErr turns SQLite failures a client caused into *db.Error.
func sqlErr(err error, coll string) error {
	if err == nil {
		return nil
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return db.DuplicateID(coll)
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE:
			if strings.Contains(se.Error(), ".id") {
				return db.DuplicateID(coll)
			}
			return db.Errorf(db.CodeDuplicateKey, "duplicate key: a unique index of collection %q already has this value", coll)
		}
		if strings.Contains(se.Error(), "no such table") {
			return notExist(coll)
		}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return err
}
