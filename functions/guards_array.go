package functions

import (
	"fmt"
	"math"
	"math/big"
	"strconv"

	"github.com/dop251/goja"
)

// walkingMethods are the Array.prototype methods that walk (or copy) all
// of this's length in one Go call: beyond maxElems they are refused.
var walkingMethods = []string{"copyWithin", "every", "fill", "filter", "find", "findIndex", "findLast", "findLastIndex",
	"forEach", "includes", "indexOf", "lastIndexOf", "map", "reduce", "reduceRight", "reverse", "shift", "slice", "some",
	"splice", "unshift", "toReversed", "toSpliced", "with"}

// arrays guards Array and Array.prototype. A length costs nothing to
// claim (a.length = 2 ** 32 - 1, or an array-like {length: 2 ** 53 - 1}),
// so the methods that walk one check it first; join, toLocaleString,
// concat and flat, whose output can be many times their input (the same
// big string or array repeated), are written here, counting as they go.
func (g *guards) arrays() {
	array, proto := g.global("Array"), g.proto("Array")
	if proto == nil {
		return
	}
	for _, name := range walkingMethods {
		g.wrap(proto, name, func(call goja.FunctionCall, orig goja.Callable) goja.Value {
			o, view, n := g.arrayLike(call.This)
			if n > g.maxElems {
				panic(g.tooMany())
			}
			return unview(g.call(orig, view, call.Arguments...), o, view)
		})
	}
	// sort and toSorted without a comparator compare in one Go call (a
	// million elements took seconds): given one of the runtime's, which
	// compares as the standard's default and polls, the deadline holds.
	stringOrder := g.vm.ToValue(func(call goja.FunctionCall) goja.Value {
		g.pollSometimes()
		return g.vm.ToValue(g.str(call.Argument(0)).CompareTo(g.str(call.Argument(1))))
	})
	for _, name := range []string{"sort", "toSorted"} {
		g.wrap(proto, name, func(call goja.FunctionCall, orig goja.Callable) goja.Value {
			o, view, n := g.arrayLike(call.This)
			if n > g.maxElems {
				panic(g.tooMany())
			}
			order := call.Argument(0)
			if goja.IsUndefined(order) {
				order = stringOrder
			}
			return unview(g.call(orig, view, order), o, view)
		})
	}
	g.wrap(proto, "join", func(call goja.FunctionCall, _ goja.Callable) goja.Value {
		o := call.This.ToObject(g.vm)
		n := toLength(o.Get("length"))
		return g.join(o, n, g.separator(call.Argument(0)), false)
	})
	g.wrap(proto, "toLocaleString", func(call goja.FunctionCall, _ goja.Callable) goja.Value {
		o := call.This.ToObject(g.vm)
		n := toLength(o.Get("length"))
		return g.join(o, n, g.vm.ToValue(",").(goja.String), true)
	})
	g.wrap(proto, "concat", g.concat)
	g.wrap(proto, "flat", func(call goja.FunctionCall, _ goja.Callable) goja.Value {
		o := call.This.ToObject(g.vm)
		n := toLength(o.Get("length"))
		depth := int64(1)
		if d := call.Argument(0); !goja.IsUndefined(d) {
			depth = clampDepth(d.ToFloat())
		}
		a := g.speciesCreate(o)
		g.flatten(a, o, n, 0, depth, nil, nil)
		return a
	})
	g.wrap(proto, "flatMap", func(call goja.FunctionCall, _ goja.Callable) goja.Value {
		o := call.This.ToObject(g.vm)
		n := toLength(o.Get("length"))
		mapper, ok := goja.AssertFunction(call.Argument(0))
		if !ok {
			panic(g.vm.NewTypeError("flatMap mapper function is not callable"))
		}
		a := g.speciesCreate(o)
		g.flatten(a, o, n, 0, 1, mapper, call.Argument(1))
		return a
	})
	if array != nil {
		g.wrap(array, "from", g.arrayFrom)
	}
	if i8 := g.proto("Int8Array"); i8 != nil && i8.Prototype() != nil {
		g.typedValues, _ = i8.Prototype().GetSymbol(goja.SymIterator).(*goja.Object)
	}
	// %TypedArray%.prototype, shared by every typed array: join writes
	// numbers, but with a separator of any length; sort (16 million
	// elements: a minute) gets a comparator that polls.
	if i8 := g.proto("Int8Array"); i8 != nil {
		if typed := i8.Prototype(); typed != nil {
			numericOrder := g.vm.ToValue(func(call goja.FunctionCall) goja.Value {
				g.pollSometimes()
				return g.vm.ToValue(numericOrder(call.Argument(0), call.Argument(1)))
			})
			for _, name := range []string{"sort", "toSorted"} {
				g.wrap(typed, name, func(call goja.FunctionCall, orig goja.Callable) goja.Value {
					order := call.Argument(0)
					if goja.IsUndefined(order) {
						order = numericOrder
					}
					return g.call(orig, call.This, order)
				})
			}
			g.wrap(typed, "join", func(call goja.FunctionCall, orig goja.Callable) goja.Value {
				o, ok := call.This.(*goja.Object)
				n, typed := 0, false
				if ok {
					n, typed = typedArrayLength(o)
				}
				if !typed {
					return g.call(orig, call.This, call.Arguments...) // its TypeError
				}
				return g.join(o, int64(n), g.separator(call.Argument(0)), false)
			})
		}
	}
}

// numericOrder is a typed array's default order: numbers ascending, -0
// before +0, NaN last; BigInts by value.
func numericOrder(x, y goja.Value) int {
	if bx, ok := x.Export().(*big.Int); ok {
		if by, ok := y.Export().(*big.Int); ok {
			return bx.Cmp(by)
		}
	}
	a, b := x.ToFloat(), y.ToFloat()
	switch {
	case math.IsNaN(a) && math.IsNaN(b):
		return 0
	case math.IsNaN(a):
		return 1
	case math.IsNaN(b):
		return -1
	case a < b:
		return -1
	case a > b:
		return 1
	case a == 0 && b == 0 && math.Signbit(a) != math.Signbit(b):
		if math.Signbit(a) {
			return -1
		}
		return 1
	}
	return 0
}

// pollSometimes polls every pollEvery calls: for Go functions the
// built-ins call in a loop (comparators, replacers, iterators' next).
func (g *guards) pollSometimes() {
	if g.iterate++; g.iterate%pollEvery == 0 {
		g.in.poll()
	}
}

// separator is join's: "," unless one is given.
func (g *guards) separator(v goja.Value) goja.String {
	if goja.IsUndefined(v) {
		return g.vm.ToValue(",").(goja.String)
	}
	return g.str(v)
}

// join writes o's first n elements (their strings, or their locale
// strings) with sep between them: at most maxChars, reading each element
// once. An array already being joined (a cycle) is "", as in V8.
func (g *guards) join(o *goja.Object, n int64, sep goja.String, locale bool) goja.Value {
	if n > g.maxElems {
		panic(g.tooMany())
	}
	if g.joining[o] {
		return g.vm.ToValue("")
	}
	if len(g.joining) >= maxJSONNesting {
		panic(g.in.jsError("RangeError", fmt.Sprintf("Maximum call stack size exceeded: join stops at %d nested arrays", maxJSONNesting)))
	}
	g.joining[o] = true
	defer delete(g.joining, o)
	var b goja.StringBuilder
	size, sepLen := int64(0), int64(sep.Length())
	for k := int64(0); k < n; k++ {
		if k%pollEvery == pollEvery-1 {
			g.in.poll()
		}
		if k > 0 {
			if size += sepLen; size > g.maxChars {
				panic(g.tooLong())
			}
			b.WriteString(sep)
		}
		e := o.Get(strconv.FormatInt(k, 10))
		if e == nil || goja.IsUndefined(e) || goja.IsNull(e) {
			continue
		}
		if locale {
			f, ok := goja.AssertFunction(e.ToObject(g.vm).Get("toLocaleString"))
			if !ok {
				panic(g.vm.NewTypeError("toLocaleString is not a function"))
			}
			e = g.call(f, e) // no locales, as goja's own
		}
		s := g.str(e)
		if size += int64(s.Length()); size > g.maxChars {
			panic(g.tooLong())
		}
		b.WriteString(s)
	}
	return b.String()
}

// concat is Array.prototype.concat. When this and the arguments are plain
// arrays and other values, and nothing defines Symbol.isConcatSpreadable,
// reading them runs none of the function's code: their lengths are
// summed and goja's concat does the rest. Otherwise it is done here, each
// item's spreadability and length read once.
func (g *guards) concat(call goja.FunctionCall, orig goja.Callable) goja.Value {
	o := call.This.ToObject(g.vm)
	items := append([]goja.Value{o}, call.Arguments...)
	if total, plain := g.plainConcat(items); plain {
		if total > g.maxElems {
			panic(g.tooMany())
		}
		return g.call(orig, o, call.Arguments...)
	}
	a := g.speciesCreate(o)
	n := int64(0)
	for _, e := range items {
		eo, isObj := e.(*goja.Object)
		spreadable := false
		if isObj {
			if sp := eo.GetSymbol(goja.SymIsConcatSpreadable); sp != nil && !goja.IsUndefined(sp) {
				spreadable = sp.ToBoolean()
			} else {
				spreadable = g.isArray(eo)
			}
		}
		if !spreadable {
			g.define(a, n, e)
			n++
			continue
		}
		l := toLength(eo.Get("length"))
		if n+l > g.maxElems {
			panic(g.tooMany())
		}
		for k := int64(0); k < l; k, n = k+1, n+1 {
			if k%pollEvery == pollEvery-1 {
				g.in.poll()
			}
			if v := eo.Get(strconv.FormatInt(k, 10)); v != nil {
				g.define(a, n, v)
			}
		}
	}
	if err := a.Set("length", n); err != nil {
		panic(err)
	}
	return a
}

// plainConcat reports whether concat's items are plain arrays (with
// Array.prototype their prototype) and values that are not arrays, with
// Symbol.isConcatSpreadable defined nowhere they could inherit it from,
// and how many elements the result would have.
func (g *guards) plainConcat(items []goja.Value) (int64, bool) {
	arrayProto, objectProto := g.proto("Array"), g.proto("Object")
	if hasSymbol(arrayProto, goja.SymIsConcatSpreadable) || hasSymbol(objectProto, goja.SymIsConcatSpreadable) {
		return 0, false
	}
	total := int64(0)
	for _, e := range items {
		o, ok := e.(*goja.Object)
		switch {
		case !ok:
			total++
		case isPlainArray(o) && o.Prototype() == arrayProto && !hasSymbol(o, goja.SymIsConcatSpreadable):
			total += toLength(o.Get("length"))
		case o.ExportType() != proxyType && o.ClassName() != "Array" && o.Prototype() == objectProto && !hasSymbol(o, goja.SymIsConcatSpreadable):
			total++
		default:
			return 0, false
		}
	}
	return total, true
}

func hasSymbol(o *goja.Object, s *goja.Symbol) bool {
	if o == nil {
		return false
	}
	for _, k := range o.Symbols() {
		if k == s {
			return true
		}
	}
	return false
}

// define is CreateDataPropertyOrThrow(a, n, v).
func (g *guards) define(a *goja.Object, n int64, v goja.Value) {
	if err := a.DefineDataProperty(strconv.FormatInt(n, 10), v, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE); err != nil {
		panic(err)
	}
}

// isArray is Array.isArray: an Array, or a Proxy of one.
func (g *guards) isArray(o *goja.Object) bool {
	for o.ExportType() == proxyType {
		if o = o.Export().(goja.Proxy).Target(); o == nil {
			panic(g.vm.NewTypeError("Cannot perform 'IsArray' on a proxy that has been revoked"))
		}
	}
	return o.ClassName() == "Array"
}

// speciesCreate is ArraySpeciesCreate(o, 0): a new array of o's
// constructor's species when o is an array, else a plain one.
func (g *guards) speciesCreate(o *goja.Object) *goja.Object {
	if !g.isArray(o) {
		return g.vm.NewArray()
	}
	c := o.Get("constructor")
	if co, ok := c.(*goja.Object); ok {
		if c = co.GetSymbol(goja.SymSpecies); c != nil && goja.IsNull(c) {
			c = nil
		}
	}
	if c == nil || goja.IsUndefined(c) {
		return g.vm.NewArray()
	}
	ctor, ok := goja.AssertConstructor(c)
	if !ok {
		panic(g.vm.NewTypeError("object.constructor[Symbol.species] is not a constructor"))
	}
	a, err := ctor(nil, g.vm.ToValue(0))
	if err != nil {
		panic(err)
	}
	return a
}

// clampDepth is flat's depth as an integer, at most maxJSONNesting: the
// recursion is Go's, and deeper arrays cannot be flattened in Node either
// (its stack ends first).
func clampDepth(d float64) int64 {
	switch {
	case math.IsNaN(d) || d < 0:
		return 0
	case d > maxJSONNesting:
		return maxJSONNesting
	}
	return int64(d)
}

// flatten is FlattenIntoArray: the first n elements of source into target
// from index start, arrays among them flattened depth levels, each mapped
// first when there is a mapper. It returns the next index, at most
// maxElems.
func (g *guards) flatten(target, source *goja.Object, n, start, depth int64, mapper goja.Callable, thisArg goja.Value) int64 {
	next := start
	for i := int64(0); i < n; i++ {
		if i%pollEvery == pollEvery-1 {
			g.in.poll()
		}
		k := strconv.FormatInt(i, 10)
		e := source.Get(k)
		if e == nil {
			continue
		}
		if mapper != nil {
			e = g.call(mapper, thisArg, e, g.vm.ToValue(i), source)
		}
		if eo, ok := e.(*goja.Object); ok && depth > 0 && g.isArray(eo) {
			next = g.flatten(target, eo, toLength(eo.Get("length")), next, depth-1, nil, nil)
			continue
		}
		if next >= g.maxElems {
			panic(g.tooMany())
		}
		g.define(target, next, e)
		next++
	}
	return next
}

// arrayFrom is Array.from: a plain array's length is checked; another
// iterable is iterated here, once (at most maxElems values), and an
// array-like is read through a view of the length read once.
func (g *guards) arrayFrom(call goja.FunctionCall, orig goja.Callable) goja.Value {
	o, ok := call.Argument(0).(*goja.Object)
	if !ok {
		return g.call(orig, call.This, call.Arguments...)
	}
	args := append([]goja.Value(nil), call.Arguments...)
	switch iter := o.GetSymbol(goja.SymIterator); {
	case isPlainArray(o):
		if toLength(o.Get("length")) > g.maxElems {
			panic(g.tooMany())
		}
	case g.typedValues != nil && g.typedValues.SameAs(iter) && isTypedArray(o):
		// A typed array with its own iterator: its elements, read directly
		// (a Buffer's toJSON is Array.from of it).
		n, _ := typedArrayLength(o)
		if int64(n) > g.maxElems {
			panic(g.tooMany())
		}
		items := make([]any, n)
		for i := range items {
			if i%pollEvery == pollEvery-1 {
				g.in.poll()
			}
			items[i] = o.Get(strconv.Itoa(i))
		}
		args[0] = g.vm.NewArray(items...)
	case iter != nil && !goja.IsUndefined(iter) && !goja.IsNull(iter):
		values := g.listFrom(o, g.maxElems)
		items := make([]any, len(values))
		for i, v := range values {
			items[i] = v
		}
		args[0] = g.vm.NewArray(items...)
	default:
		n := toLength(o.Get("length"))
		if n > g.maxElems {
			panic(g.tooMany())
		}
		args[0] = g.frozen(o, n, goja.Undefined())
	}
	return g.call(orig, call.This, args...)
}
