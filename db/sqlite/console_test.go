package sqlite

import (
	"context"
	"testing"

	"minibase/db"
)

// TestWouldUse: the index check answers what the planner would do with
// the candidate: an equality's index, the (equality, sort) index that
// also gives the order, not an index on a field the query does not use;
// and Plan names the index Find reads.
func TestWouldUse(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	seedPosts(t, d, 200)
	q := &db.Query{Filter: mustFilter(t, `{"author":"u3"}`), Sort: tieBreak([]db.SortKey{{Path: "created", Desc: true}}), Limit: 20}
	cases := []struct {
		keys []db.IndexKey
		want bool
	}{
		{[]db.IndexKey{{Path: "author"}}, true},
		{[]db.IndexKey{{Path: "author"}, {Path: "created", Desc: true}}, true},
		{[]db.IndexKey{{Path: "score"}}, false},
		{[]db.IndexKey{{Path: "title"}, {Path: "author"}}, false}, // author is not its first key
	}
	for _, tc := range cases {
		got, err := d.WouldUse(ctx, "posts", q, db.Index{Name: db.IndexName(tc.keys), Keys: tc.keys})
		if err != nil || got != tc.want {
			t.Errorf("%s: %v, %v; want %v", db.IndexName(tc.keys), got, err, tc.want)
		}
	}
	if _, err := d.WouldUse(ctx, "nope", q, db.Index{Name: "a_1", Keys: []db.IndexKey{{Path: "a"}}}); db.ErrorCode(err) != db.CodeCollectionNotExist {
		t.Errorf("missing collection: %v", err)
	}
	p, err := d.Plan(ctx, "posts", q)
	if err != nil || p.Index != nil || p.Scan != "full" || p.Sort == "index" {
		t.Errorf("before the index: %+v, %v", p, err)
	}
	keys := []db.IndexKey{{Path: "author"}, {Path: "created", Desc: true}}
	if err := d.CreateIndex(ctx, "posts", db.Index{Name: "by_author", Keys: keys}); err != nil {
		t.Fatal(err)
	}
	p, err = d.Plan(ctx, "posts", q)
	if err != nil || p.Index == nil || *p.Index != "by_author" || p.Scan != "index" || p.Sort != "index" || !p.Exact {
		t.Errorf("after the index: %+v, %v", p, err)
	}
	// The same keys as an existing index: the candidate stands in for it.
	if got, err := d.WouldUse(ctx, "posts", q, db.Index{Name: db.IndexName(keys), Keys: keys}); !got || err != nil {
		t.Errorf("the existing index's keys: %v, %v", got, err)
	}
}
