package db

import (
	"time"

	"minibase/auth/rules"
)

// What a rule sees as request.data on an update: the fields the update
// writes, nested by path ({"$set": {"a.b": 1}} gives {a: {b: 1}}), each
// with its new value. Before the write (the check against the query) only
// $set, $unset and $currentDate values are known, the others are
// rules.Unknown; inside the write (the check of each stored document) every
// value is read from the updated document.

// dataBefore is request.data as far as the update alone tells it.
func (u *Update) dataBefore(now time.Time) Doc {
	out := Doc{}
	for _, op := range u.ops {
		var v any = rules.Unknown
		switch op.name {
		case "$set":
			v = op.value
			if sd, ok := v.(ServerDate); ok {
				v = now.Add(time.Duration(sd.Offset) * time.Millisecond).UTC().Truncate(time.Millisecond)
			}
		case "$unset":
			v = nil
		case "$currentDate":
			v = now.UTC().Truncate(time.Millisecond)
		}
		if op.dollar >= 0 || containsServerDate(v) {
			v = rules.Unknown
		}
		putPath(&out, op.segs[:pathEnd(op)], v)
		if op.to != nil {
			putPath(&out, op.to, rules.Unknown)
		}
	}
	return out
}

// dataAfter is request.data read from next, the updated document.
func (u *Update) dataAfter(next Doc) Doc {
	out := Doc{}
	for _, op := range u.ops {
		segs := op.segs[:pathEnd(op)]
		v, _ := getSegs(next, segs)
		putPath(&out, segs, v)
		if op.to != nil {
			v, _ := getSegs(next, op.to)
			putPath(&out, op.to, v)
		}
	}
	return out
}

// pathEnd is where op's path stops being known: at a positional "$".
func pathEnd(op *updateOp) int {
	if op.dollar >= 0 {
		return op.dollar
	}
	return len(op.segs)
}

func containsServerDate(v any) bool {
	switch x := v.(type) {
	case ServerDate:
		return true
	case Doc:
		for _, f := range x {
			if containsServerDate(f.Value) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if containsServerDate(e) {
				return true
			}
		}
	}
	return false
}

// putPath sets segs in d, creating sub-documents; an existing non-document
// on the way is replaced (the result only feeds rules).
func putPath(d *Doc, segs []string, v any) {
	if len(segs) == 0 {
		return
	}
	if len(segs) == 1 {
		d.Set(segs[0], v)
		return
	}
	cur, _ := d.Get(segs[0])
	sub, ok := cur.(Doc)
	if !ok {
		sub = Doc{}
	}
	putPath(&sub, segs[1:], v)
	d.Set(segs[0], sub)
}
