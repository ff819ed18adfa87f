package functions

import (
	"strconv"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/buffer"
)

// typedArrayKinds are the constructors that allocate memory, with the
// bytes of one element.
var typedArrayKinds = []struct {
	name string
	size int64
}{
	{"ArrayBuffer", 1}, {"Int8Array", 1}, {"Uint8Array", 1}, {"Uint8ClampedArray", 1}, {"Int16Array", 2},
	{"Uint16Array", 2}, {"Int32Array", 4}, {"Uint32Array", 4}, {"Float16Array", 2}, {"Float32Array", 4},
	{"Float64Array", 8}, {"BigInt64Array", 8}, {"BigUint64Array", 8},
}

// typedArrays guards ArrayBuffer and the typed arrays: each constructor is
// replaced by a Proxy whose construct trap sizes the allocation first —
// under its global name, as its prototype's constructor (so
// x.buffer.constructor and x.constructor lead to it), and as Buffer's
// parent; Reflect.construct, subclasses (super) and species constructors
// reach the same trap. The original is left reachable from nowhere.
func (g *guards) typedArrays() {
	for _, k := range typedArrayKinds {
		orig := g.global(k.name)
		if orig == nil {
			continue
		}
		guarded := g.guardConstructor(orig, k.name == "ArrayBuffer", k.size)
		g.vm.GlobalObject().DefineDataProperty(k.name, guarded, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
		if p, ok := orig.Get("prototype").(*goja.Object); ok {
			p.DefineDataProperty("constructor", guarded, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
		}
		if k.name == "Uint8Array" {
			if b := g.global("Buffer"); b != nil {
				b.SetPrototype(guarded)
			}
		}
	}
}

func (g *guards) guardConstructor(orig *goja.Object, isBuffer bool, size int64) *goja.Object {
	construct, _ := goja.AssertConstructor(orig)
	return g.proxyConstructor(orig, func(args []goja.Value, newTarget *goja.Object) *goja.Object {
		var source []goja.Value
		if isBuffer {
			args = g.bufferArgs(args)
		} else {
			args, source = g.typedArrayArgs(args, size)
		}
		o, err := construct(newTarget, args...)
		if err != nil {
			panic(err)
		}
		for i, v := range source { // the elements of an array-like or iterable, read once
			if i%pollEvery == pollEvery-1 {
				g.in.poll()
			}
			o.Set(strconv.Itoa(i), v)
		}
		return o
	})
}

// proxyConstructor returns a Proxy of the constructor orig whose
// construct trap is construct.
func (g *guards) proxyConstructor(orig *goja.Object, construct func(args []goja.Value, newTarget *goja.Object) *goja.Object) *goja.Object {
	vm := g.vm
	var proxy *goja.Object
	hasInstance := vm.ToValue(func(call goja.FunctionCall) goja.Value {
		// this is the constructor on the right of instanceof: the Proxy,
		// or one inheriting the trap (Buffer, whose parent is Uint8Array's),
		// whose own prototype decides.
		c := orig
		if t, ok := call.This.(*goja.Object); ok && !t.SameAs(proxy) {
			c = t
		}
		return vm.ToValue(inherits(call.Argument(0), c))
	})
	proxy = vm.ToValue(vm.NewProxy(orig, &goja.ProxyTrapConfig{
		Construct: func(_ *goja.Object, args []goja.Value, newTarget *goja.Object) *goja.Object {
			return construct(args, newTarget)
		},
		// goja's instanceof refuses a Proxy on its right ("Expecting a
		// function in instanceof check"): the guarded constructor answers
		// Symbol.hasInstance as the original does.
		GetSym: func(t *goja.Object, s *goja.Symbol, receiver goja.Value) goja.Value {
			if s == goja.SymHasInstance {
				return hasInstance
			}
			// With the receiver: a subclass's Symbol.species getter
			// answers the subclass.
			return g.call(g.in.intrinsics.reflectGet, goja.Undefined(), t, s, receiver)
		},
	})).(*goja.Object)
	return proxy
}

// inherits is instanceof's ordinary answer: c's prototype is on v's
// prototype chain.
func inherits(v goja.Value, c *goja.Object) bool {
	o, ok := v.(*goja.Object)
	p, isObject := c.Get("prototype").(*goja.Object)
	if !ok || !isObject {
		return false
	}
	for o = o.Prototype(); o != nil; o = o.Prototype() {
		if o.SameAs(p) {
			return true
		}
	}
	return false
}

// bufferArgs checks new ArrayBuffer(length): the length read once.
func (g *guards) bufferArgs(args []goja.Value) []goja.Value {
	if len(args) == 0 {
		return args
	}
	n := args[0].ToNumber()
	if n.ToFloat() > float64(g.maxBytes) {
		panic(g.tooBig())
	}
	return append([]goja.Value{n}, args[1:]...)
}

// typedArrayArgs checks new XArray(…). A length is read once and passed
// on as a number; an ArrayBuffer is viewed, not copied; a typed array's
// own length is used; any other object is read here, once — its iterator
// or its length and elements — and the array made with the length found
// gets the elements (source), as the standard's constructor would.
func (g *guards) typedArrayArgs(args []goja.Value, size int64) ([]goja.Value, []goja.Value) {
	if len(args) == 0 {
		return args, nil
	}
	check := func(n int64) {
		if n > g.maxBytes/size {
			panic(g.tooBig())
		}
	}
	o, isObj := args[0].(*goja.Object)
	if !isObj {
		n := args[0].ToNumber()
		if f := n.ToFloat(); f > float64(g.maxBytes/size) {
			panic(g.tooBig())
		}
		return []goja.Value{n}, nil
	}
	switch t := o.ExportType(); {
	case t == arrayBufferType:
		return args, nil
	case isTypedArray(o):
		n, _ := typedArrayLength(o)
		check(int64(n))
		return args, nil
	}
	values := g.listFrom(o, g.maxBytes/size)
	return []goja.Value{g.vm.ToValue(len(values))}, values
}

// listFrom reads an iterable's values, or an array-like's elements, once:
// at most max of them.
func (g *guards) listFrom(o *goja.Object, max int64) []goja.Value {
	iter := o.GetSymbol(goja.SymIterator)
	if iter == nil || goja.IsUndefined(iter) || goja.IsNull(iter) {
		n := toLength(o.Get("length"))
		if n > max {
			panic(g.tooMany())
		}
		return g.elements(o, n)
	}
	f, ok := goja.AssertFunction(iter)
	if !ok {
		panic(g.vm.NewTypeError("object is not iterable"))
	}
	it, ok := g.call(f, o).(*goja.Object)
	if !ok {
		panic(g.vm.NewTypeError("Result of the Symbol.iterator method is not an object"))
	}
	next, ok := goja.AssertFunction(it.Get("next"))
	if !ok {
		panic(g.vm.NewTypeError("iterator.next is not a function"))
	}
	var values []goja.Value
	for {
		r, ok := g.call(next, it).(*goja.Object)
		if !ok {
			panic(g.vm.NewTypeError("Iterator result is not an object"))
		}
		if r.Get("done").ToBoolean() {
			return values
		}
		if int64(len(values)) >= max {
			panic(g.tooMany())
		}
		v := r.Get("value")
		if v == nil {
			v = goja.Undefined()
		}
		values = append(values, v)
		if len(values)%pollEvery == 0 {
			g.in.poll()
		}
	}
}

// buffers guards Buffer: alloc, from, concat and new Buffer size what they
// make first, and the methods goja_nodejs runs on a Buffer's bytes refuse
// what is not one (they would take any array-like's claimed length).
func (g *guards) buffers() {
	b := g.global("Buffer")
	if b == nil {
		return
	}
	vm := g.vm
	from, _ := goja.AssertFunction(b.Get("from"))
	g.wrap(b, "alloc", func(call goja.FunctionCall, orig goja.Callable) goja.Value {
		if n := call.Argument(0); goja.IsNumber(n) && n.ToFloat() > float64(g.maxBytes) {
			panic(g.tooBig())
		}
		return g.call(orig, call.This, call.Arguments...)
	})
	g.wrap(b, "from", func(call goja.FunctionCall, orig goja.Callable) goja.Value {
		return g.bufferFrom(call.This, call.Arguments, orig, 0)
	})
	g.wrap(b, "concat", func(call goja.FunctionCall, _ goja.Callable) goja.Value {
		return g.bufferConcat(call)
	})
	proto, _ := b.Get("prototype").(*goja.Object)
	if proto == nil || from == nil {
		return
	}
	for _, name := range proto.Keys() {
		if name == "constructor" || name == "slice" || name == "subarray" || name == "compare" || name == "copy" || name == "toJSON" {
			continue // the prelude's, in JavaScript
		}
		if _, ok := goja.AssertFunction(proto.Get(name)); !ok {
			continue
		}
		g.wrap(proto, name, func(call goja.FunctionCall, orig goja.Callable) goja.Value {
			this, ok := call.This.(*goja.Object)
			if !ok || !isTypedArray(this) {
				panic(vm.NewTypeError("The \"this\" argument must be an instance of Buffer or Uint8Array"))
			}
			if name == "equals" {
				if other, ok := call.Argument(0).(*goja.Object); !ok || !isTypedArray(other) {
					panic(vm.NewTypeError("The \"otherBuffer\" argument must be an instance of Buffer or Uint8Array"))
				}
			}
			return g.call(orig, this, call.Arguments...)
		})
	}
	// new Buffer(x) is Buffer.from(x) in goja_nodejs: the same guard.
	guarded := g.proxyConstructor(b, func(args []goja.Value, _ *goja.Object) *goja.Object {
		return g.bufferFrom(b, args, from, 0).ToObject(vm)
	})
	vm.GlobalObject().DefineDataProperty("Buffer", guarded, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	proto.DefineDataProperty("constructor", guarded, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	if m, err := g.in.req.Require("buffer"); err == nil {
		if exports, ok := m.(*goja.Object); ok {
			exports.Set("Buffer", guarded)
		}
	}
}

// bufferFrom is Buffer.from with what goja_nodejs does for objects done
// here: an object's valueOf or Symbol.toPrimitive, {type: 'Buffer', data}
// (a Buffer as JSON, how wx.cloud sends one), an array-like's bytes — each
// length read once and checked.
func (g *guards) bufferFrom(this goja.Value, args []goja.Value, orig goja.Callable, depth int) goja.Value {
	if len(args) == 0 {
		return g.call(orig, this)
	}
	o, ok := args[0].(*goja.Object)
	if !ok || o.ExportType() == arrayBufferType {
		return g.call(orig, this, args...) // a string (its bytes are bounded by its length), a view of an ArrayBuffer
	}
	if isTypedArray(o) {
		n, _ := typedArrayLength(o)
		if _, bytes := o.Export().([]byte); bytes {
			return g.call(orig, this, o) // copied by length
		}
		return g.bytesOf(o, int64(n))
	}
	if depth > 8 {
		panic(g.vm.NewTypeError("The first argument must be of type string or an instance of Buffer, ArrayBuffer, or Array or an Array-like Object"))
	}
	if t := o.Get("type"); t != nil && t.String() == "Buffer" {
		if data, ok := o.Get("data").(*goja.Object); ok && isPlainArray(data) {
			return g.bufferFrom(this, append([]goja.Value{data}, args[1:]...), orig, depth+1)
		}
	}
	if f, ok := goja.AssertFunction(o.Get("valueOf")); ok {
		if v := g.call(f, o); !v.SameAs(o) {
			return g.bufferFrom(this, append([]goja.Value{v}, args[1:]...), orig, depth+1)
		}
	}
	if f, ok := goja.AssertFunction(o.GetSymbol(goja.SymToPrimitive)); ok {
		return g.bufferFrom(this, append([]goja.Value{g.call(f, o, g.vm.ToValue("string"))}, args[1:]...), orig, depth+1)
	}
	v := o.Get("length")
	if v == nil {
		return g.call(orig, this, args...) // goja_nodejs's TypeError
	}
	n := v.ToInteger()
	if n > g.maxBytes {
		panic(g.tooBig())
	}
	return g.bytesOf(o, max(n, 0))
}

// bytesOf makes a Buffer of an array-like's first n elements, each
// truncated to a byte, as goja_nodejs does.
func (g *guards) bytesOf(o *goja.Object, n int64) goja.Value {
	b := make([]byte, n)
	for i := range b {
		if i%pollEvery == pollEvery-1 {
			g.in.poll()
		}
		if v := o.Get(strconv.Itoa(i)); v != nil {
			b[i] = byte(v.ToInteger())
		}
	}
	return buffer.WrapBytes(g.vm, b)
}

// bufferConcat is Buffer.concat(list[, totalLength]): list an array of
// Buffers or Uint8Arrays, the result at most the memory budget.
func (g *guards) bufferConcat(call goja.FunctionCall) goja.Value {
	vm := g.vm
	list, ok := call.Argument(0).(*goja.Object)
	if !ok || !isPlainArray(list) {
		panic(vm.NewTypeError("The \"list\" argument must be an instance of Array"))
	}
	n := toLength(list.Get("length"))
	if n > g.maxElems {
		panic(g.tooMany())
	}
	var parts [][]byte
	var total int64
	for i, v := range g.elements(list, n) {
		o, ok := v.(*goja.Object)
		if !ok || !isTypedArray(o) {
			panic(vm.NewTypeError("The \"list[" + strconv.Itoa(i) + "]\" argument must be an instance of Buffer or Uint8Array."))
		}
		b, _ := g.in.viewBytes(o)
		if total += int64(len(b)); total > g.maxBytes {
			panic(g.tooBig())
		}
		parts = append(parts, b)
	}
	size := total
	if l := call.Argument(1); !goja.IsUndefined(l) {
		if !goja.IsNumber(l) || l.ToFloat() != float64(l.ToInteger()) || l.ToInteger() < 0 {
			panic(g.in.jsError("RangeError", "The value of \"length\" is out of range. It must be >= 0 && <= 9007199254740991"))
		}
		if size = l.ToInteger(); size > g.maxBytes {
			panic(g.tooBig())
		}
	}
	out := make([]byte, 0, size)
	for _, p := range parts {
		out = append(out, p[:min(int64(len(p)), size-int64(len(out)))]...)
	}
	return buffer.WrapBytes(vm, out[:size])
}
