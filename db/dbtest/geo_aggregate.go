package dbtest

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"

	"minibase/auth"
	"minibase/db"
)

// testGeoNearAggregate runs $geoNear pipelines through db.Service: the
// documents nearest first with distances equal to the haversine formula's,
// read nearest first by the driver (a $limit after the stage) or ordered in
// Go (no $limit); minDistance, maxDistance, query, distanceMultiplier,
// includeLocs and key; the stages after it; and the refusals: no 2dsphere
// index, several without key, not the first stage, and a client whose read
// rule the stage's query does not prove.
func testGeoNearAggregate(t *testing.T, open func(t *testing.T) db.Driver) {
	d := open(t)
	s := db.NewService(d, db.Limits{AggregateMemory: 8 << 20, MaxLimit: 1000})
	admin := auth.NewContext(t.Context(), &auth.Identity{Role: auth.Admin})
	alice := auth.NewContext(t.Context(), &auth.Identity{Role: auth.User, UID: "ua", OpenID: "oa", LoginType: auth.LoginWeChat})
	names := slices.Sorted(maps.Keys(cities))
	owner := map[string]string{}
	var docs, homes []string
	for i, name := range names {
		c := cities[name]
		owner[name] = []string{"oa", "ob"}[i%2]
		docs = append(docs, fmt.Sprintf(`{"_id": %q, "_openid": %q, "loc": {"type": "Point", "coordinates": [%v, %v]}}`, name, owner[name], c[0], c[1]))
		h := cities[names[(i+1)%len(names)]] // home: where the next city is
		homes = append(homes, fmt.Sprintf(`{"_id": %q, "loc": {"type": "Point", "coordinates": [%v, %v]}, "home": [%v, %v]}`, name, c[0], c[1], h[0], h[1]))
	}
	insert(t, d, "gn", docs...)
	createGeoIndex(t, d, "gn")
	insert(t, d, "gnplain", docs...)
	insert(t, d, "gnhomes", homes...)
	createGeoIndex(t, d, "gnhomes")
	if err := d.CreateIndex(t.Context(), "gnhomes", db.Index{Keys: []db.IndexKey{{Path: "home", Type: db.Geo2DSphere}}}); err != nil {
		t.Fatalf("CreateIndex(home 2dsphere): %v", err)
	}
	run := func(t *testing.T, ctx context.Context, coll, pipeline string) ([]db.Doc, error) {
		t.Helper()
		out, err := s.Aggregate(ctx, coll, db.Doc{{Key: "pipeline", Value: decode(t, pipeline)}})
		var got []db.Doc
		for _, raw := range out {
			got = append(got, decodeDoc(t, string(raw)))
		}
		return got, err
	}
	gz := cities["guangzhou"]
	near := `"near": {"type": "Point", "coordinates": [113.2644, 23.1291]}`
	order, dist := byDistance(gz)
	// distances checks each document's distance at field against the
	// haversine distance to its city, times mult.
	distances := func(t *testing.T, out []db.Doc, field string, mult float64) {
		t.Helper()
		for _, doc := range out {
			v, _ := db.GetPath(doc, field)
			got, ok := db.ToFloat(v) // 0 comes back as an integer
			if want := dist[doc.ID()] * mult; !ok || math.Abs(got-want) > (1e-3+1e-9*dist[doc.ID()])*mult {
				t.Errorf("%s: %s = %v, want %v (haversine)", doc.ID(), field, v, want)
			}
		}
	}
	where := func(keep func(name string) bool) []string {
		var out []string
		for _, name := range order {
			if keep(name) {
				out = append(out, name)
			}
		}
		return out
	}
	cases := []struct {
		name, pipeline string
		want           []string
		field          string
		mult           float64
	}{
		{"nearest five, read by the driver", `[{"$geoNear": {` + near + `, "distanceField": "dist.calculated", "includeLocs": "dist.location"}}, {"$limit": 5}]`,
			order[:5], "dist.calculated", 1},
		{"every document, ordered in Go", `[{"$geoNear": {` + near + `, "distanceField": "d", "spherical": true}}]`, order, "d", 1},
		{"skip and limit after it", `[{"$geoNear": {` + near + `, "distanceField": "d"}}, {"$skip": 2}, {"$limit": 3}]`, order[2:5], "d", 1},
		{"minDistance and maxDistance", `[{"$geoNear": {` + near + `, "distanceField": "d", "minDistance": 30000, "maxDistance": 2000000}}]`,
			where(func(n string) bool { return dist[n] >= 30000 && dist[n] <= 2000000 }), "d", 1},
		{"query and distanceMultiplier", `[{"$geoNear": {` + near + `, "distanceField": "km", "distanceMultiplier": 0.001, "query": {"_openid": "ob"}}}, {"$limit": 4}]`,
			where(func(n string) bool { return owner[n] == "ob" })[:4], "km", 0.001},
		{"a $match on the distance runs after it", `[{"$geoNear": {` + near + `, "distanceField": "d"}}, {"$match": {"d": {"$lt": 150000}}}, {"$project": {"d": 1}}]`,
			where(func(n string) bool { return dist[n] < 150000 }), "d", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := run(t, admin, "gn", c.pipeline)
			if err != nil {
				t.Fatalf("aggregate %s: %v", c.pipeline, err)
			}
			if got := ids(out); !slices.Equal(got, c.want) {
				t.Fatalf("aggregate %s:\n got  %s\n want %s", c.pipeline, show(got), show(c.want))
			}
			distances(t, out, c.field, c.mult)
		})
	}
	t.Run("includeLocs is the stored location", func(t *testing.T) {
		out, err := run(t, admin, "gn", `[{"$geoNear": {`+near+`, "distanceField": "d", "includeLocs": "at"}}, {"$limit": 2}, {"$project": {"at": 1, "_id": 0}}]`)
		if err != nil {
			t.Fatal(err)
		}
		want := `[{"at":{"type":"Point","coordinates":[113.2644,23.1291]}},{"at":{"type":"Point","coordinates":[113.1214,23.0215]}}]`
		if got := showJSON(out); got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	})
	t.Run("a group of the nearest", func(t *testing.T) {
		out, err := run(t, admin, "gn", `[{"$geoNear": {`+near+`, "distanceField": "d", "maxDistance": 150000}}, {"$group": {"_id": "$_openid", "n": {"$sum": 1}}}, {"$sort": {"_id": 1}}]`)
		if err != nil {
			t.Fatal(err)
		}
		n := map[string]int{}
		for _, name := range where(func(n string) bool { return dist[n] <= 150000 }) {
			n[owner[name]]++
		}
		want := fmt.Sprintf(`[{"_id":"oa","n":%d},{"_id":"ob","n":%d}]`, n["oa"], n["ob"])
		if got := showJSON(out); got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	})
	t.Run("key picks one of two indexes", func(t *testing.T) {
		pipeline := `[{"$geoNear": {` + near + `, "distanceField": "d", "key": "home"}}, {"$limit": 3}]`
		out, err := run(t, admin, "gnhomes", pipeline)
		if err != nil {
			t.Fatal(err)
		}
		// The city whose home is Guangzhou is the one before it.
		i := slices.Index(names, "guangzhou")
		if got, want := out[0].ID(), names[(i+len(names)-1)%len(names)]; got != want {
			t.Errorf("nearest by home: %s, want %s", got, want)
		}
		if v, _ := out[0].Get("d"); !db.Equal(v, 0.0) {
			t.Errorf("its distance %v, want 0", v)
		}
		_, err = run(t, admin, "gnhomes", `[{"$geoNear": {`+near+`, "distanceField": "d"}}]`)
		wantCode(t, "two 2dsphere indexes and no key", err, db.CodeInvalidOperator)
	})
	t.Run("refused", func(t *testing.T) {
		for _, c := range []struct{ coll, pipeline, msg string }{
			{"gnplain", `[{"$geoNear": {` + near + `, "distanceField": "d"}}]`, "needs a 2dsphere index"},
			{"gn", `[{"$match": {}}, {"$geoNear": {` + near + `, "distanceField": "d"}}]`, "$geoNear is only valid as the first stage in a pipeline"},
			{"gn", `[{"$lookup": {"from": "gn", "pipeline": [{"$geoNear": {` + near + `, "distanceField": "d"}}], "as": "x"}}]`, "$lookup"},
			{"gn", `[{"$facet": {"x": [{"$geoNear": {` + near + `, "distanceField": "d"}}]}}]`, "$facet"},
			{"gn", `[{"$geoNear": {` + near + `, "distanceField": "d", "key": "nowhere"}}]`, "no 2dsphere index"},
		} {
			_, err := run(t, admin, c.coll, c.pipeline)
			wantCode(t, c.pipeline, err, db.CodeInvalidOperator)
			if err != nil && !strings.Contains(err.Error(), c.msg) {
				t.Errorf("%s: %v, want it to say %q", c.pipeline, err, c.msg)
			}
		}
		// The same refusal as a query's $nearSphere without an index.
		_, err := s.Query(admin, "gnplain", db.Doc{{Key: "filter", Value: decode(t, `{"loc": {"$nearSphere": {"$geometry": {"type": "Point", "coordinates": [0, 0]}}}}`)}})
		wantCode(t, "$nearSphere without an index", err, db.CodeInvalidOperator)
	})
	t.Run("memory limit", func(t *testing.T) {
		// Documents ordered in Go are held under the aggregation's memory
		// limit.
		small := db.NewService(d, db.Limits{AggregateMemory: 1 << 10})
		p := `[{"$geoNear": {` + near + `, "distanceField": "d"}}]`
		_, err := small.Aggregate(admin, "gn", db.Doc{{Key: "pipeline", Value: decode(t, p)}})
		wantCode(t, "$geoNear of every document over 1 KiB", err, db.CodeAggregateMemory)
	})
	t.Run("a client's read rule", func(t *testing.T) {
		if err := d.SetRules(t.Context(), "gn", []byte(`{"read": "doc._openid == auth.openid", "write": false}`)); err != nil {
			t.Fatal(err)
		}
		defer d.SetRules(t.Context(), "gn", nil)
		out, err := run(t, alice, "gn", `[{"$geoNear": {`+near+`, "distanceField": "d", "query": {"_openid": "{openid}"}}}, {"$limit": 3}]`)
		if err != nil {
			t.Fatalf("alice's own, nearest first: %v", err)
		}
		if got, want := ids(out), where(func(n string) bool { return owner[n] == "oa" })[:3]; !slices.Equal(got, want) {
			t.Errorf("alice's own: got %s, want %s", show(got), show(want))
		}
		for _, q := range []string{``, `, "query": {"_openid": "ob"}`} {
			_, err = run(t, alice, "gn", `[{"$geoNear": {`+near+`, "distanceField": "d"`+q+`}}]`)
			wantCode(t, "alice's $geoNear with query "+q, err, db.CodePermissionDenied)
		}
	})
}

// showJSON formats documents as a JSON array.
func showJSON(docs []db.Doc) string {
	parts := make([]string, len(docs))
	for i, d := range docs {
		parts[i] = string(db.MarshalJSON(d))
	}
	return "[" + strings.Join(parts, ",") + "]"
}
