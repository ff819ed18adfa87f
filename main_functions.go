package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"minibase/functions"
)

// FunctionsConfig is cloud functions' part of Config.
type FunctionsConfig struct {
	Concurrency  int           // MINIBASE_FUNCTIONS_CONCURRENCY: running invocations per function (default 32)
	Memory       int64         // MINIBASE_FUNCTIONS_MEMORY: the most all functions together may hold (default: functions.Options.MaxMemory's)
	Queue        int           // MINIBASE_FUNCTIONS_QUEUE: waiting invocations per function (default 256)
	AsyncRetries int           // MINIBASE_FUNCTIONS_ASYNC_RETRIES: retries of a failed async invocation (default 2)
	RetryBackoff time.Duration // MINIBASE_FUNCTIONS_RETRY_BACKOFF: first retry's delay, doubling (default 1s)
	Log          string        // MINIBASE_FUNCTIONS_LOG: errors (default), all or off
	LogStore     string        // MINIBASE_FUNCTIONS_LOG_STORE: all (default), errors or off: records kept in functions.db
	LogAge       time.Duration // MINIBASE_FUNCTIONS_LOG_AGE: invocation records kept (default 7 days)
	LogSize      int64         // MINIBASE_FUNCTIONS_LOG_SIZE: size cap of functions.db (default 256 MiB)
	Fetch        functions.FetchOptions
	TimerTZ      *time.Location // MINIBASE_TIMER_TZ: the time zone of timer triggers' cron (default Asia/Shanghai, as CloudBase)
}

// triggerRefresh is how often the functions' triggers are reread from
// their config.json (a deployment over HTTP rereads them at once).
const triggerRefresh = 2 * time.Second

const functionsUsage = `  MINIBASE_FUNCTIONS_CONCURRENCY  running invocations per function (default 32)
  MINIBASE_FUNCTIONS_QUEUE   invocations waiting per function; beyond, 429 (default 256)
  MINIBASE_FUNCTIONS_MEMORY  the most memory all functions together may hold, e.g.
                             2GiB (default: half of GOMEMLIMIT when set, else 1GiB)
  MINIBASE_FUNCTIONS_ASYNC_RETRIES  retries of a failed asynchronous invocation (default 2)
  MINIBASE_FUNCTIONS_RETRY_BACKOFF  delay before the first retry, doubling (default 1s)
  MINIBASE_FUNCTIONS_LOG     functions' console output in the server log: errors
                             (failed invocations, the default), all, or off
                             (the log store keeps its own: MINIBASE_FUNCTIONS_LOG_STORE)
` + fnLogsUsage + `  MINIBASE_TIMER_TZ          time zone of timer triggers' cron (default
                             Asia/Shanghai, UTC+8, as CloudBase)
  MINIBASE_FETCH_ALLOW       hosts functions may fetch, comma-separated
                             ("*.example.com" for subdomains); empty: any public host
  MINIBASE_FETCH_DENY        hosts functions may never fetch
  MINIBASE_FETCH_ALLOW_PRIVATE  private/loopback IPs or CIDRs functions may
                             fetch (none by default), e.g. 10.0.0.0/8
`

func parseFunctions(getenv func(string) string) (FunctionsConfig, error) {
	c := FunctionsConfig{Log: envOr(getenv, "MINIBASE_FUNCTIONS_LOG", "errors")}
	for _, n := range []struct {
		env      string
		dst      *int
		min, max int
	}{
		{"MINIBASE_FUNCTIONS_CONCURRENCY", &c.Concurrency, 1, 10000},
		{"MINIBASE_FUNCTIONS_QUEUE", &c.Queue, 1, 1000000},
		{"MINIBASE_FUNCTIONS_ASYNC_RETRIES", &c.AsyncRetries, 0, 100},
	} {
		if v := getenv(n.env); v != "" {
			i, err := strconv.Atoi(v)
			if err != nil || i < n.min || i > n.max {
				return c, fmt.Errorf("%s must be a number from %d to %d, got %q", n.env, n.min, n.max, v)
			}
			*n.dst = i
		}
	}
	if v := getenv("MINIBASE_FUNCTIONS_MEMORY"); v != "" {
		n, err := parseSize(v)
		if err != nil || n < 64<<20 {
			return c, fmt.Errorf("MINIBASE_FUNCTIONS_MEMORY must be a size of at least 64MiB, like 2GiB, got %q", v)
		}
		c.Memory = n
	}
	if getenv("MINIBASE_FUNCTIONS_ASYNC_RETRIES") != "" && c.AsyncRetries == 0 { // "0", "00", "+0"
		c.AsyncRetries = -1 // functions.AsyncOptions: negative means none
	}
	if v := getenv("MINIBASE_FUNCTIONS_RETRY_BACKOFF"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Millisecond || d > time.Hour {
			return c, fmt.Errorf("MINIBASE_FUNCTIONS_RETRY_BACKOFF must be a duration from 1ms to 1h, got %q", v)
		}
		c.RetryBackoff = d
	}
	if c.Log != "errors" && c.Log != "all" && c.Log != "off" {
		return c, fmt.Errorf("MINIBASE_FUNCTIONS_LOG must be errors, all or off, got %q", c.Log)
	}
	if err := parseFnLogs(getenv, &c); err != nil {
		return c, err
	}
	tz := envOr(getenv, "MINIBASE_TIMER_TZ", "Asia/Shanghai")
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return c, fmt.Errorf("MINIBASE_TIMER_TZ must be a time zone such as Asia/Shanghai or UTC, got %q", tz)
	}
	c.TimerTZ = loc
	c.Fetch.Allow = list(getenv("MINIBASE_FETCH_ALLOW"))
	c.Fetch.Deny = list(getenv("MINIBASE_FETCH_DENY"))
	c.Fetch.AllowPrivate = list(getenv("MINIBASE_FETCH_ALLOW_PRIVATE"))
	return c, nil
}

func list(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// openFunctions opens <dir>/functions and the runtime over it. Functions
// see MINIBASE_ENV (Config.Storage.Env, the env id of fileIDs) as their
// environment, and object storage (opened first) through wx-server-sdk.
func (m *Main) openFunctions() error {
	dir, err := functions.OpenDir(filepath.Join(m.Config.Dir, "functions"))
	if err != nil {
		return err
	}
	if err := m.openFnLogs(context.Background()); err != nil {
		return err
	}
	c := m.Config.Functions
	opts := functions.Options{
		Env: m.Config.Storage.Env, AppID: m.Config.Auth.Providers.WeChat.AppID, Concurrency: c.Concurrency, Queue: c.Queue,
		Fetch: c.Fetch, Async: functions.AsyncOptions{Retries: c.AsyncRetries, Backoff: c.RetryBackoff},
		Logs: m.logSinks(), Outcomes: m.fnLogs, Files: m.files, MaxMemory: c.Memory,
	}
	m.fnDir = dir
	m.functions, err = functions.New(dir, m.db, opts)
	if err != nil {
		return err
	}
	loc := c.TimerTZ
	if loc == nil {
		loc = time.FixedZone("UTC+8", 8*60*60)
	}
	m.triggers = functions.NewTriggers(m.functions, dir, dir, loc)
	m.openDBTriggers()
	return m.triggers.Refresh(context.Background(), time.Now())
}

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

// functionsStatus maps functions error codes to HTTP statuses.
var functionsStatus = map[string]int{
	functions.CodeInvalidParam:     400,
	functions.CodeNotFound:         404,
	functions.CodeExecuteFail:      500,
	functions.CodeResultTooLarge:   500,
	functions.CodeEventTooLarge:    413,
	functions.CodeBusy:             429,
	functions.CodePermissionDenied: 403,
	functions.CodeNoInvocation:     404,
	functions.CodeUnavailable:      503,
	functions.CodeMethodNotAllowed: 405,
}
