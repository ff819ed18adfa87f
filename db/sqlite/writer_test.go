package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"minibase/db"
)

// TestGroupCommitIsolation: concurrent writes share transactions, but a
// write that fails (a duplicate _id) undoes only itself.
func TestGroupCommitIsolation(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	const n = 400
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			id := fmt.Sprintf("d%d", i/2) // every id twice: one of each pair must fail
			_, errs[i] = d.Write(ctx, "c", &db.WriteOp{Kind: db.WriteInsert, Docs: []db.Doc{{{Key: "_id", Value: id}, {Key: "i", Value: int64(i)}}}})
		}(i)
	}
	wg.Wait()
	failed := 0
	for _, err := range errs {
		if err != nil {
			if db.ErrorCode(err) != db.CodeDuplicateKey {
				t.Fatalf("unexpected error: %v", err)
			}
			failed++
		}
	}
	if failed != n/2 {
		t.Errorf("%d writes failed, want %d (one of each duplicate pair)", failed, n/2)
	}
	count, err := d.Count(ctx, "c", nil)
	if err != nil || count != n/2 {
		t.Errorf("count = %d, %v; want %d", count, err, n/2)
	}
}

// TestShapeSurvivesRestart: what a collection has held (an array here) is
// remembered across a restart, so queries stay exact.
func TestShapeSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	ctx := context.Background()
	d, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	docs := []db.Doc{
		{{Key: "_id", Value: "a"}, {Key: "tags", Value: "x"}},
		{{Key: "_id", Value: "b"}, {Key: "tags", Value: []any{"y", "x"}}},
	}
	if _, err := d.Write(ctx, "c", &db.WriteOp{Kind: db.WriteInsert, Docs: docs}); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	d, err = Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	got, err := d.Find(ctx, "c", &db.Query{Filter: mustFilter(t, `{"tags":"x"}`), Limit: 10})
	if err != nil || len(got) != 2 {
		t.Fatalf("after restart {tags: x} found %d docs (%v), want 2 (one through the array)", len(got), err)
	}
	sh, _ := d.lookup("c").shape.load()
	if sh.lookup("tags")&kArray == 0 {
		t.Errorf("shape after restart lost the array at tags: %v", sh.Paths)
	}
}

// TestShapeWidensLive: a new kind of value at a path turns the
// translation from exact SQL to SQL plus the Go matcher at once.
func TestShapeWidensLive(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	ins := func(doc db.Doc) {
		if _, err := d.Write(ctx, "c", &db.WriteOp{Kind: db.WriteInsert, Docs: []db.Doc{doc}}); err != nil {
			t.Fatal(err)
		}
	}
	find := func(f string) int {
		got, err := d.Find(ctx, "c", &db.Query{Filter: mustFilter(t, f), Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		return len(got)
	}
	ins(db.Doc{{Key: "_id", Value: "1"}, {Key: "n", Value: int64(1)}})
	if got := find(`{"n":1}`); got != 1 {
		t.Fatalf("n:1 found %d", got)
	}
	ins(db.Doc{{Key: "_id", Value: "2"}, {Key: "n", Value: true}}) // JSON true is 1 to SQLite
	ins(db.Doc{{Key: "_id", Value: "3"}, {Key: "n", Value: []any{int64(0), int64(1)}}})
	ins(db.Doc{{Key: "_id", Value: "4"}, {Key: "n", Value: "1"}})
	if got := find(`{"n":1}`); got != 2 {
		t.Errorf("n:1 found %d docs, want 2 (the number and the array, not true or \"1\")", got)
	}
	if got := find(`{"n":{"$gt":0}}`); got != 2 {
		t.Errorf("n > 0 found %d docs, want 2", got)
	}
}

func BenchmarkInsertParallel(b *testing.B) {
	for _, sync := range []string{"NORMAL", "FULL"} {
		b.Run(sync, func(b *testing.B) {
			d, err := Open(context.Background(), filepath.Join(b.TempDir(), "b.db"), Options{Synchronous: sync})
			if err != nil {
				b.Fatal(err)
			}
			defer d.Close()
			b.SetParallelism(25) // 50 writers on 2 cores, as in the HTTP goal
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					doc := db.Doc{{Key: "_id", Value: db.NewID()}, {Key: "title", Value: "hello"}, {Key: "n", Value: int64(1)}}
					if _, err := d.Write(context.Background(), "c", &db.WriteOp{Kind: db.WriteInsert, Docs: []db.Doc{doc}}); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

func BenchmarkFindNewest20(b *testing.B) {
	d := openTest(b)
	seedPosts(b, d, 10000)
	if err := d.CreateIndex(context.Background(), "posts", db.Index{Keys: []db.IndexKey{{Path: "created", Desc: true}}}); err != nil {
		b.Fatal(err)
	}
	q := &db.Query{Filter: mustFilter(b, `{}`), Sort: []db.SortKey{{Path: "created", Desc: true}, {Path: "_id", Desc: true}}, Limit: 20}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if got, err := d.Find(context.Background(), "posts", q); err != nil || len(got) != 20 {
			b.Fatal(len(got), err)
		}
	}
}

// BenchmarkScan100k: one unindexed equality filter over 100k posts of the
// benchmark's shape (~640 B).
func BenchmarkScan100k(b *testing.B) {
	d := openTest(b)
	seedPosts(b, d, 100000)
	q := &db.Query{Filter: mustFilter(b, `{"title":"post 77777"}`), Limit: 20}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if got, err := d.Find(context.Background(), "posts", q); err != nil || len(got) != 1 {
			b.Fatal(len(got), err)
		}
	}
}

// TestPagingReusesStatement: paging with skip runs one prepared statement,
// not one per page (skip and limit are bound parameters), and every page
// holds the right documents.
func TestPagingReusesStatement(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	const n = 30
	docs := make([]db.Doc, n)
	for i := range docs {
		docs[i] = db.Doc{{Key: "_id", Value: fmt.Sprintf("d%02d", i)}}
	}
	if _, err := d.Write(ctx, "c", &db.WriteOp{Kind: db.WriteInsert, Docs: docs}); err != nil {
		t.Fatal(err)
	}
	f, err := db.ParseFilter(db.Doc{})
	if err != nil {
		t.Fatal(err)
	}
	before := len(d.stmts.m)
	for skip := 0; skip < n; skip++ {
		q := &db.Query{Filter: f, Sort: []db.SortKey{{Path: "_id"}}, Skip: skip, Limit: 1 + skip%3}
		out, err := d.Find(ctx, "c", q)
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf(`{"_id":"d%02d"}`, skip); len(out) == 0 || string(out[0]) != want {
			t.Fatalf("skip %d: got %q, want first %s", skip, out, want)
		}
		if want := min(1+skip%3, n-skip); len(out) != want {
			t.Fatalf("skip %d limit %d: %d docs, want %d", skip, 1+skip%3, len(out), want)
		}
	}
	if got := len(d.stmts.m) - before; got != 1 {
		t.Errorf("paging prepared %d statements, want 1", got)
	}
}

// More distinct queries than the statement cache holds, run at once: an
// evicted statement must stay open for the caller that is about to run it
// (closing it under that caller failed the query with "statement is closed").
func TestStatementEvictionUnderLoad(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	if _, err := d.Write(ctx, "c", &db.WriteOp{Kind: db.WriteInsert, Docs: []db.Doc{{{Key: "_id", Value: "a"}, {Key: "n", Value: int64(1)}}}}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < maxStmts/2; i++ {
				// Each field name is a new SQL text: 8×256 = 4× the cache.
				f, err := db.ParseFilter(db.Doc{{Key: fmt.Sprintf("f%d_%d", g, i), Value: nil}})
				if err != nil {
					errs <- err
					return
				}
				if _, err := d.Count(ctx, "c", f); err != nil {
					errs <- fmt.Errorf("query %d/%d: %w", g, i, err)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := len(d.stmts.m); n > maxStmts {
		t.Errorf("cache holds %d statements, more than %d", n, maxStmts)
	}
}

// A statement evicted while a caller holds it stays usable by that caller
// and is closed once released.
func TestEvictedStatementStaysOpenWhileHeld(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	err := d.stmts.use(ctx, "SELECT 1", func(held *sql.Stmt) error {
		// New statements until the held one is evicted (eviction is random).
		for i := 0; i < 100*maxStmts; i++ {
			if _, ok := d.stmts.m["SELECT 1"]; !ok {
				break
			}
			if err := d.stmts.use(ctx, fmt.Sprintf("SELECT %d", i+2), func(*sql.Stmt) error { return nil }); err != nil {
				return err
			}
		}
		if _, ok := d.stmts.m["SELECT 1"]; ok {
			t.Fatal("the held statement was never evicted: the test proves nothing")
		}
		var n int
		return held.QueryRowContext(ctx).Scan(&n)
	})
	if err != nil {
		t.Fatalf("held statement after eviction: %v", err)
	}
}
