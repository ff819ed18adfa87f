package db

import (
	"slices"
	"strings"
	"time"
)

// pushMods are the modifiers of $push {$each, $position, $sort, $slice}.
type pushMods struct {
	hasPos   bool
	pos      int
	hasSlice bool
	slice    int
	sort     *pushSort
}

// pushSort is a $push $sort: whole elements (keys nil) or element fields.
type pushSort struct {
	desc bool
	keys []SortKey
}

func (op *updateOp) parsePush() error {
	d, isDoc := op.value.(Doc)
	if !isDoc || !slices.ContainsFunc(d, func(f Field) bool { return f.Key == "$each" }) {
		for _, f := range d {
			if f.Key == "$position" || f.Key == "$sort" || f.Key == "$slice" {
				return Errorf(CodeInvalidOperator, "$push of '%s': %s requires $each", op.path, f.Key)
			}
		}
		op.each = []any{op.value}
		return nil
	}
	for _, f := range d {
		if err := op.parsePushMod(f); err != nil {
			return err
		}
	}
	return nil
}

func (op *updateOp) parsePushMod(f Field) error {
	var ok bool
	switch f.Key {
	case "$each":
		op.each, ok = f.Value.([]any)
	case "$position":
		op.push.pos, ok = integer(f.Value)
		op.push.hasPos = true
	case "$slice":
		op.push.slice, ok = integer(f.Value)
		op.push.hasSlice = true
	case "$sort":
		op.push.sort, ok = parsePushSort(f.Value)
	default:
		return Errorf(CodeInvalidOperator, "$push of '%s': unrecognized clause %s", op.path, f.Key)
	}
	if !ok {
		want := map[string]string{"$each": "an array", "$position": "an integer", "$slice": "an integer",
			"$sort": "1, -1 or a document of {field: 1|-1}"}[f.Key]
		return Errorf(CodeInvalidOperator, "$push of '%s': %s must be %s, got %s", op.path, f.Key, want, MarshalJSON(f.Value))
	}
	return nil
}

func parsePushSort(v any) (*pushSort, bool) {
	if n, ok := integer(v); ok {
		return &pushSort{desc: n == -1}, n == 1 || n == -1
	}
	d, ok := v.(Doc)
	if !ok || len(d) == 0 {
		return nil, false
	}
	keys, err := ParseSort(d)
	if err != nil {
		return nil, false
	}
	for _, f := range d {
		if _, isStr := f.Value.(string); isStr {
			return nil, false
		}
	}
	return &pushSort{keys: keys}, true
}

func (op *updateOp) parseAddToSet() error {
	d, ok := op.value.(Doc)
	if !ok || len(d) != 1 || (d[0].Key != "$each" && d[0].Key != "each") {
		if ok && slices.ContainsFunc(d, func(f Field) bool { return f.Key == "$each" }) {
			return Errorf(CodeInvalidOperator, "$addToSet of '%s': $each must be the only field", op.path)
		}
		op.each = []any{op.value}
		return nil
	}
	if op.each, ok = d[0].Value.([]any); !ok {
		if d[0].Key == "each" {
			op.each = []any{op.value} // {each: 5} is a plain document value
			return nil
		}
		return Errorf(CodeInvalidOperator, "$addToSet of '%s': $each must be an array", op.path)
	}
	return nil
}

// applyArray computes the new array of $push, $addToSet, $pop, $pull and
// $pullAll from arr (the document's own copy).
func (op *updateOp) applyArray(arr []any, now time.Time) (any, bool, error) {
	switch op.name {
	case "$push":
		return op.pushInto(arr, now), true, nil
	case "$addToSet":
		for _, e := range op.each {
			e = ResolveServerDates(Clone(e), now)
			if !slices.ContainsFunc(arr, func(x any) bool { return Equal(x, e) }) {
				arr = append(arr, e)
			}
		}
		return arr, true, nil
	case "$pop":
		switch {
		case len(arr) == 0:
			return arr, false, nil
		case op.popLast:
			return arr[:len(arr)-1], true, nil
		}
		return arr[1:], true, nil
	case "$pull":
		return slices.DeleteFunc(arr, op.pull.match), true, nil
	}
	// $pullAll
	return slices.DeleteFunc(arr, func(x any) bool {
		return slices.ContainsFunc(op.each, func(e any) bool { return Equal(x, e) })
	}), true, nil
}

// pushInto inserts $each at $position, then sorts, then slices.
func (op *updateOp) pushInto(arr []any, now time.Time) []any {
	each := ResolveServerDates(Clone(op.each), now).([]any)
	pos := len(arr)
	if op.push.hasPos {
		pos = op.push.pos
		if pos < 0 {
			pos = max(len(arr)+pos, 0)
		}
		pos = min(pos, len(arr))
	}
	arr = slices.Insert(arr, pos, each...)
	if s := op.push.sort; s != nil {
		slices.SortStableFunc(arr, s.compare)
	}
	if op.push.hasSlice {
		n := op.push.slice
		switch {
		case n >= 0 && n < len(arr):
			arr = arr[:n]
		case n < 0 && -n < len(arr):
			arr = arr[len(arr)+n:]
		}
	}
	return arr
}

func (s *pushSort) compare(a, b any) int {
	if s.keys == nil {
		if s.desc {
			return Compare(b, a)
		}
		return Compare(a, b)
	}
	da, _ := a.(Doc)
	db, _ := b.(Doc)
	return CompareDocs(da, db, s.keys)
}

// elemMatcher decides which array elements $pull removes (and which one an
// $elemMatch projection keeps): a plain value matches Equal elements; a
// document of field conditions matches element documents as a query would;
// an operator document or a regex is a condition on the element itself.
type elemMatcher struct {
	value   any
	filter  *Filter
	wrapped bool // filter tests {"e": element}
}

func newElemMatcher(v any) (*elemMatcher, error) {
	var err error
	m := &elemMatcher{value: v}
	switch x := v.(type) {
	case Doc:
		if len(x) > 0 && strings.HasPrefix(x[0].Key, "$") {
			m.wrapped = true
			m.filter, err = ParseFilter(Doc{{"e", x}})
		} else {
			m.filter, err = ParseFilter(x)
		}
	case Regex:
		m.wrapped = true
		m.filter, err = ParseFilter(Doc{{"e", x}})
	}
	if err != nil {
		return nil, err
	}
	return m, nil
}

func (m *elemMatcher) match(e any) bool {
	switch {
	case m.filter == nil:
		return Equal(e, m.value)
	case m.wrapped:
		return m.filter.Match(Doc{{"e", e}})
	}
	d, ok := e.(Doc)
	return ok && m.filter.Match(d)
}
