package sqlite

import (
	"context"
	"testing"

	"minibase/db"
)

// TestScanSortsOnlyWhatAnIndexOrders: a scan without a limit is sorted in
// SQL only when an index gives the order; otherwise SQLite would hold every
// document in its sorter, and the caller (the aggregation, under its memory
// limit) sorts instead. With a limit, SQLite keeps only that many.
func TestScanSortsOnlyWhatAnIndexOrders(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	seedPosts(t, d, 300)
	if err := d.CreateIndex(ctx, "posts", db.Index{Keys: []db.IndexKey{{Path: "created", Desc: true}}}); err != nil {
		t.Fatal(err)
	}
	if err := d.CreateIndex(ctx, "posts", db.Index{Keys: []db.IndexKey{{Path: "author"}, {Path: "created", Desc: true}}}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		filter string
		sort   []db.SortKey
		limit  int
		sorted bool
		n      int
	}{
		{"no sort", `{}`, nil, 0, true, 300},
		{"indexed sort", `{}`, []db.SortKey{{Path: "created", Desc: true}, {Path: "_id", Desc: true}}, 0, true, 300},
		{"equality then indexed sort", `{"author":"u7"}`, []db.SortKey{{Path: "created", Desc: true}, {Path: "_id", Desc: true}}, 0, true, 3},
		{"unindexed sort", `{}`, []db.SortKey{{Path: "title"}, {Path: "_id"}}, 0, false, 300},
		{"unindexed sort with a limit", `{}`, []db.SortKey{{Path: "title"}, {Path: "_id"}}, 10, true, 10},
	} {
		q := &db.Query{Filter: mustFilter(t, c.filter), Sort: c.sort, Limit: c.limit}
		cur, sorted, err := d.Scan(ctx, "posts", q)
		if err != nil {
			t.Fatal(err)
		}
		var prev db.Doc
		n := 0
		for {
			raw, err := cur.Next()
			if err != nil {
				t.Fatal(err)
			}
			if raw == nil {
				break
			}
			doc, err := decodeDoc(raw)
			if err != nil {
				t.Fatal(err)
			}
			if sorted && prev != nil && db.CompareDocs(prev, doc, c.sort) > 0 {
				t.Errorf("%s: out of order after %s: %s", c.name, prev.ID(), doc.ID())
			}
			prev = doc
			n++
		}
		cur.Close()
		if sorted != c.sorted || n != c.n {
			t.Errorf("%s: sorted %v, %d documents; want %v, %d", c.name, sorted, n, c.sorted, c.n)
		}
	}
}
