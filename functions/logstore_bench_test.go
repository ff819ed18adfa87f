//go:build !minibase_fuzz

package functions

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// benchRecord is a typical record: three console lines.
func benchRecord(i int, start time.Time) *LogRecord {
	line := "handled order 1234567890 for user abcdef in 12 ms, cache hit"
	return rec(NewRequestID(), fmt.Sprint("fn", i%50), fmt.Sprint("openid-", i%1000), StatusOK, start, line, line, line)
}

// BenchmarkInvokeWarmLogged is BenchmarkInvokeWarm with every record
// going to a log store: what Write adds to an invocation.
func BenchmarkInvokeWarmLogged(b *testing.B) {
	s, _ := newLogStore(b, "", LogStoreOptions{})
	rt, _ := newTestRuntime(b, Options{Logs: s})
	event := []byte(`{"a":1}`)
	rt.Invoke(adminCtx, "hello", event, Invocation{})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := rt.Invoke(adminCtx, "hello", event, Invocation{RequestID: "r"}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(s.Stats().Dropped), "dropped")
}

// helloRecord is the record of a call like hello's: no console output,
// a warm instance, memory not measured.
func helloRecord(i int, start time.Time) *LogRecord {
	return &LogRecord{RequestID: NewRequestID(), Function: fmt.Sprint("fn", i%50), Source: "wx_http", Start: start,
		Duration: 80 * time.Microsecond, Status: StatusOK, Version: "3", MemoryMB: 256}
}

// BenchmarkLogStoreWrite measures the store's sustained rate: records
// written to SQLite per second, in batches, without drops; hello: batches
// of 1000 of hello's records.
func BenchmarkLogStoreWrite(b *testing.B) {
	for _, batch := range []int{1, 100, 1000} {
		b.Run(fmt.Sprint("batch=", batch), func(b *testing.B) { benchLogStoreWrite(b, batch, benchRecord) })
	}
	b.Run("hello", func(b *testing.B) { benchLogStoreWrite(b, 1000, helloRecord) })
}

func benchLogStoreWrite(b *testing.B, batch int, record func(int, time.Time) *LogRecord) {
	s, _ := newLogStore(b, "", LogStoreOptions{Batch: batch})
	start := time.Now()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for len(s.queue) > cap(s.queue)/2 {
			time.Sleep(100 * time.Microsecond)
		}
		s.Write(context.Background(), record(i, start.Add(time.Duration(i))))
	}
	waitWritten(b, s, int64(b.N))
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
	if d := s.Stats().Dropped; d > 0 {
		b.Fatalf("%d dropped", d)
	}
}

// BenchmarkLogStoreQuery: a page of 50 among 100,000 records of 50
// functions and 1000 users.
func BenchmarkLogStoreQuery(b *testing.B) {
	s, _ := newLogStore(b, "", LogStoreOptions{MaxAge: 24 * time.Hour})
	const n = 100_000
	start := time.Now().Add(-time.Hour)
	for i := range n {
		for len(s.queue) > cap(s.queue)/2 {
			time.Sleep(100 * time.Microsecond)
		}
		s.Write(context.Background(), benchRecord(i, start.Add(time.Duration(i)*time.Millisecond)))
	}
	waitWritten(b, s, n)
	for _, c := range []struct {
		name string
		q    LogQuery
	}{
		{"newest", LogQuery{}},
		{"function", LogQuery{Function: "fn7"}},
		{"openid", LogQuery{OpenID: "openid-77"}},
		{"requestId", LogQuery{RequestID: NewRequestID()}},
		{"status-error", LogQuery{Status: StatusError}},
		{"function-range", LogQuery{Function: "fn7", Since: start.Add(20 * time.Second), Until: start.Add(40 * time.Second)}},
	} {
		b.Run(c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := s.Query(adminCtx, c.q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
