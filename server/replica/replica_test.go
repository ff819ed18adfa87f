package replica

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"minibase/db"
	"minibase/db/sqlite"
	"minibase/server/backup"
	"minibase/storage"
	"minibase/storage/s3"
	"minibase/storage/s3/miniotest"
)

// fixture is a database replicated to a real MinIO. MinIO can be stopped
// and started again on the same data (a new port: the bucket's transport
// dials wherever it runs now).
type fixture struct {
	t      testing.TB
	dir    string
	path   string
	d      *sqlite.DB
	rep    *Replicator
	bucket *s3.Bucket
	minio  *miniotest.Server
	mdir   string
	down   bool
	addr   atomic.Value // MinIO's host:port now
}

func newFixture(t testing.TB, opts sqlite.Options, cfg Config) *fixture {
	t.Helper()
	f := &fixture{t: t, dir: t.TempDir(), mdir: t.TempDir()}
	if base := os.Getenv("MINIBASE_REPLICA_MINIO_DIR"); base != "" { // MinIO on another disk (benchmarks)
		var err error
		if f.mdir, err = os.MkdirTemp(base, "minio-"); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(f.mdir) })
	}
	f.startMinIO()
	t.Cleanup(func() {
		if !f.down {
			f.minio.Stop()
		}
	})
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{Timeout: 2 * time.Second}).DialContext(ctx, network, f.addr.Load().(string))
	}
	ctx := context.Background()
	var err error
	f.bucket, err = s3.Open(ctx, s3.Config{Endpoint: f.minio.Endpoint, Bucket: "replica", AccessKey: f.minio.AccessKey,
		SecretKey: f.minio.SecretKey, PathStyle: true, Transport: tr})
	if err != nil {
		t.Fatal(err)
	}
	f.path = filepath.Join(f.dir, "data.db")
	opts.ExternalCheckpoints = true
	if f.d, err = sqlite.Open(ctx, f.path, opts); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.d.Close() })
	cfg.Bucket, cfg.Prefix = f.bucket, "replica/"
	cfg.Snapshot = func(ctx context.Context, p string) error { return sqlite.Backup(ctx, f.path, p, sqlite.SnapshotPages) }
	if f.rep, err = New(f.d, cfg); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) startMinIO() {
	var ms *miniotest.Server
	var err error
	if f.minio == nil {
		ms, err = miniotest.StartDir(f.mdir)
	} else {
		ms, err = f.minio, f.minio.Restart()
	}
	if err != nil {
		f.t.Fatalf("start MinIO: %v", err)
	}
	f.minio = ms
	f.addr.Store(strings.TrimPrefix(ms.Endpoint, "http://"))
}

// insert writes n documents "<tag>-<i>", in one transaction each.
func (f *fixture) insert(tag string, n int) {
	f.t.Helper()
	for i := 0; i < n; i++ {
		doc := db.Doc{{Key: "_id", Value: fmt.Sprintf("%s-%05d", tag, i)}, {Key: "pad", Value: strings.Repeat(tag, 200)}}
		if _, err := f.d.Write(context.Background(), "docs", &db.WriteOp{Kind: db.WriteInsert, Docs: []db.Doc{doc}}); err != nil {
			f.t.Fatal(err)
		}
	}
}

func (f *fixture) round() {
	f.t.Helper()
	if err := f.rep.Round(context.Background()); err != nil {
		f.t.Fatalf("round: %v", err)
	}
}

// restore restores the replica at at into a new file and returns the
// documents' ids there by tag: how many of each.
func (f *fixture) restore(at time.Time) (map[string]int, *Restored) {
	f.t.Helper()
	dst := filepath.Join(f.t.TempDir(), "restored.db")
	res, err := Restore(context.Background(), f.bucket, "replica/", at, dst, sqlite.Verify)
	if err != nil {
		f.t.Fatalf("restore: %v", err)
	}
	return countTags(f.t, dst), res
}

func countTags(t testing.TB, path string) map[string]int {
	t.Helper()
	c, err := sqlite.Open(context.Background(), path, sqlite.Options{Check: sqlite.CheckOpen})
	if err != nil {
		t.Fatalf("the restored database does not open: %v", err)
	}
	defer c.Close()
	docs, err := c.Find(context.Background(), "docs", &db.Query{Limit: 1 << 20})
	if err != nil {
		if strings.Contains(err.Error(), "does not exist") {
			return map[string]int{}
		}
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, d := range docs {
		var doc struct {
			ID string `json:"_id"`
		}
		if err := json.Unmarshal(d, &doc); err != nil {
			t.Fatal(err)
		}
		tag, _, _ := strings.Cut(doc.ID, "-")
		got[tag]++
	}
	return got
}

func sameCounts(got, want map[string]int) bool {
	if len(got) != len(want) {
		return false
	}
	for k, v := range want {
		if got[k] != v {
			return false
		}
	}
	return true
}

// TestReplicateRestore: writes shipped by rounds come back from the
// bucket alone: the newest state, and the state at a time between two
// rounds (point in time), across SQLite starting its WAL over after a
// checkpoint, in one generation.
func TestReplicateRestore(t *testing.T) {
	f := newFixture(t, sqlite.Options{}, Config{})
	f.insert("a", 50)
	f.round()
	gen, salt := f.rep.Status().Generation, f.rep.pos.h.salt1
	at := time.Now()
	f.insert("b", 30)
	f.round()                        // ships b, checkpoints: the WAL is copied into the file
	f.insert("c", 20)                // the WAL starts over (new salts)
	f.round()                        // ships c from the new WAL
	if f.rep.pos.h.salt1 != salt+2 { // started over before b and before c
		t.Errorf("WAL salt %d after two checkpoints, want %d: SQLite did not start the WAL over, the test tests nothing", f.rep.pos.h.salt1, salt+2)
	}
	if g := f.rep.Status().Generation; g != gen {
		t.Errorf("generation changed from %s to %s across a WAL restart", gen, g)
	}
	got, res := f.restore(time.Time{})
	if want := map[string]int{"a": 50, "b": 30, "c": 20}; !sameCounts(got, want) {
		t.Errorf("restored newest: %v, want %v (%+v)", got, want, res)
	}
	got, _ = f.restore(at)
	if want := map[string]int{"a": 50}; !sameCounts(got, want) {
		t.Errorf("restored at %s: %v, want %v", at.Format(time.RFC3339Nano), got, want)
	}
	if lag := f.rep.Lag(); lag <= 0 || lag > time.Minute {
		t.Errorf("lag after a round: %v", lag)
	}
}

// TestRestoreRefusesDamage: a segment changed in the bucket, or one
// missing, refuses the restore with the segment's name, leaving nothing.
func TestRestoreRefusesDamage(t *testing.T) {
	f := newFixture(t, sqlite.Options{}, Config{})
	f.insert("a", 20)
	f.round()
	f.insert("b", 20)
	f.round()
	f.insert("c", 20)
	f.round()
	gens, err := listGenerations(context.Background(), f.bucket, "replica/")
	if err != nil || len(gens) != 1 || len(gens[0].segments) < 3 {
		t.Fatalf("replica: %v, %v", gens, err)
	}
	seg := gens[0].segments[1]
	ctx := context.Background()
	rc, _, err := f.bucket.Open(ctx, seg.key)
	if err != nil {
		t.Fatal(err)
	}
	orig, _ := io.ReadAll(rc)
	rc.Close()
	for _, tc := range []struct {
		name   string
		change func()
	}{
		{"a flipped byte", func() {
			b := bytes.Clone(orig)
			b[len(b)/2] ^= 0x40
			f.bucket.Put(ctx, seg.key, bytes.NewReader(b), storage.PutOptions{})
		}},
		{"truncated", func() { f.bucket.Put(ctx, seg.key, bytes.NewReader(orig[:len(orig)/2]), storage.PutOptions{}) }},
		{"not gzip", func() { f.bucket.Put(ctx, seg.key, strings.NewReader("hello"), storage.PutOptions{}) }},
		{"missing", func() { f.bucket.Delete(ctx, seg.key) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.change()
			dst := filepath.Join(t.TempDir(), "restored.db")
			_, err := Restore(ctx, f.bucket, "replica/", time.Time{}, dst, sqlite.Verify)
			if backup.ErrorCode(err) != backup.CodeCorrupt || !strings.Contains(err.Error(), fmt.Sprintf("%016x", seg.index)) {
				t.Errorf("restore: %v; want %s naming segment %016x", err, backup.CodeCorrupt, seg.index)
			}
			if _, err := os.Stat(dst); !os.IsNotExist(err) {
				t.Errorf("restore left %s behind (%v)", dst, err)
			}
		})
	}
}

func (f *fixture) stopMinIO() {
	f.minio.Stop()
	f.down = true
}

func (f *fixture) restartMinIO() {
	f.startMinIO()
	f.down = false
}

// TestBucketDown: while MinIO is stopped the database keeps taking
// writes, rounds fail and say why, and the lag grows; once it is back the
// backlog is shipped in the same generation. When the WAL outgrows
// MaxWAL meanwhile, it is checkpointed anyway, and replication starts a
// new generation (a snapshot) once the bucket is back: nothing is lost
// either way.
func TestBucketDown(t *testing.T) {
	for _, tc := range []struct {
		name    string
		maxWAL  int64
		sameGen bool
	}{
		{"WAL within its bound", 0, true},
		{"WAL past its bound", 64 << 10, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, sqlite.Options{MaxWAL: tc.maxWAL}, Config{})
			f.insert("a", 20)
			f.round()
			gen := f.rep.Status().Generation
			f.stopMinIO()
			f.insert("b", 40) // 40 commits of a page or more: over 64 KiB of WAL
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			err := f.rep.Round(ctx)
			cancel()
			if err == nil || f.rep.Status().Error == "" {
				t.Fatalf("a round with MinIO stopped: %v, status %+v; want an error", err, f.rep.Status())
			}
			f.insert("c", 10)
			if lag := f.rep.Lag(); lag <= 0 {
				t.Errorf("lag while MinIO is down: %v", lag)
			}
			f.restartMinIO()
			f.round()
			if st := f.rep.Status(); (st.Generation == gen) != tc.sameGen || st.Error != "" {
				t.Errorf("after MinIO came back: %+v (generation before: %s); want the same generation: %v", st, gen, tc.sameGen)
			}
			got, _ := f.restore(time.Time{})
			if want := map[string]int{"a": 20, "b": 40, "c": 10}; !sameCounts(got, want) {
				t.Errorf("restored: %v, want %v", got, want)
			}
		})
	}
}

// TestRetention: with a snapshot every round and nothing retained beyond
// now, each snapshot deletes the ones before it and their segments: the
// bucket keeps one snapshot and what follows it, a restore still has every
// write, and a restore to a time before the kept snapshot says there is
// none.
func TestRetention(t *testing.T) {
	f := newFixture(t, sqlite.Options{}, Config{SnapshotEvery: time.Nanosecond, Retain: time.Nanosecond})
	f.insert("a", 10)
	f.round()
	early := time.Now()
	for _, tag := range []string{"b", "c", "d"} {
		f.insert(tag, 10)
		f.round()
	}
	gens, err := listGenerations(context.Background(), f.bucket, "replica/")
	if err != nil {
		t.Fatal(err)
	}
	if len(gens) != 1 || len(gens[0].snapshots) != 1 {
		t.Fatalf("after retention: %d generations, %+v; want one with one snapshot", len(gens), gens)
	}
	for _, s := range gens[0].segments {
		if s.index < gens[0].snapshots[0].index {
			t.Errorf("segment %s is older than the kept snapshot (index %d)", s.key, gens[0].snapshots[0].index)
		}
	}
	got, _ := f.restore(time.Time{})
	if want := map[string]int{"a": 10, "b": 10, "c": 10, "d": 10}; !sameCounts(got, want) {
		t.Errorf("restored: %v, want %v", got, want)
	}
	_, err = Restore(context.Background(), f.bucket, "replica/", early, filepath.Join(t.TempDir(), "x.db"), sqlite.Verify)
	if backup.ErrorCode(err) != backup.CodeNotFound || !strings.Contains(err.Error(), "no snapshot at or before") {
		t.Errorf("restore before the oldest kept snapshot: %v; want %s", err, backup.CodeNotFound)
	}
}
