package openapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// member is one member of a JSON object, in the order it came.
type member struct {
	name  string
	value json.RawMessage
}

// objectMembers returns the members of the JSON object in b, in order
// (empty b: none). Anything but one object is an error; a name given
// twice keeps its last value, as JSON.parse does.
func objectMembers(b []byte) ([]member, error) {
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, errors.New("the parameters must be an object")
	}
	var out []member
	at := map[string]int{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("the parameters are not valid JSON: %v", err)
		}
		name := t.(string) // inside an object, Token gives names as strings
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("the parameters are not valid JSON: %v", err)
		}
		if i, ok := at[name]; ok {
			out[i].value = v
			continue
		}
		at[name] = len(out)
		out = append(out, member{name, v})
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("the parameters are not valid JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("the parameters must be one object")
	}
	return out, nil
}

// rewriteJSON returns the JSON object in b written again, each integer
// beyond ±2^53 (which a JavaScript number would round: WeChat's msgid, for
// one) as a string of its digits. Anything but one object, nested at most
// maxDepth deep, is an error.
func rewriteJSON(b []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	out := make([]byte, 0, len(b)+16)
	t, err := dec.Token()
	if err != nil || t != json.Delim('{') {
		return nil, errors.New("not a JSON object")
	}
	if out, err = rewriteValue(dec, t, out, 1); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("more than one JSON value")
	}
	return out, nil
}

// rewriteValue appends the value that starts with t (and the rest of it,
// from dec) to out.
func rewriteValue(dec *json.Decoder, t json.Token, out []byte, depth int) ([]byte, error) {
	switch v := t.(type) {
	case json.Delim:
		if depth > maxDepth {
			return nil, fmt.Errorf("nested more than %d deep", maxDepth)
		}
		obj := v == '{'
		out = append(out, byte(v))
		for i := 0; dec.More(); i++ {
			if i > 0 {
				out = append(out, ',')
			}
			if obj {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				out = appendString(out, k.(string))
				out = append(out, ':')
			}
			next, err := dec.Token()
			if err != nil {
				return nil, err
			}
			if out, err = rewriteValue(dec, next, out, depth+1); err != nil {
				return nil, err
			}
		}
		end, err := dec.Token() // the closing delimiter
		if err != nil {
			return nil, err
		}
		return append(out, byte(end.(json.Delim))), nil
	case json.Number:
		if bigInt(string(v)) {
			return appendString(out, string(v)), nil
		}
		return append(out, v...), nil
	case string:
		return appendString(out, v), nil
	case bool:
		return strconv.AppendBool(out, v), nil
	case nil:
		return append(out, "null"...), nil
	}
	return nil, fmt.Errorf("unexpected JSON token %v", t)
}

// bigInt reports whether the JSON number n is an integer that a float64
// cannot hold exactly (beyond ±2^53).
func bigInt(n string) bool {
	digits := n
	if digits != "" && digits[0] == '-' {
		digits = digits[1:]
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return false // a fraction or an exponent: a float, as JavaScript reads it
		}
	}
	if len(digits) < 16 {
		return false
	}
	if len(digits) > 16 {
		return true
	}
	return digits > "9007199254740992"
}

// appendString appends s as a JSON string.
func appendString(out []byte, s string) []byte {
	b, _ := json.Marshal(s) // a string always marshals
	return append(out, b...)
}
