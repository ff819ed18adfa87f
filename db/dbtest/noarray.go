package dbtest

import (
	"slices"
	"testing"

	"minibase/db"
)

// testNoArray: a filter from db.WithoutArrays (a client's query under a
// rule that holds only where some fields hold no array) selects what
// Filter.Match selects, in Find, Count and a where-remove, with and without
// indexes, on a collection that has arrays there and on one that never had.
func testNoArray(t *testing.T, open func(t *testing.T) db.Driver) {
	d := open(t)
	docs := []string{
		`{"_id": "1", "tags": "a", "a": {"b": 1}}`,
		`{"_id": "2", "tags": ["a", "b"], "a": {"b": [1, 2]}}`,
		`{"_id": "3", "tags": "a", "a": [{"b": 1}]}`,
		`{"_id": "4", "a": {"b": {"c": [1]}}}`,
		`{"_id": "5", "tags": [], "a": "x"}`,
		`{"_id": "6", "a": null}`,
	}
	flat := []string{docs[0], docs[5], `{"_id": "7", "tags": "b", "a": {"b": {"c": 2}}}`}
	cases := []struct {
		filter string
		paths  []string
		want   []string // on docs
	}{
		{`{}`, []string{"tags"}, []string{"1", "3", "4", "6"}},
		{`{"tags": "a"}`, []string{"tags"}, []string{"1", "3"}},
		{`{}`, []string{"a.b"}, []string{"1", "4", "5", "6"}},
		{`{}`, []string{"a.b.c"}, []string{"1", "5", "6"}},
		{`{"a.b": 1}`, []string{"a"}, []string{"1", "2"}},
		{`{"$or": [{"tags": "b"}, {"a": null}]}`, []string{"tags", "a.b"}, []string{"6"}},
		{`{"_id": {"$in": ["1", "2", "3"]}}`, []string{"_id", "tags"}, []string{"1", "3"}},
	}
	for ci, c := range cases {
		f := db.WithoutArrays(parseFilter(t, c.filter), c.paths)
		for gi, group := range [][]string{docs, flat} {
			var want []string
			for _, doc := range decodeDocs(t, group) {
				if f.Match(doc) {
					want = append(want, doc.ID())
				}
			}
			if gi == 0 && !slices.Equal(want, c.want) {
				t.Errorf("Match(%s without arrays at %v): got %s, want %s", c.filter, c.paths, show(want), show(c.want))
			}
			for _, indexed := range []bool{false, true} {
				coll := collName("n", ci*4+gi*2)
				if indexed {
					coll = collName("n", ci*4+gi*2+1)
				}
				insert(t, d, coll, group...)
				for _, p := range c.paths {
					if indexed && p != "_id" {
						if err := d.CreateIndex(t.Context(), coll, db.Index{Keys: []db.IndexKey{{Path: p}}}); err != nil {
							t.Fatalf("CreateIndex(%s): %v", p, err)
						}
					}
				}
				what := c.filter + " without arrays at " + show(c.paths) + " on " + coll
				if got := ids(find(t, d, coll, &db.Query{Filter: f, Sort: byID, Limit: maxLimit})); !slices.Equal(got, want) {
					t.Errorf("Find(%s): got %s, want %s", what, show(got), show(want))
				}
				if n, err := d.Count(t.Context(), coll, f); err != nil || n != int64(len(want)) {
					t.Errorf("Count(%s) = %d, %v; want %d", what, n, err, len(want))
				}
				res, err := d.Write(t.Context(), coll, &db.WriteOp{Kind: db.WriteRemove, Filter: f, Multi: true})
				if err != nil || res.Removed != int64(len(want)) {
					t.Errorf("remove(%s) = %+v, %v; want %d removed", what, res, err, len(want))
				}
			}
		}
	}
}
