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

// ValidateDoc checks a document about to be stored: field names must not be
// empty, start with "$" or contain "."; numbers must be finite; nesting at
// most MaxDepth; _id, when present, a non-empty string of at most 256 bytes.
func ValidateDoc(d Doc) error {
	if v, ok := d.Get("_id"); ok {
		s, isStr := v.(string)
		if !isStr || s == "" || len(s) > 256 {
			return Errorf(CodeInvalidParam, "_id must be a non-empty string of at most 256 bytes")
		}
	}
	return validateValue(d, 0, "")
}

func validateValue(v any, depth int, path string) error {
	if depth > MaxDepth {
		return Errorf(CodeInvalidParam, "document nested deeper than %d levels", MaxDepth)
	}
	switch x := v.(type) {
	case Doc:
		for i, f := range x {
			if f.Key == "" {
				return Errorf(CodeInvalidParam, "field name at %q must not be empty", path)
			}
			if f.Key[0] == '$' {
				return Errorf(CodeInvalidParam, "field name %q must not start with '$'", f.Key)
			}
			if strings.Contains(f.Key, ".") {
				return Errorf(CodeInvalidParam, "field name %q must not contain '.'", f.Key)
			}
			for j := 0; j < i; j++ {
				if x[j].Key == f.Key {
					return Errorf(CodeInvalidParam, "duplicate field name %q", f.Key)
				}
			}
			if err := validateValue(f.Value, depth+1, joinPath(path, f.Key)); err != nil {
				return err
			}
		}
	case []any:
		for _, e := range x {
			if err := validateValue(e, depth+1, path); err != nil {
				return err
			}
		}
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return Errorf(CodeInvalidParam, "field %q: number is not finite", path)
		}
	case ServerDate:
		return Errorf(CodeInvalidParam, "field %q: unresolved $serverDate", path)
	}
	return nil
}

func joinPath(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
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
