package functions

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"minibase/db"
)

// The runtime's own cost of a warm call: a function returning a constant.
func BenchmarkInvokeWarm(b *testing.B) {
	rt, _ := newTestRuntime(b, Options{})
	event := []byte(`{"a":1}`)
	if _, err := rt.Invoke(adminCtx, "hello", event, Invocation{}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := rt.Invoke(adminCtx, "hello", event, Invocation{RequestID: "r"}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkInvokeWarmParallel(b *testing.B) {
	rt, _ := newTestRuntime(b, Options{})
	event := []byte(`{"a":1}`)
	rt.Invoke(adminCtx, "hello", event, Invocation{})
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := rt.Invoke(adminCtx, "hello", event, Invocation{}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// Warm calls while another function keeps running into its deadline: the
// interrupted runaways must not slow the others down much.
func BenchmarkInvokeWarmBesideRunaways(b *testing.B) {
	rt, _ := newTestRuntime(b, Options{})
	event := []byte(`{"a":1}`)
	rt.Invoke(adminCtx, "hello", event, Invocation{})
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			ctx, cancel := context.WithTimeout(adminCtx, 20*time.Millisecond)
			rt.Invoke(ctx, "runaway", []byte(`{"mode":"loop"}`), Invocation{})
			cancel()
		}
	}()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := rt.Invoke(adminCtx, "hello", event, Invocation{}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	close(stop)
	wg.Wait()
}

// How long after its deadline a `while(true){}` is stopped (ms past the
// deadline, averaged; goal ≤ 10 ms).
func BenchmarkRunawayStop(b *testing.B) {
	rt, _ := newTestRuntime(b, Options{})
	rt.Invoke(adminCtx, "runaway", []byte(`{"mode":"ok"}`), Invocation{})
	const budget = 20 * time.Millisecond
	var over, worst time.Duration
	for i := 0; i < b.N; i++ {
		ctx, cancel := context.WithTimeout(adminCtx, budget)
		start := time.Now()
		_, err := rt.Invoke(ctx, "runaway", []byte(`{"mode":"loop"}`), Invocation{})
		d := time.Since(start) - budget
		cancel()
		if ErrorCode(err) != CodeExecuteFail {
			b.Fatal(err)
		}
		over += d
		worst = max(worst, d)
	}
	b.ReportMetric(float64(over.Microseconds())/float64(b.N)/1000, "ms-past-deadline")
	b.ReportMetric(float64(worst.Microseconds())/1000, "worst-ms")
}

// A function doing one indexed read and one write through wx-server-sdk,
// against the same two operations on the db Service directly (no HTTP in
// either): the runtime's share of a realistic call.
func BenchmarkReadWrite(b *testing.B) {
	rt, svc := newTestRuntime(b, Options{})
	seedPosts(b, svc, "posts", 1000)
	event := []byte(`{"coll":"posts","author":"u7"}`)
	var n atomic.Int64
	b.Run("function", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := rt.Invoke(adminCtx, "readwrite", event, Invocation{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("direct", func(b *testing.B) {
		q := doc("filter", doc("author", "u7"), "sort", []any{[]any{"created", int64(-1)}}, "limit", int64(20))
		for i := 0; i < b.N; i++ {
			docs, err := svc.Query(adminCtx, "posts", q)
			if err != nil {
				b.Fatal(err)
			}
			if _, _, err := svc.Insert(adminCtx, "posts_log", doc("data", doc("author", "u7", "seen", int64(len(docs)), "n", n.Add(1)))); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// Each database operation of wx-server-sdk, one per invocation (testdata
// dbops): the builder, the native call, the db.Service method and the
// answer as the function sees it; txn is a transaction of two updates.
func BenchmarkDBOps(b *testing.B) {
	rt, svc := newTestRuntime(b, Options{})
	seedPosts(b, svc, "posts", 1000)
	if _, _, err := svc.Insert(adminCtx, "posts", doc("data", []any{doc("_id", "p1", "author", "u7", "n", int64(0)), doc("_id", "p2", "n", int64(0))})); err != nil {
		b.Fatal(err)
	}
	for _, op := range []string{"get", "query", "count", "add", "update", "set", "whereUpdate", "remove", "txn"} {
		event := []byte(`{"coll":"posts","op":"` + op + `","id":"p1","id2":"p2","author":"u7"}`)
		b.Run(op, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := rt.Invoke(adminCtx, "dbops", event, Invocation{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func seedPosts(b testing.TB, svc *db.Service, coll string, count int) {
	docs := make([]any, count)
	for i := range docs {
		docs[i] = doc("author", fmt.Sprintf("u%d", i%100), "created", time.Unix(int64(i), 0).UTC(), "title", fmt.Sprintf("post %d", i))
	}
	if _, _, err := svc.Insert(adminCtx, coll, doc("data", docs)); err != nil {
		b.Fatal(err)
	}
	if _, err := svc.CreateIndex(adminCtx, coll, doc("keys", doc("author", int64(1), "created", int64(-1)))); err != nil {
		b.Fatal(err)
	}
}
