package dbtest

// aggGroups are the aggregation cases. Each group names the MongoDB manual
// page its documents and expectations come from (the manual's integer
// _ids are strings here, as minibase's _ids are). Expression operators are
// in aggregate_expr.go.
var aggGroups = append(stageGroups, exprGroups...)

var stageGroups = []aggGroup{
	{
		// Manual: "$match (aggregation)", the articles examples; "$count",
		// "$skip", "$limit", "$sort".
		name: "match",
		docs: []string{
			`{"_id": "1", "author": "dave", "score": 80, "views": 100}`,
			`{"_id": "2", "author": "dave", "score": 85, "views": 521}`,
			`{"_id": "3", "author": "ahn", "score": 60, "views": 1000}`,
			`{"_id": "4", "author": "li", "score": 55, "views": 5000}`,
			`{"_id": "5", "author": "annT", "score": 60, "views": 50}`,
			`{"_id": "6", "author": "li", "score": 94, "views": 999}`,
			`{"_id": "7", "author": "ty", "score": 95, "views": 1000}`,
		},
		indexes: []string{"author", "score", "views"},
		cases: []aggCase{
			{name: "equality", pipeline: `[{"$match": {"author": "dave"}}]`,
				want: `[{"_id": "1", "author": "dave", "score": 80, "views": 100}, {"_id": "2", "author": "dave", "score": 85, "views": 521}]`},
			{name: "count matches", pipeline: `[{"$match": {"$or": [{"score": {"$gt": 70, "$lt": 90}}, {"views": {"$gte": 1000}}]}}, {"$group": {"_id": null, "count": {"$sum": 1}}}]`,
				want: `[{"_id": null, "count": 5}]`},
			{name: "empty pipeline", pipeline: `[]`, want: `[{"_id": "1", "author": "dave", "score": 80, "views": 100}, {"_id": "2", "author": "dave", "score": 85, "views": 521},
				{"_id": "3", "author": "ahn", "score": 60, "views": 1000}, {"_id": "4", "author": "li", "score": 55, "views": 5000}, {"_id": "5", "author": "annT", "score": 60, "views": 50},
				{"_id": "6", "author": "li", "score": 94, "views": 999}, {"_id": "7", "author": "ty", "score": 95, "views": 1000}]`, unordered: true},
			{name: "$count", pipeline: `[{"$match": {"score": {"$gt": 80}}}, {"$count": "high_scores"}]`, want: `[{"high_scores": 3}]`},
			{name: "$count of nothing outputs nothing", pipeline: `[{"$match": {"score": {"$gt": 100}}}, {"$count": "n"}]`, want: `[]`},
			{name: "sort skip limit", pipeline: `[{"$sort": {"score": -1}}, {"$skip": 1}, {"$limit": 2}, {"$project": {"_id": 1}}]`, want: `[{"_id": "6"}, {"_id": "2"}]`},
			{name: "limit before skip", pipeline: `[{"$sort": {"views": 1}}, {"$limit": 3}, {"$skip": 1}, {"$project": {"_id": 1}}]`, want: `[{"_id": "1"}, {"_id": "2"}]`},
			{name: "skip past the end", pipeline: `[{"$sort": {"views": 1}}, {"$limit": 3}, {"$skip": 5}]`, want: `[]`},
			{name: "sort ties by _id", pipeline: `[{"$match": {"score": 60}}, {"$sort": {"score": 1}}, {"$project": {"_id": 1}}]`, want: `[{"_id": "3"}, {"_id": "5"}]`},
			{name: "sort on two keys", pipeline: `[{"$sort": {"author": 1, "score": -1}}, {"$project": {"_id": 1}}]`,
				want: `[{"_id": "3"}, {"_id": "5"}, {"_id": "2"}, {"_id": "1"}, {"_id": "6"}, {"_id": "4"}, {"_id": "7"}]`},
			{name: "match after group", pipeline: `[{"$group": {"_id": "$author", "n": {"$sum": 1}}}, {"$match": {"n": {"$gt": 1}}}, {"$sort": {"_id": 1}}]`,
				want: `[{"_id": "dave", "n": 2}, {"_id": "li", "n": 2}]`},
			{name: "$expr in $match", pipeline: `[{"$match": {"$expr": {"$gt": ["$views", {"$multiply": ["$score", 10]}]}}}, {"$project": {"_id": 1}}]`,
				want: `[{"_id": "3"}, {"_id": "4"}, {"_id": "6"}, {"_id": "7"}]`},
			{name: "$expr beside a field condition", pipeline: `[{"$match": {"author": "li", "$expr": {"$lt": ["$score", 60]}}}, {"$project": {"_id": 1}}]`,
				want: `[{"_id": "4"}]`},
			{name: "$expr under $or", pipeline: `[{"$match": {"$or": [{"author": "ty"}, {"$expr": {"$eq": ["$score", 55]}}]}}, {"$project": {"_id": 1}}]`,
				want: `[{"_id": "4"}, {"_id": "7"}]`},
			{name: "$sample of more than there are", pipeline: `[{"$match": {"author": "dave"}}, {"$sample": {"size": 10}}, {"$project": {"_id": 1}}]`,
				want: `[{"_id": "1"}, {"_id": "2"}]`, unordered: true},
			{name: "$sample size", pipeline: `[{"$sample": {"size": 3}}, {"$count": "n"}]`, want: `[{"n": 3}]`},
			{name: "$sample of none", pipeline: `[{"$sample": {"size": 0}}]`, want: `[]`},
			{name: "$limit 0 refused", pipeline: `[{"$limit": 0}]`, err: "INVALID_PARAM"},
			{name: "$skip negative refused", pipeline: `[{"$skip": -1}]`, err: "INVALID_PARAM"},
			{name: "unknown stage", pipeline: `[{"$frobnicate": {}}]`, err: "DATABASE_INVALID_OPERRATOR"},
			{name: "stage with two keys", pipeline: `[{"$match": {}, "$limit": 1}]`, err: "INVALID_PARAM"},
			{name: "$out refused", pipeline: `[{"$out": "elsewhere"}]`, err: "DATABASE_INVALID_OPERRATOR"},
		},
	},
	{
		// Manual: "$group (aggregation)", the sales examples.
		name: "group",
		docs: []string{
			`{"_id": "1", "item": "abc", "price": 10, "quantity": 2, "date": {"$date": "2014-03-01T08:00:00Z"}}`,
			`{"_id": "2", "item": "jkl", "price": 20, "quantity": 1, "date": {"$date": "2014-03-01T09:00:00Z"}}`,
			`{"_id": "3", "item": "xyz", "price": 5, "quantity": 10, "date": {"$date": "2014-03-15T09:00:00Z"}}`,
			`{"_id": "4", "item": "xyz", "price": 5, "quantity": 20, "date": {"$date": "2014-04-04T11:21:39.736Z"}}`,
			`{"_id": "5", "item": "abc", "price": 10, "quantity": 10, "date": {"$date": "2014-04-04T21:23:13.331Z"}}`,
			`{"_id": "6", "item": "def", "price": 7.5, "quantity": 5, "date": {"$date": "2015-06-04T05:08:13Z"}}`,
			`{"_id": "7", "item": "def", "price": 7.5, "quantity": 10, "date": {"$date": "2015-09-10T08:43:00Z"}}`,
			`{"_id": "8", "item": "abc", "price": 10, "quantity": 5, "date": {"$date": "2016-02-06T20:20:13Z"}}`,
		},
		indexes: []string{"date", "item"},
		cases: []aggCase{
			{name: "count", pipeline: `[{"$group": {"_id": null, "count": {"$count": {}}}}]`, want: `[{"_id": null, "count": 8}]`},
			{name: "distinct", pipeline: `[{"$group": {"_id": "$item"}}]`, want: `[{"_id": "abc"}, {"_id": "jkl"}, {"_id": "xyz"}, {"_id": "def"}]`, unordered: true},
			{name: "having", pipeline: `[{"$group": {"_id": "$item", "totalSaleAmount": {"$sum": {"$multiply": ["$price", "$quantity"]}}}}, {"$match": {"totalSaleAmount": {"$gte": 100}}}]`,
				want: `[{"_id": "abc", "totalSaleAmount": 170}, {"_id": "xyz", "totalSaleAmount": 150}, {"_id": "def", "totalSaleAmount": 112.5}]`, unordered: true},
			{name: "by day", pipeline: `[{"$match": {"date": {"$gte": {"$date": "2014-01-01T00:00:00Z"}, "$lt": {"$date": "2015-01-01T00:00:00Z"}}}},
				{"$group": {"_id": {"$dateToString": {"format": "%Y-%m-%d", "date": "$date"}}, "totalSaleAmount": {"$sum": {"$multiply": ["$price", "$quantity"]}}, "averageQuantity": {"$avg": "$quantity"}, "count": {"$sum": 1}}},
				{"$sort": {"totalSaleAmount": -1}}]`,
				want: `[{"_id": "2014-04-04", "totalSaleAmount": 200, "averageQuantity": 15, "count": 2},
					{"_id": "2014-03-15", "totalSaleAmount": 50, "averageQuantity": 10, "count": 1},
					{"_id": "2014-03-01", "totalSaleAmount": 40, "averageQuantity": 1.5, "count": 2}]`},
			{name: "by null", pipeline: `[{"$group": {"_id": null, "totalSaleAmount": {"$sum": {"$multiply": ["$price", "$quantity"]}}, "averageQuantity": {"$avg": "$quantity"}, "count": {"$sum": 1}}}]`,
				want: `[{"_id": null, "totalSaleAmount": 452.5, "averageQuantity": 7.875, "count": 8}]`},
			{name: "compound _id", pipeline: `[{"$match": {"item": "abc"}}, {"$group": {"_id": {"item": "$item", "year": {"$year": "$date"}}, "n": {"$sum": 1}}}, {"$sort": {"_id.year": 1}}]`,
				want: `[{"_id": {"item": "abc", "year": 2014}, "n": 2}, {"_id": {"item": "abc", "year": 2016}, "n": 1}]`},
			{name: "push and addToSet", pipeline: `[{"$sort": {"_id": 1}}, {"$group": {"_id": {"$year": "$date"}, "items": {"$push": "$item"}, "set": {"$addToSet": "$price"}}}, {"$sort": {"_id": 1}},
				{"$set": {"set": {"$sortArray": {"input": "$set", "sortBy": 1}}}}]`,
				want: `[{"_id": 2014, "items": ["abc", "jkl", "xyz", "xyz", "abc"], "set": [5, 10, 20]}, {"_id": 2015, "items": ["def", "def"], "set": [7.5]}, {"_id": 2016, "items": ["abc"], "set": [10]}]`},
			{name: "first and last after sort", pipeline: `[{"$sort": {"item": 1, "date": 1}}, {"$group": {"_id": "$item", "firstSale": {"$first": "$date"}, "lastQty": {"$last": "$quantity"}}}, {"$sort": {"_id": 1}}]`,
				want: `[{"_id": "abc", "firstSale": {"$date": "2014-03-01T08:00:00Z"}, "lastQty": 5}, {"_id": "def", "firstSale": {"$date": "2015-06-04T05:08:13Z"}, "lastQty": 10},
					{"_id": "jkl", "firstSale": {"$date": "2014-03-01T09:00:00Z"}, "lastQty": 1}, {"_id": "xyz", "firstSale": {"$date": "2014-03-15T09:00:00Z"}, "lastQty": 20}]`},
			{name: "min and max", pipeline: `[{"$group": {"_id": "$item", "minQty": {"$min": "$quantity"}, "maxQty": {"$max": "$quantity"}}}, {"$sort": {"_id": 1}}]`,
				want: `[{"_id": "abc", "minQty": 2, "maxQty": 10}, {"_id": "def", "minQty": 5, "maxQty": 10}, {"_id": "jkl", "minQty": 1, "maxQty": 1}, {"_id": "xyz", "minQty": 10, "maxQty": 20}]`},
			{name: "accumulators of a missing field", pipeline: `[{"$group": {"_id": null, "s": {"$sum": "$nope"}, "a": {"$avg": "$nope"}, "mx": {"$max": "$nope"}, "f": {"$first": "$nope"}, "p": {"$push": "$nope"}, "u": {"$addToSet": "$nope"}}}]`,
				want: `[{"_id": null, "s": 0, "a": null, "mx": null, "f": null, "p": [], "u": []}]`},
			{name: "group of nothing outputs nothing", pipeline: `[{"$match": {"item": "none"}}, {"$group": {"_id": null, "n": {"$sum": 1}}}]`, want: `[]`},
			{name: "group by a missing field is null", pipeline: `[{"$group": {"_id": "$nope", "n": {"$sum": 1}}}]`, want: `[{"_id": null, "n": 8}]`},
			{name: "1 and 1.0 group together", pipeline: `[{"$group": {"_id": {"$cond": [{"$eq": ["$item", "abc"]}, 1, 1.0]}, "n": {"$sum": 1}}}]`, want: `[{"_id": 1, "n": 8}]`},
			{name: "$group needs _id", pipeline: `[{"$group": {"n": {"$sum": 1}}}]`, err: "INVALID_PARAM"},
			{name: "unknown accumulator", pipeline: `[{"$group": {"_id": null, "n": {"$add": [1, 2]}}}]`, err: "DATABASE_INVALID_OPERRATOR"},
			{name: "dotted output field refused", pipeline: `[{"$group": {"_id": null, "a.b": {"$sum": 1}}}]`, err: "INVALID_PARAM"},
		},
	},
	{
		// Manual: "$stdDevPop", "$stdDevSamp", "$mergeObjects" (accumulator).
		name: "group statistics",
		docs: []string{
			`{"_id": "1", "name": "dave123", "quiz": 1, "score": 85}`,
			`{"_id": "2", "name": "dave2", "quiz": 1, "score": 90}`,
			`{"_id": "3", "name": "ahn", "quiz": 1, "score": 71}`,
			`{"_id": "4", "name": "li", "quiz": 2, "score": 96}`,
			`{"_id": "5", "name": "annT", "quiz": 2, "score": 77}`,
			`{"_id": "6", "name": "ty", "quiz": 2, "score": 82}`,
		},
		cases: []aggCase{
			{name: "$stdDevPop", pipeline: `[{"$group": {"_id": "$quiz", "stdDev": {"$stdDevPop": "$score"}}}, {"$sort": {"_id": 1}}]`,
				want: `[{"_id": 1, "stdDev": 8.04155872120988}, {"_id": 2, "stdDev": 8.04155872120988}]`},
			{name: "$stdDevSamp", pipeline: `[{"$group": {"_id": "$quiz", "s": {"$stdDevSamp": "$score"}}}, {"$sort": {"_id": 1}}]`,
				want: `[{"_id": 1, "s": 9.848857801796104}, {"_id": 2, "s": 9.848857801796104}]`},
			{name: "$stdDevSamp of one value is null", pipeline: `[{"$match": {"name": "li"}}, {"$group": {"_id": null, "s": {"$stdDevSamp": "$score"}, "p": {"$stdDevPop": "$score"}}}]`,
				want: `[{"_id": null, "s": null, "p": 0}]`},
			{name: "$mergeObjects accumulator", pipeline: `[{"$group": {"_id": "$quiz", "m": {"$mergeObjects": {"$arrayToObject": [[["$name", "$score"]]]}}}}, {"$sort": {"_id": 1}}]`,
				want: `[{"_id": 1, "m": {"dave123": 85, "dave2": 90, "ahn": 71}}, {"_id": 2, "m": {"li": 96, "annT": 77, "ty": 82}}]`},
			{name: "$sum of mixed numbers is a double", pipeline: `[{"$group": {"_id": null, "s": {"$sum": {"$divide": ["$score", 2]}}}}]`, want: `[{"_id": null, "s": 250.5}]`},
		},
	},
	{
		// Manual: "$unwind (aggregation)", the inventory examples.
		name: "unwind",
		docs: []string{
			`{"_id": "1", "item": "ABC", "price": 80, "sizes": ["S", "M", "L"]}`,
			`{"_id": "2", "item": "EFG", "price": 120, "sizes": []}`,
			`{"_id": "3", "item": "IJK", "price": 160, "sizes": "M"}`,
			`{"_id": "4", "item": "LMN", "price": 10}`,
			`{"_id": "5", "item": "XYZ", "price": 5.75, "sizes": null}`,
		},
		cases: []aggCase{
			{name: "path", pipeline: `[{"$unwind": "$sizes"}]`,
				want: `[{"_id": "1", "item": "ABC", "price": 80, "sizes": "S"}, {"_id": "1", "item": "ABC", "price": 80, "sizes": "M"},
					{"_id": "1", "item": "ABC", "price": 80, "sizes": "L"}, {"_id": "3", "item": "IJK", "price": 160, "sizes": "M"}]`},
			{name: "preserveNullAndEmptyArrays", pipeline: `[{"$unwind": {"path": "$sizes", "preserveNullAndEmptyArrays": true}}]`,
				want: `[{"_id": "1", "item": "ABC", "price": 80, "sizes": "S"}, {"_id": "1", "item": "ABC", "price": 80, "sizes": "M"},
					{"_id": "1", "item": "ABC", "price": 80, "sizes": "L"}, {"_id": "2", "item": "EFG", "price": 120},
					{"_id": "3", "item": "IJK", "price": 160, "sizes": "M"}, {"_id": "4", "item": "LMN", "price": 10},
					{"_id": "5", "item": "XYZ", "price": 5.75, "sizes": null}]`},
			{name: "includeArrayIndex", pipeline: `[{"$unwind": {"path": "$sizes", "includeArrayIndex": "arrayIndex"}}]`,
				want: `[{"_id": "1", "item": "ABC", "price": 80, "sizes": "S", "arrayIndex": 0}, {"_id": "1", "item": "ABC", "price": 80, "sizes": "M", "arrayIndex": 1},
					{"_id": "1", "item": "ABC", "price": 80, "sizes": "L", "arrayIndex": 2}, {"_id": "3", "item": "IJK", "price": 160, "sizes": "M", "arrayIndex": null}]`},
			{name: "group by unwound value", pipeline: `[{"$unwind": {"path": "$sizes", "preserveNullAndEmptyArrays": true}}, {"$group": {"_id": "$sizes", "averagePrice": {"$avg": "$price"}}}, {"$sort": {"averagePrice": -1, "_id": 1}}]`,
				want: `[{"_id": "M", "averagePrice": 120}, {"_id": "L", "averagePrice": 80}, {"_id": "S", "averagePrice": 80}, {"_id": null, "averagePrice": 45.25}]`},
			{name: "path must start with $", pipeline: `[{"$unwind": "sizes"}]`, err: "INVALID_PARAM"},
		},
	},
	{
		// Manual: "$unwind", embedded arrays (the sales example, cut down).
		name: "unwind nested",
		docs: []string{
			`{"_id": "1", "items": [{"name": "pens", "tags": ["writing", "office"]}, {"name": "bag", "tags": ["school"]}]}`,
			`{"_id": "2", "items": [{"name": "notebook", "tags": []}]}`,
			`{"_id": "3", "doc": {"list": [1, 2]}}`,
		},
		cases: []aggCase{
			{name: "unwind twice", pipeline: `[{"$unwind": "$items"}, {"$unwind": "$items.tags"}, {"$project": {"_id": 0, "tag": "$items.tags"}}]`,
				want: `[{"tag": "writing"}, {"tag": "office"}, {"tag": "school"}]`},
			{name: "embedded path", pipeline: `[{"$unwind": "$doc.list"}, {"$project": {"doc": 1}}]`,
				want: `[{"_id": "3", "doc": {"list": 1}}, {"_id": "3", "doc": {"list": 2}}]`},
		},
	},
	{
		// Manual: "$project (aggregation)", the books examples.
		name: "project",
		docs: []string{
			`{"_id": "1", "title": "abc123", "isbn": "0001122223334", "author": {"last": "zzz", "first": "aaa"}, "copies": 5, "lastModified": "2016-07-28"}`,
			`{"_id": "2", "title": "Baked Goods", "isbn": "9999999999999", "author": {"last": "xyz", "first": "abc", "middle": ""}, "copies": 2, "lastModified": "2017-07-21"}`,
			`{"_id": "3", "title": "Ice Cream Cakes", "isbn": "8888888888888", "author": {"last": "xyz", "first": "abc", "middle": "mmm"}, "copies": 5, "lastModified": "2017-07-22"}`,
		},
		cases: []aggCase{
			{name: "include", pipeline: `[{"$match": {"_id": "1"}}, {"$project": {"title": 1, "author": 1}}]`,
				want: `[{"_id": "1", "title": "abc123", "author": {"last": "zzz", "first": "aaa"}}]`},
			{name: "suppress _id", pipeline: `[{"$match": {"_id": "1"}}, {"$project": {"_id": 0, "title": 1, "author": 1}}]`,
				want: `[{"title": "abc123", "author": {"last": "zzz", "first": "aaa"}}]`},
			{name: "exclude", pipeline: `[{"$match": {"_id": "1"}}, {"$project": {"lastModified": 0}}]`,
				want: `[{"_id": "1", "title": "abc123", "isbn": "0001122223334", "author": {"last": "zzz", "first": "aaa"}, "copies": 5}]`},
			{name: "exclude embedded", pipeline: `[{"$match": {"_id": "1"}}, {"$project": {"author.first": 0, "lastModified": 0}}]`,
				want: `[{"_id": "1", "title": "abc123", "isbn": "0001122223334", "author": {"last": "zzz"}, "copies": 5}]`},
			{name: "exclude embedded, nested form", pipeline: `[{"$match": {"_id": "1"}}, {"$project": {"author": {"first": 0}, "lastModified": 0}}]`,
				want: `[{"_id": "1", "title": "abc123", "isbn": "0001122223334", "author": {"last": "zzz"}, "copies": 5}]`},
			{name: "$$REMOVE", pipeline: `[{"$project": {"title": 1, "author.first": 1, "author.last": 1, "author.middle": {"$cond": {"if": {"$eq": ["", "$author.middle"]}, "then": "$$REMOVE", "else": "$author.middle"}}}}]`,
				want: `[{"_id": "1", "title": "abc123", "author": {"last": "zzz", "first": "aaa"}}, {"_id": "2", "title": "Baked Goods", "author": {"last": "xyz", "first": "abc"}},
					{"_id": "3", "title": "Ice Cream Cakes", "author": {"last": "xyz", "first": "abc", "middle": "mmm"}}]`},
			{name: "include embedded", pipeline: `[{"$match": {"_id": "1"}}, {"$project": {"author.last": 1}}]`, want: `[{"_id": "1", "author": {"last": "zzz"}}]`},
			{name: "computed fields", pipeline: `[{"$match": {"_id": "1"}}, {"$project": {"title": 1, "isbn": {"prefix": {"$substr": ["$isbn", 0, 3]}, "group": {"$substr": ["$isbn", 3, 2]},
				"publisher": {"$substr": ["$isbn", 5, 4]}, "title": {"$substr": ["$isbn", 9, 3]}, "checkDigit": {"$substr": ["$isbn", 12, 1]}}, "lastName": "$author.last", "copiesSold": "$copies"}}]`,
				want: `[{"_id": "1", "title": "abc123", "isbn": {"prefix": "000", "group": "11", "publisher": "2222", "title": "333", "checkDigit": "4"}, "lastName": "zzz", "copiesSold": 5}]`},
			{name: "new array fields", pipeline: `[{"$match": {"_id": "1"}}, {"$project": {"myArray": ["$copies", "$nope", "x"]}}]`, want: `[{"_id": "1", "myArray": [5, null, "x"]}]`},
			{name: "literal values", pipeline: `[{"$match": {"_id": "1"}}, {"$project": {"_id": 0, "one": {"$literal": 1}, "word": "hello", "n": null}}]`, want: `[{"one": 1, "word": "hello", "n": null}]`},
			{name: "included fields keep the document's order", pipeline: `[{"$match": {"_id": "1"}}, {"$project": {"copies": 1, "title": 1}}]`, want: `[{"_id": "1", "title": "abc123", "copies": 5}]`},
			{name: "computed field replaces", pipeline: `[{"$match": {"_id": "1"}}, {"$project": {"title": {"$toUpper": "$title"}, "copies": 1}}]`, want: `[{"_id": "1", "copies": 5, "title": "ABC123"}]`},
			{name: "only _id", pipeline: `[{"$match": {"_id": "2"}}, {"$project": {"_id": 1}}]`, want: `[{"_id": "2"}]`},
			{name: "_id only excluded", pipeline: `[{"$match": {"_id": "2"}}, {"$project": {"_id": 0}}, {"$project": {"title": 1}}]`, want: `[{"title": "Baked Goods"}]`},
			{name: "mixing inclusion and exclusion refused", pipeline: `[{"$project": {"title": 1, "isbn": 0}}]`, err: "INVALID_PARAM"},
			{name: "expression in an exclusion refused", pipeline: `[{"$project": {"isbn": 0, "x": "$title"}}]`, err: "INVALID_PARAM"},
			{name: "empty $project refused", pipeline: `[{"$project": {}}]`, err: "INVALID_PARAM"},
			{name: "path collision refused", pipeline: `[{"$project": {"author": 1, "author.first": 1}}]`, err: "INVALID_PARAM"},
			{name: "$unset", pipeline: `[{"$match": {"_id": "1"}}, {"$unset": ["isbn", "author.first", "copies"]}]`,
				want: `[{"_id": "1", "title": "abc123", "author": {"last": "zzz"}, "lastModified": "2016-07-28"}]`},
			{name: "$unset one field", pipeline: `[{"$match": {"_id": "1"}}, {"$unset": "author"}, {"$project": {"author": 1}}]`, want: `[{"_id": "1"}]`},
		},
	},
	{
		// Manual: "$project", paths through arrays.
		name: "project arrays",
		docs: []string{
			`{"_id": "1", "a": [{"b": 1, "c": 2}, 5, {"c": 3}, [{"b": 4}]]}`,
		},
		cases: []aggCase{
			{name: "include through an array", pipeline: `[{"$project": {"a.b": 1}}]`, want: `[{"_id": "1", "a": [{"b": 1}, {}, [{"b": 4}]]}]`},
			{name: "exclude through an array", pipeline: `[{"$project": {"a.c": 0}}]`, want: `[{"_id": "1", "a": [{"b": 1}, 5, {}, [{"b": 4}]]}]`},
			{name: "compute through an array", pipeline: `[{"$project": {"a.x": "lit"}}]`, want: `[{"_id": "1", "a": [{"x": "lit"}, {"x": "lit"}, {"x": "lit"}, [{"x": "lit"}]]}]`},
			{name: "$addFields through an array", pipeline: `[{"$addFields": {"a.x": 0}}]`, want: `[{"_id": "1", "a": [{"b": 1, "c": 2, "x": 0}, {"x": 0}, {"c": 3, "x": 0}, [{"b": 4, "x": 0}]]}]`},
			{name: "field path through an array", pipeline: `[{"$project": {"_id": 0, "bs": "$a.b"}}]`, want: `[{"bs": [1, [4]]}]`},
		},
	},
	{
		// Manual: "$addFields (aggregation)" and "$set".
		name: "addFields",
		docs: []string{
			`{"_id": "1", "student": "Maya", "homework": [10, 5, 10], "quiz": [10, 8], "extraCredit": 0}`,
			`{"_id": "2", "student": "Ryan", "homework": [5, 6, 5], "quiz": [8, 8], "extraCredit": 8}`,
		},
		other: map[string][]string{
			"agg_vehicles": {
				`{"_id": "1", "type": "car", "specs": {"doors": 4, "wheels": 4}}`,
				`{"_id": "2", "type": "motorcycle", "specs": {"doors": 0, "wheels": 2}}`,
				`{"_id": "3", "type": "jet ski"}`,
			},
		},
		cases: []aggCase{
			{name: "two stages", pipeline: `[{"$addFields": {"totalHomework": {"$sum": "$homework"}, "totalQuiz": {"$sum": "$quiz"}}}, {"$addFields": {"totalScore": {"$add": ["$totalHomework", "$totalQuiz", "$extraCredit"]}}}]`,
				want: `[{"_id": "1", "student": "Maya", "homework": [10, 5, 10], "quiz": [10, 8], "extraCredit": 0, "totalHomework": 25, "totalQuiz": 18, "totalScore": 43},
					{"_id": "2", "student": "Ryan", "homework": [5, 6, 5], "quiz": [8, 8], "extraCredit": 8, "totalHomework": 16, "totalQuiz": 16, "totalScore": 40}]`},
			{name: "overwrite keeps the place", pipeline: `[{"$match": {"_id": "1"}}, {"$set": {"student": "M", "quiz": 1}}]`,
				want: `[{"_id": "1", "student": "M", "homework": [10, 5, 10], "quiz": 1, "extraCredit": 0}]`},
			{name: "add to an array", pipeline: `[{"$match": {"_id": "1"}}, {"$addFields": {"homework": {"$concatArrays": ["$homework", [7]]}}}]`,
				want: `[{"_id": "1", "student": "Maya", "homework": [10, 5, 10, 7], "quiz": [10, 8], "extraCredit": 0}]`},
			{name: "$$REMOVE removes", pipeline: `[{"$match": {"_id": "2"}}, {"$set": {"quiz": "$$REMOVE", "homework": "$$REMOVE"}}]`, want: `[{"_id": "2", "student": "Ryan", "extraCredit": 8}]`},
			{name: "embedded document", pipeline: `[{"$lookup": {"from": "agg_vehicles", "pipeline": [{"$addFields": {"specs.fuel_type": "unleaded"}}], "as": "v"}}, {"$limit": 1}, {"$project": {"_id": 0, "v": 1}}]`,
				want: `[{"v": [{"_id": "1", "type": "car", "specs": {"doors": 4, "wheels": 4, "fuel_type": "unleaded"}}, {"_id": "2", "type": "motorcycle", "specs": {"doors": 0, "wheels": 2, "fuel_type": "unleaded"}},
					{"_id": "3", "type": "jet ski", "specs": {"fuel_type": "unleaded"}}]}]`},
			{name: "nested form merges", pipeline: `[{"$lookup": {"from": "agg_vehicles", "pipeline": [{"$match": {"_id": "1"}}, {"$set": {"specs": {"fuel_type": "diesel"}}}], "as": "v"}}, {"$limit": 1}, {"$project": {"_id": 0, "v": 1}}]`,
				want: `[{"v": [{"_id": "1", "type": "car", "specs": {"doors": 4, "wheels": 4, "fuel_type": "diesel"}}]}]`},
			{name: "empty object is a value", pipeline: `[{"$match": {"_id": "1"}}, {"$addFields": {"e": {}}}, {"$project": {"e": 1}}]`, want: `[{"_id": "1", "e": {}}]`},
		},
	},
	{
		// Manual: "$lookup (aggregation)": equality match, array local
		// field, let/pipeline with $expr.
		name: "lookup",
		docs: []string{
			`{"_id": "1", "item": "almonds", "price": 12, "quantity": 2}`,
			`{"_id": "2", "item": "pecans", "price": 20, "quantity": 1}`,
			`{"_id": "3"}`,
		},
		other: map[string][]string{
			"agg_inventory": {
				`{"_id": "1", "sku": "almonds", "description": "product 1", "instock": 120}`,
				`{"_id": "2", "sku": "bread", "description": "product 2", "instock": 80}`,
				`{"_id": "3", "sku": "cashews", "description": "product 3", "instock": 60}`,
				`{"_id": "4", "sku": "pecans", "description": "product 4", "instock": 70}`,
				`{"_id": "5", "sku": null, "description": "Incomplete"}`,
				`{"_id": "6"}`,
			},
			"agg_warehouses": {
				`{"_id": "1", "stock_item": "almonds", "warehouse": "A", "instock": 120}`,
				`{"_id": "2", "stock_item": "pecans", "warehouse": "A", "instock": 80}`,
				`{"_id": "3", "stock_item": "almonds", "warehouse": "B", "instock": 60}`,
				`{"_id": "4", "stock_item": "cookies", "warehouse": "B", "instock": 40}`,
				`{"_id": "5", "stock_item": "cookies", "warehouse": "A", "instock": 80}`,
			},
			"agg_members": {
				`{"_id": "1", "name": "artie", "status": "A"}`,
				`{"_id": "2", "name": "giraffe", "status": "D"}`,
				`{"_id": "3", "name": "giraffe1", "status": "A"}`,
				`{"_id": "4", "name": "panda", "status": "A"}`,
				`{"_id": "5", "name": "pandabear", "status": "A"}`,
				`{"_id": "6", "name": "giraffe2", "status": "D"}`,
			},
		},
		cases: []aggCase{
			{name: "equality match", pipeline: `[{"$lookup": {"from": "agg_inventory", "localField": "item", "foreignField": "sku", "as": "inventory_docs"}}]`,
				want: `[{"_id": "1", "item": "almonds", "price": 12, "quantity": 2, "inventory_docs": [{"_id": "1", "sku": "almonds", "description": "product 1", "instock": 120}]},
					{"_id": "2", "item": "pecans", "price": 20, "quantity": 1, "inventory_docs": [{"_id": "4", "sku": "pecans", "description": "product 4", "instock": 70}]},
					{"_id": "3", "inventory_docs": [{"_id": "5", "sku": null, "description": "Incomplete"}, {"_id": "6"}]}]`},
			{name: "array local field", pipeline: `[{"$project": {"_id": 1, "list": {"$cond": [{"$eq": ["$_id", "1"]}, ["giraffe2", "pandabear", "artie"], ["giraffe1", "artie"]]}}},
				{"$lookup": {"from": "agg_members", "localField": "list", "foreignField": "name", "as": "m"}}, {"$project": {"names": "$m.name"}}]`,
				want: `[{"_id": "1", "names": ["artie", "pandabear", "giraffe2"]}, {"_id": "2", "names": ["artie", "giraffe1"]}, {"_id": "3", "names": ["artie", "giraffe1"]}]`},
			{name: "let and pipeline", pipeline: `[{"$project": {"item": 1, "ordered": {"$switch": {"branches": [{"case": {"$eq": ["$_id", "1"]}, "then": 2}, {"case": {"$eq": ["$_id", "2"]}, "then": 1}], "default": 60}},
					"item2": {"$ifNull": ["$item", "cookies"]}}},
				{"$lookup": {"from": "agg_warehouses", "let": {"order_item": "$item2", "order_qty": "$ordered"},
					"pipeline": [{"$match": {"$expr": {"$and": [{"$eq": ["$stock_item", "$$order_item"]}, {"$gte": ["$instock", "$$order_qty"]}]}}}, {"$project": {"stock_item": 0, "_id": 0}}],
					"as": "stockdata"}}, {"$project": {"stockdata": 1}}]`,
				want: `[{"_id": "1", "stockdata": [{"warehouse": "A", "instock": 120}, {"warehouse": "B", "instock": 60}]},
					{"_id": "2", "stockdata": [{"warehouse": "A", "instock": 80}]},
					{"_id": "3", "stockdata": [{"warehouse": "A", "instock": 80}]}]`},
			{name: "uncorrelated pipeline", pipeline: `[{"$match": {"_id": "1"}}, {"$lookup": {"from": "agg_warehouses", "pipeline": [{"$match": {"warehouse": "B"}}, {"$count": "n"}], "as": "b"}}, {"$project": {"b": 1}}]`,
				want: `[{"_id": "1", "b": [{"n": 2}]}]`},
			{name: "equality and pipeline together", pipeline: `[{"$match": {"_id": "1"}}, {"$lookup": {"from": "agg_warehouses", "localField": "item", "foreignField": "stock_item", "pipeline": [{"$match": {"instock": {"$lt": 100}}}, {"$project": {"_id": 0, "warehouse": 1}}], "as": "w"}}, {"$project": {"w": 1}}]`,
				want: `[{"_id": "1", "w": [{"warehouse": "B"}]}]`},
			{name: "missing collection joins nothing", pipeline: `[{"$match": {"_id": "1"}}, {"$lookup": {"from": "agg_nowhere", "localField": "item", "foreignField": "x", "as": "none"}}, {"$project": {"none": 1}}]`,
				want: `[{"_id": "1", "none": []}]`},
			{name: "then unwind", pipeline: `[{"$lookup": {"from": "agg_inventory", "localField": "item", "foreignField": "sku", "as": "inv"}}, {"$unwind": "$inv"}, {"$match": {"item": {"$exists": true}}}, {"$project": {"_id": 0, "item": 1, "instock": "$inv.instock"}}]`,
				want: `[{"item": "almonds", "instock": 120}, {"item": "pecans", "instock": 70}]`},
			{name: "as into an embedded field", pipeline: `[{"$match": {"_id": "2"}}, {"$lookup": {"from": "agg_inventory", "localField": "item", "foreignField": "sku", "as": "x.inv"}}, {"$project": {"n": {"$size": "$x.inv"}}}]`,
				want: `[{"_id": "2", "n": 1}]`},
			{name: "let needs pipeline", pipeline: `[{"$lookup": {"from": "agg_inventory", "let": {"a": 1}, "localField": "item", "foreignField": "sku", "as": "x"}}]`, err: "INVALID_PARAM"},
			{name: "undefined variable", pipeline: `[{"$lookup": {"from": "agg_inventory", "pipeline": [{"$match": {"$expr": {"$eq": ["$sku", "$$nope"]}}}], "as": "x"}}]`, err: "INVALID_PARAM"},
		},
	},
	{
		// Manual: "$bucket (aggregation)", the artists example.
		name: "bucket",
		docs: []string{
			`{"_id": "1", "last_name": "Bernard", "first_name": "Emil", "year_born": 1868, "year_died": 1941, "nationality": "France"}`,
			`{"_id": "2", "last_name": "Rippl-Ronai", "first_name": "Joszef", "year_born": 1861, "year_died": 1927, "nationality": "Hungary"}`,
			`{"_id": "3", "last_name": "Ostroumova", "first_name": "Anna", "year_born": 1871, "year_died": 1955, "nationality": "Russia"}`,
			`{"_id": "4", "last_name": "Van Gogh", "first_name": "Vincent", "year_born": 1853, "year_died": 1890, "nationality": "Holland"}`,
			`{"_id": "5", "last_name": "Maurer", "first_name": "Alfred", "year_born": 1868, "year_died": 1932, "nationality": "USA"}`,
			`{"_id": "6", "last_name": "Munch", "first_name": "Edvard", "year_born": 1863, "year_died": 1944, "nationality": "Norway"}`,
			`{"_id": "7", "last_name": "Redon", "first_name": "Odilon", "year_born": 1840, "year_died": 1916, "nationality": "France"}`,
			`{"_id": "8", "last_name": "Diriks", "first_name": "Edvard", "year_born": 1855, "year_died": 1930, "nationality": "Norway"}`,
		},
		cases: []aggCase{
			{name: "with output", pipeline: `[{"$bucket": {"groupBy": "$year_born", "boundaries": [1840, 1850, 1860, 1870, 1880], "default": "Other",
					"output": {"count": {"$sum": 1}, "artists": {"$push": {"name": {"$concat": ["$first_name", " ", "$last_name"]}, "year_born": "$year_born"}}}}},
				{"$match": {"count": {"$gt": 3}}}]`,
				want: `[{"_id": 1860, "count": 4, "artists": [{"name": "Emil Bernard", "year_born": 1868}, {"name": "Joszef Rippl-Ronai", "year_born": 1861},
					{"name": "Alfred Maurer", "year_born": 1868}, {"name": "Edvard Munch", "year_born": 1863}]}]`},
			{name: "default count", pipeline: `[{"$bucket": {"groupBy": "$year_born", "boundaries": [1840, 1850, 1860, 1870, 1880]}}]`,
				want: `[{"_id": 1840, "count": 1}, {"_id": 1850, "count": 2}, {"_id": 1860, "count": 4}, {"_id": 1870, "count": 1}]`},
			{name: "default bucket", pipeline: `[{"$bucket": {"groupBy": "$year_died", "boundaries": [1900, 1930], "default": "later"}}]`,
				want: `[{"_id": 1900, "count": 2}, {"_id": "later", "count": 6}]`},
			{name: "no default for a value outside", pipeline: `[{"$bucket": {"groupBy": "$year_died", "boundaries": [1900, 1930]}}]`, err: "DATABASE_INVALID_OPERRATOR"},
			{name: "unsorted boundaries refused", pipeline: `[{"$bucket": {"groupBy": "$year_born", "boundaries": [1860, 1850]}}]`, err: "INVALID_PARAM"},
			{name: "default inside the boundaries refused", pipeline: `[{"$bucket": {"groupBy": "$year_born", "boundaries": [1800, 1900], "default": 1850}}]`, err: "INVALID_PARAM"},
			{name: "$facet of buckets", pipeline: `[{"$facet": {"byBirth": [{"$bucket": {"groupBy": "$year_born", "boundaries": [1840, 1860, 1880]}}],
				"byCountry": [{"$sortByCount": "$nationality"}, {"$limit": 2}], "total": [{"$count": "n"}], "none": [{"$match": {"x": 1}}]}}]`,
				want: `[{"byBirth": [{"_id": 1840, "count": 3}, {"_id": 1860, "count": 5}], "byCountry": [{"_id": "France", "count": 2}, {"_id": "Norway", "count": 2}],
					"total": [{"n": 8}], "none": []}]`},
		},
	},
	{
		// Manual: "$bucketAuto (aggregation)", the artwork example.
		name: "bucketAuto",
		docs: []string{
			`{"_id": "1", "title": "The Pillars of Society", "artist": "Grosz", "year": 1926, "price": 199.99}`,
			`{"_id": "2", "title": "Melancholy III", "artist": "Munch", "year": 1902, "price": 280.00}`,
			`{"_id": "3", "title": "Dancer", "artist": "Miro", "year": 1925, "price": 76.04}`,
			`{"_id": "4", "title": "The Great Wave off Kanagawa", "artist": "Hokusai", "price": 167.30}`,
			`{"_id": "5", "title": "The Persistence of Memory", "artist": "Dali", "year": 1931, "price": 483.00}`,
			`{"_id": "6", "title": "Composition VII", "artist": "Kandinsky", "year": 1913, "price": 385.00}`,
			`{"_id": "7", "title": "The Scream", "artist": "Munch", "year": 1893, "price": 159.00}`,
			`{"_id": "8", "title": "Blue Flower", "artist": "O'Keefe", "year": 1918, "price": 118.42}`,
		},
		cases: []aggCase{
			{name: "four buckets", pipeline: `[{"$bucketAuto": {"groupBy": "$price", "buckets": 4}}]`,
				want: `[{"_id": {"min": 76.04, "max": 159}, "count": 2}, {"_id": {"min": 159, "max": 199.99}, "count": 2},
					{"_id": {"min": 199.99, "max": 385}, "count": 2}, {"_id": {"min": 385, "max": 483}, "count": 2}]`},
			{name: "output", pipeline: `[{"$bucketAuto": {"groupBy": "$year", "buckets": 3, "output": {"count": {"$sum": 1}, "years": {"$push": "$year"}}}}]`,
				want: `[{"_id": {"min": null, "max": 1913}, "count": 3, "years": [1893, 1902]}, {"_id": {"min": 1913, "max": 1926}, "count": 3, "years": [1913, 1918, 1925]},
					{"_id": {"min": 1926, "max": 1931}, "count": 2, "years": [1926, 1931]}]`},
			{name: "more buckets than documents", pipeline: `[{"$match": {"artist": "Munch"}}, {"$bucketAuto": {"groupBy": "$price", "buckets": 5}}]`,
				want: `[{"_id": {"min": 159, "max": 280}, "count": 1}, {"_id": {"min": 280, "max": 280}, "count": 1}]`},
			{name: "granularity needs numbers", pipeline: `[{"$bucketAuto": {"groupBy": "$title", "buckets": 2, "granularity": "R5"}}]`, err: "DATABASE_INVALID_OPERRATOR"},
			{name: "unknown granularity", pipeline: `[{"$bucketAuto": {"groupBy": "$price", "buckets": 2, "granularity": "R7"}}]`, err: "INVALID_PARAM"},
		},
	},
	{
		// Manual: "$bucketAuto", granularity: 100 documents, R5.
		name: "bucketAuto granularity",
		docs: numbered(100),
		cases: []aggCase{
			{name: "R5", pipeline: `[{"$bucketAuto": {"groupBy": "$n", "buckets": 5, "granularity": "R5"}}]`,
				want: `[{"_id": {"min": 0, "max": 25}, "count": 25}, {"_id": {"min": 25, "max": 63}, "count": 38}, {"_id": {"min": 63, "max": 100}, "count": 37}]`},
			{name: "POWERSOF2", pipeline: `[{"$bucketAuto": {"groupBy": "$n", "buckets": 4, "granularity": "POWERSOF2"}}]`,
				want: `[{"_id": {"min": 0, "max": 32}, "count": 32}, {"_id": {"min": 32, "max": 64}, "count": 32}, {"_id": {"min": 64, "max": 128}, "count": 36}]`},
			{name: "1-2-5", pipeline: `[{"$match": {"n": {"$gte": 1}}}, {"$bucketAuto": {"groupBy": "$n", "buckets": 3, "granularity": "1-2-5"}}]`,
				want: `[{"_id": {"min": 0.5, "max": 50}, "count": 49}, {"_id": {"min": 50, "max": 100}, "count": 50}]`},
		},
	},
	{
		// Manual: "$sortByCount (aggregation)", the exhibits example.
		name: "sortByCount",
		docs: []string{
			`{"_id": "1", "title": "The Pillars of Society", "artist": "Grosz", "year": 1926, "tags": ["painting", "satire", "Expressionism", "caricature"]}`,
			`{"_id": "2", "title": "Melancholy III", "artist": "Munch", "year": 1902, "tags": ["woodcut", "Expressionism"]}`,
			`{"_id": "3", "title": "Dancer", "artist": "Miro", "year": 1925, "tags": ["oil", "Surrealism", "painting"]}`,
			`{"_id": "4", "title": "The Great Wave off Kanagawa", "artist": "Hokusai", "tags": ["woodblock", "ukiyo-e"]}`,
			`{"_id": "5", "title": "The Persistence of Memory", "artist": "Dali", "year": 1931, "tags": ["Surrealism", "painting", "oil"]}`,
			`{"_id": "6", "title": "Composition VII", "artist": "Kandinsky", "year": 1913, "tags": ["oil", "painting", "abstract"]}`,
			`{"_id": "7", "title": "The Scream", "artist": "Munch", "year": 1893, "tags": ["Expressionism", "painting", "oil"]}`,
			`{"_id": "8", "title": "Blue Flower", "artist": "O'Keefe", "year": 1918, "tags": ["abstract", "painting"]}`,
		},
		cases: []aggCase{
			{name: "tags", pipeline: `[{"$unwind": "$tags"}, {"$sortByCount": "$tags"}, {"$match": {"count": {"$gt": 2}}}]`,
				want: `[{"_id": "painting", "count": 6}, {"_id": "oil", "count": 4}, {"_id": "Expressionism", "count": 3}]`},
			{name: "all counts", pipeline: `[{"$unwind": "$tags"}, {"$sortByCount": "$tags"}]`,
				want: `[{"_id": "painting", "count": 6}, {"_id": "oil", "count": 4}, {"_id": "Expressionism", "count": 3}, {"_id": "Surrealism", "count": 2},
					{"_id": "abstract", "count": 2}, {"_id": "woodblock", "count": 1}, {"_id": "woodcut", "count": 1}, {"_id": "ukiyo-e", "count": 1},
					{"_id": "satire", "count": 1}, {"_id": "caricature", "count": 1}]`, unordered: true},
			{name: "expression", pipeline: `[{"$sortByCount": {"$gte": ["$year", 1920]}}]`, want: `[{"_id": false, "count": 5}, {"_id": true, "count": 3}]`},
			{name: "needs a path or an expression", pipeline: `[{"$sortByCount": "tags"}]`, err: "INVALID_PARAM"},
		},
	},
	{
		// Manual: "$replaceRoot" and "$replaceWith".
		name: "replaceRoot",
		docs: []string{
			`{"_id": "1", "fruit": ["apples", "oranges"], "in_stock": {"oranges": 20, "apples": 60}, "on_order": {"oranges": 35, "apples": 75}}`,
			`{"_id": "2", "vegetables": ["beets", "yams"], "in_stock": {"beets": 130, "yams": 200}, "on_order": {"beets": 90, "yams": 145}}`,
		},
		cases: []aggCase{
			{name: "embedded document", pipeline: `[{"$replaceRoot": {"newRoot": "$in_stock"}}]`, want: `[{"oranges": 20, "apples": 60}, {"beets": 130, "yams": 200}]`},
			{name: "$replaceWith", pipeline: `[{"$replaceWith": "$on_order"}]`, want: `[{"oranges": 35, "apples": 75}, {"beets": 90, "yams": 145}]`},
			{name: "new document", pipeline: `[{"$replaceWith": {"id": "$_id", "n": {"$size": {"$objectToArray": "$in_stock"}}}}]`, want: `[{"id": "1", "n": 2}, {"id": "2", "n": 2}]`},
			{name: "with $mergeObjects default", pipeline: `[{"$replaceWith": {"$mergeObjects": [{"apples": 0, "beets": 0}, "$in_stock"]}}]`,
				want: `[{"apples": 60, "beets": 0, "oranges": 20}, {"apples": 0, "beets": 130, "yams": 200}]`},
			{name: "not a document fails", pipeline: `[{"$replaceRoot": {"newRoot": "$fruit"}}]`, err: "DATABASE_INVALID_OPERRATOR"},
			{name: "missing fails", pipeline: `[{"$replaceRoot": {"newRoot": "$nope"}}]`, err: "DATABASE_INVALID_OPERRATOR"},
		},
	},
}

// numbered is n documents {_id, n: i} for i from 0.
func numbered(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = `{"_id": "` + itoa(1000+i) + `", "n": ` + itoa(i) + `}`
	}
	return out
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}
