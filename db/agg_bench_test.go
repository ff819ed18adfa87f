//go:build !minibase_fuzz

package db_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"minibase/auth"
	"minibase/db"
	"minibase/db/sqlite"
)

// BenchmarkAggregate runs pipelines over 100,000 posts of the load
// driver's shape (~640 bytes: title, a 500-character description, one of
// 1000 authors, type, public, created), with an index on author, through
// db.Service as an admin, without HTTP:
//
//   - group100k: a $group of every post by author (1000 groups: count,
//     newest, average length), the whole collection streamed through Go;
//   - match1k: an indexed $match of 10 authors (1000 posts), then $group by
//     type;
//   - sortLimit: an unindexed $sort with $limit 20, kept in a heap of 20.
func BenchmarkAggregate(b *testing.B) {
	ctx := context.Background()
	drv, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "agg.db"), sqlite.Options{Synchronous: "NORMAL"})
	if err != nil {
		b.Fatal(err)
	}
	defer drv.Close()
	s := db.NewService(drv, db.Limits{})
	admin := auth.NewContext(ctx, &auth.Identity{Role: auth.Admin})
	desc := strings.Repeat("Lorem ipsum dolor sit amet, consectetur adipiscing elit. ", 9)[:500]
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const n, batch = 100_000, 1000
	for i := 0; i < n; i += batch {
		docs := make([]any, batch)
		for j := range docs {
			k := i + j
			docs[j] = db.Doc{{Key: "title", Value: fmt.Sprintf("post %d", k)}, {Key: "description", Value: desc},
				{Key: "author", Value: fmt.Sprintf("u%d", k%1000)}, {Key: "type", Value: []string{"news", "note", "photo"}[k%3]},
				{Key: "public", Value: k%2 == 0}, {Key: "created", Value: base.Add(time.Duration(k) * time.Second)}, {Key: "n", Value: int64(k)}}
		}
		if _, _, err := s.Insert(admin, "posts", db.Doc{{Key: "data", Value: docs}}); err != nil {
			b.Fatal(err)
		}
	}
	if err := drv.CreateIndex(ctx, "posts", db.Index{Keys: []db.IndexKey{{Path: "author"}}}); err != nil {
		b.Fatal(err)
	}
	var ten []string
	for i := 0; i < 10; i++ {
		ten = append(ten, fmt.Sprintf(`"u%d"`, i*37))
	}
	for _, c := range []struct {
		name, pipeline string
		out            int
	}{
		{"group100k", `[{"$group": {"_id": "$author", "posts": {"$sum": 1}, "newest": {"$max": "$created"}, "avgLen": {"$avg": {"$strLenBytes": "$title"}}}}]`, 1000},
		{"match1k", `[{"$match": {"author": {"$in": [` + strings.Join(ten, ",") + `]}}}, {"$group": {"_id": "$type", "posts": {"$sum": 1}, "total": {"$sum": "$n"}}}]`, 3},
		{"sortLimit", `[{"$sort": {"n": -1}}, {"$limit": 20}, {"$project": {"title": 1}}]`, 20},
	} {
		body := db.Doc{{Key: "pipeline", Value: mustDecode(b, c.pipeline)}}
		b.Run(c.name, func(b *testing.B) {
			cpu0 := cpuTime()
			for b.Loop() {
				out, err := s.Aggregate(admin, "posts", body)
				if err != nil || len(out) != c.out {
					b.Fatalf("%d documents, %v; want %d", len(out), err, c.out)
				}
			}
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
		})
	}
}

// cpuTime is the user and system CPU time the process has used: on a
// machine other jobs keep busy, CPU per operation stays comparable where
// wall time does not.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func mustDecode(tb testing.TB, s string) any {
	tb.Helper()
	v, err := db.DecodeJSON([]byte(s), db.MaxDepth)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}
