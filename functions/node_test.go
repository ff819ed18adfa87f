package functions

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/dop251/goja"
)

// sameAsNode compares a function's result with what Node 20 gave for the
// same code (the fixture's node20.json, written by running its main under
// node), except at the paths of differ, where the runtime answers the
// given value on purpose.
func sameAsNode(t *testing.T, got any, fixture string, differ map[string]any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", fixture, "node20.json"))
	if err != nil {
		t.Fatal(err)
	}
	var node any
	if err := json.Unmarshal(b, &node); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var walk func(p string, want, got any)
	walk = func(p string, want, got any) {
		if v, ok := differ[p]; ok {
			seen[p] = true
			want = v
		}
		switch w := want.(type) {
		case map[string]any:
			g, ok := got.(map[string]any)
			if !ok || len(g) != len(w) {
				t.Errorf("%s: got %v, want %v", p, got, want)
				return
			}
			keys := make([]string, 0, len(w))
			for k := range w {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				walk(p+"."+k, w[k], g[k])
			}
		case []any:
			g, ok := got.([]any)
			if !ok || len(g) != len(w) {
				t.Errorf("%s: got %v, want %v", p, got, want)
				return
			}
			for i := range w {
				walk(fmt.Sprintf("%s[%d]", p, i), w[i], g[i])
			}
		default:
			if !reflect.DeepEqual(want, got) {
				t.Errorf("%s: got %#v, Node gives %#v", p, got, want)
			}
		}
	}
	walk("", node, got)
	for p := range differ {
		if !seen[p] {
			t.Errorf("%s: no such value to differ at", p)
		}
	}
}

// Node's built-in modules as npm packages use them — path, util, assert,
// os, querystring, events, stream, string_decoder, punycode,
// timers/promises — give what Node 20 gives, but for what would be the
// host's: the function's folder is its working directory ("/"), and os
// tells nothing of the machine.
func TestNodeModules(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{})
	got, err := invoke(t, rt, userCtx, "nodemods", `{}`)
	if err != nil {
		t.Fatal(err)
	}
	sameAsNode(t, got, "nodemods", map[string]any{
		".path[1]": "/y",        // path.resolve('x', '../y') from the function's folder
		".os[3]":   "localhost", // os.hostname()
		".os[4]":   1.0,         // os.cpus().length
	})
}

// zlib compresses and decompresses as Node's does — sync, callback and
// stream forms, gzip, deflate, raw deflate, unzip and brotli — with Node's
// errors and its maxOutputLength.
func TestNodeZlib(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{})
	got, err := invoke(t, rt, userCtx, "zlibs", `{}`)
	if err != nil {
		t.Fatal(err)
	}
	sameAsNode(t, got, "zlibs", map[string]any{
		// Go's brotli reader does not say which of brotli's errors it met.
		".errors.brotli": "Error|ERR_BROTLI_DECOMPRESSION_FAILED|-1|Decompression failed",
	})
}

// A function reads its own files with fs, in each of Node's forms (sync,
// callback, promises, streams, file descriptors), by paths relative to its
// folder or to __dirname; writing anything fails with EROFS.
func TestNodeFSReadsOwnFiles(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{})
	runCases(t, rt, []fcase{{name: "fs", fn: "fsread", event: `{}`, want: `{
		"template": "<p>Hello, minibase!</p>",
		"relative": true,
		"json": 42,
		"root": ["data", "index.js", "tpl.html"],
		"types": ["a.json:file", "sub:dir"],
		"recursive": ["a.json", "sub", "sub/b.txt"],
		"stat": [true, false, 24, true, true],
		"exists": [true, false, true],
		"callback": [null, "deep\n"],
		"promises": "{\"answer\": 42}\n",
		"stream": ["He", "ll", "o"],
		"fd": [5, "<p>He", 2, 24],
		"errors": {
			"missing": "ENOENT: open", "directory": "EISDIR: read", "notDir": "ENOTDIR: scandir", "under": "ENOTDIR: stat",
			"write": "EROFS: open", "append": "EROFS: open", "mkdir": "EROFS: mkdir", "unlink": "EROFS: unlink",
			"rename": "EROFS: rename", "openWrite": "EROFS: open", "accessWrite": "EROFS: access", "closed": "EBADF: close",
			"writeCb": "EROFS: open", "writePromise": "EROFS: open", "writeStream": "EROFS: open",
			"nulByte": "ERR_INVALID_ARG_VALUE: undefined"}}`}})
}

// fs names nothing outside the function's folder: ".." above it is
// refused, an absolute path is inside it (so the host's /etc/passwd and
// /proc/self/environ do not exist), and a symbolic link on disk, which
// could lead out, is not one of its files.
func TestNodeFSConfined(t *testing.T) {
	root := t.TempDir()
	secret := filepath.Join(t.TempDir(), "secret.txt")
	if err := os.WriteFile(secret, []byte("the host's secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	fn := filepath.Join(root, "fsread")
	if err := os.CopyFS(fn, os.DirFS("testdata/fsread")); err != nil {
		t.Fatal(err)
	}
	for link, to := range map[string]string{"leak.txt": secret, "data/up": filepath.Dir(secret), "etc": "/etc"} {
		if err := os.Symlink(to, filepath.Join(fn, link)); err != nil {
			t.Fatal(err)
		}
	}
	dir, err := OpenDir(root)
	if err != nil {
		t.Fatal(err)
	}
	rt, _ := newRuntimeOver(t, dir, Options{})
	missing := `{"read": "ENOENT: open", "exists": false, "stat": "ENOENT: stat", "list": "ENOENT: scandir", "promise": "ENOENT: open"}`
	above := `{"read": "EACCES: open", "exists": false, "stat": "EACCES: stat", "list": "EACCES: scandir", "promise": "EACCES: open"}`
	cases := []fcase{
		{name: "the folder's own file by an absolute path", event: `{"path": "/data/a.json"}`, want: `{"read": "{\"answer\": 42}\n", "exists": true, "stat": 15}`},
		{name: "the root is the folder", event: `{"path": "/"}`, want: `{"list": "data,index.js,tpl.html", "read": "EISDIR: read"}`},
		{name: "a way back into the folder", event: `{"path": "data/../tpl.html"}`, want: `{"read": "<p>Hello, {{name}}!</p>\n"}`},
		{name: ".. above the folder", event: `{"path": "../index.js"}`, want: above},
		{name: ".. from a subfolder above the folder", event: `{"path": "data/../../fsread/index.js"}`, want: above},
		{name: "the host's files by absolute path", event: `{"path": "/etc/passwd"}`, want: missing},
		{name: "the host's environment", event: `{"path": "/proc/self/environ"}`, want: missing},
		{name: "the host's files by climbing", event: `{"path": "/../../../../etc/passwd"}`, want: above},
		{name: "a symbolic link to a file outside", event: `{"path": "leak.txt"}`, want: missing},
		{name: "a symbolic link to a folder outside", event: `{"path": "data/up/secret.txt"}`, want: missing},
		{name: "a symbolic link to /etc", event: `{"path": "etc/passwd"}`, want: missing},
		{name: "the links are not listed", event: `{"path": "data"}`, want: `{"list": "a.json,sub"}`},
	}
	for i := range cases {
		cases[i].fn = "fsread"
	}
	runCases(t, rt, cases)
	got, err := invoke(t, rt, userCtx, "fsread", `{"path": "leak.txt"}`)
	if b, _ := json.Marshal(got); err != nil || strings.Contains(string(b), "secret") {
		t.Errorf("the link's target leaked: %s, %v", b, err)
	}
}

// What a cold instance costs a function that requires Node's modules at
// load (nodemods: path, util, assert, os, querystring, events, stream,
// string_decoder, punycode, timers/promises) or bundles four HTTP clients
// from npm (npmhttp: axios, got, node-fetch, request-promise), to set
// beside BenchmarkColdInstance (hello, which requires none and pays
// nothing for them: they are run on first require).
func BenchmarkColdInstanceNode(b *testing.B) {
	rt, _ := newTestRuntime(b, Options{})
	for _, name := range []string{"nodemods", "npmhttp"} {
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

// fsPath never names a path above the function's folder: what it accepts
// is clean, relative and without "..", and it is the path Node would
// reach from "/" whenever that stays inside the folder.
func FuzzFSPath(f *testing.F) {
	for _, s := range []string{"/data/a.json", "../x", "a/../../b", "/", "", ".", "a//b/./c/", "/../../etc/passwd", "a/..", "..", "a/b/../c/.."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		rel, _, ok := fsPath(p)
		clean := path.Clean("/" + p)
		climbs := false
		depth := 0
		for _, s := range strings.Split(p, "/") {
			switch s {
			case "", ".":
			case "..":
				if depth--; depth < 0 {
					climbs = true
				}
			default:
				depth++
			}
		}
		switch {
		case ok == climbs:
			t.Fatalf("fsPath(%q) ok = %v, but it climbs above the folder: %v", p, ok, climbs)
		case !ok:
			return
		case rel != strings.TrimPrefix(clean, "/"):
			t.Fatalf("fsPath(%q) = %q, want %q", p, rel, strings.TrimPrefix(clean, "/"))
		case rel == ".." || strings.HasPrefix(rel, "../") || strings.Contains(rel, "/../") || strings.HasPrefix(rel, "/"):
			t.Fatalf("fsPath(%q) = %q leaves the folder", p, rel)
		}
	})
}

// The legacy url.parse and the URL class (with the runtime's IPv4 forms)
// take any input without a Go panic or an uncatchable error: a URL that
// is not one is a TypeError (url.parse: or a URIError for a malformed
// escape in its credentials), as in Node.
func FuzzNodeURL(f *testing.F) {
	for _, s := range []string{"http://a.com/x?y=1#z", "http://2130706433:80/", "http://0x7f.1/", "http://[::1]:8080/", "//x", "http://u:p@h/", "http://1.2.3.4.5/", "http://0x/", "mailto:a@b", "http://%zz/"} {
		f.Add(s)
	}
	in, _ := newBareInstance(f)
	check, err := in.vm.RunString(`(function (s) {
		try { require('url').parse(s, true) } catch (e) { if (!(e instanceof TypeError || e instanceof URIError)) throw e }
		try { new URL(s).href } catch (e) { if (!(e instanceof TypeError)) throw e }
	})`)
	if err != nil {
		f.Fatal(err)
	}
	in.vm.Set("require", func(call goja.FunctionCall) goja.Value {
		v, _ := in.builtin(call.Argument(0).String())
		return v
	})
	fn, _ := goja.AssertFunction(check)
	f.Fuzz(func(t *testing.T, s string) {
		if _, err := fn(goja.Undefined(), in.vm.ToValue(s)); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
	})
}

// atob decodes what WHATWG's forgiving base64 accepts, as Go's base64 does
// once ASCII whitespace and padding are removed, and refuses everything
// else with an InvalidCharacterError, never another error; btoa of what it
// returns gives the input back (canonically padded). Buffer's latin1 and
// utf16le turn any string into bytes and back unchanged (utf16le) or as
// its low bytes (latin1).
func FuzzAtobAndBufferEncodings(f *testing.F) {
	for _, s := range []string{"aGk=", " aGk ", "YQ=", "a", "Y*==", "/+8=", "", "====", "aGk=a", "\u00ff\u0000", "é€😀"} {
		f.Add(s)
	}
	in, _ := newBareInstance(f)
	check, err := in.vm.RunString(`(function (s) {
		let decoded = null;
		try {
			decoded = atob(s);
		} catch (e) {
			if (!(e instanceof DOMException) || e.name !== 'InvalidCharacterError') throw e;
		}
		const u = Buffer.from(s, 'utf16le').toString('utf16le');
		const l = Buffer.from(s, 'latin1').toString('latin1');
		let low = '';
		for (let i = 0; i < s.length; i++) low += String.fromCharCode(s.charCodeAt(i) & 255);
		return [decoded, decoded === null ? null : btoa(decoded), u === s, l === low];
	})`)
	if err != nil {
		f.Fatal(err)
	}
	fn, _ := goja.AssertFunction(check)
	f.Fuzz(func(t *testing.T, s string) {
		s = strings.ToValidUTF8(s, "\uFFFD") // goja's === tells a string made of invalid UTF-8 from its own U+FFFD
		v, err := fn(goja.Undefined(), in.vm.ToValue(s))
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		r := v.Export().([]any)
		if r[2] != true || r[3] != true {
			t.Fatalf("%q: Buffer's utf16le round trip %v, latin1 %v", s, r[2], r[3])
		}
		clean := strings.Map(func(c rune) rune {
			if strings.ContainsRune("\t\n\f\r ", c) {
				return -1
			}
			return c
		}, s)
		trimmed := strings.TrimRight(clean, "=")
		want, werr := base64.RawStdEncoding.DecodeString(trimmed)
		valid := werr == nil && len(clean)-len(trimmed) <= 2 && (len(clean) == len(trimmed) || len(clean)%4 == 0)
		if !valid {
			if r[0] != nil {
				t.Fatalf("atob(%q) = %q, want an InvalidCharacterError", s, r[0])
			}
			return
		}
		if r[0] == nil {
			t.Fatalf("atob(%q) refused it, want %q", s, want)
		}
		got := r[0].(string)
		runes := []rune(got)
		if len(runes) != len(want) {
			t.Fatalf("atob(%q) = %q, want the bytes %x", s, got, want)
		}
		for i, c := range runes {
			if c != rune(want[i]) {
				t.Fatalf("atob(%q) = %q, want the bytes %x", s, got, want)
			}
		}
		if r[1] != base64.StdEncoding.EncodeToString(want) {
			t.Fatalf("btoa(atob(%q)) = %q", s, r[1])
		}
	})
}
