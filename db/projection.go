package db

import "strings"

// Projection is a parsed inclusion or exclusion projection.
type Projection struct {
	include bool // inclusion projection: only listed fields (and _id) are kept
	root    *projNode
}

// projNode is one path segment of a projection. A leaf is a listed field
// (kept in an inclusion, dropped in an exclusion) unless slice or elem says
// how to keep it; inner nodes apply to sub-documents and array elements.
type projNode struct {
	children map[string]*projNode
	leaf     bool
	slice    *projSlice
	elem     *elemMatcher
}

// projSlice is a $slice projection: {$slice: n} or {$slice: [skip, n]}.
type projSlice struct {
	skip, limit int
	pair        bool
}

// projField is one parsed entry of a projection document.
type projField struct {
	path    string
	include bool
	slice   *projSlice
	elem    *elemMatcher
}

// ParseProjection parses {path: 1|0|true|false, …} (any non-zero number
// includes), plus {arr: {$slice: n | [skip, n]}} and, on a top-level field,
// {arr: {$elemMatch: query}}. Inclusions (and $elemMatch) and exclusions
// cannot mix, except _id: 0 in an inclusion; _id is included unless
// excluded; a projection of only $slice keeps every other field. nil or an
// empty document gives a nil *Projection. Errors are INVALID_PARAM, or those
// of ParseFilter for an $elemMatch query.
func ParseProjection(v any) (*Projection, error) {
	d, ok := v.(Doc)
	if !ok && v != nil {
		return nil, Errorf(CodeInvalidParam, "projection must be a document")
	}
	if len(d) == 0 {
		return nil, nil
	}
	fields := make([]projField, 0, len(d))
	for _, f := range d {
		pf, err := parseProjField(f)
		if err != nil {
			return nil, err
		}
		fields = append(fields, pf)
	}
	include, err := projMode(fields)
	if err != nil {
		return nil, err
	}
	p := &Projection{include: include, root: &projNode{}}
	if include && !projListsID(fields) {
		fields = append(fields, projField{path: "_id", include: true})
	}
	for _, pf := range fields {
		if pf.path == "_id" && pf.include != include && pf.slice == nil {
			continue // _id: 0 in an inclusion, _id: 1 in an exclusion
		}
		if err := p.root.insert(pf); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func parseProjField(f Field) (projField, error) {
	pf := projField{path: f.Key}
	for _, s := range Segments(f.Key) {
		if s == "" || s[0] == '$' {
			return pf, Errorf(CodeInvalidParam, "bad projection path '%s'", f.Key)
		}
	}
	if strings.Count(f.Key, ".") >= MaxPathDepth {
		return pf, Errorf(CodeInvalidParam, "projection path has more than %d segments", MaxPathDepth)
	}
	switch x := f.Value.(type) {
	case bool:
		pf.include = x
		return pf, nil
	case int64, float64:
		pf.include = Compare(x, int64(0)) != 0
		return pf, nil
	case Doc:
		if len(x) == 1 && x[0].Key == "$slice" {
			s, err := parseProjSlice(f.Key, x[0].Value)
			pf.slice = s
			return pf, err
		}
		if len(x) == 1 && x[0].Key == "$elemMatch" {
			return parseProjElemMatch(pf, x[0].Value)
		}
	}
	return pf, Errorf(CodeInvalidParam,
		"projection value of '%s' must be 1, 0, true, false, {$slice: …} or {$elemMatch: …}", f.Key)
}

func parseProjSlice(path string, v any) (*projSlice, error) {
	if n, ok := integer(v); ok {
		return &projSlice{limit: n}, nil
	}
	if arr, ok := v.([]any); ok && len(arr) == 2 {
		skip, ok1 := integer(arr[0])
		limit, ok2 := integer(arr[1])
		if ok1 && ok2 && limit > 0 {
			return &projSlice{skip: skip, limit: limit, pair: true}, nil
		}
	}
	return nil, Errorf(CodeInvalidParam, "$slice of '%s' must be an integer or [skip, limit] with a positive limit", path)
}

func parseProjElemMatch(pf projField, q any) (projField, error) {
	if strings.Contains(pf.path, ".") {
		return pf, Errorf(CodeInvalidParam, "cannot use $elemMatch projection on a nested field '%s'", pf.path)
	}
	if _, ok := q.(Doc); !ok {
		return pf, Errorf(CodeInvalidParam, "$elemMatch of '%s' needs a query document", pf.path)
	}
	m, err := newElemMatcher(q)
	pf.elem, pf.include = m, true
	return pf, err
}

// projMode tells whether the fields make an inclusion projection.
func projMode(fields []projField) (bool, error) {
	var incl, excl string
	for _, pf := range fields {
		switch {
		case pf.path == "_id" || (pf.slice != nil):
		case pf.include && incl == "":
			incl = pf.path
		case !pf.include && excl == "":
			excl = pf.path
		}
	}
	if incl != "" && excl != "" {
		return false, Errorf(CodeInvalidParam, "Cannot do exclusion on field %s in inclusion projection", excl)
	}
	if incl == "" && excl == "" {
		for _, pf := range fields {
			if pf.path == "_id" && pf.slice == nil {
				return pf.include, nil
			}
		}
	}
	return incl != "", nil
}

func projListsID(fields []projField) bool {
	for _, pf := range fields {
		if pf.path == "_id" {
			return true // listed: kept or dropped as listed
		}
	}
	return false
}

// insert adds pf's path below n; a path that is, or lies under, another
// listed path is a collision.
func (n *projNode) insert(pf projField) error {
	cur := n
	for _, seg := range Segments(pf.path) {
		if cur.leaf {
			return Errorf(CodeInvalidParam, "Path collision at %s", pf.path)
		}
		if cur.children == nil {
			cur.children = map[string]*projNode{}
		}
		next := cur.children[seg]
		if next == nil {
			next = &projNode{}
			cur.children[seg] = next
		}
		cur = next
	}
	if cur.leaf || cur.children != nil {
		return Errorf(CodeInvalidParam, "Path collision at %s", pf.path)
	}
	cur.leaf, cur.slice, cur.elem = true, pf.slice, pf.elem
	return nil
}
