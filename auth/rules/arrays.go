package rules

import (
	"regexp"
	"strings"
)

// Facts come from a MongoDB filter, and MongoDB's matching looks into
// arrays: {tags: 'a'} also matches tags: ['a', 'b'], {'a.b': 1} matches
// a: [{b: 1}]. A rule's element-wise comparisons agree with that (see
// prove), but a rule that uses a field's value whole (a regular expression,
// truthiness, .length, a get() path, a template, +) or reads a path through
// a parent (doc.a.b, which is null when a is an array) does not. Such steps
// are decided only for the documents in which no array lies at a given
// path or above it; the evaluator records each such path, and Result.NoArray
// hands them to the caller, which must leave the other documents out (or
// deny). Steps that hold for arrays too record nothing: a pinned truthy
// value (arrays are truthy) and a pinned string a regular expression
// matches (a test of an array tests its elements).

// assume records that the verdict being built holds only where no array lies
// at path or above it ("" is the variable itself, never an array).
func (ev *evaluator) assume(path string) {
	if path == "" {
		return
	}
	for _, p := range ev.noArray {
		if p == path {
			return
		}
	}
	ev.noArray = append(ev.noArray, path)
}

// forget drops what was assumed from mark to upto: the operand of && or ||
// recorded them, and the other operand decided alone.
func (ev *evaluator) forget(mark, upto int) {
	ev.noArray = append(ev.noArray[:mark], ev.noArray[upto:]...)
}

// parent is the path above p ("" for a top-level field).
func parent(p string) string {
	if i := strings.LastIndexByte(p, '.'); i >= 0 {
		return p[:i]
	}
	return ""
}

// reaches reports whether the rule reads path (of s's variable) as MongoDB
// does, provided no array lies above it: the path is a top-level field, or
// its parent is a document in every document the facts allow (a null
// parent would fail the rule; a string parent has a .length MongoDB knows
// nothing of).
func (s sym) reaches(path string) bool {
	q := parent(path)
	return q == "" || s.facts.document(q)
}

// document reports whether q holds a document in every document the facts
// allow, given no array at q or above: some path below q is present, or q
// is pinned to an object.
func (f Facts) document(q string) bool {
	for p, conds := range f {
		if strings.HasPrefix(p, q+".") && present(conds) {
			return true
		}
	}
	for _, c := range f[q] {
		if v, ok := c.pin(); ok {
			switch v.(type) {
			case Object, map[string]any:
				return true
			}
		}
	}
	return false
}

// present reports whether conds match only a value that is there and not
// null: MongoDB's missing fields and nulls both fail them.
func present(conds []Cond) bool {
	for _, c := range conds {
		switch c.Op {
		case Eq, Gt, Gte, Lt, Lte:
			if c.Value != nil {
				return true
			}
		case Ne:
			if c.Value == nil {
				return true
			}
		case In:
			set, _ := c.Value.([]any)
			if !hasNull(set) {
				return true
			}
		case Nin:
			set, _ := c.Value.([]any)
			if hasNull(set) {
				return true
			}
		}
	}
	return false
}

func hasNull(set []any) bool {
	for _, v := range set {
		if v == nil {
			return true
		}
	}
	return false
}

// value is the field's value, for a rule that uses it whole: the value an
// Eq (or one-element In) pins it to, which is the field's only where no
// array lies at the pinned path or above it (recorded). A pinned array
// cannot be the field's value there; a pinned null below the top level
// leaves the parent unknown. Otherwise value is unknown, with a hint that
// the rule needs the field (op says how: "", "truthy", "test").
func (ev *evaluator) value(s sym, op string) any {
	if v, at, ok := s.pinned(); ok && s.exact(v, at) {
		ev.assume(at)
		return v
	}
	return unknown{[]Hint{{Var: s.name, Path: s.path, Op: op, Value: Unknown}}}
}

// exact reports whether a pin at path at gives the field's value once no
// array lies at at or above it.
func (s sym) exact(pin any, at string) bool {
	if _, arr := pin.([]any); arr && at == s.path {
		return false
	}
	return pin != nil || s.reaches(at)
}

// truthOf is the truthiness of a field: a field pinned to a truthy value is
// truthy wherever the rule reaches it (an array holding the value is truthy
// too); otherwise it is the truthiness of its value.
func (ev *evaluator) truthOf(s sym) any {
	if v, at, ok := s.pinned(); ok && at == s.path && scalar(v) && truthy(v) && s.reaches(s.path) {
		ev.assume(parent(s.path))
		return true
	}
	v := ev.value(s, "truthy")
	if u, ok := v.(unknown); ok {
		return u
	}
	return truthy(v)
}

// testOf is re.test(field): a pinned string re matches makes it true
// wherever the rule reaches the field (the test of an array tests its
// strings); otherwise it is the test of the field's value.
func (ev *evaluator) testOf(s sym, re *regexp.Regexp) any {
	if v, at, ok := s.pinned(); ok && at == s.path && s.reaches(s.path) {
		if str, ok := v.(string); ok && re.MatchString(str) {
			ev.assume(parent(s.path))
			return true
		}
	}
	return testValue(re, ev.value(s, "test"))
}
