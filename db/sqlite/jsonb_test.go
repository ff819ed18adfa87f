package sqlite

import (
	"context"
	"strings"
	"testing"

	"minibase/db"
)

// jsonbOf returns SQLite's JSONB of the JSON text js, and SQLite's own
// text of that JSONB.
func jsonbOf(t testing.TB, d *DB, js string) ([]byte, string) {
	t.Helper()
	var b []byte
	var text string
	if err := d.r.QueryRowContext(context.Background(), "SELECT jsonb(?), json(jsonb(?))", js, js).Scan(&b, &text); err != nil {
		t.Fatalf("jsonb(%s): %v", js, err)
	}
	return b, text
}

// sameJSON reports whether a and b are the same values (as extended JSON).
func sameJSON(t testing.TB, a, b string) bool {
	t.Helper()
	va, err := db.DecodeJSON([]byte(a), db.MaxDepth+2)
	if err != nil {
		t.Fatalf("%s: %v", a, err)
	}
	vb, err := db.DecodeJSON([]byte(b), db.MaxDepth+2)
	if err != nil {
		return false
	}
	return string(db.MarshalJSON(va)) == string(db.MarshalJSON(vb))
}

// TestJSONBFields: the fields read from JSONB in Go are SQLite's own
// rendering of them, for every kind of value and every size of header.
func TestJSONBFields(t *testing.T) {
	d := openTest(t)
	all := func([]byte) bool { return true }
	for _, js := range []string{
		`{}`,
		`{"a":1,"b":-2.5e-7,"c":"x","d":null,"e":true,"f":false}`,
		`{"s":"quote \" backslash \\ tab \t newline \n unicode é 云 \u2028 \ud83d\ude00","k\"ey":1}`,
		`{"n":{"a":[1,[2,{"b":[]}],{}],"when":{"$date":"2024-05-01T08:00:00.000Z"}}}`,
		`{"long":"` + strings.Repeat("x", 300) + `","longer":"` + strings.Repeat("y", 70000) + `","big":9223372036854775807}`,
		`{"arr":[` + strings.Repeat(`"abc",`, 5000) + `1]}`,
	} {
		b, text := jsonbOf(t, d, js)
		got, err := jsonbFields(nil, "id1", b, all)
		if err != nil {
			t.Errorf("%.80s: %v", js, err)
			continue
		}
		want := `{"_id":"id1"}`
		if text != "{}" {
			want = `{"_id":"id1",` + strings.TrimPrefix(text, "{")
		}
		if !sameJSON(t, want, string(got)) {
			t.Errorf("%.80s:\n got  %.200s\n want %.200s", js, got, want)
		}
	}
	b, _ := jsonbOf(t, d, `{"a":1,"skip":"`+strings.Repeat("z", 1000)+`","c":{"d":2}}`)
	got, err := jsonbFields(nil, "x", b, func(name []byte) bool { return string(name) == "c" })
	if err != nil || string(got) != `{"_id":"x","c":{"d":2}}` {
		t.Errorf("only c: %s, %v", got, err)
	}
	for _, bad := range [][]byte{nil, {0x7b}, []byte(`{"a":1}`), {0xcc, 0x05, 0x17}, {0xfc, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}} {
		if _, err := jsonbFields(nil, "x", bad, all); err == nil {
			t.Errorf("%x: no error", bad)
		}
	}
}

// FuzzJSONBFields: any JSON object SQLite stores reads back the same, and
// no blob panics the reader.
func FuzzJSONBFields(f *testing.F) {
	f.Add(`{"a":[1,{"b":"c\n"}],"d":1.5}`, []byte{0xcc, 0x03, 0x17, 0x61, 0x13})
	d := openTest(f)
	f.Fuzz(func(t *testing.T, js string, blob []byte) {
		jsonbFields(nil, "x", blob, func([]byte) bool { return true })
		v, err := db.DecodeJSON([]byte(js), 20)
		if err != nil {
			return
		}
		if _, ok := v.(db.Doc); !ok {
			return
		}
		b, text := jsonbOf(t, d, js)
		got, err := jsonbFields(nil, "x", b, func([]byte) bool { return true })
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		want := `{"_id":"x"}`
		if text != "{}" {
			want = `{"_id":"x",` + strings.TrimPrefix(text, "{")
		}
		if !sameJSON(t, want, string(got)) {
			t.Fatalf("%s:\n got  %s\n want %s", js, got, want)
		}
	})
}
