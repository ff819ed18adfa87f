package functions

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func js(s string) map[string][]byte { return map[string][]byte{"index.js": []byte(s)} }

// Every deployment is a numbered version; the last KeepVersions are kept;
// a rollback deploys an old one again as a new version.
func TestVersionsAndRollback(t *testing.T) {
	root := t.TempDir()
	d, _ := OpenDir(root)
	rt, _ := newRuntimeOver(t, d, Options{})
	ctx := context.Background()
	hashes := map[int]string{}
	for i := 1; i <= KeepVersions+2; i++ {
		v, err := d.Put(ctx, "f", js(fmt.Sprintf("exports.main = () => %d", i)))
		if err != nil || v.Number != i || v.Origin != OriginDeploy || v.Files != 1 || v.DeployedAt.IsZero() {
			t.Fatalf("deploy %d: %+v, %v", i, v, err)
		}
		hashes[i] = v.Version
	}
	hist, err := d.Versions(ctx, "f")
	if err != nil || len(hist) != KeepVersions || hist[0].Number != KeepVersions+2 || hist[len(hist)-1].Number != 3 {
		t.Fatalf("history: %d versions, %+v, %v; want %d, newest first, 12 down to 3", len(hist), hist, err, KeepVersions)
	}
	entries, _ := os.ReadDir(d.historyDir("f"))
	if len(entries) != 2*KeepVersions {
		t.Errorf("history folder holds %d files, want %d (a record and an archive per kept version)", len(entries), 2*KeepVersions)
	}

	v, err := d.Rollback(ctx, "f", "5")
	if err != nil || v.Number != 13 || v.Origin != OriginRollback || v.From != 5 || v.Version != hashes[5] {
		t.Fatalf("rollback to 5: %+v, %v", v, err)
	}
	runCases(t, rt, []fcase{{name: "rolled back", fn: "f", event: `{}`, want: `5`}})
	if v, err := d.Rollback(ctx, "f", hashes[12]); err != nil || v.Number != 14 || v.From != 12 {
		t.Fatalf("rollback by hash: %+v, %v", v, err)
	}
	runCases(t, rt, []fcase{{name: "rolled forward by hash", fn: "f", event: `{}`, want: `12`}})
	if v, err := d.Rollback(ctx, "f", "14"); err != nil || !v.Unchanged || v.Number != 14 {
		t.Errorf("rollback to the live version: %+v, %v; want unchanged", v, err)
	}

	for _, c := range []struct{ fn, ref, code string }{
		{"f", "1", CodeInvalidParam}, // pruned
		{"f", "99", CodeInvalidParam},
		{"f", "deadbeefdeadbeef", CodeInvalidParam},
		{"nope", "1", CodeNotFound},
		{"../x", "1", CodeInvalidParam},
	} {
		if _, err := d.Rollback(ctx, c.fn, c.ref); ErrorCode(err) != c.code {
			t.Errorf("rollback %s to %s: %v, want %s", c.fn, c.ref, err, c.code)
		}
	}
}

// A live folder edited by hand is what runs, and is kept as a version
// when a deployment replaces it: the edit can be rolled back to.
func TestHandEditKept(t *testing.T) {
	root := t.TempDir()
	d, _ := OpenDir(root)
	d.every = 0
	rt, _ := newRuntimeOver(t, d, Options{})
	ctx := context.Background()

	// A folder made by hand before any deployment (or before histories existed).
	os.MkdirAll(filepath.Join(root, "f"), 0o700)
	os.WriteFile(filepath.Join(root, "f", "index.js"), []byte(`exports.main = () => 'by hand'`), 0o600)
	info, err := d.Function(ctx, "f")
	if err != nil || info.Number != 0 || info.Version == "" {
		t.Fatalf("a folder made by hand: %+v, %v; want no number yet", info, err)
	}
	v, err := d.Put(ctx, "f", js(`exports.main = () => 'deployed'`))
	if err != nil || v.Number != 2 {
		t.Fatalf("deploy over it: %+v, %v; want number 2 (1 is the folder made by hand)", v, err)
	}
	os.WriteFile(filepath.Join(root, "f", "index.js"), []byte(`exports.main = () => 'edited'`), 0o600)
	runCases(t, rt, []fcase{{name: "the edit runs", fn: "f", event: `{}`, want: `"edited"`}})
	if info, _ := d.Function(ctx, "f"); info.Number != 0 {
		t.Errorf("after an edit on disk, number %d, want 0 (not a recorded version)", info.Number)
	}
	if v, err := d.Rollback(ctx, "f", "1"); err != nil || v.Number != 4 {
		t.Fatalf("rollback to 1: %+v, %v; want number 4 (3 is the edit)", v, err)
	}
	hist, _ := d.Versions(ctx, "f")
	origins := []string{}
	for _, v := range hist {
		origins = append(origins, fmt.Sprintf("%d:%s", v.Number, v.Origin))
	}
	if got := strings.Join(origins, " "); got != "4:rollback 3:disk 2:deploy 1:disk" {
		t.Errorf("history %s", got)
	}
	runCases(t, rt, []fcase{{name: "rolled back to the hand-made folder", fn: "f", event: `{}`, want: `"by hand"`}})
	if _, err := d.Rollback(ctx, "f", "3"); err != nil {
		t.Fatal(err)
	}
	runCases(t, rt, []fcase{{name: "and to the edit", fn: "f", event: `{}`, want: `"edited"`}})
	if b, err := d.ReadFile(ctx, "f", 2, "index.js"); err != nil || string(b) != `exports.main = () => 'deployed'` {
		t.Errorf("index.js of version 2: %q, %v", b, err)
	}
}

// Two functions cannot serve the same HTTP path: the second deployment
// is refused with the first one's name, and changes nothing.
func TestDeployRouteTaken(t *testing.T) {
	d, _ := OpenDir(t.TempDir())
	ctx := context.Background()
	route := func(p string) map[string][]byte {
		return map[string][]byte{"index.js": []byte(`exports.main = () => 1`), "config.json": []byte(`{"http": [{"path": "` + p + `"}]}`)}
	}
	if _, err := d.Put(ctx, "first", route("/api/hello")); err != nil {
		t.Fatal(err)
	}
	_, err := d.Put(ctx, "second", route("/api/hello/"))
	if ErrorCode(err) != CodeInvalidParam || !strings.Contains(err.Error(), "/api/hello is already served by function first") {
		t.Errorf("the same path twice: %v", err)
	}
	if d.exists("second") {
		t.Error("the refused deployment left a folder")
	}
	for _, p := range []string{"/api/hello/more", "/api"} { // nested paths are distinct routes
		if _, err := d.Put(ctx, "second", route(p)); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
	if _, err := d.Put(ctx, "first", route("/api/hello")); err != nil {
		t.Errorf("redeploying the owner of the path: %v", err)
	}
}

// countInvoker counts the invocations triggers start.
type countInvoker struct{ n atomic.Int32 }

func (c *countInvoker) Invoke(ctx context.Context, name string, event []byte, inv Invocation) (*Result, error) {
	c.n.Add(1)
	return &Result{}, nil
}

// Delete removes the folder and the history; its triggers go with it.
func TestDelete(t *testing.T) {
	root := t.TempDir()
	d, _ := OpenDir(root)
	rt, _ := newRuntimeOver(t, d, Options{})
	ctx := context.Background()
	d.Put(ctx, "gone", js(`exports.main = () => 1`))
	d.Put(ctx, "gone", map[string][]byte{"index.js": []byte(`exports.main = () => 2`),
		"config.json": []byte(`{"http": [{"path": "/gone"}], "triggers": [{"name": "t", "type": "timer", "config": "* * * * * * *"}]}`)})
	d.Put(ctx, "kept", js(`exports.main = () => 3`))
	runCases(t, rt, []fcase{{name: "before", fn: "gone", event: `{}`, want: `2`}})
	calls := &countInvoker{}
	tr := newTriggers(calls, d, d, time.UTC)
	now := time.Now()
	tr.Refresh(ctx, now)
	tr.Tick(ctx, now.Add(time.Second))
	tr.Wait()
	if _, _, ok := tr.match("/gone"); !ok || calls.n.Load() != 1 {
		t.Fatalf("before: route bound %v, %d timer runs; want bound, 1", ok, calls.n.Load())
	}
	if err := d.Delete(ctx, "gone"); err != nil {
		t.Fatal(err)
	}
	runCases(t, rt, []fcase{{name: "after", fn: "gone", event: `{}`, errCode: CodeNotFound}})
	tr.Refresh(ctx, now.Add(time.Second))
	tr.Tick(ctx, now.Add(3*time.Second))
	tr.Wait()
	if _, _, ok := tr.match("/gone"); ok || calls.n.Load() != 1 {
		t.Errorf("after: route bound %v, %d timer runs; want unbound, still 1", ok, calls.n.Load())
	}
	if _, err := os.Stat(d.historyDir("gone")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("history left: %v", err)
	}
	if names, _ := d.List(ctx); len(names) != 1 || names[0] != "kept" {
		t.Errorf("functions %v, want [kept]", names)
	}
	if entries, _ := os.ReadDir(root); len(entries) != 2 { // kept, .versions
		t.Errorf("functions dir holds %d entries, want 2", len(entries))
	}
	if err := d.Delete(ctx, "gone"); ErrorCode(err) != CodeNotFound {
		t.Errorf("delete again: %v, want FUNCTION_NOT_FOUND", err)
	}
	if v, err := d.Put(ctx, "gone", js(`exports.main = () => 'again'`)); err != nil || v.Number != 1 {
		t.Errorf("deploy after delete: %+v, %v; want a new history from 1", v, err)
	}
}

// What the console shows: the list, one function's config and files, a
// file's content; nothing outside the function.
func TestFunctionInfo(t *testing.T) {
	root := t.TempDir()
	d, _ := OpenDir(root)
	ctx := context.Background()
	cfg := `{"timeout": 9, "memorySize": 128, "triggers": [{"name": "daily", "type": "timer", "config": "0 0 2 * * * *"},
		{"name": "onOrder", "type": "database", "config": {"collection": "orders", "events": ["insert", "delete"]}}], "http": [{"path": "/api/x", "methods": ["GET"]}]}`
	d.Put(ctx, "a", map[string][]byte{"index.js": []byte(`exports.main = () => 1`), "lib/u.js": []byte("// u"), "config.json": []byte(cfg)})
	d.Put(ctx, "b", readFolder(t, "bundle-ts"))
	os.MkdirAll(filepath.Join(root, "broken"), 0o700)
	os.WriteFile(filepath.Join(root, "broken", "index.js"), nil, 0o600)
	os.WriteFile(filepath.Join(root, "broken", "config.json"), []byte(`{"timeout": -1}`), 0o600)
	os.WriteFile(filepath.Join(t.TempDir(), "secret"), []byte("host"), 0o600)
	os.Symlink("/etc", filepath.Join(root, "a", "etc"))

	list, err := d.Functions(ctx)
	if err != nil || len(list) != 3 {
		t.Fatalf("list: %+v, %v", list, err)
	}
	a, b, broken := list[0], list[1], list[2]
	if a.Name != "a" || a.Number != 1 || a.Timeout != 9 || a.MemoryMB != 128 || a.Timer == nil || a.Timer.Cron != "0 0 2 * * * *" ||
		len(a.Routes) != 1 || a.Routes[0].Path != "/api/x" || a.Routes[0].Methods[0] != "GET" || a.Bundled || a.UpdatedAt.IsZero() ||
		len(a.Database) != 1 || a.Database[0].Collection != "orders" || strings.Join(a.Database[0].Events, ",") != "insert,delete" {
		t.Errorf("a: %+v", a)
	}
	if b.Name != "b" || !b.Bundled || b.Number != 1 {
		t.Errorf("b: %+v", b)
	}
	if broken.Name != "broken" || broken.Error == "" || broken.Version != "" {
		t.Errorf("broken: %+v", broken)
	}
	det, err := d.Function(ctx, "a")
	if err != nil || string(det.Config) != cfg || len(det.Files) != 3 || det.Files[2].Path != "lib/u.js" || det.Files[2].Size != 4 {
		t.Errorf("detail: %+v, %v", det, err)
	}
	if b, err := d.ReadFile(ctx, "a", 0, "lib/u.js"); err != nil || string(b) != "// u" {
		t.Errorf("read lib/u.js: %q, %v", b, err)
	}
	for _, p := range []string{"etc/passwd", "../b/index.ts", "nope.js", "/etc/passwd"} {
		if b, err := d.ReadFile(ctx, "a", 0, p); err == nil {
			t.Errorf("read %s: %q", p, b)
		}
	}
	if _, err := d.Function(ctx, "nope"); ErrorCode(err) != CodeNotFound {
		t.Errorf("unknown function: %v", err)
	}
}
