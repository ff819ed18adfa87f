package rules

import "time"

// prove decides "s op c" for every document the facts allow: true when it
// holds for all of them, false when for none, unknown otherwise. op is a
// comparison, "in" (s in c) or "has" (c in s).
//
// Facts follow MongoDB's matching, where a condition on an array field
// speaks of some element (Eq, In, ranges) or of every element (Ne, Nin),
// and the rule's comparisons are element-wise in the same way (see the
// package comment), so each step below holds whether the field is a scalar
// or an array. A field pinned to an array proves nothing: MongoDB's == also
// matches an array that holds it as an element.
//
// Paths differ: MongoDB follows a.b into every element of an array a, the
// rule reads a.b of a document a only (and fails on a null a). A decision
// on a path below the top level therefore needs the parent to be a
// document in every matching document (reaches), and holds only where
// no array lies at the parent or above it, which prove records
// (Result.NoArray).
func (ev *evaluator) prove(s sym, op string, c any) any {
	if op == "!=" {
		return not(ev.prove(s, "==", c))
	}
	if _, ok := c.(unknownValue); ok {
		return unknown{[]Hint{{Var: s.name, Path: s.path, Op: op, Value: Unknown}}}
	}
	if s.path != "" && s.reaches(s.path) {
		verdict := any(nil)
		for _, cond := range s.facts[s.path] {
			switch decide(cond, op, c) {
			case true:
				ev.assume(parent(s.path))
				return true
			case false:
				verdict = false
			}
		}
		if verdict == false {
			ev.assume(parent(s.path))
			return false
		}
	}
	if v, at, ok := s.pinnedByParent(); ok && compareValues(opOrEq(op), v, c) {
		ev.assume(at)
		return true
	}
	return unknown{[]Hint{{Var: s.name, Path: s.path, Op: op, Value: c}}}
}

func opOrEq(op string) string {
	if op == "has" {
		return "=="
	}
	return op
}

// pinnedByParent is the field's value inside an object an Eq pins a parent
// path (at) to. Only a true comparison with it is proof, and only where no
// array lies at the parent or above it.
func (s sym) pinnedByParent() (any, string, bool) {
	if s.path == "" {
		return nil, "", false
	}
	for _, c := range s.facts[s.path] {
		if _, ok := c.pin(); ok {
			return nil, "", false // decided (or not) by the field's own conditions
		}
	}
	return s.pinned()
}

// decide is what one condition says about "field op c": true (proved),
// false (refuted) or nil (nothing).
func decide(cond Cond, op string, c any) any {
	if _, arr := c.([]any); arr && op != "in" {
		return nil // see prove: an array pin proves nothing
	}
	switch cond.Op {
	case Eq:
		return holds(cond.Value, op, c)
	case In:
		set, _ := cond.Value.([]any)
		if len(set) == 0 {
			return true // the query matches nothing
		}
		for _, v := range set {
			if holds(v, op, c) != true {
				return nil
			}
		}
		return true
	case Ne:
		return refutes([]any{cond.Value}, op, c)
	case Nin:
		set, _ := cond.Value.([]any)
		return refutes(set, op, c)
	}
	return bounds(cond, op, c)
}

// holds reports whether a field that is v, or an array with an element v,
// surely satisfies "field op c": true, or nil when that does not follow.
func holds(v any, op string, c any) any {
	if !scalar(v) {
		return nil
	}
	switch op {
	case "==", "has":
		if same(v, c) {
			return true
		}
	case "in":
		list, ok := c.([]any)
		if !ok {
			return nil
		}
		for _, e := range list {
			if scalar(e) && same(v, e) {
				return true
			}
		}
	default:
		if scalar(c) && ordered(op, v, c) {
			return true
		}
	}
	return nil
}

// refutes reports whether a field none of whose elements is in set surely
// fails "field op c": false, or nil.
func refutes(set []any, op string, c any) any {
	in := func(x any) bool {
		for _, v := range set {
			if scalar(v) && same(v, x) {
				return true
			}
		}
		return false
	}
	switch op {
	case "==":
		if scalar(c) && in(c) {
			return false
		}
	case "in":
		list, ok := c.([]any)
		if !ok {
			return nil
		}
		for _, e := range list {
			if !scalar(e) || !in(e) {
				return nil
			}
		}
		return false
	}
	return nil
}

// bounds decides an ordering from a range condition: a field with some
// element > v has one > c when v >= c, and so on.
func bounds(cond Cond, op string, c any) any {
	if !scalar(cond.Value) || !scalar(c) {
		return nil
	}
	k, ok := order(cond.Value, c)
	if !ok {
		return nil
	}
	var proved bool
	switch {
	case (cond.Op == Gt || cond.Op == Gte) && (op == ">" || op == ">="):
		proved = k > 0 || k == 0 && (cond.Op == Gt || op == ">=")
	case (cond.Op == Lt || cond.Op == Lte) && (op == "<" || op == "<="):
		proved = k < 0 || k == 0 && (cond.Op == Lt || op == "<=")
	}
	if proved {
		return true
	}
	return nil
}

// scalar reports whether v is a number, string, boolean, date or null.
func scalar(v any) bool {
	switch v.(type) {
	case nil, string, bool, time.Time:
		return true
	}
	_, ok := toFloat(v)
	return ok
}
