package db

import (
	"regexp"
	"slices"
	"testing"
)

// bareKey finds object keys written without quotes, as in the MongoDB
// manual's shell examples.
var bareKey = regexp.MustCompile(`([{,]\s*)([A-Za-z_$][\w.$]*)\s*:`)

// decodeShell decodes a document written like the manual's examples
// ({item: "journal"}) by quoting its bare keys first.
func decodeShell(t *testing.T, s string) any {
	t.Helper()
	v, err := DecodeJSON([]byte(bareKey.ReplaceAllString(s, `$1"$2":`)), MaxDepth)
	if err != nil {
		t.Fatalf("decode %s: %v", s, err)
	}
	return v
}

func parseShell(t *testing.T, s string) *Filter {
	t.Helper()
	f, err := ParseFilter(decodeShell(t, s))
	if err != nil {
		t.Fatalf("ParseFilter(%s): %v", s, err)
	}
	return f
}

type queryCase struct {
	filter string
	want   []int // indexes of the documents that match
}

// runQueries runs each query against the collection docs like find() and
// compares the matching indexes. It also checks that {$nor: [query]}
// matches exactly the other documents.
func runQueries(t *testing.T, docs []string, cases []queryCase) {
	t.Helper()
	coll := make([]Doc, len(docs))
	for i, s := range docs {
		coll[i] = decodeShell(t, s).(Doc)
	}
	for _, c := range cases {
		t.Run(c.filter, func(t *testing.T) {
			f := parseShell(t, c.filter)
			nor, err := ParseFilter(Doc{{"$nor", []any{f.Source}}})
			if err != nil {
				t.Fatalf("ParseFilter($nor): %v", err)
			}
			got := []int{}
			for i, d := range coll {
				m := f.Match(d)
				if m {
					got = append(got, i)
				}
				if nor.Match(d) == m {
					t.Errorf("doc %d: $nor of the query matches too (or neither matches)", i)
				}
			}
			want := c.want
			if want == nil {
				want = []int{}
			}
			if !slices.Equal(got, want) {
				t.Errorf("got matches %v, want %v", got, want)
			}
		})
	}
}

// Query on Embedded/Nested Documents (MongoDB manual, tutorial/query-embedded-documents).
func TestMatchEmbeddedDocuments(t *testing.T) {
	docs := []string{
		`{item: "journal", qty: 25, size: {h: 14, w: 21, uom: "cm"}, status: "A"}`,
		`{item: "notebook", qty: 50, size: {h: 8.5, w: 11, uom: "in"}, status: "A"}`,
		`{item: "paper", qty: 100, size: {h: 8.5, w: 11, uom: "in"}, status: "D"}`,
		`{item: "planner", qty: 75, size: {h: 22.85, w: 30, uom: "cm"}, status: "D"}`,
		`{item: "postcard", qty: 45, size: {h: 10, w: 15.25, uom: "cm"}, status: "A"}`,
	}
	runQueries(t, docs, []queryCase{
		{`{size: {h: 14, w: 21, uom: "cm"}}`, []int{0}},
		{`{size: {w: 21, h: 14, uom: "cm"}}`, nil}, // field order matters
		{`{size: {$eq: {h: 14, w: 21, uom: "cm"}}}`, []int{0}},
		{`{"size.uom": "in"}`, []int{1, 2}},
		{`{"size.h": {$lt: 15}}`, []int{0, 1, 2, 4}},
		{`{"size.h": {$lt: 15}, "size.uom": "in", status: "D"}`, []int{2}},
		{`{"size.h.x": null}`, []int{0, 1, 2, 3, 4}}, // scalar on the way: missing
	})
}

// Query an Array (MongoDB manual, tutorial/query-arrays).
func TestMatchArrays(t *testing.T) {
	docs := []string{
		`{item: "journal", qty: 25, tags: ["blank", "red"], dim_cm: [14, 21]}`,
		`{item: "notebook", qty: 50, tags: ["red", "blank"], dim_cm: [14, 21]}`,
		`{item: "paper", qty: 100, tags: ["red", "blank", "plain"], dim_cm: [14, 21]}`,
		`{item: "planner", qty: 75, tags: ["blank", "red"], dim_cm: [22.85, 30]}`,
		`{item: "postcard", qty: 45, tags: ["blue"], dim_cm: [10, 15.25]}`,
	}
	runQueries(t, docs, []queryCase{
		{`{tags: ["red", "blank"]}`, []int{1}},
		{`{tags: {$all: ["red", "blank"]}}`, []int{0, 1, 2, 3}},
		{`{tags: "red"}`, []int{0, 1, 2, 3}},
		{`{tags: {$eq: "blue"}}`, []int{4}},
		{`{dim_cm: {$gt: 25}}`, []int{3}},
		{`{dim_cm: {$gt: 15, $lt: 20}}`, []int{0, 1, 2, 4}},
		{`{dim_cm: {$elemMatch: {$gt: 22, $lt: 30}}}`, []int{3}},
		{`{"dim_cm.1": {$gt: 25}}`, []int{3}},
		{`{"tags.0": "red"}`, []int{1, 2}},
		{`{"tags.5": null}`, []int{0, 1, 2, 3, 4}}, // no such element: missing
		{`{tags: {$size: 3}}`, []int{2}},
		{`{tags: {$size: 1}}`, []int{4}},
		{`{item: {$size: 1}}`, nil}, // $size only matches arrays
		{`{tags: {$ne: "red"}}`, []int{4}},
		{`{tags: {$nin: ["red", "plain"]}}`, []int{4}},
		{`{tags: {$in: ["plain", "blue"]}}`, []int{2, 4}},
	})
}

// Query an Array of Embedded Documents (MongoDB manual,
// tutorial/query-array-of-documents).
func TestMatchArrayOfDocuments(t *testing.T) {
	docs := []string{
		`{item: "journal", instock: [{warehouse: "A", qty: 5}, {warehouse: "C", qty: 15}]}`,
		`{item: "notebook", instock: [{warehouse: "C", qty: 5}]}`,
		`{item: "paper", instock: [{warehouse: "A", qty: 60}, {warehouse: "B", qty: 15}]}`,
		`{item: "planner", instock: [{warehouse: "A", qty: 40}, {warehouse: "B", qty: 5}]}`,
		`{item: "postcard", instock: [{warehouse: "B", qty: 15}, {warehouse: "C", qty: 35}]}`,
	}
	runQueries(t, docs, []queryCase{
		{`{instock: {warehouse: "A", qty: 5}}`, []int{0}},
		{`{instock: {qty: 5, warehouse: "A"}}`, nil},
		{`{"instock.0.qty": {$lte: 20}}`, []int{0, 1, 4}},
		{`{"instock.qty": {$lte: 20}}`, []int{0, 1, 2, 3, 4}},
		{`{instock: {$elemMatch: {qty: 5, warehouse: "A"}}}`, []int{0}},
		{`{instock: {$elemMatch: {qty: {$gt: 10, $lte: 20}}}}`, []int{0, 2, 4}},
		{`{"instock.qty": {$gt: 10, $lte: 20}}`, []int{0, 2, 3, 4}},
		{`{"instock.qty": 5, "instock.warehouse": "A"}`, []int{0, 3}},
		{`{"instock.warehouse": {$ne: "A"}}`, []int{1, 4}},
	})
}

// Query for Null or Missing Fields (MongoDB manual, tutorial/query-for-null-fields),
// and $exists (reference/operator/query/exists).
func TestMatchNullOrMissing(t *testing.T) {
	runQueries(t, []string{`{_id: 1, item: null}`, `{_id: 2}`}, []queryCase{
		{`{item: null}`, []int{0, 1}},
		{`{item: {$eq: null}}`, []int{0, 1}},
		{`{item: {$ne: null}}`, nil},
		{`{item: {$exists: false}}`, []int{1}},
		{`{item: {$exists: true}}`, []int{0}},
		{`{item: {$in: [null]}}`, []int{0, 1}},
		{`{item: {$nin: [null]}}`, nil},
		{`{item: {$gte: null}}`, []int{0, 1}},
		{`{item: {$lte: null}}`, []int{0, 1}},
		{`{item: {$gt: null}}`, nil},
		{`{item: {$lt: null}}`, nil},
	})
	docs := []string{
		`{saffron: 5, cinnamon: 5, mustard: null}`,
		`{saffron: 3, cinnamon: null, mustard: 8}`,
		`{saffron: null, cinnamon: 3, mustard: 9}`,
		`{saffron: 1, cinnamon: 2, mustard: 3}`,
		`{saffron: 2, mustard: 5}`,
		`{saffron: 3, cinnamon: 2}`,
		`{saffron: 4}`,
		`{cinnamon: 2, mustard: 4}`,
		`{cinnamon: 2}`,
		`{mustard: 6}`,
	}
	runQueries(t, docs, []queryCase{
		{`{saffron: {$exists: true}}`, []int{0, 1, 2, 3, 4, 5, 6}},
		{`{cinnamon: {$exists: false}}`, []int{4, 6, 9}},
		{`{cinnamon: {$exists: 0}}`, []int{4, 6, 9}},
		{`{cinnamon: {$exists: null}}`, []int{4, 6, 9}},
		{`{cinnamon: {$exists: "yes"}}`, []int{0, 1, 2, 3, 5, 7, 8}},
	})
}

// Null semantics on dotted paths and arrays, from MongoDB's
// jstests/core/query/null_query_semantics.js (MongoDB 9.0, SERVER-36681: a
// branch of a path through a non-document array element, or an empty
// array, is missing).
func TestMatchNullSemanticsArrays(t *testing.T) {
	docs := []string{
		`{a: {}}`,                              // 0
		`{a: null}`,                            // 1
		`{a: 4}`,                               // 2
		`{a: {b: "hi"}}`,                       // 3
		`{a: {b: null}}`,                       // 4
		`{}`,                                   // 5
		`{a: [[]]}`,                            // 6
		`{a: []}`,                              // 7
		`{a: [{b: null}, {b: null}, {}]}`,      // 8
		`{a: [{b: 1}, {b: 3}, {b: "string"}]}`, // 9
		`{a: [{b: null}, {b: 3}]}`,             // 10
		`{a: [{b: 3}, {}]}`,                    // 11
		`{a: [null, null]}`,                    // 12
		`{a: [1, "string", 4]}`,                // 13
		`{a: [1, "string", null, 4]}`,          // 14
		`{a: [5, {b: 5}]}`,                     // 15
	}
	runQueries(t, docs, []queryCase{
		{`{a: {$eq: null}}`, []int{1, 5, 12, 14}},
		{`{a: {$ne: null}}`, []int{0, 2, 3, 4, 6, 7, 8, 9, 10, 11, 13, 15}},
		{`{a: {$not: {$gte: null}}}`, []int{0, 2, 3, 4, 6, 7, 8, 9, 10, 11, 13, 15}},
		{`{a: {$in: [null, 75]}}`, []int{1, 5, 12, 14}},
		{`{a: {$nin: [null, []]}}`, []int{0, 2, 3, 4, 8, 9, 10, 11, 13, 15}},
		{`{a: {$exists: false}}`, []int{5}},
		{`{a: {$elemMatch: {$eq: null}}}`, []int{12, 14}},
		{`{a: {$elemMatch: {$ne: null}}}`, []int{6, 8, 9, 10, 11, 13, 14, 15}},
		{`{"a.b": {$eq: null}}`, []int{0, 1, 2, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15}},
		{`{"a.b": {$ne: null}}`, []int{3, 9}},
		{`{"a.b": {$in: [null, 75]}}`, []int{0, 1, 2, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15}},
		{`{"a.b": {$exists: false}}`, []int{0, 1, 2, 5, 6, 7, 12, 13, 14}},
		{`{"a.b": {$elemMatch: {$eq: null}}}`, nil},
		{`{a: {$elemMatch: {b: {$eq: null}}}}`, []int{6, 8, 10, 11}},
		{`{a: {$elemMatch: {b: {$ne: null}}}}`, []int{9, 10, 11, 15}},
	})
}
