package functions

import (
	"errors"
	"fmt"
	"testing"

	"github.com/dop251/goja"
)

// newBareInstance returns an instance of a trivial function with the
// prelude run, for tests of conversions, and goja's own JSON.stringify,
// which the prelude replaces: what the runtime's must agree with.
func newBareInstance(t testing.TB) (*instance, goja.Callable) {
	t.Helper()
	rt, _ := newTestRuntime(t, Options{})
	code, err := NewCode("bare", map[string][]byte{"index.js": []byte(`exports.main = () => 1`)})
	if err != nil {
		t.Fatal(err)
	}
	in := rt.newInstance(rt.function(code))
	stringify, _ := goja.AssertFunction(in.vm.Get("JSON").ToObject(in.vm).Get("stringify"))
	if err := in.runPrelude(); err != nil {
		t.Fatal(err)
	}
	return in, stringify
}

// stringified is the result as goja's JSON.stringify makes it: what result
// must equal.
func stringified(stringify goja.Callable, v goja.Value) (string, error) {
	s, err := stringify(goja.Undefined(), v)
	if err != nil {
		var ex *goja.Exception
		if errors.As(err, &ex) {
			return "", Errorf(CodeExecuteFail, "main's result cannot be turned into JSON: %s", ex.Value().String())
		}
		return "", err
	}
	if goja.IsUndefined(s) {
		return "null", nil
	}
	return s.String(), nil
}

// A result is exactly what JSON.stringify makes of it, whatever it holds.
func TestResultIsJSONStringify(t *testing.T) {
	in, stringify := newBareInstance(t)
	conv := &docConverter{in: in}
	docVal, err := conv.document([]byte(`{"_id":"d1","n":1.5,"s":"x\ny","when":{"$date":"2024-01-01T00:00:00Z"},"o":{"a":[1,{"b":null}]},"big":9007199254740993}`))
	if err != nil {
		t.Fatal(err)
	}
	in.vm.Set("doc", docVal)
	for _, src := range []string{
		`undefined`, `null`, `true`, `false`, `0`, `-0`, `1.5`, `0.1`, `1/3`, `-2/3`, `1e-6`, `1.5e-6`, `1e-7`, `123e-20`, `2**53`, `2**53 + 2`,
		`2**60`, `-(2**63)`, `1e20`, `1e21`, `1.5e21`, `1e300`, `5e-324`, `-1.7976931348623157e308`, `NaN`, `Infinity`, `-Infinity`, `42`,
		`"plain"`, `"q\"b\\s\n\t\b\f\r\u0001\u001f\u007f/"`, `"é 你好 😀"`, `"\ud800"`, `"a\udc00b"`, `"\u2028\u2029"`, `"\ufffd"`, `""`,
		`({a: 1, b: undefined, c: () => 1, d: Symbol('x'), e: null, [Symbol('s')]: 1})`, `({2: 'a', 1: 'b', x: 'c', 10: 'd', '-1': 'e'})`,
		`[undefined, () => 1, Symbol(), NaN, [], {}, -0]`, `[1,,3]`, `new Array(3)`, `Object.assign([1, 2], {x: 3})`,
		`Object.assign(Object.create(null), {a: 1})`, `Object.create({inherited: 1})`, `Object.defineProperty({v: 1}, 'h', {value: 1, enumerable: false})`,
		`({get g() { return 5 }, h: 1})`, `({toJSON() { return {x: 1} }})`, `new Date(0)`, `({d: new Date(0), e: [new Date(1)]})`,
		`new (class P { constructor() { this.a = 1 } })()`, `new Map([[1, 2]])`, `new Set([1])`, `new Number(3)`, `new String('s')`,
		`new Boolean(false)`, `[new Number(1), Object('x')]`, `new Uint8Array([1, 2])`, `Buffer.from('hi')`, `({b: Buffer.from('hi')})`,
		`new Proxy({a: 1}, {})`, `[new Proxy([1, 2], {})]`, `new Error('x')`, `/re/g`, `({r: /re/})`, `() => 1`, `Symbol('top')`,
		`doc`, `[doc, doc.o, doc.o.a]`, `(() => { doc.added = 1; delete doc.n; return doc })()`,
		`(() => { let v = 1; for (let i = 0; i < 100; i++) v = [v]; return v })()`,
		`(() => { let v = {}; for (let i = 0; i < 70; i++) v = {v}; return v })()`,
		`(() => { const a = {}; a.self = a; return a })()`, `({n: 1n})`, `1n`, `({get g() { throw new Error('boom') }})`,
		`[{get g() { throw 'plain' }}]`, `({x: {toJSON() { throw new TypeError('no') }}})`,
	} {
		v, err := in.vm.RunString("(" + src + ")")
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		want, wantErr := stringified(stringify, v)
		got, gotErr := in.result(v)
		if string(got) != want || fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
			t.Errorf("%s:\n got  %s, %v\n want %s, %v", src, got, gotErr, want, wantErr)
		}
	}
}

// A result written by the runtime's writer, and by goja's JSON.stringify.
func BenchmarkResult(b *testing.B) {
	in, stringify := newBareInstance(b)
	v, err := in.vm.RunString(`({message: 'Hello, World!', ids: Array.from({length: 20}, (_, i) => 'id' + i), n: 1.5, ok: true})`)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		f    func() error
	}{
		{"result", func() error { _, err := in.result(v); return err }},
		{"goja's JSON.stringify", func() error { _, err := stringified(stringify, v); return err }},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if err := c.f(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
