package functions

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDirPut(t *testing.T) {
	root := t.TempDir()
	d, err := OpenDir(root)
	if err != nil {
		t.Fatal(err)
	}
	rt, _ := newRuntimeOver(t, d, Options{})
	ctx := context.Background()
	v1 := map[string][]byte{"index.js": []byte(`const v = require('./v'); exports.main = () => v`), "v.js": []byte(`module.exports = 1`)}
	code, err := d.Put(ctx, "ver", v1)
	if err != nil {
		t.Fatal(err)
	}
	runCases(t, rt, []fcase{{name: "v1", fn: "ver", event: `{}`, want: `1`}})

	// A redeploy is seen by the next invocation, with a new version; files
	// of the old version are gone.
	v2 := map[string][]byte{"index.js": []byte(`exports.main = () => 2`), "config.json": []byte(`{"timeout": 2}`)}
	code2, err := d.Put(ctx, "ver", v2)
	if err != nil || code2.Version == code.Version || code2.Number != 2 {
		t.Fatalf("redeploy: %+v, %v", code2, err)
	}
	if live, err := d.Load(ctx, "ver"); err != nil || live.Version != code2.Version || live.Config.Timeout.Seconds() != 2 {
		t.Fatalf("redeployed code: %+v, %v", live, err)
	}
	runCases(t, rt, []fcase{{name: "v2", fn: "ver", event: `{}`, want: `2`}})
	if _, err := os.Stat(filepath.Join(root, "ver", "v.js")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("v.js of the old version is still there: %v", err)
	}
	entries, _ := os.ReadDir(root)
	if len(entries) != 2 {
		t.Errorf("functions dir holds %d entries, want just ver and .versions (no staging left)", len(entries))
	}
	// The same files are the same version, and deploy nothing new.
	if again, _ := d.Put(ctx, "ver", v2); again.Version != code2.Version || again.Number != 2 || !again.Unchanged {
		t.Errorf("same files again: %+v, want version %s, number 2, unchanged", again, code2.Version)
	}

	bad := []struct {
		name  string
		fn    string
		files map[string][]byte
		want  string
	}{
		{"no index.js", "f", map[string][]byte{"main.js": nil}, "has no index.js or index.ts"},
		{"escaping path", "f", map[string][]byte{"index.js": nil, "../x.js": nil}, "invalid file path"},
		{"absolute path", "f", map[string][]byte{"index.js": nil, "/etc/x": nil}, "invalid file path"},
		{"backslash", "f", map[string][]byte{"index.js": nil, `a\b.js`: nil}, "invalid file path"},
		{"unclean path", "f", map[string][]byte{"index.js": nil, "a//b.js": nil}, "invalid file path"},
		{"bad config", "f", map[string][]byte{"index.js": nil, "config.json": []byte(`{"timeout": 901}`)}, "timeout must be 1 to 900 seconds"},
		{"bad memory", "f", map[string][]byte{"index.js": nil, "config.json": []byte(`{"memorySize": 1}`)}, "memorySize must be 64 to 4096"},
		{"config not JSON", "f", map[string][]byte{"index.js": nil, "config.json": []byte(`{`)}, "config.json"},
		{"bad name", "1abc", map[string][]byte{"index.js": nil}, "invalid function name"},
		{"too big", "f", map[string][]byte{"index.js": make([]byte, MaxCodeBytes+1)}, "more than"},
	}
	for _, c := range bad {
		_, err := d.Put(ctx, c.fn, c.files)
		if ErrorCode(err) != CodeInvalidParam || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want INVALID_PARAM containing %q", c.name, err, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "f")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused deployment left a folder: %v", err)
	}
}

// Files edited on disk are picked up (after Dir's re-check interval, zero
// here); symbolic links are not followed.
func TestDirSeesEditsOnDisk(t *testing.T) {
	root := t.TempDir()
	d, _ := OpenDir(root)
	d.every = 0
	rt, _ := newRuntimeOver(t, d, Options{})
	folder := filepath.Join(root, "edited")
	os.MkdirAll(folder, 0o700)
	os.WriteFile(filepath.Join(folder, "index.js"), []byte(`exports.main = () => 'before'`), 0o600)
	runCases(t, rt, []fcase{{name: "before", fn: "edited", event: `{}`, want: `"before"`}})
	os.WriteFile(filepath.Join(folder, "index.js"), []byte(`exports.main = () => 'after, edited'`), 0o600)
	runCases(t, rt, []fcase{{name: "after", fn: "edited", event: `{}`, want: `"after, edited"`}})

	secret := filepath.Join(t.TempDir(), "secret.js")
	os.WriteFile(secret, []byte(`module.exports = 'host file'`), 0o600)
	if err := os.Symlink(secret, filepath.Join(folder, "link.js")); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(folder, "index.js"), []byte(`exports.main = () => { try { return require('./link') } catch (e) { return e.code } }`), 0o600)
	runCases(t, rt, []fcase{{name: "a symlink is not a file of the function", fn: "edited", event: `{}`, want: `"MODULE_NOT_FOUND"`}})

	// Uncaught, a missing package fails the call with Node's words, not a GoError.
	os.WriteFile(filepath.Join(folder, "index.js"), []byte(`const x = require('not-installed'); exports.main = () => x`), 0o600)
	if _, err := invoke(t, rt, userCtx, "edited", `{}`); ErrorCode(err) != CodeExecuteFail ||
		!strings.HasPrefix(err.Error(), "Error: Cannot find module 'not-installed'") {
		t.Errorf("a missing package: error %v (%s)", err, ErrorCode(err))
	}
}
