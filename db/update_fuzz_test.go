package db

import (
	"bytes"
	"testing"
)

// FuzzApplyUpdate applies arbitrary updates to arbitrary documents: Apply
// must not panic, must leave its input alone, and must only ever return
// valid documents that survive an encode/decode round trip.
func FuzzApplyUpdate(f *testing.F) {
	f.Add([]byte(`{"a": [1, 2]}`), []byte(`{"$push": {"a": {"$each": [3], "$slice": -2}}}`))
	f.Fuzz(func(t *testing.T, docJSON, updateJSON []byte) {
		dv, err := DecodeJSON(docJSON, 20)
		if err != nil {
			return
		}
		doc, ok := dv.(Doc)
		if !ok {
			return
		}
		uv, err := DecodeJSON(updateJSON, 20)
		if err != nil {
			return
		}
		u, err := ParseUpdate(uv)
		if err != nil {
			return
		}
		before := MarshalJSON(doc)
		got, _, err := u.Apply(doc, nil, testNow)
		if after := MarshalJSON(doc); !bytes.Equal(before, after) {
			t.Fatalf("input modified (err %v): before %s, after %s", err, before, after)
		}
		if err != nil {
			return
		}
		if err := ValidateDoc(got); err != nil {
			t.Fatalf("result %s is invalid: %v", MarshalJSON(got), err)
		}
		back, err := DecodeJSON(MarshalJSON(got), MaxDepth+2)
		if err != nil {
			t.Fatalf("result %s does not decode: %v", MarshalJSON(got), err)
		}
		// An integral float64 beyond 2^53 is written without a fraction and
		// comes back as a (different) int64: the same JSON number, so the
		// encodings, not the Go values, must agree.
		if !Equal(back, got) && !bytes.Equal(MarshalJSON(back), MarshalJSON(got)) {
			t.Fatalf("round trip changed %s into %s", MarshalJSON(got), MarshalJSON(back))
		}
	})
}
