package db

import (
	"slices"
	"strings"
	"testing"
)

func TestParseSort(t *testing.T) {
	cases := []struct {
		name, spec string
		want       []SortKey
		msg        string
	}{
		{name: "wire pairs", spec: `[["age", -1], ["name", "asc"], ["a.b", 1], ["c", "desc"]]`,
			want: []SortKey{{"age", true}, {"name", false}, {"a.b", false}, {"c", true}}},
		{name: "document", spec: `{"age": 1, "name": -1.0}`, want: []SortKey{{"age", false}, {"name", true}}},
		{name: "null", spec: `null`, want: []SortKey{}},
		{name: "empty", spec: `[]`, want: []SortKey{}},
		{name: "bad direction", spec: `[["a", 2]]`, msg: `sort direction must be 1, -1, "asc" or "desc"`},
		{name: "bad direction string", spec: `[["a", "up"]]`, msg: `sort direction must be 1, -1, "asc" or "desc"`},
		{name: "not a pair", spec: `[["a"]]`, msg: "[path, direction] pairs"},
		{name: "path not a string", spec: `[[1, 1]]`, msg: "sort path must be a string"},
		{name: "empty path", spec: `[["", 1]]`, msg: "bad sort path"},
		{name: "empty segment", spec: `[["a..b", 1]]`, msg: "bad sort path"},
		{name: "dollar path", spec: `[["$a", 1]]`, msg: "bad sort path"},
		{name: "duplicate", spec: `[["a", 1], ["b", 1], ["a", -1]]`, msg: "duplicate sort path 'a'"},
		{name: "not a list", spec: `"a"`, msg: "[path, direction] pairs"},
		{name: "too many keys", spec: "[" + strings.Repeat(`["k", 1],`, 32) + `["k", 1]]`, msg: "more than 32 keys"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseSort(decode(t, tc.spec))
			if tc.msg != "" {
				if err == nil || ErrorCode(err) != CodeInvalidParam || !strings.Contains(err.Error(), tc.msg) {
					t.Fatalf("got %v, %v; want INVALID_PARAM containing %q", got, err, tc.msg)
				}
				return
			}
			if err != nil || !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

// sortIDs sorts docs (a JSON array) by spec, with _id as the tie-break, and
// returns the _ids in order.
func sortIDs(t *testing.T, docs, spec string) string {
	t.Helper()
	keys, err := ParseSort(decode(t, spec))
	if err != nil {
		t.Fatal(err)
	}
	keys = append(keys, SortKey{Path: "_id"})
	var ds []Doc
	for _, d := range decode(t, docs).([]any) {
		ds = append(ds, d.(Doc))
	}
	slices.SortFunc(ds, func(a, b Doc) int { return CompareDocs(a, b, keys) })
	ids := make([]string, len(ds))
	for i, d := range ds {
		ids[i] = d.ID()
	}
	return strings.Join(ids, " ")
}

// MongoDB manual, "cursor.sort()" → "Sort Behavior" (ascending/descending
// sort of arrays, missing fields) and "Comparison/Sort Order":
// https://www.mongodb.com/docs/manual/reference/method/cursor.sort/
// https://www.mongodb.com/docs/manual/reference/bson-type-comparison-order/
func TestCompareDocs(t *testing.T) {
	cases := []struct{ name, docs, spec, want string }{
		{"arrays: ascending by smallest element", `[{"_id": "A", "sizes": [7, 11]}, {"_id": "B", "sizes": [8, 9, 10]}]`,
			`[["sizes", 1]]`, "A B"},
		{"arrays: descending by largest element", `[{"_id": "A", "sizes": [7, 11]}, {"_id": "B", "sizes": [8, 9, 10]}]`,
			`[["sizes", -1]]`, "A B"},
		{"arrays against scalars", `[{"_id": "a", "x": [1, 5]}, {"_id": "b", "x": 3}, {"_id": "c", "x": [4]}]`,
			`[["x", -1]]`, "a c b"},
		{"type bracket order", `[{"_id": "date", "v": {"$date": "2024-01-01T00:00:00Z"}}, {"_id": "bool", "v": true},
			{"_id": "obj", "v": {"a": 1}}, {"_id": "str", "v": "s"}, {"_id": "num", "v": 1}, {"_id": "null", "v": null},
			{"_id": "arr", "v": [[1]]}, {"_id": "regex", "v": {"$regex": "x"}}]`,
			`[["v", 1]]`, "null num str obj arr bool date regex"},
		{"empty array before null and missing", `[{"_id": "n", "v": null}, {"_id": "m"}, {"_id": "e", "v": []}, {"_id": "z", "v": 0}]`,
			`[["v", 1]]`, "e m n z"},
		{"empty array last descending", `[{"_id": "n", "v": null}, {"_id": "e", "v": []}, {"_id": "z", "v": 0}]`,
			`[["v", -1]]`, "z n e"},
		{"numbers across int and float", `[{"_id": "a", "v": 2.5}, {"_id": "b", "v": 2}, {"_id": "c", "v": -1e3}]`,
			`[["v", 1]]`, "c b a"},
		{"embedded path", `[{"_id": "a", "s": {"n": 2}}, {"_id": "b", "s": {"n": 1}}, {"_id": "c", "s": 5}]`,
			`[["s.n", 1]]`, "c b a"},
		{"path fans out over array documents", `[{"_id": "a", "r": [{"n": 5}, {"n": 1}]}, {"_id": "b", "r": [{"n": 3}]}]`,
			`[["r.n", 1]]`, "a b"},
		{"fan out descending", `[{"_id": "a", "r": [{"n": 5}, {"n": 1}]}, {"_id": "b", "r": [{"n": 3}]}]`,
			`[["r.n", -1]]`, "a b"},
		{"fan out: an element without the field is null", `[{"_id": "a", "r": [{"n": 5}, {"m": 1}]}, {"_id": "b", "r": [{"n": 3}]}]`,
			`[["r.n", 1]]`, "a b"},
		{"array index path", `[{"_id": "a", "r": [9, 1]}, {"_id": "b", "r": [2, 8]}]`, `[["r.0", 1]]`, "b a"},
		{"second key breaks ties", `[{"_id": "a", "x": 1, "y": 2}, {"_id": "b", "x": 1, "y": 1}, {"_id": "c", "x": 0, "y": 9}]`,
			`[["x", 1], ["y", -1]]`, "c a b"},
		{"strings by bytes", `[{"_id": "a", "s": "b"}, {"_id": "b", "s": "B"}, {"_id": "c", "s": "a"}]`, `[["s", 1]]`, "b c a"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := sortIDs(t, tc.docs, tc.spec); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSortValue(t *testing.T) {
	doc := decode(t, `{"a": [3, 1, 2], "b": {"c": [{"d": "x"}, {"d": "y"}]}, "e": []}`).(Doc)
	cases := []struct {
		path string
		desc bool
		want any
	}{
		{"a", false, int64(1)}, {"a", true, int64(3)}, {"b.c.d", false, "x"}, {"b.c.d", true, "y"},
		{"missing", false, nil}, {"e", false, Undefined{}}, {"a.1", false, int64(1)}, {"a.7", false, nil},
	}
	for _, tc := range cases {
		if got := SortValue(doc, tc.path, tc.desc); got != tc.want {
			t.Errorf("SortValue(%s, desc=%v) = %v, want %v", tc.path, tc.desc, got, tc.want)
		}
	}
}

func BenchmarkCompareDocs(b *testing.B) {
	x := decode(b, `{"_id": "a", "n": 5, "tags": ["x", "y", "z"], "s": {"r": [{"v": 3}, {"v": 1}]}}`).(Doc)
	y := decode(b, `{"_id": "b", "n": 5, "tags": ["x", "y"], "s": {"r": [{"v": 2}]}}`).(Doc)
	keys := []SortKey{{Path: "n"}, {Path: "tags", Desc: true}, {Path: "s.r.v"}, {Path: "_id"}}
	b.ReportAllocs()
	for b.Loop() {
		CompareDocs(x, y, keys)
	}
}
