package sqlite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"minibase/db"
)

// TestBackupWhileWriting: a backup taken while writes run is a whole
// database that opens, holding every write acknowledged before it started
// and no half of any write (each write inserts a pair of documents).
func TestBackupWhileWriting(t *testing.T) {
	for _, method := range []string{SnapshotPages, SnapshotVacuum} {
		t.Run(method, func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			d, err := Open(ctx, filepath.Join(dir, "data.db"), Options{Synchronous: "NORMAL"})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			var acked atomic.Int64
			pair := func(i int64) error {
				docs := []db.Doc{
					{{Key: "_id", Value: fmt.Sprintf("a%06d", i)}, {Key: "n", Value: i}},
					{{Key: "_id", Value: fmt.Sprintf("b%06d", i)}, {Key: "n", Value: i}},
				}
				_, err := d.Write(ctx, "pairs", &db.WriteOp{Kind: db.WriteInsert, Docs: docs})
				return err
			}
			for i := int64(0); i < 200; i++ {
				if err := pair(i); err != nil {
					t.Fatal(err)
				}
				acked.Store(i + 1)
			}
			stop := make(chan struct{})
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := acked.Load(); ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					if err := pair(i); err != nil {
						t.Error(err)
						return
					}
					acked.Store(i + 1)
				}
			}()
			before := acked.Load()
			dst := filepath.Join(dir, "copy.db")
			err = Backup(ctx, filepath.Join(dir, "data.db"), dst, method)
			close(stop)
			wg.Wait()
			if err != nil {
				t.Fatal(err)
			}
			c, err := Open(ctx, dst, Options{Check: CheckOpen})
			if err != nil {
				t.Fatalf("the copy does not open: %v", err)
			}
			defer c.Close()
			n, err := c.Count(ctx, "pairs", nil)
			if err != nil {
				t.Fatal(err)
			}
			if n%2 != 0 || n/2 < before {
				t.Errorf("copy holds %d documents, want an even number of at least %d (2 × %d writes acknowledged before the backup)", n, 2*before, before)
			}
			if fi, err := os.Stat(dst); err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("copy's mode: %v, %v; want 0600", fi.Mode(), err)
			}
		})
	}
}

// TestBackupRefuses: an existing destination, a missing source or an
// unknown method fail, leaving nothing behind.
func TestBackupRefuses(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	d, err := Open(ctx, filepath.Join(dir, "data.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	taken := filepath.Join(dir, "taken.db")
	os.WriteFile(taken, []byte("mine"), 0o600)
	for _, tc := range []struct{ name, src, dst, method, want string }{
		{"destination exists", filepath.Join(dir, "data.db"), taken, "", "exists"},
		{"no source", filepath.Join(dir, "none.db"), filepath.Join(dir, "x.db"), "", "no such file"},
		{"unknown method", filepath.Join(dir, "data.db"), filepath.Join(dir, "y.db"), "copy", "unknown method"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Backup(ctx, tc.src, tc.dst, tc.method)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one saying %q", err, tc.want)
			}
			if tc.dst != taken {
				if _, err := os.Stat(tc.dst); err == nil {
					t.Errorf("%s was left behind", tc.dst)
				}
			}
		})
	}
	if b, _ := os.ReadFile(taken); string(b) != "mine" {
		t.Errorf("the existing file was changed: %q", b)
	}
}

// BenchmarkBackupWhileWriting backs up a database of
// MINIBASE_BACKUP_BENCH_MB (default 100) MiB while one writer inserts
// documents one at a time, with each method; it reports the copy's speed
// (MB/s of the source file) and the longest time one insert took while
// the backup ran (stall-ms), beside the longest before it (base-ms).
func BenchmarkBackupWhileWriting(b *testing.B) {
	mb := 100
	if v, err := strconv.Atoi(os.Getenv("MINIBASE_BACKUP_BENCH_MB")); err == nil && v > 0 {
		mb = v
	}
	ctx := context.Background()
	dir := b.TempDir()
	src := filepath.Join(dir, "data.db")
	d, err := Open(ctx, src, Options{Synchronous: "NORMAL"})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	pad := strings.Repeat("x", 900)
	for size := int64(0); size < int64(mb)<<20; {
		docs := make([]db.Doc, 2000)
		for i := range docs {
			docs[i] = db.Doc{{Key: "_id", Value: db.NewID()}, {Key: "pad", Value: pad}, {Key: "n", Value: int64(i)}}
		}
		if _, err := d.Write(ctx, "big", &db.WriteOp{Kind: db.WriteInsert, Docs: docs}); err != nil {
			b.Fatal(err)
		}
		fi, _ := os.Stat(src)
		wal, _ := os.Stat(src + "-wal")
		size = fi.Size()
		if wal != nil {
			size += wal.Size()
		}
	}
	for _, method := range []string{SnapshotPages, SnapshotVacuum} {
		b.Run(method, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				stop := make(chan struct{})
				var worst, base atomic.Int64
				var wg sync.WaitGroup
				var during atomic.Bool
				warm := make(chan struct{}) // closed after the writer's first 200 inserts: its baseline
				wg.Add(1)
				go func() {
					defer wg.Done()
					for n := 1; ; n++ {
						select {
						case <-stop:
							return
						default:
						}
						t0 := time.Now()
						doc := db.Doc{{Key: "_id", Value: db.NewID()}, {Key: "pad", Value: "y"}}
						if _, err := d.Write(ctx, "live", &db.WriteOp{Kind: db.WriteInsert, Docs: []db.Doc{doc}}); err != nil {
							b.Error(err)
							return
						}
						took := int64(time.Since(t0))
						m := &base
						if during.Load() {
							m = &worst
						}
						if took > m.Load() {
							m.Store(took)
						}
						if n == 200 {
							close(warm)
						}
					}
				}()
				<-warm
				fi, _ := os.Stat(src)
				dst := filepath.Join(dir, fmt.Sprintf("copy-%s-%d.db", method, i))
				during.Store(true)
				t0 := time.Now()
				err := Backup(ctx, src, dst, method)
				took := time.Since(t0)
				during.Store(false)
				close(stop)
				wg.Wait()
				if err != nil {
					b.Fatal(err)
				}
				os.Remove(dst)
				b.ReportMetric(float64(fi.Size())/(1<<20)/took.Seconds(), "MB/s")
				b.ReportMetric(float64(worst.Load())/1e6, "stall-ms")
				b.ReportMetric(float64(base.Load())/1e6, "base-ms")
			}
		})
	}
}
