package functions

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/evanw/esbuild/pkg/api"
)

var update = flag.Bool("update", false, "regenerate js/wx-server-sdk.js and js/node/vendor/ (go generate ./functions)")

// buildWXServerSDK bundles js/src/wx-server-sdk.js with the client SDK's
// database builder into one CommonJS file, the way the committed
// js/wx-server-sdk.js was made.
func buildWXServerSDK(t *testing.T) []byte {
	t.Helper()
	res := api.Build(api.BuildOptions{
		EntryPoints:   []string{"js/src/wx-server-sdk.js"},
		Bundle:        true,
		Format:        api.FormatCommonJS,
		Platform:      api.PlatformNeutral,
		Target:        api.ES2020,
		Charset:       api.CharsetUTF8,
		LegalComments: api.LegalCommentsNone,
		Banner:        map[string]string{"js": "/* wx-server-sdk for minibase's cloud functions: generated from functions/js/src and sdk/src by `go generate ./functions`; do not edit. */"},
		Write:         false,
		LogLevel:      api.LogLevelSilent,
	})
	for _, m := range res.Errors {
		t.Errorf("esbuild: %s", m.Text)
	}
	if len(res.OutputFiles) != 1 {
		t.Fatalf("esbuild wrote %d files, want 1", len(res.OutputFiles))
	}
	return res.OutputFiles[0].Contents
}

// The embedded wx-server-sdk is a build of the sources, not an edited copy:
// a change to sdk/src/database or js/src shows up in functions only after
// `go generate ./functions`, and this test says so.
func TestWXServerSDKBundle(t *testing.T) {
	fresh := buildWXServerSDK(t)
	if *update {
		if err := os.WriteFile("js/wx-server-sdk.js", fresh, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	committed, err := os.ReadFile("js/wx-server-sdk.js")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(committed, fresh) {
		t.Fatal("functions/js/wx-server-sdk.js is stale: run `go generate ./functions` and commit it")
	}
}

// nodeVendor are the files of js/node/vendor/: each built from an npm
// package of js/package.json, its entry and the package it names.
var nodeVendor = []struct{ file, entry, pkg string }{
	{"events", "events/events.js", "events"},
	{"punycode", "punycode/punycode.js", "punycode"},
	{"stream", "readable-stream/lib/stream.js", "readable-stream"},
	{"string_decoder", "string_decoder/lib/string_decoder.js", "string_decoder"},
}

// vendorModules maps what the vendored packages require to the runtime's
// modules (left to require()) or to js/src/node/'s shims over its globals.
var vendorModules = map[string]string{
	"buffer": "", "events": "", "string_decoder": "", "string_decoder/": "string_decoder", "safe-buffer": "buffer",
	"process/": "js/src/node/process.js", "abort-controller": "js/src/node/abort-controller.js",
}

// buildNodeVendor bundles one vendored package into a CommonJS file the
// runtime loads as a built-in module, lowering what goja lacks as
// functions' bundles do. It needs js/node_modules (npm ci in functions/js).
func buildNodeVendor(t *testing.T, file, entry, pkg string) []byte {
	t.Helper()
	var meta struct{ Version, License string }
	b, err := os.ReadFile(filepath.Join("js/node_modules", pkg, "package.json"))
	if err == nil {
		err = json.Unmarshal(b, &meta)
	}
	if err != nil {
		t.Fatalf("%s: %v (run `npm ci` in functions/js)", pkg, err)
	}
	cwd, _ := os.Getwd()
	redirect := api.Plugin{Name: "runtime-modules", Setup: func(b api.PluginBuild) {
		b.OnResolve(api.OnResolveOptions{Filter: `^(buffer|events|string_decoder/?|safe-buffer|process/|abort-controller)$`},
			func(a api.OnResolveArgs) (api.OnResolveResult, error) {
				to := vendorModules[a.Path]
				switch {
				case to == "":
					return api.OnResolveResult{Path: a.Path, External: true}, nil
				case strings.HasSuffix(to, ".js"):
					return api.OnResolveResult{Path: filepath.Join(cwd, to)}, nil
				}
				return api.OnResolveResult{Path: to, External: true}, nil
			})
	}}
	res := api.Build(api.BuildOptions{
		EntryPoints:   []string{filepath.Join("js/node_modules", entry)},
		Bundle:        true,
		Format:        api.FormatCommonJS,
		Platform:      api.PlatformNeutral,
		MainFields:    []string{"main"},
		Target:        api.ESNext,
		Supported:     lowered,
		Charset:       api.CharsetUTF8,
		LegalComments: api.LegalCommentsNone,
		Banner: map[string]string{"js": fmt.Sprintf("/* require('%s') in minibase's cloud functions: %s@%s (%s license), "+
			"built from functions/js by `go generate ./functions`; do not edit. */", file, pkg, meta.Version, meta.License)},
		Plugins:  []api.Plugin{redirect},
		Write:    false,
		LogLevel: api.LogLevelSilent,
	})
	for _, m := range res.Errors {
		t.Errorf("esbuild %s: %s", pkg, m.Text)
	}
	if len(res.OutputFiles) != 1 {
		t.Fatalf("esbuild wrote %d files for %s, want 1", len(res.OutputFiles), pkg)
	}
	return res.OutputFiles[0].Contents
}

var bannerVersion = regexp.MustCompile(`^/\* require\('[^']+'\) in minibase's cloud functions: (\S+)@(\S+) `)

// js/node/vendor/ is a build of the packages js/package-lock.json pins:
// compared with a fresh build where they are installed (go generate
// installs them), else by the versions each file names.
func TestNodeVendorBundles(t *testing.T) {
	var lock struct {
		Packages map[string]struct{ Version string } `json:"packages"`
	}
	b, err := os.ReadFile("js/package-lock.json")
	if err == nil {
		err = json.Unmarshal(b, &lock)
	}
	if err != nil {
		t.Fatal(err)
	}
	_, installed := os.Stat("js/node_modules/.package-lock.json")
	for _, v := range nodeVendor {
		path := "js/node/vendor/" + v.file + ".js"
		if *update {
			if err := os.WriteFile(path, buildNodeVendor(t, v.file, v.entry, v.pkg), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		committed, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		m := bannerVersion.FindSubmatch(committed)
		if want := lock.Packages["node_modules/"+v.pkg].Version; m == nil || string(m[1]) != v.pkg || string(m[2]) != want {
			t.Errorf("%s is not built from %s@%s (package-lock.json): run `go generate ./functions` and commit it", path, v.pkg, want)
			continue
		}
		if installed == nil && !bytes.Equal(committed, buildNodeVendor(t, v.file, v.entry, v.pkg)) {
			t.Errorf("%s is stale: run `go generate ./functions` and commit it", path)
		}
	}
}
