package db

import "testing"

// Positional $ (MongoDB manual, reference/operator/update/positional): the
// first element of the array that the query's condition on it matched.
func TestFilterArrayIndex(t *testing.T) {
	tests := []struct {
		filter, doc, path string
		want              int
		ok                bool
	}{
		{`{grades: 85}`, `{grades: [80, 85, 90]}`, "grades", 1, true},
		{`{_id: 1, grades: {$gte: 85}}`, `{_id: 1, grades: [80, 85, 90]}`, "grades", 1, true},
		{`{grades: {$gt: 80, $lt: 90}}`, `{grades: [80, 95, 85]}`, "grades", 2, true},
		{`{"grades.grade": 85}`, `{grades: [{grade: 80}, {grade: 85}, {grade: 85}]}`, "grades", 1, true},
		{`{"grades.grade": {$lte: 90}, "grades.mean": {$gt: 80}}`,
			`{grades: [{grade: 80, mean: 75}, {grade: 85, mean: 90}, {grade: 85, mean: 85}]}`, "grades", 1, true},
		{`{grades: {$elemMatch: {grade: {$lte: 90}, mean: {$gt: 80}}}}`,
			`{grades: [{grade: 95, mean: 95}, {grade: 85, mean: 90}]}`, "grades", 1, true},
		{`{"a.b": {$in: [3, 4]}}`, `{a: {b: [1, 2, 3]}}`, "a.b", 2, true},
		{`{tags: {$regex: "^b"}}`, `{tags: ["a", "bb"]}`, "tags", 1, true},
		{`{tags: [1, 2]}`, `{tags: [[0], [1, 2]]}`, "tags", 1, true},
		{`{$and: [{x: 1}, {tags: "b"}]}`, `{x: 1, tags: ["a", "b"]}`, "tags", 1, true},
		{`{tags: "z"}`, `{tags: ["a", "b"]}`, "tags", 0, false},
		{`{x: 1}`, `{x: 1, tags: ["a"]}`, "tags", 0, false},
		{`{tags: {$ne: "a"}}`, `{tags: ["b"]}`, "tags", 0, false},
		{`{$or: [{tags: "a"}]}`, `{tags: ["a"]}`, "tags", 0, false},
		{`{tags: "a"}`, `{tags: "a"}`, "tags", 0, false},
		{`{"tagsx": "a"}`, `{tags: ["a"], tagsx: "a"}`, "tags", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			f := parseShell(t, tt.filter)
			doc := decodeShell(t, tt.doc).(Doc)
			got, ok := f.ArrayIndex(doc, tt.path)
			if got != tt.want || ok != tt.ok {
				t.Errorf("ArrayIndex(%s, %q) = %d, %v; want %d, %v", tt.doc, tt.path, got, ok, tt.want, tt.ok)
			}
		})
	}
}

// Match is called on every candidate row: it must not allocate.
func TestMatchDoesNotAllocate(t *testing.T) {
	f := parseShell(t, `{"instock.qty": {$gt: 10, $lte: 20}, tags: {$in: ["red", {$regex: "^bl"}]},
		item: {$ne: "x"}, dim: {$elemMatch: {$gt: 1}}, $or: [{a: null}, {"b.0": {$exists: true}}]}`)
	doc := decodeShell(t, `{item: "journal", instock: [{warehouse: "A", qty: 5}, {warehouse: "C", qty: 15}],
		tags: ["blank", "red"], dim: [1, 2], b: [1]}`).(Doc)
	if !f.Match(doc) {
		t.Fatalf("filter does not match")
	}
	if n := testing.AllocsPerRun(100, func() { f.Match(doc) }); n != 0 {
		t.Errorf("Match allocates %v times per call, want 0", n)
	}
}

func BenchmarkFilterMatch(b *testing.B) {
	v, _ := DecodeJSON([]byte(`{"instock.qty": {"$gt": 10, "$lte": 20}, "tags": {"$in": ["red", "blue"]}, "status": {"$ne": "D"}}`), MaxDepth)
	f, err := ParseFilter(v)
	if err != nil {
		b.Fatal(err)
	}
	d, _ := DecodeJSON([]byte(`{"item": "journal", "status": "A", "instock": [{"warehouse": "A", "qty": 5}, {"warehouse": "C", "qty": 15}], "tags": ["blank", "red"]}`), MaxDepth)
	doc := d.(Doc)
	b.ReportAllocs()
	for b.Loop() {
		f.Match(doc)
	}
}
