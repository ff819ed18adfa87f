package functions

import (
	"bytes"
	"encoding/json"
	"io"
	"slices"
	"testing"

	"github.com/go-json-experiment/json/jsontext"
)

// Documents are read from the database's JSON without decoding it first:
// every kind of field must come out as the JSON says.
func TestRawDocuments(t *testing.T) {
	rt, svc := newTestRuntime(t, Options{})
	stored := `{"_id":"r1","quo\"te":1,"é":"你好","esc":"a\"b\\c\n\u0001","big":9007199254740993,"neg":-12,"f":1.5e300,
		"yes":true,"no":false,"nil":null,"empty":{},"none":[],"list":[{"a":1},[2,3],"x"],
		"nested":{"when":{"$date":"2024-01-02T03:04:05.006Z"},"deep":{"k":"v"}},"at":{"$date":"1970-01-02T00:00:00Z"}}`
	if _, _, err := svc.Insert(adminCtx, "raw", doc("data", mustDoc(t, stored))); err != nil {
		t.Fatal(err)
	}
	runCases(t, rt, []fcase{{name: "every kind of field", fn: "rawdocs", ctx: adminCtx, event: `{"coll":"raw","id":"r1"}`, want: `{
		"keys":["_id","quo\"te","é","esc","big","neg","f","yes","no","nil","empty","none","list","nested","at"],
		"fields":{"_id":"r1","quo\"te":1,"é":"你好","esc":"a\"b\\c\n\u0001","big":9007199254740993,"neg":-12,"f":1.5e300,
			"yes":true,"no":false,"nil":null,"empty":{},"none":[],"list":[{"a":1},[2,3],"x"],
			"nested":{"when":"2024-01-02T03:04:05.006Z","deep":{"k":"v"}},"at":{"date":"1970-01-02T00:00:00.000Z"}},
		"nestedDate":true,"nestedKeys":["when","deep"],
		"json":{"_id":"r1","quo\"te":1,"nested":{"when":"2024-01-02T03:04:05.006Z","deep":{"k":"v"}},"at":"1970-01-02T00:00:00.000Z"}}`}})
}

func mustDoc(t *testing.T, s string) any {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Compact(&buf, []byte(s)); err != nil {
		t.Fatal(err)
	}
	d, err := dbBody(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestSplitObject(t *testing.T) {
	for _, c := range []struct {
		in   string
		keys []string
		vals []string
	}{
		{`{}`, []string{}, nil},
		{` { "a" : 1 , "b":[1,{"c":"}"}] ,"c\"d":"x\\"} `, []string{"a", "b", `c"d`}, []string{"1", `[1,{"c":"}"}]`, `"x\\"`}},
		{`{"u":"\u00e9","n":null,"t":true,"o":{"p":{}}}`, []string{"u", "n", "t", "o"}, []string{`"\u00e9"`, "null", "true", `{"p":{}}`}},
	} {
		keys, spans, ok := splitObject(c.in)
		var vals []string
		for _, sp := range spans {
			vals = append(vals, c.in[sp[0]:sp[1]])
		}
		if !ok || !slices.Equal(keys, c.keys) || !slices.Equal(vals, c.vals) {
			t.Errorf("splitObject(%s) = %q %q %v, want %q %q", c.in, keys, vals, ok, c.keys, c.vals)
		}
	}
	for _, bad := range []string{``, `[]`, `{`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{"a":1}x`, `{a:1}`, `{"a":"x}`, `{"a":[1}`, `"s"`} {
		if _, _, ok := splitObject(bad); ok {
			t.Errorf("splitObject(%s) accepted it", bad)
		}
	}
}

// For every JSON object, splitObject finds the same members as a JSON
// decoder, in order; on anything else it never panics.
func FuzzSplitObject(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":1,"b":[1,{"c":"}"}]}`, `{"\u00e9":"\"","x":{"$date":"2024-01-01T00:00:00Z"}}`, `{"a":-1.5e3,"b":null}`, `{"a"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		keys, spans, ok := splitObject(s)
		dec := jsontext.NewDecoder(bytes.NewReader([]byte(s)), jsontext.AllowDuplicateNames(true))
		if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '{' {
			return
		}
		var wantKeys []string
		var wantVals []string
		for dec.PeekKind() != '}' {
			k, err := dec.ReadToken()
			if err != nil {
				return
			}
			key := k.String() // void after the next read
			v, err := dec.ReadValue()
			if err != nil {
				return
			}
			wantKeys, wantVals = append(wantKeys, key), append(wantVals, string(v))
		}
		if _, err := dec.ReadToken(); err != nil {
			return
		}
		if _, err := dec.ReadToken(); err != io.EOF {
			return // more after the object
		}
		if !ok || len(keys) != len(wantKeys) {
			t.Fatalf("splitObject(%q): %q, %v; want %q", s, keys, ok, wantKeys)
		}
		for i := range keys {
			if got := s[spans[i][0]:spans[i][1]]; keys[i] != wantKeys[i] || got != wantVals[i] {
				t.Fatalf("splitObject(%q) member %d: %q=%s, want %q=%s", s, i, keys[i], got, wantKeys[i], wantVals[i])
			}
		}
	})
}
