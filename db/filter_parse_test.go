package db

import (
	"fmt"
	"strings"
	"testing"
)

// describe renders a node tree compactly: op(path value children).
func describe(n *Node) string {
	names := map[Op]string{OpTrue: "true", OpAnd: "and", OpOr: "or", OpNor: "nor", OpEq: "eq", OpNe: "ne",
		OpGt: "gt", OpGte: "gte", OpLt: "lt", OpLte: "lte", OpIn: "in", OpNin: "nin", OpExists: "exists",
		OpMod: "mod", OpAll: "all", OpElemMatch: "elemMatch", OpSize: "size", OpRegex: "regex", OpNot: "not"}
	var b strings.Builder
	b.WriteString(names[n.Op])
	b.WriteString("(")
	parts := []string{}
	if n.Path != "" {
		parts = append(parts, n.Path)
	}
	if n.Value != nil {
		parts = append(parts, string(MarshalJSON(n.Value))+fmt.Sprintf(":%T", n.Value))
	}
	for _, c := range n.Children {
		parts = append(parts, describe(c))
	}
	b.WriteString(strings.Join(parts, " "))
	b.WriteString(")")
	return b.String()
}

// The shape of the AST is a contract with the SQL translator.
func TestParseFilterShape(t *testing.T) {
	tests := []struct{ filter, want string }{
		{`{}`, `true()`},
		{`{a: 5}`, `eq(a 5:int64)`},
		{`{a: 5, b: "x"}`, `and(eq(a 5:int64) eq(b "x":string))`},
		{`{a: {x: 1}}`, `eq(a {"x":1}:db.Doc)`},
		{`{a: [1, 2]}`, `eq(a [1,2]:[]interface {})`},
		{`{a: {$regex: "^x", $options: "i"}}`, `regex(a {"$regex":"^x","$options":"i"}:db.Regex)`},
		{`{a: {$options: "i", $regex: "^x"}}`, `regex(a {"$regex":"^x","$options":"i"}:db.Regex)`},
		{`{a: {$gt: 1, $lt: 5}}`, `and(gt(a 1:int64) lt(a 5:int64))`},
		{`{a: {$gt: 1, $lt: 5}, b: 2}`, `and(gt(a 1:int64) lt(a 5:int64) eq(b 2:int64))`},
		{`{a: {$not: {$gt: 1, $lt: 5}}}`, `not(a gt(a 1:int64) lt(a 5:int64))`},
		{`{a: {$not: {$regex: "x"}}}`, `not(a regex(a {"$regex":"x","$options":""}:db.Regex))`},
		{`{results: {$elemMatch: {product: "x", score: {$gte: 8}}}}`, `elemMatch(results eq(product "x":string) gte(score 8:int64))`},
		{`{results: {$elemMatch: {$gte: 80, $lt: 85}}}`, `elemMatch(results gte(80:int64) lt(85:int64))`},
		{`{q: {$all: [{$elemMatch: {a: 1}}, {$elemMatch: {$gt: 2}}]}}`, `all(q elemMatch(q eq(a 1:int64)) elemMatch(q gt(2:int64)))`},
		{`{q: {$all: [1, "x"]}}`, `all(q [1,"x"]:[]interface {})`},
		{`{q: {$size: 2.0}}`, `size(q 2:int64)`},
		{`{q: {$mod: [4.5, -1.5]}}`, `mod(q [4,-1]:[]interface {})`},
		{`{q: {$exists: 0}}`, `exists(q false:bool)`},
		{`{q: {$in: [1, {$regex: "x"}]}}`, `in(q [1,{"$regex":"x","$options":""}]:[]interface {})`},
		{`{$or: [{a: 1}, {b: 2, c: 3}]}`, `or(eq(a 1:int64) and(eq(b 2:int64) eq(c 3:int64)))`},
		{`{$nor: [{a: 1}], b: {$ne: null}}`, `and(nor(eq(a 1:int64)) ne(b))`},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			f := parseShell(t, tt.filter)
			if got := describe(f.Root()); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			if f.Source == nil {
				t.Errorf("Source is nil")
			}
		})
	}
}

func TestParseFilterCompilesRegexes(t *testing.T) {
	f := parseShell(t, `{a: {$in: [1, {$regex: "^x"}]}, b: {$regex: "y"}, c: {$eq: {$regex: "z"}}}`)
	in, re, eq := f.Root().Children[0], f.Root().Children[1], f.Root().Children[2]
	if len(in.Regexes) != 2 || in.Regexes[0] != nil || in.Regexes[1] == nil || !in.Regexes[1].MatchString("xa") {
		t.Errorf("$in Regexes = %v, want [nil ^x]", in.Regexes)
	}
	if re.Regex == nil || eq.Regex == nil {
		t.Errorf("Regex not compiled: $regex %v, $eq %v", re.Regex, eq.Regex)
	}
	if f, _ := ParseFilter(nil); f.Root().Op != OpTrue || !f.Match(Doc{}) {
		t.Errorf("ParseFilter(nil) does not match everything")
	}
	var nilFilter *Filter
	if !nilFilter.Match(Doc{{"a", int64(1)}}) {
		t.Errorf("nil *Filter does not match everything")
	}
}

func TestParseFilterErrors(t *testing.T) {
	deep := strings.Repeat("a.", MaxPathDepth) + "a"
	many := "[" + strings.Repeat("{a: 1},", MaxFilterNodes) + "{a: 1}]"
	long := "[" + strings.Repeat("1,", MaxFilterList) + "1]"
	tests := []struct{ filter, code, msg string }{
		{`[1]`, CodeInvalidParam, "query must be a document"},
		{`"x"`, CodeInvalidParam, "query must be a document"},
		{`{$where: "this.a == 1"}`, CodeInvalidOperator, "unknown operator: $where"},
		{`{$expr: {$frob: ["$a", 1]}}`, CodeInvalidOperator, "unknown aggregation expression operator: $frob"},
		{`{$expr: "$$nope"}`, CodeInvalidParam, "undefined variable: nope"},
		{`{a: {$expr: true}}`, CodeInvalidOperator, "unknown operator: $expr"},
		{`{$text: {$search: "x"}}`, CodeInvalidOperator, "unknown operator: $text"},
		{`{$comment: "x"}`, CodeInvalidOperator, "unknown operator: $comment"},
		{`{a: {$type: 2}}`, CodeInvalidOperator, "unknown operator: $type"},
		{`{a: {$near: [1, 2]}}`, CodeInvalidOperator, "flat (2d) query"},
		{`{a: {$geoWithin: {}}}`, CodeInvalidOperator, "$geoWithin needs one of"},
		{`{a: {$xyz: 1}}`, CodeInvalidOperator, "unknown operator: $xyz"},
		{`{a: {$gt: 1, b: 2}}`, CodeInvalidOperator, "cannot mix operators and field names"},
		{`{a: {b: 2, $gt: 1}}`, CodeInvalidOperator, "cannot mix operators and field names"},
		{`{$and: []}`, CodeInvalidOperator, "$and needs a non-empty array of documents"},
		{`{$or: {a: 1}}`, CodeInvalidOperator, "$or needs a non-empty array of documents"},
		{`{$nor: [1]}`, CodeInvalidOperator, "$nor needs a non-empty array of documents"},
		{`{a: {$in: 1}}`, CodeInvalidOperator, "$in needs an array"},
		{`{a: {$nin: "x"}}`, CodeInvalidOperator, "$nin needs an array"},
		{`{a: {$all: {}}}`, CodeInvalidOperator, "$all needs an array"},
		{`{a: {$in: [{$gt: 1}]}}`, CodeInvalidOperator, "$in cannot contain operators"},
		{`{a: {$all: [{$elemMatch: {b: 1}}, 2]}}`, CodeInvalidOperator, "$all cannot mix $elemMatch"},
		{`{a: {$size: -1}}`, CodeInvalidOperator, "$size needs a non-negative integer"},
		{`{a: {$size: 1.5}}`, CodeInvalidOperator, "$size needs a non-negative integer"},
		{`{a: {$size: "1"}}`, CodeInvalidOperator, "$size needs a non-negative integer"},
		{`{a: {$mod: [0, 1]}}`, CodeInvalidOperator, "$mod divisor cannot be 0"},
		{`{a: {$mod: [0.5, 1]}}`, CodeInvalidOperator, "$mod divisor cannot be 0"},
		{`{a: {$mod: [4]}}`, CodeInvalidOperator, "$mod needs an array of two numbers"},
		{`{a: {$mod: [4, 1, 2]}}`, CodeInvalidOperator, "$mod needs an array of two numbers"},
		{`{a: {$mod: [4, "1"]}}`, CodeInvalidOperator, "$mod needs an array of two numbers"},
		{`{a: {$regex: 5, $ne: 1}}`, CodeInvalidOperator, "$regex needs a string"},
		{`{a: {$options: "x", $regex: "a"}}`, CodeInvalidOperator, "invalid $options flag"},
		{`{a: {$options: "i"}}`, CodeInvalidOperator, "$options needs a $regex"},
		{`{a: {$options: 1, $regex: "a"}}`, CodeInvalidOperator, "$options needs a string"},
		{`{a: {$regex: "(?=a)b"}}`, CodeInvalidOperator, "invalid $regex"},
		{`{a: {$regex: "(a)\\1"}}`, CodeInvalidOperator, "invalid $regex"},
		{`{a: {$in: [{$regex: "(?<=a)"}]}}`, CodeInvalidOperator, "invalid $regex"},
		{`{a: {$regex: "` + strings.Repeat("a", MaxRegexLen+1) + `"}}`, CodeInvalidParam, "longer than 1024 bytes"},
		{`{a: {$gt: {$regex: "a"}}}`, CodeInvalidOperator, "$gt cannot take a regular expression"},
		{`{a: {$not: 5}}`, CodeInvalidOperator, "$not needs a regular expression or a non-empty document"},
		{`{a: {$not: {}}}`, CodeInvalidOperator, "$not needs a regular expression or a non-empty document"},
		{`{a: {$not: {b: 1}}}`, CodeInvalidOperator, "$not needs a regular expression or a non-empty document"},
		{`{a: {$elemMatch: 5}}`, CodeInvalidOperator, "$elemMatch needs a document"},
		{`{a: {$elemMatch: {$gt: 1, b: 2}}}`, CodeInvalidOperator, "cannot mix operators and field names"},
		{`{a: {$elemMatch: {$or: [{b: 1}], $gt: 1}}}`, CodeInvalidOperator, "unknown operator: $gt"},
		{`{"a..b": 1}`, CodeInvalidParam, "empty segment"},
		{`{".a": 1}`, CodeInvalidParam, "empty segment"},
		{`{"a.": 1}`, CodeInvalidParam, "empty segment"},
		{`{"": 1}`, CodeInvalidParam, "empty segment"},
		{`{"a.$b": 1}`, CodeInvalidParam, "starts with $"},
		{`{a: {$elemMatch: {"b.$": 1}}}`, CodeInvalidParam, "starts with $"},
		{`{"` + deep + `": 1}`, CodeInvalidParam, "more than 100 segments"},
		{`{"` + strings.Repeat("a", MaxPathLen+1) + `": 1}`, CodeInvalidParam, "longer than 1024 bytes"},
		{`{$or: ` + many + `}`, CodeInvalidParam, "more than 1000 conditions"},
		{`{a: {$in: ` + long + `}}`, CodeInvalidParam, "$in has more than 10000 values"},
		{`{a: {$all: ` + long + `}}`, CodeInvalidParam, "$all has more than 10000 values"},
		{`{a: {$serverDate: {offset: 0}}}`, CodeInvalidParam, "serverDate cannot be used in a query"},
	}
	for _, tt := range tests {
		name := tt.filter
		if len(name) > 60 {
			name = name[:60]
		}
		t.Run(name, func(t *testing.T) {
			f, err := ParseFilter(decodeShell(t, tt.filter))
			if err == nil {
				t.Fatalf("got filter %s, want error %s", describe(f.Root()), tt.code)
			}
			if got := ErrorCode(err); got != tt.code {
				t.Errorf("got code %s (%v), want %s", got, err, tt.code)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("got message %q, want it to contain %q", err.Error(), tt.msg)
			}
		})
	}
}

// Values that DecodeJSON never produces are refused, not panicked on.
func TestParseFilterForeignValues(t *testing.T) {
	for _, v := range []any{Doc{{"a", 1}}, Doc{{"a", Doc{{"$in", []any{uint8(1)}}}}}, Doc{{"a", Doc{{"$eq", []any{struct{}{}}}}}}} {
		if _, err := ParseFilter(v); ErrorCode(err) != CodeInvalidParam {
			t.Errorf("ParseFilter(%#v): got %v, want an INVALID_PARAM error", v, err)
		}
	}
}
