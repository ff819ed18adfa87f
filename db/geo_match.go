package db

import (
	"math"

	"github.com/golang/geo/s1"
	"github.com/golang/geo/s2"
)

// The predicates below follow MongoDB's 2dsphere semantics: a point lies in
// a polygon when the polygon contains it or touches the leaf S2 cell (about
// a centimetre) it falls in, so points on a polygon's edges and vertices
// are inside it; $geoWithin needs every part of a stored geometry inside
// one of the query's polygons; $geoIntersects needs some part of it to meet
// some part of the query's geometry.

// geoRegion is the operand of $geoWithin: polygons, or a spherical cap
// ($centerSphere).
type geoRegion struct {
	polys []*s2.Polygon
	cap   s2.Cap
	isCap bool
}

// within reports whether every part of g lies in r.
func (r *geoRegion) within(g *geometry) bool {
	if len(g.points)+len(g.lines)+len(g.polys) == 0 {
		return false
	}
	for _, p := range g.points {
		if !r.anyPoly(func(q *s2.Polygon) bool { return polyTouchesPoint(q, p) }, func(c s2.Cap) bool { return c.ContainsPoint(p) }) {
			return false
		}
	}
	for _, l := range g.lines {
		if !r.anyPoly(func(q *s2.Polygon) bool { return polyContainsLine(q, l) }, func(c s2.Cap) bool { return capContainsEdges(c, *l, false) }) {
			return false
		}
	}
	for _, p := range g.polys {
		if !r.anyPoly(func(q *s2.Polygon) bool { return q.Contains(p) }, func(c s2.Cap) bool { return capContainsPolygon(c, p) }) {
			return false
		}
	}
	return true
}

// anyPoly applies inPoly to each of r's polygons until one holds, or inCap
// to r's cap.
func (r *geoRegion) anyPoly(inPoly func(*s2.Polygon) bool, inCap func(s2.Cap) bool) bool {
	if r.isCap {
		return inCap(r.cap)
	}
	for _, q := range r.polys {
		if inPoly(q) {
			return true
		}
	}
	return false
}

// leafCell is the smallest S2 cell around p: MongoDB's tolerance for a point
// on an edge.
func leafCell(p s2.Point) s2.Cell { return s2.CellFromPoint(p) }

// polyTouchesPoint reports whether p is inside q or on its boundary.
func polyTouchesPoint(q *s2.Polygon, p s2.Point) bool {
	return q.ContainsPoint(p) || q.IntersectsCell(leafCell(p))
}

// polyContainsLine reports whether the line lies in q: its vertices and the
// middle of each of its edges are in q (boundary included), and no edge
// crosses q's boundary. The middles catch an edge that leaves q between two
// vertices on its boundary.
func polyContainsLine(q *s2.Polygon, l *s2.Polyline) bool {
	pts := *l
	for i, p := range pts {
		if !polyTouchesPoint(q, p) {
			return false
		}
		if i > 0 && !polyTouchesPoint(q, s2.Interpolate(0.5, pts[i-1], p)) {
			return false
		}
	}
	for i := 1; i < len(pts); i++ {
		if edgeCrossesPoly(q, pts[i-1], pts[i], s2.Cross) {
			return false
		}
	}
	return true
}

// edgeCrossesPoly reports whether the edge ab crosses an edge of q: at a
// point inside both edges (want s2.Cross), or also at a shared vertex
// (want s2.MaybeCross).
func edgeCrossesPoly(q *s2.Polygon, a, b s2.Point, want s2.Crossing) bool {
	for _, l := range q.Loops() {
		n := l.NumVertices()
		c := s2.NewChainEdgeCrosser(a, b, l.Vertex(0))
		for i := 1; i <= n; i++ {
			switch c.ChainCrossingSign(l.Vertex(i)) {
			case s2.Cross:
				return true
			case s2.MaybeCross:
				if want == s2.MaybeCross {
					return true
				}
			}
		}
	}
	return false
}

// capContainsEdges reports whether every point of the chain of edges
// through pts (closed: back to the first) lies in c: no point of an edge is
// nearer to the cap's antipode than π minus its radius.
func capContainsEdges(c s2.Cap, pts []s2.Point, closed bool) bool {
	if c.IsFull() {
		return true
	}
	anti := s2.Point{Vector: c.Center().Mul(-1)}
	limit := s1.Angle(math.Pi) - c.Radius()
	n := len(pts)
	if n == 1 {
		return c.ContainsPoint(pts[0])
	}
	last := n - 1
	if closed {
		last = n
	}
	for i := 0; i < last; i++ {
		if s2.DistanceFromSegment(anti, pts[i], pts[(i+1)%n]) < limit {
			return false
		}
	}
	return true
}

// capContainsPolygon reports whether p lies in c: its boundary does, and it
// does not wrap around the cap's antipode.
func capContainsPolygon(c s2.Cap, p *s2.Polygon) bool {
	if c.IsFull() {
		return true
	}
	for _, l := range p.Loops() {
		if !capContainsEdges(c, l.Vertices(), true) {
			return false
		}
	}
	return !p.ContainsPoint(s2.Point{Vector: c.Center().Mul(-1)})
}

// intersects reports whether some part of g meets some part of q.
func (q *geometry) intersects(g *geometry) bool {
	for _, p := range g.points {
		if q.touchesPoint(p) {
			return true
		}
	}
	for _, l := range g.lines {
		if q.touchesLine(l) {
			return true
		}
	}
	for _, p := range g.polys {
		if q.touchesPolygon(p) {
			return true
		}
	}
	return false
}

func (q *geometry) touchesPoint(p s2.Point) bool {
	cell := leafCell(p)
	for _, o := range q.points {
		if leafCell(o).ID() == cell.ID() {
			return true
		}
	}
	for _, l := range q.lines {
		if l.IntersectsCell(cell) {
			return true
		}
	}
	for _, poly := range q.polys {
		if polyTouchesPoint(poly, p) {
			return true
		}
	}
	return false
}

func (q *geometry) touchesLine(l *s2.Polyline) bool {
	for _, p := range q.points {
		if l.IntersectsCell(leafCell(p)) {
			return true
		}
	}
	for _, o := range q.lines {
		if l.Intersects(o) {
			return true
		}
	}
	for _, poly := range q.polys {
		if lineTouchesPoly(poly, l) {
			return true
		}
	}
	return false
}

// lineTouchesPoly reports whether some point of l is in poly or on its
// boundary.
func lineTouchesPoly(poly *s2.Polygon, l *s2.Polyline) bool {
	pts := *l
	for _, p := range pts {
		if polyTouchesPoint(poly, p) {
			return true
		}
	}
	for i := 1; i < len(pts); i++ {
		if edgeCrossesPoly(poly, pts[i-1], pts[i], s2.MaybeCross) {
			return true
		}
	}
	return false
}

func (q *geometry) touchesPolygon(p *s2.Polygon) bool {
	for _, o := range q.points {
		if polyTouchesPoint(p, o) {
			return true
		}
	}
	for _, l := range q.lines {
		if lineTouchesPoly(p, l) {
			return true
		}
	}
	for _, o := range q.polys {
		if o.Intersects(p) {
			return true
		}
	}
	return false
}

// distance is the angle from c to the nearest point of g: 0 inside a
// polygon.
func (g *geometry) distance(c s2.Point) s1.Angle {
	best := s1.InfAngle()
	for _, p := range g.points {
		best = min(best, c.Distance(p))
	}
	for _, l := range g.lines {
		pts := *l
		for i := 1; i < len(pts); i++ {
			best = min(best, s2.DistanceFromSegment(c, pts[i-1], pts[i]))
		}
	}
	for _, p := range g.polys {
		if p.ContainsPoint(c) {
			return 0
		}
		for _, l := range p.Loops() {
			n := l.NumVertices()
			for i := range n {
				best = min(best, s2.DistanceFromSegment(c, l.Vertex(i), l.Vertex(i+1)))
			}
		}
	}
	return best
}
