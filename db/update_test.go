package db

import (
	"strings"
	"testing"
	"time"
)

// testNow is the write time of every update test.
var testNow = time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)

// decode parses extended JSON for a test, failing it on error.
func decode(t testing.TB, s string) any {
	t.Helper()
	v, err := DecodeJSON([]byte(s), MaxDepth)
	if err != nil {
		t.Fatalf("DecodeJSON(%s): %v", s, err)
	}
	return v
}

// canon re-encodes JSON so that cases may be written with spaces.
func canon(t testing.TB, s string) string {
	t.Helper()
	return string(MarshalJSON(decode(t, s)))
}

// updateCase is one update applied to one document. want is the resulting
// document, or empty when the case expects an error of code and message.
type updateCase struct {
	name, doc, update string
	want              string
	unchanged         bool // Apply must report no change
	code, msg         string
}

func runUpdateCases(t *testing.T, f *Filter, cases []updateCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := decode(t, tc.doc).(Doc)
			before := string(MarshalJSON(doc))
			got, changed, err := applyJSON(t, doc, f, tc.update)
			if after := string(MarshalJSON(doc)); after != before {
				t.Errorf("input doc modified: before %s, after %s", before, after)
			}
			if tc.want == "" {
				if err == nil {
					t.Fatalf("got %s, want error %s %q", MarshalJSON(got), tc.code, tc.msg)
				}
				if ErrorCode(err) != tc.code || !strings.Contains(err.Error(), tc.msg) {
					t.Fatalf("got error %s %q, want %s containing %q", ErrorCode(err), err, tc.code, tc.msg)
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v, want %s", err, tc.want)
			}
			if g, w := string(MarshalJSON(got)), canon(t, tc.want); g != w {
				t.Errorf("got  %s\nwant %s", g, w)
			}
			if changed == tc.unchanged {
				t.Errorf("changed = %v, want %v", changed, !tc.unchanged)
			}
		})
	}
}

func applyJSON(t *testing.T, doc Doc, f *Filter, update string) (Doc, bool, error) {
	u, err := ParseUpdate(decode(t, update))
	if err != nil {
		return nil, false, err
	}
	return u.Apply(doc, f, testNow)
}

// MongoDB manual, "$set": https://www.mongodb.com/docs/manual/reference/operator/update/set/
func TestUpdateSet(t *testing.T) {
	product := `{"_id": 100, "quantity": 250, "instock": true, "reorder": false,
		"details": {"model": "14QQ", "make": "Clothes Corp"}, "tags": ["apparel", "clothing"],
		"ratings": [{"by": "Customer007", "rating": 4}]}`
	product = strings.Replace(product, `"_id": 100`, `"_id": "100"`, 1)
	runUpdateCases(t, nil, []updateCase{
		{name: "top-level fields", doc: product,
			update: `{"$set": {"quantity": 500, "details": {"model": "2600", "make": "Fashionaires"}, "tags": ["coats", "outerwear", "clothing"]}}`,
			want: `{"_id": "100", "quantity": 500, "instock": true, "reorder": false,
				"details": {"model": "2600", "make": "Fashionaires"}, "tags": ["coats", "outerwear", "clothing"],
				"ratings": [{"by": "Customer007", "rating": 4}]}`},
		{name: "embedded field", doc: `{"details": {"model": "14QQ", "make": "Clothes Corp"}}`,
			update: `{"$set": {"details.make": "Kustom Kidz"}}`,
			want:   `{"details": {"model": "14QQ", "make": "Kustom Kidz"}}`},
		{name: "array elements", doc: `{"tags": ["apparel", "clothing"], "ratings": [{"by": "Customer007", "rating": 4}]}`,
			update: `{"$set": {"tags.1": "rain gear", "ratings.0.rating": 2}}`,
			want:   `{"tags": ["apparel", "rain gear"], "ratings": [{"by": "Customer007", "rating": 2}]}`},
		{name: "creates intermediate documents", doc: `{"_id": "1"}`, update: `{"$set": {"a.b.c": 1}}`,
			want: `{"_id": "1", "a": {"b": {"c": 1}}}`},
		{name: "numeric segment on a document is a field name", doc: `{"a": {}}`, update: `{"$set": {"a.0": 1}}`,
			want: `{"a": {"0": 1}}`},
		{name: "pads arrays with null", doc: `{"a": [1]}`, update: `{"$set": {"a.3": 5}}`, want: `{"a": [1, null, null, 5]}`},
		{name: "pads then creates a document", doc: `{"a": []}`, update: `{"$set": {"a.2.b": 1}}`,
			want: `{"a": [null, null, {"b": 1}]}`},
		{name: "new fields in lexicographic order", doc: `{"_id": "1"}`, update: `{"$set": {"b": 1, "a": 2, "c.2": 3, "c.10": 4}}`,
			want: `{"_id": "1", "a": 2, "b": 1, "c": {"2": 3, "10": 4}}`},
		{name: "same value is no change", doc: `{"a": 1, "b": {"c": [1]}}`, update: `{"$set": {"a": 1, "b.c": [1]}}`,
			want: `{"a": 1, "b": {"c": [1]}}`, unchanged: true},
		{name: "set _id to its own value", doc: `{"_id": "x", "a": 1}`, update: `{"$set": {"_id": "x"}}`,
			want: `{"_id": "x", "a": 1}`, unchanged: true},
		{name: "server date", doc: `{}`, update: `{"$set": {"t": {"$serverDate": {"offset": 1000}}}}`,
			want: `{"t": {"$date": "2024-05-01T08:00:01.000Z"}}`},
		{name: "field inside a number", doc: `{"a": 5}`, update: `{"$set": {"a.b": 1}}`,
			code: CodeInvalidParam, msg: "Cannot create field 'b' in element {a: 5}"},
		{name: "field inside null", doc: `{"a": {"b": null}}`, update: `{"$set": {"a.b.c": 1}}`,
			code: CodeInvalidParam, msg: "Cannot create field 'c' in element {b: null}"},
		{name: "named field of an array", doc: `{"a": [1]}`, update: `{"$set": {"a.x": 1}}`,
			code: CodeInvalidParam, msg: "Cannot create field 'x'"},
		{name: "padding beyond the limit", doc: `{"a": []}`, update: `{"$set": {"a.999999999": 1}}`,
			code: CodeInvalidParam, msg: "too far past the end"},
		{name: "dollar field name", doc: `{}`, update: `{"$set": {"a.$b": 1}}`,
			code: CodeInvalidParam, msg: "must not start with '$'"},
		{name: "dollar key inside a value", doc: `{}`, update: `{"$set": {"a": {"$b": 1}}}`,
			code: CodeInvalidParam, msg: "must not start with '$'"},
		{name: "change _id", doc: `{"_id": "x"}`, update: `{"$set": {"_id": "y"}}`,
			code: CodeInvalidParam, msg: "cannot modify _id"},
		{name: "non-finite result", doc: `{"a": 1e308}`, update: `{"$mul": {"a": 10}}`,
			code: CodeInvalidParam, msg: "not finite"},
	})
}

// MongoDB manual, "$unset": https://www.mongodb.com/docs/manual/reference/operator/update/unset/
func TestUpdateUnset(t *testing.T) {
	runUpdateCases(t, nil, []updateCase{
		{name: "fields", doc: `{"item": "chisel", "sku": "C001", "quantity": 4, "instock": true}`,
			update: `{"$unset": {"quantity": "", "instock": ""}}`, want: `{"item": "chisel", "sku": "C001"}`},
		{name: "embedded field", doc: `{"a": {"b": 1, "c": 2}, "d": 3}`, update: `{"$unset": {"a.b": ""}}`,
			want: `{"a": {"c": 2}, "d": 3}`},
		{name: "deep embedded field", doc: `{"a": {"x": {"b": 1, "c": 2}, "y": 1}}`, update: `{"$unset": {"a.x.b": ""}}`,
			want: `{"a": {"x": {"c": 2}, "y": 1}}`},
		{name: "array element becomes null", doc: `{"a": [1, 2, 3]}`, update: `{"$unset": {"a.1": ""}}`,
			want: `{"a": [1, null, 3]}`},
		{name: "field of an array element", doc: `{"a": [{"b": 1, "c": 2}]}`, update: `{"$unset": {"a.0.b": ""}}`,
			want: `{"a": [{"c": 2}]}`},
		{name: "missing field", doc: `{"a": 1}`, update: `{"$unset": {"b": "", "a.c": "", "x.y.z": 1}}`,
			want: `{"a": 1}`, unchanged: true},
		{name: "_id", doc: `{"_id": "x"}`, update: `{"$unset": {"_id": ""}}`, code: CodeInvalidParam, msg: "cannot modify _id"},
	})
}

// MongoDB manual, "$inc": https://www.mongodb.com/docs/manual/reference/operator/update/inc/
// and "$mul": https://www.mongodb.com/docs/manual/reference/operator/update/mul/
func TestUpdateArithmetic(t *testing.T) {
	runUpdateCases(t, nil, []updateCase{
		{name: "inc", doc: `{"sku": "abc123", "quantity": 10, "metrics": {"orders": 2, "ratings": 3.5}}`,
			update: `{"$inc": {"quantity": -2, "metrics.orders": 1}}`,
			want:   `{"sku": "abc123", "quantity": 8, "metrics": {"orders": 3, "ratings": 3.5}}`},
		{name: "inc missing sets the value", doc: `{}`, update: `{"$inc": {"a.b": 5}}`, want: `{"a": {"b": 5}}`},
		{name: "inc int by float", doc: `{"a": 1}`, update: `{"$inc": {"a": 0.5}}`, want: `{"a": 1.5}`},
		{name: "inc by zero", doc: `{"a": 1}`, update: `{"$inc": {"a": 0}}`, want: `{"a": 1}`, unchanged: true},
		{name: "inc int64 overflow", doc: `{"a": 9223372036854775807}`, update: `{"$inc": {"a": 1}}`,
			code: CodeInvalidParam, msg: "integer overflow"},
		{name: "inc int64 underflow", doc: `{"a": -9223372036854775808}`, update: `{"$inc": {"a": -1}}`,
			code: CodeInvalidParam, msg: "integer overflow"},
		{name: "inc non-numeric field", doc: `{"a": "x"}`, update: `{"$inc": {"a": 1}}`,
			code: CodeInvalidParam, msg: "Cannot apply $inc to a value of non-numeric type"},
		{name: "inc non-numeric operand", doc: `{"a": 1}`, update: `{"$inc": {"a": "1"}}`,
			code: CodeInvalidOperator, msg: "needs a number"},
		{name: "mul", doc: `{"item": "Hats", "price": 10.99, "quantity": 25}`, update: `{"$mul": {"price": 1.25, "quantity": 2}}`,
			want: `{"item": "Hats", "price": 13.7375, "quantity": 50}`},
		{name: "mul missing sets zero", doc: `{"item": "Unknown"}`, update: `{"$mul": {"price": 100}}`,
			want: `{"item": "Unknown", "price": 0}`},
		{name: "mul int64 overflow", doc: `{"a": 4611686018427387904}`, update: `{"$mul": {"a": 2}}`,
			code: CodeInvalidParam, msg: "integer overflow"},
		{name: "mul min int64 by -1", doc: `{"a": -9223372036854775808}`, update: `{"$mul": {"a": -1}}`,
			code: CodeInvalidParam, msg: "integer overflow"},
		{name: "mul non-numeric field", doc: `{"a": [1]}`, update: `{"$mul": {"a": 2}}`,
			code: CodeInvalidParam, msg: "Cannot apply $mul to a value of non-numeric type"},
	})
}

// MongoDB manual, "$min" and "$max":
// https://www.mongodb.com/docs/manual/reference/operator/update/min/ and …/max/
func TestUpdateMinMax(t *testing.T) {
	scores := `{"_id": "1", "highScore": 800, "lowScore": 200}`
	runUpdateCases(t, nil, []updateCase{
		{name: "min lowers", doc: scores, update: `{"$min": {"lowScore": 150}}`, want: `{"_id": "1", "highScore": 800, "lowScore": 150}`},
		{name: "min keeps", doc: scores, update: `{"$min": {"lowScore": 250}}`, want: scores, unchanged: true},
		{name: "max raises", doc: scores, update: `{"$max": {"highScore": 950}}`, want: `{"_id": "1", "highScore": 950, "lowScore": 200}`},
		{name: "max keeps", doc: scores, update: `{"$max": {"highScore": 750}}`, want: scores, unchanged: true},
		{name: "dates", doc: `{"dateEntered": {"$date": "2023-10-01T05:00:00Z"}}`,
			update: `{"$min": {"dateEntered": {"$date": "2023-09-25T00:00:00Z"}}}`,
			want:   `{"dateEntered": {"$date": "2023-09-25T00:00:00.000Z"}}`},
		{name: "missing field is set", doc: `{}`, update: `{"$max": {"a": null}}`, want: `{"a": null}`},
		{name: "cross-type bracket order", doc: `{"a": "x", "b": "x"}`, update: `{"$min": {"a": 5}, "$max": {"b": 5}}`,
			want: `{"a": 5, "b": "x"}`},
	})
}

// MongoDB manual, "$rename": https://www.mongodb.com/docs/manual/reference/operator/update/rename/
func TestUpdateRename(t *testing.T) {
	runUpdateCases(t, nil, []updateCase{
		{name: "field", doc: `{"alias": ["The American Cincinnatus"], "mobile": "555", "nmae": {"first": "george", "last": "washington"}}`,
			update: `{"$rename": {"nmae": "name"}}`,
			want:   `{"alias": ["The American Cincinnatus"], "mobile": "555", "name": {"first": "george", "last": "washington"}}`},
		{name: "embedded field", doc: `{"name": {"first": "george", "last": "washington"}}`,
			update: `{"$rename": {"name.first": "name.fname"}}`, want: `{"name": {"last": "washington", "fname": "george"}}`},
		{name: "out of an embedded document", doc: `{"a": {"b": 1}, "c": 2}`, update: `{"$rename": {"a.b": "d.e"}}`,
			want: `{"a": {}, "c": 2, "d": {"e": 1}}`},
		{name: "replaces the destination", doc: `{"a": 1, "b": 2}`, update: `{"$rename": {"a": "b"}}`, want: `{"b": 1}`},
		{name: "missing field", doc: `{"a": 1}`, update: `{"$rename": {"wife": "spouse"}}`, want: `{"a": 1}`, unchanged: true},
		{name: "source in an array", doc: `{"a": [{"b": 1}]}`, update: `{"$rename": {"a.0.b": "c"}}`,
			code: CodeInvalidParam, msg: "source field 'a' cannot be an array element"},
		{name: "destination in an array", doc: `{"a": 1, "b": [{}]}`, update: `{"$rename": {"a": "b.0.c"}}`,
			code: CodeInvalidParam, msg: "destination field 'b' cannot be an array element"},
		{name: "to itself", doc: `{"a": 1}`, update: `{"$rename": {"a": "a"}}`, code: CodeInvalidParam, msg: "must differ"},
		{name: "into itself", doc: `{"a": 1}`, update: `{"$rename": {"a": "a.b"}}`, code: CodeInvalidParam, msg: "conflict"},
		{name: "to _id", doc: `{"a": 1}`, update: `{"$rename": {"a": "_id"}}`, code: CodeInvalidParam, msg: "cannot modify _id"},
		{name: "from _id", doc: `{"_id": "x"}`, update: `{"$rename": {"_id": "a"}}`, code: CodeInvalidParam, msg: "cannot modify _id"},
		{name: "non-string destination", doc: `{"a": 1}`, update: `{"$rename": {"a": 1}}`, code: CodeInvalidOperator, msg: "string destination"},
	})
}

// Shapes of the update document itself.
func TestParseUpdateErrors(t *testing.T) {
	cases := []struct{ name, update, code, msg string }{
		{"empty", `{}`, CodeInvalidParam, "non-empty"},
		{"not a document", `[1]`, CodeInvalidParam, "non-empty"},
		{"plain field", `{"a": 1}`, CodeInvalidParam, "update must contain only update operators such as $set"},
		{"plain field after an operator", `{"$set": {"a": 1}, "b": 2}`, CodeInvalidParam, "only update operators"},
		{"unknown operator", `{"$foo": {"a": 1}}`, CodeInvalidOperator, "unknown update operator: $foo"},
		{"unknown operator, empty operand", `{"$000": {}}`, CodeInvalidOperator, "unknown update operator: $000"},
		{"operator value not a document", `{"$set": 5}`, CodeInvalidOperator, "$set must be a document"},
		{"same path twice", `{"$set": {"a": 1}, "$inc": {"a": 1}}`, CodeInvalidParam, "Updating the path 'a' would create a conflict at 'a'"},
		{"prefix", `{"$set": {"a.b": 1, "a": 2}}`, CodeInvalidParam, "Updating the path 'a' would create a conflict at 'a'"},
		{"prefix across operators", `{"$set": {"a": 1}, "$unset": {"a.b.c": ""}}`, CodeInvalidParam,
			"Updating the path 'a.b.c' would create a conflict at 'a'"},
		{"rename destination", `{"$rename": {"x": "a.b"}, "$set": {"a": 1}}`, CodeInvalidParam, "would create a conflict at 'a'"},
		{"empty path segment", `{"$set": {"a..b": 1}}`, CodeInvalidParam, "empty field name"},
		{"empty path", `{"$set": {"": 1}}`, CodeInvalidParam, "empty field name"},
		{"inc _id", `{"$inc": {"_id": 1}}`, CodeInvalidParam, "cannot modify _id"},
		{"set _id sub-field", `{"$set": {"_id.a": 1}}`, CodeInvalidParam, "cannot modify _id"},
		{"positional first", `{"$set": {"$.a": 1}}`, CodeInvalidParam, "must follow an array field"},
		{"two positionals", `{"$set": {"a.$.b.$": 1}}`, CodeInvalidParam, "too many positional"},
		{"all positional", `{"$set": {"a.$[].b": 1}}`, CodeInvalidOperator, "not supported"},
		{"pullAll not an array", `{"$pullAll": {"a": 1}}`, CodeInvalidOperator, "needs an array"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			u, err := ParseUpdate(decode(t, tc.update))
			if err == nil {
				t.Fatalf("got %+v, want error", u)
			}
			if ErrorCode(err) != tc.code || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("got error %s %q, want %s containing %q", ErrorCode(err), err, tc.code, tc.msg)
			}
		})
	}
}

// MongoDB manual, "Positional $ Operator": without a query match the
// positional operator fails.
func TestUpdatePositionalWithoutFilter(t *testing.T) {
	runUpdateCases(t, nil, []updateCase{
		{name: "nil filter", doc: `{"grades": [80, 85]}`, update: `{"$set": {"grades.$": 82}}`,
			code: CodeInvalidParam, msg: "The positional operator did not find the match needed from the query"},
	})
}

// MongoDB manual, "Upsert with Operator Expressions": the new document is
// built from the equality conditions of the query, then the update applies.
func TestUpsertDoc(t *testing.T) {
	f := &Filter{root: &Node{Op: OpAnd, Children: []*Node{
		{Op: OpEq, Path: "name", Value: "Andy"},
		{Op: OpEq, Path: "info.rating", Value: int64(1)},
		{Op: OpGt, Path: "score", Value: int64(3)},
		{Op: OpEq, Path: "code", Value: Regex{Pattern: "^a"}},
	}}}
	cases := []struct {
		name   string
		f      *Filter
		update string
		want   string
	}{
		{"equalities then update", f, `{"$set": {"info.since": 2020}, "$inc": {"visits": 1}}`,
			`{"_id": "new", "name": "Andy", "info": {"rating": 1, "since": 2020}, "visits": 1}`},
		{"filter pins _id", &Filter{root: &Node{Op: OpEq, Path: "_id", Value: "pinned"}}, `{"$set": {"a": 1}}`,
			`{"_id": "pinned", "a": 1}`},
		{"update sets _id", nil, `{"$set": {"_id": "mine", "a": 1}}`, `{"_id": "mine", "a": 1}`},
		{"nil filter", nil, `{"$push": {"tags": "x"}}`, `{"_id": "new", "tags": ["x"]}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			u, err := ParseUpdate(decode(t, tc.update))
			if err != nil {
				t.Fatal(err)
			}
			got, err := UpsertDoc(tc.f, u, "new", testNow)
			if err != nil {
				t.Fatal(err)
			}
			if g, w := string(MarshalJSON(got)), canon(t, tc.want); g != w {
				t.Errorf("got  %s\nwant %s", g, w)
			}
		})
	}
}
