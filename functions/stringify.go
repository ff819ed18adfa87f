package functions

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/dop251/goja"
)

// maxJSONNesting bounds the nesting of what JSON.stringify writes and
// JSON.parse reads (Node stops at its stack, a few thousand levels): goja's
// own walked values in one Go call, with a cycle check quadratic in the
// depth, so 10^5 levels kept a core busy for minutes and 10^7 ended the
// process.
const maxJSONNesting = 10000

// jsonWriter writes values as JSON.stringify does — toJSON methods, a
// replacer function or property list, indentation, boxed primitives,
// Proxies, lone surrogates — for JSON.stringify itself, main's result, and
// the values bindings send to Go. Unlike goja's, it stops at max bytes of
// output and maxJSONNesting levels, polls the invocation's interrupts as it
// goes (a huge sparse array or a toJSON that loops ends at the deadline),
// and checks for cycles in constant time per object. It runs in the VM
// (inVM or a native function): exceptions and interrupts panic through it.
type jsonWriter struct {
	in    *instance
	vm    *goja.Runtime
	b     []byte
	max   int
	steps int

	stack   []*goja.Object        // the objects being written, outermost first
	onStack map[*goja.Object]bool // the same, once the stack is deep

	replacer goja.Callable // JSON.stringify's replacer function
	props    []string      // its property list (a replacer array)
	hasProps bool
	gap      string
	indent   string

	arrayToJSON int8 // Array.prototype.toJSON: 0 not looked up yet, 1 absent, 2 present
	dateToJSON  int8 // Date.prototype's JSON methods: 0 not looked up yet, 1 built-in, 2 changed

	// As a vmTask: input is written, to out, present and over.
	input         goja.Value
	out           []byte
	present, over bool
}

// newJSONWriter returns a writer of at most max bytes: the instance's
// spare one when it is free (a warm call's result then costs one
// allocation, its bytes).
func (in *instance) newJSONWriter(max int) *jsonWriter {
	w := in.writer
	if w == nil {
		w = &jsonWriter{in: in, vm: in.vm}
	}
	in.writer = nil
	w.b, w.max = make([]byte, 0, min(256, max+1)), max
	return w
}

// freeJSONWriter makes w the instance's spare writer; w's output must not
// be used after.
func (in *instance) freeJSONWriter(w *jsonWriter) {
	clear(w.stack)
	*w = jsonWriter{in: in, vm: in.vm, stack: w.stack[:0]}
	in.writer = w
}

// runTask makes a writer a vmTask.
func (w *jsonWriter) runTask() { w.out, w.present, w.over = w.write(w.input) }

// write returns the JSON of v: present is false where JSON.stringify
// returns undefined; over is true when the JSON is longer than max bytes
// (b then holds its first max bytes or so).
func (w *jsonWriter) write(v goja.Value) (b []byte, present, over bool) {
	defer func() {
		if p := recover(); p != nil {
			if p != w {
				panic(p)
			}
			b, present, over = w.b, true, true
		}
	}()
	var holder *goja.Object
	if w.replacer != nil {
		holder = w.vm.NewObject()
		holder.DefineDataProperty("", v, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
	}
	present = w.property(holder, "", nil, v)
	return w.b, present, false
}

// overflow ends a write whose output went past max.
func (w *jsonWriter) overflow() { panic(w) }

func (w *jsonWriter) check() {
	if len(w.b) > w.max {
		w.overflow()
	}
}

func (w *jsonWriter) call(f goja.Callable, this goja.Value, args ...goja.Value) goja.Value {
	v, err := f(this, args...)
	if err != nil {
		panic(err) // the exception, or an interrupt
	}
	return v
}

// property writes the value v of holder's key, as SerializeJSONProperty:
// false when it has no JSON (undefined, a function, a symbol). kv is the
// key as a JavaScript string when Go's string cannot hold it, else nil.
func (w *jsonWriter) property(holder *goja.Object, key string, kv, v goja.Value) bool {
	if w.steps++; w.steps%pollEvery == 0 {
		w.in.poll()
	}
	if v == nil {
		v = goja.Undefined()
	}
	keyValue := func() goja.Value {
		if kv == nil {
			kv = w.vm.ToValue(key)
		}
		return kv
	}
	if o, ok := v.(*goja.Object); ok {
		if tj, ok := goja.AssertFunction(o.Get("toJSON")); ok {
			v = w.call(tj, o, keyValue())
		}
	} else if goja.IsBigInt(v) {
		if tj, ok := goja.AssertFunction(v.ToObject(w.vm).Get("toJSON")); ok {
			v = w.call(tj, v, keyValue())
		}
	}
	if w.replacer != nil {
		v = w.call(w.replacer, holder, keyValue(), v)
	}
	return w.value(v)
}

// value writes a value once toJSON and the replacer had their say.
func (w *jsonWriter) value(v goja.Value) bool {
	switch x := v.(type) {
	case nil, *goja.Symbol:
		return false
	case *goja.Object:
		return w.object(x)
	}
	switch {
	case goja.IsUndefined(v):
		return false
	case goja.IsNull(v):
		w.b = append(w.b, "null"...)
	default:
		switch x := v.Export().(type) {
		case bool:
			w.b = strconv.AppendBool(w.b, x)
		case int64:
			w.b = strconv.AppendInt(w.b, x, 10)
		case float64:
			w.b = appendNumber(w.b, x, v)
		case string:
			w.str(v, x)
		default: // a BigInt without a toJSON
			panic(w.vm.NewTypeError("Do not know how to serialize a BigInt"))
		}
	}
	w.check()
	return true
}

// str writes the string v, whose Go (UTF-8) form is s.
func (w *jsonWriter) str(v goja.Value, s string) {
	if len(w.b)+len(s) > w.max { // quoting only lengthens it
		w.overflow()
	}
	if strings.ContainsRune(s, utf8.RuneError) { // maybe a lone surrogate, which Go's form lost
		if js, ok := v.(goja.String); ok {
			w.b = appendQuotedUTF16(w.b, js)
			return
		}
	}
	w.b = appendQuoted(w.b, s)
}

func (w *jsonWriter) object(o *goja.Object) bool {
	switch o.ClassName() { // boxed primitives, by their internal slot as the standard says
	case "Number":
		return w.value(o.ToNumber())
	case "String":
		return w.value(o.ToString())
	case "Boolean":
		return w.value(w.vm.ToValue(o.Export()))
	case "BigInt":
		panic(w.vm.NewTypeError("Do not know how to serialize a BigInt"))
	case "RawJSON":
		w.b = append(w.b, o.Get("rawJSON").String()...)
		w.check()
		return true
	}
	if _, ok := goja.AssertFunction(o); ok {
		return false
	}
	w.push(o)
	if w.isArray(o) {
		w.array(o)
	} else {
		w.members(o)
	}
	w.pop()
	return true
}

// isArray is Array.isArray: an Array, or a Proxy of one.
func (w *jsonWriter) isArray(o *goja.Object) bool {
	for o.ExportType() == proxyType {
		if o = o.Export().(goja.Proxy).Target(); o == nil {
			panic(w.vm.NewTypeError("Cannot perform 'IsArray' on a proxy that has been revoked"))
		}
	}
	return o.ClassName() == "Array"
}

func (w *jsonWriter) push(o *goja.Object) {
	if len(w.stack) >= maxJSONNesting {
		panic(w.in.jsError("RangeError", fmt.Sprintf("Maximum call stack size exceeded: JSON.stringify stops at %d levels of nesting", maxJSONNesting)))
	}
	circular := w.onStack[o]
	if w.onStack == nil {
		for _, s := range w.stack {
			circular = circular || s == o
		}
	}
	if circular {
		panic(w.vm.NewTypeError("Converting circular structure to JSON"))
	}
	w.stack = append(w.stack, o)
	switch {
	case w.onStack != nil:
		w.onStack[o] = true
	case len(w.stack) == 32: // deep: a set instead of a scan
		w.onStack = make(map[*goja.Object]bool, 64)
		for _, s := range w.stack {
			w.onStack[s] = true
		}
	}
}

func (w *jsonWriter) pop() {
	o := w.stack[len(w.stack)-1]
	w.stack = w.stack[:len(w.stack)-1]
	delete(w.onStack, o)
}

// open starts an array or object: its indentation when there is a gap.
func (w *jsonWriter) open(c byte) (stepback string) {
	w.b = append(w.b, c)
	stepback = w.indent
	w.indent += w.gap
	return stepback
}

func (w *jsonWriter) close(c byte, stepback string, empty bool) {
	if w.gap != "" && !empty {
		w.b = append(append(w.b, '\n'), stepback...)
	}
	w.indent = stepback
	w.b = append(w.b, c)
	w.check()
}

// separate writes what goes before an element: a comma unless it is the
// first, and the line break and indentation when there is a gap.
func (w *jsonWriter) separate(first bool) {
	if !first {
		w.b = append(w.b, ',')
	}
	if w.gap != "" {
		w.b = append(append(w.b, '\n'), w.indent...)
	}
}

func (w *jsonWriter) array(o *goja.Object) {
	n := toLength(o.Get("length"))
	stepback := w.open('[')
	for i := int64(0); i < n; i++ {
		w.separate(i == 0)
		k := strconv.FormatInt(i, 10)
		if !w.property(o, k, nil, o.Get(k)) {
			w.b = append(w.b, "null"...)
		}
		w.check()
	}
	w.close(']', stepback, n <= 0)
}

// largeTypedArray is the length from which a typed array's members are
// its indices only: listing its keys (to find other own properties, which
// JSON.stringify would write too) would take 30 times its size.
const largeTypedArray = 4096

func (w *jsonWriter) members(o *goja.Object) {
	if w.rawMembers(o) {
		return
	}
	var keys []string
	n, typed := typedArrayLength(o)
	switch {
	case w.hasProps:
		keys = w.props
	case typed && n > largeTypedArray:
	default:
		keys = o.Keys()
		if slicesAnyLossy(keys) {
			keys, typed = nil, false
		}
	}
	stepback := w.open('{')
	first := true
	member := func(k string, v goja.Value, kv goja.Value) {
		mark := len(w.b)
		w.separate(first)
		if kv != nil {
			w.b = appendQuotedUTF16(w.b, kv.(goja.String))
		} else {
			w.b = appendQuoted(w.b, k)
		}
		w.b = append(w.b, ':')
		if w.gap != "" {
			w.b = append(w.b, ' ')
		}
		if w.property(o, k, kv, v) {
			first = false
		} else {
			w.b = w.b[:mark]
		}
		w.check()
	}
	switch {
	case keys != nil || w.hasProps:
		for _, k := range keys {
			member(k, o.Get(k), nil)
		}
	case typed:
		for i := 0; i < n; i++ {
			k := strconv.Itoa(i)
			member(k, o.Get(k), nil)
		}
	default:
		w.lossyMembers(o, member)
	}
	w.close('}', stepback, first)
}

// lossyMembers writes the members of an object whose keys Go's strings
// cannot hold (a lone surrogate): keys and values through Object.keys and
// Reflect.get, as JavaScript values.
func (w *jsonWriter) lossyMembers(o *goja.Object, member func(string, goja.Value, goja.Value)) {
	in := w.in
	keys := w.call(in.intrinsics.keys, goja.Undefined(), o).(*goja.Object)
	n := toLength(keys.Get("length"))
	for i := int64(0); i < n; i++ {
		kv := keys.Get(strconv.FormatInt(i, 10))
		v := w.call(in.intrinsics.reflectGet, goja.Undefined(), o, kv)
		member(kv.String(), v, kv)
	}
}

func slicesAnyLossy(keys []string) bool {
	for _, k := range keys {
		if strings.ContainsRune(k, utf8.RuneError) {
			return true
		}
	}
	return false
}

// typedArrayLength returns the length of a typed array (its own, not what
// a redefined length getter says).
func typedArrayLength(o *goja.Object) (int, bool) {
	if o.ClassName() != "Object" || !typedArrayTypes[o.ExportType()] {
		return 0, false
	}
	return reflect.ValueOf(o.Export()).Len(), true
}

// typedArrayTypes are what goja's typed arrays export as.
var typedArrayTypes = map[reflect.Type]bool{
	reflect.TypeOf([]int8(nil)): true, reflect.TypeOf([]uint8(nil)): true,
	reflect.TypeOf([]int16(nil)): true, reflect.TypeOf([]uint16(nil)): true,
	reflect.TypeOf([]int32(nil)): true, reflect.TypeOf([]uint32(nil)): true,
	reflect.TypeOf([]float32(nil)): true, reflect.TypeOf([]float64(nil)): true,
	reflect.TypeOf([]int64(nil)): true, reflect.TypeOf([]uint64(nil)): true,
}

// toLength is the standard's ToLength: an integer from 0 to 2^53-1.
func toLength(v goja.Value) int64 {
	if v == nil {
		return 0
	}
	f := v.ToFloat()
	switch {
	case math.IsNaN(f) || f <= 0:
		return 0
	case f >= 1<<53-1:
		return 1<<53 - 1
	}
	return int64(f)
}

// options reads JSON.stringify's replacer and space arguments.
func (w *jsonWriter) options(replacer, space goja.Value) {
	if o, ok := replacer.(*goja.Object); ok {
		if f, ok := goja.AssertFunction(o); ok {
			w.replacer = f
		} else if w.isArray(o) {
			w.propertyList(o)
		}
	}
	if o, ok := space.(*goja.Object); ok {
		switch o.ClassName() {
		case "Number":
			space = o.ToNumber()
		case "String":
			space = o.ToString()
		}
	}
	switch {
	case goja.IsNumber(space):
		if n := min(10, space.ToFloat()); n >= 1 {
			w.gap = strings.Repeat(" ", int(n))
		}
	case goja.IsString(space):
		s := space.(goja.String)
		if s.Length() > 10 {
			s = s.Substring(0, 10)
		}
		w.gap = s.String()
	}
}

// propertyList reads a replacer array: the names of the properties to
// write, strings and numbers (boxed or not), each once, in order.
func (w *jsonWriter) propertyList(o *goja.Object) {
	w.hasProps = true
	seen := make(map[string]bool)
	n := toLength(o.Get("length"))
	for i := int64(0); i < n; i++ {
		if i%pollEvery == pollEvery-1 {
			w.in.poll()
		}
		v := o.Get(strconv.FormatInt(i, 10))
		item, ok := "", false
		switch {
		case goja.IsString(v) || goja.IsNumber(v):
			item, ok = v.String(), true
		default:
			if vo, isObj := v.(*goja.Object); isObj && (vo.ClassName() == "String" || vo.ClassName() == "Number") {
				item, ok = vo.ToString().String(), true
			}
		}
		if ok && !seen[item] {
			seen[item] = true
			w.props = append(w.props, item)
		}
	}
}

// appendQuotedUTF16 writes a JavaScript string as JSON.stringify quotes
// it, from its UTF-16 code units: a lone surrogate is escaped (\udXXX).
func appendQuotedUTF16(b []byte, s goja.String) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	n := s.Length()
	for i := 0; i < n; i++ {
		c := s.CharAt(i)
		switch {
		case c < 0x20 || c == '"' || c == '\\':
			b = appendEscaped(b, byte(c))
		case c < utf8.RuneSelf:
			b = append(b, byte(c))
		case utf16.IsSurrogate(rune(c)):
			if c < 0xdc00 && i+1 < n {
				if d := s.CharAt(i + 1); d >= 0xdc00 && d <= 0xdfff {
					b = utf8.AppendRune(b, utf16.DecodeRune(rune(c), rune(d)))
					i++
					continue
				}
			}
			b = append(b, '\\', 'u', hex[c>>12], hex[c>>8&0xF], hex[c>>4&0xF], hex[c&0xF])
		default:
			b = utf8.AppendRune(b, rune(c))
		}
	}
	return append(b, '"')
}
