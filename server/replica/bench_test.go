package replica

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"minibase/db"
	"minibase/db/sqlite"
)

// BenchmarkReplicateCreates inserts b.N documents (one per write, from 8
// goroutines, as the server's create benchmark does) into a database,
// without continuous backup ("off": SQLite's own checkpoints) and with it
// ("on": a Replicator shipping to a real MinIO every second). It reports
// creates/s and, with replication on, each write's lag: from its
// acknowledgement until the Replicator reported it shipped (Status.Shipped
// passing it; polled every 10 ms), at the 50th and 99th percentiles.
func BenchmarkReplicateCreates(b *testing.B) {
	for _, on := range []bool{false, true} {
		name := "off"
		if on {
			name = "on"
		}
		b.Run(name, func(b *testing.B) {
			var f *fixture
			var d *sqlite.DB
			ctx := context.Background()
			if on {
				f = newFixture(b, sqlite.Options{}, Config{})
				d = f.d
			} else {
				var err error
				if d, err = sqlite.Open(ctx, b.TempDir()+"/data.db", sqlite.Options{}); err != nil {
					b.Fatal(err)
				}
				defer d.Close()
			}
			runCtx, stop := context.WithCancel(ctx)
			var polls []Status
			var pollTimes []time.Time
			var wgBG sync.WaitGroup
			if on {
				f.round() // the first snapshot, before the clock starts
				wgBG.Add(2)
				go func() { defer wgBG.Done(); f.rep.Run(runCtx) }()
				go func() {
					defer wgBG.Done()
					for runCtx.Err() == nil {
						polls, pollTimes = append(polls, f.rep.Status()), append(pollTimes, time.Now())
						time.Sleep(10 * time.Millisecond)
					}
				}()
			}
			acks := make([]time.Time, b.N)
			var next atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			start := time.Now()
			for w := 0; w < 8; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						i := next.Add(1) - 1
						if i >= int64(b.N) {
							return
						}
						doc := db.Doc{{Key: "_id", Value: fmt.Sprintf("d%09d", i)}, {Key: "n", Value: i}}
						if _, err := d.Write(ctx, "docs", &db.WriteOp{Kind: db.WriteInsert, Docs: []db.Doc{doc}}); err != nil {
							b.Error(err)
							return
						}
						acks[i] = time.Now()
					}
				}()
			}
			wg.Wait()
			took := time.Since(start)
			b.StopTimer()
			if on { // wait until the last write is reported shipped
				for f.rep.Status().Shipped.Before(acks[b.N-1]) && time.Since(start) < 10*time.Minute {
					time.Sleep(10 * time.Millisecond)
				}
			}
			stop()
			wgBG.Wait()
			b.ReportMetric(float64(b.N)/took.Seconds(), "creates/s")
			if !on {
				return
			}
			polls, pollTimes = append(polls, f.rep.Status()), append(pollTimes, time.Now())
			lags := make([]float64, 0, b.N)
			slices.SortFunc(acks, func(x, y time.Time) int { return x.Compare(y) })
			j := 0
			for _, a := range acks {
				if a.IsZero() {
					continue
				}
				for j < len(polls) && !polls[j].Shipped.After(a) {
					j++
				}
				if j == len(polls) {
					break
				}
				lags = append(lags, pollTimes[j].Sub(a).Seconds())
			}
			slices.Sort(lags)
			if len(lags) > 0 {
				b.ReportMetric(lags[len(lags)/2], "lag-p50-s")
				b.ReportMetric(lags[len(lags)*99/100], "lag-p99-s")
			}
		})
	}
}
