package dbtest

import (
	"slices"
	"strings"
	"testing"

	"minibase/db"
)

// testScan checks Scan against Find: the same documents for every query
// case; in the same order, skipped and limited, when the driver says it
// sorted them, and otherwise all of them, for the caller to sort.
func testScan(t *testing.T, open func(t *testing.T) db.Driver) {
	d := open(t)
	for gi, g := range queryGroups {
		t.Run(g.name, func(t *testing.T) {
			coll := collName("s", gi)
			insert(t, d, coll, g.docs...)
			for _, c := range g.cases {
				for _, q := range []*db.Query{
					{Filter: parseFilter(t, c.filter)},
					{Filter: parseFilter(t, c.filter), Sort: byID, Skip: 1, Limit: 2},
					{Filter: parseFilter(t, c.filter), Sort: []db.SortKey{{Path: "_id", Desc: true}}, Limit: 1},
				} {
					got, sorted := scan(t, d, coll, q)
					all := ids(find(t, d, coll, &db.Query{Filter: q.Filter, Sort: q.Sort, Limit: maxLimit}))
					want := all[min(q.Skip, len(all)):]
					if q.Limit > 0 {
						want = want[:min(q.Limit, len(want))]
					}
					if !sorted {
						got, want = sortedIDs(got), sortedIDs(all)
					}
					if !slices.Equal(got, want) {
						t.Errorf("%s: Scan(%s, sort %v, skip %d, limit %d) (sorted %v): got %s, want %s",
							c.name, c.filter, q.Sort, q.Skip, q.Limit, sorted, show(got), show(want))
					}
				}
			}
		})
	}
	t.Run("fields", func(t *testing.T) { testScanFields(t, d) })
	if _, _, err := d.Scan(t.Context(), "scan_nowhere", &db.Query{}); db.ErrorCode(err) != db.CodeCollectionNotExist {
		t.Errorf("Scan of a missing collection: %v, want %s", err, db.CodeCollectionNotExist)
	}
}

// scan reads all of a Scan's documents and returns their ids.
func scan(t *testing.T, d db.Driver, coll string, q *db.Query) ([]string, bool) {
	t.Helper()
	cur, sorted, err := d.Scan(t.Context(), coll, q)
	if err != nil {
		t.Fatalf("Scan(%s): %v", coll, err)
	}
	defer cur.Close()
	var out []string
	for {
		raw, err := cur.Next()
		if err != nil {
			t.Fatalf("Scan(%s).Next: %v", coll, err)
		}
		if raw == nil {
			return out, sorted
		}
		v, err := db.DecodeJSON(raw, db.MaxDepth+1)
		if err != nil {
			t.Fatalf("Scan(%s) returned invalid JSON %.200s: %v", coll, raw, err)
		}
		out = append(out, v.(db.Doc).ID())
	}
}

// testScanFields: with Fields, each document still has its _id and every
// field of Fields it has, with the same value; it may have fewer others.
func testScanFields(t *testing.T, d db.Driver) {
	docs := []string{
		`{"_id": "1", "a": 1, "b": {"c": [1, "x"]}, "big": "` + strings.Repeat("z", 1000) + `", "when": {"$date": "2024-05-01T08:00:00Z"}}`,
		`{"_id": "2", "a": "é\"\\", "n": null}`,
		`{"_id": "3"}`,
	}
	insert(t, d, "scan_fields", docs...)
	for _, fields := range [][]string{{"a", "b", "when", "n", "nope"}, {}, {"_id", "a"}} {
		for _, filter := range []string{`{}`, `{"a": {"$exists": true}}`, `{"b.c": "x"}`} {
			got := scanDocs(t, d, "scan_fields", &db.Query{Filter: parseFilter(t, filter), Fields: fields})
			for _, want := range decodeDocs(t, docs) {
				f := parseFilter(t, filter)
				if !f.Match(want) {
					continue
				}
				g, ok := got[want.ID()]
				if !ok {
					t.Errorf("fields %v, filter %s: document %s missing", fields, filter, want.ID())
					continue
				}
				for _, name := range append([]string{"_id"}, fields...) {
					wv, wok := want.Get(name)
					gv, gok := g.Get(name)
					if wok != gok || wok && !db.Equal(wv, gv) {
						t.Errorf("fields %v, filter %s: %s.%s = %v (%v), want %v (%v)", fields, filter, want.ID(), name, gv, gok, wv, wok)
					}
				}
			}
		}
	}
}

// scanDocs reads all of a Scan's documents by _id.
func scanDocs(t *testing.T, d db.Driver, coll string, q *db.Query) map[string]db.Doc {
	t.Helper()
	cur, _, err := d.Scan(t.Context(), coll, q)
	if err != nil {
		t.Fatalf("Scan(%s): %v", coll, err)
	}
	defer cur.Close()
	out := map[string]db.Doc{}
	for {
		raw, err := cur.Next()
		if err != nil {
			t.Fatalf("Scan(%s).Next: %v", coll, err)
		}
		if raw == nil {
			return out
		}
		v, err := db.DecodeJSON(raw, db.MaxDepth+1)
		if err != nil {
			t.Fatalf("Scan(%s) returned invalid JSON %.200s: %v", coll, raw, err)
		}
		out[v.(db.Doc).ID()] = v.(db.Doc)
	}
}
