package functions

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"minibase/auth"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/buffer"
	"github.com/dop251/goja_nodejs/require"
	"github.com/dop251/goja_nodejs/url"
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

	main      goja.Callable
	stringify goja.Callable    // JSON.stringify
	dateCtor  goja.Constructor // Date

	crypto goja.Value // require('crypto'), made on first use
	wxsdk  goja.Value // require('wx-server-sdk'), made on first use

	cur      *call // the running invocation; nil between invocations
	loaded   bool  // index.js ran
	broken   bool  // interrupted or failed while loading: never run it again
	lastUsed time.Time
}

// call is one invocation's state, seen by the bindings.
type call struct {
	ctx       context.Context // deadline; the caller's identity
	id        *auth.Identity
	requestID string
	source    string
	clientIP  string
	depth     int // nested callFunction depth
	start     time.Time
	logs      logBuffer
	heapStart uint64 // live heap when it started (watchdog)
	inst      *instance
}

// newInstance builds a runtime with every binding; the function's own code
// runs later, in load, under the invocation's deadline.
func (r *Runtime) newInstance(fn *function) *instance {
	vm := goja.New()
	vm.SetMaxCallStackSize(maxCallStack)
	in := &instance{rt: r, fn: fn, vm: vm, loop: newLoop(vm)}
	in.req = fn.registry.Enable(vm)
	in.stringify, _ = goja.AssertFunction(vm.Get("JSON").ToObject(vm).Get("stringify"))
	in.dateCtor, _ = goja.AssertConstructor(vm.Get("Date"))
	in.bindRequire()
	buffer.Enable(vm)
	url.Enable(vm)
	in.bindConsole()
	in.bindTimers()
	in.bindProcess()
	in.bindText()
	in.bindCrypto()
	return in
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
func (in *instance) run(ctx context.Context, c *call, event []byte) ([]byte, error) {
	ev, err := in.fromJSON(event)
	if err != nil {
		return nil, Errorf(CodeInvalidParam, "the event is not valid JSON: %v", err)
	}
	if c.id.Role == auth.User {
		if o, ok := ev.(*goja.Object); ok && o.ClassName() == "Object" { // wx.cloud adds the caller to the event
			o.Set("userInfo", map[string]any{"appId": in.rt.opts.AppID, "openId": c.id.OpenID})
		}
	}
	ret, err := in.main(goja.Undefined(), ev, in.contextObject(c))
	if err != nil {
		return nil, err
	}
	if o, ok := ret.(*goja.Object); ok {
		if p, ok := o.Export().(*goja.Promise); ok {
			err := in.loop.run(ctx, func() bool { return p.State() != goja.PromiseStatePending })
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

// result returns the JSON of v ("null" for undefined).
func (in *instance) result(v goja.Value) ([]byte, error) {
	s, err := in.stringify(goja.Undefined(), v)
	if err != nil {
		var ex *goja.Exception
		if errors.As(err, &ex) {
			return nil, Errorf(CodeExecuteFail, "main's result cannot be turned into JSON: %s", ex.Value().String())
		}
		return nil, err
	}
	if goja.IsUndefined(s) {
		return []byte("null"), nil
	}
	out := s.String()
	if max := in.rt.opts.MaxResult; len(out) > max {
		return nil, Errorf(CodeResultTooLarge, "cloudfunction result size exceed limit: the result is %d bytes of JSON, more than %d", len(out), max)
	}
	return []byte(out), nil
}

// contextObject is main's second argument, SCF's context.
func (in *instance) contextObject(c *call) *goja.Object {
	code := in.fn.code
	o := in.vm.NewObject()
	o.Set("request_id", c.requestID)
	o.Set("function_name", code.Name)
	o.Set("function_version", code.Version)
	o.Set("namespace", in.rt.opts.Env)
	o.Set("memory_limit_in_mb", code.Config.MemoryMB)
	o.Set("time_limit_in_ms", code.Config.Timeout.Milliseconds())
	o.Set("callbackWaitsForEmptyEventLoop", false)
	o.Set("environment", in.fn.envJSON)
	return o
}

// thrown is a JavaScript value a function threw or rejected with.
type thrown struct{ v goja.Value }

func (t *thrown) Error() string { return t.v.String() }

// maxErrorMessage bounds the message of a failed invocation.
const maxErrorMessage = 4 << 10

// describe turns what ended an invocation into the error its caller sees.
func (in *instance) describe(err error, c *call) *Error {
	var fe *Error
	var ex *goja.Exception
	var th *thrown
	var ie *goja.InterruptedError
	var so *goja.StackOverflowError
	var msg string
	switch {
	case errors.As(err, &fe):
		cp := *fe // errMemory is shared
		return &cp
	case errors.As(err, &ie):
		if e, ok := ie.Value().(error); ok {
			return in.describe(e, c)
		}
		msg = fmt.Sprint(ie.Value())
	case errors.As(err, &so):
		msg = "RangeError: Maximum call stack size exceeded"
	case errors.As(err, &th):
		msg = in.errorText(th.v)
	case errors.As(err, &ex):
		msg = in.errorText(ex.Value())
	case errors.Is(err, errTimedOut):
		msg = fmt.Sprintf("Task timed out after %s (the function's timeout; config.json \"timeout\" raises it)", seconds(in.fn.code.Config.Timeout))
	case errors.Is(err, context.DeadlineExceeded):
		msg = "Task timed out: its caller's deadline passed first (for HTTP calls, the server's request timeout)"
	case errors.Is(err, context.Canceled):
		msg = "the invocation was canceled: its caller went away"
	default:
		msg = err.Error()
	}
	if len(msg) > maxErrorMessage {
		msg = msg[:maxErrorMessage] + "…"
	}
	return Errorf(CodeExecuteFail, "%s", msg)
}

// errorText is how a thrown value reads: an Error's stack (which starts
// with its name and message), else its string.
func (in *instance) errorText(v goja.Value) string {
	if v == nil {
		return "undefined"
	}
	if o, ok := v.(*goja.Object); ok {
		if st := o.Get("stack"); st != nil && !goja.IsUndefined(st) {
			return strings.TrimRight(st.String(), "\n")
		}
		if s, err := in.stringify(goja.Undefined(), v); err == nil && !goja.IsUndefined(s) {
			return s.String()
		}
	}
	return v.String()
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
