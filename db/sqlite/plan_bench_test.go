package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"minibase/db"
)

// BenchmarkOneAuthorNewest20: one author's newest 20 of 20,000 posts, with
// an index on author and one on created, read as SQLite chooses alone
// (sqlite) and as the driver chooses (chosen: choosePlan, its decisions
// kept for the same author), for 1000 authors and for 2; count is the
// count that decides, alone, as for an author not asked for lately. It
// reports CPU time per query (cpu-ns/op) too.
func BenchmarkOneAuthorNewest20(b *testing.B) {
	for _, authors := range []int{1000, 2} {
		d := openTest(b)
		ctx := context.Background()
		seedAuthors(b, d, 20000, authors)
		c := d.lookup("posts")
		sh, _ := c.shape.load()
		idx := c.indexList()
		for _, how := range []string{"sqlite", "chosen", "count"} {
			b.Run(fmt.Sprintf("%d-authors/%s", authors, how), func(b *testing.B) {
				rng := rand.New(rand.NewPCG(5, 6))
				b.ResetTimer()
				cpu0 := cpuTime()
				for i := 0; i < b.N; i++ {
					q := &db.Query{Filter: mustFilter(b, fmt.Sprintf(`{"author":"u%d"}`, rng.IntN(authors))),
						Sort: []db.SortKey{{Path: "created", Desc: true}, {Path: "_id", Desc: true}}, Limit: 20}
					if how == "count" {
						if _, err := d.countPlan(ctx, c, sh, q, competing(idx, q)); err != nil {
							b.Fatal(err)
						}
						continue
					}
					p := planFind(c, sh, idx, q)
					if how == "chosen" {
						var err error
						if p, err = d.planQuery(ctx, c, sh, idx, q); err != nil {
							b.Fatal(err)
						}
					}
					if got, err := collect(ctx, d.query, p.sql, p.args, nil, q.Limit); err != nil || len(got) != 20 {
						b.Fatal(len(got), err)
					}
				}
				b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
			})
		}
	}
}

// seedAuthors writes n posts of the load driver's shape (~640 bytes) by
// authors u0… u<authors-1>, one a second, with indexes on author and on
// created (descending).
func seedAuthors(b *testing.B, d *DB, n, authors int) {
	b.Helper()
	ctx := context.Background()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i += 1000 {
		docs := make([]db.Doc, 0, 1000)
		for j := i; j < min(i+1000, n); j++ {
			docs = append(docs, db.Doc{{Key: "_id", Value: fmt.Sprintf("%032d", j)}, {Key: "title", Value: fmt.Sprintf("post %d", j)},
				{Key: "description", Value: lorem}, {Key: "author", Value: fmt.Sprintf("u%d", j%authors)},
				{Key: "created", Value: base.Add(time.Duration(j) * time.Second)}})
		}
		if _, err := d.Write(ctx, "posts", &db.WriteOp{Kind: db.WriteInsert, Docs: docs}); err != nil {
			b.Fatal(err)
		}
	}
	for _, idx := range []db.Index{{Keys: []db.IndexKey{{Path: "author"}}}, {Keys: []db.IndexKey{{Path: "created", Desc: true}}}} {
		if err := d.CreateIndex(ctx, "posts", idx); err != nil {
			b.Fatal(err)
		}
	}
}
