package sqlite

import (
	"encoding/binary"
	"errors"
	"math"
	"strconv"

	"minibase/db"
)

// Reading SQLite's JSONB (https://sqlite.org/jsonb.html) in Go, for scans
// that want a few top-level fields of each document: SQLite's `->` parses
// the document again for every field, and json() turns all of it into
// text; here the header of each element gives its size, so the fields not
// wanted are skipped without a look at their contents.

// JSONB element types.
const (
	jbNull = iota
	jbTrue
	jbFalse
	jbInt
	jbInt5
	jbFloat
	jbFloat5
	jbText
	jbTextJ
	jbText5
	jbTextRaw
	jbArray
	jbObject
)

var errJSONB = errors.New("stored document is not valid JSONB")

// jsonbElem reads the header of the element at b[i]: its type and where
// its payload starts and ends.
func jsonbElem(b []byte, i int) (typ byte, start, end int, err error) {
	if i >= len(b) {
		return 0, 0, 0, errJSONB
	}
	h := b[i]
	typ, i = h&0x0f, i+1
	size := uint64(h >> 4)
	var n int
	switch size {
	case 12:
		n = 1
	case 13:
		n = 2
	case 14:
		n = 4
	case 15:
		n = 8
	}
	if n > 0 {
		if i+n > len(b) {
			return 0, 0, 0, errJSONB
		}
		var buf [8]byte
		copy(buf[8-n:], b[i:i+n])
		size, i = binary.BigEndian.Uint64(buf[:]), i+n
	}
	if typ > jbObject || size > uint64(len(b)-i) {
		return 0, 0, 0, errJSONB
	}
	return typ, i, i + int(size), nil
}

// jsonbFields appends to dst the JSON object {"_id": id, field: value, …}
// of the fields of the JSONB document doc that want names, in the
// document's order.
func jsonbFields(dst []byte, id string, doc []byte, want func(name []byte) bool) ([]byte, error) {
	typ, i, end, err := jsonbElem(doc, 0)
	if err != nil || typ != jbObject || end != len(doc) {
		return nil, errJSONB
	}
	dst = db.AppendJSON(append(dst, `{"_id":`...), id)
	for i < end {
		kt, ks, ke, err := jsonbElem(doc, i)
		if err != nil || kt < jbText || kt > jbTextRaw {
			return nil, errJSONB
		}
		_, _, ve, err := jsonbElem(doc, ke)
		if err != nil || ve > end {
			return nil, errJSONB
		}
		if kt == jbText && want(doc[ks:ke]) || kt != jbText && want(jsonbKey(doc, i)) {
			dst = append(dst, ',')
			if dst, err = jsonbAppend(dst, doc, i, 0); err != nil {
				return nil, err
			}
			dst = append(dst, ':')
			if dst, err = jsonbAppend(dst, doc, ke, 0); err != nil {
				return nil, err
			}
		}
		i = ve
	}
	return append(dst, '}'), nil
}

// jsonbKey is the text of the key element at doc[i], unescaped.
func jsonbKey(doc []byte, i int) []byte {
	q, err := jsonbAppend(nil, doc, i, 0)
	if err != nil {
		return nil
	}
	v, err := db.DecodeJSON(q, 1)
	if err != nil {
		return nil
	}
	s, _ := v.(string)
	return []byte(s)
}

// jsonbAppend appends the JSON text of the element at b[i].
func jsonbAppend(dst, b []byte, i, depth int) ([]byte, error) {
	typ, start, end, err := jsonbElem(b, i)
	if err != nil || depth > db.MaxDepth+1 {
		return nil, errJSONB
	}
	p := b[start:end]
	switch typ {
	case jbNull:
		return append(dst, "null"...), nil
	case jbTrue:
		return append(dst, "true"...), nil
	case jbFalse:
		return append(dst, "false"...), nil
	case jbInt, jbFloat:
		return append(dst, p...), nil
	case jbInt5:
		n, err := strconv.ParseInt(string(p), 0, 64)
		if err != nil {
			return nil, errJSONB
		}
		return strconv.AppendInt(dst, n, 10), nil
	case jbFloat5:
		f, err := strconv.ParseFloat(string(p), 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) || math.IsNaN(f) || math.IsInf(f, 0) {
			return append(dst, "null"...), nil
		}
		return db.AppendJSON(dst, f), nil
	case jbText, jbTextJ:
		return append(append(append(dst, '"'), p...), '"'), nil
	case jbTextRaw:
		return db.AppendJSON(dst, string(p)), nil
	case jbText5:
		return appendText5(dst, p)
	}
	open, close := byte('['), byte(']')
	if typ == jbObject {
		open, close = '{', '}'
	}
	dst = append(dst, open)
	for j, n := start, 0; j < end; n++ {
		if n > 0 {
			sep := byte(',')
			if typ == jbObject && n%2 == 1 {
				sep = ':'
			}
			dst = append(dst, sep)
		}
		if dst, err = jsonbAppend(dst, b, j, depth+1); err != nil {
			return nil, err
		}
		_, _, e, _ := jsonbElem(b, j)
		j = e
	}
	return append(dst, close), nil
}

// appendText5 appends a JSON5 string's text as a JSON string.
func appendText5(dst, p []byte) ([]byte, error) {
	var s []byte
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c != '\\' {
			s = append(s, c)
			continue
		}
		if i++; i >= len(p) {
			return nil, errJSONB
		}
		switch p[i] {
		case '\'':
			s = append(s, '\'')
		case 'v':
			s = append(s, '\v')
		case '0':
			s = append(s, 0)
		case 'x':
			if i+2 >= len(p) {
				return nil, errJSONB
			}
			n, err := strconv.ParseUint(string(p[i+1:i+3]), 16, 8)
			if err != nil {
				return nil, errJSONB
			}
			s, i = append(s, string(rune(n))...), i+2
		case '\n':
		case '\r':
			if i+1 < len(p) && p[i+1] == '\n' {
				i++
			}
		default: // a JSON escape: \n, \uXXXX, …
			n := 2
			if p[i] == 'u' {
				n = 6
			}
			if i-1+n > len(p) {
				return nil, errJSONB
			}
			q, err := db.DecodeJSON([]byte(`"`+string(p[i-1:i-1+n])+`"`), 1)
			if err != nil {
				return nil, errJSONB
			}
			s, i = append(s, q.(string)...), i+n-2
		}
	}
	return db.AppendJSON(dst, string(s)), nil
}
