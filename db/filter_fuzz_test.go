package db

import (
	"math"
	"strings"
	"testing"

	"github.com/go-json-experiment/json/jsontext"
)

// fuzzDocs are the documents every fuzzed filter is matched against.
var fuzzDocs = []string{
	`{}`,
	`{"a": 1, "b": "x", "c": null}`,
	`{"a": [1, "x", null, [2, 3], {"b": 3, "0": 7}], "tags": ["x", "y"]}`,
	`{"a": {"b": [{"c": 1}, 2, []], "0": {"c": 2.5}}, "d": {"$date": "2024-05-01T08:00:00Z"}}`,
	`{"a": [], "b": {"$regex": "^x", "$options": "i"}, "n": -9223372036854775808}`,
	`{"a": {"b": {"c": [[{"d": 1}]]}}, "x": [{"y": [1, 2]}, {"y": 5}], "t": true}`,
}

// FuzzParseFilter checks that no query document panics the parser or the
// matcher, and that {$nor: [q]} matches exactly the documents q does not.
func FuzzParseFilter(f *testing.F) {
	f.Add([]byte(`{"a": {"$gt": 1, "$lt": 5}}`))
	f.Add([]byte(`{"a.b": null, "$or": [{"x.y": {"$in": [1, {"$regex": "^a"}]}}, {"t": {"$exists": false}}]}`))
	docs := make([]Doc, len(fuzzDocs))
	for i, s := range fuzzDocs {
		v, err := DecodeJSON([]byte(s), MaxDepth)
		if err != nil {
			f.Fatalf("decode %s: %v", s, err)
		}
		docs[i] = v.(Doc)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := DecodeJSON(data, MaxDepth)
		if err != nil {
			return
		}
		q, err := ParseFilter(v)
		if err != nil {
			if ErrorCode(err) == "" {
				t.Fatalf("ParseFilter(%s): error without a code: %v", data, err)
			}
			return
		}
		src := q.Source
		if src == nil {
			src = Doc{}
		}
		nor, err := ParseFilter(Doc{{"$nor", []any{src}}})
		if err != nil {
			if strings.Contains(err.Error(), "conditions") {
				return // one node over MaxFilterNodes
			}
			t.Fatalf("ParseFilter($nor of %s): %v", data, err)
		}
		for i, d := range docs {
			if m := q.Match(d); nor.Match(d) == m {
				t.Errorf("filter %s on doc %d: Match = %v and its $nor also = %v", data, i, m, m)
			}
			for _, p := range []string{"a", "a.b", "tags", "x"} {
				q.ArrayIndex(d, p)
			}
		}
	})
}

// FuzzDecodeJSON checks that the extended-JSON decoder never panics, that
// what it decodes survives MarshalJSON and a second decode, that DecodeBody
// decodes an object body alike, and that ValidateDoc judges the document
// (and a copy whose names collide) as validSlow does.
func FuzzDecodeJSON(f *testing.F) {
	f.Add([]byte(`{"a": [1, 2.5, "x", null, true, {"$date": 0}]}`))
	f.Add([]byte(`{"_id": "x", "a": {"b": 1, "bb": [{"c": 2, "cc": 1e400}]}, "d.e": 1, "": {"$f": 0}}`))
	f.Add([]byte(`{"a":1,"b":{"a":1,"a":2}}`))
	f.Add([]byte(`{"a1":1,"a2":1,"a3":1,"a4":1,"a5":1,"a6":1,"a7":1,"a8":1,"a9":1,"b1":1,"b2":1,"b3":1,"b4":1,"b5":1,"b6":1,"b7":1,"b8":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := DecodeJSON(data, MaxDepth)
		if err != nil {
			if ErrorCode(err) == "" {
				t.Fatalf("DecodeJSON(%q): error without a code: %v", data, err)
			}
			return
		}
		// Repeated names are found by the decoder itself, not by
		// jsontext: what it accepts, jsontext's strict check does too.
		if !jsontext.Value(data).IsValid() {
			t.Fatalf("DecodeJSON(%q) accepted what jsontext finds invalid (a repeated name?)", data)
		}
		out := MarshalJSON(v)
		w, err := DecodeJSON(out, MaxDepth)
		if err != nil {
			t.Fatalf("DecodeJSON(MarshalJSON(%q)) = %q: %v", data, out, err)
		}
		if !Equal(v, w) {
			t.Fatalf("round trip of %q: got %s, want %s", data, MarshalJSON(w), out)
		}
		d, isDoc := v.(Doc)
		if !isDoc {
			return
		}
		if b, err := DecodeBody(data); err != nil || !Equal(b, d) {
			t.Fatalf("DecodeBody(%q) = %s, %v; want %s", data, MarshalJSON(b), err, out)
		}
		for _, doc := range []Doc{d, collide(d).(Doc)} {
			err := ValidateDoc(doc)
			if want := validSlow(doc); (err == nil) != want {
				t.Fatalf("ValidateDoc(%s) = %v, want valid %v", MarshalJSON(doc), err, want)
			}
		}
	})
}

// validSlow is what ValidateDoc checks, written the obvious way (names
// compared pair by pair) for documents of at most MaxFields fields.
func validSlow(d Doc) bool {
	if v, ok := d.Get("_id"); ok {
		if s, isStr := v.(string); !isStr || s == "" || len(s) > 256 {
			return false
		}
	}
	var ok func(v any, depth int) bool
	ok = func(v any, depth int) bool {
		if depth > MaxDepth {
			return false
		}
		switch x := v.(type) {
		case Doc:
			for i, f := range x {
				if f.Key == "" || f.Key[0] == '$' || strings.Contains(f.Key, ".") || !ok(f.Value, depth+1) {
					return false
				}
				for _, g := range x[:i] {
					if g.Key == f.Key {
						return false
					}
				}
			}
		case []any:
			for _, e := range x {
				if !ok(e, depth+1) {
					return false
				}
			}
		case float64:
			return !math.IsNaN(x) && !math.IsInf(x, 0)
		case ServerDate:
			return false
		}
		return true
	}
	return ok(d, 0)
}

// collide copies v with every name cut to its first byte, so that the
// names of an object repeat.
func collide(v any) any {
	switch x := v.(type) {
	case Doc:
		out := make(Doc, len(x))
		for i, f := range x {
			out[i] = Field{f.Key[:min(len(f.Key), 1)], collide(f.Value)}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = collide(e)
		}
		return out
	}
	return v
}
