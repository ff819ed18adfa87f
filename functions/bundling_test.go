package functions

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// readFolder reads a testdata function's files as a deployment sends them.
func readFolder(t *testing.T, name string) map[string][]byte {
	t.Helper()
	files, err := readFiles(name, filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// Functions that the CommonJS loader cannot run as they are — TypeScript,
// npm packages written as ES modules — are bundled at deploy and run; the
// history keeps their sources and the bundle.
func TestDeployBundles(t *testing.T) {
	d, err := OpenDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	rt, _ := newRuntimeOver(t, d, Options{Env: "env-b"})
	ctx := context.Background()
	for _, fn := range []string{"bundle-ts", "bundle-esm", "hello"} {
		v, err := d.Put(ctx, fn, readFolder(t, fn))
		if err != nil {
			t.Fatalf("deploy %s: %v", fn, err)
		}
		if want := fn != "hello"; v.Bundled != want {
			t.Errorf("%s: bundled %v, want %v", fn, v.Bundled, want)
		}
	}
	runCases(t, rt, []fcase{
		{name: "TypeScript, two modules", fn: "bundle-ts", event: `{"name":"ts"}`, want: `{"message":"Hello, ts!"}`},
		{name: "an ES module package from node_modules; wx-server-sdk and crypto from the runtime", fn: "bundle-esm",
			event: `{"a":2,"b":3}`, want: `{"sum":5,"version":"1.0.0","md5":"0cc175b9c0f1b6a831c399e269772661","env":"env-b"}`},
		{name: "a stack trace names the TypeScript source", fn: "bundle-ts", event: `{"fail":true}`,
			errCode: CodeExecuteFail, errText: "index.ts:"},
		{name: "plain CommonJS runs as it is", fn: "hello", event: `{}`, want: `{}`},
	})
	// The live folder holds the sources, not the bundle; the history keeps both.
	if _, err := os.Stat(filepath.Join(d.root, "bundle-ts", "index.js")); !os.IsNotExist(err) {
		t.Errorf("the live folder has an index.js: %v", err)
	}
	code, _ := d.Load(ctx, "bundle-ts")
	if b := d.storedBundle("bundle-ts", code.Version); !strings.Contains(string(b), "Hello, ") {
		t.Errorf("no bundle kept for the version: %q", b)
	}
	files, _, err := d.archived("bundle-ts", code.Version)
	if err != nil || string(files["lib/greet.ts"]) != string(readFolder(t, "bundle-ts")["lib/greet.ts"]) {
		t.Errorf("the version's sources: %v, %v", files, err)
	}
}

// A folder edited on disk is bundled when it is loaded.
func TestBundleEditedOnDisk(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{})
	runCases(t, rt, []fcase{
		{name: "testdata/bundle-ts, never deployed", fn: "bundle-ts", event: `{}`, want: `{"message":"Hello, world!"}`},
		{name: "testdata/bundle-syntax", fn: "bundle-syntax", event: `{}`, errCode: CodeUnavailable, errText: "index.ts:4:"},
	})
}

// Bundle errors are INVALID_PARAM with esbuild's file:line:column, and
// change nothing; a bundle cannot take files from outside the function.
func TestDeployBundleErrors(t *testing.T) {
	root := t.TempDir()
	d, _ := OpenDir(root)
	ctx := context.Background()
	if _, err := d.Put(ctx, "other", map[string][]byte{"index.js": []byte(`export const secret = 42`)}); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(root, "node_modules", "hostpkg"), 0o700)
	os.WriteFile(filepath.Join(root, "node_modules", "hostpkg", "index.js"), []byte(`module.exports = 'host'`), 0o600)
	for _, c := range []struct {
		name  string
		files map[string][]byte
		want  []string
	}{
		{"a syntax error", readFolder(t, "bundle-syntax"), []string{"bundling index.ts failed", "index.ts:4:", `Unexpected "return"`}},
		{"a missing package", map[string][]byte{"index.ts": []byte("import x from 'left-pad'\nexport const main = () => x")},
			[]string{`index.ts:1:15: Could not resolve "left-pad"`, "include the package in node_modules/"}},
		{"another function's file", map[string][]byte{"index.js": []byte("import { secret } from '../other/index.js'\nexport const main = () => secret")},
			[]string{"outside the function's folder"}},
		{"a package above the folder", map[string][]byte{"index.mjs": []byte("import h from 'hostpkg'\nexport default h"),
			"index.js": []byte("exports.main = () => require('./index.mjs')")}, []string{"outside the function's folder"}},
	} {
		_, err := d.Put(ctx, "bad", c.files)
		if ErrorCode(err) != CodeInvalidParam {
			t.Errorf("%s: %v, want INVALID_PARAM", c.name, err)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q does not say %q", c.name, err, w)
			}
		}
		if strings.Contains(err.Error(), root) {
			t.Errorf("%s: the message shows the server's folder: %q", c.name, err)
		}
	}
	if d.exists("bad") {
		t.Error("a refused deployment left a folder")
	}
}

func TestBundleReason(t *testing.T) {
	for _, c := range []struct {
		files map[string]string
		want  string
	}{
		{map[string]string{"index.js": "exports.main = () => 1"}, ""},
		{map[string]string{"index.js": "const x = require('./x')\n// import foo from 'bar' in a comment\nexports.main = () => x"}, ""},
		{map[string]string{"index.js": "exports.main = async () => { const m = await import('./m.js'); return m }"}, ""},
		{map[string]string{"index.js": "", "package.json": `{"dependencies": {"wx-server-sdk": "~2.6.3"}}`}, ""},
		{map[string]string{"index.js": "", "node_modules/x/index.js": "export default 1"}, ""},
		{map[string]string{"index.js": "", "types.d.ts": "export {}"}, ""},
		{map[string]string{"index.ts": ""}, "index.ts"},
		{map[string]string{"index.js": "", "package.json": `{"dependencies": {"lodash": "^4"}}`}, "package.json dependencies"},
		{map[string]string{"index.js": "", "package.json": `{"type": "module"}`}, `package.json "type": "module"`},
		{map[string]string{"index.js": "import cloud from 'wx-server-sdk'\nexport async function main() {}"}, "index.js (ES module syntax)"},
		{map[string]string{"index.js": "", "lib/a.js": "  export const a = 1"}, "lib/a.js (ES module syntax)"},
		{map[string]string{"index.js": "", "lib/a.mjs": ""}, "lib/a.mjs"},
		{map[string]string{"index.js": "", "node_modules/x/index.js": "exports.g = async function* () {}"}, "node_modules/x/index.js (async generators or for await)"},
		{map[string]string{"index.js": "", "node_modules/x/a.cjs": "exports.f = async (s) => { for await (const c of s); }"}, "node_modules/x/a.cjs (async generators or for await)"},
		{map[string]string{"index.js": "", "node_modules/x/index.js": "exports.f = async () => { await null } // for (const x of y)"}, ""},
		{map[string]string{"index.js": "exports.main = async (e) => { for await (const x of e.list); }"}, "index.js (async generators or for await)"},
	} {
		files := make(map[string][]byte)
		for p, s := range c.files {
			files[p] = []byte(s)
		}
		if got := bundleReason(files); got != c.want {
			t.Errorf("%v: %q, want %q", c.files, got, c.want)
		}
	}
}

// Syntax goja cannot parse is lowered by the bundle, so any package esbuild
// can bundle loads; the rest of modern JavaScript runs as written. Each
// function is an ES module (bundled) whose main exercises one feature.
func TestBundleLowersSyntax(t *testing.T) {
	d, err := OpenDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	rt, _ := newRuntimeOver(t, d, Options{})
	ctx := context.Background()
	fns := map[string]map[string]string{
		"asyncgen": {"index.js": `
			async function* count(n) { for (let i = 1; i <= n; i++) { await null; yield i } }
			class Letters { async *[Symbol.asyncIterator]() { yield 'a'; yield 'b' } }
			export async function main() {
				let sum = 0
				for await (const i of count(3)) sum += i
				let s = ''
				for await (const l of new Letters()) s += l
				for await (const v of [Promise.resolve(10), 20]) sum += v
				const it = count(1)[Symbol.asyncIterator]()
				return { sum, s, next: await it.next(), same: typeof Symbol.asyncIterator }
			}`},
		"dynimport": {"lib.js": `export const x = 42`, "index.js": `
			export async function main() {
				const { x } = await import('./lib.js')
				const { createHash } = await import('crypto')
				return { x, md5: createHash('md5').update('a').digest('hex') }
			}`},
		"using": {"index.js": `
			export function main() {
				const log = []
				{
					using r = { [Symbol.dispose]() { log.push('disposed') } }
					log.push('body')
				}
				return log
			}`},
		"regexflags": {"index.js": `
			export function main(event) {
				if (event.run) return /a(b)/d.exec('ab').indices
				const unused = () => /[\p{L}--[a-z]]/v
				return 'loaded'
			}`},
		"modern": {"index.js": `
			#!/usr/bin/env node
			class Counter {
				static #made = 0
				#n = 0
				static { Counter.#made = 100 }
				#bump() { return ++this.#n }
				get value() { return this.#bump() }
				static has(o) { return #n in o }
				static made() { return Counter.#made }
			}
			export function main() {
				let a = null, b = 0, c = 1
				a ??= 'set'; b ||= 2; c &&= 3
				let caught
				try { JSON.parse('{') } catch { caught = true }
				const c1 = new Counter()
				c1.value
				return { a, b, c, caught, value: c1.value, has: Counter.has(c1), made: Counter.made(),
					big: String(2n ** 64n), sep: 1_000_000, named: /(?<y>\d{4})/.exec('in 2024').groups.y,
					chain: ({ f: { g: () => 'ok' } })?.f?.g?.(), dotAll: /a.b/s.test('a\nb') }
			}`},
		"pkgsyntax": {"index.js": `
			const gen = require('streamish')
			exports.main = async () => { const out = []; for await (const x of gen()) out.push(x); return out }`,
			"node_modules/streamish/package.json": `{"name": "streamish", "main": "lib.js"}`,
			"node_modules/streamish/lib.js":       `module.exports = async function* () { yield 'x'; yield 'y' }`},
	}
	for name, files := range fns {
		b := make(map[string][]byte)
		for p, s := range files {
			b[p] = []byte(strings.TrimLeft(s, "\n\t"))
		}
		v, err := d.Put(ctx, name, b)
		if err != nil {
			t.Fatalf("deploy %s: %v", name, err)
		}
		if !v.Bundled {
			t.Errorf("%s was not bundled", name)
		}
	}
	runCases(t, rt, []fcase{
		{name: "async generators and for await", fn: "asyncgen", event: `{}`,
			want: `{"sum":36,"s":"ab","next":{"value":1,"done":false},"same":"symbol"}`},
		{name: "import() of a module of its own and of a built-in", fn: "dynimport", event: `{}`,
			want: `{"x":42,"md5":"0cc175b9c0f1b6a831c399e269772661"}`},
		{name: "using", fn: "using", event: `{}`, want: `["body","disposed"]`},
		{name: "a regular expression with the d or v flag loads", fn: "regexflags", event: `{}`, want: `"loaded"`},
		{name: "and fails only where it runs", fn: "regexflags", event: `{"run":true}`, errCode: CodeExecuteFail, errText: "SyntaxError"},
		{name: "ES2021-ES2022 syntax runs as written", fn: "modern", event: `{}`,
			want: `{"a":"set","b":2,"c":3,"caught":true,"value":2,"has":true,"made":100,"big":"18446744073709551616","sep":1000000,"named":"2024","chain":"ok","dotAll":true}`},
		{name: "a CommonJS package using async generators gets its function bundled", fn: "pkgsyntax", event: `{}`, want: `["x","y"]`},
	})
	// A plain CommonJS function may start with a hashbang line, as in Node.
	if _, err := d.Put(ctx, "hashbang", map[string][]byte{"index.js": []byte("#!/usr/bin/env node\nexports.main = () => 'ran'")}); err != nil {
		t.Fatal(err)
	}
	runCases(t, rt, []fcase{{name: "a hashbang line", fn: "hashbang", event: `{}`, want: `"ran"`}})

	// The bundle keeps what goja runs as it is (a private method), lowering
	// only what it must.
	code, _ := d.Load(ctx, "modern")
	if src := string(code.Files["index.js"]); !strings.Contains(src, "#bump()") {
		t.Errorf("the bundle rewrote syntax goja runs:\n%s", src)
	}

	// What esbuild cannot lower is a deployment error that says so.
	_, err = d.Put(ctx, "tla", map[string][]byte{"index.js": []byte("const x = await Promise.resolve(1)\nexport const main = () => x")})
	if ErrorCode(err) != CodeInvalidParam || !strings.Contains(err.Error(), "Top-level await") {
		t.Errorf("top-level await: %v, want INVALID_PARAM naming it", err)
	}
}
