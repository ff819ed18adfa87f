package db

import (
	"bytes"
	"time"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
)

// topFields finds top-level fields of the JSON object raw, a stored
// document as a driver returns it: vals[i] becomes the raw JSON of the
// field keys[i], or nil when raw has none (the first one when it has
// several). It only finds where values begin and end, without decoding or
// validating them; it reports false when raw is not an object as far as it
// reads. It exists because checking every document a query returns
// (checker.returned) with jsontext's decoder cost more than the query did.
func topFields(raw []byte, keys []string, vals [][]byte) bool {
	clear(vals)
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return false
	}
	i = skipSpace(raw, i+1)
	if i < len(raw) && raw[i] == '}' {
		return true
	}
	found := 0
	for i < len(raw) && raw[i] == '"' {
		end, ok := stringEnd(raw, i)
		if !ok {
			return false
		}
		name := raw[i:end]
		if i = skipSpace(raw, end); i >= len(raw) || raw[i] != ':' {
			return false
		}
		i = skipSpace(raw, i+1)
		vend, ok := valueEnd(raw, i)
		if !ok {
			return false
		}
		for k, key := range keys {
			if vals[k] == nil && isName(name, key) {
				vals[k] = raw[i:vend]
				if found++; found == len(keys) {
					return true // the rest need not be read
				}
			}
		}
		if i = skipSpace(raw, vend); i >= len(raw) {
			return false
		}
		switch raw[i] {
		case '}':
			return true
		case ',':
			i = skipSpace(raw, i+1)
		default:
			return false
		}
	}
	return false
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index after the string that starts at b[i] ('"').
func stringEnd(b []byte, i int) (int, bool) {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1, true
		}
	}
	return 0, false
}

// valueEnd returns the index after the value that starts at b[i]: a
// string, an object or array (to its matching bracket, strings skipped),
// or a number or literal (to the next delimiter).
func valueEnd(b []byte, i int) (int, bool) {
	if i >= len(b) {
		return 0, false
	}
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				end, ok := stringEnd(b, j)
				if !ok {
					return 0, false
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1, true
				}
			}
		}
		return 0, false
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\t' && b[j] != '\n' && b[j] != '\r' {
		j++
	}
	return j, j > i
}

// isName reports whether the quoted JSON string name is key.
func isName(name []byte, key string) bool {
	if bytes.IndexByte(name, '\\') < 0 {
		return len(name) == len(key)+2 && string(name[1:len(name)-1]) == key
	}
	u, err := jsontext.AppendUnquote(nil, name)
	return err == nil && string(u) == key
}

// eachTopField calls fn with the name (quoted, as in raw) and the raw
// value of each top-level field of the JSON object raw, in order. It finds
// where values begin and end without validating them (fn decodes what it
// keeps); an error says raw is not an object.
func eachTopField(raw []byte, fn func(name, val []byte) error) error {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return errNotObject()
	}
	if i = skipSpace(raw, i+1); i < len(raw) && raw[i] == '}' {
		return nil
	}
	for i < len(raw) && raw[i] == '"' {
		end, ok := stringEnd(raw, i)
		if !ok {
			return errNotObject()
		}
		name := raw[i:end]
		if i = skipSpace(raw, end); i >= len(raw) || raw[i] != ':' {
			return errNotObject()
		}
		i = skipSpace(raw, i+1)
		vend, ok := valueEnd(raw, i)
		if !ok {
			return errNotObject()
		}
		if err := fn(name, raw[i:vend]); err != nil {
			return err
		}
		if i = skipSpace(raw, vend); i >= len(raw) {
			return errNotObject()
		}
		switch raw[i] {
		case '}':
			return nil
		case ',':
			i = skipSpace(raw, i+1)
		default:
			return errNotObject()
		}
	}
	return errNotObject()
}

func errNotObject() error {
	return Errorf(CodeRequestFailed, "stored document is not a JSON object")
}

// decodeRawValue decodes one stored JSON value, the common kinds (strings
// without escapes, numbers, literals, dates) without a JSON decoder.
func decodeRawValue(v []byte) (any, error) {
	switch {
	case len(v) == 0:
	case v[0] == '"' && len(v) >= 2 && v[len(v)-1] == '"' && plainString(v[1:len(v)-1]):
		return string(v[1 : len(v)-1]), nil
	case v[0] == '-' || v[0] >= '0' && v[0] <= '9':
		if isNumberToken(v) {
			return parseNumber(string(v))
		}
	case string(v) == "true":
		return true, nil
	case string(v) == "false":
		return false, nil
	case string(v) == "null":
		return nil, nil
	case bytes.HasPrefix(v, []byte(`{"$date":"`)) && bytes.HasSuffix(v, []byte(`"}`)) && len(v) == len(`{"$date":"2006-01-02T15:04:05.000Z"}`):
		if t, ok := parseDateLayout(v[10 : len(v)-2]); ok && !t.Before(minDate) {
			return t, nil
		}
	}
	return DecodeJSON(v, MaxDepth)
}

// plainString reports whether s is the inside of a JSON string that needs
// no decoding: valid UTF-8 without escapes, quotes or control characters.
func plainString(s []byte) bool {
	for _, c := range s {
		if c < 0x20 || c == '"' || c == '\\' {
			return false
		}
	}
	return utf8.Valid(s)
}

// parseDateLayout parses b in DateLayout as time.Parse does, without its
// general layout machinery: a $group reads a date per document.
func parseDateLayout(b []byte) (time.Time, bool) {
	if len(b) != len(DateLayout) || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' || b[19] != '.' || b[23] != 'Z' {
		return time.Time{}, false
	}
	num := func(i, j int) int {
		n := 0
		for ; i < j; i++ {
			c := b[i]
			if c < '0' || c > '9' {
				return -1
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	y, mo, d, h, mi, sec, ms := num(0, 4), num(5, 7), num(8, 10), num(11, 13), num(14, 16), num(17, 19), num(20, 23)
	if y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59 || ms < 0 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, ms*1e6, time.UTC)
	if t.Day() != d { // the 31st of a 30-day month, the 29th of February off leap years
		return time.Time{}, false
	}
	return t, true
}

// isNumberToken reports whether b is a JSON number.
func isNumberToken(b []byte) bool {
	i := 0
	if b[i] == '-' {
		i++
	}
	digits := func() int {
		j := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i - j
	}
	n := digits()
	if n == 0 || n > 1 && b[i-n] == '0' {
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(b)
}
