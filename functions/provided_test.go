package functions

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// pkg is a package.json declaring deps (names only).
func pkg(deps ...string) []byte {
	var b strings.Builder
	b.WriteString(`{"name":"x","dependencies":{`)
	for i, d := range deps {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`"` + d + `":"*"`)
	}
	b.WriteString("}}")
	return []byte(b.String())
}

// A deployment leaves out the npm copies of the SDKs the runtime provides
// and what only they need, and keeps whatever the function's own code or
// its package.json needs.
func TestLeaveOut(t *testing.T) {
	sdkTree := map[string][]byte{
		"node_modules/wx-server-sdk/package.json":                       pkg("@cloudbase/node-sdk", "tslib", "protobufjs"),
		"node_modules/@cloudbase/node-sdk/package.json":                 pkg("axios", "jsonwebtoken"),
		"node_modules/tslib/package.json":                               pkg(),
		"node_modules/protobufjs/package.json":                          pkg("long"),
		"node_modules/protobufjs/node_modules/long/package.json":        pkg(),
		"node_modules/long/package.json":                                pkg(), // the user's, hoisted: protobufjs uses its nested one
		"node_modules/axios/package.json":                               pkg("follow-redirects"),
		"node_modules/follow-redirects/package.json":                    pkg(),
		"node_modules/jsonwebtoken/package.json":                        pkg("ms"),
		"node_modules/ms/package.json":                                  pkg(),
		"node_modules/@cloudbase/node-sdk/node_modules/ms/package.json": pkg(),
	}
	with := func(extra map[string][]byte) map[string][]byte {
		m := make(map[string][]byte)
		for k, v := range sdkTree {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	for _, c := range []struct {
		name      string
		manifests map[string][]byte
		sources   map[string]string
		want      []string // the folders left out
		sdks      []string
		packages  int
		says      string
	}{
		{name: "only the SDK is listed", manifests: with(map[string][]byte{"package.json": pkg("wx-server-sdk")}),
			want: []string{"node_modules/@cloudbase/node-sdk", "node_modules/axios", "node_modules/follow-redirects",
				"node_modules/jsonwebtoken", "node_modules/ms", "node_modules/protobufjs", "node_modules/tslib", "node_modules/wx-server-sdk"},
			sdks: []string{"wx-server-sdk"}, packages: 9,
			says: "wx-server-sdk and 9 packages only it needs: the runtime provides it"},
		{name: "two SDKs listed", manifests: with(map[string][]byte{"package.json": pkg("wx-server-sdk", "@cloudbase/node-sdk")}),
			want: []string{"node_modules/@cloudbase/node-sdk", "node_modules/axios", "node_modules/follow-redirects",
				"node_modules/jsonwebtoken", "node_modules/ms", "node_modules/protobufjs", "node_modules/tslib", "node_modules/wx-server-sdk"},
			sdks: []string{"wx-server-sdk", "@cloudbase/node-sdk"}, packages: 8,
			says: "wx-server-sdk, @cloudbase/node-sdk and 8 packages only they need: the runtime provides them"},
		{name: "a dependency of the SDK the folder lists too is kept, with what it needs",
			manifests: with(map[string][]byte{"package.json": pkg("wx-server-sdk", "axios")}),
			want: []string{"node_modules/@cloudbase/node-sdk", "node_modules/jsonwebtoken", "node_modules/ms",
				"node_modules/protobufjs", "node_modules/tslib", "node_modules/wx-server-sdk"},
			sdks: []string{"wx-server-sdk"}, packages: 7},
		{name: "a package the code requires without listing it is kept",
			manifests: with(map[string][]byte{"package.json": pkg("wx-server-sdk")}),
			sources: map[string]string{
				"index.js":       "const jwt = require( 'jsonwebtoken/sign' ) // signs\nconst cloud = require('wx-server-sdk')",
				"lib/a.ts":       `import { x } from "tslib"; import('./local'); require('node:fs')`,
				"lib/types.d.ts": `import "protobufjs"`, // types only: not code
				"README.md":      `require('follow-redirects')`,
			},
			want: []string{"node_modules/@cloudbase/node-sdk", "node_modules/axios", "node_modules/follow-redirects",
				"node_modules/protobufjs", "node_modules/wx-server-sdk"},
			sdks: []string{"wx-server-sdk"}, packages: 6},
		{name: "a package nothing of the SDK reaches is kept, and what it needs",
			manifests: with(map[string][]byte{"package.json": pkg("wx-server-sdk"), "node_modules/extra/package.json": pkg("ms")}),
			want: []string{"node_modules/@cloudbase/node-sdk", "node_modules/axios", "node_modules/follow-redirects",
				"node_modules/jsonwebtoken", "node_modules/protobufjs", "node_modules/tslib", "node_modules/wx-server-sdk"},
			sdks: []string{"wx-server-sdk"}, packages: 8},
		{name: "a package that needs the SDK does not keep it", manifests: with(map[string][]byte{
			"package.json": pkg("wx-server-sdk", "helper"), "node_modules/helper/package.json": pkg("wx-server-sdk", "tslib")}),
			want: []string{"node_modules/@cloudbase/node-sdk", "node_modules/axios", "node_modules/follow-redirects",
				"node_modules/jsonwebtoken", "node_modules/ms", "node_modules/protobufjs", "node_modules/wx-server-sdk"},
			sdks: []string{"wx-server-sdk"}, packages: 8},
		{name: "a folder holding a kept package stays", manifests: with(map[string][]byte{
			"package.json": pkg("wx-server-sdk"), "node_modules/wx-server-sdk/node_modules/odd/package.json": pkg()}),
			sources: map[string]string{"index.js": `require('wx-server-sdk')`},
			want: []string{"node_modules/@cloudbase/node-sdk", "node_modules/axios", "node_modules/follow-redirects",
				"node_modules/jsonwebtoken", "node_modules/ms", "node_modules/protobufjs", "node_modules/tslib", "node_modules/wx-server-sdk"},
			sdks: []string{"wx-server-sdk"}, packages: 10},
		{name: "tcb-admin-node alone", manifests: map[string][]byte{
			"package.json": pkg("tcb-admin-node"), "node_modules/tcb-admin-node/package.json": pkg("request"),
			"node_modules/request/package.json": pkg()},
			want: []string{"node_modules/request", "node_modules/tcb-admin-node"}, sdks: []string{"tcb-admin-node"}, packages: 1,
			says: "tcb-admin-node and 1 package only it needs: the runtime provides it"},
		{name: "a package's devDependencies are not installed: a package only they name is the folder's",
			manifests: map[string][]byte{"package.json": pkg("wx-server-sdk"), "node_modules/typescript/package.json": pkg(),
				"node_modules/wx-server-sdk/package.json": []byte(`{"dependencies": {"tslib": "1"}, "devDependencies": {"typescript": "5"}}`),
				"node_modules/tslib/package.json":         pkg()},
			want: []string{"node_modules/tslib", "node_modules/wx-server-sdk"}, sdks: []string{"wx-server-sdk"}, packages: 1},
		{name: "names that begin with another's", manifests: map[string][]byte{
			"node_modules/wx-server-sdk/package.json": pkg("buffer", "buffer-x"), "node_modules/buffer/package.json": pkg(),
			"node_modules/buffer-x/package.json": pkg(), "node_modules/buffer-y/package.json": pkg()},
			want: []string{"node_modules/buffer", "node_modules/buffer-x", "node_modules/wx-server-sdk"}, sdks: []string{"wx-server-sdk"}, packages: 2},
		{name: "no SDK, nothing left out", manifests: map[string][]byte{
			"package.json": pkg("lodash"), "node_modules/lodash/package.json": pkg()}},
		{name: "package.json files that are not packages' are not read", manifests: map[string][]byte{
			"lib/node_modules/package.json": pkg(), "node_modules/.bin/package.json": pkg(), "node_modules/@scope/package.json": pkg(),
			"node_modules/wx-server-sdk/lib/package.json": pkg("tslib"), "node_modules/wx-server-sdk/package.json": []byte(`{"dependencies": ["tslib"]}`),
			"node_modules/tslib/package.json": pkg()},
			want: []string{"node_modules/wx-server-sdk"}, sdks: []string{"wx-server-sdk"},
			says: "wx-server-sdk: the runtime provides it"},
	} {
		t.Run(c.name, func(t *testing.T) {
			sources := make(map[string][]byte)
			for p, s := range c.sources {
				sources[p] = []byte(s)
			}
			l := leaveOut(c.manifests, sources)
			if c.want == nil {
				if l != nil {
					t.Fatalf("left out %v, want nothing", l.Dirs)
				}
				return
			}
			if l == nil {
				t.Fatalf("left out nothing, want %v", c.want)
			}
			if !slices.Equal(l.Dirs, c.want) || !slices.Equal(l.SDKs, c.sdks) || l.Packages != c.packages {
				t.Errorf("left out %v (SDKs %v, %d packages),\nwant %v (SDKs %v, %d packages)", l.Dirs, l.SDKs, l.Packages, c.want, c.sdks, c.packages)
			}
			for _, d := range c.want {
				if !l.Holds(d+"/index.js") || !l.Holds(d) {
					t.Errorf("Holds(%s/index.js) is false", d)
				}
			}
			if l.Holds("index.js") || l.Holds("node_modules/tslibx/index.js") || l.Holds("node_modules") {
				t.Errorf("Holds says yes to a file not left out")
			}
			if c.says != "" && l.String() != c.says {
				t.Errorf("says %q, want %q", l, c.says)
			}
		})
	}
}

// cloudbaseModules returns the node_modules/ folder of a real `npm ci` of
// the fixture folder testdata/<name> (its package.json and
// package-lock.json), installed by scripts/npm-install.sh into the cache
// the first time (from the npm registry).
func cloudbaseModules(t testing.TB, name string) string {
	t.Helper()
	out, err := exec.Command("../scripts/npm-install.sh", filepath.Join("testdata", name)).Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("scripts/npm-install.sh testdata/%s: %v\n%s", name, err, stderr)
	}
	return strings.TrimSpace(string(out))
}

// A real `npm install wx-server-sdk@4.0.2`: everything in its
// node_modules/ is the SDK's, and all of it is left out.
func TestLeaveOutRealInstall(t *testing.T) {
	modules := cloudbaseModules(t, "cloudbase-wxsdk")
	fsys := fstest.MapFS{}
	for _, f := range []string{"index.js", "package.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", "cloudbase-wxsdk", f))
		if err != nil {
			t.Fatal(err)
		}
		fsys[f] = &fstest.MapFile{Data: b}
	}
	var total int64
	var packages []string
	err := filepath.WalkDir(modules, func(p string, de os.DirEntry, err error) error {
		if err != nil || !de.Type().IsRegular() {
			return err
		}
		rel, _ := filepath.Rel(filepath.Dir(modules), p)
		rel = filepath.ToSlash(rel)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		fsys[rel] = &fstest.MapFile{Data: b}
		if dir, ok := packageOf(rel); ok {
			packages = append(packages, dir)
		}
		if !strings.HasPrefix(rel, "node_modules/.") {
			total += int64(len(b))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	l, err := LeaveOutFS(fsys)
	if err != nil || l == nil {
		t.Fatalf("LeaveOutFS: %v, %v", l, err)
	}
	if !slices.Equal(l.SDKs, []string{"wx-server-sdk"}) || l.Packages != len(packages)-1 || l.Bytes != total {
		t.Errorf("left out %s: SDKs %v, %d packages, %d bytes; want wx-server-sdk, %d packages, %d bytes",
			l, l.SDKs, l.Packages, l.Bytes, len(packages)-1, total)
	}
	for _, p := range packages {
		if !l.Holds(p + "/package.json") {
			t.Errorf("%s is kept", p)
		}
	}
	t.Logf("left out %s, %d files", l, l.Files)
}

// FuzzLeaveOut: whatever the package.json files and sources, LeaveOut
// does not panic, leaves out only packages' folders, never a package the
// folder's package.json lists or its code requires (other than an SDK),
// and names only SDKs.
func FuzzLeaveOut(f *testing.F) {
	f.Add("node_modules/wx-server-sdk/package.json\x00{\"dependencies\":{\"a\":\"1\",\"b\":\"1\"}}\x01node_modules/a/package.json\x00{}\x01node_modules/b/package.json\x00{}",
		`{"dependencies":{"wx-server-sdk":"1"}}`, "require('a')")
	f.Add("node_modules/@cloudbase/node-sdk/package.json\x00{\"peerDependencies\":{\"@s/x\":\"1\"}}\x01node_modules/@s/x/package.json\x00{\"optionalDependencies\":{\"y\":\"\"}}\x01node_modules/@s/x/node_modules/y/package.json\x00[]",
		`{"devDependencies":{"@s/x":1}}`, `import x from "@s/x/sub"`)
	f.Fuzz(func(t *testing.T, tree, root, source string) {
		manifests := map[string][]byte{"package.json": []byte(root)}
		for _, e := range strings.Split(tree, "\x01") {
			p, b, _ := strings.Cut(e, "\x00")
			manifests[p] = []byte(b)
		}
		l := leaveOut(manifests, map[string][]byte{"index.js": []byte(source)})
		if l == nil {
			return
		}
		for _, d := range l.Dirs {
			if _, ok := packageOf(d + "/package.json"); !ok || manifests[d+"/package.json"] == nil {
				t.Fatalf("left out %s, not a package's folder", d)
			}
		}
		needed := append(dependencies([]byte(root), true), requiredNames([]byte(source))...)
		for _, name := range needed {
			dir := "node_modules/" + name
			if _, ok := packageOf(dir + "/package.json"); ok && manifests[dir+"/package.json"] != nil &&
				!slices.Contains(providedModules, name) && l.Holds(dir) {
				t.Fatalf("left out %s, which the function needs", dir)
			}
		}
		for _, s := range l.SDKs {
			if !slices.Contains(providedModules, s) {
				t.Fatalf("names %s as an SDK", s)
			}
		}
	})
}
