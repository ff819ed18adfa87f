//go:build !minibase_fuzz

package db_test

import (
	"testing"

	"minibase/server/servertest"
)

// point is a GeoJSON point as db.Geo.Point(lng, lat) sends it.
func point(lng, lat string) string {
	return `{"type":"Point","coordinates":[` + lng + `,` + lat + `]}`
}

// shops are four shops around Guangzhou's Tianhe sports centre (s1 about
// 200 m from it, s2 700 m, s3 2.7 km, far 19 km), under a 2dsphere index on
// location, readable by everyone.
var shops = []servertest.Request{
	byAdmin("POST", "/v1/admin/collections", `{"name":"shops"}`),
	byAdmin("PUT", "/v1/admin/collections/shops/rules", `{"read":"true","write":"false"}`),
	byAdmin("POST", "/v1/admin/collections/shops/indexes", `{"keys":{"location":"2dsphere"}}`),
	byAdmin("POST", "/v1/db/shops/insert", `{"data":[
		{"_id":"s3","kind":"tea","location":`+point("113.3500", "23.1500")+`},
		{"_id":"s1","kind":"tea","location":`+point("113.3260", "23.1350")+`},
		{"_id":"far","kind":"noodles","location":`+point("113.1500", "23.1000")+`},
		{"_id":"s2","kind":"noodles","location":`+point("113.3300", "23.1400")+`}]}`),
}

// nearSportsCentre is a $nearSphere around the sports centre, as
// db.command.geoNear sends it, with extra options.
func nearSportsCentre(extra string) string {
	return `{"location":{"$nearSphere":{"$geometry":` + point("113.3245", "23.1365") + extra + `}}}`
}

// TestGeoAPI: "shops near me" and the other geo queries over HTTP, with
// the errors a user gets for a missing index and for invalid GeoJSON.
func TestGeoAPI(t *testing.T) {
	badShop := byAdmin("POST", "/v1/db/plain/insert", `{"data":[{"_id":"ok","location":`+point("1", "2")+`},{"_id":"bad","location":"Tianhe"}]}`)
	servertest.Run(t, []servertest.Scenario{
		{Name: "the 2dsphere index is listed", Setup: shops, Method: "GET", URL: "/v1/admin/collections/shops/indexes", As: asAdmin,
			Status: 200, Equal: `{"data":[{"name":"location_2dsphere","keys":[{"path":"location","type":"2dsphere"}],"unique":false}]}`},
		{Name: "nearest first", Setup: shops, Method: "POST", URL: "/v1/db/shops/query", As: alice,
			Body: `{"filter":` + nearSportsCentre("") + `,"projection":{"_id":1}}`, Status: 200,
			Equal: `{"data":[{"_id":"s1"},{"_id":"s2"},{"_id":"s3"},{"_id":"far"}]}`},
		{Name: "within 1 km, limit 1", Setup: shops, Method: "POST", URL: "/v1/db/shops/query", As: alice,
			Body: `{"filter":` + nearSportsCentre(`,"$maxDistance":1000`) + `,"limit":1,"projection":{"_id":1}}`, Status: 200,
			Equal: `{"data":[{"_id":"s1"}]}`},
		{Name: "between 500 m and 3 km, noodles", Setup: shops, Method: "POST", URL: "/v1/db/shops/query", As: alice,
			Body: `{"filter":{"kind":"noodles","location":{"$nearSphere":{"$geometry":` + point("113.3245", "23.1365") +
				`,"$minDistance":500,"$maxDistance":3000}}},"projection":{"_id":1}}`, Status: 200,
			Equal: `{"data":[{"_id":"s2"}]}`},
		{Name: "count within 1 km", Setup: shops, Method: "POST", URL: "/v1/db/shops/count", As: alice,
			Body: `{"filter":` + nearSportsCentre(`,"$maxDistance":1000`) + `}`, Status: 200, Equal: `{"total":2}`},
		{Name: "within a polygon", Setup: shops, Method: "POST", URL: "/v1/db/shops/query", As: alice,
			Body:   `{"filter":{"location":{"$geoWithin":{"$geometry":{"type":"Polygon","coordinates":[[[113.32,23.13],[113.34,23.13],[113.34,23.145],[113.32,23.145],[113.32,23.13]]]}}}},"sort":[["_id",1]],"projection":{"_id":1}}`,
			Status: 200, Equal: `{"data":[{"_id":"s1"},{"_id":"s2"}]}`},
		{Name: "within a circle", Setup: shops, Method: "POST", URL: "/v1/db/shops/query", As: alice,
			Body:   `{"filter":{"location":{"$geoWithin":{"$centerSphere":[[113.3245,23.1365],0.0005]}}},"sort":[["_id",1]],"projection":{"_id":1}}`,
			Status: 200, Equal: `{"data":[{"_id":"s1"},{"_id":"s2"},{"_id":"s3"}]}`},
		{Name: "intersects a line", Setup: shops, Method: "POST", URL: "/v1/db/shops/query", As: alice,
			Body:   `{"filter":{"location":{"$geoIntersects":{"$geometry":{"type":"LineString","coordinates":[[113.3260,23.1350],[113.3300,23.1400]]}}}},"sort":[["_id",1]],"projection":{"_id":1}}`,
			Status: 200, Equal: `{"data":[{"_id":"s1"},{"_id":"s2"}]}`},
		{Name: "geoNear without a 2dsphere index", Setup: []servertest.Request{badShop}, Method: "POST", URL: "/v1/db/plain/query", As: asAdmin,
			Body: `{"filter":` + nearSportsCentre("") + `}`, Status: 400,
			Want:  `{"code":"DATABASE_INVALID_OPERRATOR","errCode":-502002}`,
			After: messageHas(`needs a 2dsphere index on "location"`)},
		{Name: "geoWithin without an index scans", Setup: []servertest.Request{badShop}, Method: "POST", URL: "/v1/db/plain/query", As: asAdmin,
			Body: `{"filter":{"location":{"$geoWithin":{"$centerSphere":[[1,2],0.01]}}},"projection":{"_id":1}}`, Status: 200,
			Equal: `{"data":[{"_id":"ok"}]}`},
		{Name: "invalid GeoJSON", Setup: shops, Method: "POST", URL: "/v1/db/shops/query", As: alice,
			Body:   `{"filter":{"location":{"$geoWithin":{"$geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}}}}}`,
			Status: 400, Want: `{"code":"DATABASE_INVALID_OPERRATOR","errCode":-502002}`, After: messageHas("a ring must end where it starts")},
		{Name: "a latitude out of range", Setup: shops, Method: "POST", URL: "/v1/db/shops/query", As: alice,
			Body: `{"filter":` + `{"location":{"$nearSphere":{"$geometry":` + point("113", "123") + `}}}` + `}`, Status: 400,
			After: messageHas("latitude 123 is out of range")},
		{Name: "a location the index cannot file is refused", Setup: shops, Method: "POST", URL: "/v1/db/shops/insert", As: asAdmin,
			Body: `{"data":[{"_id":"s4","location":` + point("113.3", "23.1") + `},{"_id":"s5","location":[113.3]}]}`, Status: 400,
			Want:  `{"code":"INVALID_PARAM","errCode":-501007}`,
			After: servertest.Then(count("shops", `{}`, 4))},
		{Name: "a 2dsphere index over a location it cannot file", Setup: []servertest.Request{badShop}, Method: "POST",
			URL: "/v1/admin/collections/plain/indexes", Body: `{"keys":[{"path":"location","type":"2dsphere"}]}`, As: asAdmin, Status: 400,
			Want: `{"code":"INVALID_PARAM"}`, After: messageHas(`cannot create the 2dsphere index on "location"`)},
		{Name: "a compound 2dsphere index", Setup: shops, Method: "POST", URL: "/v1/admin/collections/shops/indexes", As: asAdmin,
			Body: `{"keys":{"kind":1,"location":"2dsphere"}}`, Status: 400, Want: `{"code":"INVALID_PARAM"}`,
			After: messageHas("compound 2dsphere indexes are not supported")},
		{Name: "another index type", Setup: shops, Method: "POST", URL: "/v1/admin/collections/shops/indexes", As: asAdmin,
			Body: `{"keys":{"location":"2d"}}`, Status: 400, Want: `{"code":"INVALID_PARAM"}`, After: messageHas(`"2dsphere"`)},
	})
}

// TestGeoAPIPrivate: under PRIVATE a user's "near me" sees only their
// own documents, still nearest first.
func TestGeoAPIPrivate(t *testing.T) {
	mine := func(id, lng string, as servertest.Identity) servertest.Request {
		return servertest.Request{Method: "POST", URL: "/v1/db/spots/insert", As: as,
			Body: `{"data":{"_id":"` + id + `","location":` + point(lng, "0") + `}}`}
	}
	setup := []servertest.Request{
		byAdmin("POST", "/v1/admin/collections", `{"name":"spots"}`), // PRIVATE, the default
		byAdmin("POST", "/v1/admin/collections/spots/indexes", `{"keys":{"location":"2dsphere"}}`),
		mine("a2", "0.02", alice), mine("b1", "0.001", bob), mine("a1", "0.01", alice), mine("a3", "0.03", alice),
	}
	servertest.Run(t, []servertest.Scenario{
		{Name: "alice's nearest", Setup: setup, Method: "POST", URL: "/v1/db/spots/query", As: alice,
			Body:   `{"filter":{"location":{"$nearSphere":{"$geometry":` + point("0", "0") + `}}},"limit":2,"projection":{"_id":1}}`,
			Status: 200, Equal: `{"data":[{"_id":"a1"},{"_id":"a2"}]}`},
	})
}

// TestGeoNearAPI: the $geoNear aggregation stage over HTTP, as
// aggregate().geoNear() sends it: the shops nearest first with their
// distances in metres (the haversine distances from the sports centre:
// s1 226.8 m, s2 684.7 m, s3 3011.9 m), then the stages after it; and the
// errors for a missing index and for a stage that is not the first.
func TestGeoNearAPI(t *testing.T) {
	geoNear := func(opts, rest string) string {
		return `{"pipeline":[{"$geoNear":{"near":` + point("113.3245", "23.1365") + `,"distanceField":"dist","spherical":true` + opts + `}}` + rest + `]}`
	}
	round := `,{"$project":{"m":{"$round":["$dist",1]}}}`
	servertest.Run(t, []servertest.Scenario{
		{Name: "nearest three with distances", Setup: shops, Method: "POST", URL: "/v1/db/shops/aggregate", As: alice,
			Body: geoNear("", `,{"$limit":3}`+round), Status: 200,
			Equal: `{"data":[{"_id":"s1","m":226.8},{"_id":"s2","m":684.7},{"_id":"s3","m":3011.9}]}`},
		{Name: "within 1 km, in kilometres, with the location", Setup: shops, Method: "POST", URL: "/v1/db/shops/aggregate", As: alice,
			Body: geoNear(`,"maxDistance":1000,"distanceMultiplier":0.001,"includeLocs":"at"`, `,{"$project":{"at":1,"km":{"$round":["$dist",3]}}}`), Status: 200,
			Equal: `{"data":[{"_id":"s1","at":` + point("113.326", "23.135") + `,"km":0.227},{"_id":"s2","at":` + point("113.33", "23.14") + `,"km":0.685}]}`},
		{Name: "the query narrows, the distances count after it", Setup: shops, Method: "POST", URL: "/v1/db/shops/aggregate", As: alice,
			Body:   geoNear(`,"query":{"kind":"noodles"}`, `,{"$group":{"_id":null,"nearest":{"$first":"$_id"},"total":{"$sum":"$dist"}}},{"$project":{"_id":0,"nearest":1,"km":{"$round":[{"$divide":["$total",1000]},1]}}}`),
			Status: 200, Equal: `{"data":[{"nearest":"s2","km":19}]}`},
		{Name: "without a 2dsphere index", Setup: []servertest.Request{byAdmin("POST", "/v1/db/plain/insert", `{"data":{"location":`+point("1", "2")+`}}`)},
			Method: "POST", URL: "/v1/db/plain/aggregate", As: asAdmin, Body: geoNear("", ""), Status: 400,
			Want: `{"code":"DATABASE_INVALID_OPERRATOR","errCode":-502002}`, After: messageHas("needs a 2dsphere index")},
		{Name: "not the first stage", Setup: shops, Method: "POST", URL: "/v1/db/shops/aggregate", As: alice,
			Body: `{"pipeline":[{"$match":{}},{"$geoNear":{"near":` + point("1", "2") + `,"distanceField":"d"}}]}`, Status: 400,
			Want: `{"code":"DATABASE_INVALID_OPERRATOR"}`, After: messageHas("$geoNear is only valid as the first stage in a pipeline")},
	})
}
