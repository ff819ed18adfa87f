package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"minibase/db"
)

// seedShops writes n shops (a name, a kind of ten, a GeoJSON point; about
// 150 bytes) spread evenly over 0.6° × 0.6° around Guangzhou, about 60 km
// across, and creates a 2dsphere index on location.
func seedShops(b *testing.B, d *DB, n int) {
	b.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	const batch = 1000
	for i := 0; i < n; i += batch {
		docs := make([]db.Doc, 0, batch)
		for j := i; j < min(i+batch, n); j++ {
			loc := db.Doc{{Key: "type", Value: "Point"}, {Key: "coordinates", Value: []any{113 + rng.Float64()*0.6, 22.9 + rng.Float64()*0.6}}}
			docs = append(docs, db.Doc{{Key: "_id", Value: fmt.Sprintf("shop%06d", j)}, {Key: "name", Value: fmt.Sprintf("shop %d", j)},
				{Key: "kind", Value: fmt.Sprintf("k%d", j%10)}, {Key: "location", Value: loc}})
		}
		if _, err := d.Write(context.Background(), "shops", &db.WriteOp{Kind: db.WriteInsert, Docs: docs}); err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			if err := d.CreateIndex(context.Background(), "shops", db.Index{Keys: []db.IndexKey{{Path: "location", Type: db.Geo2DSphere}}}); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkGeoNear: "shops near me" over 100,000 shops: the nearest 20 to
// a random point of the area, the nearest 20 of one kind (a tenth of
// them), and the shops within 1 km (about 90). Besides wall time it
// reports the process's CPU time per query (cpu-ns/op), which stays
// meaningful on a busy machine.
func BenchmarkGeoNear(b *testing.B) {
	d := openTest(b)
	seedShops(b, d, 100000)
	cases := []struct {
		name, filter string
		want         int
	}{
		{"nearest20", `{"location": {"$nearSphere": {"$geometry": {"type": "Point", "coordinates": [%v, %v]}}}}`, 20},
		{"nearest20-of-a-kind", `{"kind": "k3", "location": {"$nearSphere": {"$geometry": {"type": "Point", "coordinates": [%v, %v]}}}}`, 20},
		{"within1km", `{"location": {"$geoWithin": {"$centerSphere": [[%v, %v], 0.000156785]}}}`, -1},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(3, 4))
			filters := make([]*db.Filter, 64)
			for i := range filters {
				filters[i] = mustFilter(b, fmt.Sprintf(c.filter, 113.1+rng.Float64()*0.4, 23+rng.Float64()*0.4))
			}
			b.ResetTimer()
			cpu0 := cpuTime()
			for i := 0; i < b.N; i++ {
				got, err := d.Find(context.Background(), "shops", &db.Query{Filter: filters[i%len(filters)], Limit: limitOf(c.want)})
				if err != nil || (c.want > 0 && len(got) != c.want) || len(got) == 0 {
					b.Fatal(len(got), err)
				}
			}
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
		})
	}
}

// limitOf is a case's Limit: its count, or 1000 for "all".
func limitOf(want int) int {
	if want > 0 {
		return want
	}
	return 1000
}
