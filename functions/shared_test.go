//go:build !minibase_fuzz

package functions

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"minibase/db"
	"minibase/db/postgres"
	"minibase/db/postgres/pgtest"
	"minibase/storage"
	"minibase/storage/s3"
	"minibase/storage/s3/miniotest"
)

// The shared-mode tests run nodes as a cluster runs them: each a Dir in
// a folder of its own and a Runtime over it, with its own connections to
// ONE PostgreSQL database and ONE MinIO bucket. They wait on what the
// follower does (a function installed or removed, a failure reported),
// with a bounded deadline, never on time.

// cluster is the database and the file store nodes share.
type cluster struct {
	url   string
	minio *miniotest.Server
}

func newCluster(t testing.TB) *cluster {
	t.Helper()
	return &cluster{url: pgtest.Database(t), minio: miniotest.Start(t)}
}

// node is one minibase node's functions: its folder, runtime and
// follower, and what the follower did.
type node struct {
	t      testing.TB
	root   string
	dir    *Dir
	rt     *Runtime
	files  storage.Bucket
	stop   func()
	events chan struct{} // a signal after each retire or report

	mu      sync.Mutex
	reports []string
}

// start starts a node on root (t.TempDir() when ""), following the
// registry until stop (or the test's end).
func (c *cluster) start(t testing.TB, root string) *node {
	t.Helper()
	if root == "" {
		root = t.TempDir()
	}
	ctx := context.Background()
	drv, err := postgres.Open(ctx, c.url, postgres.Options{MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	files, err := s3.Open(ctx, s3.Config{Endpoint: c.minio.Endpoint, Bucket: "cluster", AccessKey: c.minio.AccessKey,
		SecretKey: c.minio.SecretKey, PathStyle: true})
	if err != nil {
		t.Fatal(err)
	}
	dir, err := OpenDir(root)
	if err != nil {
		t.Fatal(err)
	}
	if err := dir.Share(ctx, Shared{DB: drv, Files: files, Poll: time.Hour, Retry: 20 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	catchUp := dir.CatchUp(ctx) // as the server does before it serves
	rt, err := New(dir, db.NewService(drv, db.Limits{}), Options{})
	if err != nil {
		t.Fatal(err)
	}
	n := &node{t: t, root: root, dir: dir, rt: rt, files: files, events: make(chan struct{}, 1)}
	if catchUp != nil {
		n.reports = append(n.reports, catchUp.Error())
	}
	fctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	signal := func() {
		select {
		case n.events <- struct{}{}:
		default:
		}
	}
	go func() {
		defer close(done)
		dir.Follow(fctx, func(name string) { rt.Retire(name); signal() }, func(err error) {
			n.mu.Lock()
			n.reports = append(n.reports, err.Error())
			n.mu.Unlock()
			signal()
		})
	}()
	var once sync.Once
	n.stop = func() {
		once.Do(func() {
			cancel()
			<-done
			rt.Close()
			drv.Close()
		})
	}
	t.Cleanup(n.stop)
	return n
}

// call invokes name on n and returns its result's JSON, or the error's
// code.
func (n *node) call(name string) string {
	res, err := n.rt.Invoke(context.Background(), name, []byte(`{}`), Invocation{})
	if err != nil {
		if code := ErrorCode(err); code != "" {
			return code
		}
		return err.Error()
	}
	return string(res.Value)
}

// waitFor waits until cond holds, checking it again after each thing the
// follower does; it fails the test after a minute (the follower is woken
// by PostgreSQL's NOTIFY, in milliseconds).
func (n *node) waitFor(what string, cond func() bool) {
	n.t.Helper()
	deadline := time.NewTimer(time.Minute)
	defer deadline.Stop()
	for !cond() {
		select {
		case <-n.events:
		case <-deadline.C:
			n.t.Fatalf("%s: not after a minute; the follower reported %q", what, n.reported())
		}
	}
}

// waitCall waits until invoking name on n answers want.
func (n *node) waitCall(name, want string) {
	n.t.Helper()
	var got string
	n.waitFor(fmt.Sprintf("%s answers %s (last: %s)", name, want, got), func() bool {
		got = n.call(name)
		return got == want
	})
}

func (n *node) reported() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.reports...)
}

func ret(v string) map[string][]byte { return js(`exports.main = () => "` + v + `"`) }

// A function deployed through one node runs on the other; a rollback
// through that one reaches the first; a delete through the first makes
// the other answer FUNCTION_NOT_FOUND. Versions are numbered once for
// the cluster, and each node's history is the registry's.
func TestSharedDeployRollbackDelete(t *testing.T) {
	c := newCluster(t)
	a, b := c.start(t, ""), c.start(t, "")
	ctx := context.Background()

	v1, err := a.dir.Put(ctx, "f", ret("one"))
	if err != nil || v1.Number != 1 {
		t.Fatalf("deploy on A: %+v, %v", v1, err)
	}
	if got := a.call("f"); got != `"one"` {
		t.Fatalf("A runs %s right after its deployment, want \"one\"", got)
	}
	b.waitCall("f", `"one"`)
	v2, err := a.dir.Put(ctx, "f", ret("two"))
	if err != nil || v2.Number != 2 {
		t.Fatalf("second deploy on A: %+v, %v", v2, err)
	}
	b.waitCall("f", `"two"`) // B's warm instance of "one" is gone

	rb, err := b.dir.Rollback(ctx, "f", "1")
	if err != nil || rb.Number != 3 || rb.Origin != OriginRollback || rb.From != 1 || rb.Version != v1.Version {
		t.Fatalf("rollback on B: %+v, %v", rb, err)
	}
	a.waitCall("f", `"one"`)
	hist, err := a.dir.Versions(ctx, "f")
	if err != nil || len(hist) != 3 || hist[0].Number != 3 || hist[0].From != 1 || hist[2].Version != v1.Version {
		t.Fatalf("A's history: %+v, %v; want 3, 2, 1 (3 a rollback to 1)", hist, err)
	}
	if src, err := a.dir.ReadFile(ctx, "f", 2, "index.js"); err != nil || !strings.Contains(string(src), "two") {
		t.Errorf("A reads version 2's index.js: %q, %v", src, err)
	}
	if info, err := b.dir.Function(ctx, "f"); err != nil || info.Number != 3 || info.Version != v1.Version {
		t.Errorf("B describes f: %+v, %v; want number 3", info, err)
	}

	if err := a.dir.Delete(ctx, "f"); err != nil {
		t.Fatal(err)
	}
	if got := a.call("f"); got != CodeNotFound {
		t.Errorf("A after its delete: %s", got)
	}
	b.waitCall("f", CodeNotFound)
	if _, err := b.dir.Versions(ctx, "f"); ErrorCode(err) != CodeNotFound {
		t.Errorf("B's versions of a deleted function: %v, want %s", err, CodeNotFound)
	}
	if err := b.dir.Delete(ctx, "f"); ErrorCode(err) != CodeNotFound {
		t.Errorf("deleting it again on B: %v, want %s", err, CodeNotFound)
	}
	v, err := b.dir.Put(ctx, "f", ret("again"))
	if err != nil || v.Number != 1 {
		t.Fatalf("deploy after delete: %+v, %v; want number 1 (the history went with the function)", v, err)
	}
	a.waitCall("f", `"again"`)
	if r := append(a.reported(), b.reported()...); len(r) > 0 {
		t.Errorf("the followers reported %q", r)
	}
}

// A node that was down while functions were deployed, changed and
// deleted catches up when it starts: the new versions run, the deleted
// function is gone. A node joining with functions the registry does not
// know publishes them.
func TestSharedCatchUp(t *testing.T) {
	c := newCluster(t)
	a := c.start(t, "")
	ctx := context.Background()
	for _, fn := range []string{"f", "g"} {
		if _, err := a.dir.Put(ctx, fn, ret(fn+"1")); err != nil {
			t.Fatal(err)
		}
	}
	rootB := t.TempDir()
	b := c.start(t, rootB)
	b.waitCall("f", `"f1"`)
	b.waitCall("g", `"g1"`)
	b.stop()

	if _, err := a.dir.Put(ctx, "f", ret("f2")); err != nil { // three changes while B is down
		t.Fatal(err)
	}
	if err := a.dir.Delete(ctx, "g"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.dir.Put(ctx, "h", ret("h1")); err != nil {
		t.Fatal(err)
	}
	if err := writeFile(rootB+"/local/index.js", []byte(`exports.main = () => "mine"`)); err != nil {
		t.Fatal(err)
	}

	b = c.start(t, rootB) // caught up before it serves: no waiting
	for fn, want := range map[string]string{"f": `"f2"`, "g": CodeNotFound, "h": `"h1"`} {
		if got := b.call(fn); got != want {
			t.Errorf("B right after its start: %s answers %s, want %s", fn, got, want)
		}
	}
	a.waitCall("local", `"mine"`)
	hist, err := a.dir.Versions(ctx, "local")
	if err != nil || len(hist) != 1 || hist[0].Origin != OriginDisk {
		t.Errorf("the published function's history: %+v, %v; want one version of origin disk", hist, err)
	}
	if r := append(a.reported(), b.reported()...); len(r) > 0 {
		t.Errorf("the followers reported %q", r)
	}
}

// A node that cannot fetch a version's archive says so, keeps running
// the version it has, and installs the new one once the archive is back.
func TestSharedArchiveMissing(t *testing.T) {
	c := newCluster(t)
	a := c.start(t, "")
	ctx := context.Background()
	if _, err := a.dir.Put(ctx, "f", ret("one")); err != nil {
		t.Fatal(err)
	}
	rootB := t.TempDir()
	b := c.start(t, rootB)
	b.waitCall("f", `"one"`)
	b.stop()

	two := ret("two")
	v2, err := a.dir.Put(ctx, "f", two)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.files.Delete(ctx, archiveKey("f", v2.Version)); err != nil {
		t.Fatal(err)
	}
	b = c.start(t, rootB)
	b.waitFor("B reports the missing archive", func() bool {
		for _, r := range b.reported() {
			if strings.Contains(r, "fetch version 2") && strings.Contains(r, v2.Version) {
				return true
			}
		}
		return false
	})
	if got := b.call("f"); got != `"one"` {
		t.Errorf("B without the archive runs %s, want the old \"one\"", got)
	}
	if err := a.dir.shared.upload(ctx, "f", v2.Version, two, nil); err != nil {
		t.Fatal(err)
	}
	b.waitCall("f", `"two"`)
}

// Deployments of one function racing on both nodes leave both running
// the same version: the one the registry recorded last.
func TestSharedConcurrentDeploys(t *testing.T) {
	c := newCluster(t)
	a, b := c.start(t, ""), c.start(t, "")
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for _, n := range []*node{a, b} {
		wg.Go(func() {
			for i := range 5 {
				if _, err := n.dir.Put(ctx, "f", ret(fmt.Sprintf("%s-%d", n.root, i))); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	rec, err := a.dir.shared.read(ctx, "f")
	if err != nil || rec == nil {
		t.Fatal(rec, err)
	}
	if h := rec.head(); h.Number != 10 {
		t.Errorf("the last of 10 deployments is numbered %d", h.Number)
	}
	var want string
	for _, n := range []*node{a, b} {
		for i := range 5 {
			s := fmt.Sprintf("%s-%d", n.root, i)
			if hashFiles(ret(s)) == rec.head().Version {
				want = `"` + s + `"`
			}
		}
	}
	if want == "" {
		t.Fatalf("the registry's live version %s is none of the deployments", rec.head().Version)
	}
	a.waitCall("f", want)
	b.waitCall("f", want)
}

// A document in the registry that is not a record (written by hand, say)
// is refused, and changes nothing on the nodes.
func TestSharedRefusesBadRecords(t *testing.T) {
	c := newCluster(t)
	a := c.start(t, "")
	ctx := context.Background()
	if _, err := a.dir.Put(ctx, "f", ret("one")); err != nil {
		t.Fatal(err)
	}
	if rules, err := a.dir.shared.DB.Rules(ctx, SharedCollection); err != nil || !strings.Contains(string(rules), "ADMINONLY") {
		t.Errorf("the registry's rules: %s, %v; want ADMINONLY", rules, err)
	}
	for _, bad := range []string{
		`{"_id": "f", "rev": 9, "versions": [{"number": 1, "version": "../../etc/passwd"}]}`,
		`{"_id": "f", "rev": 9, "versions": []}`,
		`{"_id": "f", "rev": "x"}`,
	} {
		a.mu.Lock()
		a.reports = nil
		a.mu.Unlock()
		doc, err := db.DecodeBody([]byte(bad))
		if err != nil {
			t.Fatal(err)
		}
		if err := a.dir.shared.DB.Update(ctx, func(db.Reader) ([]db.Put, error) {
			return []db.Put{{Coll: SharedCollection, ID: "f", Doc: doc}}, nil
		}); err != nil {
			t.Fatal(err)
		}
		a.waitFor("A reports "+bad, func() bool {
			for _, r := range a.reported() {
				if strings.Contains(r, "not a record") {
					return true
				}
			}
			return false
		})
		if got := a.call("f"); got != `"one"` {
			t.Errorf("after %s A runs %s, want \"one\"", bad, got)
		}
		if _, err := a.dir.Put(ctx, "f", ret("two")); err == nil {
			t.Errorf("a deployment over %s succeeded", bad)
		}
	}
}

// A bundled function (TypeScript) runs on the other node as the bundle
// built at its deployment: the bundle travels with the archive and is
// kept beside the live folder, where Load finds it.
func TestSharedBundled(t *testing.T) {
	c := newCluster(t)
	a, b := c.start(t, ""), c.start(t, "")
	ctx := context.Background()
	v, err := a.dir.Put(ctx, "ts", map[string][]byte{"index.ts": []byte(`export const main = (): string => "typed"`)})
	if err != nil || !v.Bundled {
		t.Fatalf("deploy: %+v, %v; want bundled", v, err)
	}
	b.waitCall("ts", `"typed"`)
	kept, err := os.ReadFile(filepath.Join(b.dir.historyDir("ts"), v.Version+".bundle.js"))
	if err != nil {
		t.Fatalf("B keeps no bundle beside its live folder: %v", err)
	}
	stored, err := a.dir.shared.get(ctx, bundleKey("ts", v.Version), MaxCodeBytes)
	if err != nil || !bytes.Equal(kept, stored) {
		t.Errorf("B's bundle (%d bytes) is not the one stored at the deployment (%d bytes, %v)", len(kept), len(stored), err)
	}
}

// Archives no record names are removed once archiveGrace old, never
// before (a deployment racing the removal may be about to name them);
// those the records name stay.
func TestSharedArchivesCollected(t *testing.T) {
	c := newCluster(t)
	a := c.start(t, "")
	ctx := context.Background()
	var first, last *Version
	for i := range KeepVersions + 1 {
		v, err := a.dir.Put(ctx, "f", ret(fmt.Sprint(i)))
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = v
		}
		last = v
	}
	exists := func(key string) bool {
		_, err := a.files.Stat(ctx, key)
		return err == nil
	}
	if !exists(archiveKey("f", first.Version)) {
		t.Fatal("the archive of the version the history dropped went at once, before its grace period")
	}
	rec, _ := a.dir.shared.read(ctx, "f")
	if err := a.dir.shared.collect(ctx, "f", rec, time.Now().Add(archiveGrace)); err != nil {
		t.Fatal(err)
	}
	if exists(archiveKey("f", first.Version)) || !exists(archiveKey("f", last.Version)) || !exists(archiveKey("f", rec.Versions[0].Version)) {
		t.Error("after the grace period: want the dropped version's archive gone, the recorded ones kept")
	}
	if err := a.dir.Delete(ctx, "f"); err != nil {
		t.Fatal(err)
	}
	rec, _ = a.dir.shared.read(ctx, "f")
	if !rec.Deleted || !exists(archiveKey("f", last.Version)) {
		t.Fatalf("right after the delete: %+v; want a tombstone, and the archives kept for their grace period", rec)
	}
	if err := a.dir.shared.collect(ctx, "f", rec, time.Now().Add(archiveGrace)); err != nil {
		t.Fatal(err)
	}
	page, err := a.files.List(ctx, storage.ListOptions{Prefix: sharedPrefix + "f/"})
	if err != nil || len(page.Objects) != 0 {
		t.Errorf("a deleted function's archives after the grace period: %+v, %v; want none", page.Objects, err)
	}
}

// BenchmarkSharedPropagation: from a deployment's answer on one node to
// the other node running the new version (PostgreSQL NOTIFY, the
// record, the archive from MinIO, staging and the swap, the first
// invocation of the new code).
func BenchmarkSharedPropagation(b *testing.B) {
	c := newCluster(b)
	n1, n2 := c.start(b, ""), c.start(b, "")
	ctx := context.Background()
	b.ResetTimer()
	for i := range b.N {
		want := fmt.Sprint("v", i)
		if _, err := n1.dir.Put(ctx, "f", ret(want)); err != nil {
			b.Fatal(err)
		}
		n2.waitCall("f", `"`+want+`"`)
	}
}
