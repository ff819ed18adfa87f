package dbtest

import (
	"context"
	"slices"
	"strings"
	"testing"

	"minibase/auth"
	"minibase/db"
)

// aggGroup is a collection's documents (and other collections', for
// $lookup) and the pipelines a manual page runs on them.
type aggGroup struct {
	name  string
	docs  []string            // the collection's documents, each with an _id
	other map[string][]string // other collections by name
	// indexes are index paths for the indexed run of the cases: every case
	// runs on a collection without secondary indexes and on one with these.
	indexes []string
	cases   []aggCase
}

// aggCase is one pipeline and its output: the documents in order (JSON),
// or, with unordered, in any order (MongoDB does not say which), or the
// error code it fails with.
type aggCase struct {
	name      string
	pipeline  string
	want      string
	unordered bool
	err       string
}

// testAggregate runs every aggregation case through db.Service (as an
// admin) on the driver: on a collection without secondary indexes, and on
// one with the group's indexes, so that a driver that runs leading stages
// itself (on an index or not) must give what MongoDB's manual says.
func testAggregate(t *testing.T, open func(t *testing.T) db.Driver) {
	d := open(t)
	s := db.NewService(d, db.Limits{AggregateMemory: 8 << 20})
	ctx := auth.NewContext(t.Context(), &auth.Identity{Role: auth.Admin})
	for gi, g := range aggGroups {
		t.Run(g.name, func(t *testing.T) {
			plain, indexed := collName("a", gi), collName("ai", gi)
			for _, coll := range []string{plain, indexed} {
				insert(t, d, coll, g.docs...)
			}
			for _, p := range g.indexes {
				if err := d.CreateIndex(t.Context(), indexed, db.Index{Keys: []db.IndexKey{{Path: p}}}); err != nil {
					t.Fatalf("CreateIndex(%s): %v", p, err)
				}
			}
			for name, docs := range g.other {
				if !exists(t, d, name) {
					insert(t, d, name, docs...)
				}
			}
			for _, c := range g.cases {
				t.Run(c.name, func(t *testing.T) {
					for _, coll := range []string{plain, indexed} {
						runAggCase(t, ctx, s, coll, c)
					}
				})
			}
		})
	}
}

// exists reports whether the collection name exists on d.
func exists(t *testing.T, d db.Driver, name string) bool {
	list, err := d.Collections(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return slices.ContainsFunc(list, func(c db.CollectionInfo) bool { return c.Name == name })
}

func runAggCase(t *testing.T, ctx context.Context, s *db.Service, coll string, c aggCase) {
	t.Helper()
	body := db.Doc{{Key: "pipeline", Value: decode(t, c.pipeline)}}
	raws, err := s.Aggregate(ctx, coll, body)
	if c.err != "" {
		if db.ErrorCode(err) != c.err {
			t.Errorf("%s: aggregate %s: got error %v (%s), want code %s", coll, c.pipeline, err, db.ErrorCode(err), c.err)
		}
		return
	}
	if err != nil {
		t.Fatalf("%s: aggregate %s: %v", coll, c.pipeline, err)
	}
	got := make([]string, len(raws))
	for i, raw := range raws {
		got[i] = canonical(t, string(raw))
	}
	var want []string
	for _, v := range decode(t, c.want).([]any) {
		want = append(want, string(db.MarshalJSON(v)))
	}
	if c.unordered {
		slices.Sort(got)
		slices.Sort(want)
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s: aggregate %s:\n got  %s\n want %s", coll, c.pipeline, strings.Join(got, "\n      "), strings.Join(want, "\n      "))
	}
}

// canonical re-encodes extended JSON, so that equal values compare equal
// as text.
func canonical(t *testing.T, s string) string {
	t.Helper()
	return string(db.MarshalJSON(decode(t, s)))
}
