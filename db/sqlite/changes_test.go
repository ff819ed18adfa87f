package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"minibase/db"
)

// TestChangesSurviveRestart: a committed write whose change nobody read
// yet is still in the feed after the database is closed and opened again,
// and so is the subscription (later writes keep recording).
func TestChangesSurviveRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f.db")
	ctx := context.Background()
	d, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Subscribe(ctx, "functions", []string{"orders"}); err != nil {
		t.Fatal(err)
	}
	ins := func(d *DB, id string) {
		t.Helper()
		doc := db.Doc{{Key: "_id", Value: id}, {Key: "status", Value: "paid"}}
		if _, err := d.Write(ctx, "orders", &db.WriteOp{Kind: db.WriteInsert, Docs: []db.Doc{doc}}); err != nil {
			t.Fatal(err)
		}
	}
	ins(d, "o1")
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	d, err = Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ins(d, "o2")
	got, err := d.Changes(ctx, "functions", 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != "o1" || got[1].ID != "o2" || got[0].Op != db.ChangeInsert {
		t.Fatalf("after a restart: %+v, want the inserts of o1 (before) and o2 (after)", got)
	}
	if s, _ := got[0].Doc.Get("status"); s != "paid" {
		t.Errorf("o1's change lost its document: %v", got[0].Doc)
	}
}

// TestSubscribeInBatch: writes committed in the same group commit as a
// Subscribe see it from the job after it on: the insert after subscribing
// records its change, the one after unsubscribing does not.
func TestSubscribeInBatch(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	// batch runs fs, each as a write job queued behind the one before, in
	// one group commit.
	batch := func(fs ...func()) {
		started, gate := make(chan struct{}), make(chan struct{})
		go d.do(ctx, func(*sql.Tx, *effects) (any, error) { close(started); <-gate; return nil, nil })
		<-started // the writer is held until the jobs below are queued
		for _, f := range fs {
			n := len(d.jobs)
			wg.Add(1)
			go func() { defer wg.Done(); f() }()
			for len(d.jobs) == n {
				runtime.Gosched()
			}
		}
		close(gate)
		wg.Wait()
	}
	ins := func(id string) func() {
		return func() {
			doc := db.Doc{{Key: "_id", Value: id}}
			if _, err := d.Write(ctx, "c", &db.WriteOp{Kind: db.WriteInsert, Docs: []db.Doc{doc}}); err != nil {
				t.Error(err)
			}
		}
	}
	sub := func(colls ...string) func() {
		return func() {
			if err := d.Subscribe(ctx, "fn", colls); err != nil {
				t.Error(err)
			}
		}
	}
	ids := func() []string {
		got, err := d.Changes(ctx, "fn", 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range got {
			out = append(out, c.ID)
		}
		return out
	}
	batch(ins("before"), sub("c"), ins("during"))
	if got := ids(); !slices.Equal(got, []string{"during"}) {
		t.Errorf("subscribing in a batch: changes of %v, want [during]", got)
	}
	batch(ins("x"), sub(), ins("after"))
	if got := ids(); len(got) != 0 {
		t.Errorf("unsubscribing in a batch: changes of %v, want none", got)
	}
}

// BenchmarkWriteFeed: the cost of the change feed on the write path, for
// a collection nobody subscribed to (off) and one a consumer did (on):
// inserts and updates by _id, 50 writers as in BenchmarkInsertParallel.
// Nobody reads the feed meanwhile, so it grows as a lagging consumer's
// would.
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
			})
		}
	}
}

func idFilter(id string) *db.Filter {
	f, _ := db.ParseFilter(db.Doc{{Key: "_id", Value: id}})
	return f
}
