package db

import (
	"errors"
	"math"
	"slices"

	"github.com/golang/geo/s1"
	"github.com/golang/geo/s2"
)

// A 2dsphere index files each document under keys: the S2 cells of its
// geometries at the index's path (a point's leaf cell, about a centimetre;
// for a line or a polygon up to 8 cells covering it), as int64 numbers that
// sort as the cells do. A driver keeps them in an ordinary B-tree of (key,
// _id) and finds the documents a geo condition may match by the key ranges
// GeoKeyRanges gives: the cells covering the condition's region, each a
// range holding every cell inside it, and each of their ancestors, which
// large stored geometries are filed under. This is how MongoDB's 2dsphere
// index works, and what Google's S2 library is for.

// Coverings: a stored line or polygon is filed under at most storedCells
// cells; a query region is covered by at most queryCells.
const (
	storedCells = 8
	queryCells  = 16
)

// KeyRange is a closed range of 2dsphere index keys.
type KeyRange struct{ Lo, Hi int64 }

// key maps a cell id to an int64 that sorts as the cell ids do.
func key(id s2.CellID) int64 { return int64(uint64(id) ^ 1<<63) }

// GeoKeys returns the keys under which a 2dsphere index on path files doc:
// those of every geometry at path (GeoJSON, or a legacy [longitude,
// latitude] pair; an array holds several). It returns none when the path is
// missing or null, and an error (CodeInvalidParam) when it holds anything
// else, such as invalid GeoJSON: a document with a value a 2dsphere index
// cannot file is refused, as in MongoDB.
func GeoKeys(doc Doc, path string) ([]int64, error) {
	segs, index := pathSegs(path)
	var keys []int64
	var bad error
	geoValues(doc, segs, index, 0, func(v any) {
		if bad != nil || v == nil {
			return
		}
		g, err := indexedGeometry(v)
		if err != nil {
			bad = Errorf(CodeInvalidParam, "document %q: %s has a 2dsphere index: %v", doc.ID(), path, err)
			return
		}
		keys = append(keys, g.keys()...)
	})
	if bad != nil {
		return nil, bad
	}
	slices.Sort(keys)
	return slices.Compact(keys), nil
}

// indexedGeometry reads a value at a 2dsphere-indexed path.
func indexedGeometry(v any) (*geometry, error) {
	switch x := v.(type) {
	case Doc:
		return parseGeoJSON(x)
	case []any:
		if isPair(x) {
			p, err := position(x)
			if err != nil {
				return nil, err
			}
			return &geometry{points: []s2.Point{p}}, nil
		}
	}
	return nil, errNotGeometry
}

var errNotGeometry = errors.New("the value is not a GeoJSON geometry or a [longitude, latitude] pair")

// keys are the index keys of g.
func (g *geometry) keys() []int64 {
	var out []int64
	for _, p := range g.points {
		out = append(out, key(leafCell(p).ID()))
	}
	rc := &s2.RegionCoverer{MaxLevel: s2.MaxLevel, MaxCells: storedCells}
	for _, l := range g.lines {
		for _, id := range rc.Covering(l) {
			out = append(out, key(id))
		}
	}
	for _, p := range g.polys {
		for _, id := range rc.Covering(p) {
			out = append(out, key(id))
		}
	}
	return out
}

// GeoPointKey reports whether key files a point (a leaf cell) rather than
// a cell of a line's or a polygon's covering. An index whose keys are all
// point keys needs no ancestor lookups (shapes false below).
func GeoPointKey(key int64) bool { return key&1 == 1 }

// GeoKeyRanges returns the key ranges under which a 2dsphere index on n's
// path files every document n may match, for $geoWithin, $geoIntersects
// and a $nearSphere with a $maxDistance; false for other nodes. shapes
// says whether the index may hold keys other than point keys (lines,
// polygons): only then are the covering cells' ancestors looked up.
func (n *Node) GeoKeyRanges(shapes bool) ([]KeyRange, bool) {
	var cu s2.CellUnion
	rc := &s2.RegionCoverer{MaxLevel: s2.MaxLevel, MaxCells: queryCells}
	switch x := n.Value.(type) {
	case *geoRegion:
		if x.isCap {
			cu = rc.Covering(x.cap)
			break
		}
		for _, p := range x.polys {
			cu = append(cu, rc.Covering(p)...)
		}
	case *geometry:
		for _, p := range x.points {
			cu = append(cu, leafCell(p).ID())
		}
		for _, l := range x.lines {
			cu = append(cu, rc.Covering(l)...)
		}
		for _, p := range x.polys {
			cu = append(cu, rc.Covering(p)...)
		}
	case *Near:
		if math.IsInf(x.Max, 1) {
			return nil, false
		}
		cu = rc.Covering(s2.CapFromCenterAngle(x.center, x.angle(x.Max)))
	default:
		return nil, false
	}
	cu.Normalize()
	return keyRanges(cu, shapes), true
}

// keyRanges are the ranges of keys that lie in the cells of cu (each
// cell's range of descendants) and, with shapes, that contain them (each
// of its ancestors alone).
func keyRanges(cu s2.CellUnion, shapes bool) []KeyRange {
	var out []KeyRange
	for _, id := range cu {
		out = append(out, KeyRange{key(id.RangeMin()), key(id.RangeMax())})
		for l := id.Level() - 1; shapes && l >= 0; l-- {
			a := key(id.Parent(l))
			out = append(out, KeyRange{a, a})
		}
	}
	slices.SortFunc(out, func(a, b KeyRange) int {
		if a.Lo != b.Lo {
			return cmpInt(a.Lo, b.Lo)
		}
		return cmpInt(a.Hi, b.Hi)
	})
	merged := out[:0]
	for _, r := range out {
		if n := len(merged); n > 0 && r.Lo <= merged[n-1].Hi {
			merged[n-1].Hi = max(merged[n-1].Hi, r.Hi)
			continue
		}
		merged = append(merged, r)
	}
	return merged
}

// NearScan reads a 2dsphere index outwards from a Near's centre, one ring
// at a time, for a driver that finds the nearest documents: each ring's key
// ranges hold every document whose geometry lies within the ring's outer
// radius and was not in an earlier ring's ranges (a document with several
// keys may come again).
type NearScan struct {
	n      *Near
	shapes bool
	done   s2.CellUnion
	radius s1.Angle
	end    s1.Angle
	last   bool
}

// firstRadius is the radius of a NearScan's first ring, in metres: a few
// shops around a street corner.
const firstRadius = 100

// Scan starts a NearScan of n over an index that may hold lines or
// polygons when shapes (see GeoKeyRanges).
func (n *Near) Scan(shapes bool) *NearScan {
	return &NearScan{n: n, shapes: shapes, end: n.angle(n.Max)}
}

// Next returns the key ranges of the next ring and its outer radius, in
// the Near's unit: once a driver has read them, it has seen every document
// from the centre out to that radius. found is how many wanted documents
// the driver has seen within the previous radius, want how many it wants:
// Next makes the ring as large as the density seen so far suggests. It
// reports false when the previous ring reached the Near's Max, or the
// whole sphere.
func (s *NearScan) Next(found, want int) ([]KeyRange, float64, bool) {
	if s.last {
		return nil, 0, false
	}
	r := s1.Angle(angleOf(firstRadius))
	if s.radius > 0 {
		grow := 4.0
		if found > 0 {
			grow = min(max(1.25*math.Sqrt(float64(want)/float64(found)), 1.5), 8)
		}
		r = s.radius * s1.Angle(grow)
	}
	if r >= s.end {
		r, s.last = s.end, true
	}
	cu := (&s2.RegionCoverer{MaxLevel: s2.MaxLevel, MaxCells: queryCells}).Covering(s2.CapFromCenterAngle(s.n.center, r))
	ring := s2.CellUnionFromDifference(cu, s.done)
	s.done = s2.CellUnionFromUnion(s.done, cu)
	s.radius = r
	if r >= math.Pi {
		s.last = true
	}
	return keyRanges(ring, s.shapes), s.n.distanceIn(r), true
}
