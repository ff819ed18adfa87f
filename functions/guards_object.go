package functions

import "github.com/dop251/goja"

// keyed are the functions that list or copy an object's own properties:
// a string's (or a String's, or a typed array's) are its indices, one new
// property key per character or element.
var keyed = []struct{ object, name string }{
	{"Object", "keys"}, {"Object", "values"}, {"Object", "entries"}, {"Object", "getOwnPropertyNames"},
	{"Object", "getOwnPropertyDescriptors"}, {"Object", "assign"}, {"Reflect", "ownKeys"},
}

// objects guards the functions that list an object's keys: each argument
// that is a string, a String or a typed array (for Object.assign, every
// source) has at most maxElems of them.
func (g *guards) objects() {
	for _, k := range keyed {
		if o := g.global(k.object); o != nil {
			g.wrap(o, k.name, func(call goja.FunctionCall, orig goja.Callable) goja.Value {
				for i, a := range call.Arguments {
					if i > 0 && k.name != "assign" {
						break
					}
					if g.indexedLength(a) > g.maxElems {
						panic(g.tooMany())
					}
				}
				return g.call(orig, call.This, call.Arguments...)
			})
		}
	}
}

// indexedLength is how many index keys a string, a String or a typed array
// has (0 for anything else).
func (g *guards) indexedLength(v goja.Value) int64 {
	if goja.IsString(v) {
		return int64(v.(goja.String).Length())
	}
	o, ok := v.(*goja.Object)
	if !ok {
		return 0
	}
	if n, typed := typedArrayLength(o); typed {
		return int64(n)
	}
	if o.ClassName() == "String" && o.ExportType() != proxyType {
		return toLength(o.Get("length")) // its own, fixed
	}
	return 0
}

// calls guards Function.prototype.apply, Reflect.apply and
// Reflect.construct: the list of arguments is read from an array-like by
// its length, which goja allocates at once ({length: 2 ** 32} wanted
// 64 GB). A plain array's length is checked; another array-like is read
// here, once.
func (g *guards) calls() {
	if fp := g.proto("Function"); fp != nil {
		g.wrap(fp, "apply", func(call goja.FunctionCall, orig goja.Callable) goja.Value {
			return g.call(orig, call.This, call.Argument(0), g.argList(call.Argument(1)))
		})
	}
	if r := g.global("Reflect"); r != nil {
		g.wrap(r, "apply", func(call goja.FunctionCall, orig goja.Callable) goja.Value {
			return g.call(orig, call.This, call.Argument(0), call.Argument(1), g.argList(call.Argument(2)))
		})
		g.wrap(r, "construct", func(call goja.FunctionCall, orig goja.Callable) goja.Value {
			args := append([]goja.Value{call.Argument(0), g.argList(call.Argument(1))}, call.Arguments[min(2, len(call.Arguments)):]...)
			return g.call(orig, call.This, args...)
		})
	}
}

// argList checks an argument list: a plain array of at most maxElems, or
// another array-like read into one. Other values go on to the original
// (undefined and null are no arguments for apply, and a TypeError
// otherwise).
func (g *guards) argList(v goja.Value) goja.Value {
	o, ok := v.(*goja.Object)
	if !ok {
		return v
	}
	n := toLength(o.Get("length"))
	if n > g.maxElems {
		panic(g.tooMany())
	}
	if isPlainArray(o) {
		return o
	}
	values := g.elements(o, n)
	items := make([]any, len(values))
	for i, e := range values {
		items[i] = e
	}
	return g.vm.NewArray(items...)
}
