package db

// MaxArrayPad bounds the index an update may write past the end of an array
// (MongoDB pads with nulls; the padding must not exhaust memory).
const MaxArrayPad = 1 << 16

// getSegs follows path segments without fanning out over arrays (GetPath).
func getSegs(v any, segs []string) (any, bool) {
	cur := v
	for _, seg := range segs {
		switch x := cur.(type) {
		case Doc:
			next, ok := x.Get(seg)
			if !ok {
				return nil, false
			}
			cur = next
		case []any:
			i, ok := ArrayIndex(seg)
			if !ok || i >= len(x) {
				return nil, false
			}
			cur = x[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// setPath sets the value at segs in doc, creating missing documents along
// the way and padding arrays with null up to a numeric segment. Setting a
// field inside a value that is neither a document nor an array is an error.
func setPath(doc Doc, segs []string, v any) (Doc, error) {
	out, err := setIn(doc, "", segs, v)
	if err != nil {
		return nil, err
	}
	return out.(Doc), nil
}

func setIn(cur any, key string, segs []string, v any) (any, error) {
	seg := segs[0]
	switch x := cur.(type) {
	case Doc:
		if len(segs) == 1 {
			x.Set(seg, v)
			return x, nil
		}
		child, ok := x.Get(seg)
		if !ok {
			child = Doc{}
		}
		nc, err := setIn(child, seg, segs[1:], v)
		if err != nil {
			return nil, err
		}
		x.Set(seg, nc)
		return x, nil
	case []any:
		i, ok := ArrayIndex(seg)
		if !ok {
			return nil, cannotCreate(seg, key, cur)
		}
		if i >= len(x) {
			if i >= MaxArrayPad {
				return nil, Errorf(CodeInvalidParam, "array index %d in '%s' is too far past the end (limit %d)", i, key, MaxArrayPad)
			}
			x = append(x, make([]any, i+1-len(x))...)
			if len(segs) > 1 {
				x[i] = Doc{}
			}
		}
		if len(segs) == 1 {
			x[i] = v
			return x, nil
		}
		nc, err := setIn(x[i], seg, segs[1:], v)
		if err != nil {
			return nil, err
		}
		x[i] = nc
		return x, nil
	}
	return nil, cannotCreate(seg, key, cur)
}

func cannotCreate(seg, key string, in any) error {
	js := MarshalJSON(in)
	if len(js) > 64 {
		js = append(js[:61:61], "..."...)
	}
	return Errorf(CodeInvalidParam, "Cannot create field '%s' in element {%s: %s}", seg, key, js)
}

// unsetPath removes the field at segs; an array element is set to null
// instead, keeping the other elements' positions. A missing path is no-op.
func unsetPath(doc Doc, segs []string) Doc {
	parent, ok := getSegs(doc, segs[:len(segs)-1])
	if !ok {
		return doc
	}
	last := segs[len(segs)-1]
	switch x := parent.(type) {
	case Doc:
		if len(segs) == 1 {
			doc.Delete(last)
			return doc
		}
		if x.Delete(last) {
			// Delete shifted the fields in place; the shorter header must
			// replace the one stored in the grandparent.
			doc, _ = setPath(doc, segs[:len(segs)-1], x)
		}
	case []any:
		if i, ok := ArrayIndex(last); ok && i < len(x) {
			x[i] = nil
		}
	}
	return doc
}
