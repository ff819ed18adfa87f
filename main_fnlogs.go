package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"minibase/db"
	"minibase/db/sqlite"
	"minibase/functions"

	"github.com/gofiber/fiber/v2"
)

const fnLogsUsage = `  MINIBASE_FUNCTIONS_LOG_STORE  invocation records kept in <dir>/functions.db:
                             all (the default), errors (failed ones), or off
  MINIBASE_FUNCTIONS_LOG_AGE   invocation records kept this long, e.g. 7d (the
                             default), 36h
  MINIBASE_FUNCTIONS_LOG_SIZE  size cap of <dir>/functions.db, where they are kept
                             (default 256MiB; the oldest go first)
`

// parseFnLogs reads the log store's caps into c.
func parseFnLogs(getenv func(string) string, c *FunctionsConfig) error {
	c.LogStore, c.LogAge, c.LogSize = envOr(getenv, "MINIBASE_FUNCTIONS_LOG_STORE", "all"), 7*24*time.Hour, 256<<20
	if c.LogStore != "all" && c.LogStore != "errors" && c.LogStore != "off" {
		return fmt.Errorf("MINIBASE_FUNCTIONS_LOG_STORE must be all, errors or off, got %q", c.LogStore)
	}
	if v := getenv("MINIBASE_FUNCTIONS_LOG_AGE"); v != "" {
		d, err := parseAge(v)
		if err != nil || d < time.Minute || d > 3650*24*time.Hour {
			return fmt.Errorf("MINIBASE_FUNCTIONS_LOG_AGE must be a duration from 1m to 3650d, like 7d or 36h, got %q", v)
		}
		c.LogAge = d
	}
	if v := getenv("MINIBASE_FUNCTIONS_LOG_SIZE"); v != "" {
		n, err := parseSize(v)
		if err != nil || n < 1<<20 {
			return fmt.Errorf("MINIBASE_FUNCTIONS_LOG_SIZE must be a size of at least 1MiB, like 256MiB, got %q", v)
		}
		c.LogSize = n
	}
	return nil
}

// parseAge is time.ParseDuration that also takes whole days ("7d").
func parseAge(v string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 || n > 100000 {
			return 0, fmt.Errorf("invalid duration %q", v)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	return time.ParseDuration(v)
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
func (m *Main) openFnLogs(ctx context.Context) {
	path := filepath.Join(m.Config.Dir, "functions.db")
	opts := m.Config.SQLite
	opts.Synchronous, opts.Readers, opts.MmapMiB, opts.Space = "NORMAL", 2, -1, m.reserve
	if opts.Check == sqlite.CheckBackground {
		// Not beside data.db's at every start: reading up to 256 MiB of logs
		// would take a core for half a second. Its header is checked, and
		// damage a query meets is handled as ever.
		opts.Check = sqlite.CheckOff
	}
	opts.OnDamage = func(err error) {
		m.log.Error("functions.db is damaged: function logs are no longer stored", "err", err, "todo", fnLogsAdvice(path))
	}
	var err error
	if m.fnLogDB, err = sqlite.Open(ctx, path, opts); err == nil {
		c := m.Config.Functions
		svc := db.NewService(m.fnLogDB, db.Limits{MaxResult: 64 << 20})
		m.fnLogs, err = functions.OpenLogStore(ctx, svc, functions.LogStoreOptions{MaxAge: c.LogAge, MaxBytes: c.LogSize,
			Usage: m.fnLogDB.Usage, OnError: func(err error) { m.log.Warn("function logs", "err", err) }})
	}
	if err == nil {
		return
	}
	if m.fnLogDB != nil {
		m.fnLogDB.Close()
		m.fnLogDB = nil
	}
	m.fnLogsOff = fmt.Sprintf("%s could not be opened at start (%v); the server runs without it", path, err)
	if errors.Is(err, sqlite.ErrDamaged) {
		m.fnLogsOff = fmt.Sprintf("%v; the server runs without it. %s", err, fnLogsAdvice(path))
	}
	m.log.Error("function log store off: invocations are not recorded and the log API answers FUNCTIONS_LOG_STORE_OFF", "reason", m.fnLogsOff)
}

// mountFnLogs mounts the log API: the store's, or one saying why it is off.
func (m *Main) mountFnLogs(r fiber.Router) {
	if m.fnLogs == nil {
		functions.MountLogsOff(r, m.fnLogsOff)
		return
	}
	m.fnLogs.Mount(r)
}

// outcomes is where asynchronous invocations' outcomes are kept: the log
// store, or (without it) the runtime's memory.
func (m *Main) outcomes() functions.OutcomeStore {
	if m.fnLogs == nil {
		return nil
	}
	return m.fnLogs
}

// logSinks is where invocation records go: the log store
// (MINIBASE_FUNCTIONS_LOG_STORE) and the server log (MINIBASE_FUNCTIONS_LOG).
func (m *Main) logSinks() functions.LogSink {
	c := m.Config.Functions
	var out sinks
	switch {
	case m.fnLogs == nil:
	case c.LogStore == "all", c.LogStore == "":
		out = append(out, m.fnLogs)
	case c.LogStore == "errors":
		out = append(out, failedOnly{m.fnLogs})
	}
	if c.Log != "off" {
		out = append(out, logSink{log: m.log, all: c.Log == "all"})
	}
	return out
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

// tailToken lets a browser, whose WebSocket cannot send headers, give its
// token to the live tail as ?access_token=; it runs before the auth
// middleware. A header, when present, wins.
func tailToken(c *fiber.Ctx) error {
	if tok := c.Query("access_token"); tok != "" && len(c.Request().Header.Peek(fiber.HeaderAuthorization)) == 0 {
		c.Request().Header.Set(fiber.HeaderAuthorization, "Bearer "+tok)
	}
	return c.Next()
}
