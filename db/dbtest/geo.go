package dbtest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"minibase/auth"
	"minibase/db"
)

// testGeo checks the geo queries: $geoWithin and $geoIntersects with and
// without a 2dsphere index, $nearSphere (which needs one) nearest first
// with distances equal to the haversine formula's, the index's upkeep
// through every kind of write, and the $geoNear stage's find.
func testGeo(t *testing.T, open func(t *testing.T) db.Driver) {
	t.Run("within and intersects", func(t *testing.T) { testGeoGroups(t, open) })
	t.Run("near", func(t *testing.T) { testNear(t, open) })
	t.Run("near agrees with the reference", func(t *testing.T) { testNearRandom(t, open) })
	t.Run("index", func(t *testing.T) { testGeoIndex(t, open) })
	t.Run("geoNear stage", func(t *testing.T) { testGeoNearStage(t, open) })
	t.Run("in an aggregation", func(t *testing.T) { testGeoAggregate(t, open) })
	t.Run("$geoNear in an aggregation", func(t *testing.T) { testGeoNearAggregate(t, open) })
}

// geoIndex is the 2dsphere index on loc.
var geoIndex = db.Index{Keys: []db.IndexKey{{Path: "loc", Type: db.Geo2DSphere}}}

func createGeoIndex(t *testing.T, d db.Driver, coll string) {
	t.Helper()
	if err := d.CreateIndex(t.Context(), coll, geoIndex); err != nil {
		t.Fatalf("CreateIndex(%s, loc 2dsphere): %v", coll, err)
	}
}

func testGeoGroups(t *testing.T, open func(t *testing.T) db.Driver) {
	d := open(t)
	for gi, g := range geoGroups {
		t.Run(g.name, func(t *testing.T) {
			docs := decodeDocs(t, g.docs)
			plain, indexed := collName("g", gi), collName("gi", gi)
			insert(t, d, plain, g.docs...)
			if !g.noIndex {
				insert(t, d, indexed, g.docs...)
				createGeoIndex(t, d, indexed)
			}
			for _, c := range g.cases {
				t.Run(c.name, func(t *testing.T) {
					f := parseFilter(t, c.filter)
					want := sortedIDs(c.want)
					var ref []string
					for _, doc := range docs {
						if f.Match(doc) {
							ref = append(ref, doc.ID())
						}
					}
					if ref = sortedIDs(ref); !slices.Equal(ref, want) {
						t.Errorf("Filter.Match(%s): got %s, want %s", c.filter, show(ref), show(want))
					}
					q := &db.Query{Filter: f, Sort: byID, Limit: maxLimit}
					if got := ids(find(t, d, plain, q)); !slices.Equal(got, want) {
						t.Errorf("Find(%s): got %s, want %s", c.filter, show(got), show(want))
					}
					if g.noIndex {
						return
					}
					if got := ids(find(t, d, indexed, q)); !slices.Equal(got, want) {
						t.Errorf("Find(%s) with a 2dsphere index: got %s, want %s", c.filter, show(got), show(want))
					}
					n, err := d.Count(t.Context(), indexed, f)
					if err != nil || n != int64(len(want)) {
						t.Errorf("Count(%s) with a 2dsphere index: got %d, %v; want %d", c.filter, n, err, len(want))
					}
				})
			}
		})
	}
}

// earthRadius is MongoDB's, which minibase measures with.
const earthRadius = 6378100.0

// haversine is the great-circle distance in metres between two points
// given as [longitude, latitude] in degrees: the reference the driver's
// distances are checked against.
func haversine(a, b [2]float64) float64 {
	rad := math.Pi / 180
	dLat, dLng := (b[1]-a[1])*rad, (b[0]-a[0])*rad
	h := math.Pow(math.Sin(dLat/2), 2) + math.Cos(a[1]*rad)*math.Cos(b[1]*rad)*math.Pow(math.Sin(dLng/2), 2)
	return 2 * earthRadius * math.Asin(math.Min(1, math.Sqrt(h)))
}

// cities are points with known names, [longitude, latitude].
var cities = map[string][2]float64{
	"guangzhou": {113.2644, 23.1291},
	"foshan":    {113.1214, 23.0215},
	"dongguan":  {113.7518, 23.0207},
	"shenzhen":  {114.0579, 22.5431},
	"hongkong":  {114.1694, 22.3193},
	"macau":     {113.5439, 22.1987},
	"beijing":   {116.4074, 39.9042},
	"shanghai":  {121.4737, 31.2304},
	"urumqi":    {87.6168, 43.8256},
	"sydney":    {151.2093, -33.8688},
	"reykjavik": {-21.9426, 64.1466},
	"fiji":      {178.4419, -18.1416},
	"samoa":     {-171.7514, -13.8333},
	"alert":     {-62.3481, 82.5018},
	"svalbard":  {15.6356, 78.2232},
}

func cityDoc(name string) string {
	c := cities[name]
	return fmt.Sprintf(`{"_id": %q, "loc": {"type": "Point", "coordinates": [%v, %v]}}`, name, c[0], c[1])
}

// byDistance lists the cities nearest first from p (by haversine), with
// their distances.
func byDistance(p [2]float64) ([]string, map[string]float64) {
	dist := map[string]float64{}
	var names []string
	for name, c := range cities {
		names = append(names, name)
		dist[name] = haversine(p, c)
	}
	slices.SortFunc(names, func(a, b string) int {
		if dist[a] != dist[b] {
			return cmpFloat(dist[a], dist[b])
		}
		return strings.Compare(a, b)
	})
	return names, dist
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func nearFilter(p [2]float64, extra string) string {
	return fmt.Sprintf(`{"loc": {"$nearSphere": {"$geometry": {"type": "Point", "coordinates": [%v, %v]}%s}}}`, p[0], p[1], extra)
}

func testNear(t *testing.T, open func(t *testing.T) db.Driver) {
	d := open(t)
	var docs []string
	for name := range cities {
		docs = append(docs, cityDoc(name))
	}
	slices.Sort(docs)
	insert(t, d, "cities", docs...)
	createGeoIndex(t, d, "cities")

	nearest := func(t *testing.T, filter string, skip, limit int) []string {
		t.Helper()
		return ids(find(t, d, "cities", &db.Query{Filter: parseFilter(t, filter), Skip: skip, Limit: limit}))
	}
	centres := map[string][2]float64{
		"guangzhou":        cities["guangzhou"],
		"the north pole":   {0, 90},
		"the south pole":   {0, -90},
		"the antimeridian": {180, -16},
		"null island":      {0, 0},
	}
	for what, p := range centres {
		t.Run("nearest first from "+what, func(t *testing.T) {
			want, _ := byDistance(p)
			if got := nearest(t, nearFilter(p, ""), 0, maxLimit); !slices.Equal(got, want) {
				t.Errorf("got %s\nwant %s (by haversine)", show(got), show(want))
			}
			if got := nearest(t, nearFilter(p, ""), 2, 3); !slices.Equal(got, want[2:5]) {
				t.Errorf("skip 2 limit 3: got %s, want %s", show(got), show(want[2:5]))
			}
		})
	}
	t.Run("distances match the haversine formula", func(t *testing.T) {
		p := cities["guangzhou"]
		f := parseFilter(t, nearFilter(p, ""))
		_, dist := byDistance(p)
		for _, doc := range find(t, d, "cities", &db.Query{Filter: f, Limit: maxLimit}) {
			got, ok := f.Near().Distance(doc)
			want := dist[doc.ID()]
			if !ok || math.Abs(got-want) > 1e-3+1e-9*want {
				t.Errorf("%s: distance %v (%v), want %v", doc.ID(), got, ok, want)
			}
		}
	})
	t.Run("minDistance and maxDistance in metres", func(t *testing.T) {
		p := cities["guangzhou"]
		order, dist := byDistance(p)
		lo := (dist[order[1]] + dist[order[2]]) / 2 // between the 2nd and 3rd
		hi := (dist[order[5]] + dist[order[6]]) / 2 // between the 6th and 7th
		got := nearest(t, nearFilter(p, fmt.Sprintf(`, "$minDistance": %v, "$maxDistance": %v`, lo, hi)), 0, maxLimit)
		if want := order[2:6]; !slices.Equal(got, want) {
			t.Errorf("got %s, want %s", show(got), show(want))
		}
		n, err := d.Count(t.Context(), "cities", parseFilter(t, nearFilter(p, fmt.Sprintf(`, "$maxDistance": %v`, hi))))
		if err != nil || n != 6 {
			t.Errorf("Count within maxDistance: %d, %v; want 6", n, err)
		}
		if got := nearest(t, nearFilter(p, `, "$maxDistance": 0.5`), 0, maxLimit); !slices.Equal(got, []string{"guangzhou"}) {
			t.Errorf("maxDistance 0.5 m: got %s, want [guangzhou]", show(got))
		}
		if got := nearest(t, nearFilter([2]float64{-140, -50}, `, "$maxDistance": 1000`), 0, maxLimit); len(got) != 0 {
			t.Errorf("nothing within 1 km: got %s", show(got))
		}
	})
	t.Run("legacy pair: distances in radians", func(t *testing.T) {
		p := cities["guangzhou"]
		order, dist := byDistance(p)
		var want []string
		for _, name := range order {
			if dist[name]/earthRadius <= 0.01 {
				want = append(want, name)
			}
		}
		got := nearest(t, fmt.Sprintf(`{"loc": {"$nearSphere": [%v, %v], "$maxDistance": 0.01}}`, p[0], p[1]), 0, maxLimit)
		if !slices.Equal(got, want) || len(want) < 2 {
			t.Errorf("got %s, want %s", show(got), show(want))
		}
	})
	t.Run("with other conditions, and a sort that overrides", func(t *testing.T) {
		p := cities["guangzhou"]
		order, _ := byDistance(p)
		filter := fmt.Sprintf(`{"_id": {"$regex": "^[b-h]"}, "loc": {"$nearSphere": {"$geometry": {"type": "Point", "coordinates": [%v, %v]}}}}`, p[0], p[1])
		var want []string
		for _, name := range order {
			if name[0] >= 'b' && name[0] <= 'h' {
				want = append(want, name)
			}
		}
		if got := nearest(t, filter, 0, maxLimit); !slices.Equal(got, want) {
			t.Errorf("got %s, want %s", show(got), show(want))
		}
		sorted := ids(find(t, d, "cities", &db.Query{Filter: parseFilter(t, filter), Sort: byID, Limit: maxLimit}))
		if !slices.Equal(sorted, sortedIDs(want)) {
			t.Errorf("sorted by _id: got %s, want %s", show(sorted), show(sortedIDs(want)))
		}
	})
	t.Run("ties in _id order, the nearest of several locations", func(t *testing.T) {
		insert(t, d, "ties",
			`{"_id": "b", "loc": {"type": "Point", "coordinates": [10, 10]}}`,
			`{"_id": "a", "loc": {"type": "Point", "coordinates": [10, 10]}}`,
			`{"_id": "c", "loc": [{"type": "Point", "coordinates": [50, 50]}, {"type": "Point", "coordinates": [10.1, 10]}]}`,
			`{"_id": "d", "loc": {"type": "Point", "coordinates": [10.05, 10]}}`,
			`{"_id": "e", "other": 1}`,
		)
		createGeoIndex(t, d, "ties")
		q := &db.Query{Filter: parseFilter(t, nearFilter([2]float64{10, 10}, "")), Limit: maxLimit}
		if got, want := ids(find(t, d, "ties", q)), []string{"a", "b", "d", "c"}; !slices.Equal(got, want) {
			t.Errorf("got %s, want %s", show(got), show(want))
		}
		// With minDistance the nearest location that counts is the one beyond it.
		q = &db.Query{Filter: parseFilter(t, nearFilter([2]float64{10, 10}, `, "$minDistance": 100000`)), Limit: maxLimit}
		if got, want := ids(find(t, d, "ties", q)), []string{"c"}; !slices.Equal(got, want) {
			t.Errorf("minDistance 100 km: got %s, want %s", show(got), show(want))
		}
	})
	t.Run("an empty collection", func(t *testing.T) {
		insert(t, d, "empty")
		createGeoIndex(t, d, "empty")
		if got := ids(find(t, d, "empty", &db.Query{Filter: parseFilter(t, nearFilter([2]float64{1, 2}, "")), Limit: 20})); len(got) != 0 {
			t.Errorf("got %s", show(got))
		}
	})
	t.Run("without a 2dsphere index it is refused", func(t *testing.T) {
		insert(t, d, "unindexed", cityDoc("guangzhou"))
		f := parseFilter(t, nearFilter(cities["guangzhou"], ""))
		_, err := d.Find(t.Context(), "unindexed", &db.Query{Filter: f, Limit: 20})
		wantCode(t, "Find", err, db.CodeInvalidOperator)
		_, err = d.Count(t.Context(), "unindexed", f)
		wantCode(t, "Count", err, db.CodeInvalidOperator)
		if err := d.CreateIndex(t.Context(), "unindexed", db.Index{Keys: []db.IndexKey{{Path: "loc"}}}); err != nil {
			t.Fatal(err)
		}
		_, err = d.Find(t.Context(), "unindexed", &db.Query{Filter: f, Limit: 20})
		wantCode(t, "Find with an ordinary index on loc", err, db.CodeInvalidOperator)
	})
}

// testNearRandom compares the driver's nearest documents with the Go
// reference (Filter.Match, Near.Distance, sorted) over a few thousand points,
// dense in a city and sparse over the globe, from centres in the city, in
// an empty ocean, at a pole and by the antimeridian.
func testNearRandom(t *testing.T, open func(t *testing.T) db.Driver) {
	d := open(t)
	rng := rand.New(rand.NewPCG(14, 4))
	const n = 3000
	docs := make([]string, n)
	parsed := make([]db.Doc, n)
	for i := range docs {
		var lng, lat float64
		switch {
		case i%3 != 0: // Guangzhou and around
			lng, lat = 113.3+rng.NormFloat64()*0.2, 23.1+rng.NormFloat64()*0.2
		case i%30 == 0: // the polar caps
			lng, lat = rng.Float64()*360-180, math.Copysign(85+rng.Float64()*5, rng.Float64()-0.5)
		default: // anywhere
			lng, lat = rng.Float64()*360-180, math.Asin(rng.Float64()*2-1)*180/math.Pi
		}
		docs[i] = fmt.Sprintf(`{"_id": "p%04d", "k": %d, "loc": {"type": "Point", "coordinates": [%.6f, %.6f]}}`, i, i%10, lng, lat)
		parsed[i] = decodeDoc(t, docs[i])
	}
	for i := 0; i < n; i += seedBatch {
		insert(t, d, "points", docs[i:min(i+seedBatch, n)]...)
	}
	createGeoIndex(t, d, "points")
	centres := [][2]float64{{113.3, 23.1}, {113.9, 22.6}, {-140, -50}, {0, 90}, {179.99, 0}, {-180, 45}}
	extras := []struct{ filter, dist string }{
		{"", ""},
		{`"k": {"$lt": 3}, `, ""},
		{`"k": 7, `, `, "$maxDistance": 30000`},
		{"", `, "$minDistance": 1000000, "$maxDistance": 3000000`},
	}
	for _, c := range centres {
		for _, x := range extras {
			filter := fmt.Sprintf(`{%s"loc": {"$nearSphere": {"$geometry": {"type": "Point", "coordinates": [%v, %v]}%s}}}`, x.filter, c[0], c[1], x.dist)
			f := parseFilter(t, filter)
			ref := nearestRef(parsed, f)
			for _, page := range [][2]int{{0, 1}, {0, 20}, {7, 20}, {0, 200}} {
				want := ref[min(page[0], len(ref)):min(page[0]+page[1], len(ref))]
				got := ids(find(t, d, "points", &db.Query{Filter: f, Skip: page[0], Limit: page[1]}))
				if !slices.Equal(got, want) {
					t.Errorf("%s skip %d limit %d:\n got %s\nwant %s", filter, page[0], page[1], show(got), show(want))
				}
			}
		}
	}
}

// seedBatch is how many documents testNearRandom inserts at once.
const seedBatch = 500

// nearestRef is the reference order of a filter with a Near: the
// documents it matches by distance, then _id.
func nearestRef(docs []db.Doc, f *db.Filter) []string {
	type hit struct {
		id   string
		dist float64
	}
	var hits []hit
	for _, doc := range docs {
		if f.Match(doc) {
			dist, _ := f.Near().Distance(doc)
			hits = append(hits, hit{doc.ID(), dist})
		}
	}
	slices.SortFunc(hits, func(a, b hit) int {
		if c := cmpFloat(a.dist, b.dist); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.id
	}
	return out
}

// testGeoAggregate: an aggregation's $match takes $geoWithin and
// $geoIntersects, with a 2dsphere index or without, and refuses $near and
// $nearSphere, which order documents, as MongoDB does.
func testGeoAggregate(t *testing.T, open func(t *testing.T) db.Driver) {
	d := open(t)
	s := db.NewService(d, db.Limits{AggregateMemory: 8 << 20})
	ctx := auth.NewContext(t.Context(), &auth.Identity{Role: auth.Admin})
	var docs []string
	for name := range cities {
		docs = append(docs, cityDoc(name))
	}
	slices.Sort(docs)
	insert(t, d, "aggcities", docs...)
	insert(t, d, "aggcities2", docs...)
	createGeoIndex(t, d, "aggcities2")
	// The Pearl River Delta: Guangzhou, Foshan, Dongguan, Shenzhen, Hong Kong
	// and Macau, and nothing else.
	delta := `{"type": "Polygon", "coordinates": [[[112.8, 21.9], [114.6, 21.9], [114.6, 23.5], [112.8, 23.5], [112.8, 21.9]]]}`
	want := []string{"dongguan", "foshan", "guangzhou", "hongkong", "macau", "shenzhen"}
	for _, coll := range []string{"aggcities", "aggcities2"} {
		for _, op := range []string{"$geoWithin", "$geoIntersects"} {
			pipeline := fmt.Sprintf(`[{"$match": {"loc": {%q: {"$geometry": %s}}}}, {"$sort": {"_id": 1}}, {"$project": {"_id": 1}}]`, op, delta)
			out, err := s.Aggregate(ctx, coll, db.Doc{{Key: "pipeline", Value: decode(t, pipeline)}})
			if err != nil {
				t.Fatalf("Aggregate(%s) on %s: %v", op, coll, err)
			}
			var got []string
			for _, raw := range out {
				doc, _ := decode(t, string(raw)).(db.Doc)
				id, _ := doc.Get("_id")
				got = append(got, fmt.Sprint(id))
			}
			if !slices.Equal(got, want) {
				t.Errorf("Aggregate(%s) on %s: got %s, want %s", op, coll, show(got), show(want))
			}
		}
	}
	for _, p := range []string{
		`[{"$match": {"loc": {"$nearSphere": {"$geometry": {"type": "Point", "coordinates": [113.3, 23.1]}}}}}]`,
		`[{"$match": {"$or": [{"_id": "foshan"}, {"loc": {"$near": {"$geometry": {"type": "Point", "coordinates": [113.3, 23.1]}}}}]}}]`,
		`[{"$sort": {"_id": 1}}, {"$match": {"loc": {"$nearSphere": {"$geometry": {"type": "Point", "coordinates": [113.3, 23.1]}}}}}]`,
	} {
		_, err := s.Aggregate(ctx, "aggcities2", db.Doc{{Key: "pipeline", Value: decode(t, p)}})
		wantCode(t, "Aggregate "+p, err, db.CodeInvalidOperator)
	}
}
