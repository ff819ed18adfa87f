package db

import "strings"

// ParseFilter parses a MongoDB query document (nil or a Doc, as DecodeJSON
// returns it) into a Filter whose Source is v. Unknown or unsupported
// operators ($where, $type, …) and wrong operand types are errors of
// code DATABASE_INVALID_OPERRATOR; bad shapes (not a document, a bad field
// path, values outside the document model) and exceeded limits
// (MaxFilterNodes, MaxFilterList, MaxRegexLen, MaxPathLen, MaxPathDepth) are
// INVALID_PARAM. Regular expressions use Go's RE2 syntax with the options
// i, m and s; patterns RE2 cannot compile (lookaround, backreferences) are
// errors.
func ParseFilter(v any) (*Filter, error) {
	if v == nil {
		return &Filter{root: &Node{Op: OpTrue}}, nil
	}
	d, ok := v.(Doc)
	if !ok {
		return nil, Errorf(CodeInvalidParam, "query must be a document, not %s", typeName(v))
	}
	var p filterParser
	root, err := p.parseDoc(d)
	if err != nil {
		return nil, err
	}
	if err := checkNearPlacement(root); err != nil {
		return nil, err
	}
	return &Filter{root: root, Source: d}, nil
}

// WithoutArrays returns a filter that matches the documents f matches in
// which, for each of paths, no value along the path is an array: neither
// the value at the path nor one above it (for a.b: a and a.b), following
// the path through documents only (OpNoArray). A client's query runs with
// it where its security rule holds only for such documents (see NoArray in
// auth/rules). The condition has no query-document form, so Source stays
// f's. With no paths it returns f.
func WithoutArrays(f *Filter, paths []string) *Filter {
	if len(paths) == 0 {
		return f
	}
	root := &Node{Op: OpAnd}
	if r := f.Root(); r.Op == OpAnd {
		root.Children = append(root.Children, r.Children...)
	} else if r.Op != OpTrue {
		root.Children = append(root.Children, r)
	}
	for _, p := range paths {
		n := &Node{Op: OpNoArray, Path: p}
		n.segs, n.index = pathSegs(p)
		root.Children = append(root.Children, n)
	}
	var src Doc
	if f != nil {
		src = f.Source
	}
	return &Filter{root: root, Source: src}
}

// typeName names v's JSON type for error messages.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case int64, float64:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	}
	return "a special value"
}

// Match reports whether doc matches the filter, with MongoDB's semantics
// (see the Op constants). A nil Filter matches every document. Match does not
// modify doc and is safe for concurrent use.
func (f *Filter) Match(doc Doc) bool {
	return f.Root().match(doc)
}

// ArrayIndex returns the index of the first element of the array at
// arrayPath (a plain path, see GetPath) that satisfies all of the filter's
// positive conditions on that array, for the positional "$" update operator.
// The conditions are the field nodes reachable from the root through $and
// whose Path is arrayPath (tested against the element, like a value of that
// field; $elemMatch tests the element) or starts with arrayPath+"." (the rest
// of the path is followed inside the element). Negations ($ne, $nin, $not,
// $exists: false), $size and $all are ignored. ArrayIndex reports false when
// there is no such array, no such condition or no matching element.
func (f *Filter) ArrayIndex(doc Doc, arrayPath string) (int, bool) {
	v, ok := GetPath(doc, arrayPath)
	arr, isArr := v.([]any)
	if !ok || !isArr {
		return 0, false
	}
	var conds []*Node
	collectPositional(f.Root(), arrayPath, &conds)
	if len(conds) == 0 {
		return 0, false
	}
	for i, e := range arr {
		if elementSatisfies(conds, arrayPath, e) {
			return i, true
		}
	}
	return 0, false
}

func collectPositional(n *Node, arrayPath string, out *[]*Node) {
	switch n.Op {
	case OpAnd:
		for _, c := range n.Children {
			collectPositional(c, arrayPath, out)
		}
		return
	case OpTrue, OpOr, OpNor, OpNe, OpNin, OpNot, OpSize, OpAll, OpNoArray, OpExpr, OpGeoWithin, OpGeoIntersects, OpNear:
		return
	case OpExists:
		if b, _ := n.Value.(bool); !b {
			return
		}
	}
	if n.Path == arrayPath || (len(n.Path) > len(arrayPath) && n.Path[len(arrayPath)] == '.' && n.Path[:len(arrayPath)] == arrayPath) {
		*out = append(*out, n)
	}
}

func elementSatisfies(conds []*Node, arrayPath string, e any) bool {
	for _, c := range conds {
		if c.Path != arrayPath {
			if !c.walk(e, strings.Count(arrayPath, ".")+1) {
				return false
			}
			continue
		}
		var ok bool
		if c.Op == OpElemMatch {
			ok = c.elementMatches(e)
		} else {
			ok = c.leaf(e)
		}
		if !ok {
			return false
		}
	}
	return true
}
