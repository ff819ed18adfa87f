package server

import (
	"context"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"minibase/db"
	"minibase/server/backup"
)

// BenchmarkBackupWhileWriting makes whole backups (database snapshot,
// gzip, the archive in <dir>/backups) of a database of
// MINIBASE_BACKUP_BENCH_MB (default 100) MiB, and of
// MINIBASE_BACKUP_BENCH_FILES_MB (default 0) MiB of stored files that do
// not compress (as photos do not), while one writer inserts documents one
// at a time through the server's database. It reports the
// database's MB/s (its size over the backup's time), the archive's size,
// and the longest single insert while the backup ran (stall-ms) beside the
// longest in the 500 inserts before it (base-ms).
func BenchmarkBackupWhileWriting(b *testing.B) {
	mb := 100
	if v, err := strconv.Atoi(os.Getenv("MINIBASE_BACKUP_BENCH_MB")); err == nil && v > 0 {
		mb = v
	}
	m := newTestMain(b, nil)
	ctx := context.Background()
	pad := strings.Repeat("x", 900)
	dbPath := filepath.Join(m.Config.Dir, "data.db")
	for size := int64(0); size < int64(mb)<<20; {
		docs := make([]db.Doc, 2000)
		for i := range docs {
			docs[i] = db.Doc{{Key: "_id", Value: db.NewID()}, {Key: "pad", Value: pad}, {Key: "n", Value: int64(i)}}
		}
		if _, err := m.store.Driver.Write(ctx, "big", &db.WriteOp{Kind: db.WriteInsert, Docs: docs}); err != nil {
			b.Fatal(err)
		}
		fi, _ := os.Stat(dbPath)
		wal, _ := os.Stat(dbPath + "-wal")
		size = fi.Size()
		if wal != nil {
			size += wal.Size()
		}
	}
	if files, _ := strconv.Atoi(os.Getenv("MINIBASE_BACKUP_BENCH_FILES_MB")); files > 0 {
		benchFiles(b, filepath.Join(m.Config.Dir, "storage", "bench"), files)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		stop, warm := make(chan struct{}), make(chan struct{})
		var worst, base atomic.Int64
		var during atomic.Bool
		var wg sync.WaitGroup
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
				doc := db.Doc{{Key: "_id", Value: db.NewID()}, {Key: "v", Value: int64(n)}}
				if _, err := m.store.Driver.Write(ctx, "live", &db.WriteOp{Kind: db.WriteInsert, Docs: []db.Doc{doc}}); err != nil {
					b.Error(err)
					return
				}
				took, w := int64(time.Since(t0)), &base
				if during.Load() {
					w = &worst
				}
				if took > w.Load() {
					w.Store(took)
				}
				if n == 500 {
					close(warm)
				}
			}
		}()
		<-warm
		fi, _ := os.Stat(dbPath)
		during.Store(true)
		t0 := time.Now()
		info, _, err := m.backups.create(ctx, "bench-"+strconv.Itoa(i)+".tar.gz")
		took := time.Since(t0)
		during.Store(false)
		close(stop)
		wg.Wait()
		if err != nil {
			b.Fatal(err)
		}
		m.backups.local.Delete(ctx, info.Name)
		b.ReportMetric(float64(fi.Size())/(1<<20)/took.Seconds(), "MB/s")
		b.ReportMetric(float64(info.Size)/(1<<20), "archive-MiB")
		b.ReportMetric(float64(worst.Load())/1e6, "stall-ms")
		b.ReportMetric(float64(base.Load())/1e6, "base-ms")
	}
	_ = backup.FormatVersion
}

// benchFiles writes mb MiB of random bytes (which do not compress) into
// files of 4 MiB in dir, synced, as uploads leave them.
func benchFiles(b *testing.B, dir string, mb int) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 4<<20)
	for i := 0; i < mb; i += 4 {
		rand.Read(buf)
		f, err := os.Create(filepath.Join(dir, strconv.Itoa(i)+".bin"))
		if err != nil {
			b.Fatal(err)
		}
		_, err = f.Write(buf)
		if err = errors.Join(err, f.Sync(), f.Close()); err != nil {
			b.Fatal(err)
		}
	}
}
