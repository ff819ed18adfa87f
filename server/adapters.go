package server

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"minibase/db"
	"minibase/functions"
)

// The glue between the packages that functions does not own: a deployer
// that rereads the triggers, where invocation records go, and the
// database's change feed feeding database triggers and realtime watches.
// (Login providers are in providers.go, image variants in images.go.)

// triggerRefresh is how often the functions' triggers are reread from
// their config.json (a deployment over HTTP rereads them at once).
const triggerRefresh = 2 * time.Second

// deployer deploys to the functions folder and rereads the triggers, so
// a new HTTP route or timer takes effect with the deployment (or rollback),
// and a deleted function's stop at once.
type deployer struct {
	*functions.Dir
	triggers *functions.Triggers
}

var _ functions.Deployer = deployer{}

func (d deployer) Put(ctx context.Context, name string, files map[string][]byte) (*functions.Version, error) {
	v, err := d.Dir.Put(ctx, name, files)
	if err != nil {
		return nil, err
	}
	return v, d.triggers.Refresh(ctx, time.Now())
}

func (d deployer) Rollback(ctx context.Context, name, ref string) (*functions.Version, error) {
	v, err := d.Dir.Rollback(ctx, name, ref)
	if err != nil {
		return nil, err
	}
	return v, d.triggers.Refresh(ctx, time.Now())
}

func (d deployer) Delete(ctx context.Context, name string) error {
	if err := d.Dir.Delete(ctx, name); err != nil {
		return err
	}
	return d.triggers.Refresh(ctx, time.Now())
}

// outcomes is where asynchronous invocations' outcomes are kept: the log
// store, or (without it) the runtime's memory.
func (s *Server) outcomes() functions.OutcomeStore {
	if s.fnLogs == nil {
		return nil
	}
	return s.fnLogs
}

// logSinks is where invocation records go: the log store
// (MINIBASE_FUNCTIONS_LOG_STORE) and the server log (MINIBASE_FUNCTIONS_LOG).
func (s *Server) logSinks() functions.LogSink {
	c := s.Config.Functions
	out := sinks{&s.console.series, s.metrics}
	switch {
	case s.fnLogs == nil:
	case c.LogStore == "all", c.LogStore == "":
		out = append(out, s.fnLogs)
	case c.LogStore == "errors":
		out = append(out, failedOnly{s.fnLogs})
	}
	if c.Log != "off" {
		out = append(out, logSink{log: s.log, all: c.Log == "all"})
	}
	return out
}

// logSink writes functions' records to the server log: failed
// invocations always, with their console output; successful ones too when
// all is set.
type logSink struct {
	log *slog.Logger
	all bool
}

var _ functions.LogSink = logSink{}

func (s logSink) Write(ctx context.Context, rec *functions.LogRecord) {
	if rec.Status == functions.StatusOK && !s.all {
		return
	}
	level := slog.LevelInfo
	if rec.Status != functions.StatusOK {
		level = slog.LevelWarn
	}
	var out strings.Builder
	for _, l := range rec.Lines {
		fmt.Fprintf(&out, "\n  [%s] %s", l.Level, l.Message)
	}
	s.log.Log(ctx, level, "function "+rec.Function, "requestID", rec.RequestID, "status", rec.Status,
		"duration", rec.Duration, "error", rec.Error, "output", out.String())
}

// failedOnly passes on the records of failed invocations only.
type failedOnly struct{ functions.LogSink }

func (s failedOnly) Write(ctx context.Context, rec *functions.LogRecord) {
	if rec.Status != functions.StatusOK {
		s.LogSink.Write(ctx, rec)
	}
}

// sinks hands each invocation's record to every sink in turn.
type sinks []functions.LogSink

var _ functions.LogSink = sinks{}

func (s sinks) Write(ctx context.Context, rec *functions.LogRecord) {
	for _, sink := range s {
		sink.Write(ctx, rec)
	}
}

// openDBTriggers connects the functions' database triggers to the
// database's change feed: from then on the triggers' Refresh subscribes
// their collections, and runDBTriggers delivers the changes.
func (s *Server) openDBTriggers() {
	s.dbTriggers = functions.NewDBTriggers(s.functions, s.store.Driver)
	s.triggers.SetDatabase(s.dbTriggers)
}

// runDBTriggers delivers changes to database triggers until ctx ends or
// the returned stop is called (which waits for the invocations in
// progress). What was not delivered stays in the feed for the next start.
// Dropped changes (every attempt failed) go to the server log.
func (s *Server) runDBTriggers(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.dbTriggers.Run(ctx, func(err error) { s.log.Warn("database trigger", "err", err) })
	}()
	return func() { cancel(); <-done }
}

// watchConsumer is the name realtime watches read the change feed under
// (database triggers read theirs as functions.FeedConsumer).
const watchConsumer = "watch"

// openWatches connects realtime watches to the database's change feed and
// to the sign-ins they end with. On PostgreSQL each node reads the shared
// feed under a consumer of its own (postgres.NodeFeed): a consumer shared
// by the nodes would hand each change to one node's watches only.
func (s *Server) openWatches(ctx context.Context) error {
	w := s.Config.Watch
	now := s.Config.Auth.Now
	if now == nil {
		now = time.Now
	}
	var src db.ChangeSource = db.FeedSource(s.store.Driver, watchConsumer)
	if s.store.pg != nil {
		f, err := s.store.pg.NodeFeed(ctx, watchConsumer)
		if err != nil {
			return fmt.Errorf("realtime watch: %w", err)
		}
		s.watchFeed, src = f, f
	}
	s.watches = db.NewWatches(s.db, src, db.WatchOptions{
		MaxDocs: w.MaxDocs, PerConnection: w.PerConnection, PerUser: w.PerUser, Total: w.Total, IdleTimeout: w.IdleTimeout,
		SendBuffer: w.SendBuffer, Now: now, Sessions: s.auth.Tokens(),
	})
	return nil
}

// followFunctions keeps this node's functions equal to the cluster's
// (Config.Functions.Shared; nothing otherwise) until ctx ends or the
// returned stop is called.
func (s *Server) followFunctions(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.fnDir.Follow(ctx, s.functions.Retire, func(err error) { s.log.Warn("functions registry", "err", err) })
	}()
	return func() { cancel(); <-done }
}

// runWatches keeps the watched queries up to date until ctx ends or the
// returned stop is called, which closes the watch connections (clients
// reconnect to the next server) and waits for that.
func (s *Server) runWatches(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	report := func(err error) { s.log.Warn("realtime watch", "err", err) }
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); s.watches.Run(ctx, report) }()
	if s.watchFeed != nil {
		// Marks this node's consumer alive, removes those of nodes gone
		// for long, and its own when ctx ends.
		wg.Add(1)
		go func() { defer wg.Done(); s.watchFeed.Run(ctx, report) }()
	}
	go func() { wg.Wait(); close(done) }()
	return func() { cancel(); <-done }
}
