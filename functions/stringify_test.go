package functions

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dop251/goja"
)

// JSON.stringify is the runtime's writer; it writes what goja's did, with
// every replacer and space, for every kind of value.
func TestJSONStringifyAgreesWithGoja(t *testing.T) {
	in, native := newBareInstance(t)
	ours, _ := goja.AssertFunction(in.vm.Get("JSON").ToObject(in.vm).Get("stringify"))
	outcome := func(v goja.Value, err error) string {
		if err != nil {
			return "threw " + err.Error()
		}
		if goja.IsUndefined(v) {
			return "undefined"
		}
		return fmt.Sprintf("%q", v.String())
	}
	for _, src := range []string{
		`{a: 1, b: [1, 'x', null, undefined, () => 1], c: {d: new Date(0)}}`,
		`[new Number(1), new String('s'), new Boolean(true), Object(false)]`,
		`{'\ud800': 1, 'é': '\udc00x', '😀': ['\ud83d\ude00']}`,
		`new Uint8Array([1, 2, 3])`, `Object.assign(new Uint8Array(2), {x: 1})`, `new Float64Array([0.5, -0, NaN])`,
		`Buffer.from('hi')`, `new Map([[1, 2]])`, `JSON.rawJSON('1e1000')`, `[JSON.rawJSON('"x"')]`,
		`new Proxy({a: 1, b: 2}, {ownKeys: () => ['b', 'a'], get: (t, k) => t[k] * 10})`,
		`new Proxy([1, 2, 3], {})`, `{toJSON(k) { return 'key:' + k }}`, `[{toJSON(k) { return 'key:' + k }}]`,
		`Object.defineProperty({}, 'hidden', {value: 1})`, `Object.create({inherited: 1}, {own: {value: 2, enumerable: true}})`,
		`{2: 'a', 1: 'b', x: 'c', 10: 'd', '-1': 'e', '01': 'f'}`, `[,,1]`, `''`, `'\u2028\u2029\u0000\u001f'`,
		`1e21`, `-1e-7`, `123.456`, `-0`, `[Infinity, -Infinity, NaN]`, `Symbol('s')`, `{s: Symbol('s')}`, `undefined`, `() => 1`,
		`(() => { const a = [1, {b: [2, {c: 3}]}]; return {x: a, y: a} })()`, `{n: 1n}`, `(() => { const a = [1]; a.push(a); return a })()`,
	} {
		for _, args := range []string{`undefined, undefined`, `null, 2`, `null, '--'`, `null, 'abcdefghijklmnop'`, `null, 20`,
			`null, new Number(3)`, `null, new String('\t')`, `['a', 'b', 1, 'a', new String('c'), {}], undefined`,
			`(k, v) => typeof v === 'number' ? v * 2 : v, undefined`, `function (k, v) { return k === 'a' ? undefined : v }, 1`} {
			call, err := in.vm.RunString(`[` + src + `, ` + args + `]`)
			if err != nil {
				t.Fatalf("%s, %s: %v", src, args, err)
			}
			a := call.ToObject(in.vm)
			v, r, sp := a.Get("0"), a.Get("1"), a.Get("2")
			got, want := outcome(ours(goja.Undefined(), v, r, sp)), outcome(native(goja.Undefined(), v, r, sp))
			if got != want {
				t.Errorf("JSON.stringify(%s, %s):\n ours   %s\n goja's %s", src, args, got, want)
			}
		}
	}
	// Name and length, as the built-in's.
	if v, _ := in.vm.RunString(`JSON.stringify.name + JSON.stringify.length + JSON.parse.name + JSON.parse.length`); v.String() != "stringify3parse2" {
		t.Errorf("JSON.stringify and parse: %s", v)
	}
}

// JSON.parse of text over goParseMax (read by the runtime's decoder, which
// polls for interrupts) makes what goja's makes of the same text.
func TestJSONParseLarge(t *testing.T) {
	in, _ := newBareInstance(t)
	if _, err := in.vm.RunString(`var pad = ' '.repeat(` + strconv.Itoa(goParseMax) + `);
		var show = (v) => JSON.stringify(v) + ' ' + Object.is(v && v.z, -0) + ' ' + (v && Object.getPrototypeOf(v) === Object.prototype) +
			' ' + (v && Object.keys(v).join());`); err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{
		`{"a":1,"b":[true,null,"x\\u0041é"],"a":2,"__proto__":{"x":1},"z":-0,"m":-1e-300,"big":12345678901234567890,"1":0,"0":1}`,
		`[1.5, -0.0, 9007199254740993, {"":""}]`,
		`"just a string"`, `42`, `null`,
	} {
		v, err := in.vm.RunString(`[show(JSON.parse(` + strconv.Quote(text) + `)), show(JSON.parse(pad + ` + strconv.Quote(text) + ` + pad))]`)
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		o := v.ToObject(in.vm)
		if small, large := o.Get("0").String(), o.Get("1").String(); small != large {
			t.Errorf("JSON.parse(%s):\n goja's %s\n ours   %s", text, small, large)
		}
	}
	for _, text := range []string{`[1, 2`, `{"a":1} x`, `{'a':1}`, `[1,]`, `tru`} {
		v, err := in.vm.RunString(`(() => { try { JSON.parse(pad + ` + strconv.Quote(text) + `); return 'parsed' } catch (e) { return e.name } })()`)
		if err != nil || v.String() != "SyntaxError" {
			t.Errorf("JSON.parse of %q padded: %v, %v; want a SyntaxError", text, v, err)
		}
	}
}

// JSON.stringify's errors: a cycle (however deep), a BigInt, and more
// nesting or output than the limits; each a catchable exception.
func TestJSONStringifyLimits(t *testing.T) {
	in, _ := newBareInstance(t)
	for _, c := range []struct{ src, want string }{
		{`(() => { const a = {}; a.b = {c: [a]}; return JSON.stringify(a) })()`, "TypeError: Converting circular structure to JSON"},
		{`(() => { let v = {}; const top = v; for (let i = 0; i < 100; i++) v = v.n = {}; v.n = top; return JSON.stringify(top) })()`, "TypeError: Converting circular structure to JSON"},
		{`JSON.stringify({n: 1n})`, "TypeError: Do not know how to serialize a BigInt"},
		{`(() => { let v = 0; for (let i = 0; i < 10001; i++) v = [v]; return JSON.stringify(v) })()`, "RangeError: Maximum call stack size exceeded: JSON.stringify stops at 10000 levels"},
		{`(() => { let v = 0; for (let i = 0; i < 10000; i++) v = [v]; return JSON.stringify(v).length })()`, "20001"},
		{`(() => { const s = 'x'.repeat(40 << 20); return JSON.stringify([s, s]) })()`, "RangeError: Invalid string length: JSON.stringify would write more than the function's memory limit"},
		{`JSON.parse('['.repeat(10001) + ']'.repeat(10001))`, "RangeError: Maximum call stack size exceeded: JSON.parse stops at 10000 levels"},
		{`JSON.parse('["[[[[", ' + '['.repeat(9998) + ']'.repeat(9998) + ']').length`, "2"},
		{`JSON.parse('{"a": [1, {"b": 2}]}', (k, v) => typeof v === 'number' ? v + 1 : v).a[1].b`, "3"},
	} {
		v, err := in.vm.RunString(`(() => { try { return String(` + c.src + `) } catch (e) { return String(e) } })()`)
		if err != nil || !strings.HasPrefix(v.String(), c.want) {
			t.Errorf("%s: %v, %v; want %q", c.src, v, err, c.want)
		}
	}
}

// Indentation after an empty object or array is the standard's (and
// Node's): goja's own JSON.stringify left it one level deeper.
func TestJSONStringifyIndents(t *testing.T) {
	in, _ := newBareInstance(t)
	v, err := in.vm.RunString(`JSON.stringify({a: {}, b: [[], 1], c: 2}, null, 2)`)
	want := "{\n  \"a\": {},\n  \"b\": [\n    [],\n    1\n  ],\n  \"c\": 2\n}"
	if err != nil || v.String() != want {
		t.Errorf("got %q, %v; want %q", v, err, want)
	}
}

// The nesting scan of JSON.parse counts what a parser would: brackets
// outside strings, escapes included.
func TestJSONNesting(t *testing.T) {
	for _, c := range []struct {
		s    string
		want int
	}{
		{`1`, 0}, {`[]`, 1}, {`[[],[[]]]`, 3}, {`{"a":{"b":[]}}`, 3}, {`"[[["`, 0}, {`["\"[[", []]`, 2}, {`["\\", [[]]]`, 3},
		{`]]][[`, 0}, {`"unterminated [[`, 0},
	} {
		if got := jsonNesting(c.s); got != c.want {
			t.Errorf("jsonNesting(%s) = %d, want %d", c.s, got, c.want)
		}
	}
}

// For any valid JSON, the scan finds the nesting a decoder sees.
func FuzzJSONNesting(f *testing.F) {
	for _, s := range []string{`[]`, `{"a":[1,{"b":"]"}]}`, `"\\\""`, `[["\u005b"]]`, `]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := jsonNesting(s)
		if !json.Valid([]byte(s)) {
			return
		}
		dec := json.NewDecoder(strings.NewReader(s))
		depth, most := 0, 0
		for {
			tok, err := dec.Token()
			if err != nil {
				break
			}
			switch tok {
			case json.Delim('['), json.Delim('{'):
				depth++
				most = max(most, depth)
			case json.Delim(']'), json.Delim('}'):
				depth--
			}
		}
		if got != most {
			t.Fatalf("jsonNesting(%q) = %d, a decoder nests %d", s, got, most)
		}
	})
}

// For any JSON (made into JavaScript values by goja's JSON.parse), with
// any indentation and with or without a property list, the runtime's
// JSON.stringify writes what goja's does.
func FuzzJSONStringify(f *testing.F) {
	for _, s := range []string{`{"a":[1,2.5,"x\u0000",null,true],"b":{"c":{}}}`, `["\ud800", {"\udc00": 1}]`, `1e300`, `"é"`} {
		f.Add(s, 0, false)
	}
	in, native := newBareInstance(f)
	parse, _ := goja.AssertFunction(in.vm.Get("JSON").ToObject(in.vm).Get("parse"))
	ours, _ := goja.AssertFunction(in.vm.Get("JSON").ToObject(in.vm).Get("stringify"))
	emptyContainer := regexp.MustCompile(`\{\s*\}|\[\s*\]`)
	f.Fuzz(func(t *testing.T, s string, space int, list bool) {
		if jsonNesting(s) > 100 || space%12 != 0 && emptyContainer.MatchString(s) {
			return // goja's indentation after an empty {} or [] is wrong: TestJSONStringifyIndents
		}
		v, err := parse(goja.Undefined(), in.vm.ToValue(s))
		if err != nil {
			return
		}
		replacer := goja.Null()
		if list {
			replacer = in.vm.ToValue([]any{"a", "b", "0", "1"})
		}
		sp := in.vm.ToValue(space % 12)
		want, werr := native(goja.Undefined(), v, replacer, sp)
		got, gerr := ours(goja.Undefined(), v, replacer, sp)
		if fmt.Sprint(werr) != fmt.Sprint(gerr) || werr == nil && !got.StrictEquals(want) {
			t.Fatalf("JSON.stringify(JSON.parse(%q), %v, %d):\n ours   %v, %v\n goja's %v, %v", s, list, space%12, got, gerr, want, werr)
		}
	})
}

// bigExponent finds numbers past float64's range, which goja's JSON.parse
// refuses and V8 (and the decoder) read as Infinity or 0.
var bigExponent = regexp.MustCompile(`[eE][+-]?0*[0-9]{3,}`)

// FuzzJSONParseLarge: for any text, the runtime's decoder (parseLarge,
// which JSON.parse uses for text over goParseMax) makes what goja's parse
// makes of it, or both throw a SyntaxError. It calls parseLarge directly:
// padding each input past goParseMax, as TestJSONParseLarge does once,
// made every execution copy and scan 2 MiB (20–100 runs a second). Text
// JSON.parse never hands the decoder (too deeply nested, a surrogate
// escape) and numbers goja cannot read (1e400: V8 and the decoder make
// Infinity) are left out.
func FuzzJSONParseLarge(f *testing.F) {
	for _, s := range []string{`{"a":1,"a":[2,{"b":null}]}`, `[1.5,-0,"\u00e9",true]`, `"x\"y"`, `{"__proto__":{"p":1}}`, `[1,]`, `{"a" 1}`} {
		f.Add(s)
	}
	in, _ := newBareInstance(f)
	in.vm.Set("parseLarge", func(call goja.FunctionCall) goja.Value { return in.parseLarge(call.Argument(0).String()) })
	if _, err := in.vm.RunString(`var both = (t) => [() => JSON.parse(t), () => parseLarge(t)].map((p) => { try { return JSON.stringify(p()) } catch (e) { return e.name } }).join('\n')`); err != nil {
		f.Fatal(err)
	}
	both, _ := goja.AssertFunction(in.vm.Get("both"))
	f.Fuzz(func(t *testing.T, text string) {
		if !utf8.ValidString(text) || bigExponent.MatchString(text) || len(text) > 4096 ||
			jsonNesting(text) > maxJSONNesting || hasSurrogateEscape(text) {
			return
		}
		v, err := both(goja.Undefined(), in.vm.ToValue(text))
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		goja, ours, _ := strings.Cut(v.String(), "\n")
		if goja != ours {
			t.Fatalf("JSON.parse(%q):\n goja's %s\n ours   %s", text, goja, ours)
		}
	})
}
