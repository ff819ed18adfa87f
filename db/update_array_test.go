package db

import "testing"

// MongoDB manual, "$push": https://www.mongodb.com/docs/manual/reference/operator/update/push/
// with "$each", "$position", "$sort" and "$slice" (…/update/each/, position/, sort/, slice/).
func TestUpdatePush(t *testing.T) {
	quizzes := `{"quizzes": [{"wk": 1, "score": 10}, {"wk": 2, "score": 8}, {"wk": 3, "score": 5}, {"wk": 4, "score": 6}]}`
	runUpdateCases(t, nil, []updateCase{
		{name: "value", doc: `{"scores": [44, 78, 38, 80]}`, update: `{"$push": {"scores": 89}}`,
			want: `{"scores": [44, 78, 38, 80, 89]}`},
		{name: "array value is one element", doc: `{"a": [1]}`, update: `{"$push": {"a": [2, 3]}}`, want: `{"a": [1, [2, 3]]}`},
		{name: "each", doc: `{"scores": [44]}`, update: `{"$push": {"scores": {"$each": [90, 92, 85]}}}`,
			want: `{"scores": [44, 90, 92, 85]}`},
		{name: "missing field", doc: `{}`, update: `{"$push": {"a.b": 1}}`, want: `{"a": {"b": [1]}}`},
		{name: "position 0", doc: `{"scores": [100]}`, update: `{"$push": {"scores": {"$each": [50, 60, 70], "$position": 0}}}`,
			want: `{"scores": [50, 60, 70, 100]}`},
		{name: "position in the middle", doc: `{"scores": [50, 60, 70, 100]}`,
			update: `{"$push": {"scores": {"$each": [20, 30], "$position": 2}}}`, want: `{"scores": [50, 60, 20, 30, 70, 100]}`},
		{name: "negative position", doc: `{"scores": [50, 60, 20, 30, 70, 100]}`,
			update: `{"$push": {"scores": {"$each": [90, 80], "$position": -2}}}`,
			want:   `{"scores": [50, 60, 20, 30, 90, 80, 70, 100]}`},
		{name: "position past either end", doc: `{"a": [1, 2]}`,
			update: `{"$push": {"a": {"$each": [3], "$position": 9}}, "$set": {"b": 0}}`, want: `{"a": [1, 2, 3], "b": 0}`},
		{name: "negative position past the start", doc: `{"a": [1, 2]}`, update: `{"$push": {"a": {"$each": [0], "$position": -9}}}`,
			want: `{"a": [0, 1, 2]}`},
		{name: "sort documents by field, slice", doc: quizzes,
			update: `{"$push": {"quizzes": {"$each": [{"wk": 5, "score": 8}, {"wk": 6, "score": 7}, {"wk": 7, "score": 6}], "$sort": {"score": -1}, "$slice": 3}}}`,
			want:   `{"quizzes": [{"wk": 1, "score": 10}, {"wk": 2, "score": 8}, {"wk": 5, "score": 8}]}`},
		{name: "sort values", doc: `{"tests": [89, 70, 89, 50]}`, update: `{"$push": {"tests": {"$each": [40, 60], "$sort": 1}}}`,
			want: `{"tests": [40, 50, 60, 70, 89, 89]}`},
		{name: "sort only", doc: `{"tests": [89, 70, 100, 20]}`, update: `{"$push": {"tests": {"$each": [], "$sort": -1}}}`,
			want: `{"tests": [100, 89, 70, 20]}`},
		{name: "sort mixed types", doc: `{"a": ["x", 2, null, {"k": 1}, 1]}`, update: `{"$push": {"a": {"$each": [], "$sort": 1}}}`,
			want: `{"a": [null, 1, 2, "x", {"k": 1}]}`},
		{name: "sort by embedded field", doc: `{"a": [{"b": {"c": 2}}, 3, {"b": {"c": 1}}]}`,
			update: `{"$push": {"a": {"$each": [], "$sort": {"b.c": 1}}}}`, want: `{"a": [3, {"b": {"c": 1}}, {"b": {"c": 2}}]}`},
		{name: "slice last", doc: `{"scores": [-1, 3]}`, update: `{"$push": {"scores": {"$each": [80, 78, 86], "$slice": -5}}}`,
			want: `{"scores": [-1, 3, 80, 78, 86]}`},
		{name: "slice first", doc: `{"scores": [89, 90]}`, update: `{"$push": {"scores": {"$each": [100, 20], "$slice": 3}}}`,
			want: `{"scores": [89, 90, 100]}`},
		{name: "slice negative shorter", doc: `{"a": [1, 2, 3]}`, update: `{"$push": {"a": {"$each": [4], "$slice": -2}}}`,
			want: `{"a": [3, 4]}`},
		{name: "slice zero", doc: `{"a": [1, 2]}`, update: `{"$push": {"a": {"$each": [3], "$slice": 0}}}`, want: `{"a": []}`},
		{name: "server date element", doc: `{"a": []}`, update: `{"$push": {"a": {"$each": [{"$serverDate": {}}]}}}`,
			want: `{"a": [{"$date": "2024-05-01T08:00:00.000Z"}]}`},
		{name: "non-array field", doc: `{"a": 1}`, update: `{"$push": {"a": 2}}`,
			code: CodeInvalidParam, msg: "the field 'a' must be an array but is of type number"},
		{name: "position without each", doc: `{"a": []}`, update: `{"$push": {"a": {"$position": 0}}}`,
			code: CodeInvalidOperator, msg: "$position requires $each"},
		{name: "slice not an integer", doc: `{"a": []}`, update: `{"$push": {"a": {"$each": [1], "$slice": 1.5}}}`,
			code: CodeInvalidOperator, msg: "$slice must be an integer"},
		{name: "each not an array", doc: `{"a": []}`, update: `{"$push": {"a": {"$each": 1}}}`,
			code: CodeInvalidOperator, msg: "$each must be an array"},
		{name: "sort 2", doc: `{"a": []}`, update: `{"$push": {"a": {"$each": [], "$sort": 2}}}`,
			code: CodeInvalidOperator, msg: "$sort must be 1, -1"},
		{name: "sort empty document", doc: `{"a": []}`, update: `{"$push": {"a": {"$each": [], "$sort": {}}}}`,
			code: CodeInvalidOperator, msg: "$sort must be"},
		{name: "sort by string direction", doc: `{"a": []}`, update: `{"$push": {"a": {"$each": [], "$sort": {"b": "asc"}}}}`,
			code: CodeInvalidOperator, msg: "$sort must be"},
		{name: "unknown clause", doc: `{"a": []}`, update: `{"$push": {"a": {"$each": [], "$foo": 1}}}`,
			code: CodeInvalidOperator, msg: "unrecognized clause $foo"},
	})
}

// MongoDB manual, "$addToSet": https://www.mongodb.com/docs/manual/reference/operator/update/addToSet/
func TestUpdateAddToSet(t *testing.T) {
	filter := `{"item": "polarizing_filter", "tags": ["electronics", "camera"]}`
	runUpdateCases(t, nil, []updateCase{
		{name: "array value is one element", doc: `{"letters": ["a", "b"]}`, update: `{"$addToSet": {"letters": ["c", "d"]}}`,
			want: `{"letters": ["a", "b", ["c", "d"]]}`},
		{name: "new value", doc: filter, update: `{"$addToSet": {"tags": "accessories"}}`,
			want: `{"item": "polarizing_filter", "tags": ["electronics", "camera", "accessories"]}`},
		{name: "existing value", doc: filter, update: `{"$addToSet": {"tags": "camera"}}`, want: filter, unchanged: true},
		{name: "each", doc: `{"tags": ["electronics", "supplies"]}`,
			update: `{"$addToSet": {"tags": {"$each": ["camera", "electronics", "accessories", "camera"]}}}`,
			want:   `{"tags": ["electronics", "supplies", "camera", "accessories"]}`},
		{name: "each without dollar (CloudBase SDK)", doc: `{"tags": ["a"]}`, update: `{"$addToSet": {"tags": {"each": ["a", "b"]}}}`,
			want: `{"tags": ["a", "b"]}`},
		{name: "numbers by value", doc: `{"a": [1]}`, update: `{"$addToSet": {"a": 1.0}}`, want: `{"a": [1]}`, unchanged: true},
		{name: "documents by fields in order", doc: `{"a": [{"x": 1, "y": 2}]}`, update: `{"$addToSet": {"a": {"y": 2, "x": 1}}}`,
			want: `{"a": [{"x": 1, "y": 2}, {"y": 2, "x": 1}]}`},
		{name: "missing field", doc: `{}`, update: `{"$addToSet": {"a": {"$each": [1, 1, 2]}}}`, want: `{"a": [1, 2]}`},
		{name: "non-array field", doc: `{"a": "x"}`, update: `{"$addToSet": {"a": "y"}}`,
			code: CodeInvalidParam, msg: "must be an array"},
		{name: "each not an array", doc: `{"a": []}`, update: `{"$addToSet": {"a": {"$each": 1}}}`,
			code: CodeInvalidOperator, msg: "$each must be an array"},
		{name: "each with other fields", doc: `{"a": []}`, update: `{"$addToSet": {"a": {"$each": [1], "$slice": 1}}}`,
			code: CodeInvalidOperator, msg: "$each must be the only field"},
	})
}

// MongoDB manual, "$pop": https://www.mongodb.com/docs/manual/reference/operator/update/pop/
func TestUpdatePop(t *testing.T) {
	runUpdateCases(t, nil, []updateCase{
		{name: "first", doc: `{"scores": [8, 9, 10]}`, update: `{"$pop": {"scores": -1}}`, want: `{"scores": [9, 10]}`},
		{name: "last", doc: `{"scores": [9, 10]}`, update: `{"$pop": {"scores": 1}}`, want: `{"scores": [9]}`},
		{name: "to empty", doc: `{"a": [1]}`, update: `{"$pop": {"a": 1}}`, want: `{"a": []}`},
		{name: "empty", doc: `{"a": []}`, update: `{"$pop": {"a": 1}}`, want: `{"a": []}`, unchanged: true},
		{name: "missing", doc: `{}`, update: `{"$pop": {"a": -1}}`, want: `{}`, unchanged: true},
		{name: "non-array", doc: `{"a": {}}`, update: `{"$pop": {"a": 1}}`, code: CodeInvalidParam, msg: "must be an array"},
		{name: "bad direction", doc: `{"a": [1]}`, update: `{"$pop": {"a": 2}}`, code: CodeInvalidOperator, msg: "expects 1 or -1"},
	})
}

// MongoDB manual, "$pull" (equality) and "$pullAll":
// https://www.mongodb.com/docs/manual/reference/operator/update/pull/ and …/pullAll/
func TestUpdatePullValues(t *testing.T) {
	runUpdateCases(t, nil, []updateCase{
		{name: "pullAll", doc: `{"scores": [0, 2, 5, 5, 1, 0]}`, update: `{"$pullAll": {"scores": [0, 5]}}`, want: `{"scores": [2, 1]}`},
		{name: "pullAll documents", doc: `{"a": [{"x": 1}, {"x": 2}]}`, update: `{"$pullAll": {"a": [{"x": 1}]}}`,
			want: `{"a": [{"x": 2}]}`},
		{name: "pullAll missing", doc: `{}`, update: `{"$pullAll": {"a": [1]}}`, want: `{}`, unchanged: true},
		{name: "pullAll non-array", doc: `{"a": 1}`, update: `{"$pullAll": {"a": [1]}}`, code: CodeInvalidParam, msg: "must be an array"},
		{name: "pull value", doc: `{"a": [1, 2, 1.0, [1]]}`, update: `{"$pull": {"a": 1}}`, want: `{"a": [2, [1]]}`},
		{name: "pull array value exactly", doc: `{"a": [[1, 2], [2, 1], 1]}`, update: `{"$pull": {"a": [1, 2]}}`,
			want: `{"a": [[2, 1], 1]}`},
		{name: "pull nothing", doc: `{"a": [1]}`, update: `{"$pull": {"a": 5}}`, want: `{"a": [1]}`, unchanged: true},
		{name: "pull missing", doc: `{}`, update: `{"$pull": {"a": 5}}`, want: `{}`, unchanged: true},
		{name: "pull non-array", doc: `{"a": "x"}`, update: `{"$pull": {"a": "x"}}`, code: CodeInvalidParam, msg: "must be an array"},
	})
}
