package functions

import (
	"context"
	"fmt"
	"testing"
)

// Deploy-to-first-call: a new version of a small function is deployed
// (checked, written and synced, swapped in, recorded in the history) and
// then called, which compiles it. "bundled" is the TypeScript function of
// testdata/bundle-ts, which esbuild builds at each deployment.
func BenchmarkDeployToFirstCall(b *testing.B) {
	for _, c := range []struct {
		name  string
		files func(i int) map[string][]byte
		want  string
	}{
		{"plain", func(i int) map[string][]byte {
			return js(fmt.Sprintf("exports.main = async (event) => ({ version: %d, a: event.a })", i))
		}, `{"version":`},
		{"bundled", func(i int) map[string][]byte {
			files := map[string][]byte{}
			for p, src := range readFolderB(b, "bundle-ts") {
				files[p] = src
			}
			files["index.ts"] = fmt.Appendf(nil, "%s\n// version %d\n", files["index.ts"], i)
			return files
		}, `{"message":"Hello, world!"}`},
	} {
		b.Run(c.name, func(b *testing.B) {
			d, err := OpenDir(b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			rt, _ := newRuntimeOver(b, d, Options{})
			ctx := context.Background()
			i := 0
			for b.Loop() {
				i++
				if _, err := d.Put(ctx, "f", c.files(i)); err != nil {
					b.Fatal(err)
				}
				res, err := rt.Invoke(adminCtx, "f", []byte(`{"a":1}`), Invocation{})
				if err != nil || string(res.Value[:min(len(res.Value), len(c.want))]) != c.want {
					b.Fatalf("first call: %s, %v", res.Value, err)
				}
			}
		})
	}
}

func readFolderB(b *testing.B, name string) map[string][]byte {
	files, err := readFiles(name, "testdata/"+name)
	if err != nil {
		b.Fatal(err)
	}
	return files
}
