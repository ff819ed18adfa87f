package db

import (
	"strings"
	"testing"
)

// inventory is the sample document of MongoDB's manual page "Project Fields
// to Return from Query":
// https://www.mongodb.com/docs/manual/tutorial/project-fields-from-query-results/
const inventory = `{"_id": "1", "item": "journal", "status": "A", "size": {"h": 14, "w": 21, "uom": "cm"},
	"instock": [{"warehouse": "A", "qty": 5}, {"warehouse": "C", "qty": 15}]}`

func runProjectionCases(t *testing.T, cases []struct{ name, doc, proj, want string }) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ParseProjection(decode(t, tc.proj))
			if err != nil {
				t.Fatal(err)
			}
			doc := decode(t, tc.doc).(Doc)
			before := string(MarshalJSON(doc))
			got := p.Apply(doc)
			if g, w := string(MarshalJSON(got)), canon(t, tc.want); g != w {
				t.Errorf("got  %s\nwant %s", g, w)
			}
			if after := string(MarshalJSON(doc)); after != before {
				t.Errorf("input modified: %s", after)
			}
		})
	}
}

func TestProjection(t *testing.T) {
	runProjectionCases(t, []struct{ name, doc, proj, want string }{
		{"include fields", inventory, `{"item": 1, "status": 1}`, `{"_id": "1", "item": "journal", "status": "A"}`},
		{"suppress _id", inventory, `{"item": 1, "status": true, "_id": 0}`, `{"item": "journal", "status": "A"}`},
		{"exclude fields", inventory, `{"status": 0, "instock": false}`,
			`{"_id": "1", "item": "journal", "size": {"h": 14, "w": 21, "uom": "cm"}}`},
		{"include embedded field", inventory, `{"item": 1, "status": 1, "size.uom": 1}`,
			`{"_id": "1", "item": "journal", "status": "A", "size": {"uom": "cm"}}`},
		{"exclude embedded field", inventory, `{"size.uom": 0}`,
			`{"_id": "1", "item": "journal", "status": "A", "size": {"h": 14, "w": 21},
			  "instock": [{"warehouse": "A", "qty": 5}, {"warehouse": "C", "qty": 15}]}`},
		{"embedded field in array", inventory, `{"item": 1, "status": 1, "instock.qty": 1}`,
			`{"_id": "1", "item": "journal", "status": "A", "instock": [{"qty": 5}, {"qty": 15}]}`},
		{"slice last element", inventory, `{"item": 1, "status": 1, "instock": {"$slice": -1}}`,
			`{"_id": "1", "item": "journal", "status": "A", "instock": [{"warehouse": "C", "qty": 15}]}`},
		{"only _id excluded", inventory, `{"_id": 0, "size": 0, "instock": 0}`, `{"item": "journal", "status": "A"}`},
		{"only _id", inventory, `{"_id": 1}`, `{"_id": "1"}`},
		{"source field order kept", `{"_id": "1", "a": 1, "b": 2, "c": 3}`, `{"c": 1, "a": 1}`, `{"_id": "1", "a": 1, "c": 3}`},
		{"non-zero numbers include", `{"a": 1, "b": 2}`, `{"a": 2.5}`, `{"a": 1}`},
		{"missing embedded field leaves an empty document", `{"a": {"x": 1}}`, `{"a.b": 1, "_id": 0}`, `{"a": {}}`},
		{"inclusion drops scalars under a path", `{"a": [1, {"b": 2, "c": 3}, [{"b": 4}]], "d": 5}`, `{"a.b": 1}`,
			`{"a": [{"b": 2}, [{"b": 4}]]}`},
		{"exclusion keeps scalars under a path", `{"a": [1, {"b": 2, "c": 3}], "d": 5}`, `{"a.b": 0}`,
			`{"a": [1, {"c": 3}], "d": 5}`},
		{"scalar where sub-fields are listed", `{"a": 5, "b": 1}`, `{"a.x": 1, "_id": 0}`, `{}`},
		{"missing fields", `{"_id": "1"}`, `{"a": 1}`, `{"_id": "1"}`},
	})
}

// MongoDB manual, "$slice (projection)":
// https://www.mongodb.com/docs/manual/reference/operator/projection/slice/
func TestProjectionSlice(t *testing.T) {
	doc := `{"_id": "1", "title": "t", "comments": [1, 2, 3, 4, 5]}`
	runProjectionCases(t, []struct{ name, doc, proj, want string }{
		{"first n keeps other fields", doc, `{"comments": {"$slice": 2}}`, `{"_id": "1", "title": "t", "comments": [1, 2]}`},
		{"last n", doc, `{"comments": {"$slice": -2}}`, `{"_id": "1", "title": "t", "comments": [4, 5]}`},
		{"skip and limit", doc, `{"comments": {"$slice": [1, 3]}}`, `{"_id": "1", "title": "t", "comments": [2, 3, 4]}`},
		{"negative skip", doc, `{"comments": {"$slice": [-2, 5]}}`, `{"_id": "1", "title": "t", "comments": [4, 5]}`},
		{"skip past the end", doc, `{"comments": {"$slice": [9, 1]}}`, `{"_id": "1", "title": "t", "comments": []}`},
		{"negative skip past the start", doc, `{"comments": {"$slice": [-9, 2]}}`, `{"_id": "1", "title": "t", "comments": [1, 2]}`},
		{"more than the array", doc, `{"comments": {"$slice": 9}}`, doc},
		{"zero", doc, `{"comments": {"$slice": 0}}`, `{"_id": "1", "title": "t", "comments": []}`},
		{"with an inclusion", doc, `{"comments": {"$slice": 1}, "_id": 0}`, `{"title": "t", "comments": [1]}`},
		{"in an inclusion", doc, `{"title": 1, "comments": {"$slice": 1}}`, `{"_id": "1", "title": "t", "comments": [1]}`},
		{"with an exclusion", doc, `{"title": 0, "comments": {"$slice": -1}}`, `{"_id": "1", "comments": [5]}`},
		{"not an array", `{"a": 5}`, `{"a": {"$slice": 1}}`, `{"a": 5}`},
		{"embedded", `{"a": {"b": [1, 2], "c": 1}}`, `{"a.b": {"$slice": 1}}`, `{"a": {"b": [1], "c": 1}}`},
	})
}

func TestParseProjectionErrors(t *testing.T) {
	cases := []struct{ name, proj, msg string }{
		{"mixed", `{"a": 1, "b": 0}`, "Cannot do exclusion on field b in inclusion projection"},
		{"mixed with embedded", `{"a.c": 0, "b": 1}`, "Cannot do exclusion on field a.c"},
		{"collision", `{"a": 1, "a.b": 1}`, "Path collision at a.b"},
		{"collision reversed", `{"a.b": 1, "a": 1}`, "Path collision at a"},
		{"string value", `{"a": "x"}`, "must be 1, 0, true, false"},
		{"document value", `{"a": {"b": 1}}`, "must be 1, 0, true, false"},
		{"dollar path", `{"$a": 1}`, "bad projection path"},
		{"empty segment", `{"a.": 1}`, "bad projection path"},
		{"slice zero limit", `{"a": {"$slice": [1, 0]}}`, "positive limit"},
		{"slice not an integer", `{"a": {"$slice": 1.5}}`, "must be an integer"},
		{"slice wrong shape", `{"a": {"$slice": [1]}}`, "must be an integer"},
		{"elemMatch on a nested field", `{"a.b": {"$elemMatch": {"x": 1}}}`, "nested field"},
		{"not a document", `[1]`, "must be a document"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ParseProjection(decode(t, tc.proj))
			if err == nil || ErrorCode(err) != CodeInvalidParam || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("got %v, %v; want INVALID_PARAM containing %q", p, err, tc.msg)
			}
		})
	}
}

func TestNilProjection(t *testing.T) {
	for _, spec := range []string{`null`, `{}`} {
		p, err := ParseProjection(decode(t, spec))
		if err != nil || p != nil {
			t.Fatalf("ParseProjection(%s) = %v, %v; want nil, nil", spec, p, err)
		}
		d := Doc{{"a", int64(1)}}
		if got := p.Apply(d); len(got) != 1 || &got[0] != &d[0] {
			t.Errorf("nil projection: got %v, want the same doc", got)
		}
	}
}
