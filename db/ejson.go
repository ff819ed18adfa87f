package db

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/go-json-experiment/json/jsontext"
)

// MaxDepth is the default nesting limit for decoded JSON (objects and arrays).
const MaxDepth = 100

// DateLayout is how dates travel on the wire and in storage: UTC, millisecond
// precision, fixed width, so that text order equals time order.
const DateLayout = "2006-01-02T15:04:05.000Z"

var (
	minDate = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	maxDate = time.Date(9999, 12, 31, 23, 59, 59, 999e6, time.UTC)
)

// DecodeJSON parses extended JSON into document values (see the package
// comment). Objects nested deeper than maxDepth, duplicate keys, invalid UTF-8,
// trailing data and malformed extended JSON ({"$date": "yesterday"}) are
// errors of code INVALID_PARAM. Objects with other "$" keys are returned as
// Docs: operators are the business of the filter and update parsers.
func DecodeJSON(data []byte, maxDepth int) (any, error) {
	return decodeLimited(data, limits{depth: maxDepth})
}

// DecodeBody decodes a request body: a JSON object, or {} when it is empty,
// nested at most MaxDepth+4 levels (a document inside {data: …} or an
// operator). Besides DecodeJSON's checks, and while it decodes (the moment
// a limit is passed, before the rest is read): an object with more than
// MaxFields fields or an array with more than MaxFields elements is
// refused — no part of a request (a document, a filter, an $in list, an
// update) may have more — and so is a body whose decoded form would take
// more than MaxBodyMemory bytes.
func DecodeBody(data []byte) (Doc, error) {
	if len(data) == 0 {
		return Doc{}, nil
	}
	v, err := decodeLimited(data, limits{depth: MaxDepth + 4, fields: MaxFields, memory: MaxBodyMemory})
	if err != nil {
		return nil, err
	}
	d, ok := v.(Doc)
	if !ok {
		return nil, Errorf(CodeInvalidParam, "request body must be a JSON object")
	}
	return d, nil
}

// MaxBodyMemory bounds the decoded form of one request body (DecodeBody),
// in bytes as decodeCost estimates them: documents of ordinary JSON take 2
// to 4 times their text, so a 16 MiB body of them fits, while a body of
// tiny values ([0,0,…] takes 8 times its text, [[],[],…] 13) is refused
// past a few MiB instead of taking hundreds of MiB.
const MaxBodyMemory = 64 << 20

// MaxMemoryPerByte is the most the decoded form of a body may take per
// byte of its text (a body of empty arrays or objects: 40 bytes for each
// "[]," or "{},"): BodyMemory reserves that much of a small body up front.
const MaxMemoryPerByte = 14

// BodyMemory is the most DecodeBody may hold for a body of n bytes: n
// times MaxMemoryPerByte, at most MaxBodyMemory. It is what a server
// reserves from its budget before decoding (Service.body).
func BodyMemory(n int) int64 { return min(int64(n)*MaxMemoryPerByte, MaxBodyMemory) }

// limits bound a decode: nesting, fields per object and elements per
// array, and estimated memory (0: no bound but nesting).
type limits struct {
	depth, fields int
	memory        int64
}

// Estimated bytes held by decoded values (64-bit): every value takes an
// interface slot in its array or field; numbers, strings, containers and
// extended values are boxed besides (small integers are not: Go keeps
// 0-255 static).
const (
	costSlot  = 16 // an element of a []any, or a Field's value
	costField = 16 // a Field's key header, besides its slot and its bytes
	costBox   = 24 // a boxed slice, Doc, string header, time or regex
	costNum   = 8  // a boxed int64 or float64
)

// decoder is the state of one decode: the JSON decoder, the limits, the
// memory estimated so far, and scratch stacks on which arrays and objects
// collect their members before they are copied out at their exact size (a
// slice grown by append holds up to twice its length, and leaves the
// smaller copies behind). It is kept for reuse: making one per value was a
// fifth of the time of reading documents one field at a time.
type decoder struct {
	r      bytes.Reader
	dec    *jsontext.Decoder
	lim    limits
	cost   int64
	vals   []any
	fields []Field
	seen   map[string]struct{} // unique's
}

var decoders = sync.Pool{New: func() any {
	d := &decoder{}
	d.dec = jsontext.NewDecoder(&d.r)
	return d
}}

// release returns d to the pool, unless it read a large input (its buffer
// and scratch stacks would stay that large).
func (d *decoder) release(n int) {
	d.r.Reset(nil)
	if n <= 64<<10 {
		decoders.Put(d)
	}
}

func decodeLimited(data []byte, lim limits) (any, error) {
	d := decoders.Get().(*decoder)
	defer d.release(len(data))
	d.r.Reset(data)
	// Repeated names are found by object, once it is read: jsontext's own
	// check allocates some 90 bytes a name, five times what the name
	// itself takes.
	d.dec.Reset(&d.r, jsontext.AllowDuplicateNames(true))
	d.lim, d.cost = lim, 0
	v, err := d.value(0)
	if err != nil {
		return nil, err
	}
	if _, err := d.dec.ReadToken(); err != io.EOF {
		return nil, Errorf(CodeInvalidParam, "invalid JSON: unexpected data after the top-level value")
	}
	return v, nil
}

func jsonErr(err error) error {
	var de *Error
	if errors.As(err, &de) {
		return err
	}
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return Errorf(CodeInvalidParam, "invalid JSON: unexpected end of input")
	}
	return Errorf(CodeInvalidParam, "invalid JSON: %v", err)
}

// charge adds n bytes to the estimate and refuses the body past its bound.
func (d *decoder) charge(n int64) error {
	d.cost += n
	if d.lim.memory > 0 && d.cost > d.lim.memory {
		return Errorf(CodeInvalidParam, "the request is too complex: decoded, it would take more than %d MiB (too many small values)", d.lim.memory>>20)
	}
	return nil
}

func (d *decoder) value(depth int) (any, error) {
	tok, err := d.dec.ReadToken()
	if err != nil {
		return nil, jsonErr(err)
	}
	switch tok.Kind() {
	case 'n':
		return nil, nil
	case 't':
		return true, nil
	case 'f':
		return false, nil
	case '"':
		s := tok.String()
		return s, d.charge(costBox + int64(len(s)))
	case '0':
		// An integer, read without a copy of its text; "-0" (negative zero,
		// which no integer holds) goes to parseNumber as a double.
		if n, err := tok.Int(); err == nil && (n != 0 || !negativeZero(tok)) {
			if n >= 0 && n < 256 {
				return n, nil
			}
			return n, d.charge(costNum)
		}
		v, err := parseNumber(tok.String())
		if err != nil {
			return nil, err
		}
		return v, d.charge(costNum)
	case '[':
		if depth >= d.lim.depth {
			return nil, Errorf(CodeInvalidParam, "JSON nested deeper than %d levels", d.lim.depth)
		}
		return d.array(depth)
	case '{':
		if depth >= d.lim.depth {
			return nil, Errorf(CodeInvalidParam, "JSON nested deeper than %d levels", d.lim.depth)
		}
		return d.object(depth)
	}
	return nil, Errorf(CodeInvalidParam, "invalid JSON")
}

func (d *decoder) array(depth int) (any, error) {
	if err := d.charge(costBox); err != nil {
		return nil, err
	}
	start := len(d.vals)
	defer func() { clear(d.vals[start:]); d.vals = d.vals[:start] }()
	for d.dec.PeekKind() != ']' {
		if d.lim.fields > 0 && len(d.vals)-start == d.lim.fields {
			return nil, Errorf(CodeInvalidParam, "a JSON array has more than %d elements (a document may have %d fields and array elements together)", d.lim.fields, MaxFields)
		}
		if err := d.charge(costSlot); err != nil {
			return nil, err
		}
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		d.vals = append(d.vals, v)
	}
	if _, err := d.dec.ReadToken(); err != nil {
		return nil, jsonErr(err)
	}
	return append([]any{}, d.vals[start:]...), nil
}

// unique refuses an object with a name twice: a small one by comparing its
// names, a larger one with a set the decoder keeps (cleared, not
// reallocated, for the next).
func (d *decoder) unique(fs []Field) error {
	if len(fs) <= smallDoc {
		for i := 1; i < len(fs); i++ {
			for j := range i {
				if fs[i].Key == fs[j].Key {
					return errDuplicateName(fs[i].Key)
				}
			}
		}
		return nil
	}
	if d.seen == nil {
		d.seen = make(map[string]struct{}, len(fs))
	}
	defer clear(d.seen)
	for _, f := range fs {
		if _, dup := d.seen[f.Key]; dup {
			return errDuplicateName(f.Key)
		}
		d.seen[f.Key] = struct{}{}
	}
	return nil
}

func errDuplicateName(name string) error {
	if len(name) > 64 {
		name = name[:64] + "…"
	}
	return Errorf(CodeInvalidParam, "invalid JSON: duplicate object member name %q", name)
}

func (d *decoder) object(depth int) (any, error) {
	if err := d.charge(costBox); err != nil {
		return nil, err
	}
	start := len(d.fields)
	defer func() { clear(d.fields[start:]); d.fields = d.fields[:start] }()
	for d.dec.PeekKind() != '}' {
		if d.lim.fields > 0 && len(d.fields)-start == d.lim.fields {
			return nil, Errorf(CodeInvalidParam, "a JSON object has more than %d fields", d.lim.fields)
		}
		kt, err := d.dec.ReadToken()
		if err != nil {
			return nil, jsonErr(err)
		}
		key := kt.String() // the token is void after the next read
		if err := d.charge(costSlot + costField + int64(len(key))); err != nil {
			return nil, err
		}
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		d.fields = append(d.fields, Field{key, v})
	}
	if _, err := d.dec.ReadToken(); err != nil {
		return nil, jsonErr(err)
	}
	if err := d.unique(d.fields[start:]); err != nil {
		return nil, err
	}
	return decodeExtended(append(Doc{}, d.fields[start:]...))
}

func parseNumber(s string) (any, error) {
	isInt := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '.' || c == 'e' || c == 'E' {
			isInt = false
			break
		}
	}
	// "-0" is negative zero, which an integer cannot hold: read as the
	// double it is, it writes back as "-0" and reads back the same.
	if isInt && s != "-0" {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n, nil
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) {
		return nil, Errorf(CodeInvalidParam, "number %s is out of range", s)
	}
	return f, nil
}

// decodeExtended turns {"$date": …}, {"$regex": …, "$options": …} and
// {"$serverDate": …} into their values; other objects are returned unchanged.
func decodeExtended(d Doc) (any, error) {
	if len(d) == 0 || len(d[0].Key) == 0 || d[0].Key[0] != '$' {
		return d, nil
	}
	switch {
	case len(d) == 1 && d[0].Key == "$date":
		return decodeDate(d[0].Value)
	case len(d) == 1 && d[0].Key == "$serverDate":
		return decodeServerDate(d[0].Value)
	case (len(d) == 1 || len(d) == 2) && isRegexDoc(d):
		return decodeRegex(d)
	}
	return d, nil
}

func decodeDate(v any) (any, error) {
	var t time.Time
	switch x := v.(type) {
	case string:
		p, err := time.Parse(time.RFC3339Nano, x)
		if err != nil {
			return nil, Errorf(CodeInvalidParam, "invalid $date %q: want RFC 3339, like 2024-05-01T08:00:00Z", x)
		}
		t = p
	case int64:
		t = time.UnixMilli(x)
	case float64:
		if math.IsNaN(x) || math.Abs(x) > 1e15 {
			return nil, Errorf(CodeInvalidParam, "invalid $date %v: out of range", x)
		}
		t = time.UnixMilli(int64(x))
	case Doc:
		if s, ok := x.Get("$numberLong"); ok && len(x) == 1 {
			if str, ok := s.(string); ok {
				if n, err := strconv.ParseInt(str, 10, 64); err == nil {
					t = time.UnixMilli(n)
					break
				}
			}
		}
		return nil, Errorf(CodeInvalidParam, "invalid $date: want an RFC 3339 string or milliseconds")
	default:
		return nil, Errorf(CodeInvalidParam, "invalid $date: want an RFC 3339 string or milliseconds")
	}
	t = t.UTC().Truncate(time.Millisecond)
	if t.Before(minDate) || t.After(maxDate) {
		return nil, Errorf(CodeInvalidParam, "invalid $date: year must be between 1 and 9999")
	}
	return t, nil
}

func decodeServerDate(v any) (any, error) {
	d, ok := v.(Doc)
	if !ok {
		return nil, Errorf(CodeInvalidParam, "invalid $serverDate: want {\"offset\": milliseconds}")
	}
	var sd ServerDate
	for _, f := range d {
		if f.Key != "offset" {
			return nil, Errorf(CodeInvalidParam, "invalid $serverDate: unknown field %q", f.Key)
		}
		n, ok := f.Value.(int64)
		if !ok {
			fl, isF := f.Value.(float64)
			if !isF || fl != math.Trunc(fl) || math.Abs(fl) > 1e15 {
				return nil, Errorf(CodeInvalidParam, "invalid $serverDate: offset must be an integer number of milliseconds")
			}
			n = int64(fl)
		}
		if n > 1e13 || n < -1e13 {
			return nil, Errorf(CodeInvalidParam, "invalid $serverDate: offset out of range")
		}
		sd.Offset = n
	}
	return sd, nil
}

func isRegexDoc(d Doc) bool {
	if d[0].Key != "$regex" {
		return false
	}
	return len(d) == 1 || d[1].Key == "$options"
}

func decodeRegex(d Doc) (any, error) {
	p, ok := d[0].Value.(string)
	if !ok {
		if r, isR := d[0].Value.(Regex); isR && len(d) == 1 {
			return r, nil
		}
		return nil, Errorf(CodeInvalidOperator, "$regex must be a string")
	}
	r := Regex{Pattern: p}
	if len(d) == 2 {
		o, ok := d[1].Value.(string)
		if !ok {
			return nil, Errorf(CodeInvalidOperator, "$options must be a string")
		}
		for _, c := range o {
			if c != 'i' && c != 'm' && c != 's' {
				return nil, Errorf(CodeInvalidOperator, "invalid $options flag %q: allowed are i, m and s", c)
			}
		}
		r.Options = o
	}
	return r, nil
}

// AppendJSON appends the extended-JSON encoding of v to dst. Non-finite
// floats, which JSON cannot carry, are written as null; writes refuse them
// earlier (see ValidateDoc).
func AppendJSON(dst []byte, v any) []byte {
	switch x := v.(type) {
	case nil, missingValue:
		return append(dst, "null"...)
	case bool:
		return strconv.AppendBool(dst, x)
	case int64:
		return strconv.AppendInt(dst, x, 10)
	case float64:
		return appendFloat(dst, x)
	case string:
		return appendString(dst, x)
	case time.Time:
		dst = append(dst, `{"$date":"`...)
		dst = x.UTC().AppendFormat(dst, DateLayout)
		return append(dst, `"}`...)
	case Regex:
		dst = append(dst, `{"$regex":`...)
		dst = appendString(dst, x.Pattern)
		dst = append(dst, `,"$options":`...)
		dst = appendString(dst, x.Options)
		return append(dst, '}')
	case ServerDate:
		dst = append(dst, `{"$serverDate":{"offset":`...)
		dst = strconv.AppendInt(dst, x.Offset, 10)
		return append(dst, "}}"...)
	case Doc:
		dst = append(dst, '{')
		for i, f := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendString(dst, f.Key)
			dst = append(dst, ':')
			dst = AppendJSON(dst, f.Value)
		}
		return append(dst, '}')
	case []any:
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = AppendJSON(dst, e)
		}
		return append(dst, ']')
	}
	panic(fmt.Sprintf("db: AppendJSON of unsupported type %T", v))
}

// MarshalJSON returns the extended-JSON encoding of v.
func MarshalJSON(v any) []byte { return AppendJSON(nil, v) }

func appendString(dst []byte, s string) []byte {
	plain := true // printable ASCII without quotes or backslashes: as is
	for i := 0; i < len(s) && plain; i++ {
		plain = s[i] >= 0x20 && s[i] < 0x7f && s[i] != '"' && s[i] != '\\'
	}
	if plain {
		dst = append(dst, '"')
		dst = append(dst, s...)
		return append(dst, '"')
	}
	out, err := jsontext.AppendQuote(dst, s)
	if err != nil { // invalid UTF-8 cannot come from DecodeJSON; replace rather than fail
		return out
	}
	return out
}

// appendFloat formats like JavaScript's Number#toString (and encoding/json).
func appendFloat(dst []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(dst, "null"...)
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) || abs >= 1<<53 && abs < 1<<63 && abs == math.Trunc(abs) {
		// From 2^53 to 2^63 an integral float written without a point or
		// an exponent would read back as a different integer (2e16+8 is
		// written 20000000000000010 by JavaScript, an exact int64 here):
		// the exponent keeps it a float with the same value. Beyond 2^63
		// no int64 can take the digits, so they read back as the float.
		format = 'e'
	}
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	if format == 'e' {
		n := len(dst)
		if n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst
}

// negativeZero reports whether the number token tok, which reads as the
// integer 0, is "-0" (parsed, not copied: zero is common in documents).
func negativeZero(tok jsontext.Token) bool {
	f, err := tok.Float()
	return err == nil && math.Signbit(f)
}
