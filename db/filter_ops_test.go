package db

import "testing"

// $elemMatch (query) (MongoDB manual, reference/operator/query/elemMatch).
func TestMatchElemMatch(t *testing.T) {
	runQueries(t, []string{`{_id: 1, results: [82, 85, 88]}`, `{_id: 2, results: [75, 88, 89]}`}, []queryCase{
		{`{results: {$elemMatch: {$gte: 80, $lt: 85}}}`, []int{0}},
		{`{results: {$elemMatch: {$gte: 89}}}`, []int{1}},
		{`{results: {$elemMatch: {$not: {$lt: 80}}}}`, []int{0, 1}},
		{`{results: {$elemMatch: {$in: [75, 1]}}}`, []int{1}},
		{`{_id: {$elemMatch: {$gte: 0}}}`, nil}, // not an array
	})
	docs := []string{
		`{_id: 1, results: [{product: "abc", score: 10}, {product: "xyz", score: 5}]}`,
		`{_id: 2, results: [{product: "abc", score: 8}, {product: "xyz", score: 7}]}`,
		`{_id: 3, results: [{product: "abc", score: 7}, {product: "xyz", score: 8}]}`,
		`{_id: 4, results: [{product: "abc", score: 7}, {product: "def", score: 8}]}`,
		`{_id: 5, results: {product: "xyz", score: 7}}`,
	}
	runQueries(t, docs, []queryCase{
		{`{results: {$elemMatch: {product: "xyz", score: {$gte: 8}}}}`, []int{2}},
		{`{results: {$elemMatch: {product: "xyz"}}}`, []int{0, 1, 2}},
		{`{"results.product": "xyz"}`, []int{0, 1, 2, 4}},
		{`{results: {$elemMatch: {product: {$ne: "xyz"}}}}`, []int{0, 1, 2, 3}},
		{`{"results.product": {$ne: "xyz"}}`, []int{3}},
		{`{results: {$elemMatch: {$or: [{score: 10}, {product: "def"}]}}}`, []int{0, 3}},
		{`{results: {$elemMatch: {}}}`, []int{0, 1, 2, 3}},
		{`{"results.product": "xyz", "results.score": {$gte: 8}}`, []int{0, 1, 2}},
	})
	// Elements that are not documents are skipped by the object form, and
	// the value form does not look inside nested arrays.
	runQueries(t, []string{`{a: [1, 2]}`, `{a: [[5]]}`, `{a: [{b: 1}, 3]}`}, []queryCase{
		{`{a: {$elemMatch: {b: null}}}`, []int{1}},
		{`{a: {$elemMatch: {$eq: 5}}}`, nil},
		{`{a: {$elemMatch: {$eq: [5]}}}`, []int{1}},
		{`{a: {$elemMatch: {$elemMatch: {$eq: 5}}}}`, []int{1}},
		{`{a: {$elemMatch: {$regex: "^x"}}}`, nil},
	})
}

// $all (MongoDB manual, reference/operator/query/all).
func TestMatchAll(t *testing.T) {
	docs := []string{
		`{code: "xyz", tags: ["school", "book", "bag", "headphone", "appliance"],
		  qty: [{size: "S", num: 10, color: "blue"}, {size: "M", num: 45, color: "blue"}, {size: "L", num: 100, color: "green"}]}`,
		`{code: "abc", tags: ["appliance", "school", "book"],
		  qty: [{size: "6", num: 100, color: "green"}, {size: "6", num: 50, color: "blue"}, {size: "8", num: 100, color: "brown"}]}`,
		`{code: "efg", tags: ["school", "book"],
		  qty: [{size: "S", num: 10, color: "blue"}, {size: "M", num: 100, color: "blue"}, {size: "L", num: 100, color: "green"}]}`,
		`{code: "ijk", tags: ["electronics", "school"], qty: [{size: "M", num: 100, color: "green"}]}`,
	}
	runQueries(t, docs, []queryCase{
		{`{tags: {$all: ["appliance", "school", "book"]}}`, []int{0, 1}},
		{`{$and: [{tags: "appliance"}, {tags: "school"}, {tags: "book"}]}`, []int{0, 1}},
		{`{qty: {$all: [{$elemMatch: {size: "M", num: {$gt: 50}}}, {$elemMatch: {num: 100, color: "green"}}]}}`, []int{2, 3}},
		{`{"qty.num": {$all: [50]}}`, []int{1}},
		{`{code: {$all: ["abc"]}}`, []int{1}}, // like {code: "abc"}
		{`{tags: {$all: []}}`, nil},
		{`{tags: {$all: [{$regex: "^elec"}, "school"]}}`, []int{3}},
		{`{tags: {$all: [["school", "book"]]}}`, []int{2}},
	})
}

// Comparison/Sort Order (MongoDB manual, reference/bson-type-comparison-order):
// comparison operators only match values of the same type bracket.
func TestMatchComparison(t *testing.T) {
	docs := []string{
		`{a: 5}`,   // 0
		`{a: 5.5}`, // 1
		`{a: "10"}`,
		`{a: null}`,
		`{}`,
		`{a: true}`, // 5
		`{a: {$date: "2024-05-01T08:00:00Z"}}`,
		`{a: [1, 20]}`,
		`{a: {b: 1}}`,
		`{a: 9007199254740993}`,
	}
	runQueries(t, docs, []queryCase{
		{`{a: {$gt: 5}}`, []int{1, 7, 9}},
		{`{a: {$gte: 5}}`, []int{0, 1, 7, 9}},
		{`{a: {$lt: 5.5}}`, []int{0, 7}},
		{`{a: {$lte: 5.0}}`, []int{0, 7}},
		{`{a: 5.0}`, []int{0}},
		{`{a: {$eq: 5}}`, []int{0}},
		{`{a: {$gt: 9007199254740992.0}}`, []int{9}}, // int64 compared exactly
		{`{a: {$gt: "1"}}`, []int{2}},
		{`{a: {$lt: "9"}}`, []int{2}},
		{`{a: {$gt: false}}`, []int{5}},
		{`{a: {$gt: {$date: "2024-01-01T00:00:00Z"}}}`, []int{6}},
		{`{a: {$lt: {$date: "2024-01-01T00:00:00Z"}}}`, nil},
		{`{a: {$gt: 0}, b: {$exists: false}}`, []int{0, 1, 7, 9}},
		{`{a: {$gte: {b: 0}}}`, []int{8}},
		{`{a: {$gt: [1]}}`, []int{7}},
		{`{a: {$gt: null}}`, nil},
		{`{a: {$ne: 5}}`, []int{1, 2, 3, 4, 5, 6, 7, 8, 9}},
	})
}

// $in, $nin, $ne (MongoDB manual, reference/operator/query/in, nin, ne).
func TestMatchInNin(t *testing.T) {
	docs := []string{
		`{item: "Pens", quantity: 350, tags: ["school", "office"]}`,
		`{item: "Erasers", quantity: 15, tags: ["school", "home"]}`,
		`{item: "Maps", tags: ["office", "storage"]}`,
		`{item: "Books", quantity: 5, tags: ["school", "storage", "home"]}`,
	}
	runQueries(t, docs, []queryCase{
		{`{quantity: {$in: [5, 15]}}`, []int{1, 3}},
		{`{quantity: {$nin: [5, 15]}}`, []int{0, 2}},
		{`{tags: {$in: ["home", "school"]}}`, []int{0, 1, 3}},
		{`{tags: {$in: [{$regex: "^st"}, {$regex: "^HO", $options: "i"}]}}`, []int{1, 2, 3}},
		{`{tags: {$nin: [{$regex: "^st"}]}}`, []int{0, 1}},
		{`{quantity: {$in: []}}`, nil},
		{`{quantity: {$nin: []}}`, []int{0, 1, 2, 3}},
		{`{quantity: {$ne: 15}}`, []int{0, 2, 3}},
		{`{tags: {$ne: "school"}}`, []int{2}},
		{`{tags: {$in: [["office", "storage"]]}}`, []int{2}},
	})
}

// $mod (MongoDB manual, reference/operator/query/mod): divisor and
// remainder are truncated toward zero; the remainder takes the dividend's sign.
func TestMatchMod(t *testing.T) {
	docs := []string{`{qty: 0}`, `{qty: 5}`, `{qty: 12}`, `{qty: -12}`, `{qty: -13}`, `{qty: 12.9}`, `{qty: "12"}`, `{}`, `{qty: [3, 8]}`}
	runQueries(t, docs, []queryCase{
		{`{qty: {$mod: [4, 0]}}`, []int{0, 2, 3, 5, 8}},
		{`{qty: {$mod: [4.0, 0]}}`, []int{0, 2, 3, 5, 8}},
		{`{qty: {$mod: [4.5, 0]}}`, []int{0, 2, 3, 5, 8}},
		{`{qty: {$mod: [4.99, 0.5]}}`, []int{0, 2, 3, 5, 8}},
		{`{qty: {$mod: [4, -1]}}`, []int{4}},
		{`{qty: {$mod: [-4, 1]}}`, []int{1}},
		{`{qty: {$mod: [-1, 0]}}`, []int{0, 1, 2, 3, 4, 5, 8}},
	})
}

// $regex (MongoDB manual, reference/operator/query/regex).
func TestMatchRegex(t *testing.T) {
	docs := []string{
		`{_id: 100, sku: "abc123", description: "Single line description."}`,
		`{_id: 101, sku: "abc789", description: "First line\nSecond line"}`,
		`{_id: 102, sku: "xyz456", description: "Many spaces before     line"}`,
		`{_id: 103, sku: "xyz789", description: "Multiple\nline description"}`,
		`{_id: 104, sku: "Abc789", description: "SKU starts with A"}`,
		`{_id: 105, sku: {$regex: "789$", $options: ""}, description: ["x", "Stored"]}`,
	}
	runQueries(t, docs, []queryCase{
		{`{sku: {$regex: "789$"}}`, []int{1, 3, 4, 5}}, // a stored equal regex matches too
		{`{sku: {$regex: "^ABC", $options: "i"}}`, []int{0, 1, 4}},
		{`{sku: {$options: "i", $regex: "^ABC"}}`, []int{0, 1, 4}},
		{`{sku: {$regex: {$regex: "^ABC", $options: "i"}}}`, []int{0, 1, 4}},
		{`{description: {$regex: "^S", $options: "m"}}`, []int{0, 1, 4, 5}},
		{`{description: {$regex: "^S"}}`, []int{0, 4, 5}},
		{`{description: {$regex: "m.*line", $options: "si"}}`, []int{2, 3}},
		{`{description: {$regex: "m.*line", $options: "i"}}`, []int{2}},
		{`{sku: {$not: {$regex: "^abc"}}}`, []int{2, 3, 4, 5}},
		{`{_id: {$regex: "1"}}`, nil}, // only strings
		{`{sku: {$in: [{$regex: "^x"}, "abc123"]}}`, []int{0, 2, 3}},
		{`{sku: {$regex: "9$", $nin: ["abc789"]}}`, []int{3, 4}},
		{`{sku: {$eq: "abc789"}}`, []int{1}},
	})
}

// $not, $and, $or, $nor (MongoDB manual, reference/operator/query/not,
// and, or, nor).
func TestMatchLogical(t *testing.T) {
	docs := []string{
		`{item: "a", price: 1.99, sale: true, qty: 20}`,
		`{item: "b", price: 1.99, sale: false, qty: 5}`,
		`{item: "c", price: 2.5, qty: 30}`,
		`{item: "d", sale: true}`,
		`{item: "e", price: "free"}`,
	}
	runQueries(t, docs, []queryCase{
		{`{price: {$not: {$gt: 1.99}}}`, []int{0, 1, 3, 4}},
		{`{price: {$not: {$gt: 1, $lt: 2}}}`, []int{2, 3, 4}},
		{`{item: {$not: {$regex: "^[ab]"}}}`, []int{2, 3, 4}},
		{`{$nor: [{price: 1.99}, {sale: true}]}`, []int{2, 4}},
		{`{$nor: [{price: 1.99}, {qty: {$lt: 20}}, {sale: true}]}`, []int{2, 4}},
		{`{$or: [{qty: {$lt: 10}}, {price: 2.5}]}`, []int{1, 2}},
		{`{$and: [{price: {$ne: 1.99}}, {price: {$exists: true}}]}`, []int{2, 4}},
		{`{$and: [{$or: [{qty: {$lt: 10}}, {qty: {$gt: 25}}]}, {$or: [{sale: true}, {price: {$lt: 3}}]}]}`, []int{1, 2}},
		{`{$and: [{}]}`, []int{0, 1, 2, 3, 4}},
		{`{}`, []int{0, 1, 2, 3, 4}},
	})
}

// Dot notation with array indexes (MongoDB manual, core/document "Dot
// Notation"; jstests/core/find6.js): a numeric segment is an index and also
// a field name in element documents; nested arrays are not flattened.
func TestMatchArrayPaths(t *testing.T) {
	docs := []string{`{a: [{"0": 1}]}`, `{a: [{"0": 2}]}`, `{a: [1]}`, `{a: [9, 1]}`, `{a: {"0": 1}}`}
	runQueries(t, docs, []queryCase{
		{`{"a.0": 1}`, []int{0, 2, 4}},
		{`{"a.0": {$gt: 8}}`, []int{3}},
		{`{"a.1": 1}`, []int{3}},
	})
	nested := []string{`{a: [[{b: 1}]]}`, `{a: [[1, 2]]}`, `{a: [{b: [1, 2]}]}`, `{a: [{b: [[1]]}]}`, `{a: {b: {c: [{d: 1}]}}}`}
	runQueries(t, nested, []queryCase{
		{`{"a.b": 1}`, []int{2}},
		{`{a: 1}`, nil},
		{`{a: [1, 2]}`, []int{1}},
		{`{"a.0": 1}`, []int{1}},
		{`{"a.0.0.b": 1}`, []int{0}},
		{`{"a.b": [1]}`, []int{3}},
		{`{"a.b": {$size: 2}}`, []int{2}},
		{`{"a.b.c.d": 1}`, []int{4}},
		{`{"a.0.b": {$elemMatch: {$eq: 2}}}`, []int{2}},
	})
}
