package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"path/filepath"
	"sync"
	"time"

	"minibase/auth"
	"minibase/db"
	"minibase/db/postgres"
	"minibase/db/sqlite"
	"minibase/functions"
	"minibase/storage"

	"github.com/gofiber/fiber/v2"
)

// Server is a minibase server: Open it, Run it until its context ends,
// then Close it. Set the exported fields before Open.
type Server struct {
	Config  Config
	Version string       // reported by /v1/health and at start; "" is "dev"
	Log     *slog.Logger // the server log; nil: text to stderr
	// Out receives what the operator must see: a newly generated admin key
	// (once) and the "serving on" line; nil: stdout.
	Out io.Writer
	// Listener, when set, is where Run serves instead of listening on
	// Config.HTTP (a test's 127.0.0.1:0, a socket handed over by systemd);
	// Run closes it. With HTTPS (Config.HTTPS) it is the TLS listener's.
	Listener net.Listener
	// HTTPListener, when set with HTTPS, is where Run serves the
	// plain-http redirects and ACME challenges instead of listening on
	// Config.HTTP; Run closes it.
	HTTPListener net.Listener
	// MetricsListener, when set, is where Run serves /metrics and the
	// health checks instead of listening on Config.Obs.MetricsAddr; Run
	// closes it.
	MetricsListener net.Listener

	keys      *auth.AdminKeys
	store     *database // the app's database (database.go)
	db        *db.Service
	watches   *db.Watches        // realtime watch, on the database's change feed
	watchFeed *postgres.NodeFeed // on PostgreSQL: this node's own consumer of the feed, for its watches; nil on SQLite
	auth      *auth.Service
	files     *storage.Service
	fileBE    io.Closer // the storage backend
	fnDir     *functions.Dir
	functions *functions.Runtime
	fnLogDB   *sqlite.DB          // <dir>/functions.db; nil on PostgreSQL (the logs are collections of its database)
	fnLogPG   *postgres.DB        // the log store's schema on PostgreSQL (backends.go)
	fnLogs    *functions.LogStore // invocation records and async outcomes, in fnLogDB; nil when it could not open
	fnLogsOff string              // why fnLogs is nil
	reserve   *diskReserve        // the disk's state, for everything that writes to it
	triggers  *functions.Triggers
	app       *fiber.App
	root      fiber.Router  // Router: the app's root route group
	conns     *connStates   // which connections wait for a request (closed first at shutdown)
	rates     *rateLimits   // request rate limits (ratelimit.go)
	settings  settingsState // the admin console's settings (settings*.go)
	wechat    wechatApp     // the mini-program functions act for (wechat.go)
	tls       *serverTLS    // nil: plain http
	log       *slog.Logger
	metrics   *metrics   // Prometheus (metrics*.go)
	reqLog    requestLog // MINIBASE_REQUEST_LOG (observe.go)
	readiness readiness  // ready.go
	filePing  pinger     // the file store's backend, for readiness

	dbTriggers *functions.DBTriggers // adapters.go
	console    consoleState          // the console's overview (info.go)
	backups    *backups              // backups.go
	replica    *replication          // replicate.go; nil: continuous backup off
	closeOnce  sync.Once             // Close
	closeErr   error
	unlock     func() // releases the data dir's lock (LockDir)
}

// Open creates the data directory and opens everything the server needs.
// A newly generated admin key is printed to Out, once. A damaged database
// fails with what to do about it. Call Close even when Open fails.
func (s *Server) Open(ctx context.Context) error {
	s.log = s.Log
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	s.metrics = newMetrics()
	s.reqLog = requestLog{log: s.log, cfg: s.Config.Obs.RequestLog}
	if err := openDataDir(s.Config.Dir, s.log); err != nil {
		return err
	}
	unlock, err := LockDir(s.Config.Dir)
	if errors.Is(err, ErrDirLocked) {
		return fmt.Errorf("%w; stop it first, or give this server another --dir", err)
	}
	if err != nil {
		return err
	}
	s.unlock = unlock
	s.reserve = openReserve(s.Config.Dir, s.Config.DiskReserve, s.log)
	if s.tls, err = openTLS(s.Config, s.log); err != nil {
		return err
	}
	if s.store, err = openDatabase(ctx, s.Config, s.reserve, s.log); err != nil {
		return err
	}
	if err := s.loadAdminKeys(ctx); err != nil {
		return err
	}
	if s.auth, err = openAuth(ctx, s.Config, s.store, s.log); err != nil {
		return err
	}
	if s.files, s.fileBE, s.filePing, err = openStorage(ctx, s.Config, s.reserve, s.store.secrets); err != nil {
		return err
	}
	s.warnLocalOnly()
	if err := s.loadSettings(ctx); err != nil {
		return err
	}
	s.db = db.NewService(s.store.Driver, db.Limits{AggregateMemory: s.Config.AggregateMem, SlowQuery: s.Config.SlowQuery})
	s.db.SetUsers(s.auth)
	if err := s.openWatches(ctx); err != nil {
		return err
	}
	if err := s.openFunctions(); err != nil {
		return err
	}
	if s.backups, err = openBackups(ctx, s.Config, s.version(), s.fnDir.Hold, s.log); err != nil {
		return err
	}
	if s.replica, err = startReplication(ctx, s.Config, s.store.sqlite, s.log); err != nil {
		return err
	}
	s.metrics.reg.MustRegister(stateCollector{s})
	s.app = s.newApp()
	return nil
}

// App is the server's fiber app, after Open: for tests, and for serving it
// on a listener of one's own (App().Listener) instead of Run, which then
// applies none of Config.Conns but the header and keep-alive timeouts.
func (s *Server) App() *fiber.App { return s.app }

// Run serves HTTP on Config.HTTP (or Listener) until ctx ends, then shuts
// down gracefully: in-flight requests finish (up to
// Config.ShutdownTimeout) before Run returns; requests cut off at that
// deadline make it return an error. Database triggers and timers run meanwhile. Connections are
// held to Config.Conns (see listener); running out of file descriptors
// delays new connections but ends nothing. An address it cannot listen on
// (one in use) is an error before anything is printed to Out.
func (s *Server) Run(ctx context.Context) error {
	ln, plain, err := s.listen()
	if err != nil {
		return err
	}
	if s.Config.Pprof != "" {
		stop, err := servePprof(s.Config.Pprof, s.log)
		if err != nil {
			ln.Close()
			if plain != nil {
				plain.Close()
			}
			return err
		}
		defer stop()
	}
	if s.MetricsListener != nil || s.Config.Obs.MetricsAddr != "" {
		stop, addr, err := s.serveMetrics()
		if err != nil {
			ln.Close()
			if plain != nil {
				plain.Close()
			}
			return err
		}
		defer stop()
		fmt.Fprintf(s.out(), "minibase: metrics on http://%s/metrics (no authentication)\n", addr)
	}
	var serving net.Listener = s.newListener(ln)
	scheme := "http"
	if s.tls != nil {
		serving, scheme = newTLSListener(serving, s.tls.config, s.Config.HTTPS.HandshakeTimeout, s.log), "https"
		if plain != nil {
			defer s.serveRedirects(plain, s.healthHTTP(s.tls.challengeHandler(s.Config.HTTPS)))()
		}
		if s.tls.acme != nil {
			obtainCtx, stopObtain := context.WithCancel(ctx)
			defer stopObtain()
			s.tls.obtain(obtainCtx, s.Config.HTTPS.Domains, s.log)
		}
	}
	errc := make(chan error, 1)
	go func() { errc <- s.app.Listener(serving) }()
	trigCtx, stopTriggers := context.WithCancel(ctx)
	trigDone := make(chan struct{})
	go func() {
		defer close(trigDone)
		s.triggers.Run(trigCtx, triggerRefresh, func(err error) { s.log.Warn("functions triggers", "err", err) })
	}()
	defer func() { stopTriggers(); <-trigDone }()
	defer s.runDBTriggers(ctx)()
	defer s.followFunctions(ctx)()
	defer s.runWatches(ctx)()
	schedCtx, stopSched := context.WithCancel(ctx)
	schedDone := make(chan struct{})
	go func() { defer close(schedDone); s.backups.runSchedule(schedCtx) }()
	defer func() { stopSched(); <-schedDone }()
	settingsCtx, stopSettings := context.WithCancel(ctx)
	settingsDone := make(chan struct{})
	go func() { defer close(settingsDone); s.watchSettings(settingsCtx) }()
	defer func() { stopSettings(); <-settingsDone }()
	fmt.Fprintf(s.out(), "minibase %s serving on %s://%s (data in %s)\n", s.version(), scheme, ln.Addr(), s.Config.Dir)
	if plain != nil {
		fmt.Fprintf(s.out(), "minibase: http://%s redirects to https and answers ACME challenges\n", plain.Addr())
	}
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	wait := s.Config.ShutdownTimeout
	if wait <= 0 {
		wait = defaultShutdownTimeout
	}
	fmt.Fprintf(s.out(), "minibase: shutting down (waiting up to %v for the requests in progress; a second signal ends them now)\n", wait)
	// Stop accepting; close the connections no request is using (the rest
	// close after their response); wait up to ShutdownTimeout for requests
	// in progress (a function's invocation, an upload). Realtime watches
	// were told to reconnect elsewhere when ctx ended (runWatches); the
	// database's writer finishes its queue in Close.
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- s.app.ShutdownWithContext(ctx) }()
	left := s.conns.drain(ctx)
	cancel() // fasthttp's own wait may not end by itself (see connStates)
	err = <-done
	if left > 0 {
		return fmt.Errorf("shutdown: %d requests still in progress after MINIBASE_SHUTDOWN_TIMEOUT (%v) were cut off", left, wait)
	}
	if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// defaultShutdownTimeout is the wait for requests in progress at shutdown
// when Config.ShutdownTimeout is zero.
const defaultShutdownTimeout = 30 * time.Second

// listen opens the API's listener (Listener, else Config.HTTP, or with
// HTTPS Config.HTTPS.Addr) and with HTTPS the plain-http one
// (HTTPListener, else Config.HTTP unless "off"; nil then).
func (s *Server) listen() (api, plain net.Listener, err error) {
	network := s.app.Config().Network
	api = s.Listener
	if s.tls == nil {
		if api == nil {
			if api, err = net.Listen(network, s.Config.HTTP); err != nil {
				return nil, nil, fmt.Errorf("listen: %w", err)
			}
		}
		return api, nil, nil
	}
	if api == nil {
		if api, err = net.Listen(network, s.Config.HTTPS.Addr); err != nil {
			return nil, nil, fmt.Errorf("listen (MINIBASE_HTTPS_ADDR): %w", err)
		}
	}
	plain = s.HTTPListener
	if plain == nil && s.Config.HTTP != "off" {
		if plain, err = net.Listen(network, s.Config.HTTP); err != nil {
			api.Close()
			return nil, nil, fmt.Errorf("listen (MINIBASE_HTTP, for redirects to https and ACME challenges): %w", err)
		}
	}
	return api, plain, nil
}

// Close stops the functions runtime and its log store, then releases the
// file store, the databases and the data directory's lock (after Run
// returned). Calls after the first return its result.
func (s *Server) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.close() })
	return s.closeErr
}

func (s *Server) close() error {
	var errs []error
	if s.functions != nil {
		errs = append(errs, s.functions.Close())
	}
	if s.fnLogs != nil {
		errs = append(errs, s.fnLogs.Close())
	}
	if s.fnLogDB != nil {
		errs = append(errs, s.fnLogDB.Close())
	}
	if s.fnLogPG != nil {
		errs = append(errs, s.fnLogPG.Close())
	}
	if s.fileBE != nil {
		errs = append(errs, s.fileBE.Close())
	}
	s.replica.close() // ships the last writes before the database closes
	if s.store != nil {
		errs = append(errs, s.store.Driver.Close())
	}
	if s.unlock != nil {
		s.unlock()
	}
	return errors.Join(errs...)
}

// openAuth builds the auth service on the database's stores, with the
// access-token key kept in the data directory, or on PostgreSQL in the
// database (every node signs with the same key).
func openAuth(ctx context.Context, cfg Config, store *database, log *slog.Logger) (*auth.Service, error) {
	var key []byte
	var err error
	if store.secrets != nil {
		key, err = auth.LoadSigningKeyFrom(ctx, store.secrets)
	} else {
		key, err = auth.LoadSigningKey(cfg.Dir)
	}
	if err != nil {
		return nil, err
	}
	a := cfg.Auth
	return auth.NewService(ctx, a.Config, store.auth, a.Providers.providers(cfg.Dir, store.ticketKeys, a.Now, log), key)
}

// loadAdminKeys loads the admin keys (the configured one, else the
// generated one's hash, kept in the data directory or, on PostgreSQL, in
// the database) and prints a newly generated key, once.
func (s *Server) loadAdminKeys(ctx context.Context) error {
	var generated string
	var err error
	if s.store.secrets != nil {
		s.keys, generated, err = auth.LoadAdminKeysFrom(ctx, s.store.secrets, s.Config.AdminKey)
	} else {
		s.keys, generated, err = auth.LoadAdminKeys(s.Config.Dir, s.Config.AdminKey)
	}
	if err != nil {
		return err
	}
	if generated != "" {
		fmt.Fprintf(s.out(), "minibase: generated an admin key; it is shown only this once, store it now:\n\n    %s\n\n", generated)
	}
	return nil
}

// openFunctions opens <dir>/functions and the runtime over it. Functions
// see MINIBASE_ENV (Config.Storage.Env, the env id of fileIDs) as their
// environment, object storage (opened first) through wx-server-sdk, and
// the WeChat mini-program's server APIs through cloud.openapi.
func (s *Server) openFunctions() error {
	dir, err := functions.OpenDir(filepath.Join(s.Config.Dir, "functions"))
	if err != nil {
		return err
	}
	dir.Space = s.reserve
	s.openFnLogs(context.Background())
	c := s.Config.Functions
	loc := c.TimerTZ
	if loc == nil {
		loc = functions.DefaultTimerZone
	}
	dir.TimerZone = loc
	opts := functions.Options{
		Env: s.Config.Storage.Env, WeChat: &s.wechat, Concurrency: c.Concurrency, Queue: c.Queue,
		Fetch: c.Fetch, Async: functions.AsyncOptions{Retries: c.AsyncRetries, Backoff: c.RetryBackoff, PerCaller: c.AsyncPerUser},
		Logs: s.logSinks(), Outcomes: s.outcomes(), Files: s.files, MaxMemory: c.Memory,
		Accounts: s.store.auth.Users,
	}
	if c.Shared || s.Config.Postgres() { // several nodes may serve this database
		if err := dir.Share(context.Background(), functions.Shared{DB: s.store.Driver, Files: s.files.Backend()}); err != nil {
			return err
		}
		if err := dir.CatchUp(context.Background()); err != nil {
			s.log.Warn("functions registry: catching up", "err", err)
		}
	}
	s.fnDir = dir
	s.functions, err = functions.New(dir, s.db, opts)
	if err != nil {
		return err
	}
	s.triggers = functions.NewTriggers(s.functions, dir, dir, loc)
	s.openDBTriggers()
	if s.store.pg != nil {
		// Several nodes share the database: each timer tick is claimed by
		// one node, one node at a time delivers database triggers.
		s.triggers.SetCluster(s.store.pg)
	}
	return s.triggers.Refresh(context.Background(), time.Now())
}

// CreateAdmin adds an admin account (email, password) to the database in
// cfg.Dir, creating the directory and the database when needed; the server
// need not run. An email already taken is auth.ErrAdminExists.
func CreateAdmin(ctx context.Context, cfg Config, email, password string, log *slog.Logger) (*auth.AdminAccount, error) {
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	var store *database
	if cfg.Postgres() {
		var err error
		if store, err = openDatabase(ctx, cfg, nil, log); err != nil {
			return nil, err
		}
	} else {
		opts := cfg.SQLite
		opts.Synchronous = cfg.Sync
		d, err := sqlite.Open(ctx, filepath.Join(cfg.Dir, "data.db"), opts)
		if err != nil {
			return nil, err
		}
		store = onSQLite(d)
	}
	defer store.Driver.Close()
	svc, err := openAuth(ctx, cfg, store, log)
	if err != nil {
		return nil, err
	}
	return svc.CreateAdmin(ctx, email, password)
}

// servePprof serves Go's profiler (net/http/pprof) on addr until stop is
// called.
func servePprof(addr string, log *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("MINIBASE_PPROF: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			log.Error("pprof listener", "err", err)
		}
	}()
	return func() { srv.Close() }, nil
}

func (s *Server) out() io.Writer {
	if s.Out == nil {
		return os.Stdout
	}
	return s.Out
}

func (s *Server) version() string {
	if s.Version == "" {
		return "dev"
	}
	return s.Version
}
