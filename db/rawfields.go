package db

import (
	"bytes"

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
	bad := Errorf(CodeRequestFailed, "stored document is not a JSON object")
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return bad
	}
	if i = skipSpace(raw, i+1); i < len(raw) && raw[i] == '}' {
		return nil
	}
	for i < len(raw) && raw[i] == '"' {
		end, ok := stringEnd(raw, i)
		if !ok {
			return bad
		}
		name := raw[i:end]
		if i = skipSpace(raw, end); i >= len(raw) || raw[i] != ':' {
			return bad
		}
		i = skipSpace(raw, i+1)
		vend, ok := valueEnd(raw, i)
		if !ok {
			return bad
		}
		if err := fn(name, raw[i:vend]); err != nil {
			return err
		}
		if i = skipSpace(raw, vend); i >= len(raw) {
			return bad
		}
		switch raw[i] {
		case '}':
			return nil
		case ',':
			i = skipSpace(raw, i+1)
		default:
			return bad
		}
	}
	return bad
}
