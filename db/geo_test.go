package db

import (
	"math"
	"strings"
	"testing"
)

// square is a Polygon's coordinates with the ring a user wrote.
func square(ring string) string {
	return `{$geoWithin: {$geometry: {type: "Polygon", coordinates: [` + ring + `]}}}`
}

// TestGeoFilterErrors: a geo condition that is not valid GeoJSON, or not
// what the operator takes, is refused with a message that says what to fix.
func TestGeoFilterErrors(t *testing.T) {
	many := "[" + strings.Repeat("[1, 1],", MaxGeoPositions) + "[1, 1]]"
	tests := []struct{ filter, msg string }{
		{`{loc: ` + square(`[[0, 0], [1, 0], [1, 1], [0, 0.5]]`) + `}`, "a ring must end where it starts"},
		{`{loc: ` + square(`[[0, 0], [1, 0], [0, 0]]`) + `}`, "a ring needs at least 4 positions"},
		{`{loc: ` + square(`[[0, 0], [1, 0], [1, 0], [0, 0]]`) + `}`, "at least three different positions"},
		{`{loc: ` + square(`[[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]`) + `}`, "edges 0 and 2 cross"},
		{`{loc: ` + square(`[[0, 0], [2, 0], [1, 1], [2, 2], [0, 2], [1, 1], [0, 0]]`) + `}`, "cross"},
		{`{loc: ` + square(`[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]], [[5, 5], [6, 5], [6, 6], [5, 6], [5, 5]]`) + `}`, "ring 1 is not inside the first ring"},
		{`{loc: ` + square(`[[0, 0], [9, 0], [9, 9], [0, 9], [0, 0]], [[1, 1], [5, 1], [5, 5], [1, 5], [1, 1]], [[4, 4], [8, 4], [8, 8], [4, 8], [4, 4]]`) + `}`, "holes 1 and 2 overlap"},
		{`{loc: ` + square(`[[0, 0], [181, 0], [1, 1], [0, 0]]`) + `}`, "longitude 181 is out of range"},
		{`{loc: ` + square(`[[0, 0], [1, -91], [1, 1], [0, 0]]`) + `}`, "latitude -91 is out of range"},
		{`{loc: ` + square(`[[0, 0], [1, 0, 5], [1, 1], [0, 0]]`) + `}`, "a position must be [longitude, latitude]"},
		{`{loc: ` + square(`[[0, 0], [1, "0"], [1, 1], [0, 0]]`) + `}`, "[longitude, latitude] numbers"},
		{`{loc: ` + square(`"x"`) + `}`, "ring 0 is not an array"},
		{`{loc: {$geoWithin: {$geometry: {type: "Polygon", coordinates: []}}}}`, "at least one ring"},
		{`{loc: {$geoWithin: {$geometry: {type: "Polygon", coordinates: "x"}}}}`, "needs an array of coordinates"},
		{`{loc: {$geoWithin: {$geometry: {type: "Polygon"}}}}`, "needs an array of coordinates"},
		{`{loc: {$geoWithin: {$geometry: {coordinates: [1, 2]}}}}`, "needs a type"},
		{`{loc: {$geoWithin: {$geometry: {type: "Circle", coordinates: [1, 2]}}}}`, "unknown GeoJSON type \"Circle\""},
		{`{loc: {$geoWithin: {$geometry: {type: "Polygon", coordinates: [], crs: {type: "name"}}}}}`, "crs is not supported"},
		{`{loc: {$geoWithin: {$geometry: {type: "MultiPolygon", coordinates: []}}}}`, "MultiPolygon needs at least one member"},
		{`{loc: {$geoWithin: {$geometry: {type: "MultiPolygon", coordinates: [5]}}}}`, "member 0 is not an array"},
		{`{loc: {$geoWithin: {$geometry: {type: "Point", coordinates: [1, 2]}}}}`, "$geoWithin needs a Polygon or MultiPolygon"},
		{`{loc: {$geoWithin: {$geometry: "x"}}}`, "$geoWithin needs a GeoJSON $geometry"},
		{`{loc: {$geoWithin: {$geometry: {type: "MultiPoint", coordinates: ` + many + `}}}}`, "more than 10000 positions"},
		{`{loc: {$geoWithin: {$centerSphere: [[1, 2]]}}}`, "$centerSphere needs [[longitude, latitude], radius in radians]"},
		{`{loc: {$geoWithin: {$centerSphere: [[1, 2], -1]}}}`, "the radius must be a non-negative number"},
		{`{loc: {$geoWithin: {$centerSphere: [[1, 2], "1"]}}}`, "the radius must be a non-negative number"},
		{`{loc: {$geoWithin: {$centerSphere: [[1, 200], 1]}}}`, "latitude 200 is out of range"},
		{`{loc: {$geoWithin: {$centerSphere: [{type: "LineString", coordinates: [[1, 2], [3, 4]]}, 1]}}}`, "needs a GeoJSON Point"},
		{`{loc: {$geoWithin: {$box: [[0, 0], [1, 1]]}}}`, "flat (2d) query"},
		{`{loc: {$geoWithin: {$polygon: [[0, 0], [1, 1], [1, 0]]}}}`, "flat (2d) query"},
		{`{loc: {$geoWithin: {$circle: 1}}}`, "unknown $geoWithin shape $circle"},
		{`{loc: {$geoWithin: {$centerSphere: [[1, 2], 1], $geometry: {}}}}`, "$geoWithin needs one of"},
		{`{loc: {$geoIntersects: {type: "Point", coordinates: [1, 2]}}}`, "$geoIntersects needs {$geometry: GeoJSON}"},
		{`{loc: {$geoIntersects: {$geometry: {type: "LineString", coordinates: [[1, 2]]}}}}`, "a LineString needs at least 2 positions"},
		{`{loc: {$geoIntersects: {$geometry: {type: "LineString", coordinates: [[1, 2], [1, 2]]}}}}`, "two different positions"},
		{`{loc: {$geoIntersects: {$geometry: {type: "LineString", coordinates: [[0, 0], [180, 0]]}}}}`, "antipodal"},
		{`{loc: {$geoIntersects: {$geometry: {type: "MultiLineString", coordinates: [[[1, 2], [3, 4]], [[1, 2]]]}}}}`, "member 1: a LineString needs at least 2 positions"},
		{`{loc: {$geoIntersects: {$geometry: {type: "MultiPoint", coordinates: []}}}}`, "MultiPoint needs at least 1 positions"},
		{`{loc: {$nearSphere: {}}}`, "$nearSphere needs {$geometry"},
		{`{loc: {$nearSphere: "x"}}`, "$nearSphere needs {$geometry"},
		{`{loc: {$nearSphere: {$geometry: {type: "LineString", coordinates: [[1, 2], [3, 4]]}}}}`, "$nearSphere needs a GeoJSON Point"},
		{`{loc: {$nearSphere: {$geometry: {type: "Point", coordinates: [1, 95]}}}}`, "latitude 95 is out of range"},
		{`{loc: {$nearSphere: {$geometry: {type: "Point", coordinates: [1, 2]}, $maxDistance: -1}}}`, "$maxDistance must be a non-negative number"},
		{`{loc: {$nearSphere: {$geometry: {type: "Point", coordinates: [1, 2]}, $minDistance: "5"}}}`, "$minDistance must be a non-negative number"},
		{`{loc: {$nearSphere: {$geometry: {type: "Point", coordinates: [1, 2]}, $maxDistance: 5}, $maxDistance: 6}}`, "$maxDistance given twice"},
		{`{loc: {$nearSphere: {$geometry: {type: "Point", coordinates: [1, 2]}, $limit: 5}}}`, "unknown field \"$limit\" in $nearSphere"},
		{`{loc: {$nearSphere: [1, 2, 3]}}`, "a position must be [longitude, latitude]"},
		{`{loc: {$near: [1, 2]}}`, "flat (2d) query"},
		{`{loc: {$near: [1, 2], $nearSphere: [1, 2]}}`, "$near and $nearSphere on one field"},
		{`{loc: {$maxDistance: 5}}`, "$minDistance and $maxDistance need $nearSphere"},
		{`{a: {$nearSphere: [1, 2]}, b: {$nearSphere: [1, 2]}}`, "only one $nearSphere"},
		{`{$and: [{a: {$nearSphere: [1, 2]}}, {b: {$nearSphere: [1, 2]}}]}`, "only one $nearSphere"},
		{`{$or: [{a: {$nearSphere: [1, 2]}}, {b: 1}]}`, "not inside $or"},
		{`{a: {$not: {$nearSphere: [1, 2]}}}`, "not inside $or, $nor, $not or $elemMatch"},
		{`{a: {$elemMatch: {loc: {$nearSphere: [1, 2]}}}}`, "not inside $or, $nor, $not or $elemMatch"},
		{`{a: {$elemMatch: {$geoWithin: {$centerSphere: [[1, 2], 1]}}}}`, "$geoWithin needs a field"},
	}
	for _, tt := range tests {
		name := tt.filter
		if len(name) > 80 {
			name = name[:80]
		}
		t.Run(name, func(t *testing.T) {
			_, err := ParseFilter(decodeShell(t, tt.filter))
			if got := ErrorCode(err); got != CodeInvalidOperator {
				t.Fatalf("got code %q (%v), want %s", got, err, CodeInvalidOperator)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("got message %q, want it to contain %q", err.Error(), tt.msg)
			}
		})
	}
}

// TestNearForms: $nearSphere's two forms, and $near with GeoJSON, give
// the distances in the unit MongoDB gives them: metres for GeoJSON, radians
// for a legacy pair.
func TestNearForms(t *testing.T) {
	tests := []struct {
		filter   string
		min, max float64
		radians  bool
	}{
		{`{loc: {$nearSphere: {$geometry: {type: "Point", coordinates: [1, 2]}}}}`, 0, math.Inf(1), false},
		{`{loc: {$nearSphere: {$geometry: {type: "Point", coordinates: [1, 2]}, $minDistance: 10, $maxDistance: 2000}}}`, 10, 2000, false},
		{`{loc: {$near: {$geometry: {type: "Point", coordinates: [1, 2]}, $maxDistance: 5}}}`, 0, 5, false},
		{`{loc: {$nearSphere: {$geometry: {type: "Point", coordinates: [1, 2]}}, $maxDistance: 7}}`, 0, 7, false},
		{`{loc: {$nearSphere: [1, 2], $minDistance: 0.1, $maxDistance: 0.2}}`, 0.1, 0.2, true},
		{`{a: 1, $and: [{b: 2}, {loc: {$nearSphere: [1, 2]}}]}`, 0, math.Inf(1), true},
	}
	for _, tt := range tests {
		f, err := ParseFilter(decodeShell(t, tt.filter))
		if err != nil {
			t.Fatalf("%s: %v", tt.filter, err)
		}
		nr := f.Near()
		if nr == nil || nr.Path != "loc" || nr.Min != tt.min || nr.Max != tt.max || nr.Radians != tt.radians {
			t.Errorf("%s: Near() = %+v, want loc from %v to %v, radians %v", tt.filter, nr, tt.min, tt.max, tt.radians)
		}
	}
	if f := parseShell(t, `{loc: {$geoWithin: {$centerSphere: [[1, 2], 1]}}}`); f.Near() != nil {
		t.Errorf("Near() of a filter without $nearSphere: %+v", f.Near())
	}
}

// TestGeoKeys: what a 2dsphere index files, and the values it refuses.
func TestGeoKeys(t *testing.T) {
	ok := map[string]int{ // document → number of distinct keys
		`{_id: "a"}`:              0,
		`{_id: "a", loc: null}`:   0,
		`{_id: "a", loc: []}`:     0,
		`{_id: "a", loc: [1, 2]}`: 1,
		`{_id: "a", loc: {type: "Point", coordinates: [1, 2]}}`:                        1,
		`{_id: "a", loc: [{type: "Point", coordinates: [1, 2]}, [3, 4]]}`:              2,
		`{_id: "a", loc: {type: "MultiPoint", coordinates: [[1, 2], [1, 2], [5, 6]]}}`: 2,
	}
	for doc, n := range ok {
		keys, err := GeoKeys(decodeShell(t, doc).(Doc), "loc")
		if err != nil || len(keys) != n {
			t.Errorf("GeoKeys(%s) = %v, %v; want %d keys", doc, keys, err, n)
		}
	}
	poly, err := GeoKeys(decodeShell(t, `{_id: "a", loc: {type: "Polygon", coordinates: [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]]}}`).(Doc), "loc")
	if err != nil || len(poly) == 0 || len(poly) > storedCells {
		t.Errorf("GeoKeys of a polygon = %v, %v; want 1 to %d keys", poly, err, storedCells)
	}
	for _, doc := range []string{`{_id: "a", loc: "x"}`, `{_id: "a", loc: [200, 0]}`, `{_id: "a", loc: [1, 2, 3]}`, `{_id: "a", loc: {type: "Point"}}`} {
		_, err := GeoKeys(decodeShell(t, doc).(Doc), "loc")
		if ErrorCode(err) != CodeInvalidParam || !strings.Contains(err.Error(), "loc has a 2dsphere index") {
			t.Errorf("GeoKeys(%s): got %v, want an INVALID_PARAM error naming the index", doc, err)
		}
	}
}

// FuzzGeoFilter: no geo operand, valid or not, panics the parser or the
// matcher, or the index's key extraction.
func FuzzGeoFilter(f *testing.F) {
	for _, s := range []string{
		`{"loc": {"$geoWithin": {"$geometry": {"type": "Polygon", "coordinates": [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]]}}}}`,
		`{"loc": {"$geoWithin": {"$centerSphere": [[1, 2], 0.1]}}}`,
		`{"loc": {"$geoIntersects": {"$geometry": {"type": "MultiLineString", "coordinates": [[[1, 2], [3, 4]]]}}}}`,
		`{"loc": {"$nearSphere": {"$geometry": {"type": "Point", "coordinates": [1, 2]}, "$maxDistance": 10}}}`,
		`{"loc": {"$nearSphere": [1, 2], "$minDistance": 0.1}}`,
		`{"loc": {"$geoIntersects": {"$geometry": {"type": "MultiPolygon", "coordinates": [[[[0, 0], [1, 0], [1, 1], [0, 0]]]]}}}}`,
	} {
		f.Add(s, `{"_id": "a", "loc": {"type": "Polygon", "coordinates": [[[0, 0], [3, 0], [3, 3], [0, 3], [0, 0]]]}}`)
		f.Add(s, `{"_id": "a", "loc": [[1, 2], {"type": "LineString", "coordinates": [[0, 0], [5, 5]]}]}`)
	}
	f.Fuzz(func(t *testing.T, filter, doc string) {
		fv, err := DecodeJSON([]byte(filter), MaxDepth)
		if err != nil {
			return
		}
		dv, err := DecodeJSON([]byte(doc), MaxDepth)
		if err != nil {
			return
		}
		d, ok := dv.(Doc)
		if !ok {
			return
		}
		_, _ = GeoKeys(d, "loc")
		flt, err := ParseFilter(fv)
		if err != nil {
			return
		}
		flt.Match(d)
		if nr := flt.Near(); nr != nil {
			nr.Distance(d)
		}
		for _, n := range append([]*Node{flt.Root()}, flt.Root().Children...) {
			n.GeoKeyRanges(true)
		}
	})
}
