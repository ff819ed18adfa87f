package dbtest

import (
	"slices"
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
