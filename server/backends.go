package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"

	"minibase/auth"
	"minibase/db"
	"minibase/db/postgres"
	"minibase/db/sqlite"
	"minibase/functions"
	"minibase/storage"
	"minibase/storage/image"
	"minibase/storage/local"
	"minibase/storage/s3"
)

// The backends the settings choose: the database file, the file store
// (local disk or S3), the image variant cache and the functions' log
// database. Only this package imports the drivers.

// openDatabase opens the app's database: PostgreSQL at Config.Database,
// else <dir>/data.db. A damaged SQLite file is refused with what to do
// about it; damage found later stops writes and is logged once.
func openDatabase(ctx context.Context, cfg Config, space sqlite.Space, log *slog.Logger) (*database, error) {
	if cfg.Postgres() {
		d, err := postgres.Open(ctx, cfg.Database, postgres.Options{})
		if err != nil {
			return nil, fmt.Errorf("%w (MINIBASE_DATABASE)", err)
		}
		return onPostgres(d), nil
	}
	opts := cfg.SQLite
	opts.Synchronous, opts.Space = cfg.Sync, space
	if r := cfg.Backup.Replica; r.S3Bucket != "" { // continuous backup owns checkpoints (replicate.go)
		opts.ExternalCheckpoints, opts.MaxWAL = true, r.MaxWAL
	}
	opts.OnDamage = func(err error) {
		log.Error("data.db is damaged: every write is refused from now on (reads go on)", "err", err,
			"todo", damagedAdvice(cfg.Dir, "data.db"))
	}
	store, err := sqlite.Open(ctx, filepath.Join(cfg.Dir, "data.db"), opts)
	if errors.Is(err, sqlite.ErrDamaged) {
		return nil, fmt.Errorf("%w\n\nminibase will not serve a damaged database. %s", err, damagedAdvice(cfg.Dir, "data.db"))
	}
	if err != nil {
		return nil, err
	}
	return onSQLite(store), nil
}

// openStorage opens the configured backend and the storage service on it;
// space is the local disk's state (S3's disk is not ours to watch). The
// returned closer releases the backend; the pinger checks it (readiness).
func openStorage(ctx context.Context, cfg Config, space storage.Space, secrets auth.SecretStore) (*storage.Service, io.Closer, pinger, error) {
	sc := cfg.Storage
	var key []byte
	var err error
	if secrets != nil { // shared: a URL one node signs is valid on every other
		key, err = storage.LoadSignKeyFrom(ctx, secrets, sc.SignKey)
	} else {
		key, err = storage.LoadSignKey(cfg.Dir, sc.SignKey)
	}
	if err != nil {
		return nil, nil, nil, err
	}
	var be storage.Bucket
	var closer io.Closer = io.NopCloser(nil)
	switch sc.Backend {
	case "s3":
		b, err := s3.Open(ctx, sc.S3)
		if err != nil {
			return nil, nil, nil, err
		}
		be, space = b, nil
	default:
		dir := sc.Dir
		if dir == "" {
			dir = filepath.Join(cfg.Dir, "storage")
		}
		b, err := local.Open(dir)
		if err != nil {
			return nil, nil, nil, err
		}
		be, closer = b, b
	}
	tr, err := openImages(cfg.Dir, sc.Images)
	if err != nil {
		closer.Close()
		return nil, nil, nil, err
	}
	svc, err := storage.New(ctx, storage.Config{Env: sc.Env, Backend: be, SignKey: key, MaxSize: sc.MaxSize,
		Proxy: sc.S3Proxy, PublicURL: sc.PublicURL, UploadIdle: sc.Idle, Now: sc.Now, Transformer: tr, Space: space})
	if err != nil {
		closer.Close()
		return nil, nil, nil, err
	}
	p, _ := be.(pinger)
	return svc, closer, p, nil
}

// warnLocalOnly warns, on PostgreSQL, of what stays on this node's disk:
// files on local storage.
func (s *Server) warnLocalOnly() {
	if !s.Config.Postgres() {
		return
	}
	if s.Config.Storage.Backend != "s3" {
		s.log.Warn("files are stored on this node's disk (MINIBASE_STORAGE=local) while the database is PostgreSQL: other nodes will not see them; "+
			"with several nodes use MINIBASE_STORAGE=s3 (one bucket shared by all)", "dir", s.Config.Storage.Dir)
	}
}

// openImages opens the variant cache and returns the storage service's
// Transformer.
func openImages(dir string, c ImageConfig) (storage.Transformer, error) {
	cacheDir := c.CacheDir
	if cacheDir == "" {
		cacheDir = filepath.Join(dir, "image-cache")
	}
	cache, err := image.OpenCache(cacheDir, c.CacheSize)
	if err != nil {
		return nil, err
	}
	return imageVariants{image.NewVariants(cache, image.Options{
		Limits:      image.Limits{MaxSourcePixels: c.MaxPixels, MaxMemory: c.Memory},
		Concurrency: c.Concurrency,
		Queue:       c.Queue,
	})}, nil
}

// openFnLogs opens <dir>/functions.db, a database of its own so that
// writing records never waits for the app's writes (nor they for it), and
// the log store over it. It is written with synchronous=NORMAL whatever
// MINIBASE_SQLITE_SYNC says: its commits are not fsynced (a power cut may
// lose the last records and outcomes; a crash of the process loses
// nothing), so they take no turns at the disk from the app's.
//
// It holds only logs: when it cannot be opened (damaged, say), the server
// runs without the log store, says so in its log, and the log API answers
// FUNCTIONS_LOG_STORE_OFF with the reason. MINIBASE_SQLITE_CHECK=start
// checks it whole too; the default background check does not.
func (s *Server) openFnLogs(ctx context.Context) {
	if s.Config.Postgres() {
		s.openFnLogsPG(ctx)
		return
	}
	path := filepath.Join(s.Config.Dir, "functions.db")
	opts := s.Config.SQLite
	opts.Synchronous, opts.Readers, opts.MmapMiB, opts.Space = "NORMAL", 2, -1, s.reserve
	if opts.Check == sqlite.CheckBackground {
		// Not beside data.db's at every start: reading up to 256 MiB of logs
		// would take a core for half a second. Its header is checked, and
		// damage a query meets is handled as ever.
		opts.Check = sqlite.CheckOff
	}
	opts.OnDamage = func(err error) {
		s.log.Error("functions.db is damaged: function logs are no longer stored", "err", err, "todo", fnLogsAdvice(path))
	}
	var err error
	if s.fnLogDB, err = sqlite.Open(ctx, path, opts); err == nil {
		c := s.Config.Functions
		svc := db.NewService(s.fnLogDB, db.Limits{MaxResult: 64 << 20})
		s.fnLogs, err = functions.OpenLogStore(ctx, svc, functions.LogStoreOptions{MaxAge: c.LogAge, MaxBytes: c.LogSize,
			Usage: s.fnLogDB.Usage, OnError: func(err error) { s.log.Warn("function logs", "err", err) }})
	}
	if err == nil {
		return
	}
	if s.fnLogDB != nil {
		s.fnLogDB.Close()
		s.fnLogDB = nil
	}
	s.fnLogsOff = fmt.Sprintf("%s could not be opened at start (%v); the server runs without it", path, err)
	if errors.Is(err, sqlite.ErrDamaged) {
		s.fnLogsOff = fmt.Sprintf("%v; the server runs without it. %s", err, fnLogsAdvice(path))
	}
	s.log.Error("function log store off: invocations are not recorded and the log API answers FUNCTIONS_LOG_STORE_OFF", "reason", s.fnLogsOff)
}

// fnLogsSchema is the PostgreSQL schema of the functions' log store: its
// collections (logs, invocations) live in the app's database, shared by
// every node, but apart from the app's collections of those names, and
// with a write lock of their own so that writing records never waits for
// the app's writes (as functions.db's own file does on SQLite).
const fnLogsSchema = "minibase_fnlogs"

// openFnLogsPG opens the log store in fnLogsSchema of the app's
// PostgreSQL database. When it cannot, the server runs without it, as on
// SQLite.
func (s *Server) openFnLogsPG(ctx context.Context) {
	d, err := postgres.Open(ctx, s.Config.Database, postgres.Options{Schema: fnLogsSchema, MaxConns: 2})
	if err == nil {
		c := s.Config.Functions
		svc := db.NewService(d, db.Limits{MaxResult: 64 << 20})
		s.fnLogs, err = functions.OpenLogStore(ctx, svc, functions.LogStoreOptions{MaxAge: c.LogAge, MaxBytes: c.LogSize,
			Usage:   func(ctx context.Context) (int64, error) { return d.Usage(ctx, "logs", "invocations") },
			OnError: func(err error) { s.log.Warn("function logs", "err", err) }})
		if err == nil {
			s.fnLogPG = d
			return
		}
		d.Close()
	}
	s.fnLogsOff = fmt.Sprintf("the log store (PostgreSQL schema %s) could not be opened at start (%v); the server runs without it", fnLogsSchema, err)
	s.log.Error("function log store off: invocations are not recorded and the log API answers FUNCTIONS_LOG_STORE_OFF", "reason", s.fnLogsOff)
}
