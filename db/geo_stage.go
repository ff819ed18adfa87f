package db

import "strings"

// GeoNearStage is a parsed $geoNear aggregation stage (MongoDB's, which
// wx-server-sdk's aggregate().geoNear() sends): the documents its query
// matches whose location under the key lies from minDistance to
// maxDistance from near, nearest first, each with its distance (times
// distanceMultiplier) at distanceField and, with includeLocs, the location
// it was measured to.
//
// It runs as a find: Filter is the stage's query with a $nearSphere on the
// key, so a Driver reads it nearest first from the key's 2dsphere index
// (see Near); the caller parses Filter as it parses any query (a client's
// with its read rule), finds without a Sort, and passes each document
// found through Annotate. The stage has no limit of its own: a following
// $limit (or the caller's cap) is the find's Limit.
type GeoNearStage struct {
	// Filter is the query document to find.
	Filter Doc
	// DistanceField is the path Annotate writes the distance at.
	DistanceField string
	// IncludeLocs, when set, is the path Annotate writes the location at.
	IncludeLocs string
	// Multiplier multiplies the distances (distanceMultiplier; default 1).
	Multiplier float64

	near *Near
}

// ParseGeoNearStage parses the value of a {$geoNear: …} stage:
// {near, distanceField, spherical?, minDistance?, maxDistance?, query?,
// distanceMultiplier?, includeLocs?, key?}. near is a GeoJSON point
// (distances in metres) or, with spherical: true, a legacy [longitude,
// latitude] pair (distances in radians, MongoDB's rule). Without key, the
// collection must have exactly one 2dsphere index among indexes, whose path
// is the key; with it, the key must have one. Errors are *Error values
// (CodeInvalidParam for the stage's shape, CodeInvalidOperator for its geo
// parts and a missing index).
func ParseGeoNearStage(v any, indexes []Index) (*GeoNearStage, error) {
	spec, ok := v.(Doc)
	if !ok {
		return nil, Errorf(CodeInvalidParam, "$geoNear needs a document of options")
	}
	m := map[string]any{}
	for _, f := range spec {
		switch f.Key {
		case "near", "distanceField", "spherical", "minDistance", "maxDistance", "query", "distanceMultiplier", "includeLocs", "key":
			m[f.Key] = f.Value
		case "num", "limit":
			return nil, Errorf(CodeInvalidParam, "$geoNear has no %s (MongoDB removed it): add a $limit stage after it", f.Key)
		default:
			return nil, Errorf(CodeInvalidParam, "unknown $geoNear option %q", f.Key)
		}
	}
	s := &GeoNearStage{Multiplier: 1}
	var err error
	if s.DistanceField, err = stagePath(m, "distanceField", true); err != nil {
		return nil, err
	}
	if s.IncludeLocs, err = stagePath(m, "includeLocs", false); err != nil {
		return nil, err
	}
	if x, ok := m["distanceMultiplier"]; ok {
		f, isNum := ToFloat(x)
		if !isNum || !finite(f) || f < 0 {
			return nil, Errorf(CodeInvalidParam, "$geoNear distanceMultiplier must be a non-negative number")
		}
		s.Multiplier = f
	}
	key, err := stageKey(m, indexes)
	if err != nil {
		return nil, err
	}
	cond, err := nearCondition(m)
	if err != nil {
		return nil, err
	}
	s.Filter = Doc{{Key: key, Value: cond}}
	switch q := m["query"].(type) {
	case nil:
	case Doc:
		if len(q) > 0 {
			s.Filter = Doc{{Key: "$and", Value: []any{q, s.Filter}}}
		}
	default:
		return nil, Errorf(CodeInvalidParam, "$geoNear query must be a document")
	}
	f, err := ParseFilter(s.Filter)
	if err != nil {
		return nil, err
	}
	s.near = f.Near()
	return s, nil
}

// stagePath reads an option that names a field.
func stagePath(m map[string]any, name string, required bool) (string, error) {
	x, ok := m[name]
	if !ok && !required {
		return "", nil
	}
	p, isStr := x.(string)
	if !isStr || p == "" {
		return "", Errorf(CodeInvalidParam, "$geoNear %s must be a field name", name)
	}
	if err := checkPath(p); err != nil {
		return "", err
	}
	return p, nil
}

// stageKey finds the path the stage measures.
func stageKey(m map[string]any, indexes []Index) (string, error) {
	if _, ok := m["key"]; ok {
		key, err := stagePath(m, "key", true)
		if err != nil {
			return "", err
		}
		if !GeoIndexed(indexes, key) {
			return "", Errorf(CodeInvalidOperator, "$geoNear key %q has no 2dsphere index: create one with {\"keys\": {%q: \"2dsphere\"}}", key, key)
		}
		return key, nil
	}
	var paths []string
	for _, idx := range indexes {
		if idx.Geo() {
			paths = append(paths, idx.Keys[0].Path)
		}
	}
	switch len(paths) {
	case 0:
		return "", Errorf(CodeInvalidOperator, "$geoNear needs a 2dsphere index: create one with {\"keys\": {\"<field>\": \"2dsphere\"}}")
	case 1:
		return paths[0], nil
	}
	return "", Errorf(CodeInvalidOperator, "$geoNear: the collection has several 2dsphere indexes (%s): name one with key", strings.Join(paths, ", "))
}

// nearCondition builds the $nearSphere condition of the stage's near and
// distances.
func nearCondition(m map[string]any) (Doc, error) {
	near, ok := m["near"]
	if !ok {
		return nil, Errorf(CodeInvalidParam, "$geoNear needs near: a GeoJSON point")
	}
	sph, _ := m["spherical"].(bool)
	var dists Doc
	for _, k := range []string{"minDistance", "maxDistance"} {
		if x, ok := m[k]; ok {
			dists = append(dists, Field{Key: "$" + k, Value: x})
		}
	}
	switch near.(type) {
	case []any:
		if !sph {
			return nil, Errorf(CodeInvalidOperator, "$geoNear near as a [longitude, latitude] pair without spherical: true is a flat (2d) query, which minibase does not have: use a GeoJSON point, or spherical: true")
		}
		return append(Doc{{Key: "$nearSphere", Value: near}}, dists...), nil
	case Doc:
		return Doc{{Key: "$nearSphere", Value: append(Doc{{Key: "$geometry", Value: near}}, dists...)}}, nil
	}
	return nil, Errorf(CodeInvalidOperator, "$geoNear near must be a GeoJSON point")
}

// Annotate returns doc, one the stage's find returned, with its distance
// at DistanceField and, with IncludeLocs, the location it was measured to.
// Setting a field inside a value that is not a document fails, as a $set
// would.
func (s *GeoNearStage) Annotate(doc Doc) (Doc, error) {
	d, loc, ok := s.near.nearest(doc)
	if !ok {
		return doc, nil
	}
	out, err := setPath(Clone(doc).(Doc), Segments(s.DistanceField), d*s.Multiplier)
	if err != nil || s.IncludeLocs == "" {
		return out, err
	}
	return setPath(out, Segments(s.IncludeLocs), Clone(loc))
}
