package db

import "testing"

// The tests in this file need ParseFilter, Match and Filter.ArrayIndex
// (filter.go, implemented on another branch).

func mustFilter(t *testing.T, q string) *Filter {
	t.Helper()
	f, err := ParseFilter(decode(t, q))
	if err != nil {
		t.Fatalf("ParseFilter(%s): %v", q, err)
	}
	return f
}

// MongoDB manual, "$ (update)":
// https://www.mongodb.com/docs/manual/reference/operator/update/positional/
func TestUpdatePositional(t *testing.T) {
	runUpdateCases(t, mustFilter(t, `{"_id": "1", "grades": 80}`), []updateCase{
		{name: "array value", doc: `{"_id": "1", "grades": [85, 80, 80]}`, update: `{"$set": {"grades.$": 82}}`,
			want: `{"_id": "1", "grades": [85, 82, 80]}`},
		{name: "no match", doc: `{"_id": "1", "grades": [85]}`, update: `{"$set": {"grades.$": 82}}`,
			code: CodeInvalidParam, msg: "The positional operator did not find the match needed from the query"},
	})
	runUpdateCases(t, mustFilter(t, `{"grades.grade": 85}`), []updateCase{
		{name: "field of an element document",
			doc:    `{"_id": "4", "grades": [{"grade": 80, "mean": 75, "std": 8}, {"grade": 85, "mean": 90, "std": 5}, {"grade": 85, "mean": 85, "std": 8}]}`,
			update: `{"$set": {"grades.$.std": 6}}`,
			want:   `{"_id": "4", "grades": [{"grade": 80, "mean": 75, "std": 8}, {"grade": 85, "mean": 90, "std": 6}, {"grade": 85, "mean": 85, "std": 8}]}`},
		{name: "inc through the positional", doc: `{"grades": [{"grade": 85, "n": 1}]}`, update: `{"$inc": {"grades.$.n": 2}}`,
			want: `{"grades": [{"grade": 85, "n": 3}]}`},
	})
}

// MongoDB manual, "$pull": https://www.mongodb.com/docs/manual/reference/operator/update/pull/
func TestUpdatePullConditions(t *testing.T) {
	runUpdateCases(t, nil, []updateCase{
		{name: "in and value",
			doc:    `{"fruits": ["apples", "pears", "oranges", "grapes", "bananas"], "vegetables": ["carrots", "celery", "squash", "carrots"]}`,
			update: `{"$pull": {"fruits": {"$in": ["apples", "oranges"]}, "vegetables": "carrots"}}`,
			want:   `{"fruits": ["pears", "grapes", "bananas"], "vegetables": ["celery", "squash"]}`},
		{name: "condition", doc: `{"votes": [3, 5, 6, 7, 7, 8]}`, update: `{"$pull": {"votes": {"$gte": 6}}}`,
			want: `{"votes": [3, 5]}`},
		{name: "document condition", doc: `{"results": [{"item": "A", "score": 5}, {"item": "B", "score": 8, "c": 1}, {"item": "C", "score": 8}]}`,
			update: `{"$pull": {"results": {"score": 8, "item": "B"}}}`,
			want:   `{"results": [{"item": "A", "score": 5}, {"item": "C", "score": 8}]}`},
		{name: "document condition with operators", doc: `{"a": [{"x": 1}, {"x": 5}, 5]}`, update: `{"$pull": {"a": {"x": {"$gt": 2}}}}`,
			want: `{"a": [{"x": 1}, 5]}`},
		{name: "regex", doc: `{"a": ["apple", "pear", "avocado"]}`, update: `{"$pull": {"a": {"$regex": "^a"}}}`,
			want: `{"a": ["pear"]}`},
		{name: "bad condition", doc: `{"a": [1]}`, update: `{"$pull": {"a": {"$foo": 1}}}`,
			code: CodeInvalidOperator, msg: "$foo"},
	})
}

// MongoDB manual, "$elemMatch (projection)":
// https://www.mongodb.com/docs/manual/reference/operator/projection/elemMatch/
func TestProjectionElemMatch(t *testing.T) {
	school := `{"_id": "1", "zipcode": "63109", "students": [{"name": "john", "school": 102, "age": 10},
		{"name": "jess", "school": 102, "age": 11}, {"name": "jeff", "school": 108, "age": 15}]}`
	runProjectionCases(t, []struct{ name, doc, proj, want string }{
		{"first match only", school, `{"students": {"$elemMatch": {"school": 102}}}`,
			`{"_id": "1", "students": [{"name": "john", "school": 102, "age": 10}]}`},
		{"with other fields", school, `{"zipcode": 1, "students": {"$elemMatch": {"school": 102, "age": {"$gt": 10}}}}`,
			`{"_id": "1", "zipcode": "63109", "students": [{"name": "jess", "school": 102, "age": 11}]}`},
		{"no match omits the field", school, `{"students": {"$elemMatch": {"school": 999}}}`, `{"_id": "1"}`},
	})
}

// MongoDB manual, "db.collection.updateOne()" → "Upsert": the inserted
// document takes the query's equality conditions.
func TestUpsertDocFromFilter(t *testing.T) {
	f := mustFilter(t, `{"name": "Andy", "info.rating": 1, "score": {"$gt": 3}, "$and": [{"team": "x"}]}`)
	u, err := ParseUpdate(decode(t, `{"$inc": {"visits": 1}}`))
	if err != nil {
		t.Fatal(err)
	}
	got, err := UpsertDoc(f, u, "new", testNow)
	if err != nil {
		t.Fatal(err)
	}
	if g, w := string(MarshalJSON(got)), canon(t, `{"_id": "new", "name": "Andy", "info": {"rating": 1}, "team": "x", "visits": 1}`); g != w {
		t.Errorf("got  %s\nwant %s", g, w)
	}
}
