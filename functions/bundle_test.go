package functions

import (
	"bytes"
	"flag"
	"os"
	"testing"

	"github.com/evanw/esbuild/pkg/api"
)

var update = flag.Bool("update", false, "regenerate js/wx-server-sdk.js (go generate ./functions)")

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
