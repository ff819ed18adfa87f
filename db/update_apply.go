package db

import (
	"math"
	"strings"
	"time"
)

// apply runs one operation on doc (a private copy) at the resolved segs.
func (op *updateOp) apply(doc Doc, segs []string, now time.Time) (Doc, error) {
	switch op.name {
	case "$unset":
		return unsetPath(doc, segs), nil
	case "$rename":
		return op.applyRename(doc)
	}
	old, found := getSegs(doc, segs)
	v, set, err := op.compute(old, found, now)
	if err != nil || !set {
		return doc, err
	}
	return setPath(doc, segs, v)
}

// compute returns the new value of the operation's field from its old value
// and whether to store it.
func (op *updateOp) compute(old any, found bool, now time.Time) (any, bool, error) {
	operand := func() any { return ResolveServerDates(Clone(op.value), now) }
	switch op.name {
	case "$set":
		v := operand()
		if op.path == "_id" && found && !Equal(old, v) {
			return nil, false, Errorf(CodeInvalidParam, "cannot modify _id")
		}
		return v, true, nil
	case "$inc", "$mul":
		return op.arith(old, found)
	case "$bit":
		return op.bit(old, found)
	case "$min", "$max":
		v := operand()
		c := Compare(v, old)
		return v, !found || (op.name == "$min" && c < 0) || (op.name == "$max" && c > 0), nil
	}
	if !found {
		if op.name == "$push" || op.name == "$addToSet" {
			return op.applyArray([]any{}, now)
		}
		return nil, false, nil // $pop, $pull, $pullAll: nothing to remove
	}
	arr, ok := old.([]any)
	if !ok {
		return nil, false, Errorf(CodeInvalidParam, "Cannot apply %s: the field '%s' must be an array but is of type %s",
			op.name, op.path, fieldType(old))
	}
	return op.applyArray(arr, now)
}

// arith computes $inc and $mul. int64 with int64 stays int64 and overflow is
// an error, as in MongoDB (a 64-bit overflow fails; only MongoDB's 32-bit
// ints widen); any float64 operand gives a float64.
func (op *updateOp) arith(old any, found bool) (any, bool, error) {
	if !found {
		if op.name == "$inc" {
			return op.value, true, nil
		}
		if _, isInt := op.value.(int64); isInt {
			return int64(0), true, nil
		}
		return 0.0, true, nil
	}
	if !IsNumber(old) {
		return nil, false, Errorf(CodeInvalidParam, "Cannot apply %s to a value of non-numeric type: the field '%s' is of type %s",
			op.name, op.path, fieldType(old))
	}
	a, aInt := old.(int64)
	b, bInt := op.value.(int64)
	if aInt && bInt {
		r, ok := addInt64(a, b)
		if op.name == "$mul" {
			r, ok = mulInt64(a, b)
		}
		if !ok {
			return nil, false, Errorf(CodeInvalidParam, "Failed to apply %s operations to current value (%d) of '%s': integer overflow",
				op.name, a, op.path)
		}
		return r, true, nil
	}
	x, _ := ToFloat(old)
	y, _ := ToFloat(op.value)
	if op.name == "$mul" {
		return x * y, true, nil
	}
	return x + y, true, nil
}

// bit computes $bit on an integer field; a missing field counts as 0.
func (op *updateOp) bit(old any, found bool) (any, bool, error) {
	n, isInt := old.(int64)
	if found && !isInt {
		return nil, false, Errorf(CodeInvalidParam, "Cannot apply $bit to a value of non-integral type: the field '%s' is of type %s",
			op.path, fieldType(old))
	}
	for _, f := range op.value.(Doc) {
		m := f.Value.(int64)
		switch f.Key {
		case "and":
			n &= m
		case "or":
			n |= m
		case "xor":
			n ^= m
		}
	}
	return n, true, nil
}

func addInt64(a, b int64) (int64, bool) {
	r := a + b
	return r, (r > a) == (b > 0)
}

func mulInt64(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	r := a * b
	if (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64) || r/b != a {
		return 0, false
	}
	return r, true
}

// applyRename moves the source field to the destination. Neither path may
// run through an array; a missing source changes nothing.
func (op *updateOp) applyRename(doc Doc) (Doc, error) {
	v, found, err := docsOnly(doc, op.segs, "source")
	if err != nil || !found {
		return doc, err
	}
	if _, _, err := docsOnly(doc, op.to, "destination"); err != nil {
		return nil, err
	}
	doc = unsetPath(doc, op.segs)
	return setPath(doc, op.to, v)
}

// docsOnly looks segs up in doc and fails when the path goes through an array.
func docsOnly(doc Doc, segs []string, what string) (any, bool, error) {
	var cur any = doc
	for i, seg := range segs {
		switch x := cur.(type) {
		case Doc:
			next, ok := x.Get(seg)
			if !ok {
				return nil, false, nil
			}
			cur = next
		case []any:
			return nil, false, Errorf(CodeInvalidParam, "$rename: the %s field '%s' cannot be an array element",
				what, strings.Join(segs[:i], "."))
		default:
			return nil, false, nil
		}
	}
	return cur, true, nil
}
