package dbtest

import (
	"fmt"
	"slices"
	"testing"

	"minibase/db"
)

// sortGroup is a set of documents and the sorted windows read from it.
type sortGroup struct {
	name  string
	docs  []string
	cases []sortCase
}

// sortCase is one query; want lists the _ids in the order they must come.
type sortCase struct {
	name   string
	filter string // "" for none
	sort   string // a MongoDB sort document, {"path": 1|-1, …}
	skip   int
	limit  int // 0 for no limit
	want   []string
}

// Manual: "cursor.sort()", "Comparison/Sort Order", "cursor.skip()",
// "cursor.limit()". The caller of a Driver always ends the sort with _id
// ascending, so equal keys come in _id order, whatever the direction.
var sortGroups = []sortGroup{
	{
		name: "numbers and paths",
		docs: []string{
			`{"_id": "a", "n": 2, "g": "x", "o": {"k": 3}}`,
			`{"_id": "b", "n": 1.5, "g": "y", "o": {"k": 1}}`,
			`{"_id": "c", "n": 10, "g": "x", "o": {"k": 2}}`,
			`{"_id": "d", "n": -1, "g": "y"}`,
			`{"_id": "e", "n": 1, "g": "x", "o": {"k": 1}}`,
		},
		cases: []sortCase{
			{name: "asc", sort: `{"n": 1}`, want: []string{"d", "e", "b", "a", "c"}},
			{name: "desc", sort: `{"n": -1}`, want: []string{"c", "a", "b", "e", "d"}},
			{name: "two keys asc desc", sort: `{"g": 1, "n": -1}`, want: []string{"c", "a", "e", "b", "d"}},
			{name: "two keys desc asc", sort: `{"g": -1, "n": 1}`, want: []string{"d", "b", "e", "a", "c"}},
			{name: "dot path, missing first", sort: `{"o.k": 1}`, want: []string{"d", "b", "e", "c", "a"}},
			{name: "dot path desc, missing last", sort: `{"o.k": -1}`, want: []string{"a", "c", "b", "e", "d"}},
			{name: "ties by _id", sort: `{"g": 1}`, want: []string{"a", "c", "e", "b", "d"}},
			{name: "ties by _id desc", sort: `{"g": -1}`, want: []string{"b", "d", "a", "c", "e"}},
			{name: "no keys is _id order", sort: `{}`, want: []string{"a", "b", "c", "d", "e"}},
			{name: "skip and limit", sort: `{"n": 1}`, skip: 1, limit: 2, want: []string{"e", "b"}},
			{name: "limit 1", sort: `{"n": -1}`, limit: 1, want: []string{"c"}},
			{name: "skip to last", sort: `{"n": 1}`, skip: 4, want: []string{"c"}},
			{name: "skip past end", sort: `{"n": 1}`, skip: 10, want: nil},
			{name: "limit past end", sort: `{"n": 1}`, skip: 3, limit: 10, want: []string{"a", "c"}},
			{name: "filter, sort, limit", filter: `{"g": "x"}`, sort: `{"n": 1}`, limit: 2, want: []string{"e", "a"}},
			{name: "filter, sort desc, skip", filter: `{"n": {"$gte": 1}}`, sort: `{"n": -1}`, skip: 1, want: []string{"a", "b", "e"}},
		},
	},
	{
		name: "cross-type order",
		docs: []string{
			`{"_id": "null", "v": null}`,
			`{"_id": "missing"}`,
			`{"_id": "int", "v": 1}`,
			`{"_id": "float", "v": 2.5}`,
			`{"_id": "string", "v": "a"}`,
			`{"_id": "object", "v": {"x": 1}}`,
			`{"_id": "true", "v": true}`,
			`{"_id": "false", "v": false}`,
			`{"_id": "date", "v": {"$date": "2024-01-01T00:00:00Z"}}`,
		},
		cases: []sortCase{
			{name: "asc", sort: `{"v": 1}`, want: []string{"missing", "null", "int", "float", "string", "object", "false", "true", "date"}},
			{name: "desc", sort: `{"v": -1}`, want: []string{"date", "true", "false", "object", "string", "float", "int", "missing", "null"}},
			{name: "window", sort: `{"v": 1}`, skip: 2, limit: 3, want: []string{"int", "float", "string"}},
		},
	},
	{
		// Manual "Comparison/Sort Order", Arrays: an ascending sort uses the
		// smallest element, a descending sort the largest.
		name: "arrays",
		docs: []string{
			`{"_id": "a", "v": [1, 9]}`,
			`{"_id": "b", "v": [5]}`,
			`{"_id": "c", "v": 4}`,
			`{"_id": "d", "v": [3, 6]}`,
		},
		cases: []sortCase{
			{name: "asc by smallest", sort: `{"v": 1}`, want: []string{"a", "d", "c", "b"}},
			{name: "desc by largest", sort: `{"v": -1}`, want: []string{"a", "d", "b", "c"}},
		},
	},
	{
		// Manual "Comparison/Sort Order", Arrays: "A comparison of an empty
		// array considers the empty array as less than null or a missing field."
		name: "empty array",
		docs: []string{
			`{"_id": "a", "v": 1}`,
			`{"_id": "b", "v": null}`,
			`{"_id": "c", "v": []}`,
			`{"_id": "d"}`,
		},
		cases: []sortCase{
			{name: "asc", sort: `{"v": 1}`, want: []string{"c", "b", "d", "a"}},
		},
	},
	{
		// Manual "Comparison/Sort Order": strings use the simple binary
		// comparison; objects compare key-value pairs in order, and an object
		// without further pairs is less than one with further pairs.
		name: "strings and objects",
		docs: []string{
			`{"_id": "1", "s": "apple", "o": {"a": 2}}`,
			`{"_id": "2", "s": "Banana", "o": {"b": 0}}`,
			`{"_id": "3", "s": "banana", "o": {"a": 1}}`,
			`{"_id": "4", "s": "äpple", "o": {"a": 1, "b": 1}}`,
			`{"_id": "5", "s": "10"}`,
			`{"_id": "6", "s": "9"}`,
		},
		cases: []sortCase{
			{name: "strings bytewise", sort: `{"s": 1}`, want: []string{"5", "6", "2", "1", "3", "4"}},
			{name: "objects", sort: `{"o": 1}`, want: []string{"5", "6", "3", "4", "1", "2"}},
		},
	},
	{
		name: "dates and booleans",
		docs: []string{
			`{"_id": "1", "t": {"$date": "2024-01-01T00:00:00.001Z"}}`,
			`{"_id": "2", "t": {"$date": "2024-01-01T00:00:00Z"}}`,
			`{"_id": "3", "t": {"$date": "1960-01-01T00:00:00Z"}}`,
			`{"_id": "4", "b": true}`,
			`{"_id": "5", "b": false}`,
		},
		cases: []sortCase{
			{name: "dates", sort: `{"t": 1}`, want: []string{"4", "5", "3", "2", "1"}},
			{name: "dates desc", sort: `{"t": -1}`, want: []string{"1", "2", "3", "4", "5"}},
			{name: "booleans", sort: `{"b": 1}`, want: []string{"1", "2", "3", "5", "4"}},
		},
	},
}

// testSort checks each window against the manual, against CompareDocs, and
// on the driver without and with indexes on the sort paths.
func testSort(t *testing.T, open func(t *testing.T) db.Driver) {
	d := open(t)
	for gi, g := range sortGroups {
		t.Run(g.name, func(t *testing.T) {
			docs := decodeDocs(t, g.docs)
			plain, indexed := collName("s", gi), collName("s", gi)+"i"
			insert(t, d, plain, g.docs...)
			insert(t, d, indexed, g.docs...)
			created := map[string]bool{}
			for _, c := range g.cases {
				t.Run(c.name, func(t *testing.T) {
					q := &db.Query{Filter: parseFilter(t, c.filter), Sort: parseSortDoc(t, c.sort), Skip: c.skip, Limit: c.limit}
					if q.Limit == 0 {
						q.Limit = maxLimit
					}
					want := c.want
					if want == nil {
						want = []string{}
					}
					if ref := referenceFind(docs, q); !slices.Equal(ref, want) {
						t.Errorf("reference (Match, CompareDocs) %s skip %d limit %d: got %s, want %s", c.sort, c.skip, c.limit, show(ref), show(want))
					}
					if got := ids(find(t, d, plain, q)); !slices.Equal(got, want) {
						t.Errorf("Find sort %s skip %d limit %d: got %s, want %s", c.sort, c.skip, c.limit, show(got), show(want))
					}
					indexSortKeys(t, d, indexed, q.Sort, created)
					if got := ids(find(t, d, indexed, q)); !slices.Equal(got, want) {
						t.Errorf("Find sort %s skip %d limit %d with indexes: got %s, want %s", c.sort, c.skip, c.limit, show(got), show(want))
					}
				})
			}
		})
	}
}

// parseSortDoc turns {"a": 1, "b": -1} into sort keys ending with _id.
func parseSortDoc(t *testing.T, s string) []db.SortKey {
	t.Helper()
	var keys []db.SortKey
	for _, f := range decodeDoc(t, s) {
		dir, ok := f.Value.(int64)
		if !ok || (dir != 1 && dir != -1) {
			t.Fatalf("sort %s: %s must be 1 or -1", s, f.Key)
		}
		keys = append(keys, db.SortKey{Path: f.Key, Desc: dir == -1})
	}
	return append(keys, byID...)
}

// indexSortKeys creates a single-key index on each sort path and a compound
// index on all of them, unless created already.
func indexSortKeys(t *testing.T, d db.Driver, coll string, keys []db.SortKey, created map[string]bool) {
	t.Helper()
	var compound []db.IndexKey
	for _, k := range keys {
		if k.Path == "_id" {
			continue
		}
		compound = append(compound, db.IndexKey{Path: k.Path, Desc: k.Desc})
	}
	idxs := [][]db.IndexKey{compound}
	if len(compound) == 1 {
		idxs = nil
	}
	for _, k := range compound {
		idxs = append(idxs, []db.IndexKey{{Path: k.Path}})
	}
	for _, ik := range idxs {
		name := fmt.Sprint(ik)
		if len(ik) == 0 || created[name] {
			continue
		}
		created[name] = true
		if err := d.CreateIndex(t.Context(), coll, db.Index{Keys: ik}); err != nil {
			t.Fatalf("CreateIndex(%s, %s): %v", coll, name, err)
		}
	}
}

// referenceFind answers q over docs with the Go reference semantics.
func referenceFind(docs []db.Doc, q *db.Query) []string {
	var out []db.Doc
	for _, d := range docs {
		if q.Filter == nil || q.Filter.Match(d) {
			out = append(out, d)
		}
	}
	slices.SortStableFunc(out, func(a, b db.Doc) int { return db.CompareDocs(a, b, q.Sort) })
	out = out[min(q.Skip, len(out)):]
	out = out[:min(q.Limit, len(out))]
	return ids(out)
}

// Manual: "db.collection.countDocuments()", "Query Documents".
var countCases = []struct {
	name   string
	filter string
	want   int64
}{
	{"nil filter", "", 5},
	{"empty filter", `{}`, 5},
	{"equality", `{"status": "A"}`, 3},
	{"dot path", `{"size.uom": "cm"}`, 3},
	{"range", `{"qty": {"$gte": 50, "$lt": 100}}`, 2},
	{"none", `{"qty": {"$gt": 1000}}`, 0},
}

func testCount(t *testing.T, open func(t *testing.T) db.Driver) {
	d := open(t)
	insert(t, d, "inventory", queryGroups[0].docs...)
	insert(t, d, "empty")
	for _, c := range countCases {
		t.Run(c.name, func(t *testing.T) {
			got, err := d.Count(t.Context(), "inventory", parseFilter(t, c.filter))
			if err != nil {
				t.Fatalf("Count(%s): %v", c.filter, err)
			}
			if got != c.want {
				t.Errorf("Count(%s): got %d, want %d", c.filter, got, c.want)
			}
		})
	}
	t.Run("empty collection", func(t *testing.T) {
		if got := count(t, d, "empty"); got != 0 {
			t.Errorf("Count(empty): got %d, want 0", got)
		}
	})
}
