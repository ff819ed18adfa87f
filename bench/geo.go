package main

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// The geo scenario: "shops near me", the nearest 20 of geoShops shops
// spread evenly over 0.6° × 0.6° around Guangzhou (about 60 km across),
// with a 2dsphere index on location, from one of geoPoints points of the
// area's middle. Every answer is checked against the nearest 20 the driver
// computed itself (haversine on MongoDB's sphere).
const (
	geoShops  = 100000
	geoPoints = 64
	earthR    = 6378100.0 // metres, the sphere MongoDB's 2dsphere distances use
)

// geoData is what setupGeo seeded.
type geoData struct {
	points  [][2]float64 // query points, [lng, lat]
	nearest [][]string   // per point: the _ids of its nearest pageSize shops, nearest first
}

func (e *env) geoColl() string { return e.coll + "_shops" }

// setupGeo seeds the shops, creates the 2dsphere index first (so that the
// seed pays its upkeep, as a real collection's writes do) and computes each
// query point's answer.
func setupGeo(ctx context.Context, e *env) error {
	if e.geo != nil {
		return nil
	}
	coll := e.geoColl()
	if err := e.cl.call(ctx, "POST", "/v1/admin/collections", map[string]string{"name": coll}, nil); err != nil && !isConflict(err) {
		return fmt.Errorf("create %s: %w", coll, err)
	}
	if err := e.cl.call(ctx, "POST", "/v1/admin/collections/"+coll+"/indexes",
		map[string]any{"keys": map[string]string{"location": "2dsphere"}}, nil); err != nil && !isConflict(err) {
		return fmt.Errorf("2dsphere index on %s: %w", coll, err)
	}
	var total struct {
		Total *int64 `json:"total"`
	}
	if err := e.cl.call(ctx, "POST", "/v1/db/"+coll+"/count", map[string]any{"filter": map[string]any{}}, &total); err != nil {
		return fmt.Errorf("count %s: %w", coll, err)
	}
	if total.Total == nil || *total.Total != 0 {
		return fmt.Errorf("collection %q is not empty: the geo scenario checks its answers against exactly its own seed", coll)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	ids := make([]string, geoShops)
	locs := make([][2]float64, geoShops)
	logf("seeding %d shops into %q …", geoShops, coll)
	for i := 0; i < geoShops; i += seedBatch {
		docs := make([]map[string]any, 0, seedBatch)
		for j := i; j < min(i+seedBatch, geoShops); j++ {
			ids[j] = fmt.Sprintf("shop%06d", j)
			locs[j] = [2]float64{113 + rng.Float64()*0.6, 22.9 + rng.Float64()*0.6}
			docs = append(docs, map[string]any{"_id": ids[j], "name": fmt.Sprintf("shop %d", j), "kind": fmt.Sprintf("k%d", j%10),
				"location": map[string]any{"type": "Point", "coordinates": []float64{locs[j][0], locs[j][1]}}})
		}
		if err := e.cl.call(ctx, "POST", "/v1/db/"+coll+"/insert", map[string]any{"data": docs}, nil); err != nil {
			return fmt.Errorf("seed %s: %w", coll, err)
		}
	}
	g := &geoData{}
	order := make([]int, geoShops)
	dist := make([]float64, geoShops)
	for range geoPoints {
		p := [2]float64{113.1 + rng.Float64()*0.4, 23 + rng.Float64()*0.4}
		for i := range order {
			order[i], dist[i] = i, haversine(p, locs[i])
		}
		slices.SortFunc(order, func(a, b int) int { return cmpFloat(dist[a], dist[b]) })
		near := make([]string, pageSize)
		for k := range near {
			near[k] = ids[order[k]]
		}
		g.points, g.nearest = append(g.points, p), append(g.nearest, near)
	}
	e.geo = g
	return nil
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

// haversine is the great-circle distance in metres between two [lng, lat]
// points on a sphere of radius earthR.
func haversine(a, b [2]float64) float64 {
	const rad = math.Pi / 180
	dlat, dlng := (b[1]-a[1])*rad, (b[0]-a[0])*rad
	h := math.Pow(math.Sin(dlat/2), 2) + math.Cos(a[1]*rad)*math.Cos(b[1]*rad)*math.Pow(math.Sin(dlng/2), 2)
	return 2 * earthR * math.Asin(math.Min(1, math.Sqrt(h)))
}

// opGeoNear asks for the nearest 20 shops to one of the points and checks
// they are the ones, nearest first.
func opGeoNear(ctx context.Context, e *env, rng *rand.Rand) error {
	k := rng.IntN(geoPoints)
	p := e.geo.points[k]
	filter := map[string]any{"location": map[string]any{"$nearSphere": map[string]any{
		"$geometry": map[string]any{"type": "Point", "coordinates": []float64{p[0], p[1]}}}}}
	var out struct {
		Data []struct {
			ID string `json:"_id"`
		} `json:"data"`
	}
	if err := e.cl.call(ctx, "POST", "/v1/db/"+e.geoColl()+"/query", map[string]any{"filter": filter, "limit": pageSize}, &out); err != nil {
		return err
	}
	want := e.geo.nearest[k]
	if len(out.Data) != len(want) {
		return fmt.Errorf("near %v: got %d shops, want %d", p, len(out.Data), len(want))
	}
	for j, d := range out.Data {
		if d.ID != want[j] {
			return fmt.Errorf("near %v: shop %d is %s, want %s", p, j, d.ID, want[j])
		}
	}
	return nil
}
