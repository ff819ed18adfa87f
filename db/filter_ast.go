package db

import "regexp"

// Op is a filter node's operator.
type Op int

// Filter operators. Logical nodes use Children; field nodes use Path and
// Value (and Regex, Children as noted). Semantics are MongoDB's, including
// element-wise matching over arrays along Path.
const (
	OpTrue          Op = iota // matches everything (the empty filter)
	OpAnd                     // Children all match
	OpOr                      // some child matches
	OpNor                     // no child matches
	OpEq                      // Value: equality, element-wise on arrays; a Regex value matches as $regex
	OpNe                      // Value: not OpEq (so matches a missing field)
	OpGt                      // Value, same type bracket only
	OpGte                     //
	OpLt                      //
	OpLte                     //
	OpIn                      // Value []any (elements may be Regex)
	OpNin                     // Value []any: not OpIn
	OpExists                  // Value bool
	OpMod                     // Value []any{divisor, remainder} (numbers, divisor != 0)
	OpAll                     // Value []any; or Children: $elemMatch nodes
	OpElemMatch               // Children: conditions on each element; a child with Path "" tests the element itself
	OpSize                    // Value int64
	OpRegex                   // Value Regex, Regex compiled
	OpNot                     // Children[0]: the negated field condition (same Path)
	OpNoArray                 // no value along Path is an array (WithoutArrays; no query form)
	OpGeoWithin               // Value: the region ($geometry polygons or $centerSphere); see geo*.go
	OpGeoIntersects           // Value: the GeoJSON geometry
	OpNear                    // Value *Near: $nearSphere (or $near with GeoJSON), its distance bounds
	OpExpr                    // Value: an aggregation expression ($expr), true when its value is truthy
)

// Details of the operators above, as ParseFilter builds them:
//
//   - OpEq and OpNe with a Regex Value have Regex compiled (only an explicit
//     $eq/$ne produces them; a plain {f: /re/} is OpRegex).
//   - OpIn, OpNin and OpAll (value form) have Regexes parallel to Value:
//     Regexes[i] is the compiled Value[i] when that is a Regex, else nil;
//     Regexes is nil when Value holds no Regex.
//   - OpMod's divisor and remainder are int64, truncated toward zero.
//   - OpAll with Children: each child is an OpElemMatch node with the same
//     Path, and all of them must match. OpAll with an empty Value matches
//     nothing.
//   - OpElemMatch has two forms. Value form ({$elemMatch: {$gte: 80}}): every
//     child is a field node with Path "", tested against the element itself,
//     without looking into the element when it is an array. Object form
//     ({$elemMatch: {product: "x"}}): children are filter nodes (field nodes
//     with non-empty, element-relative paths, or logical nodes); only elements
//     that are documents or arrays are tested. No children means object form.
//   - OpNot: Children are all the negated field conditions of one $not (same
//     Path); the node matches when they do not all match. With one condition
//     this is just Children[0].
//   - OpNoArray follows Path through documents only, not into arrays: it
//     matches when neither the value at Path nor any value above it (a.b:
//     the values of a and of a.b) is an array. A missing or scalar value on
//     the way ends the path and matches. Only WithoutArrays builds it.
//   - OpExpr has no Path: its expression reads the whole document. It
//     appears at the top of a filter or under $and, $or and $nor only. An
//     expression that fails on a document (a $divide by zero) does not
//     match it.
//   - OpGeoWithin, OpGeoIntersects and OpNear test each value along Path
//     that is a geometry (GeoJSON, or a legacy [longitude, latitude] pair;
//     the elements of an array of them), with MongoDB's 2dsphere semantics
//     (geo_match.go). An OpNear is a condition of the whole filter, at most
//     one (Filter.Near).
//   - Missing fields: a path through an array element that is not a document
//     (a scalar, a nested array) or through an empty array counts as a
//     missing branch, which {f: null} matches (MongoDB 9.0, SERVER-36681).

// Node is one node of a parsed filter.
type Node struct {
	Op       Op
	Path     string
	Value    any
	Regex    *regexp.Regexp
	Children []*Node
	// Regexes are the compiled Regex elements of an OpIn, OpNin or OpAll
	// Value, by index (nil entries for other elements).
	Regexes []*regexp.Regexp

	segs  []string // Path split into segments; nil for Path ""
	index []int    // per segment: its array index (see ArrayIndex), or -1
	terms []*Node  // OpAll value form: one OpEq or OpRegex node per value
	expr  *Expr    // OpExpr
}

// Filter is a parsed, validated MongoDB query document.
type Filter struct {
	root *Node
	// Source is the query document the filter was parsed from.
	Source Doc
}

// Root returns the top node of the filter (OpTrue for an empty filter).
func (f *Filter) Root() *Node {
	if f == nil || f.root == nil {
		return &Node{Op: OpTrue}
	}
	return f.root
}
