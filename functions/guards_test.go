package functions

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/dop251/goja"
)

// oneStep runs event.mode's expression and returns what it made (its
// length) or threw. Its memory budget is 64 MB; every expression would
// take gigabytes in one Go call, or walk billions of elements, if it ran.
const oneStep = `
const sparse = () => { const a = []; a.length = 2 ** 32 - 1; return a; };
const twice = (first, then) => { let n = 0; return { valueOf: () => (n++ ? then : first) }; };
const modes = {
  // ArrayBuffer and typed arrays, by every path to their constructors
  bufferCtor: () => new (new Uint8Array(1).buffer.constructor)(8 * 2 ** 30),
  typedCtor: () => new (new Uint8Array(1).constructor)(8 * 2 ** 30),
  reflectConstruct: () => Reflect.construct(Float64Array, [2 ** 30]),
  bufferParent: () => new (Object.getPrototypeOf(Buffer))(8 * 2 ** 30),
  subclass: () => { class Big extends Uint16Array {} return new Big(2 ** 32); },
  typedFrom: () => Uint8Array.from({ length: 2 ** 33 }),
  typedLengthTwice: () => { let n = 0; return new Uint8Array({ get length() { return n++ ? 2 ** 33 : 4; } }); },
  arrayBufferTwice: () => new ArrayBuffer(twice(8, 8 * 2 ** 30)),
  typedSet: () => new Uint8Array(8).set({ length: 2 ** 32 - 1 }),
  // Buffer
  bufferAlloc: () => Buffer.alloc(8 * 2 ** 30),
  bufferAllocUnsafe: () => Buffer.allocUnsafe(8 * 2 ** 30),
  bufferFrom: () => Buffer.from({ length: 2 ** 33 }),
  newBuffer: () => new Buffer({ length: 2 ** 33 }),
  bufferConcat: () => Buffer.concat([Buffer.alloc(1)], 2 ** 33),
  bufferConcatMany: () => Buffer.concat(new Array(100).fill(Buffer.alloc(2 ** 20))),
  bufferMethod: () => Buffer.prototype.toString.call({ length: 2 ** 33 }),
  bufferMethodLatin1: () => Buffer.prototype.write.call({ length: 2 ** 33 }, 'x', 0, 'latin1'),
  bufferSearch: () => Buffer.prototype.indexOf.call({ length: 2 ** 33 }, 'x'),
  // strings, whose arguments are read once
  repeatTwice: () => 'x'.repeat(twice(1, 2 ** 31 - 2)),
  repeat: () => 'xx'.repeat(2 ** 29),
  padStartTwice: () => 'x'.padStart(twice(1, 2 ** 31 - 2)),
  padEnd: () => ''.padEnd(2 ** 30, 'ab'),
  concat: () => { const m = 'x'.repeat(2 ** 20); return m.concat(...new Array(1000).fill(m)); },
  replace: () => 'a'.repeat(1e5).replace(/a/g, 'x'.repeat(1e4)),
  replaceMatches: () => 'a'.repeat(1e7).replace(/a/g, ''),
  replaceAllMatches: () => 'a'.repeat(1e7).replaceAll('a', ''),
  replaceSuffix: () => 'a'.repeat(1e5).replace(/a/g, "$'"),
  replaceExec: () => { const rx = /a/g; let n = 0; rx.exec = () => (n++ < 1e7 ? Object.assign(['a'], { index: 0 }) : null); return 'a'.replace(rx, 'x'.repeat(100)); },
  replaceAll: () => 'a'.repeat(1e5).replaceAll('a', () => 'x'.repeat(1e4)),
  split: () => 'x'.repeat(2 ** 21).split(''),
  match: () => 'x'.repeat(2 ** 23).match(/x/g),
  raw: () => String.raw({ raw: { length: 2 ** 32 - 1 } }),
  stringify: () => JSON.stringify(new Array(1e6).fill([[[[]]]]), null, 10),
  // arrays whose length costs nothing to claim
  newArray: () => new Array(2 ** 32 - 1),
  join: () => new Array(2 ** 32 - 1).join(''),
  joinRepeated: () => new Array(1000).fill('x'.repeat(2 ** 20)).join(''),
  fill: () => new Array(2 ** 32 - 1).fill(0),
  map: () => new Array(1e8).map((x) => x),
  sort: () => sparse().sort(),
  indexOf: () => sparse().indexOf(1),
  generic: () => Array.prototype.map.call({ length: 2 ** 53 - 1 }, (x) => x),
  lengthTwice: () => { let n = 0; return Object.keys(Array.prototype.fill.call({ get length() { return n++ ? 2 ** 32 - 1 : 2; } }, 0)).join(); },
  from: () => Array.from({ length: 2 ** 32 - 1 }),
  fromTwice: () => { let n = 0; return Array.from({ get length() { return n++ ? 2 ** 32 - 1 : 2; } }); },
  concatArrays: () => [].concat(...new Array(1000).fill(new Array(1e5).fill(0))),
  flat: () => new Array(1000).fill(new Array(1e5).fill(0)).flat(),
  apply: () => Math.max.apply(null, { length: 2 ** 32 - 1 }),
  applySparse: () => Math.max.apply(null, sparse()),
  reflectApply: () => Reflect.apply(Math.max, null, { length: 2 ** 32 - 1 }),
  keys: () => Object.keys('x'.repeat(2 ** 21)),
  assign: () => Object.assign({}, new Uint8Array(2 ** 21)),
  spread: () => [...sparse()],
};
exports.main = async (event) => {
  try {
    const v = modes[event.mode]();
    return typeof v === 'object' && v !== null && 'length' in v ? 'length ' + v.length : String(v);
  } catch (e) {
    return e.name + ': ' + e.message;
  }
};
`

// Each built-in that allocates or walks in one Go call is refused before
// it runs when its size is over the function's memory budget, whichever
// way it is reached and however its arguments answer a second time; the
// process's heap does not grow by more than the budget or so.
func TestOneStepAllocationsAreRefused(t *testing.T) {
	// Some refusals come only after a walk of millions of elements (seconds
	// under -race), so the timeout is long: only the refusal can answer,
	// however slow the machine. The spread ends by the memory watchdog or
	// its timeout, either of which is right, so its timeout can be short.
	src := &memSource{codes: map[string]*Code{}}
	for name, config := range map[string]string{"onestep": `{"timeout": 300, "memorySize": 64}`, "spread": `{"timeout": 10, "memorySize": 64}`} {
		code, err := NewCode(name, map[string][]byte{"index.js": []byte(oneStep), "config.json": []byte(config)})
		if err != nil {
			t.Fatal(err)
		}
		src.codes[name] = code
	}
	rt, _ := newRuntimeOver(t, src, Options{})
	const (
		tooBig  = "RangeError: Array buffer allocation failed: over the function's memory limit"
		tooMany = "RangeError: Invalid array length: over the function's memory limit"
		tooLong = "RangeError: Invalid string length: over the function's memory limit"
	)
	var start runtime.MemStats
	runtime.ReadMemStats(&start)
	for _, c := range []struct{ mode, want string }{
		{"bufferCtor", tooBig}, {"typedCtor", tooBig}, {"reflectConstruct", tooBig}, {"bufferParent", tooBig},
		{"subclass", tooBig}, {"typedFrom", tooBig}, {"typedLengthTwice", "length 4"}, {"arrayBufferTwice", "[object ArrayBuffer]"},
		{"typedSet", "RangeError"},
		{"bufferAlloc", tooBig}, {"bufferAllocUnsafe", tooBig}, {"bufferFrom", tooBig}, {"newBuffer", tooBig},
		{"bufferConcat", tooBig}, {"bufferConcatMany", tooBig}, {"bufferMethod", "TypeError: The \"this\" argument must be an instance of Buffer"},
		{"bufferMethodLatin1", "TypeError: The \"this\" argument must be an instance of Buffer"}, {"bufferSearch", "TypeError: The \"this\" argument must be an instance of Buffer"},
		{"repeatTwice", "x"}, {"repeat", tooLong}, {"padStartTwice", "x"}, {"padEnd", tooLong}, {"concat", tooLong},
		{"replace", tooLong}, {"replaceMatches", tooMany}, {"replaceAllMatches", tooMany}, {"replaceSuffix", tooLong}, {"replaceExec", tooMany}, {"replaceAll", tooLong}, {"split", tooMany}, {"match", tooMany},
		{"raw", tooMany}, {"stringify", "RangeError: Invalid string length: JSON.stringify would write more than the function's memory limit"},
		{"newArray", "length 4294967295"}, {"join", tooMany}, {"joinRepeated", tooLong}, {"fill", tooMany}, {"map", tooMany},
		{"sort", tooMany}, {"indexOf", tooMany}, {"generic", tooMany}, {"lengthTwice", "0,1,length"}, {"from", tooMany},
		{"fromTwice", "length 2"}, {"concatArrays", tooMany}, {"flat", tooMany}, {"apply", tooMany}, {"applySparse", tooMany},
		{"reflectApply", tooMany}, {"keys", tooMany}, {"assign", tooMany},
	} {
		got, err := invoke(t, rt, userCtx, "onestep", `{"mode":"`+c.mode+`"}`)
		if s, _ := got.(string); err != nil || !strings.HasPrefix(s, c.want) {
			t.Errorf("%s: %v, %v; want %q", c.mode, got, err, c.want)
		}
		var now runtime.MemStats
		runtime.ReadMemStats(&now)
		if grew := int64(now.HeapSys) - int64(start.HeapSys); grew > 1<<30 {
			t.Errorf("%s: the heap grew by %d MB", c.mode, grew>>20)
		}
	}
	// Spreading a sparse array is syntax, not a function: its iterator
	// polls, so the deadline or the memory watchdog ends it.
	_, err := invoke(t, rt, userCtx, "spread", `{"mode":"spread"}`)
	if ErrorCode(err) != CodeExecuteFail || !contains(err, "timed out") && !contains(err, "memory limit") {
		t.Errorf("spread: %v, want the timeout or the memory limit", err)
	}
	runCases(t, rt, []fcase{{name: "after", fn: "spread", event: `{"mode":"newArray"}`, want: `"length 4294967295"`}})
}

// The guarded built-ins behave as the originals: names, lengths, results,
// identities (instanceof, constructor), and the patterns of replace.
func TestGuardedBuiltinsBehaveAsBefore(t *testing.T) {
	in, _ := newBareInstance(t)
	for _, c := range []struct{ src, want string }{
		{`[Array.prototype.join.name, Array.prototype.join.length, String.prototype.padStart.length, Uint8Array.name, Uint8Array.length, Uint8Array.BYTES_PER_ELEMENT]`, `["join",1,1,"Uint8Array",3,1]`},
		{`[new Uint8Array(2) instanceof Uint8Array, Buffer.from('a') instanceof Uint8Array, Buffer.from('a') instanceof Buffer, new Uint8Array(1).constructor === Uint8Array, new ArrayBuffer(1).constructor === ArrayBuffer, Object.getPrototypeOf(Buffer) === Uint8Array]`, `[true,true,true,true,true,true]`},
		// Buffer inherits Uint8Array's guarded instanceof, answering for itself:
		// a plain Uint8Array is not a Buffer.
		{`[new Uint8Array(2) instanceof Buffer, Buffer.isBuffer(new Uint8Array(1)), Buffer.isBuffer(Buffer.alloc(1)), new Uint16Array(1) instanceof Uint8Array]`, `[false,false,true,false]`},
		{`(() => { class B extends Uint8Array { sum() { return this.reduce((a, b) => a + b, 0) } } const b = new B([1, 2, 3]); return [b instanceof B, b.sum(), b.map((x) => x * 2) instanceof B, Array.from(b)] })()`, `[true,6,true,[1,2,3]]`},
		{`[Array.from(new Uint16Array([1, 2])), Array.from(new Set([1, 2])), Array.from({length: 2}, (_, i) => i * 2), Array.from('ab'), new Float64Array({length: 2, 0: 1.5, 1: 2})]`, `[[1,2],[1,2],[0,2],["a","b"],{"0":1.5,"1":2}]`},
		{`[new Int16Array(new Set([1, 2])), new Uint8Array([1, 300]), Buffer.from([104, 105]).toString(), Buffer.from({type: 'Buffer', data: [104, 105]}).toString(), Buffer.from('aGk=', 'base64').toString()]`, `[{"0":1,"1":2},{"0":1,"1":44},"hi","hi","hi"]`},
		{`[Buffer.concat([Buffer.from('a'), Buffer.from('bc')]).toString(), Buffer.concat([Buffer.from('abc')], 2).toString(), Buffer.alloc(3, 'ab').toString(), Buffer.from('hi').toJSON(), new Buffer('hi').toString()]`, `["abc","ab","aba",{"type":"Buffer","data":[104,105]},"hi"]`},
		{`['ab'.repeat(3), 'a'.padStart(3, 'xy'), 'a'.padEnd(3), 'a'.concat(1, null, [2, 3]), String.raw({raw: ['a', 'b', 'c']}, 1, 2), String.raw` + "`x${1}\\n`" + `]`, `["ababab","xya","a  ","a1null2,3","a1b2c","x1\\n"]`},
		{`['a-b-c'.split('-'), 'a-b-c'.split('-', 2), 'abc'.split(''), 'a1b2c'.split(/\d/), 'abc'.split(), 'aXbX'.match(/X/g), 'ab'.match(/(a)(b)/).slice(), 'xx'.match(/y/g)]`, `[["a","b","c"],["a","b"],["a","b","c"],["a","b","c"],["abc"],["X","X"],["ab","a","b"],null]`},
		{`['aaa'.replace('a', 'b'), 'aaa'.replace(/a/g, '[$&]'), 'abc'.replace('b', "$'$` + "`" + `$$"), 'John Smith'.replace(/(\w+)\s(\w+)/, '$2, $1'), '2020-01'.replace(/(?<y>\d+)-(?<m>\d+)/, '$<m>/$<y>'), 'aaa'.replaceAll('a', (m, i) => i), 'a.b'.replaceAll('.', '$&$&')]`, `["baa","[a][a][a]","ac` + "a$" + `c","Smith, John","01/2020","012","a..b"]`},
		{`[[1, [2, [3, [4]]]].flat(), [1, [2, [3, [4]]]].flat(Infinity), [1, 2].flatMap((x) => [x, x * 2]), [1].concat([2], 3, [[4]]), [1, , 3].concat([4, , 6]).length, Object.keys([1, , 3].concat([, 5]))]`, `[[1,2,[3,[4]]],[1,2,3,4],[1,2,2,4],[1,2,3,[4]],6,["0","2","4"]]`},
		{`[[3, 1, 2].sort(), [1, 2, 3].map((x) => x * 2), [1, 2, 3].indexOf(2), Array.prototype.map.call('ab', (c) => c + c), Array.prototype.slice.call({length: 2, 0: 'a', 1: 'b'}), [1, [2, [3]]].join(';'), [1, [2, [3]]].toString(), [1234.5].toLocaleString('en-US')]`, `[[1,2,3],[2,4,6],1,["aa","bb"],["a","b"],"1;2,3","1,2,3","1,234.5"]`}, // the prelude's Number toLocaleString, as Node's
		{`(() => { const a = [1, 2]; a.push(a); return [a.join(), String(a)] })()`, `["1,2,","1,2,"]`},
		{`(() => { const rx = /b(.)/g; const exec = rx.exec; rx.exec = function (s) { return exec.call(this, s) }; return ['abcbd'.replace(rx, '[$1]'), 'abcbd'.match(rx), 'abcbd'.replace(/b/g, (m, i) => i)] })()`, `["a[c][d]",["bc","bd"],"a1c3d"]`},
		{`[Math.max.apply(null, [1, 5, 2]), Math.max.apply(null, {length: 2, 0: 3, 1: 4}), Reflect.apply(Math.min, null, [4, 2]), Reflect.construct(Date, [0]).getTime(), (function () { return Array.prototype.slice.apply(arguments) })(1, 2)]`, `[5,4,2,0,[1,2]]`},
		{`[[...'ab'], [...new Set([1, 2])], [...[1, , 3]], [...'a1b2'.matchAll(/\d/g)].map((m) => m[0]), Promise.all([1, 2]) instanceof Promise]`, `[["a","b"],[1,2],[1,null,3],["1","2"],true]`},
		{`[Object.keys('ab'), Object.values(new Uint8Array([7])), Object.entries({a: 1}), Object.assign({}, 'ab', {c: 1}), Reflect.ownKeys([1])]`, `[["0","1"],[7],[["a",1]],{"0":"a","1":"b","c":1},["0","length"]]`},
	} {
		v, err := in.vm.RunString("JSON.stringify(" + c.src + ")")
		if err != nil {
			t.Errorf("%s: %v", c.src, err)
			continue
		}
		if v.String() != c.want {
			t.Errorf("%s:\n got  %s\n want %s", c.src, v, c.want)
		}
	}
}

// replace through the guards writes what goja's own replace writes, for
// every $ pattern, with a RegExp (always the runtime's) and with a string
// (the runtime's expansion once the result could outgrow the budget).
func TestReplacementPatterns(t *testing.T) {
	in, _ := newBareInstance(t)
	plain := goja.New() // goja's own built-ins
	g := &guards{in: in, vm: in.vm, maxBytes: 1 << 20, maxChars: 16, maxElems: 1 << 16, joining: map[*goja.Object]bool{}}
	const subject = `'a12b3-45c3'`
	for _, tmpl := range []string{"x", "$$", "$&", "$`", "$'", "$1", "$2", "$3", "$10", "$01", "$00", "$0", "$<y>", "$<nope>", "$<y", "$", "a$", "$$$&", "[$1|$2|$<m>]"} {
		for _, search := range []string{`/(\d)(\d)?/g`, `/(?<y>\d+)-(?<m>\d+)/`, `/(?<y>\d)/gu`, `/x/g`, `/(?:)/g`, `'3'`} {
			for _, method := range []string{"replace", "replaceAll"} {
				src := fmt.Sprintf(`%s.%s(%s, %q)`, subject, method, search, tmpl)
				want, werr := plain.RunString(src)
				got, gerr := in.vm.RunString(src)
				if fmt.Sprint(got) != fmt.Sprint(want) || (werr == nil) != (gerr == nil) {
					t.Errorf("%s: %v, %v; goja writes %v, %v", src, got, gerr, want, werr)
				}
				if !strings.HasPrefix(search, "'") {
					continue
				}
				// A string search, with the expansion the runtime does when
				// a replacement could outgrow the budget (here 16).
				r := g.replacement(in.vm.ToValue("a12b3-45c3").(goja.String), in.vm.ToValue(tmpl), 1)
				if _, ok := goja.AssertFunction(r); !ok {
					continue
				}
				in.vm.Set("viaGo", r)
				got, gerr = in.vm.RunString(fmt.Sprintf(`(() => { try { return %s.%s(%s, viaGo) } catch (e) { return String(e) } })()`, subject, method, search))
				if gerr != nil || got.String() != want.String() && !strings.HasPrefix(got.String(), "RangeError: Invalid string length") {
					t.Errorf("%s expanded by the runtime: %v, %v; goja writes %v", src, got, gerr, want)
				}
			}
		}
	}
}

// builtinsWork is a warm call's worth of everyday array and string work,
// every step through a guard: what the guards cost.
const builtinsWork = `exports.main = () => {
  const a = Array.from({ length: 100 }, (_, i) => i);
  let s = 0;
  for (const x of a) s += x;
  const b = a.map((x) => x * 2).filter((x) => x % 3).slice(10);
  const t = b.join(',').replace(/,/g, ';').split(';').length;
  return { s, t, c: [...a, ...b].length, m: Math.max.apply(null, a), j: JSON.stringify(a).length, p: 'x'.padStart(8, '-') };
};`

func BenchmarkGuardedBuiltins(b *testing.B) {
	src := &memSource{}
	src.put(b, "work", builtinsWork)
	rt, _ := newRuntimeOver(b, src, Options{})
	if _, err := rt.Invoke(adminCtx, "work", nil, Invocation{}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := rt.Invoke(adminCtx, "work", nil, Invocation{}); err != nil {
			b.Fatal(err)
		}
	}
}

// A new instance's own cost — its bindings, the prelude, the guards and
// index.js's top level — which a cold start pays before the function runs:
// a trivial one (hello), and one that requires wx-server-sdk and opens its
// database (readwrite).
func BenchmarkColdInstance(b *testing.B) {
	rt, _ := newTestRuntime(b, Options{})
	for _, name := range []string{"hello", "readwrite"} {
		b.Run(name, func(b *testing.B) {
			code, err := rt.src.Load(adminCtx, name)
			if err != nil {
				b.Fatal(err)
			}
			fn := rt.function(code)
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				in := rt.newInstance(fn)
				if err := in.load(); err != nil {
					b.Fatal(err)
				}
				in.close()
			}
		})
	}
}

// For any replacement template, the runtime's expansion of its $ patterns
// writes what goja's does, with and without captures and named groups.
func FuzzReplacementTemplate(f *testing.F) {
	for _, s := range []string{"$&", "$1$2", "$<y>", "$$", "$'$`", "$01$10$00", "$<", "x$"} {
		f.Add(s, "a12b3-45c3")
	}
	in, _ := newBareInstance(f)
	plain := goja.New()
	g := &guards{in: in, vm: in.vm, maxBytes: 1 << 20, maxChars: 1 << 20, maxElems: 1 << 16, joining: map[*goja.Object]bool{}}
	var template goja.String
	in.vm.Set("viaGo", func(call goja.FunctionCall) goja.Value {
		n := len(call.Arguments)
		groups := goja.Value(goja.Undefined())
		if !goja.IsString(call.Arguments[n-1]) {
			groups, n = call.Arguments[n-1], n-1
		}
		return g.substitute(template, g.str(call.Arguments[0]), g.str(call.Arguments[n-1]), int(call.Arguments[n-2].ToInteger()),
			call.Arguments[1:n-2], groups, 1<<20)
	})
	f.Fuzz(func(t *testing.T, tmpl, subject string) {
		if len(subject) > 64 || len(tmpl) > 64 {
			return
		}
		template = in.vm.ToValue(tmpl).(goja.String)
		in.vm.Set("tmpl", tmpl)
		in.vm.Set("subject", subject)
		plain.Set("tmpl", tmpl)
		plain.Set("subject", subject)
		for _, re := range []string{`/(\d)(\d)?/g`, `/(?<y>\d+)-(?<m>\d+)/g`, `/b/`} {
			want, err := plain.RunString(`subject.replace(` + re + `, tmpl)`)
			if err != nil {
				return
			}
			got, err := in.vm.RunString(`subject.replace(` + re + `, viaGo)`)
			if err != nil || got.String() != want.String() {
				t.Fatalf("%q.replace(%s, %q): %v, %v; goja writes %q", subject, re, tmpl, got, err, want)
			}
		}
	})
}
