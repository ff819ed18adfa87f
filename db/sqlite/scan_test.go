package sqlite

import (
	"context"
	"fmt"
	"slices"
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

// TestScanNearestFirst: a $nearSphere without a sort streams nearest first
// when the query has a limit (a $geoNear then $limit reads only those from
// the 2dsphere index), and every match unsorted, skipping none, without
// one, for the aggregation to order; a path without a 2dsphere index is
// refused, as Find refuses it.
func TestScanNearestFirst(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	var docs []db.Doc
	for i := range 50 {
		// p00 is the farthest from [0, 0], p49 the nearest.
		docs = append(docs, db.Doc{{Key: "_id", Value: fmt.Sprintf("p%02d", i)},
			{Key: "loc", Value: db.Doc{{Key: "type", Value: "Point"}, {Key: "coordinates", Value: []any{float64(50-i) / 100, 0.0}}}}})
	}
	if _, err := d.Write(ctx, "spots", &db.WriteOp{Kind: db.WriteInsert, Docs: docs}); err != nil {
		t.Fatal(err)
	}
	near := mustFilter(t, `{"loc":{"$nearSphere":{"$geometry":{"type":"Point","coordinates":[0,0]}}}}`)
	if _, _, err := d.Scan(ctx, "spots", &db.Query{Filter: near, Limit: 3}); db.ErrorCode(err) != db.CodeInvalidOperator {
		t.Fatalf("Scan of a $nearSphere without a 2dsphere index: %v, want %s", err, db.CodeInvalidOperator)
	}
	if err := d.CreateIndex(ctx, "spots", db.Index{Keys: []db.IndexKey{{Path: "loc", Type: db.Geo2DSphere}}}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		skip, limit int
		sorted      bool
		want        []string
	}{
		{1, 3, true, []string{"p48", "p47", "p46"}},
		{2, 0, false, nil},
	} {
		cur, sorted, err := d.Scan(ctx, "spots", &db.Query{Filter: near, Skip: c.skip, Limit: c.limit})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
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
			got = append(got, doc.ID())
		}
		cur.Close()
		if sorted != c.sorted {
			t.Errorf("skip %d limit %d: sorted %v, want %v", c.skip, c.limit, sorted, c.sorted)
		}
		if c.want != nil && !slices.Equal(got, c.want) {
			t.Errorf("skip %d limit %d: got %v, want %v", c.skip, c.limit, got, c.want)
		}
		if c.want == nil && len(got) != 50 {
			t.Errorf("skip %d, no limit: %d documents, want all 50 (the caller skips)", c.skip, len(got))
		}
	}
}
