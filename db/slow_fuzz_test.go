package db

import (
	"strings"
	"testing"
)

// FuzzShape checks that a slow query's filter shape keeps no value (every
// leaf is a placeholder), stays within its size bound, and that a shape
// kept whole replays into a filter of the same shape.
//
//	go test ./db -run '^$' -fuzz FuzzShape -fuzztime 50000x
func FuzzShape(f *testing.F) {
	f.Add([]byte(`{"age": {"$gt": 18}, "name": "secret", "tags": {"$in": ["a", 1, null]}}`))
	f.Add([]byte(`{"$or": [{"a.b": {"$regex": "^x", "$options": "i"}}, {"d": {"$date": "2024-05-01T08:00:00Z"}}], "t": true}`))
	f.Add([]byte(`{"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": {"i": {"j": 1}}}}}}}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := DecodeJSON(data, MaxDepth)
		if err != nil {
			return
		}
		if _, err := ParseFilter(v); err != nil {
			return
		}
		shape, cut := Shape(v)
		out := MarshalJSON(shape)
		if len(out) > 2*maxShapeBytes+64 {
			t.Fatalf("shape of %d bytes: %.200s", len(out), out)
		}
		var leaves func(v any)
		leaves = func(v any) {
			switch x := v.(type) {
			case Doc:
				for _, f := range x {
					leaves(f.Value)
				}
			case []any:
				for _, e := range x {
					leaves(e)
				}
			case string:
				if !strings.HasPrefix(x, "<") || !strings.HasSuffix(x, ">") {
					t.Fatalf("a value left in the shape: %q in %s", x, out)
				}
			default:
				t.Fatalf("a %T left in the shape: %s", x, out)
			}
		}
		leaves(shape)
		if cut {
			return
		}
		again, _ := Shape(replay(shape))
		if got := MarshalJSON(again); string(got) != string(out) {
			t.Fatalf("replay changed the shape:\n%s\n%s", out, got)
		}
	})
}
