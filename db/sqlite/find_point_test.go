package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"minibase/db"
)

// A read of one document by _id (the lookup without a context watcher)
// answers what the general query path answers: the document as stored,
// nothing for a missing id, the newest committed write, nothing after a
// skip, and the new collection's document after a drop and re-create.
func TestReadByID(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	insert := func(coll string, docs ...string) {
		t.Helper()
		var ds []db.Doc
		for _, s := range docs {
			ds = append(ds, mustJSON(t, s).(db.Doc))
		}
		if _, err := d.Write(ctx, coll, &db.WriteOp{Kind: db.WriteInsert, Docs: ds}); err != nil {
			t.Fatal(err)
		}
	}
	get := func(coll, id string, skip int) string {
		t.Helper()
		q := &db.Query{Filter: mustFilter(t, fmt.Sprintf(`{"_id": %q}`, id)), Limit: 1, Skip: skip}
		if _, ok := pointID(q); ok != (skip == 0) {
			t.Fatalf("pointID(%s, skip %d) = %v", id, skip, ok)
		}
		out, err := d.Find(ctx, coll, q)
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(bytesToStrings(out), ",")
	}
	general := func(coll, id string) string { // {$in: [id]}: the general path
		t.Helper()
		out, err := d.Find(ctx, coll, &db.Query{Filter: mustFilter(t, fmt.Sprintf(`{"_id": {"$in": [%q]}}`, id)), Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(bytesToStrings(out), ",")
	}
	insert("c", `{"_id": "a", "n": 1, "at": {"$date": "2026-12-07T10:00:00Z"}, "tags": ["x", "y"]}`, `{"_id": "b", "n": 2}`)
	for _, id := range []string{"a", "b", "nope", "", "a' OR 1=1 --"} {
		if got, want := get("c", id, 0), general("c", id); got != want {
			t.Errorf("read by id %q = %s, the general path %s", id, got, want)
		}
	}
	if got := get("c", "a", 0); !strings.Contains(got, `"$date"`) || !strings.Contains(got, `"n":1`) {
		t.Errorf("a read as %s", got)
	}
	if got := get("c", "a", 1); got != "" {
		t.Errorf("a with skip 1 = %s, want nothing", got)
	}
	if _, err := d.Write(ctx, "c", &db.WriteOp{Kind: db.WriteRemove, Filter: mustFilter(t, `{"_id": "a"}`)}); err != nil {
		t.Fatal(err)
	}
	if got := get("c", "a", 0); got != "" {
		t.Errorf("a after its removal = %s", got)
	}
	insert("c", `{"_id": "a", "n": 3}`)
	if got := get("c", "a", 0); !strings.Contains(got, `"n":3`) {
		t.Errorf("a after a new insert = %s", got)
	}
	if err := d.DropCollection(ctx, "c"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Find(ctx, "c", &db.Query{Filter: mustFilter(t, `{"_id": "a"}`), Limit: 1}); db.ErrorCode(err) != db.CodeCollectionNotExist {
		t.Errorf("read of a dropped collection: %v", err)
	}
	insert("c", `{"_id": "a", "n": 4}`)
	if got := get("c", "a", 0); !strings.Contains(got, `"n":4`) {
		t.Errorf("a in the re-created collection = %s", got)
	}
}

// Many collections read by id, twice over: each reads its own document;
// Close succeeds and ends reading.
func TestReadByIDManyCollections(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	n := 276
	for i := range n {
		coll := fmt.Sprint("c", i)
		doc := db.Doc{{Key: "_id", Value: "x"}, {Key: "i", Value: int64(i)}}
		if _, err := d.Write(ctx, coll, &db.WriteOp{Kind: db.WriteInsert, Docs: []db.Doc{doc}}); err != nil {
			t.Fatal(err)
		}
	}
	for round := range 2 {
		for i := range n {
			out, err := d.Find(ctx, fmt.Sprint("c", i), &db.Query{Filter: mustFilter(t, `{"_id": "x"}`), Limit: 1})
			if err != nil {
				t.Fatal(err)
			}
			if want := fmt.Sprintf(`"i":%d`, i); len(out) != 1 || !strings.Contains(string(out[0]), want) {
				t.Fatalf("round %d: c%d read %s, want %s", round, i, bytesToStrings(out), want)
			}
		}
	}
	if err := d.Close(); err != nil {
		t.Fatalf("close after reads by id: %v", err)
	}
	if _, err := d.Find(ctx, "c0", &db.Query{Filter: mustFilter(t, `{"_id": "x"}`), Limit: 1}); err == nil {
		t.Error("a read after Close succeeded")
	}
}

// The lookup keeps the caller's deadline where it can wait: a context
// already ended is refused, and with every read connection taken the read
// ends at its deadline instead of waiting for one.
func TestReadByIDDeadline(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	if _, err := d.Write(ctx, "c", &db.WriteOp{Kind: db.WriteInsert, Docs: []db.Doc{{{Key: "_id", Value: "a"}}}}); err != nil {
		t.Fatal(err)
	}
	q := &db.Query{Filter: mustFilter(t, `{"_id": "a"}`), Limit: 1}
	ended, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := d.Find(ended, "c", q); !errors.Is(err, context.Canceled) {
		t.Errorf("read with an ended context: %v, want context.Canceled", err)
	}
	var held []*sql.Conn
	for range d.opts.Readers {
		c, err := d.r.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := d.Find(short, "c", q); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("read with every connection taken: %v, want context.DeadlineExceeded", err)
	}
	for _, c := range held {
		c.Close()
	}
	if out, err := d.Find(ctx, "c", q); err != nil || len(out) != 1 {
		t.Errorf("read once the connections are back: %s, %v", bytesToStrings(out), err)
	}
}

func bytesToStrings(bs [][]byte) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = string(b)
	}
	return out
}

// A read connection that database/sql closes between reads by id (here:
// no idle connections allowed, so each is closed when returned) leaves
// nothing behind that a later read or Close would touch: a first version
// kept each connection's prepared lookups and finalized them at Close, on
// handles already closed — a SIGSEGV.
func TestReadByIDAfterThePoolClosedConnections(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	doc := db.Doc{{Key: "_id", Value: "x"}}
	if _, err := d.Write(ctx, "c", &db.WriteOp{Kind: db.WriteInsert, Docs: []db.Doc{doc}}); err != nil {
		t.Fatal(err)
	}
	d.r.SetMaxIdleConns(0)
	for range 5 {
		out, err := d.Find(ctx, "c", &db.Query{Filter: mustFilter(t, `{"_id": "x"}`), Limit: 1})
		if err != nil || len(out) != 1 {
			t.Fatalf("read by id: %s, %v", bytesToStrings(out), err)
		}
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
}
