package db

import (
	"bytes"
	"testing"
)

// FuzzTopFields: for any JSON object, topFields finds each top-level field
// with the value DecodeJSON gives it, and nothing for an absent one; for
// any other input it does not panic.
func FuzzTopFields(f *testing.F) {
	for _, s := range []string{
		`{"_id":"a","_openid":"o1","n":1}`, `{}`, ` { "a" : [1, {"b": "}"}] , "c\"d": "x\\"y", "e": null } `,
		`{"a":{"$date":"2026-01-01T00:00:00.000Z"},"b":-1.5e3,"c":true,"d":false}`, `{"a\u0062":1,"ab":2}`,
		`{"a":"[{","b":"]}"}`, `{"a":`, `[1,2]`, `{"a":1,}`, `{"a" 1}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := DecodeJSON(data, MaxDepth)
		d, isDoc := v.(Doc)
		if err != nil || !isDoc {
			topFields(data, []string{"a", "b"}, make([][]byte, 2)) // must not panic
			return
		}
		keys := []string{"\x00absent"}
		for _, f := range d {
			keys = append(keys, f.Key)
		}
		vals := make([][]byte, len(keys))
		if !topFields(data, keys, vals) {
			t.Fatalf("topFields(%s) = false for a JSON object", data)
		}
		if vals[0] != nil {
			t.Fatalf("topFields(%s) found an absent field: %s", data, vals[0])
		}
		for i, k := range keys[1:] {
			want, _ := d.Get(k)
			got, err := DecodeJSON(vals[i+1], MaxDepth)
			if err != nil || !bytes.Equal(MarshalJSON(got), MarshalJSON(want)) {
				t.Fatalf("topFields(%s)[%q] = %s (%v), want %s", data, k, vals[i+1], err, MarshalJSON(want))
			}
		}
	})
}

// FuzzDecodeRawValue: decodeRawValue's shortcuts (plain strings, numbers,
// dates) give what DecodeJSON gives, for any input, errors included.
func FuzzDecodeRawValue(f *testing.F) {
	for _, s := range []string{
		`"abc"`, `"a\"b"`, `"\u00e9"`, `12`, `-0`, `1.5e300`, `01`, `true`, `null`, `[1]`,
		`{"$date":"2026-01-31T23:59:59.999Z"}`, `{"$date":"2024-02-29T00:00:00.000Z"}`,
		`{"$date":"2026-02-29T00:00:00.000Z"}`, `{"$date":"2026-04-31T00:00:00.000Z"}`,
		`{"$date":"2026-13-01T00:00:00.000Z"}`, `{"$date":"2026-00-01T00:00:00.000Z"}`,
		`{"$date":"2026-01-00T00:00:00.000Z"}`, `{"$date":"2026-01-01T24:00:00.000Z"}`,
		`{"$date":"2026-01-01T00:60:00.000Z"}`, `{"$date":"2026-01-01T00:00:60.000Z"}`,
		`{"$date":"0000-01-01T00:00:00.000Z"}`, `{"$date":"0001-01-01T00:00:00.000Z"}`,
		`{"$date":"9999-12-31T23:59:59.999Z"}`, `{"$date":"2026-01-01T00:00:00.00aZ"}`,
		`{"$date":"+026-01-01T00:00:00.000Z"}`, `{"$date":"2026-01-01 00:00:00.000Z"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, gotErr := decodeRawValue(data)
		want, wantErr := DecodeJSON(data, MaxDepth)
		if (gotErr == nil) != (wantErr == nil) {
			t.Fatalf("decodeRawValue(%s): error %v, DecodeJSON's %v", data, gotErr, wantErr)
		}
		if gotErr == nil && !bytes.Equal(MarshalJSON(got), MarshalJSON(want)) {
			t.Fatalf("decodeRawValue(%s) = %s, DecodeJSON gives %s", data, MarshalJSON(got), MarshalJSON(want))
		}
	})
}
