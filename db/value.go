// Package db is minibase's document database: MongoDB query, update,
// projection and sort semantics over JSON documents; each collection's
// rules, which decide what a client may read and write (access*.go,
// rules*.go); the Driver interface that database backends implement
// (db/sqlite); the change feed (ChangeLog); and the HTTP handlers of
// /v1/db and /v1/admin/collections.
//
// Values inside documents are plain Go values of these types only:
//
//	nil        JSON null
//	bool       JSON true/false
//	int64      a JSON number written without fraction or exponent that fits in 64 bits
//	float64    any other JSON number
//	string     JSON string
//	Doc        JSON object, field order kept
//	[]any      JSON array
//	time.Time  extended JSON {"$date": …}, always UTC with millisecond precision
//	Regex      extended JSON {"$regex": …, "$options": …}
//
// ServerDate appears only in decoded write payloads, until ResolveServerDates
// replaces it with the write's time.
package db

import (
	"math"
	"strings"
	"time"
)

// Field is one key/value pair of a Doc.
type Field struct {
	Key   string
	Value any
}

// Doc is a JSON object that keeps its field order, as MongoDB does.
type Doc []Field

// Regex is a stored or queried regular expression in MongoDB's form.
type Regex struct {
	Pattern string
	Options string
}

// ServerDate is the {"$serverDate": {"offset": ms}} placeholder of a write
// payload: the server's clock at write time plus Offset milliseconds.
type ServerDate struct {
	Offset int64
}

// Get returns the value of key and whether it is present.
func (d Doc) Get(key string) (any, bool) {
	for i := range d {
		if d[i].Key == key {
			return d[i].Value, true
		}
	}
	return nil, false
}

// Set replaces the value of key in place, or appends the field when absent.
func (d *Doc) Set(key string, v any) {
	for i := range *d {
		if (*d)[i].Key == key {
			(*d)[i].Value = v
			return
		}
	}
	*d = append(*d, Field{key, v})
}

// Delete removes key and reports whether it was present.
func (d *Doc) Delete(key string) bool {
	for i := range *d {
		if (*d)[i].Key == key {
			*d = append((*d)[:i], (*d)[i+1:]...)
			return true
		}
	}
	return false
}

// ID returns the document's _id as a string, or "" when it has none.
func (d Doc) ID() string {
	v, _ := d.Get("_id")
	s, _ := v.(string)
	return s
}

// Clone returns a deep copy of v (a document value).
func Clone(v any) any {
	switch x := v.(type) {
	case Doc:
		out := make(Doc, len(x))
		for i, f := range x {
			out[i] = Field{f.Key, Clone(f.Value)}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = Clone(e)
		}
		return out
	}
	return v
}

// Type brackets in MongoDB's sort order. Values compare only within a bracket
// in queries; across brackets, sort uses the bracket order.
const (
	rankMinKey = iota
	rankNull   // null and missing
	rankNumber
	rankString
	rankDoc
	rankArray
	rankBool
	rankDate
	rankRegex
)

// TypeRank returns v's type bracket in MongoDB's cross-type sort order.
func TypeRank(v any) int {
	switch v.(type) {
	case nil:
		return rankNull
	case int64, float64:
		return rankNumber
	case string:
		return rankString
	case Doc:
		return rankDoc
	case []any:
		return rankArray
	case bool:
		return rankBool
	case time.Time:
		return rankDate
	case Regex:
		return rankRegex
	}
	return rankMinKey
}

// Compare orders two values the way MongoDB sorts them: first by type bracket
// (null < numbers < strings < objects < arrays < booleans < dates < regexes),
// then by value. Numbers compare by numeric value whatever their Go type;
// strings by bytes (MongoDB's simple binary collation); objects field by field
// (name, then value); arrays element by element.
func Compare(a, b any) int {
	ra, rb := TypeRank(a), TypeRank(b)
	if ra != rb {
		return cmpInt(ra, rb)
	}
	switch x := a.(type) {
	case nil:
		return 0
	case int64:
		return compareNumbers(x, b)
	case float64:
		return compareNumbers(x, b)
	case string:
		return strings.Compare(x, b.(string))
	case bool:
		y := b.(bool)
		switch {
		case x == y:
			return 0
		case !x:
			return -1
		}
		return 1
	case time.Time:
		return x.Compare(b.(time.Time))
	case Regex:
		y := b.(Regex)
		if c := strings.Compare(x.Pattern, y.Pattern); c != 0 {
			return c
		}
		return strings.Compare(x.Options, y.Options)
	case Doc:
		y := b.(Doc)
		for i := 0; i < len(x) && i < len(y); i++ {
			if c := cmpInt(TypeRank(x[i].Value), TypeRank(y[i].Value)); c != 0 {
				return c
			}
			if c := strings.Compare(x[i].Key, y[i].Key); c != 0 {
				return c
			}
			if c := Compare(x[i].Value, y[i].Value); c != 0 {
				return c
			}
		}
		return cmpInt(len(x), len(y))
	case []any:
		y := b.([]any)
		for i := 0; i < len(x) && i < len(y); i++ {
			if c := Compare(x[i], y[i]); c != 0 {
				return c
			}
		}
		return cmpInt(len(x), len(y))
	}
	return 0
}

// Equal reports whether a and b are equal in MongoDB's sense: numbers by
// value (1 == 1.0), documents field by field in order, arrays element by element.
func Equal(a, b any) bool {
	return TypeRank(a) == TypeRank(b) && Compare(a, b) == 0
}

func compareNumbers(a, b any) int {
	switch x := a.(type) {
	case int64:
		switch y := b.(type) {
		case int64:
			return cmpInt(x, y)
		case float64:
			return -compareFloatInt(y, x)
		}
	case float64:
		switch y := b.(type) {
		case int64:
			return compareFloatInt(x, y)
		case float64:
			return compareFloat(x, y)
		}
	}
	return 0
}

// compareFloat orders NaN below every other number, as MongoDB does.
func compareFloat(x, y float64) int {
	switch {
	case math.IsNaN(x) && math.IsNaN(y):
		return 0
	case math.IsNaN(x):
		return -1
	case math.IsNaN(y):
		return 1
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// compareFloatInt compares without losing precision for large int64 values.
func compareFloatInt(x float64, y int64) int {
	if math.IsNaN(x) {
		return -1
	}
	if x < -0x1p63 {
		return -1
	}
	if x >= 0x1p63 {
		return 1
	}
	t := math.Trunc(x)
	if c := cmpInt(int64(t), y); c != 0 {
		return c
	}
	return compareFloat(x, t)
}

func cmpInt[T int | int64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// ToFloat returns v as a float64 when it is a number.
func ToFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// IsNumber reports whether v is a number.
func IsNumber(v any) bool {
	_, ok := ToFloat(v)
	return ok
}
