// Command minibase is a self-hosted backend for mini-programs in one binary:
// a JSON document database (MongoDB semantics) over HTTP, with more to come.
//
//	minibase serve [--dir DIR] [--http ADDR]
//	minibase functions deploy|invoke|list|rollback …
//	minibase version
//	minibase help
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	_ "net/http/pprof" // served only on MINIBASE_PPROF
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"time"
	_ "time/tzdata" // timer triggers' time zones, in a static binary without /usr/share/zoneinfo

	"minibase/auth"
	"minibase/db"
	"minibase/db/sqlite"
	"minibase/functions"
	"minibase/storage"

	"github.com/gofiber/fiber/v2"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// Config is everything minibase serve can be told, from flags and env.
type Config struct {
	Dir            string        // data directory (--dir, MINIBASE_DIR; default ./mb_data)
	HTTP           string        // listen address (--http, MINIBASE_HTTP; default 127.0.0.1:8090)
	AdminKey       string        // MINIBASE_ADMIN_KEY; empty: generated once, hash kept in Dir
	BodyLimit      int           // bytes (MINIBASE_BODY_LIMIT; default 16 MiB)
	Sync           string        // SQLite synchronous: FULL (default) or NORMAL (MINIBASE_SQLITE_SYNC)
	RequestTimeout time.Duration // per request (MINIBASE_REQUEST_TIMEOUT; default 30s)
	Pprof          string        // MINIBASE_PPROF: address for net/http/pprof (off when empty)
	SQLite         sqlite.Options
	Auth           AuthConfig
	Functions      FunctionsConfig
	Storage        StorageConfig
}

const usage = `minibase: a backend for mini-programs in one binary.

Usage:
  minibase serve [--dir DIR] [--http ADDR]   run the server
  minibase admin create EMAIL [--dir DIR] [--password-stdin]
                                             add an admin account (password from
                                             stdin, MINIBASE_ADMIN_PASSWORD or a prompt)
  minibase functions deploy DIR [--name NAME] [--server URL] [--key KEY]
                                             deploy a function folder, or every one in
                                             a cloudfunctions/ folder, to a running server
                                             (env MINIBASE_URL, MINIBASE_ADMIN_KEY)
  minibase functions invoke NAME [--data JSON] | list | rollback NAME VERSION
  minibase version                           print the version
  minibase help                              print this help

serve flags and environment:
  --dir DIR     data directory (env MINIBASE_DIR, default ./mb_data)
  --http ADDR   listen address (env MINIBASE_HTTP, default 127.0.0.1:8090)
  MINIBASE_ADMIN_KEY         admin key (at least 16 characters); without it the
                             first serve generates one and prints it once
  MINIBASE_BODY_LIMIT        largest request body in bytes (default 16777216)
  MINIBASE_SQLITE_SYNC       FULL (default: commits survive power loss) or NORMAL
  MINIBASE_REQUEST_TIMEOUT   per-request time limit (default 30s)
  MINIBASE_SQLITE_CACHE_KIB  SQLite page cache per connection (default 2048)
  MINIBASE_SQLITE_MMAP_MIB   memory-map up to this much of the database (default 1024)
  MINIBASE_SQLITE_READERS    read connections (default 4)
  MINIBASE_PPROF             address for Go's profiler (net/http/pprof), e.g.
                             127.0.0.1:6060; off by default
` + authUsage + storageUsage + functionsUsage

func main() {
	runtime.MemProfileRate = functions.MemProfileRate // what functions' memory budgets are measured with
	if err := run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "minibase:", err)
		os.Exit(1)
	}
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	switch args[0] {
	case "serve":
		cfg, err := parseServe(args[1:], os.Getenv, stderr)
		if err != nil {
			return err
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return serve(ctx, cfg, stdout)
	case "admin":
		return adminCommand(context.Background(), args[1:], os.Getenv, stdin, stdout, stderr)
	case "functions":
		return functionsCommand(context.Background(), args[1:], os.Getenv, stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "minibase", version)
		return nil
	case "help", "--help", "-h":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

// parseServe reads serve's flags, falling back to the environment.
func parseServe(args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	cfg := Config{
		Dir:            envOr(getenv, "MINIBASE_DIR", "./mb_data"),
		HTTP:           envOr(getenv, "MINIBASE_HTTP", "127.0.0.1:8090"),
		AdminKey:       getenv("MINIBASE_ADMIN_KEY"),
		Pprof:          getenv("MINIBASE_PPROF"),
		Sync:           envOr(getenv, "MINIBASE_SQLITE_SYNC", "FULL"),
		BodyLimit:      16 << 20,
		RequestTimeout: 30 * time.Second,
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Dir, "dir", cfg.Dir, "data directory")
	fs.StringVar(&cfg.HTTP, "http", cfg.HTTP, "listen address")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("serve: unexpected argument %q", fs.Arg(0))
	}
	if v := getenv("MINIBASE_BODY_LIMIT"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1024 {
			return cfg, fmt.Errorf("MINIBASE_BODY_LIMIT must be a number of bytes >= 1024, got %q", v)
		}
		cfg.BodyLimit = n
	}
	if v := getenv("MINIBASE_REQUEST_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return cfg, fmt.Errorf("MINIBASE_REQUEST_TIMEOUT must be a duration like 30s, got %q", v)
		}
		cfg.RequestTimeout = d
	}
	for key, dst := range map[string]*int{"MINIBASE_SQLITE_CACHE_KIB": &cfg.SQLite.CacheKiB, "MINIBASE_SQLITE_MMAP_MIB": &cfg.SQLite.MmapMiB, "MINIBASE_SQLITE_READERS": &cfg.SQLite.Readers} {
		if v := getenv(key); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 1<<20 {
				return cfg, fmt.Errorf("%s must be a non-negative number, got %q", key, v)
			}
			*dst = n
		}
	}
	if cfg.Sync != "FULL" && cfg.Sync != "NORMAL" {
		return cfg, fmt.Errorf("MINIBASE_SQLITE_SYNC must be FULL or NORMAL, got %q", cfg.Sync)
	}
	var err error
	if cfg.Auth, err = parseAuth(getenv); err != nil {
		return cfg, err
	}
	if cfg.Storage, err = parseStorage(getenv); err != nil {
		return cfg, err
	}
	cfg.Functions, err = parseFunctions(getenv)
	return cfg, err
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

// Main is a running minibase: opened, then run until its context ends.
type Main struct {
	Config    Config
	keys      *auth.AdminKeys
	store     *sqlite.DB
	db        *db.Service
	auth      *auth.Service
	files     *storage.Service
	fileBE    io.Closer // the storage backend
	fnDir     *functions.Dir
	functions *functions.Runtime
	fnLogDB   *sqlite.DB          // <dir>/functions.db
	fnLogs    *functions.LogStore // invocation records and async outcomes, in fnLogDB
	triggers  *functions.Triggers
	app       *fiber.App
	conns     *connStates // which connections wait for a request (closed first at shutdown)
	log       *slog.Logger

	dbTriggers *functions.DBTriggers // main_dbtriggers.go
}

// Open creates the data directory and opens everything serve needs. A
// newly generated admin key is printed to out, once.
func (m *Main) Open(ctx context.Context, out io.Writer) error {
	if err := os.MkdirAll(m.Config.Dir, 0o700); err != nil {
		return fmt.Errorf("create data dir: %w", err)
	}
	keys, generated, err := auth.LoadAdminKeys(m.Config.Dir, m.Config.AdminKey)
	if err != nil {
		return err
	}
	m.keys = keys
	if generated != "" {
		fmt.Fprintf(out, "minibase: generated an admin key; it is shown only this once, store it now:\n\n    %s\n\n", generated)
	}
	opts := m.Config.SQLite
	opts.Synchronous = m.Config.Sync
	m.store, err = sqlite.Open(ctx, filepath.Join(m.Config.Dir, "data.db"), opts)
	if err != nil {
		return err
	}
	if m.auth, err = openAuth(m.Config, m.store, m.log); err != nil {
		return err
	}
	if m.files, m.fileBE, err = openStorage(ctx, m.Config); err != nil {
		return err
	}
	m.db = db.NewService(m.store, db.Limits{})
	m.db.SetUsers(m.auth)
	if err := m.openFunctions(); err != nil {
		return err
	}
	m.app = m.newApp()
	return nil
}

// Run serves HTTP until ctx ends, then shuts down gracefully: in-flight
// requests finish (up to 30 s) before Run returns.
func (m *Main) Run(ctx context.Context, out io.Writer) error {
	errc := make(chan error, 1)
	go func() { errc <- m.app.Listen(m.Config.HTTP) }()
	trigCtx, stopTriggers := context.WithCancel(ctx)
	trigDone := make(chan struct{})
	go func() {
		defer close(trigDone)
		m.triggers.Run(trigCtx, triggerRefresh, func(err error) { m.log.Warn("functions triggers", "err", err) })
	}()
	defer func() { stopTriggers(); <-trigDone }()
	defer m.runDBTriggers(ctx)()
	if m.Config.Pprof != "" {
		go func() { m.log.Error("pprof listener", "err", http.ListenAndServe(m.Config.Pprof, nil)) }()
	}
	fmt.Fprintf(out, "minibase %s serving on http://%s (data in %s)\n", version, m.Config.HTTP, m.Config.Dir)
	select {
	case err := <-errc:
		return fmt.Errorf("listen: %w", err)
	case <-ctx.Done():
	}
	fmt.Fprintln(out, "minibase: shutting down")
	// Stop accepting; close the connections no request is using (the rest
	// close after their response); wait up to 30 s for requests in progress.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- m.app.ShutdownWithContext(ctx) }()
	m.conns.drain(ctx)
	cancel() // fasthttp's own wait may not end by itself (see connStates)
	if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// Close stops the functions runtime and its log store, then releases the
// file store and the databases (after Run returned).
func (m *Main) Close() error {
	var errs []error
	if m.functions != nil {
		errs = append(errs, m.functions.Close())
	}
	if m.fnLogs != nil {
		errs = append(errs, m.fnLogs.Close())
	}
	if m.fnLogDB != nil {
		errs = append(errs, m.fnLogDB.Close())
	}
	if m.fileBE != nil {
		errs = append(errs, m.fileBE.Close())
	}
	if m.store != nil {
		errs = append(errs, m.store.Close())
	}
	return errors.Join(errs...)
}

func serve(ctx context.Context, cfg Config, out io.Writer) error {
	m := &Main{Config: cfg, log: slog.New(slog.NewTextHandler(os.Stderr, nil))}
	if err := m.Open(ctx, out); err != nil {
		m.Close()
		return err
	}
	err := m.Run(ctx, out)
	return errors.Join(err, m.Close())
}
