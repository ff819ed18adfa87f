package db

import (
	"strconv"
	"strings"
	"time"
)

// Update is a parsed, validated MongoDB update document ($set, $inc, …).
// It is immutable once parsed and safe to Apply from several goroutines.
type Update struct {
	ops []*updateOp // sorted by path, as MongoDB ≥ 5.0 applies them
}

// updateOp is one operator applied to one path.
type updateOp struct {
	name    string   // "$set", "$inc", …
	path    string   // as written, for messages
	segs    []string // path segments; "$" marks the positional operator
	dollar  int      // index of the "$" segment, or -1
	value   any      // operand ($set, $inc, $min, $max, $pullAll, $pull value)
	to      []string // $rename destination segments
	each    []any    // $push/$addToSet values
	push    pushMods // $push modifiers
	pull    *elemMatcher
	popLast bool // $pop: 1 removes the last element, -1 the first
}

// Apply applies the update to a deep copy of doc; doc itself is never
// modified. It returns the new document and whether it differs from doc
// (Equal). ServerDate operands resolve to now. f resolves the positional
// "$" (f.ArrayIndex); with a nil f a positional path is an error. The result
// must pass ValidateDoc. On error nothing is returned and doc is unchanged.
func (u *Update) Apply(doc Doc, f *Filter, now time.Time) (Doc, bool, error) {
	out, _ := Clone(doc).(Doc)
	if out == nil {
		out = Doc{}
	}
	for _, op := range u.ops {
		segs, err := op.resolve(doc, f)
		if err != nil {
			return nil, false, err
		}
		if out, err = op.apply(out, segs, now); err != nil {
			return nil, false, err
		}
	}
	if err := ValidateDoc(out); err != nil {
		return nil, false, err
	}
	return out, !Equal(doc, out), nil
}

// resolve returns op's path segments with the positional "$" replaced by
// the index of the array element the filter matched in doc.
func (op *updateOp) resolve(doc Doc, f *Filter) ([]string, error) {
	if op.dollar < 0 {
		return op.segs, nil
	}
	notFound := Errorf(CodeInvalidParam, "The positional operator did not find the match needed from the query")
	if f == nil {
		return nil, notFound
	}
	i, ok := f.ArrayIndex(doc, strings.Join(op.segs[:op.dollar], "."))
	if !ok {
		return nil, notFound
	}
	segs := append([]string(nil), op.segs...)
	segs[op.dollar] = strconv.Itoa(i)
	return segs, nil
}

// UpsertDoc builds the document an upsert inserts: _id first (the filter's
// _id equality if it has one, else an _id $set by the update, else id), then
// the equality conditions of the filter (top level and inside $and, at any
// depth; dot paths create sub-documents), then the update applied. Errors are
// those of Apply, or a conflict between the filter's equality paths.
func UpsertDoc(f *Filter, u *Update, id string, now time.Time) (Doc, error) {
	eqs := equalities(f.Root(), nil)
	var idv any = id
	if v, ok := u.setID(); ok {
		idv = v
	}
	for _, n := range eqs {
		if n.Path == "_id" {
			idv = n.Value
		}
	}
	doc := Doc{{"_id", Clone(idv)}}
	for _, n := range eqs {
		if _, isRegex := n.Value.(Regex); isRegex || n.Path == "_id" {
			continue
		}
		var err error
		if doc, err = setPath(doc, Segments(n.Path), Clone(n.Value)); err != nil {
			return nil, err
		}
	}
	out, _, err := u.Apply(doc, f, now)
	return out, err
}

// equalities appends the OpEq nodes of n and of the $and nodes under it.
func equalities(n *Node, eqs []*Node) []*Node {
	switch n.Op {
	case OpEq:
		eqs = append(eqs, n)
	case OpAnd:
		for _, c := range n.Children {
			eqs = equalities(c, eqs)
		}
	}
	return eqs
}

// setID returns the operand of a "$set" of _id, if the update has one.
func (u *Update) setID() (any, bool) {
	for _, op := range u.ops {
		if op.name == "$set" && op.path == "_id" {
			return op.value, true
		}
	}
	return nil, false
}
