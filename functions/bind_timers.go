package functions

import (
	"math"
	"time"

	"github.com/dop251/goja"
)

// bindTimers binds setTimeout, setInterval, setImmediate, their clear
// functions and queueMicrotask. Timers return Node's Timeout objects
// (ref, unref, hasRef; a number when coerced); every timer is cancelled
// when the invocation ends.
func (in *instance) bindTimers() {
	vm, l := in.vm, in.loop
	idKey := goja.NewSymbol("timerId")
	proto := vm.NewObject()
	idOf := func(v goja.Value) int64 {
		if o, ok := v.(*goja.Object); ok {
			if id := o.GetSymbol(idKey); id != nil {
				return id.ToInteger()
			}
			return 0
		}
		if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
			return 0
		}
		return v.ToInteger()
	}
	method := func(name string, fn func(this *goja.Object) goja.Value) {
		proto.Set(name, func(call goja.FunctionCall) goja.Value { return fn(call.This.ToObject(vm)) })
	}
	method("ref", func(this *goja.Object) goja.Value { l.setRef(idOf(this), true); return this })
	method("unref", func(this *goja.Object) goja.Value { l.setRef(idOf(this), false); return this })
	method("hasRef", func(this *goja.Object) goja.Value {
		t := l.timers[idOf(this)]
		return vm.ToValue(t != nil && t.ref)
	})
	proto.SetSymbol(goja.SymToPrimitive, func(call goja.FunctionCall) goja.Value {
		return vm.ToValue(idOf(call.This))
	})

	schedule := func(call goja.FunctionCall, interval, immediate bool) goja.Value {
		fn, ok := goja.AssertFunction(call.Argument(0))
		if !ok {
			panic(vm.NewTypeError("The \"callback\" argument must be of type function"))
		}
		first := 2
		delay := time.Duration(-1)
		if immediate {
			first = 1
		} else {
			ms := call.Argument(1).ToFloat()
			if math.IsNaN(ms) || ms < 1 || ms > math.MaxInt32 { // as Node
				ms = 1
			}
			delay = time.Duration(ms * float64(time.Millisecond))
		}
		var args []goja.Value
		if len(call.Arguments) > first {
			args = append(args, call.Arguments[first:]...)
		}
		t := l.schedule(fn, delay, interval, args)
		obj := vm.NewObject()
		obj.SetPrototype(proto)
		obj.SetSymbol(idKey, t.id)
		return obj
	}
	clear := func(call goja.FunctionCall) goja.Value {
		l.clear(idOf(call.Argument(0)))
		return goja.Undefined()
	}
	g := vm.GlobalObject()
	g.Set("setTimeout", func(call goja.FunctionCall) goja.Value { return schedule(call, false, false) })
	g.Set("setInterval", func(call goja.FunctionCall) goja.Value { return schedule(call, true, false) })
	g.Set("setImmediate", func(call goja.FunctionCall) goja.Value { return schedule(call, false, true) })
	g.Set("clearTimeout", clear)
	g.Set("clearInterval", clear)
	g.Set("clearImmediate", clear)
}
