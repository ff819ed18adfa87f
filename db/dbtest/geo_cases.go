package dbtest

// geoGroups are the $geoWithin and $geoIntersects cases. Their semantics are
// MongoDB's 2dsphere ones (manual: "$geoWithin", "$geoIntersects",
// "GeoJSON Objects", "Geospatial Queries": edges are geodesics, a polygon is
// the smaller region its ring bounds whatever its winding, points on the
// boundary are within it). Every case runs with and without a 2dsphere
// index on loc, unless noIndex (a group with values no 2dsphere index takes).
var geoGroups = []geoGroup{
	{
		name: "within a square",
		docs: []string{
			`{"_id": "inside", "loc": {"type": "Point", "coordinates": [5, 5]}}`,
			`{"_id": "outside", "loc": {"type": "Point", "coordinates": [15, 5]}}`,
			// The equator and the meridians are great circles: these lie on edges.
			`{"_id": "on the equator edge", "loc": {"type": "Point", "coordinates": [5, 0]}}`,
			`{"_id": "on a meridian edge", "loc": {"type": "Point", "coordinates": [0, 5]}}`,
			`{"_id": "on a vertex", "loc": {"type": "Point", "coordinates": [10, 10]}}`,
			// The top edge from [10, 10] to [0, 10] is a great-circle arc that
			// bulges north to 10.037° at longitude 5: a flat polygon would leave
			// this point out.
			`{"_id": "under the arc", "loc": {"type": "Point", "coordinates": [5, 10.03]}}`,
			`{"_id": "over the arc", "loc": {"type": "Point", "coordinates": [5, 10.06]}}`,
			`{"_id": "legacy pair", "loc": [2, 3]}`,
			`{"_id": "line inside", "loc": {"type": "LineString", "coordinates": [[1, 1], [9, 9]]}}`,
			`{"_id": "line leaving", "loc": {"type": "LineString", "coordinates": [[5, 5], [15, 5]]}}`,
			`{"_id": "polygon inside", "loc": {"type": "Polygon", "coordinates": [[[1, 1], [2, 1], [2, 2], [1, 2], [1, 1]]]}}`,
			`{"_id": "polygon overlapping", "loc": {"type": "Polygon", "coordinates": [[[9, 9], [12, 9], [12, 12], [9, 12], [9, 9]]]}}`,
			`{"_id": "two locations", "loc": [{"type": "Point", "coordinates": [20, 20]}, {"type": "Point", "coordinates": [5, 5]}]}`,
			`{"_id": "multipoint inside", "loc": {"type": "MultiPoint", "coordinates": [[3, 3], [4, 4]]}}`,
			`{"_id": "multipoint half", "loc": {"type": "MultiPoint", "coordinates": [[3, 3], [40, 4]]}}`,
			`{"_id": "no loc"}`,
			`{"_id": "null loc", "loc": null}`,
		},
		cases: []queryCase{
			{"polygon", `{"loc": {"$geoWithin": {"$geometry": {"type": "Polygon", "coordinates": [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]]}}}}`,
				[]string{"inside", "on the equator edge", "on a meridian edge", "on a vertex", "under the arc", "legacy pair", "line inside", "polygon inside", "two locations", "multipoint inside"}},
			{"clockwise ring", `{"loc": {"$geoWithin": {"$geometry": {"type": "Polygon", "coordinates": [[[0, 0], [0, 10], [10, 10], [10, 0], [0, 0]]]}}}}`,
				[]string{"inside", "on the equator edge", "on a meridian edge", "on a vertex", "under the arc", "legacy pair", "line inside", "polygon inside", "two locations", "multipoint inside"}},
			{"polygon with a hole", `{"loc": {"$geoWithin": {"$geometry": {"type": "Polygon", "coordinates": [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]], [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]]]}}}}`,
				[]string{"on the equator edge", "on a meridian edge", "on a vertex", "under the arc", "legacy pair", "polygon inside", "multipoint inside"}},
			{"multipolygon", `{"loc": {"$geoWithin": {"$geometry": {"type": "MultiPolygon", "coordinates": [[[[19, 19], [21, 19], [21, 21], [19, 21], [19, 19]]], [[[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]]]]}}}}`,
				[]string{"inside", "two locations"}},
			{"centerSphere", `{"loc": {"$geoWithin": {"$centerSphere": [[5, 5], 0.001]}}}`,
				[]string{"inside", "two locations"}},
			{"centerSphere with a GeoJSON centre", `{"loc": {"$geoWithin": {"$centerSphere": [{"type": "Point", "coordinates": [2, 3]}, 0.001]}}}`,
				[]string{"legacy pair"}},
			{"centerSphere of the whole sphere", `{"loc": {"$geoWithin": {"$centerSphere": [[0, 0], 4]}}}`,
				[]string{"inside", "outside", "on the equator edge", "on a meridian edge", "on a vertex", "under the arc", "over the arc", "legacy pair", "line inside", "line leaving",
					"polygon inside", "polygon overlapping", "two locations", "multipoint inside", "multipoint half"}},
			{"nowhere", `{"loc": {"$geoWithin": {"$centerSphere": [[-100, -40], 0.001]}}}`, nil},
			{"with another condition", `{"_id": {"$in": ["inside", "outside", "no loc"]}, "loc": {"$geoWithin": {"$centerSphere": [[5, 5], 0.2]}}}`,
				[]string{"inside", "outside"}},
			{"not", `{"_id": {"$in": ["inside", "outside", "no loc"]}, "loc": {"$not": {"$geoWithin": {"$centerSphere": [[5, 5], 0.001]}}}}`,
				[]string{"outside", "no loc"}},
			{"or", `{"$or": [{"loc": {"$geoWithin": {"$centerSphere": [[5, 5], 0.001]}}}, {"_id": "no loc"}]}`,
				[]string{"inside", "two locations", "no loc"}},
		},
	},
	{
		name: "across the antimeridian",
		docs: []string{
			`{"_id": "east", "loc": {"type": "Point", "coordinates": [179.5, 0.5]}}`,
			`{"_id": "west", "loc": {"type": "Point", "coordinates": [-179.5, 0.5]}}`,
			`{"_id": "on it", "loc": {"type": "Point", "coordinates": [180, 0]}}`,
			`{"_id": "on it, negative", "loc": {"type": "Point", "coordinates": [-180, -0.5]}}`,
			`{"_id": "far", "loc": {"type": "Point", "coordinates": [0, 0]}}`,
			`{"_id": "160", "loc": {"type": "Point", "coordinates": [160, 0]}}`,
			`{"_id": "line across", "loc": {"type": "LineString", "coordinates": [[179, 1], [-179, 1]]}}`,
		},
		cases: []queryCase{
			{"polygon", `{"loc": {"$geoWithin": {"$geometry": {"type": "Polygon", "coordinates": [[[170, -10], [-170, -10], [-170, 10], [170, 10], [170, -10]]]}}}}`,
				[]string{"east", "west", "on it", "on it, negative", "line across"}},
			{"clockwise", `{"loc": {"$geoWithin": {"$geometry": {"type": "Polygon", "coordinates": [[[170, -10], [170, 10], [-170, 10], [-170, -10], [170, -10]]]}}}}`,
				[]string{"east", "west", "on it", "on it, negative", "line across"}},
			{"centerSphere", `{"loc": {"$geoWithin": {"$centerSphere": [[180, 0], 0.0175]}}}`,
				[]string{"east", "west", "on it", "on it, negative"}},
			{"intersects a line across", `{"loc": {"$geoIntersects": {"$geometry": {"type": "LineString", "coordinates": [[180, 2], [180, -2]]}}}}`,
				[]string{"on it", "on it, negative", "line across"}},
		},
	},
	{
		name: "around the north pole",
		docs: []string{
			`{"_id": "pole", "loc": {"type": "Point", "coordinates": [0, 90]}}`,
			`{"_id": "89", "loc": {"type": "Point", "coordinates": [45, 89]}}`,
			// The ring's edges join points of latitude 80 90° apart: arcs that
			// reach 82.9° midway, at longitude 45.
			`{"_id": "inside the arc", "loc": {"type": "Point", "coordinates": [45, 83.5]}}`,
			`{"_id": "outside the arc", "loc": {"type": "Point", "coordinates": [45, 82.5]}}`,
			`{"_id": "by a vertex", "loc": {"type": "Point", "coordinates": [0, 80.5]}}`,
			`{"_id": "70", "loc": {"type": "Point", "coordinates": [0, 70]}}`,
			`{"_id": "south pole", "loc": {"type": "Point", "coordinates": [0, -90]}}`,
		},
		cases: []queryCase{
			{"polygon", `{"loc": {"$geoWithin": {"$geometry": {"type": "Polygon", "coordinates": [[[0, 80], [90, 80], [180, 80], [-90, 80], [0, 80]]]}}}}`,
				[]string{"pole", "89", "inside the arc", "by a vertex"}},
			{"centerSphere", `{"loc": {"$geoWithin": {"$centerSphere": [[0, 90], 0.17453]}}}`,
				[]string{"pole", "89", "inside the arc", "outside the arc", "by a vertex"}},
			{"intersects the pole", `{"loc": {"$geoIntersects": {"$geometry": {"type": "Point", "coordinates": [123, 90]}}}}`,
				[]string{"pole"}},
		},
	},
	{
		name: "intersects delivery zones",
		docs: []string{
			`{"_id": "zone A", "loc": {"type": "Polygon", "coordinates": [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]]}}`,
			`{"_id": "zone B", "loc": {"type": "Polygon", "coordinates": [[[20, 0], [30, 0], [30, 10], [20, 10], [20, 0]]]}}`,
			`{"_id": "zones C", "loc": {"type": "MultiPolygon", "coordinates": [[[[40, 0], [41, 0], [41, 1], [40, 1], [40, 0]]], [[[50, 0], [51, 0], [51, 1], [50, 1], [50, 0]]]]}}`,
			`{"_id": "road", "loc": {"type": "LineString", "coordinates": [[-5, 5], [5, 5]]}}`,
			`{"_id": "far road", "loc": {"type": "LineString", "coordinates": [[60, 40], [70, 50]]}}`,
			`{"_id": "shop", "loc": {"type": "Point", "coordinates": [5, 5]}}`,
			`{"_id": "shop B", "loc": {"type": "Point", "coordinates": [25, 5]}}`,
			`{"_id": "chain", "loc": {"type": "MultiPoint", "coordinates": [[100, 0], [25, 5]]}}`,
		},
		cases: []queryCase{
			{"point in zone A", `{"loc": {"$geoIntersects": {"$geometry": {"type": "Point", "coordinates": [5, 5]}}}}`,
				[]string{"zone A", "road", "shop"}},
			{"point in zone B", `{"loc": {"$geoIntersects": {"$geometry": {"type": "Point", "coordinates": [25, 5]}}}}`,
				[]string{"zone B", "shop B", "chain"}},
			{"point in a multipolygon", `{"loc": {"$geoIntersects": {"$geometry": {"type": "Point", "coordinates": [50.5, 0.5]}}}}`,
				[]string{"zones C"}},
			{"point between zones", `{"loc": {"$geoIntersects": {"$geometry": {"type": "Point", "coordinates": [15, 5]}}}}`, nil},
			{"line into zone A", `{"loc": {"$geoIntersects": {"$geometry": {"type": "LineString", "coordinates": [[-1, -1], [1, 1]]}}}}`,
				[]string{"zone A"}},
			{"line crossing the road", `{"loc": {"$geoIntersects": {"$geometry": {"type": "LineString", "coordinates": [[-3, 0], [-3, 9]]}}}}`,
				[]string{"road"}},
			{"line to shop B", `{"loc": {"$geoIntersects": {"$geometry": {"type": "LineString", "coordinates": [[15, 5], [25, 5]]}}}}`,
				[]string{"zone B", "shop B", "chain"}},
			{"strip across", `{"loc": {"$geoIntersects": {"$geometry": {"type": "Polygon", "coordinates": [[[4, 4], [26, 4], [26, 6], [4, 6], [4, 4]]]}}}}`,
				[]string{"zone A", "zone B", "road", "shop", "shop B", "chain"}},
			{"multipoint", `{"loc": {"$geoIntersects": {"$geometry": {"type": "MultiPoint", "coordinates": [[5, 5], [40.5, 0.5]]}}}}`,
				[]string{"zone A", "zones C", "road", "shop"}},
		},
	},
	{
		name:    "values that are not geometries",
		noIndex: true,
		docs: []string{
			`{"_id": "point", "loc": {"type": "Point", "coordinates": [5, 5]}}`,
			`{"_id": "string", "loc": "5,5"}`,
			`{"_id": "number", "loc": 5}`,
			`{"_id": "three numbers", "loc": [5, 5, 5]}`,
			`{"_id": "out of range", "loc": [5, 95]}`,
			`{"_id": "unknown type", "loc": {"type": "Circle", "coordinates": [5, 5]}}`,
			`{"_id": "bad coordinates", "loc": {"type": "Point", "coordinates": "5,5"}}`,
		},
		cases: []queryCase{
			{"only geometries match", `{"loc": {"$geoWithin": {"$centerSphere": [[5, 5], 0.01]}}}`, []string{"point"}},
			{"or intersects", `{"loc": {"$geoIntersects": {"$geometry": {"type": "Point", "coordinates": [5, 5]}}}}`, []string{"point"}},
		},
	},
}

// geoGroup is a set of documents with geometries at loc and the geo
// queries run on them.
type geoGroup struct {
	name    string
	docs    []string
	cases   []queryCase
	noIndex bool
}
