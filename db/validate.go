package db

import (
	"math"
	"regexp"
	"strings"
	"time"
)

// MaxDocSize is the largest stored document, in bytes of extended JSON.
const MaxDocSize = 16 << 20

var collNameRE = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_-]{0,63}$`)

// ValidCollectionName reports whether name is an allowed collection name.
func ValidCollectionName(name string) bool { return collNameRE.MatchString(name) }

// MaxFields is the most fields and array elements a stored document may
// have together, counting those of its nested documents and arrays at
// every level. Firestore allows 20,000 fields and 40,000 index entries
// (each array element is one); MongoDB's only bound is the 16 MiB size,
// which lets one array hold millions of numbers that every query matching
// the field walks (a 20-byte count then costs a second of CPU). Counting
// elements as fields keeps what is done per document bounded: decoding a
// stored one, matching a filter on it, checking a rule. A request object
// with more fields, or array with more elements, is refused while it is
// decoded (DecodeBody).
const MaxFields = 20_000

// ValidateDoc checks a document about to be stored: field names must not be
// empty, start with "$", contain "." or repeat within an object; numbers
// must be finite; nesting at most MaxDepth; at most MaxFields fields and
// array elements; _id,
// when present, a non-empty string of at most 256 bytes. Its cost is linear
// in the document's size.
func ValidateDoc(d Doc) error {
	if v, ok := d.Get("_id"); ok {
		s, isStr := v.(string)
		if !isStr || s == "" || len(s) > 256 {
			return Errorf(CodeInvalidParam, "_id must be a non-empty string of at most 256 bytes")
		}
	}
	var v validator
	return v.value(d, 0)
}

// validator walks a document for ValidateDoc.
type validator struct {
	fields int      // counted so far
	path   []string // the field names from the document to the value being checked
}

// at is the path of the value being checked, for messages: it is joined
// only when one is written, so deep documents with long names cost nothing.
func (v *validator) at() string { return strings.Join(v.path, ".") }

func (v *validator) value(x any, depth int) error {
	if depth > MaxDepth {
		return Errorf(CodeInvalidParam, "document nested deeper than %d levels", MaxDepth)
	}
	switch x := x.(type) {
	case Doc:
		if v.fields += len(x); v.fields > MaxFields {
			return v.tooMany()
		}
		var seen map[string]struct{} // for a large object; a small one is searched
		if len(x) > smallDoc {
			seen = make(map[string]struct{}, len(x))
		}
		for i, f := range x {
			if err := v.name(x, i, seen); err != nil {
				return err
			}
			v.path = append(v.path, f.Key)
			err := v.value(f.Value, depth+1)
			v.path = v.path[:len(v.path)-1]
			if err != nil {
				return err
			}
		}
	case []any:
		if v.fields += len(x); v.fields > MaxFields {
			return v.tooMany()
		}
		for _, e := range x {
			if err := v.value(e, depth+1); err != nil {
				return err
			}
		}
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return Errorf(CodeInvalidParam, "field %q: number is not finite", v.at())
		}
	case ServerDate:
		return Errorf(CodeInvalidParam, "field %q: unresolved $serverDate", v.at())
	}
	return nil
}

func (v *validator) tooMany() error {
	return Errorf(CodeInvalidParam, "document has more than %d fields and array elements (counting those of nested documents and arrays)", MaxFields)
}

// smallDoc is the size up to which an object's names are compared with
// each other to find a repeat (at most smallDoc²/2 comparisons, no
// allocation); larger objects use a set.
const smallDoc = 16

// name checks the name of d[i]; seen holds the names before it when d is
// larger than smallDoc.
func (v *validator) name(d Doc, i int, seen map[string]struct{}) error {
	key := d[i].Key
	switch {
	case key == "":
		return Errorf(CodeInvalidParam, "field name at %q must not be empty", v.at())
	case key[0] == '$':
		return Errorf(CodeInvalidParam, "field name %q must not start with '$'", key)
	case strings.Contains(key, "."):
		return Errorf(CodeInvalidParam, "field name %q must not contain '.'", key)
	}
	dup := false
	if seen != nil {
		_, dup = seen[key]
		seen[key] = struct{}{}
	} else {
		for j := range i {
			dup = dup || d[j].Key == key
		}
	}
	if dup {
		return Errorf(CodeInvalidParam, "duplicate field name %q", key)
	}
	return nil
}

// ResolveServerDates replaces every ServerDate inside v with now plus its
// offset, and returns the result (v is modified in place where possible).
func ResolveServerDates(v any, now time.Time) any {
	switch x := v.(type) {
	case ServerDate:
		return now.Add(time.Duration(x.Offset) * time.Millisecond).UTC().Truncate(time.Millisecond)
	case Doc:
		for i := range x {
			x[i].Value = ResolveServerDates(x[i].Value, now)
		}
	case []any:
		for i := range x {
			x[i] = ResolveServerDates(x[i], now)
		}
	}
	return v
}
