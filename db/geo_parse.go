package db

import (
	"math"

	"github.com/golang/geo/s1"
	"github.com/golang/geo/s2"
)

// geoOperator reports whether op is a geo query operator parseGeoOp takes,
// or one of $near's distance siblings.
func geoOperator(op string) bool {
	switch op {
	case "$near", "$nearSphere", "$minDistance", "$maxDistance", "$geoWithin", "$geoIntersects":
		return true
	}
	return false
}

// parseGeoOps parses the geo operators of one field's operator document:
// $geoWithin and $geoIntersects alone, $near or $nearSphere with
// $minDistance and $maxDistance beside them (the legacy form). The other
// operators of ops are the caller's.
func (p *filterParser) parseGeoOps(path string, ops Doc) ([]*Node, error) {
	var nodes []*Node
	var near *Field
	var minD, maxD *Field
	for i := range ops {
		f := &ops[i]
		switch f.Key {
		case "$geoWithin":
			r, err := parseGeoWithin(f.Value)
			if err != nil {
				return nil, err
			}
			n, err := p.add(&Node{Op: OpGeoWithin, Path: path, Value: r})
			if err != nil {
				return nil, err
			}
			nodes = append(nodes, n)
		case "$geoIntersects":
			g, err := parseGeometryOperand("$geoIntersects", f.Value)
			if err != nil {
				return nil, err
			}
			n, err := p.add(&Node{Op: OpGeoIntersects, Path: path, Value: g})
			if err != nil {
				return nil, err
			}
			nodes = append(nodes, n)
		case "$near", "$nearSphere":
			if near != nil {
				return nil, Errorf(CodeInvalidOperator, "%s and %s on one field: use one", near.Key, f.Key)
			}
			near = f
		case "$minDistance":
			minD = f
		case "$maxDistance":
			maxD = f
		}
	}
	if near == nil {
		if minD != nil || maxD != nil {
			return nil, Errorf(CodeInvalidOperator, "$minDistance and $maxDistance need $nearSphere")
		}
		return nodes, nil
	}
	nr, err := parseNear(path, near, minD, maxD)
	if err != nil {
		return nil, err
	}
	n, err := p.add(&Node{Op: OpNear, Path: path, Value: nr})
	if err != nil {
		return nil, err
	}
	nr.segs, nr.index = n.segs, n.index
	return append(nodes, n), nil
}

// parseNear parses $nearSphere (or $near, the same with GeoJSON): either
// {$geometry: Point, $minDistance, $maxDistance} in metres, or a legacy
// [longitude, latitude] centre with $minDistance and $maxDistance beside it
// in radians.
func parseNear(path string, near, minD, maxD *Field) (*Near, error) {
	nr := &Near{Path: path, Max: math.Inf(1)}
	var dists Doc // the GeoJSON form's own distances
	switch x := near.Value.(type) {
	case []any:
		if near.Key == "$near" {
			return nil, Errorf(CodeInvalidOperator, "$near with a [longitude, latitude] pair is a flat (2d) query, which minibase does not have: use $nearSphere, or $near with a GeoJSON $geometry")
		}
		c, err := position(x)
		if err != nil {
			return nil, Errorf(CodeInvalidOperator, "%s: %v", near.Key, err)
		}
		nr.center, nr.Radians = c, true
	case Doc:
		g, ok := x.Get("$geometry")
		if !ok {
			return nil, Errorf(CodeInvalidOperator, "%s needs {$geometry: {type: \"Point\", coordinates: [longitude, latitude]}} or a [longitude, latitude] pair", near.Key)
		}
		for _, f := range x {
			switch f.Key {
			case "$geometry":
			case "$minDistance", "$maxDistance":
				dists = append(dists, f)
			default:
				return nil, Errorf(CodeInvalidOperator, "unknown field %q in %s", f.Key, near.Key)
			}
		}
		c, err := nearCenter(near.Key, g)
		if err != nil {
			return nil, err
		}
		nr.center = c
	default:
		return nil, Errorf(CodeInvalidOperator, "%s needs {$geometry: {type: \"Point\", coordinates: [longitude, latitude]}} or a [longitude, latitude] pair", near.Key)
	}
	if minD != nil {
		dists = append(dists, *minD)
	}
	if maxD != nil {
		dists = append(dists, *maxD)
	}
	seen := map[string]bool{}
	for _, f := range dists {
		if seen[f.Key] {
			return nil, Errorf(CodeInvalidOperator, "%s given twice", f.Key)
		}
		seen[f.Key] = true
		d, ok := ToFloat(f.Value)
		if !ok || !finite(d) || d < 0 {
			return nil, Errorf(CodeInvalidOperator, "%s must be a non-negative number", f.Key)
		}
		if f.Key == "$minDistance" {
			nr.Min = d
		} else {
			nr.Max = d
		}
	}
	return nr, nil
}

// nearCenter reads the GeoJSON point at the centre of $nearSphere.
func nearCenter(op string, v any) (s2.Point, error) {
	d, ok := v.(Doc)
	if t, _ := d.Get("type"); !ok || t != "Point" {
		return s2.Point{}, Errorf(CodeInvalidOperator, "%s needs a GeoJSON Point as $geometry", op)
	}
	g, err := parseGeoJSON(d)
	if err != nil {
		return s2.Point{}, Errorf(CodeInvalidOperator, "%s: %v", op, err)
	}
	return g.points[0], nil
}

// parseGeoWithin parses {$geometry: Polygon | MultiPolygon} or
// {$centerSphere: [[longitude, latitude], radius in radians]}.
func parseGeoWithin(v any) (*geoRegion, error) {
	d, ok := v.(Doc)
	if !ok || len(d) != 1 {
		return nil, Errorf(CodeInvalidOperator, "$geoWithin needs one of {$geometry: Polygon or MultiPolygon} and {$centerSphere: [[longitude, latitude], radius]}")
	}
	switch d[0].Key {
	case "$geometry":
		g, err := parseGeometryOperand("$geoWithin", d[0].Value)
		if err != nil {
			return nil, err
		}
		if len(g.points) > 0 || len(g.lines) > 0 {
			return nil, Errorf(CodeInvalidOperator, "$geoWithin needs a Polygon or MultiPolygon $geometry")
		}
		return &geoRegion{polys: g.polys}, nil
	case "$centerSphere":
		return parseCenterSphere(d[0].Value)
	case "$box", "$center", "$polygon":
		return nil, Errorf(CodeInvalidOperator, "$geoWithin %s is a flat (2d) query, which minibase does not have: use $geometry or $centerSphere", d[0].Key)
	}
	return nil, Errorf(CodeInvalidOperator, "unknown $geoWithin shape %.64s: use $geometry or $centerSphere", d[0].Key)
}

// parseCenterSphere reads [centre, radius]: the centre as [longitude,
// latitude] or a GeoJSON point, the radius in radians (the distance
// divided by the Earth's radius).
func parseCenterSphere(v any) (*geoRegion, error) {
	const usage = "$centerSphere needs [[longitude, latitude], radius in radians]"
	arr, ok := v.([]any)
	if !ok || len(arr) != 2 {
		return nil, Errorf(CodeInvalidOperator, usage)
	}
	var c s2.Point
	var err error
	if d, isDoc := arr[0].(Doc); isDoc {
		c, err = nearCenter("$centerSphere", d)
	} else if c, err = position(arr[0]); err != nil {
		err = Errorf(CodeInvalidOperator, "$centerSphere: %v", err)
	}
	if err != nil {
		return nil, err
	}
	r, ok := ToFloat(arr[1])
	if !ok || !finite(r) || r < 0 {
		return nil, Errorf(CodeInvalidOperator, "%s; the radius must be a non-negative number", usage)
	}
	return &geoRegion{cap: s2.CapFromCenterAngle(c, s1.Angle(min(r, math.Pi))), isCap: true}, nil
}

// parseGeometryOperand reads {$geometry}'s GeoJSON for op.
func parseGeometryOperand(op string, v any) (*geometry, error) {
	if d, ok := v.(Doc); ok && op == "$geoIntersects" {
		if len(d) != 1 || d[0].Key != "$geometry" {
			return nil, Errorf(CodeInvalidOperator, "$geoIntersects needs {$geometry: GeoJSON}")
		}
		v = d[0].Value
	}
	d, ok := v.(Doc)
	if !ok {
		return nil, Errorf(CodeInvalidOperator, "%s needs a GeoJSON $geometry", op)
	}
	g, err := parseGeoJSON(d)
	if err != nil {
		return nil, Errorf(CodeInvalidOperator, "%s: %v", op, err)
	}
	return g, nil
}

// checkNearPlacement enforces MongoDB's rule for $nearSphere: at most one
// per query, as a condition of the whole query (at the top, or inside
// $and), since it orders the results.
func checkNearPlacement(root *Node) error {
	count := 0
	var walk func(n *Node, top bool) error
	walk = func(n *Node, top bool) error {
		if n.Op == OpNear {
			if !top {
				return Errorf(CodeInvalidOperator, "$nearSphere must be a condition of the whole query, not inside $or, $nor, $not or $elemMatch")
			}
			if count++; count > 1 {
				return Errorf(CodeInvalidOperator, "a query can have only one $nearSphere")
			}
		}
		for _, c := range n.Children {
			if err := walk(c, top && n.Op == OpAnd); err != nil {
				return err
			}
		}
		return nil
	}
	return walk(root, true)
}

// hasNear reports whether n or a node under it is a $nearSphere.
func hasNear(n *Node) bool {
	if n.Op == OpNear {
		return true
	}
	for _, c := range n.Children {
		if hasNear(c) {
			return true
		}
	}
	return false
}
