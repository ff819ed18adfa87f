package functions

import (
	"fmt"
	"strings"

	"github.com/dop251/goja"
	"github.com/go-json-experiment/json/jsontext"
)

// bindJSON replaces JSON.stringify with jsonWriter's (bounded, and
// interruptible) and bounds the nesting JSON.parse reads.
func (in *instance) bindJSON() {
	vm := in.vm
	json := vm.Get("JSON").ToObject(vm)
	parse, _ := goja.AssertFunction(json.Get("parse"))
	in.setMethod(json, "stringify", 3, in.jsonStringify)
	in.setMethod(json, "parse", 2, func(call goja.FunctionCall) goja.Value {
		text := call.Argument(0).ToString()
		str := text.String()
		if jsonNesting(str) > maxJSONNesting {
			panic(in.jsError("RangeError", fmt.Sprintf("Maximum call stack size exceeded: JSON.parse stops at %d levels of nesting", maxJSONNesting)))
		}
		if _, reviver := goja.AssertFunction(call.Argument(1)); !reviver && len(str) > goParseMax && !hasSurrogateEscape(str) {
			return in.parseLarge(str)
		}
		v, err := parse(goja.Undefined(), text, call.Argument(1))
		if err != nil {
			panic(err)
		}
		return v
	})
}

// goParseMax is the longest text goja's JSON.parse reads: it is one Go call
// that no deadline stops (40 MB took 25 s), about 0.5 s for 1 MiB on a
// loaded machine. Longer text without a reviver is read by the runtime's
// own decoder (fromJSON's, polling for interrupts), which stops at the
// deadline or the memory watchdog. Text with a \uD800-\uDFFF escape (a
// lone surrogate is valid there, not in Go strings) and any text with a
// reviver still go to goja's.
const goParseMax = 1 << 20

// parseLarge is JSON.parse of str by the runtime's decoder, with JSON.parse's
// nesting limit and its handling of repeated names (the last one wins).
// A syntax error is a SyntaxError.
func (in *instance) parseLarge(str string) goja.Value {
	d := &jsonDecoder{dec: jsontext.NewDecoder(strings.NewReader(str), jsontext.AllowDuplicateNames(true)),
		maxDepth: maxJSONNesting + 1, poll: true}
	v, err := in.parseJSON(d)
	if err != nil {
		panic(in.jsError("SyntaxError", "JSON.parse: "+err.Error()))
	}
	return v
}

// hasSurrogateEscape reports whether s has an escape \uD800-\uDFFF.
func hasSurrogateEscape(s string) bool {
	for i := strings.Index(s, `\u`); i >= 0 && i+3 < len(s); {
		if c := s[i+2]; (c == 'd' || c == 'D') && strings.IndexByte("89abcdefABCDEF", s[i+3]) >= 0 {
			return true
		}
		j := strings.Index(s[i+2:], `\u`)
		if j < 0 {
			break
		}
		i += 2 + j
	}
	return false
}

// jsonStringify is JSON.stringify: at most a quarter of the function's
// memory budget of output (its buffer, which may grow to twice that, and
// the string made of it must fit); beyond, RangeError, as V8 for a string
// over its limit.
func (in *instance) jsonStringify(call goja.FunctionCall) goja.Value {
	w := in.newJSONWriter(int(in.memoryBudget() / 4))
	w.options(call.Argument(1), call.Argument(2))
	b, present, over := w.write(call.Argument(0))
	in.freeJSONWriter(w)
	switch {
	case over:
		panic(in.jsError("RangeError", "Invalid string length: JSON.stringify would write more than the function's memory limit (config.json memorySize)"))
	case !present:
		return goja.Undefined()
	}
	return in.vm.ToValue(string(b))
}

// jsonNesting returns how deeply the JSON text s nests arrays and objects:
// the most brackets open at once outside strings. For text that is not
// JSON it is at least as deep as a parser gets before it fails.
func jsonNesting(s string) int {
	depth, most := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			for i++; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' {
					i++
				}
			}
		case '[', '{':
			if depth++; depth > most {
				most = depth
			}
		case ']', '}':
			depth--
		}
	}
	return most
}

// setMethod defines obj[name] as the native f, as built-in methods are:
// writable, configurable, not enumerable, with their name and length.
func (in *instance) setMethod(obj *goja.Object, name string, length int, f func(goja.FunctionCall) goja.Value) *goja.Object {
	fn := in.nativeFunction(name, length, f)
	obj.DefineDataProperty(name, fn, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	return fn
}

// nativeFunction returns f as a JavaScript function with a name and a
// length, as built-in functions have.
func (in *instance) nativeFunction(name string, length int, f func(goja.FunctionCall) goja.Value) *goja.Object {
	vm := in.vm
	fn := vm.ToValue(f).ToObject(vm)
	fn.DefineDataProperty("name", vm.ToValue(name), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	fn.DefineDataProperty("length", vm.ToValue(length), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	return fn
}
