package db

import (
	"fmt"
	"math"

	"github.com/golang/geo/s2"
)

// Geo values are GeoJSON geometries (what db.Geo.* sends) or legacy
// [longitude, latitude] pairs, on a sphere: edges are great-circle arcs, as
// in MongoDB's 2dsphere index, whose semantics the geo operators follow.
// The geometry itself is github.com/golang/geo/s2 (Google's S2 library, the
// one MongoDB builds on).

// EarthRadius is the radius, in metres, of the sphere on which distances
// are measured: MongoDB's, so that $nearSphere and $geoNear give the
// distances a CloudBase user saw.
const EarthRadius = 6378100.0

// MaxGeoPositions bounds the positions of one geometry: in a query, and in a
// document at a path a 2dsphere index covers.
const MaxGeoPositions = 10000

// geometry is a parsed geometry: its points, lines and polygons on the unit
// sphere. A Polygon and a MultiPolygon's members are s2 polygons whose
// loops are normalized (each the smaller of the two regions its ring
// bounds, as MongoDB reads GeoJSON), holes inside their shells.
type geometry struct {
	points []s2.Point
	lines  []*s2.Polyline
	polys  []*s2.Polygon
}

// geoTypes are the GeoJSON geometry types minibase reads (wx.cloud's six).
var geoTypes = map[string]bool{
	"Point": true, "MultiPoint": true, "LineString": true, "MultiLineString": true, "Polygon": true, "MultiPolygon": true,
}

// isGeoJSON reports whether d looks like a GeoJSON geometry: a known "type"
// and "coordinates".
func isGeoJSON(d Doc) bool {
	t, _ := d.Get("type")
	s, ok := t.(string)
	_, hasCoords := d.Get("coordinates")
	return ok && geoTypes[s] && hasCoords
}

// storedGeometry reads a value of a document as a geometry: GeoJSON, or a
// legacy pair of two numbers. ok is false for anything else, and for
// invalid geometries (which match no geo condition, as in MongoDB without
// an index).
func storedGeometry(v any) (*geometry, bool) {
	switch x := v.(type) {
	case Doc:
		if !isGeoJSON(x) {
			return nil, false
		}
		g, err := parseGeoJSON(x)
		return g, err == nil
	case []any:
		if p, ok := legacyPoint(x); ok {
			return &geometry{points: []s2.Point{p}}, true
		}
	}
	return nil, false
}

// isPair reports whether arr is two numbers: a legacy [longitude,
// latitude] pair, or one out of range.
func isPair(arr []any) bool { return len(arr) == 2 && IsNumber(arr[0]) && IsNumber(arr[1]) }

// legacyPoint reads [longitude, latitude].
func legacyPoint(arr []any) (s2.Point, bool) {
	if !isPair(arr) {
		return s2.Point{}, false
	}
	p, err := position(arr)
	return p, err == nil
}

// parseGeoJSON reads a GeoJSON geometry. Errors say what is wrong in words
// a user can act on; callers give them their code.
func parseGeoJSON(d Doc) (*geometry, error) {
	t, _ := d.Get("type")
	typ, ok := t.(string)
	if !ok {
		return nil, fmt.Errorf("a GeoJSON geometry needs a type")
	}
	if _, ok := d.Get("crs"); ok {
		return nil, fmt.Errorf("GeoJSON crs is not supported: coordinates are WGS84 [longitude, latitude]")
	}
	c, ok := d.Get("coordinates")
	coords, isArr := c.([]any)
	if !ok || !isArr {
		return nil, fmt.Errorf("GeoJSON %s needs an array of coordinates", typ)
	}
	if n := countPositions(coords, 0); n > MaxGeoPositions {
		return nil, fmt.Errorf("GeoJSON %s has more than %d positions", typ, MaxGeoPositions)
	}
	g := &geometry{}
	var err error
	switch typ {
	case "Point":
		var p s2.Point
		if p, err = position(coords); err == nil {
			g.points = []s2.Point{p}
		}
	case "MultiPoint":
		g.points, err = positions(coords, "MultiPoint", 1)
	case "LineString":
		var l *s2.Polyline
		if l, err = lineString(coords); err == nil {
			g.lines = []*s2.Polyline{l}
		}
	case "MultiLineString":
		err = each(coords, "MultiLineString", func(v []any) error {
			l, err := lineString(v)
			g.lines = append(g.lines, l)
			return err
		})
	case "Polygon":
		var p *s2.Polygon
		if p, err = polygon(coords); err == nil {
			g.polys = []*s2.Polygon{p}
		}
	case "MultiPolygon":
		err = each(coords, "MultiPolygon", func(v []any) error {
			p, err := polygon(v)
			g.polys = append(g.polys, p)
			return err
		})
	default:
		return nil, fmt.Errorf("unknown GeoJSON type %q: use Point, MultiPoint, LineString, MultiLineString, Polygon or MultiPolygon", typ)
	}
	if err != nil {
		return nil, fmt.Errorf("invalid GeoJSON %s: %w", typ, err)
	}
	return g, nil
}

// countPositions counts the numbers in nested arrays, halved: an upper
// bound of the positions, computed before anything is built.
func countPositions(v []any, depth int) int {
	if depth > 4 {
		return 0
	}
	n := 0
	for _, e := range v {
		if a, ok := e.([]any); ok {
			n += countPositions(a, depth+1)
		} else {
			n++
		}
	}
	if depth == 0 {
		return (n + 1) / 2
	}
	return n
}

// each calls fn for every element of a Multi* geometry's coordinates,
// which must be arrays, at least one.
func each(coords []any, typ string, fn func([]any) error) error {
	if len(coords) == 0 {
		return fmt.Errorf("%s needs at least one member", typ)
	}
	for i, e := range coords {
		a, ok := e.([]any)
		if !ok {
			return fmt.Errorf("member %d is not an array", i)
		}
		if err := fn(a); err != nil {
			return fmt.Errorf("member %d: %w", i, err)
		}
	}
	return nil
}

// position reads [longitude, latitude] in degrees.
func position(v any) (s2.Point, error) {
	arr, ok := v.([]any)
	if !ok || len(arr) != 2 {
		return s2.Point{}, fmt.Errorf("a position must be [longitude, latitude]")
	}
	var c [2]float64
	for i, e := range arr {
		switch x := e.(type) {
		case int64:
			c[i] = float64(x)
		case float64:
			c[i] = x
		default:
			return s2.Point{}, fmt.Errorf("a position must be [longitude, latitude] numbers")
		}
	}
	lng, lat := c[0], c[1]
	if !(lng >= -180 && lng <= 180) {
		return s2.Point{}, fmt.Errorf("longitude %v is out of range: it must be from -180 to 180", lng)
	}
	if !(lat >= -90 && lat <= 90) {
		return s2.Point{}, fmt.Errorf("latitude %v is out of range: it must be from -90 to 90", lat)
	}
	if lng == -180 {
		lng = 180 // the same meridian: one point, not two a rounding error apart
	}
	return s2.PointFromLatLng(s2.LatLngFromDegrees(lat, lng)), nil
}

// positions reads an array of at least min positions.
func positions(v []any, what string, min int) ([]s2.Point, error) {
	if len(v) < min {
		return nil, fmt.Errorf("%s needs at least %d positions", what, min)
	}
	out := make([]s2.Point, len(v))
	for i, e := range v {
		p, err := position(e)
		if err != nil {
			return nil, fmt.Errorf("position %d: %w", i, err)
		}
		out[i] = p
	}
	return out, nil
}

// dedup drops repeated consecutive points (GeoJSON allows them; S2 does not).
func dedup(pts []s2.Point) []s2.Point {
	out := pts[:0:0]
	for i, p := range pts {
		if i == 0 || p != pts[i-1] {
			out = append(out, p)
		}
	}
	return out
}

// lineString reads a LineString's coordinates: at least two distinct
// positions, no edge between antipodal points (its arc would be undefined).
func lineString(v []any) (*s2.Polyline, error) {
	pts, err := positions(v, "a LineString", 2)
	if err != nil {
		return nil, err
	}
	pts = dedup(pts)
	if len(pts) < 2 {
		return nil, fmt.Errorf("a LineString needs at least two different positions")
	}
	if err := antipodal(pts, false); err != nil {
		return nil, err
	}
	l := s2.Polyline(pts)
	if err := l.Validate(); err != nil {
		return nil, err
	}
	return &l, nil
}

// polygon reads a Polygon's rings: the first is the shell, the others are
// holes inside it. Each ring is closed (its last position repeats the
// first), has at least three other distinct positions and does not cross
// itself; holes do not cross each other. A ring bounds two regions of the
// sphere: the polygon is the smaller one, whatever the ring's winding (as
// MongoDB reads GeoJSON), so a ring across the antimeridian is what it
// looks like on a map.
func polygon(rings []any) (*s2.Polygon, error) {
	if len(rings) == 0 {
		return nil, fmt.Errorf("a Polygon needs at least one ring")
	}
	loops := make([]*s2.Loop, len(rings))
	for i, r := range rings {
		arr, ok := r.([]any)
		if !ok {
			return nil, fmt.Errorf("ring %d is not an array of positions", i)
		}
		l, err := ring(arr)
		if err != nil {
			return nil, fmt.Errorf("ring %d: %w", i, err)
		}
		if i > 0 && !loops[0].ContainsNested(l) {
			return nil, fmt.Errorf("ring %d is not inside the first ring: rings after the first are holes", i)
		}
		for j := 1; j < i; j++ {
			if loops[j].Intersects(l) {
				return nil, fmt.Errorf("holes %d and %d overlap", j, i)
			}
		}
		loops[i] = l
	}
	p := s2.PolygonFromLoops(loops)
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return p, nil
}

// ring reads one closed ring into a normalized loop.
func ring(v []any) (*s2.Loop, error) {
	pts, err := positions(v, "a ring", 4)
	if err != nil {
		return nil, err
	}
	if pts[0] != pts[len(pts)-1] {
		return nil, fmt.Errorf("a ring must end where it starts")
	}
	pts = dedup(pts[:len(pts)-1])
	if len(pts) > 1 && pts[0] == pts[len(pts)-1] {
		pts = pts[:len(pts)-1]
	}
	if len(pts) < 3 {
		return nil, fmt.Errorf("a ring needs at least three different positions")
	}
	if err := antipodal(pts, true); err != nil {
		return nil, err
	}
	l := s2.LoopFromPoints(pts)
	if err := l.Validate(); err != nil {
		return nil, err
	}
	if i, j, ok := selfCrossing(l); ok {
		return nil, fmt.Errorf("edges %d and %d cross", i, j)
	}
	l.Normalize()
	return l, nil
}

// antipodal refuses an edge between (nearly) opposite points of the
// sphere: infinitely many great circles join them, so the edge has no
// shape.
func antipodal(pts []s2.Point, closed bool) error {
	n := len(pts)
	last := n - 1
	if closed {
		last = n
	}
	for i := 0; i < last; i++ {
		if pts[i].Distance(pts[(i+1)%n]) > math.Pi-1e-9 {
			return fmt.Errorf("positions %d and %d are antipodal: no one edge joins them", i, (i+1)%n)
		}
	}
	return nil
}

// selfCrossing finds two edges of l that are not neighbours and cross or
// touch (a repeated position touches).
func selfCrossing(l *s2.Loop) (int, int, bool) {
	n := l.NumEdges()
	if n <= 3 {
		return 0, 0, false // a triangle of distinct, non-antipodal vertices is simple
	}
	idx := s2.NewShapeIndex()
	idx.Add(l)
	q := s2.NewCrossingEdgeQuery(idx)
	for i := range n {
		e := l.Edge(i)
		for _, j := range q.Crossings(e.V0, e.V1, l, s2.CrossingTypeAll) {
			if j == i || j == (i+1)%n || i == (j+1)%n {
				continue
			}
			return min(i, j), max(i, j), true
		}
	}
	return 0, 0, false
}

// angleOf converts a distance in metres to an angle in radians on the
// Earth's sphere.
func angleOf(metres float64) float64 { return metres / EarthRadius }

// finite reports whether x is a finite number.
func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
