package functions

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"minibase/auth"
	"minibase/db"

	"github.com/dlclark/regexp2/v2"
	"github.com/google/uuid"
)

// Options configure a Runtime. Zero values take the defaults.
type Options struct {
	Env          string        // getWXContext().ENV and cloud.DYNAMIC_CURRENT_ENV (default "minibase")
	AppID        string        // getWXContext().APPID: the mini-program's appid (WeChat, when set, overrides it)
	Concurrency  int           // invocations of one function running at once (default 32)
	Queue        int           // invocations of one function waiting for a slot (default 256); beyond, CodeBusy
	MaxEvent     int           // bytes of an event's JSON (default DefaultMaxEvent)
	MaxResult    int           // bytes of a result's JSON (default DefaultMaxResult)
	MaxLog       int           // bytes of console output kept per invocation (default 64 KiB)
	MaxCallDepth int           // functions calling functions, nested (default 8)
	IdleTTL      time.Duration // idle instances older than this are dropped (default 5 min)
	Fetch        FetchOptions
	Async        AsyncOptions
	Logs         LogSink      // receives every invocation's record; nil drops them
	Outcomes     OutcomeStore // keeps asynchronous invocations' outcomes; nil: the latest 10,000 in memory
	Files        Files        // wx-server-sdk's storage calls; nil: they fail with STORAGE_REQUEST_FAIL
	// OpenAPI is cloud.openapi's WeChat (a *wechat.Client); nil: its calls
	// fail saying MINIBASE_WECHAT_APPID and MINIBASE_WECHAT_SECRET are not set.
	OpenAPI OpenAPI
	// WeChat, when set, is read at every use instead of AppID and OpenAPI:
	// the server's, whose console can change the appid and secret while
	// it runs.
	WeChat WeChatApp
	// Accounts gives getOpenData the calling user's WeChat session key; nil:
	// it fails.
	Accounts Accounts
	// MaxMemory is the most memory all instances together may hold, in
	// bytes (default: half of the Go runtime's memory limit, GOMEMLIMIT,
	// when it is set, else 1 GiB). Beyond it, idle instances are dropped,
	// new invocations refused (CodeBusy) and the running instance holding
	// the most stopped (the watchdog's doc).
	MaxMemory int64
}

// WeChatApp is the mini-program the functions act for, asked at every
// use so that it can change while the runtime runs.
type WeChatApp interface {
	// App returns the appid (getWXContext().APPID, "" when none is set)
	// and cloud.openapi's client for it (nil when the appid and secret are
	// not set). A new appid or secret comes with a new client, which holds
	// no token of the previous app.
	App() (appID string, client OpenAPI)
}

// wechat returns the appid and cloud.openapi's client in force now.
func (rt *Runtime) wechat() (string, OpenAPI) {
	if rt.opts.WeChat != nil {
		return rt.opts.WeChat.App()
	}
	return rt.opts.AppID, rt.opts.OpenAPI
}

// appID returns the appid in force now.
func (rt *Runtime) appID() string {
	id, _ := rt.wechat()
	return id
}

// The defaults of Options.MaxEvent and Options.MaxResult.
const (
	DefaultMaxEvent  = 6 << 20 // bytes of an event's JSON, as CloudBase's
	DefaultMaxResult = 1 << 20 // bytes of a result's JSON, as CloudBase's
)

func (o Options) withDefaults() Options {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	if o.Env == "" {
		o.Env = "minibase"
	}
	def(&o.Concurrency, 32)
	def(&o.Queue, 256)
	def(&o.MaxEvent, DefaultMaxEvent)
	def(&o.MaxResult, DefaultMaxResult)
	def(&o.MaxLog, 64<<10)
	def(&o.MaxCallDepth, 8)
	if o.IdleTTL <= 0 {
		o.IdleTTL = 5 * time.Minute
	}
	if o.MaxMemory <= 0 {
		o.MaxMemory = 1 << 30
		if limit := debug.SetMemoryLimit(-1); limit < math.MaxInt64 {
			o.MaxMemory = limit / 2
		}
	}
	o.Fetch = o.Fetch.withDefaults()
	o.Async = o.Async.withDefaults()
	return o
}

// Runtime runs cloud functions. It is safe for concurrent use.
type Runtime struct {
	src   Source
	db    *db.Service
	opts  Options
	js    *scripts
	fetch *fetcher

	mu  sync.Mutex
	fns map[string]*function // the current version of each function seen

	wd      *watchdog
	workers *workers // run loops' Go work
	async   *asyncRunner
	closed  atomic.Bool
	stop    chan struct{}
	bg      sync.WaitGroup
	drains  sync.WaitGroup // finishLeft running; Add under mu while not closed
}

// regexpTimeout bounds one match of goja's backtracking regular
// expressions (regexp2, used for look-around and back-references), which
// an interrupt cannot stop; a longer match counts as no match. regexp2 only
// has a package-wide default, set once, before the first runtime compiles
// anything.
const regexpTimeout = 5 * time.Second

var setRegexpTimeout sync.Once

// New returns a Runtime that loads code from src and gives functions the
// database through dbs, as an admin (rules do not apply to functions).
// Close it when done.
func New(src Source, dbs *db.Service, opts Options) (*Runtime, error) {
	setRegexpTimeout.Do(func() { regexp2.DefaultMatchTimeout = regexpTimeout })
	js, err := compileScripts()
	if err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	f, err := newFetcher(opts.Fetch)
	if err != nil {
		return nil, err
	}
	wd, err := newWatchdog(opts.MaxMemory)
	if err != nil {
		return nil, err
	}
	r := &Runtime{src: src, db: dbs, opts: opts, js: js, fetch: f, fns: make(map[string]*function), stop: make(chan struct{}), wd: wd}
	r.workers = newWorkers(r.stop)
	r.async = newAsyncRunner(r)
	r.bg.Add(2)
	go func() { defer r.bg.Done(); r.wd.run(r.stop) }()
	go func() { defer r.bg.Done(); r.janitor() }()
	return r, nil
}

// Close stops background work: asynchronous invocations still waiting or
// retrying end as failed. Invocations must not be started after Close.
// Instances are closed (running ones when they end), which gives their
// heap tags back to the process's pool.
func (r *Runtime) Close() error {
	if r.closed.Swap(true) {
		return nil
	}
	close(r.stop)
	r.wd.interruptAll(Errorf(CodeUnavailable, "the server is shutting down"))
	r.mu.Lock() // no drain starts after this (drainStarts)
	r.mu.Unlock()
	r.drains.Wait()
	r.async.close()
	r.bg.Wait()
	r.mu.Lock()
	for _, fn := range r.fns {
		fn.retire()
	}
	r.mu.Unlock()
	return nil
}

// Invocation says who calls and from where; the caller's identity rides
// in the context (auth.FromContext).
type Invocation struct {
	RequestID string // the invocation's id; generated when empty
	Source    string // getWXContext().SOURCE; default "wx_client" for end users, "wx_http" otherwise
	ClientIP  string // getWXContext().CLIENTIP
	// BaseURL is scheme://host of the HTTP request that started the
	// invocation: the base of getTempFileURL's URLs when storage has no
	// public URL (without either, they are relative: /f/…).
	BaseURL string
	depth   int // nested callFunction depth
	// spans, when the runtime built the event itself (an HTTP access
	// event, appendEvent), is where its members' values are, in
	// httpEventKeys' order: the event is valid JSON and is read lazily
	// without being checked or split again.
	spans [][2]int
}

// Result is what a successful invocation returned.
type Result struct {
	RequestID string
	Value     []byte // JSON of main's result ("null" for undefined)
	Duration  time.Duration
	Logs      []LogLine // the invocation's console output
}

// NewRequestID returns a new invocation id: a UUID, as CloudBase's, of
// version 7 (random, in time order), so that the log store's index on
// requestIds grows at its end instead of at random places, which made
// storing a record 30-50% dearer.
func NewRequestID() string { return uuid.Must(uuid.NewV7()).String() }

// Invoke runs the function called name with event (JSON; empty means {})
// and returns its result when main settles; Go work main started and did
// not await (a database call, fetch, storage call or callFunction) goes on
// after, up to the invocation's deadline, on the same instance, which no
// other invocation uses meanwhile (finishLeft). Errors are *Error: CodeNotFound, CodeBusy,
// CodeEventTooLarge, CodeExecuteFail (the function threw, rejected, timed
// out, ran out of memory or returned a promise that can never settle),
// CodeResultTooLarge; each carries the invocation's RequestID.
func (r *Runtime) Invoke(ctx context.Context, name string, event []byte, inv Invocation) (*Result, error) {
	res, err := r.invokeLogged(ctx, name, event, inv)
	if err != nil {
		return nil, err
	}
	return res, nil
}

// invokeLogged is Invoke, whose Result (its RequestID, Duration and Logs)
// comes with an error too: the console's run shows a failed run's output.
func (r *Runtime) invokeLogged(ctx context.Context, name string, event []byte, inv Invocation) (*Result, error) {
	if inv.RequestID == "" {
		inv.RequestID = NewRequestID()
	}
	id := auth.FromContext(ctx)
	c := &call{id: id, requestID: inv.RequestID, source: inv.Source, clientIP: inv.ClientIP, baseURL: inv.BaseURL, depth: inv.depth,
		eventSpans: inv.spans, start: time.Now(), logs: logBuffer{max: r.opts.MaxLog}}
	if c.source == "" {
		c.source = "wx_http"
		if id.Role == auth.User {
			c.source = "wx_client"
		}
	}
	out, fn, cold, err := r.invoke(ctx, name, event, c)
	dur := time.Since(c.start)
	rec := &LogRecord{RequestID: c.requestID, Function: name, OpenID: id.OpenID, Source: c.source, Start: c.start,
		Duration: dur, Status: StatusOK, ColdStart: cold}
	if fn != nil {
		rec.Version, rec.MemoryMB = fn.code.Version, fn.code.Config.MemoryMB
	}
	if err != nil {
		var fe *Error
		if !errors.As(err, &fe) {
			fe = Errorf(CodeUnavailable, "%v", err)
		}
		fe.RequestID = c.requestID
		rec.Status, rec.Error, rec.ErrCode = StatusError, fe.Message, fe.ErrCode
		err = fe
	}
	lines := r.recordWhenDone(ctx, c, rec)
	return &Result{RequestID: c.requestID, Value: out, Duration: dur, Logs: lines}, err
}

// recordWhenDone records rec once c is over and returns the lines c logged
// before main settled. The record of an invocation whose main left work
// running (finishLeft) waits for that work, so it holds the lines logged
// meanwhile and says what was dropped; the caller does not wait.
func (r *Runtime) recordWhenDone(ctx context.Context, c *call, rec *LogRecord) []LogLine {
	if c.left == nil {
		rec.Lines, rec.Memory = c.logs.finish(), c.memory()
		r.record(ctx, rec)
		return rec.Lines
	}
	go func() {
		<-c.left
		rec.Lines, rec.Memory = c.logs.finish(), c.memory()
		r.record(context.WithoutCancel(ctx), rec)
	}()
	return c.early
}

func (r *Runtime) record(ctx context.Context, rec *LogRecord) {
	if r.opts.Logs != nil {
		r.opts.Logs.Write(ctx, rec)
	}
}

// invoke finds the function, waits for a slot, and runs the event on an
// idle instance or a new one.
func (r *Runtime) invoke(ctx context.Context, name string, event []byte, c *call) ([]byte, *function, bool, error) {
	if r.closed.Load() {
		return nil, nil, false, Errorf(CodeUnavailable, "the functions runtime is shut down")
	}
	if !validName(name) {
		return nil, nil, false, checkName(name)
	}
	if len(event) > r.opts.MaxEvent {
		return nil, nil, false, Errorf(CodeEventTooLarge, "the event is %d bytes of JSON, more than %d", len(event), r.opts.MaxEvent)
	}
	if len(event) == 0 {
		event = []byte("{}")
	}
	if c.depth > r.opts.MaxCallDepth {
		return nil, nil, false, Errorf(CodeExecuteFail, "callFunction nested more than %d deep (a function calling itself without end?)", r.opts.MaxCallDepth)
	}
	code, err := r.src.Load(ctx, name)
	if errors.Is(err, ErrNotFound) {
		return nil, nil, false, Errorf(CodeNotFound, "function %q does not exist (deploy it to functions/%s/index.js)", name, name)
	}
	if err != nil {
		return nil, nil, false, err
	}
	fn := r.function(code)
	if r.wd.full.Load() {
		return nil, fn, false, Errorf(CodeBusy, "the server's functions hold all the memory they may (%d MB, MINIBASE_FUNCTIONS_MEMORY); try again later", r.opts.MaxMemory>>20)
	}
	if err := fn.acquire(ctx, r.opts.Queue); err != nil {
		return nil, fn, false, err
	}
	in := fn.take()
	cold := in == nil
	if cold {
		in = r.newInstance(fn)
	}
	out, err := r.run(ctx, in, c, event)
	if c.left == nil {
		r.release(fn, in)
		return out, fn, cold, err
	}
	// The work main left keeps the instance, and its slot, until it is
	// done: the next invocation runs on another instance.
	n := len(c.logs.lines)
	c.early = c.logs.lines[:n:n] // what finishLeft logs goes after them
	go func() {
		defer r.drains.Done()
		r.finishLeft(in, c)
		r.release(fn, in)
		close(c.left)
	}()
	return out, fn, cold, err
}

// release gives back in, after an invocation, and its slot.
func (r *Runtime) release(fn *function, in *instance) {
	in.lastUsed = time.Now()
	fn.put(in)
	<-fn.slots
}

// validName is ValidName without a regular expression (every call checks
// the name it is given).
func validName(name string) bool {
	if len(name) == 0 || len(name) > 60 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (i == 0 || !(c >= '0' && c <= '9' || c == '_' || c == '-')) {
			return false
		}
	}
	return true
}

// errTimedOut is the cause of an invocation's context when its function's
// timeout passes; errCallerDeadline when its caller's deadline comes first.
var (
	errTimedOut       = errors.New("function timed out")
	errCallerDeadline = context.DeadlineExceeded
)

// run runs one invocation on in, under the function's timeout (or the
// caller's deadline, when sooner): the instance's timer interrupts the VM
// then, and the watchdog may interrupt it for memory. An interrupted
// instance is not used again. All of it runs under the instance's heap
// tag, so what its JavaScript allocates is charged to it.
func (r *Runtime) run(ctx context.Context, in *instance, c *call, event []byte) ([]byte, error) {
	c.parent, c.inst = ctx, in
	c.deadline, c.cause = time.Now().Add(in.fn.code.Config.Timeout), errTimedOut // from now: waiting for a slot does not count
	if d, ok := ctx.Deadline(); ok && d.Before(c.deadline) {
		c.deadline, c.cause = d, errCallerDeadline
	}
	in.cur = c
	in.arm(c)
	r.wd.add(c)
	var out []byte
	var err error
	var fe *Error
	in.js.Add(1)
	tagged(in.tag, func() {
		out, err = in.safeRun(c, event)
		if err != nil {
			fe = in.safeDescribe(err, c) // still under the deadline and the watchdog: it may run the function's getters
		}
	})
	in.js.Add(1)
	if in.loop.inflight > 0 && in.loop.failure == nil && !fatal(err) && r.drainStarts() {
		c.left = make(chan struct{})
	} else {
		r.end(in, c, err)
	}
	if fe != nil {
		return nil, fe
	}
	return out, nil
}

// end ends the invocation c on in.
func (r *Runtime) end(in *instance, c *call, err error) {
	killed := r.wd.remove(c)
	if !in.disarm() || killed || in.loop.failure != nil || fatal(err) {
		in.broken = true // interrupted (or about to be), or its state is suspect
	}
	in.loop.reset()
	c.release()
	in.cur = nil
}

// drainStarts counts a finishLeft about to start, unless the runtime is
// closing (then the work main left is dropped at once).
func (r *Runtime) drainStarts() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed.Load() {
		return false
	}
	r.drains.Add(1)
	return true
}

// finishLeft runs in's event loop after main settled and its caller was
// answered, as CloudBase's instance keeps running briefly after the
// response: the Go work main started and did not wait for (a remove()
// fired and forgotten, a fetch) finishes, and the callbacks waiting for it
// run, until none is in flight or the invocation's deadline passes; what
// is still running then is dropped, with a line in the invocation's log.
// Timers do not keep it waiting (those due meanwhile run). Then the
// invocation ends.
func (r *Runtime) finishLeft(in *instance, c *call) {
	var err error
	in.loop.draining = true
	in.js.Add(1)
	tagged(in.tag, func() { err = in.safeLoop(c) })
	in.js.Add(1)
	if n := in.loop.inflight + in.loop.dropped; n > 0 {
		in.log("warn", fmt.Sprintf("[minibase] %d operation(s) the function started and did not await were still running when its time ran out (%v), and were dropped", n, describeStop(cmp.Or(err, *in.cause.Load()))))
	} else if err != nil {
		in.log("error", "[minibase] after main returned: "+describeStop(err))
	}
	r.end(in, c, err)
}

// safeLoop runs the loop until no Go work is in flight; a Go panic ends
// it (and the instance).
func (in *instance) safeLoop(c *call) (err error) {
	defer func() {
		if p := recover(); p != nil {
			in.broken = true
			err = fmt.Errorf("internal error in the functions runtime: %v", p)
		}
	}()
	return in.loop.run(context.Background(), in.expired, func() bool { return in.loop.inflight == 0 })
}

// describeStop says why finishLeft stopped.
func describeStop(err error) string {
	switch {
	case err == nil:
		return "done"
	case errors.Is(err, errTimedOut):
		return "its timeout"
	case errors.Is(err, context.DeadlineExceeded):
		return "its caller's deadline"
	}
	var fe *Error
	if errors.As(err, &fe) {
		return fe.Message
	}
	return err.Error()
}

// safeDescribe is describe, where a Go panic makes an internal error.
func (in *instance) safeDescribe(err error, c *call) (fe *Error) {
	defer func() {
		if p := recover(); p != nil {
			in.broken = true
			fe = Errorf(CodeExecuteFail, "internal error in the functions runtime: %v", p)
		}
	}()
	return in.describe(err, c)
}

// safeRun loads the instance when needed and runs the invocation. A Go
// panic in a binding ends the invocation (and the instance), not the
// server.
func (in *instance) safeRun(c *call, event []byte) (out []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			in.broken = true
			out, err = nil, fmt.Errorf("internal error in the functions runtime: %v", p)
		}
	}()
	if !in.loaded {
		if err := in.load(); err != nil {
			in.broken = true
			return nil, err
		}
	}
	return in.run(c, event)
}

// fatal reports errors after which an instance is not reused.
func fatal(err error) bool {
	if err == nil { // first: fe below escapes, and most calls succeed
		return false
	}
	var fe *Error
	if errors.As(err, &fe) && fe.Code != CodeExecuteFail {
		return false
	}
	var th *thrown
	return !errors.As(err, &th) && !isException(err)
}
