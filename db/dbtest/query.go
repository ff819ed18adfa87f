package dbtest

import (
	"slices"
	"strings"
	"testing"

	"minibase/db"
)

// queryGroup is a set of documents and the filters a manual page runs on them.
type queryGroup struct {
	name  string
	docs  []string // JSON objects, each with an _id
	cases []queryCase
}

// queryCase is one filter and the _ids it selects, in any order.
type queryCase struct {
	name   string
	filter string
	want   []string
}

// testQuery runs every case three ways: the Go reference (Filter.Match over
// all documents) against the manual, the driver without secondary indexes,
// and the driver with a single-key index on every path the filter mentions.
func testQuery(t *testing.T, open func(t *testing.T) db.Driver) {
	d := open(t)
	for gi, g := range queryGroups {
		t.Run(g.name, func(t *testing.T) {
			docs := decodeDocs(t, g.docs)
			plain := collName("q", gi)
			insert(t, d, plain, g.docs...)
			for ci, c := range g.cases {
				t.Run(c.name, func(t *testing.T) {
					indexed := collName("q", gi) + collName("i", ci)
					runQueryCase(t, d, docs, g.docs, plain, indexed, c)
				})
			}
		})
	}
}

func runQueryCase(t *testing.T, d db.Driver, docs []db.Doc, docJSON []string, plain, indexed string, c queryCase) {
	f := parseFilter(t, c.filter)
	want := sortedIDs(c.want)

	var ref []string
	for _, doc := range docs {
		if f.Match(doc) {
			ref = append(ref, doc.ID())
		}
	}
	ref = sortedIDs(ref)
	if !slices.Equal(ref, want) {
		t.Errorf("Filter.Match(%s): got %s, want %s", c.filter, show(ref), show(want))
	}

	q := &db.Query{Filter: f, Sort: byID, Limit: maxLimit}
	got := ids(find(t, d, plain, q))
	if !slices.Equal(got, want) {
		t.Errorf("Find(%s): got %s, want %s", c.filter, show(got), show(want))
	}
	if !slices.Equal(got, ref) {
		t.Errorf("Find(%s) disagrees with Filter.Match: driver %s, Match %s", c.filter, show(got), show(ref))
	}

	insert(t, d, indexed, docJSON...)
	var paths []string
	for _, p := range filterPaths(decode(t, c.filter)) {
		err := d.CreateIndex(t.Context(), indexed, db.Index{Keys: []db.IndexKey{{Path: p}}})
		switch {
		case db.ErrorCode(err) == db.CodeInvalidParam:
			// A driver may refuse to index some paths (array positions,
			// say); the query must still give the same result.
			t.Logf("CreateIndex(%s) refused: %v", p, err)
		case err != nil:
			t.Fatalf("CreateIndex(%s): %v", p, err)
		default:
			paths = append(paths, p)
		}
	}
	got = ids(find(t, d, indexed, q))
	if !slices.Equal(got, want) {
		t.Errorf("Find(%s) with indexes on %v: got %s, want %s", c.filter, paths, show(got), show(want))
	}
}

// filterPaths lists the field paths a query document mentions, other than
// _id (always indexed), including the paths inside $elemMatch.
func filterPaths(filter any) []string {
	var out []string
	var walk func(v any, prefix string)
	walk = func(v any, prefix string) {
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				walk(e, prefix)
			}
		case db.Doc:
			for _, f := range x {
				switch f.Key {
				case "$and", "$or", "$nor", "$not", "$elemMatch", "$all":
					walk(f.Value, prefix)
					continue
				}
				if strings.HasPrefix(f.Key, "$") {
					continue
				}
				p := f.Key
				if prefix != "" {
					p = prefix + "." + f.Key
				}
				if p != "_id" && !slices.Contains(out, p) {
					out = append(out, p)
				}
				if sub, ok := f.Value.(db.Doc); ok && len(sub) > 0 && strings.HasPrefix(sub[0].Key, "$") {
					walk(sub, p)
				}
			}
		}
	}
	walk(filter, "")
	return out
}
