package server

import (
	"errors"
	"strconv"
	"time"

	"minibase/functions"
)

// MemProfileRate is the heap profiling rate functions' memory budgets are
// measured with (functions.MemProfileRate): a program serving functions
// sets runtime.MemProfileRate to it first thing in main, as minibase's
// does. Under Go's default budgets hold with a wider margin; with
// profiling off they are not enforced.
const MemProfileRate = functions.MemProfileRate

// FunctionsConfig is cloud functions' part of Config.
type FunctionsConfig struct {
	Concurrency  int           // running invocations per function; 0: the runtime's default (32)
	Queue        int           // waiting invocations per function; 0: the runtime's default (256)
	Memory       int64         // the most all functions together may hold; 0: the runtime's default (half of GOMEMLIMIT, else 1 GiB)
	AsyncRetries int           // retries of a failed async invocation; 0: the default (2), negative: none
	AsyncPerUser int           // pending async invocations per caller; 0: the default (100, a tenth of the queue)
	RetryBackoff time.Duration // first retry's delay, doubling; 0: the default (1s)
	Log          string        // in the server log: errors, all or off
	LogStore     string        // records kept in functions.db: all, errors or off
	LogAge       time.Duration // invocation records kept this long
	LogSize      int64         // size cap of functions.db
	Fetch        functions.FetchOptions
	TimerTZ      *time.Location // the time zone of timer triggers' cron; nil: UTC+8
	// Shared keeps the functions' versions in the database and their code
	// in the file store, for nodes that share both (a cluster): not a
	// setting; on PostgreSQL (MINIBASE_DATABASE) the server shares them
	// whatever this says (functions.Shared).
	Shared bool
}

func (c *FunctionsConfig) settings() []setting {
	return []setting{
		{env: "MINIBASE_FUNCTIONS_CONCURRENCY", usage: "running invocations per function (default 32)", set: integer(&c.Concurrency, 1, 10000)},
		{env: "MINIBASE_FUNCTIONS_QUEUE", usage: "invocations waiting per function; beyond, 429 (default 256)", set: integer(&c.Queue, 1, 1000000)},
		{env: "MINIBASE_FUNCTIONS_MEMORY", usage: "the most memory all functions together may hold, e.g. 2GiB (default: half of GOMEMLIMIT when set, else 1GiB)",
			set: size(&c.Memory, 64<<20, 1<<50)},
		{env: "MINIBASE_FUNCTIONS_ASYNC_RETRIES", usage: "retries of a failed asynchronous invocation (default 2)",
			set: func(v string) error {
				n, err := strconv.Atoi(v)
				if err != nil || n < 0 || n > 100 {
					return errors.New("must be a number from 0 to 100")
				}
				if n == 0 {
					n = -1 // functions.AsyncOptions: negative means none
				}
				c.AsyncRetries = n
				return nil
			}},
		{env: "MINIBASE_FUNCTIONS_ASYNC_PER_USER", usage: "pending asynchronous invocations one user may have (anonymous users: also one address); beyond, 429 (default 100 of the 1000 queued)",
			set: integer(&c.AsyncPerUser, 1, 1000)},
		{env: "MINIBASE_FUNCTIONS_RETRY_BACKOFF", usage: "delay before the first retry, doubling (default 1s)",
			set: duration(&c.RetryBackoff, time.Millisecond, time.Hour)},
		{env: "MINIBASE_FUNCTIONS_LOG", def: "errors", usage: "functions' console output in the server log: errors (failed invocations), all, or off " +
			"(the log store keeps its own: MINIBASE_FUNCTIONS_LOG_STORE)", set: oneOf(&c.Log, "errors", "all", "off")},
		{env: "MINIBASE_FUNCTIONS_LOG_STORE", def: "all", usage: "invocation records kept in <dir>/functions.db: all, errors (failed ones), or off",
			set: oneOf(&c.LogStore, "all", "errors", "off")},
		{env: "MINIBASE_FUNCTIONS_LOG_AGE", def: "7d", usage: "invocation records kept this long, e.g. 36h",
			set: duration(&c.LogAge, time.Minute, 3650*24*time.Hour)},
		{env: "MINIBASE_FUNCTIONS_LOG_SIZE", def: "256MiB", usage: "size cap of <dir>/functions.db, where they are kept (the oldest go first)",
			set: size(&c.LogSize, 1<<20, 1<<50)},
		{env: "MINIBASE_TIMER_TZ", def: "Asia/Shanghai", usage: "time zone of timer triggers' cron (Asia/Shanghai is UTC+8, as CloudBase)",
			set: func(v string) error {
				loc, err := time.LoadLocation(v)
				if err != nil {
					return errors.New("must be a time zone such as Asia/Shanghai or UTC")
				}
				c.TimerTZ = loc
				return nil
			}},
		{env: "MINIBASE_FETCH_ALLOW", list: true, usage: `hosts functions may fetch, comma-separated ("*.example.com" for subdomains); empty: any public host`,
			set: commaList(&c.Fetch.Allow)},
		{env: "MINIBASE_FETCH_DENY", list: true, usage: "hosts functions may never fetch", set: commaList(&c.Fetch.Deny)},
		{env: "MINIBASE_FETCH_ALLOW_PRIVATE", list: true, usage: "private/loopback IPs or CIDRs functions may fetch (none by default), e.g. 10.0.0.0/8",
			set: commaList(&c.Fetch.AllowPrivate)},
	}
}
