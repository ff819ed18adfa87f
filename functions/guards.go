package functions

import (
	"strconv"

	"github.com/dop251/goja"
)

// goja runs each built-in function as one Go call, which neither the
// deadline nor the memory watchdog can stop. A few of them allocate in
// proportion to a number the caller chooses — 'x'.repeat(n),
// new ArrayBuffer(n), Buffer.alloc(n) — or loop over a length that
// costs nothing to claim: an array whose length is set to 2^32-1 holds
// nothing, yet map, join, sort, Array.from, Function.prototype.apply and
// the rest walk (or allocate) all of it. So the instance replaces those
// built-ins with Go functions that check first, and then call the original
// with what they checked.
//
// The checks guard the operation, not a global name: a constructor is
// wrapped where every path leads (its global, its prototype's
// constructor, the classes built on it), and each argument is read once —
// a valueOf or a length getter that answers differently the second time
// finds the original given the value that was checked, or a view of the
// object that keeps answering it (frozen). Limits derive from the
// function's memory budget: one buffer up to the budget itself (maxBytes:
// bytes are all it holds), one string up to a quarter of it (maxChars),
// one array up to budget/64 elements (maxElems: a goja value takes 16
// bytes, an array's element more) — below the budget, so that the guard,
// not the memory watchdog, is what stops the step, and what it made fits
// beside what it was made of.
type guards struct {
	in       *instance
	vm       *goja.Runtime
	maxBytes int64
	maxChars int64
	maxElems int64

	joining     map[*goja.Object]bool // arrays join is writing: cycles and depth
	iterate     int                   // calls to iterators' next and replacers: polls every pollEvery
	typedValues *goja.Object          // %TypedArray%.prototype[Symbol.iterator]
}

// intrinsics are built-ins the runtime's Go code calls, kept as they were
// before the function's code could replace them.
type intrinsics struct {
	keys       goja.Callable                                          // Object.keys
	reflectGet goja.Callable                                          // Reflect.get
	descriptor goja.Callable                                          // Object.getOwnPropertyDescriptor
	dataView   struct{ buffer, byteOffset, byteLength goja.Callable } // DataView.prototype's getters
	regExpExec goja.Callable                                          // RegExp.prototype.exec
	execObject *goja.Object                                           // the same, as an object
	indexOf    goja.Callable                                          // String.prototype.indexOf
	// Date.prototype and what JSON.stringify calls on a Date: its toJSON,
	// toISOString, valueOf and Symbol.toPrimitive (see rawDate).
	dateProto *goja.Object
	dateJSON  [4]goja.Value
}

// installGuards keeps the intrinsics and replaces the built-ins that
// need guarding; the prelude calls it before the function's code runs.
func (in *instance) installGuards() {
	in.captureIntrinsics()
	in.bindJSON()
	g := &guards{in: in, vm: in.vm, maxBytes: in.memoryBudget(), joining: make(map[*goja.Object]bool)}
	g.maxChars, g.maxElems = g.maxBytes/4, g.maxBytes/64
	g.typedArrays()
	g.buffers()
	g.arrays()
	g.calls()
	g.objects()
	g.strings()
	g.regExps()
	g.iterators()
}

func (in *instance) captureIntrinsics() {
	vm := in.vm
	object := vm.Get("Object").ToObject(vm)
	in.intrinsics.keys, _ = goja.AssertFunction(object.Get("keys"))
	in.intrinsics.reflectGet, _ = goja.AssertFunction(vm.Get("Reflect").ToObject(vm).Get("get"))
	in.intrinsics.execObject, _ = vm.Get("RegExp").ToObject(vm).Get("prototype").ToObject(vm).Get("exec").(*goja.Object)
	in.intrinsics.regExpExec, _ = goja.AssertFunction(in.intrinsics.execObject)
	in.intrinsics.indexOf, _ = goja.AssertFunction(vm.Get("String").ToObject(vm).Get("prototype").ToObject(vm).Get("indexOf"))
	in.intrinsics.dateProto = vm.Get("Date").ToObject(vm).Get("prototype").ToObject(vm)
	in.intrinsics.dateJSON = dateJSONMethods(in.intrinsics.dateProto)
	descriptor, _ := goja.AssertFunction(object.Get("getOwnPropertyDescriptor"))
	in.intrinsics.descriptor = descriptor
	getter := func(proto goja.Value, name string) goja.Callable {
		d, err := descriptor(goja.Undefined(), proto, vm.ToValue(name))
		if err != nil || goja.IsUndefined(d) {
			return nil
		}
		f, _ := goja.AssertFunction(d.ToObject(vm).Get("get"))
		return f
	}
	dv := vm.Get("DataView").ToObject(vm).Get("prototype")
	in.intrinsics.dataView.buffer = getter(dv, "buffer")
	in.intrinsics.dataView.byteOffset = getter(dv, "byteOffset")
	in.intrinsics.dataView.byteLength = getter(dv, "byteLength")
}

// Errors, as V8 words them, with the limit that was reached.
func (g *guards) tooLong() goja.Value {
	return g.in.jsError("RangeError", "Invalid string length: over the function's memory limit (config.json memorySize)")
}

func (g *guards) tooMany() goja.Value {
	return g.in.jsError("RangeError", "Invalid array length: over the function's memory limit (config.json memorySize)")
}

func (g *guards) tooBig() goja.Value {
	return g.in.jsError("RangeError", "Array buffer allocation failed: over the function's memory limit (config.json memorySize)")
}

// wrap replaces the method obj[name] by guard, which gets the original.
// The replacement keeps the original's name and length.
func (g *guards) wrap(obj *goja.Object, name string, guard func(call goja.FunctionCall, orig goja.Callable) goja.Value) {
	fn, ok := obj.Get(name).(*goja.Object)
	orig, callable := goja.AssertFunction(fn)
	if !ok || !callable {
		return
	}
	g.in.setMethod(obj, name, int(fn.Get("length").ToInteger()), func(call goja.FunctionCall) goja.Value {
		return guard(call, orig)
	})
}

// wrapSymbol is wrap for a method named by a symbol.
func (g *guards) wrapSymbol(obj *goja.Object, sym *goja.Symbol, name string, guard func(call goja.FunctionCall, orig goja.Callable) goja.Value) {
	fn, ok := obj.GetSymbol(sym).(*goja.Object)
	orig, callable := goja.AssertFunction(fn)
	if !ok || !callable {
		return
	}
	f := g.in.nativeFunction(name, int(fn.Get("length").ToInteger()), func(call goja.FunctionCall) goja.Value {
		return guard(call, orig)
	})
	obj.DefineDataPropertySymbol(sym, f, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

// call calls f, throwing what it throws.
func (g *guards) call(f goja.Callable, this goja.Value, args ...goja.Value) goja.Value {
	v, err := f(this, args...)
	if err != nil {
		panic(err)
	}
	return v
}

// global returns the global object name (nil when goja has none).
func (g *guards) global(name string) *goja.Object {
	o, _ := g.vm.Get(name).(*goja.Object)
	return o
}

func (g *guards) proto(name string) *goja.Object {
	if c := g.global(name); c != nil {
		o, _ := c.Get("prototype").(*goja.Object)
		return o
	}
	return nil
}

// isPlainArray reports an Array that is not a Proxy: its length is its
// own, read without running the function's code.
func isPlainArray(o *goja.Object) bool {
	return o.ClassName() == "Array" && o.ExportType() != proxyType
}

// isTypedArray reports a typed array (a Buffer too), by what it is.
func isTypedArray(o *goja.Object) bool {
	return o.ClassName() == "Object" && typedArrayTypes[o.ExportType()]
}

// arrayLike is what a generic method reads from this: a plain array
// itself, anything else behind a view whose length is the one read here,
// once. n is that length.
func (g *guards) arrayLike(this goja.Value) (o *goja.Object, view *goja.Object, n int64) {
	o = this.ToObject(g.vm)
	n = toLength(o.Get("length"))
	if isPlainArray(o) {
		return o, o, n
	}
	return o, g.frozen(o, n, nil), n
}

// frozen returns a view of o whose length is n, and whose Symbol.iterator
// is iter when iter is not nil; everything else is o's. Built-ins given
// the view read what the guard checked, whatever o's getters do.
func (g *guards) frozen(o *goja.Object, n int64, iter goja.Value) *goja.Object {
	vm := g.vm
	length := vm.ToValue(n)
	return vm.ToValue(vm.NewProxy(o, &goja.ProxyTrapConfig{
		Get: func(t *goja.Object, p string, _ goja.Value) goja.Value {
			if p == "length" {
				return length
			}
			return t.Get(p)
		},
		GetSym: func(t *goja.Object, s *goja.Symbol, _ goja.Value) goja.Value {
			if s == goja.SymIterator && iter != nil {
				return iter
			}
			return t.GetSymbol(s)
		},
	})).(*goja.Object)
}

// unview maps a built-in's result that is the view back to the object.
func unview(v goja.Value, o, view *goja.Object) goja.Value {
	if vo, ok := v.(*goja.Object); ok && view != o && vo.SameAs(view) {
		return o
	}
	return v
}

// elements reads an array-like's first n elements (n was checked).
func (g *guards) elements(o *goja.Object, n int64) []goja.Value {
	vs := make([]goja.Value, n)
	for i := int64(0); i < n; i++ {
		if i%pollEvery == pollEvery-1 {
			g.in.poll()
		}
		if vs[i] = o.Get(strconv.FormatInt(i, 10)); vs[i] == nil {
			vs[i] = goja.Undefined()
		}
	}
	return vs
}

// iterators makes the built-in iterators' next poll: spread, Promise.all,
// new Map and the rest iterate in one Go call, and an array's iterator
// goes on for as long as its length says.
func (g *guards) iterators() {
	vm := g.vm
	var iters []goja.Value
	if f, ok := goja.AssertFunction(g.proto("Array").GetSymbol(goja.SymIterator)); ok {
		if it, err := f(vm.NewArray()); err == nil {
			iters = append(iters, it)
		}
	}
	if f, ok := goja.AssertFunction(g.proto("String").GetSymbol(goja.SymIterator)); ok {
		if it, err := f(vm.ToValue("")); err == nil {
			iters = append(iters, it)
		}
	}
	if c, ok := goja.AssertConstructor(g.global("RegExp")); ok {
		if rx, err := c(nil, vm.ToValue("x"), vm.ToValue("g")); err == nil {
			if f, ok := goja.AssertFunction(rx.GetSymbol(goja.SymMatchAll)); ok {
				if it, err := f(rx, vm.ToValue("")); err == nil {
					iters = append(iters, it)
				}
			}
		}
	}
	for _, it := range iters {
		if proto := it.ToObject(vm).Prototype(); proto != nil {
			g.wrap(proto, "next", func(call goja.FunctionCall, orig goja.Callable) goja.Value {
				g.pollSometimes()
				return g.call(orig, call.This)
			})
		}
	}
}
