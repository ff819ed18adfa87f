package db

import (
	"strings"
	"testing"
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

// FuzzDecodeJSON checks that the extended-JSON decoder never panics and
// that what it decodes survives MarshalJSON and a second decode.
func FuzzDecodeJSON(f *testing.F) {
	f.Add([]byte(`{"a": [1, 2.5, "x", null, true, {"$date": 0}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := DecodeJSON(data, MaxDepth)
		if err != nil {
			if ErrorCode(err) == "" {
				t.Fatalf("DecodeJSON(%q): error without a code: %v", data, err)
			}
			return
		}
		out := MarshalJSON(v)
		w, err := DecodeJSON(out, MaxDepth)
		if err != nil {
			t.Fatalf("DecodeJSON(MarshalJSON(%q)) = %q: %v", data, out, err)
		}
		if !Equal(v, w) {
			t.Fatalf("round trip of %q: got %s, want %s", data, MarshalJSON(w), out)
		}
	})
}
