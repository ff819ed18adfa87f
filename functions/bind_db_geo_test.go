package functions

import (
	"testing"

	"minibase/db"
)

// wx-server-sdk's geo commands inside a function: geoNear nearest first
// (with the distances in metres the SDK sends), the $geoNear aggregation
// stage with each document's distance, geoWithin a circle and a
// polygon, geoIntersects; the locations come back as db.Geo values; and
// geoNear on a collection without a 2dsphere index fails as CloudBase's
// does, with the error the server gives.
func TestGeoInFunctions(t *testing.T) {
	rt, svc := newTestRuntime(t, Options{})
	shops := `[
		{"_id":"s3","location":{"type":"Point","coordinates":[113.35,23.15]}},
		{"_id":"s1","location":{"type":"Point","coordinates":[113.326,23.135]}},
		{"_id":"far","location":{"type":"Point","coordinates":[113.15,23.1]}},
		{"_id":"s2","location":{"type":"Point","coordinates":[113.33,23.14]}}]`
	for _, coll := range []string{"shops", "plain"} {
		if _, _, err := svc.Insert(adminCtx, coll, doc("data", toDB(t, shops))); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.CreateIndex(adminCtx, "shops", doc("keys", db.Doc{{Key: "location", Value: "2dsphere"}})); err != nil {
		t.Fatal(err)
	}
	here := `"lng":113.3245,"lat":23.1365`
	runCases(t, rt, []fcase{
		{name: "geoNear", fn: "geoshops", event: `{"coll":"shops","action":"near",` + here + `}`, ctx: adminCtx,
			want: `{"ids":["s1","s2","s3","far"],"errMsg":"collection.get:ok","firstIsGeo":true,"first":[113.326,23.135]}`},
		{name: "geoNear within 1 km", fn: "geoshops", event: `{"coll":"shops","action":"near","max":1000,` + here + `}`, ctx: adminCtx,
			want: `{"ids":["s1","s2"]}`},
		{name: "geoNear from 500 m", fn: "geoshops", event: `{"coll":"shops","action":"near","min":500,` + here + `}`, ctx: adminCtx,
			want: `{"ids":["s2","s3","far"]}`},
		{name: "geoWithin a circle", fn: "geoshops", event: `{"coll":"plain","action":"circle","radius":0.0005,` + here + `}`, ctx: adminCtx,
			want: `{"ids":["s1","s2","s3"]}`},
		{name: "geoWithin a polygon", fn: "geoshops", ctx: adminCtx,
			event: `{"coll":"shops","action":"zone","ring":[[113.32,23.13],[113.34,23.13],[113.34,23.145],[113.32,23.145],[113.32,23.13]]}`,
			want:  `{"ids":["s1","s2"]}`},
		{name: "geoIntersects a point", fn: "geoshops", event: `{"coll":"shops","action":"touches","lng":113.33,"lat":23.14}`, ctx: adminCtx,
			want: `{"ids":["s2"]}`},
		{name: "aggregate geoNear", fn: "geoshops", event: `{"coll":"shops","action":"aggregate",` + here + `}`, ctx: adminCtx,
			want: `{"list":[{"_id":"s1","m":226},{"_id":"s2","m":684},{"_id":"s3","m":3011},{"_id":"far","m":18321}],"errMsg":"collection.aggregate:ok"}`},
		{name: "aggregate geoNear within 1 km, a query", fn: "geoshops", ctx: adminCtx,
			event: `{"coll":"shops","action":"aggregate","max":1000,"query":{"_id":{"$ne":"s1"}},` + here + `}`,
			want:  `{"list":[{"_id":"s2","m":684}]}`},
		{name: "aggregate geoNear without a 2dsphere index", fn: "geoshops", event: `{"coll":"plain","action":"aggregate",` + here + `}`, ctx: adminCtx,
			want: `{"errCode":-502002}`},
		{name: "geoNear without a 2dsphere index", fn: "geoshops", event: `{"coll":"plain","action":"near",` + here + `}`, ctx: adminCtx,
			want: `{"errCode":-502002,"errMsg":"collection.get:fail -502002 database invalid command. $nearSphere (geoNear) needs a 2dsphere index on \"location\": create one with {\"keys\": {\"location\": \"2dsphere\"}}"}`},
	})
}
