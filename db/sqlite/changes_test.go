package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
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
