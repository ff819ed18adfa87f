//go:build unix

package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"minibase/db"
)

// BenchmarkWriteFeed: the cost of the change feed on the write path, for
// a collection nobody subscribed to (off) and one a consumer did (on):
// inserts and updates by _id, 50 writers as in BenchmarkInsertParallel.
// Nobody reads the feed meanwhile, so it grows as a lagging consumer's
// would. Besides wall time per write it reports the process's CPU time
// per write (cpu-ns/op), which stays meaningful on a busy machine.
func BenchmarkWriteFeed(b *testing.B) {
	for _, kind := range []string{"insert", "update"} {
		for _, on := range []bool{false, true} {
			name := kind + "/off"
			if on {
				name = kind + "/on"
			}
			b.Run(name, func(b *testing.B) {
				d, err := Open(context.Background(), filepath.Join(b.TempDir(), "b.db"), Options{Synchronous: "NORMAL"})
				if err != nil {
					b.Fatal(err)
				}
				defer d.Close()
				ctx := context.Background()
				if on {
					if err := d.Subscribe(ctx, "functions", []string{"c"}); err != nil {
						b.Fatal(err)
					}
				}
				const seeded = 1000
				docs := make([]db.Doc, seeded)
				for i := range docs {
					docs[i] = db.Doc{{Key: "_id", Value: fmt.Sprintf("d%04d", i)}, {Key: "title", Value: "hello"}, {Key: "n", Value: int64(0)}}
				}
				if _, err := d.Write(ctx, "c", &db.WriteOp{Kind: db.WriteInsert, Docs: docs}); err != nil {
					b.Fatal(err)
				}
				inc, _ := db.ParseUpdate(db.Doc{{Key: "$inc", Value: db.Doc{{Key: "n", Value: int64(1)}}}})
				var next atomic.Int64
				b.SetParallelism(25)
				cpu0 := cpuTime()
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						i := next.Add(1)
						op := &db.WriteOp{Kind: db.WriteUpdate, Filter: idFilter(fmt.Sprintf("d%04d", i%seeded)), Update: inc}
						if kind == "insert" {
							doc := db.Doc{{Key: "_id", Value: db.NewID()}, {Key: "title", Value: "hello"}, {Key: "n", Value: i}}
							op = &db.WriteOp{Kind: db.WriteInsert, Docs: []db.Doc{doc}}
						}
						if _, err := d.Write(ctx, "c", op); err != nil {
							b.Fatal(err)
						}
					}
				})
				b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
			})
		}
	}
}

func idFilter(id string) *db.Filter {
	f, _ := db.ParseFilter(db.Doc{{Key: "_id", Value: id}})
	return f
}

// cpuTime is the user and system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
