package db

import (
	"math"

	"github.com/golang/geo/s1"
	"github.com/golang/geo/s2"
)

// Near is a query's $nearSphere condition: it matches the documents that
// have a geometry at Path from Min to Max away from a centre, and orders a
// find nearest first (unless the find has a Sort, which then decides, as in
// MongoDB). Distances are measured on a sphere of EarthRadius, from the
// centre to the nearest point of a geometry (0 inside a polygon); a
// document with several geometries at Path is as near as the nearest of
// them that lies from Min to Max.
//
// A Driver finds the documents of a Near without a Sort nearest first, ties
// in _id order, and refuses a Near on a path without a 2dsphere index
// (CheckGeoIndex). The $geoNear aggregation stage runs as a find whose
// filter holds a Near (GeoNearStage).
type Near struct {
	// Path is the field holding the documents' locations.
	Path string
	// Min and Max bound the distance, in metres, or in radians when
	// Radians. Max is +Inf when the query sets none.
	Min, Max float64
	// Radians: the query gave its centre as a legacy [longitude, latitude]
	// pair, so its distances are in radians (MongoDB's rule), not metres.
	Radians bool

	center s2.Point
	segs   []string
	index  []int
}

// Near returns the filter's $nearSphere condition, or nil when it has none.
// ParseFilter allows at most one, as a condition of the whole query.
func (f *Filter) Near() *Near {
	var find func(n *Node) *Near
	find = func(n *Node) *Near {
		switch n.Op {
		case OpNear:
			return n.Value.(*Near)
		case OpAnd:
			for _, c := range n.Children {
				if nr := find(c); nr != nil {
					return nr
				}
			}
		}
		return nil
	}
	return find(f.Root())
}

// distanceIn converts an angle to n's unit.
func (n *Near) distanceIn(a s1.Angle) float64 {
	if n.Radians {
		return a.Radians()
	}
	return a.Radians() * EarthRadius
}

// angle converts a distance in n's unit to an angle.
func (n *Near) angle(d float64) s1.Angle {
	if math.IsInf(d, 1) {
		return s1.Angle(math.Pi)
	}
	if n.Radians {
		return s1.Angle(min(d, math.Pi))
	}
	return s1.Angle(min(angleOf(d), math.Pi))
}

// within reports the distance to one candidate value when it is a geometry
// from Min to Max away.
func (n *Near) within(v any) (float64, bool) {
	g, ok := storedGeometry(v)
	if !ok {
		return 0, false
	}
	d := n.distanceIn(g.distance(n.center))
	return d, d >= n.Min && d <= n.Max
}

// Distance returns the distance, in n's unit, from the centre to doc's
// nearest geometry at Path that lies from Min to Max away; false when none
// does.
func (n *Near) Distance(doc Doc) (float64, bool) {
	d, _, ok := n.nearest(doc)
	return d, ok
}

// nearest is Distance with the geometry's value.
func (n *Near) nearest(doc Doc) (float64, any, bool) {
	best, found := math.Inf(1), false
	var loc any
	geoValues(doc, n.segs, n.index, 0, func(v any) {
		if d, ok := n.within(v); ok && (!found || d < best) {
			best, loc, found = d, v, true
		}
	})
	return best, loc, found
}

// geoValues calls fn with each value a geo condition on the path looks at,
// following the path as Node.walk does: through documents, fanning out over
// the documents in arrays; at the end of the path a legacy [longitude,
// latitude] pair is one value, another array's elements are values.
func geoValues(v any, segs []string, index []int, i int, fn func(any)) {
	if i == len(segs) {
		if arr, ok := v.([]any); ok {
			if !isPair(arr) {
				for _, e := range arr {
					fn(e)
				}
				return
			}
		}
		fn(v)
		return
	}
	switch x := v.(type) {
	case Doc:
		if next, ok := x.Get(segs[i]); ok {
			geoValues(next, segs, index, i+1, fn)
		}
	case []any:
		if k := index[i]; k >= 0 && k < len(x) {
			geoValues(x[k], segs, index, i+1, fn)
		}
		for _, e := range x {
			if d, ok := e.(Doc); ok {
				geoValues(d, segs, index, i, fn)
			}
		}
	}
}

// CheckGeoIndex refuses a filter with a $nearSphere on a path that no
// 2dsphere index of indexes covers, as MongoDB does: finding the nearest
// documents without one would read the whole collection.
func CheckGeoIndex(f *Filter, indexes []Index) error {
	nr := f.Near()
	if nr == nil || GeoIndexed(indexes, nr.Path) {
		return nil
	}
	return Errorf(CodeInvalidOperator, "$nearSphere (geoNear) needs a 2dsphere index on %q: create one with {\"keys\": {%q: \"2dsphere\"}}", nr.Path, nr.Path)
}

// GeoIndexed reports whether a 2dsphere index of indexes covers path.
func GeoIndexed(indexes []Index, path string) bool {
	for _, idx := range indexes {
		if idx.Geo() && idx.Keys[0].Path == path {
			return true
		}
	}
	return false
}
