// Package dbtest is the conformance suite every db.Driver passes: the
// MongoDB query, sort, update and catalog behaviour that users of minibase
// rely on, written as tables of JSON cases that read like MongoDB's manual.
//
// A driver's test calls Run with a function that opens a fresh, empty
// driver:
//
//	func TestConformance(t *testing.T) {
//		dbtest.Run(t, func(t *testing.T) db.Driver {
//			d, err := sqlite.Open(":memory:")
//			if err != nil {
//				t.Fatal(err)
//			}
//			t.Cleanup(func() { d.Close() })
//			return d
//		})
//	}
//
// Every expected result comes from MongoDB's manual (each table cites its
// page), never from an implementation. Where the suite can, it also checks
// that the driver agrees with the Go reference semantics (Filter.Match,
// CompareDocs, Update.Apply), which is the rule SQL drivers must keep when
// they push work down into SQL.
package dbtest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"minibase/db"
)

// Run runs the whole suite against the drivers open returns. open must return
// a fresh, empty driver and arrange for it to be closed (t.Cleanup).
func Run(t *testing.T, open func(t *testing.T) db.Driver) {
	t.Run("Query", func(t *testing.T) { testQuery(t, open) })
	t.Run("Sort", func(t *testing.T) { testSort(t, open) })
	t.Run("Count", func(t *testing.T) { testCount(t, open) })
	t.Run("Scan", func(t *testing.T) { testScan(t, open) })
	t.Run("Insert", func(t *testing.T) { testInsert(t, open) })
	t.Run("Update", func(t *testing.T) { testUpdate(t, open) })
	t.Run("Upsert", func(t *testing.T) { testUpsert(t, open) })
	t.Run("Replace", func(t *testing.T) { testReplace(t, open) })
	t.Run("Remove", func(t *testing.T) { testRemove(t, open) })
	t.Run("Catalog", func(t *testing.T) { testCatalog(t, open) })
	t.Run("Index", func(t *testing.T) { testIndex(t, open) })
	t.Run("Durability", func(t *testing.T) { testDurability(t, open) })
	t.Run("Rules", func(t *testing.T) { testRules(t, open) })
	t.Run("NoArray", func(t *testing.T) { testNoArray(t, open) })
	t.Run("Changes", func(t *testing.T) { testChanges(t, open) })
	t.Run("Transactions", func(t *testing.T) { testTransactions(t, open) })
	t.Run("Snapshot", func(t *testing.T) { testSnapshot(t, open) })
	t.Run("Geo", func(t *testing.T) { testGeo(t, open) })
	t.Run("Aggregate", func(t *testing.T) { testAggregate(t, open) })
}

// maxLimit is the Limit of queries that want every match: the largest a
// caller sends (wx-server-sdk's maximum).
const maxLimit = 1000

// writeTime is the Now of every write the suite makes.
var writeTime = time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)

// decode parses extended JSON or fails the test.
func decode(t *testing.T, s string) any {
	t.Helper()
	v, err := db.DecodeJSON([]byte(s), db.MaxDepth)
	if err != nil {
		t.Fatalf("DecodeJSON(%s): %v", s, err)
	}
	return v
}

// decodeDoc parses one JSON object.
func decodeDoc(t *testing.T, s string) db.Doc {
	t.Helper()
	d, ok := decode(t, s).(db.Doc)
	if !ok {
		t.Fatalf("%s: not a JSON object", s)
	}
	return d
}

// decodeDocs parses each string as a JSON object.
func decodeDocs(t *testing.T, ss []string) []db.Doc {
	t.Helper()
	out := make([]db.Doc, len(ss))
	for i, s := range ss {
		out[i] = decodeDoc(t, s)
	}
	return out
}

// parseFilter parses a filter written as JSON; "" is the nil filter.
func parseFilter(t *testing.T, s string) *db.Filter {
	t.Helper()
	if s == "" {
		return nil
	}
	f, err := db.ParseFilter(decode(t, s))
	if err != nil {
		t.Fatalf("ParseFilter(%s): %v", s, err)
	}
	return f
}

// parseUpdate parses an update document written as JSON.
func parseUpdate(t *testing.T, s string) *db.Update {
	t.Helper()
	u, err := db.ParseUpdate(decode(t, s))
	if err != nil {
		t.Fatalf("ParseUpdate(%s): %v", s, err)
	}
	return u
}

// insert stores docs (JSON objects with _id) in coll.
func insert(t *testing.T, d db.Driver, coll string, docs ...string) {
	t.Helper()
	if len(docs) == 0 {
		if err := d.CreateCollection(t.Context(), coll); err != nil {
			t.Fatalf("CreateCollection(%s): %v", coll, err)
		}
		return
	}
	op := &db.WriteOp{Kind: db.WriteInsert, Docs: decodeDocs(t, docs), Now: writeTime}
	if _, err := d.Write(t.Context(), coll, op); err != nil {
		t.Fatalf("insert into %s: %v", coll, err)
	}
}

// find runs q and decodes the results.
func find(t *testing.T, d db.Driver, coll string, q *db.Query) []db.Doc {
	t.Helper()
	raw, err := d.Find(t.Context(), coll, q)
	if err != nil {
		t.Fatalf("Find(%s): %v", coll, err)
	}
	out := make([]db.Doc, len(raw))
	for i, b := range raw {
		v, err := db.DecodeJSON(b, db.MaxDepth)
		if err != nil {
			t.Fatalf("Find(%s) returned invalid JSON %.200s: %v", coll, b, err)
		}
		doc, ok := v.(db.Doc)
		if !ok {
			t.Fatalf("Find(%s) returned a non-object %.200s", coll, b)
		}
		out[i] = doc
	}
	return out
}

// all returns every document of coll in _id order.
func all(t *testing.T, d db.Driver, coll string) []db.Doc {
	t.Helper()
	return find(t, d, coll, &db.Query{Sort: byID, Limit: maxLimit})
}

// byID is the sort the caller always ends a query with.
var byID = []db.SortKey{{Path: "_id"}}

// ids lists the _ids of docs.
func ids(docs []db.Doc) []string {
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i] = d.ID()
	}
	return out
}

// sortedIDs returns the _ids in ascending order.
func sortedIDs(ids []string) []string {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}

// show formats an id list for messages.
func show(ids []string) string { return "[" + strings.Join(ids, " ") + "]" }

// showDocs formats documents as extended JSON, one per line.
func showDocs(docs []db.Doc) string {
	var b strings.Builder
	for _, d := range docs {
		b.WriteString("\n\t")
		b.Write(db.MarshalJSON(d))
	}
	return b.String()
}

// sameDocs reports whether got and want are the same documents in the same
// order, field order and number types included.
func sameDocs(got, want []db.Doc) bool {
	return len(got) == len(want) && showDocs(got) == showDocs(want)
}

// count returns Count(coll, nil) or fails.
func count(t *testing.T, d db.Driver, coll string) int64 {
	t.Helper()
	n, err := d.Count(t.Context(), coll, nil)
	if err != nil {
		t.Fatalf("Count(%s): %v", coll, err)
	}
	return n
}

// wantCode fails unless err is an error with code (any *Error when code is "*").
func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	var e *db.Error
	switch {
	case err == nil:
		t.Errorf("%s: got no error, want %s", what, code)
	case !errors.As(err, &e):
		t.Errorf("%s: got %v (%T), want a *db.Error with code %s", what, err, err, code)
	case code != "*" && e.Code != code:
		t.Errorf("%s: got code %s (%v), want %s", what, e.Code, err, code)
	}
}

// collName names the collection of case i of a table.
func collName(prefix string, i int) string { return fmt.Sprintf("%s%03d", prefix, i) }
