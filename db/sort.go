package db

import "strings"

// MaxSortKeys bounds the number of keys of a sort, as MongoDB does.
const MaxSortKeys = 32

// ParseSort parses a sort specification: the wire form [[path, dir], …] or a
// document {path: dir, …}, where dir is 1, -1, "asc" or "desc". nil or an
// empty specification gives no keys. Errors (INVALID_PARAM): a bad
// direction, an empty, "$"-prefixed or duplicate path, more than
// MaxSortKeys keys.
func ParseSort(v any) ([]SortKey, error) {
	var pairs []Field
	switch x := v.(type) {
	case nil:
	case Doc:
		pairs = x
	case []any:
		for _, e := range x {
			p, ok := e.([]any)
			if !ok || len(p) != 2 {
				return nil, Errorf(CodeInvalidParam, "sort must be a list of [path, direction] pairs")
			}
			path, ok := p[0].(string)
			if !ok {
				return nil, Errorf(CodeInvalidParam, "sort path must be a string, got %s", fieldType(p[0]))
			}
			pairs = append(pairs, Field{path, p[1]})
		}
	default:
		return nil, Errorf(CodeInvalidParam, "sort must be a list of [path, direction] pairs")
	}
	if len(pairs) > MaxSortKeys {
		return nil, Errorf(CodeInvalidParam, "sort has more than %d keys", MaxSortKeys)
	}
	keys := make([]SortKey, 0, len(pairs))
	for i, p := range pairs {
		k, err := parseSortKey(p)
		if err != nil {
			return nil, err
		}
		for _, q := range pairs[:i] {
			if q.Key == p.Key {
				return nil, Errorf(CodeInvalidParam, "duplicate sort path '%s'", p.Key)
			}
		}
		keys = append(keys, k)
	}
	return keys, nil
}

func parseSortKey(p Field) (SortKey, error) {
	segs := Segments(p.Key)
	for _, s := range segs {
		if s == "" || s[0] == '$' {
			return SortKey{}, Errorf(CodeInvalidParam, "bad sort path '%s'", p.Key)
		}
	}
	if len(segs) > MaxPathDepth {
		return SortKey{}, Errorf(CodeInvalidParam, "sort path has more than %d segments", MaxPathDepth)
	}
	k := SortKey{Path: p.Key}
	switch d := p.Value.(type) {
	case int64:
		k.Desc = d == -1
		if d == 1 || d == -1 {
			return k, nil
		}
	case float64:
		k.Desc = d == -1
		if d == 1 || d == -1 {
			return k, nil
		}
	case string:
		k.Desc = d == "desc"
		if d == "asc" || d == "desc" {
			return k, nil
		}
	}
	return SortKey{}, Errorf(CodeInvalidParam, "sort direction must be 1, -1, \"asc\" or \"desc\"")
}

// CompareDocs orders two documents by keys with MongoDB's sort semantics
// (see SortValue); it returns -1, 0 or 1. It adds no tie-break: callers that
// need a total order append an _id key.
func CompareDocs(a, b Doc, keys []SortKey) int {
	for _, k := range keys {
		c := Compare(SortValue(a, k.Path, k.Desc), SortValue(b, k.Path, k.Desc))
		if k.Desc {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

// Undefined is the sort value of an empty array: it sorts before null (its
// TypeRank is below every other). SortValue returns it; it is never stored.
type Undefined struct{}

// SortValue returns the value doc sorts by on path. The path fans out over
// arrays as a query does; an array value contributes its elements. Of all
// the values found, an ascending sort uses the smallest and a descending sort
// the largest (Compare order). A missing path, or a branch of the fan-out
// that lacks the field, gives null; an empty array gives Undefined.
func SortValue(doc Doc, path string, desc bool) any {
	p := sortPick{desc: desc}
	p.walkDoc(doc, path)
	return p.best
}

// sortPick keeps the best candidate while walking a path.
type sortPick struct {
	desc  bool
	found bool
	best  any
}

func (p *sortPick) offer(v any) {
	if !p.found {
		p.best, p.found = v, true
		return
	}
	c := Compare(v, p.best)
	if (p.desc && c > 0) || (!p.desc && c < 0) {
		p.best = v
	}
}

// walkDoc follows rest (a dot path) from d, offering each value it reaches.
func (p *sortPick) walkDoc(d Doc, rest string) {
	seg, tail, more := strings.Cut(rest, ".")
	next, ok := d.Get(seg)
	switch {
	case !ok:
		p.offer(nil)
	case more:
		p.walk(next, tail)
	default:
		p.leaf(next)
	}
}

// walk follows rest from any value: documents by field, arrays by index or
// by fanning out over their document elements.
func (p *sortPick) walk(v any, rest string) {
	seg, tail, more := strings.Cut(rest, ".")
	switch x := v.(type) {
	case Doc:
		p.walkDoc(x, rest)
	case []any:
		if i, ok := ArrayIndex(seg); ok {
			if i >= len(x) {
				p.offer(nil)
			} else if more {
				p.walk(x[i], tail)
			} else {
				p.leaf(x[i])
			}
			return
		}
		if len(x) == 0 {
			p.offer(nil)
		}
		for _, e := range x {
			if d, isDoc := e.(Doc); isDoc {
				p.walkDoc(d, rest)
			} else {
				p.offer(nil)
			}
		}
	default:
		p.offer(nil)
	}
}

// leaf offers a value found at the end of the path: an array's elements,
// or Undefined for an empty array.
func (p *sortPick) leaf(v any) {
	arr, ok := v.([]any)
	if !ok {
		p.offer(v)
		return
	}
	if len(arr) == 0 {
		p.offer(Undefined{})
		return
	}
	for _, e := range arr {
		p.offer(e)
	}
}
