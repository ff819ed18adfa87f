package db

import "regexp"

// Op is a filter node's operator.
type Op int

// Filter operators. Logical nodes use Children; field nodes use Path and
// Value (and Regex, Children as noted). Semantics are MongoDB's, including
// element-wise matching over arrays along Path.
const (
	OpTrue      Op = iota // matches everything (the empty filter)
	OpAnd                 // Children all match
	OpOr                  // some child matches
	OpNor                 // no child matches
	OpEq                  // Value: equality, element-wise on arrays; a Regex value matches as $regex
	OpNe                  // Value: not OpEq (so matches a missing field)
	OpGt                  // Value, same type bracket only
	OpGte                 //
	OpLt                  //
	OpLte                 //
	OpIn                  // Value []any (elements may be Regex)
	OpNin                 // Value []any: not OpIn
	OpExists              // Value bool
	OpMod                 // Value []any{divisor, remainder} (numbers, divisor != 0)
	OpAll                 // Value []any; or Children: $elemMatch nodes
	OpElemMatch           // Children: conditions on each element; a child with Path "" tests the element itself
	OpSize                // Value int64
	OpRegex               // Value Regex, Regex compiled
	OpNot                 // Children[0]: the negated field condition (same Path)
)

// Node is one node of a parsed filter.
type Node struct {
	Op       Op
	Path     string
	Value    any
	Regex    *regexp.Regexp
	Children []*Node
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
