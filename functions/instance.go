package functions

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"minibase/auth"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/buffer"
	"github.com/dop251/goja_nodejs/require"
	"github.com/go-json-experiment/json/jsontext"
)

// maxCallStack bounds JavaScript recursion: deeper calls end the
// invocation with "Maximum call stack size exceeded" (Node allows about
// 11,000 frames).
const maxCallStack = 10000

// instance is one JavaScript runtime running one version of one function:
// its module state (top-level variables, closures, require cache) lives as
// long as the instance, as in a warm Node container. It runs one invocation
// at a time.
type instance struct {
	rt   *Runtime
	fn   *function
	vm   *goja.Runtime
	loop *loop
	req  *require.RequireModule

	main       goja.Callable
	dateCtor   goja.Constructor // Date
	intrinsics intrinsics

	task   goja.Callable // runs the last of tasks: see inVM
	tasks  []vmTask
	noop   goja.Callable // see poll
	writer *jsonWriter   // a spare one: see newJSONWriter
	// jsonDec is a spare decoder for fromJSON and fromDB, nil while one
	// of them runs (the geo callback of one may need another).
	jsonDec *jsontext.Decoder

	crypto     goja.Value            // require('crypto'), made on first use
	sdkExports *goja.Object          // the SDK bundle's exports (wx-server-sdk, node-sdk), run on first use
	wxsdk      goja.Value            // require('wx-server-sdk'), made on first use
	nodesdk    goja.Value            // require('@cloudbase/node-sdk'), made on first use
	tcbadmin   goja.Value            // require('tcb-admin-node'), made on first use
	node       map[string]goja.Value // js/node/ files run so far, by file: their exports (bind_node.go)
	nodeReq    goja.Value            // their require
	whatwg     *goja.Object          // goja_nodejs's url module: URL, URLSearchParams
	made       time.Time             // process.hrtime() counts from here
	pid        int                   // process.pid

	cur      *call // the running invocation; nil between invocations
	loaded   bool  // index.js ran
	broken   bool  // interrupted or failed while loading: never run it again
	closed   bool  // retired (idle too long, a newer version, broken): never run again
	lastUsed time.Time

	tag int           // its heap tag: what its code allocates is charged to it (watchdog)
	js  atomic.Uint32 // odd while its JavaScript runs: bumped on entering and on leaving (watchdog)

	timer   *time.Timer           // interrupts the VM at the running invocation's deadline
	cause   atomic.Pointer[error] // the error the timer (or the watchdog) interrupts with
	expired chan struct{}         // signalled by the timer (or the watchdog), for the event loop
}

// context returns the context of the invocation's Go work: the caller's
// values, ending at the deadline or when the invocation ends (release). It
// does not end with the caller's context: the work main did not await goes
// on after the caller has its answer (finishLeft), and while main runs, a
// caller that goes away ends the invocation, and so its work. It is made
// only when Go work needs one (most calls never do).
func (c *call) context() context.Context {
	if c.ctx == nil {
		c.ctx, c.cancel = context.WithDeadlineCause(context.WithoutCancel(c.parent), c.deadline, c.cause)
	}
	return c.ctx
}

// release ends the invocation's Go work.
func (c *call) release() {
	if c.cancel != nil {
		c.cancel()
	}
}

// arm starts the instance's timer for c's deadline.
func (in *instance) arm(c *call) {
	in.cause.Store(&c.cause)
	d := time.Until(c.deadline)
	if in.timer == nil {
		in.expired = make(chan struct{}, 1)
		in.timer = time.AfterFunc(d, func() {
			in.vm.Interrupt(*in.cause.Load())
			select {
			case in.expired <- struct{}{}:
			default:
			}
		})
		return
	}
	in.timer.Reset(d)
}

// disarm stops the timer; false means it fired (or is firing), so the VM
// may be interrupted: the instance must not be reused.
func (in *instance) disarm() bool { return in.timer.Stop() }

// interrupt ends the running invocation with err before its deadline (the
// watchdog, from its goroutine): its JavaScript is interrupted, and its
// event loop stops waiting if it was. The instance must not be reused.
func (in *instance) interrupt(err *Error) {
	var e error = err
	in.cause.Store(&e)
	in.vm.Interrupt(err)
	select {
	case in.expired <- struct{}{}:
	default:
	}
}

// close ends an instance that will not run again (between invocations):
// its timer is stopped and whatever its last invocation left on the loop
// is dropped, so nothing keeps it, and its module state, alive; its heap
// tag is given back.
func (in *instance) close() {
	if in.timer != nil {
		in.timer.Stop()
	}
	in.loop.reset()
	in.closed = true
	in.rt.wd.release(in.tag)
}

// call is one invocation's state, seen by the bindings.
type call struct {
	parent    context.Context // the caller's: identity, cancellation
	deadline  time.Time       // the function's timeout or the caller's deadline, whichever is first
	cause     error           // errTimedOut or errCallerDeadline: what passing the deadline means
	id        *auth.Identity
	requestID string
	source    string
	clientIP  string
	baseURL   string // Invocation.BaseURL
	depth     int    // nested callFunction depth
	// eventSpans: the event is an HTTP access event the runtime built, its
	// members' values at these spans (Invocation.spans).
	eventSpans [][2]int
	start      time.Time
	logs       logBuffer
	inst       *instance
	stopped    bool   // by the watchdog (watchdog.mu)
	memPeak    uint64 // the most its instance held while it ran, as measured (watchdog.mu)

	ctx    context.Context // of its Go work (database, fetch, calls), made on first use
	cancel context.CancelFunc
	left   chan struct{} // closed when the work main left behind is done or dropped (nil: none was left)
	early  []LogLine     // with left: the lines logged before main settled
}

// newInstance builds a runtime with every binding, under a heap tag of
// its own; the function's own code runs later, in load, under the
// invocation's deadline.
func (r *Runtime) newInstance(fn *function) *instance {
	in := &instance{rt: r, fn: fn, made: time.Now(), pid: newPID()}
	in.tag = r.wd.assign(in, uint64(fn.code.Config.MemoryMB)<<20)
	tagged(in.tag, in.build)
	return in
}

func (in *instance) build() {
	vm := goja.New()
	vm.SetMaxCallStackSize(maxCallStack)
	in.vm = vm
	in.loop = newLoop(vm, in)
	in.req = in.fn.registry.Enable(vm)
	in.dateCtor, _ = goja.AssertConstructor(vm.Get("Date"))
	in.bindInterrupts()
	in.bindRequire()
	buffer.Enable(vm)
	in.bindURL()
	in.bindConsole()
	in.bindTimers()
	in.bindProcess()
	in.bindText()
	in.bindCrypto()
}

// load runs the prelude and the function's index.js and finds main.
func (in *instance) load() error {
	in.loaded = true
	if err := in.runPrelude(); err != nil {
		return err
	}
	exports, err := in.req.Require("/index.js")
	if err != nil {
		return err
	}
	obj, _ := exports.(*goja.Object)
	if obj != nil {
		in.main, _ = goja.AssertFunction(obj.Get("main"))
	}
	if in.main == nil {
		return Errorf(CodeExecuteFail, "index.js must export a main function: exports.main = async (event, context) => { … }")
	}
	return nil
}

// run calls main with the event and waits for its result: the JSON of what
// it returned, or resolved with when it returned a promise.
func (in *instance) run(c *call, event []byte) ([]byte, error) {
	ev, err := in.eventValue(c, event)
	if err != nil {
		if ie := (*goja.InterruptedError)(nil); errors.As(err, &ie) {
			return nil, err // the deadline, or the memory watchdog, while the event was read
		}
		return nil, Errorf(CodeInvalidParam, "the event is not valid JSON: %v", err)
	}
	if c.id.Role == auth.User {
		if o, ok := ev.(*goja.Object); ok && o.ClassName() == "Object" { // wx.cloud adds the caller to the event
			o.Set("userInfo", map[string]any{"appId": in.rt.appID(), "openId": c.id.OpenID})
		}
	}
	ret, err := in.main(goja.Undefined(), ev, in.contextObject(c))
	if err != nil {
		return nil, err
	}
	if o, ok := ret.(*goja.Object); ok && o.ExportType() == promiseType {
		if p, ok := o.Export().(*goja.Promise); ok {
			err := in.loop.run(c.parent, in.expired, func() bool { return p.State() != goja.PromiseStatePending })
			if err != nil {
				return nil, err
			}
			if p.State() == goja.PromiseStateRejected {
				return nil, &thrown{v: p.Result()}
			}
			ret = p.Result()
		}
	}
	if in.loop.failure != nil {
		return nil, in.loop.failure
	}
	return in.result(ret)
}

var promiseType = reflect.TypeOf((*goja.Promise)(nil))

// result returns the JSON of v ("null" for undefined), as JSON.stringify
// writes it, under the invocation's deadline (a toJSON or a getter is the
// function's code) and without writing more than MaxResult bytes.
func (in *instance) result(v goja.Value) ([]byte, error) {
	max := in.rt.opts.MaxResult
	w := in.newJSONWriter(max)
	w.input = v
	err := in.inVM(w)
	out, present, over := w.out, w.present, w.over
	w.out = nil // the caller's now
	in.freeJSONWriter(w)
	if ex, ok := err.(*goja.Exception); ok {
		var text string
		if err := in.inVM(vmFunc(func() { text = cut(ex.Value().String(), maxErrorMessage) })); err != nil {
			return nil, unreadable(err)
		}
		return nil, Errorf(CodeExecuteFail, "main's result cannot be turned into JSON: %s", text)
	}
	switch {
	case err != nil:
		return nil, err
	case over:
		return nil, Errorf(CodeResultTooLarge, "cloudfunction result size exceed limit: the result is more than %d bytes of JSON", max)
	case !present:
		return []byte("null"), nil
	}
	return out, nil
}

// contextObject is main's second argument, SCF's context: a dynamic
// object (one allocation instead of a property map per call) that holds
// the invocation's fields and takes whatever the function sets on it.
func (in *instance) contextObject(c *call) *goja.Object {
	return in.vm.NewDynamicObject(&contextFields{in: in, requestID: c.requestID})
}

// contextKeys are SCF's context fields, in order.
var contextKeys = []string{"request_id", "function_name", "function_version", "namespace", "memory_limit_in_mb",
	"time_limit_in_ms", "callbackWaitsForEmptyEventLoop", "environment"}

type contextFields struct {
	in        *instance
	requestID string
	set       map[string]goja.Value // assigned by the function
	deleted   map[string]bool
}

var _ goja.DynamicObject = (*contextFields)(nil)

func (f *contextFields) Get(key string) goja.Value {
	if v, ok := f.set[key]; ok {
		return v
	}
	if f.deleted[key] {
		return nil
	}
	vm, code := f.in.vm, f.in.fn.code
	switch key {
	case "request_id":
		return vm.ToValue(f.requestID)
	case "function_name":
		return vm.ToValue(code.Name)
	case "function_version":
		return vm.ToValue(code.Version)
	case "namespace":
		return vm.ToValue(f.in.rt.opts.Env)
	case "memory_limit_in_mb":
		return vm.ToValue(code.Config.MemoryMB)
	case "time_limit_in_ms":
		return vm.ToValue(code.Config.Timeout.Milliseconds())
	case "callbackWaitsForEmptyEventLoop":
		return vm.ToValue(false)
	case "environment":
		return vm.ToValue(f.in.fn.envJSON)
	}
	return nil
}

func (f *contextFields) Set(key string, v goja.Value) bool {
	if f.set == nil {
		f.set = make(map[string]goja.Value)
	}
	f.set[key] = v
	delete(f.deleted, key)
	return true
}

func (f *contextFields) Has(key string) bool { return f.Get(key) != nil }

func (f *contextFields) Delete(key string) bool {
	delete(f.set, key)
	if f.deleted == nil {
		f.deleted = make(map[string]bool)
	}
	f.deleted[key] = true
	return true
}

func (f *contextFields) Keys() []string {
	var keys []string
	for _, k := range contextKeys {
		if !f.deleted[k] {
			keys = append(keys, k)
		}
	}
	for k := range f.set {
		if !slices.Contains(contextKeys, k) {
			keys = append(keys, k)
		}
	}
	return keys
}

// thrown is a JavaScript value a function threw or rejected with.
type thrown struct{ v goja.Value }

// Error says what was thrown without running the function's code (an
// object's toString): describe reads it, under the deadline.
func (t *thrown) Error() string {
	if _, ok := t.v.(*goja.Object); ok || t.v == nil {
		return "uncaught exception"
	}
	return t.v.String()
}

// maxErrorMessage bounds the message of a failed invocation.
const maxErrorMessage = 4 << 10

// describe turns what ended an invocation into the error its caller sees.
// It runs before the invocation's deadline is disarmed: reading a thrown
// value runs the function's code (a stack or message getter, a toString, a
// Proxy's traps), which the deadline must stop as any other.
func (in *instance) describe(err error, c *call) *Error {
	var fe *Error
	var ex *goja.Exception
	var th *thrown
	var ie *goja.InterruptedError
	var so *goja.StackOverflowError
	var msg string
	switch {
	case errors.As(err, &fe):
		cp := *fe // shared errors (CodeUnavailable at shutdown)
		return &cp
	case errors.As(err, &ie):
		if e, ok := ie.Value().(error); ok {
			return in.describe(e, c)
		}
		msg = fmt.Sprint(ie.Value())
	case errors.As(err, &so):
		msg = "RangeError: Maximum call stack size exceeded"
	case errors.As(err, &th) || errors.As(err, &ex):
		v := th.value()
		if ex != nil {
			v = ex.Value()
		}
		text, err := in.errorText(v)
		if err != nil {
			return in.describe(unreadable(err), c)
		}
		msg = text
	case errors.Is(err, errTimedOut):
		msg = fmt.Sprintf("Task timed out after %s (the function's timeout; config.json \"timeout\" raises it)", seconds(in.fn.code.Config.Timeout))
	case errors.Is(err, context.DeadlineExceeded):
		msg = "Task timed out: its caller's deadline passed first (for HTTP calls, the server's request timeout)"
	case errors.Is(err, context.Canceled):
		msg = "the invocation was canceled: its caller went away"
	default:
		msg = err.Error()
	}
	return Errorf(CodeExecuteFail, "%s", cut(msg, maxErrorMessage))
}

func (t *thrown) value() goja.Value {
	if t == nil {
		return nil
	}
	return t.v
}

// unreadable is what reading a thrown value failed with: an interrupt (the
// deadline passed while its getters ran) as it is, an exception (its
// toString threw too) as a plain error.
func unreadable(err error) error {
	if isUncatchable(err) {
		return err
	}
	return errors.New("uncaught exception (reading it threw another)")
}

// errorText is how a thrown value reads: an Error's stack (which starts
// with its name and message), else its JSON, else its string; at most
// maxErrorMessage bytes or so. It runs the function's code (getters,
// toJSON, toString) in the VM: an exception or interrupt is the error.
func (in *instance) errorText(v goja.Value) (text string, err error) {
	err = in.inVM(vmFunc(func() { text = in.errorString(v, maxErrorMessage) }))
	return text, err
}

// errorString is errorText in the VM, cut at about max bytes.
func (in *instance) errorString(v goja.Value, max int) string {
	if v == nil {
		return "undefined"
	}
	if o, ok := v.(*goja.Object); ok {
		if st := o.Get("stack"); st != nil && !goja.IsUndefined(st) {
			return strings.TrimRight(cut(hideGoNames(st.String()), max), "\n")
		}
		w := in.newJSONWriter(max)
		b, present, over := w.write(v)
		in.freeJSONWriter(w)
		switch {
		case over:
			return string(b) + "…"
		case present:
			return string(b)
		}
	}
	return cut(v.String(), max)
}

// goFrame is a stack frame of a function the runtime made from Go: goja
// names those by their Go name ("minibase/functions.(*instance)…"), which
// says nothing to the function's author and describes the server to
// whoever its errors reach. JavaScript names never hold a slash.
var goFrame = regexp.MustCompile(`at [^\s()]*/[^\s]* \(native\)`)

// hideGoNames names the Go-made frames of a stack as Node names frames it
// cannot name.
func hideGoNames(stack string) string {
	if !strings.Contains(stack, "/") {
		return stack
	}
	return goFrame.ReplaceAllLiteralString(stack, "at <anonymous> (native)")
}

// cut returns s, or its first max bytes (a whole UTF-8 sequence) and "…".
func cut(s string, max int) string {
	if len(s) <= max {
		return s
	}
	for max > 0 && !utf8.RuneStart(s[max]) {
		max--
	}
	return s[:max] + "…"
}

func seconds(d time.Duration) string {
	switch {
	case d == time.Second:
		return "1 second"
	case d%time.Second == 0:
		return fmt.Sprintf("%d seconds", int(d/time.Second))
	}
	return d.String()
}
