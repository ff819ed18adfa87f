package db

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

// TestValidateDoc: what a stored document may not hold, with the path of
// the offending value in the message; large objects (searched through a
// set) and small ones (compared name by name) find repeats alike.
func TestValidateDoc(t *testing.T) {
	wide := func(n int, last string) Doc {
		d := Doc{}
		for i := range n - 1 {
			d = append(d, Field{fmt.Sprintf("k%d", i), int64(i)})
		}
		return append(d, Field{last, nil})
	}
	fields := func(n int) Doc { return wide(n, "last") }
	for _, c := range []struct {
		name string
		doc  Doc
		want string // a part of the error; "" for none
	}{
		{"plain", Doc{{"_id", "a"}, {"a", Doc{{"b", []any{int64(1), Doc{{"c", "x"}}}}}}}, ""},
		{"empty name", Doc{{"a", Doc{{"b", Doc{{"", 1.0}}}}}}, `field name at "a.b" must not be empty`},
		{"dollar name", Doc{{"a", Doc{{"$x", 1.0}}}}, `field name "$x" must not start with '$'`},
		{"dotted name", Doc{{"a.b", 1.0}}, `must not contain '.'`},
		{"repeat, small object", Doc{{"a", 1.0}, {"b", 1.0}, {"a", 2.0}}, `duplicate field name "a"`},
		{"repeat, large object", wide(smallDoc*4, "k3"), `duplicate field name "k3"`},
		{"repeat, nested large object", Doc{{"x", []any{wide(100, "k99"), wide(100, "k0")}}}, `duplicate field name "k0"`},
		{"not finite", Doc{{"a", Doc{{"b", []any{math.Inf(1)}}}}}, `field "a.b": number is not finite`},
		{"deep", nest(MaxDepth + 1), "nested deeper than"},
		{"as deep as allowed", nest(MaxDepth), ""},
		{"as many fields as allowed", fields(MaxFields), ""},
		{"a field too many", fields(MaxFields + 1), fmt.Sprintf("more than %d fields", MaxFields)},
		{"counted at every level", Doc{{"a", fields(MaxFields / 2)}, {"b", []any{fields(MaxFields / 2)}}}, fmt.Sprintf("more than %d fields", MaxFields)},
		{"bad _id", Doc{{"_id", int64(1)}}, "_id must be"},
	} {
		err := ValidateDoc(c.doc)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want) || ErrorCode(err) != CodeInvalidParam):
			t.Errorf("%s: %v, want INVALID_PARAM with %q", c.name, err, c.want)
		}
	}
}

// nest is a document n levels deep with long names: the path of a value is
// only built for a message.
func nest(n int) Doc {
	var v any = 1.0
	for range n {
		v = Doc{{strings.Repeat("n", 1000), v}}
	}
	return v.(Doc)
}

// BenchmarkValidateDoc: one document of MaxFields fields, in one object
// and spread over objects two levels deep.
func BenchmarkValidateDoc(b *testing.B) {
	flat := Doc{}
	for i := range MaxFields - 1 {
		flat = append(flat, Field{fmt.Sprintf("field%d", i), int64(i)})
	}
	nested := Doc{}
	for i := range 100 {
		sub := Doc{}
		for j := range 198 {
			sub = append(sub, Field{fmt.Sprintf("f%d", j), "v"})
		}
		nested = append(nested, Field{fmt.Sprintf("g%d", i), sub})
	}
	for _, c := range []struct {
		name string
		doc  Doc
	}{{"flat", flat}, {"nested", nested}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if err := ValidateDoc(c.doc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
