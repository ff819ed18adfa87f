package db

// Apply returns the projected copy of d, with d's field order; d is not
// modified. Dot paths keep the sub-document shape and, through arrays of
// documents, project each element. A nil *Projection returns d unchanged.
func (p *Projection) Apply(d Doc) Doc {
	if p == nil {
		return d
	}
	return p.doc(d, p.root)
}

func (p *Projection) doc(d Doc, n *projNode) Doc {
	out := make(Doc, 0, len(d))
	for _, f := range d {
		c := n.children[f.Key]
		if c == nil {
			if !p.include {
				out = append(out, Field{f.Key, Clone(f.Value)})
			}
			continue
		}
		if v, keep := p.value(f.Value, c); keep {
			out = append(out, Field{f.Key, v})
		}
	}
	return out
}

// value projects one field's value through node n, and says whether the
// field stays.
func (p *Projection) value(v any, n *projNode) (any, bool) {
	switch {
	case n.elem != nil:
		arr, _ := v.([]any)
		for _, e := range arr {
			if n.elem.match(e) {
				return []any{Clone(e)}, true
			}
		}
		return nil, false
	case n.slice != nil:
		return n.slice.apply(Clone(v)), true
	case n.leaf:
		return Clone(v), p.include
	}
	switch x := v.(type) {
	case Doc:
		return p.doc(x, n), true
	case []any:
		out := make([]any, 0, len(x))
		for _, e := range x {
			switch e.(type) {
			case Doc, []any:
				pe, _ := p.value(e, n)
				out = append(out, pe)
			default:
				if !p.include {
					out = append(out, Clone(e))
				}
			}
		}
		return out, true
	}
	return Clone(v), !p.include // a scalar where sub-fields were listed
}

// apply slices an array; other values pass unchanged.
func (s *projSlice) apply(v any) any {
	arr, ok := v.([]any)
	if !ok {
		return v
	}
	start, end := 0, len(arr)
	switch {
	case s.pair && s.skip < 0:
		start = max(len(arr)+s.skip, 0)
	case s.pair:
		start = min(s.skip, len(arr))
	case s.limit < 0:
		start = max(len(arr)+s.limit, 0)
	default:
		end = min(s.limit, len(arr))
	}
	if s.pair {
		end = min(start+s.limit, len(arr))
	}
	return arr[start:end]
}
