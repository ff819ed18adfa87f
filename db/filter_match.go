package db

import "regexp"

// Matching follows MongoDB: a field node's path is followed through
// documents and fans out over arrays; every value it reaches is a candidate,
// and at the end of the path so are the elements of an array (one level).
// A field node matches when some candidate passes its test; $ne, $nin, $not
// and $exists: false are the negations of their positive forms. A path that
// runs out (a missing field, a scalar where a document was expected, an
// array element that is not a document, an empty array) yields a "missing"
// candidate, which tests like null except for $exists.
//
// Nothing here allocates: candidates are visited, never collected.

// match reports whether n matches root: a document, or an array element
// inside $elemMatch.
func (n *Node) match(root any) bool {
	switch n.Op {
	case OpTrue:
		return true
	case OpAnd:
		return allMatch(n.Children, root)
	case OpOr:
		return anyMatch(n.Children, root)
	case OpNor:
		return !anyMatch(n.Children, root)
	case OpNe, OpNin:
		return !n.walk(root, 0)
	case OpNot:
		return !allMatch(n.Children, root)
	case OpExists:
		want, _ := n.Value.(bool)
		return n.walk(root, 0) == want
	case OpAll:
		if len(n.Children) > 0 {
			return allMatch(n.Children, root)
		}
		return len(n.terms) > 0 && allMatch(n.terms, root)
	case OpNoArray:
		return n.noArray(root)
	case OpExpr:
		doc, _ := root.(Doc)
		return n.expr.matches(doc)
	}
	return n.walk(root, 0)
}

// noArray reports whether no value along n's path, followed through
// documents, is an array.
func (n *Node) noArray(v any) bool {
	for _, seg := range n.segs {
		d, ok := v.(Doc)
		if !ok {
			return true
		}
		if v, ok = d.Get(seg); !ok {
			return true
		}
		if _, arr := v.([]any); arr {
			return false
		}
	}
	return true
}

func allMatch(nodes []*Node, root any) bool {
	for _, c := range nodes {
		if !c.match(root) {
			return false
		}
	}
	return true
}

func anyMatch(nodes []*Node, root any) bool {
	for _, c := range nodes {
		if c.match(root) {
			return true
		}
	}
	return false
}

// walk follows the path from segment i on, starting at v, and reports
// whether some candidate passes n's test (the positive test, for negated
// operators).
func (n *Node) walk(v any, i int) bool {
	if i == len(n.segs) {
		return n.leaf(v)
	}
	switch x := v.(type) {
	case Doc:
		next, ok := x.Get(n.segs[i])
		if !ok {
			return n.test(nil, false)
		}
		return n.walk(next, i+1)
	case []any:
		return n.walkArray(x, i)
	}
	return n.test(nil, false)
}

// walkArray continues the path at segment i through an array. A numeric
// segment selects the element at that index and also the field of that name
// in element documents ({"a.0": 1} matches [1] and [{"0": 1}]); other
// segments fan out over the element documents. Nested arrays are not
// entered.
func (n *Node) walkArray(arr []any, i int) bool {
	seg := n.segs[i]
	if idx := n.index[i]; idx >= 0 {
		found := false
		if idx < len(arr) {
			found = true
			if n.walk(arr[idx], i+1) {
				return true
			}
		}
		for _, e := range arr {
			if d, ok := e.(Doc); ok {
				if next, ok := d.Get(seg); ok {
					found = true
					if n.walk(next, i+1) {
						return true
					}
				}
			}
		}
		return !found && n.test(nil, false)
	}
	if len(arr) == 0 {
		return n.test(nil, false)
	}
	for _, e := range arr {
		if d, ok := e.(Doc); ok {
			if n.walk(d, i) {
				return true
			}
		} else if n.test(nil, false) {
			return true
		}
	}
	return false
}

// leaf tests the value at the end of the path and, when it is an array,
// each of its elements. $size, $elemMatch and nodes testing an $elemMatch
// element itself (Path "") look at the value only.
func (n *Node) leaf(v any) bool {
	if n.test(v, true) {
		return true
	}
	arr, ok := v.([]any)
	if !ok || n.Path == "" || n.Op == OpSize || n.Op == OpElemMatch || n.Op == OpExists {
		return false
	}
	for _, e := range arr {
		if n.test(e, true) {
			return true
		}
	}
	return false
}

// test applies n's operator to one candidate; a missing candidate is
// (nil, false).
func (n *Node) test(v any, present bool) bool {
	switch n.Op {
	case OpExists:
		return present
	case OpEq, OpNe, OpRegex:
		return valueMatches(v, n.Value, n.Regex)
	case OpGt, OpGte, OpLt, OpLte:
		return compareMatches(n.Op, v, n.Value)
	case OpIn, OpNin:
		list, _ := n.Value.([]any)
		for i, want := range list {
			re := regexAt(n, i)
			if valueMatches(v, want, re) {
				return true
			}
		}
		return false
	case OpMod:
		return modMatches(v, n.Value)
	case OpSize:
		arr, ok := v.([]any)
		size, _ := n.Value.(int64)
		return ok && int64(len(arr)) == size
	case OpElemMatch:
		return n.elemMatches(v)
	case OpGeoWithin:
		g, ok := storedGeometry(v)
		return ok && n.Value.(*geoRegion).within(g)
	case OpGeoIntersects:
		g, ok := storedGeometry(v)
		return ok && n.Value.(*geometry).intersects(g)
	case OpNear:
		_, ok := n.Value.(*Near).within(v)
		return ok
	}
	return false
}

// regexAt returns the compiled regular expression of list element i of an
// OpIn, OpNin or OpAll node, or nil.
func regexAt(n *Node, i int) *regexp.Regexp {
	if i < len(n.Regexes) {
		return n.Regexes[i]
	}
	return nil
}

// valueMatches is equality with want, or, when re is set (want is a Regex),
// a regular expression match: strings that match re, and stored regular
// expressions equal to want.
func valueMatches(v, want any, re *regexp.Regexp) bool {
	if re == nil {
		return Equal(v, want)
	}
	switch x := v.(type) {
	case string:
		return re.MatchString(x)
	case Regex:
		return Equal(x, want)
	}
	return false
}

// compareMatches applies $gt, $gte, $lt or $lte within a type bracket:
// {$gt: 5} never matches a string, {$gte: null} matches null and missing.
func compareMatches(op Op, v, want any) bool {
	if TypeRank(v) != TypeRank(want) {
		return false
	}
	c := Compare(v, want)
	switch op {
	case OpGt:
		return c > 0
	case OpGte:
		return c >= 0
	case OpLt:
		return c < 0
	}
	return c <= 0
}

// modMatches applies $mod [divisor, remainder] to a number, truncated toward
// zero.
func modMatches(v, want any) bool {
	args, _ := want.([]any)
	if len(args) != 2 || !IsNumber(v) {
		return false
	}
	x, ok := truncInt(v)
	d, _ := args[0].(int64)
	r, _ := args[1].(int64)
	return ok && d != 0 && x%d == r
}

// elemMatches reports whether v is an array with an element that satisfies
// all of n's children (see OpElemMatch for the two forms).
func (n *Node) elemMatches(v any) bool {
	arr, ok := v.([]any)
	if !ok {
		return false
	}
	for _, e := range arr {
		if n.elementMatches(e) {
			return true
		}
	}
	return false
}

// elementMatches reports whether one array element satisfies all of the
// $elemMatch node n's children.
func (n *Node) elementMatches(e any) bool {
	valueForm := len(n.Children) > 0 && n.Children[0].Path == "" && isFieldOp(n.Children[0].Op)
	if !valueForm {
		switch e.(type) {
		case Doc, []any:
		default:
			return false
		}
	}
	return allMatch(n.Children, e)
}

// isFieldOp reports whether op is a condition on a field rather than a
// logical combination.
func isFieldOp(op Op) bool {
	switch op {
	case OpTrue, OpAnd, OpOr, OpNor:
		return false
	}
	return true
}
