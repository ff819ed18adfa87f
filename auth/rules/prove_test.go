package rules_test

import (
	"strings"
	"testing"

	"minibase/auth/rules"
)

func eq(v any) rules.Cond { return rules.Cond{Op: rules.Eq, Value: v} }

// TestProve: a rule over doc is checked against what a query says about
// the documents it may match. True means every such document satisfies the
// rule, False none; otherwise the hints say what the query should pin.
func TestProve(t *testing.T) {
	alice := map[string]any{"uid": "u1", "openid": "o1"}
	cases := []struct {
		rule  string
		facts rules.Facts
		want  rules.Truth
		hints string
		// noArray: the paths the verdict needs to hold no array (comma-separated)
		noArray string
	}{
		{"doc._openid == auth.openid", rules.Facts{"_openid": {eq("o1")}}, rules.True, "", ""},
		{"doc._openid == auth.openid", rules.Facts{"_openid": {eq("o2")}}, rules.Undecided, "doc._openid == 'o1'", ""},
		{"doc._openid == auth.openid", rules.Facts{}, rules.Undecided, "doc._openid == 'o1'", ""},
		{"doc._openid == auth.openid", rules.Facts{"_id": {eq("x")}}, rules.Undecided, "doc._openid == 'o1'", ""},
		{"auth.openid == doc._openid", rules.Facts{"_openid": {{Op: rules.In, Value: []any{"o1"}}}}, rules.True, "", ""},
		{"doc._openid == auth.openid", rules.Facts{"_openid": {{Op: rules.In, Value: []any{"o1", "o2"}}}}, rules.Undecided, "doc._openid == 'o1'", ""},
		{"doc._openid == auth.openid", rules.Facts{"_openid": {{Op: rules.Ne, Value: "o1"}}}, rules.False, "", ""},
		{"doc._openid != auth.openid", rules.Facts{"_openid": {{Op: rules.Nin, Value: []any{"o1", "o2"}}}}, rules.True, "", ""},
		// != is not provable from a pin: an array field may hold both values.
		{"doc.status != 'draft'", rules.Facts{"status": {eq("live")}}, rules.Undecided, "doc.status != 'draft'", ""},
		{"!(doc.age < 18)", rules.Facts{}, rules.Undecided, "doc.age >= 18", ""},
		{"!(auth.openid in doc.blocked)", rules.Facts{}, rules.Undecided, "!('o1' in doc.blocked)", ""},
		{"doc.status != 'draft'", rules.Facts{"status": {{Op: rules.Ne, Value: "draft"}}}, rules.True, "", ""},
		{"doc.status in ['a', 'b', 'c']", rules.Facts{"status": {{Op: rules.In, Value: []any{"a", "c"}}}}, rules.True, "", ""},
		{"doc.status in ['a', 'b']", rules.Facts{"status": {{Op: rules.In, Value: []any{"a", "z"}}}}, rules.Undecided, "doc.status in ['a', 'b']", ""},
		{"doc.status in ['a', 'b']", rules.Facts{"status": {{Op: rules.Nin, Value: []any{"a", "b"}}}}, rules.False, "", ""},
		{"auth.openid in doc.editors", rules.Facts{"editors": {eq("o1")}}, rules.True, "", ""},
		{"auth.openid in doc.editors", rules.Facts{"editors": {eq([]any{"o1"})}}, rules.Undecided, "'o1' in doc.editors", ""},
		// {tags: ['x']} also matches tags: [['x'], 'y'], which is not == ['x'].
		{"doc.tags == ['x']", rules.Facts{"tags": {eq([]any{"x"})}}, rules.Undecided, "doc.tags == ['x']", ""},
		{"doc.tags == ['x']", rules.Facts{"tags": {eq("x")}}, rules.Undecided, "doc.tags == ['x']", ""},
		{"doc.age >= 18", rules.Facts{"age": {{Op: rules.Gt, Value: int64(20)}}}, rules.True, "", ""},
		{"doc.age > 18", rules.Facts{"age": {{Op: rules.Gte, Value: int64(18)}}}, rules.Undecided, "doc.age > 18", ""},
		{"doc.age > 18", rules.Facts{"age": {{Op: rules.Gt, Value: 18.0}}}, rules.True, "", ""},
		{"doc.age < 18", rules.Facts{"age": {{Op: rules.Lte, Value: int64(17)}}}, rules.True, "", ""},
		{"doc.age < 18", rules.Facts{"age": {{Op: rules.Gt, Value: int64(20)}}}, rules.Undecided, "doc.age < 18", ""},
		{"doc.age > 18", rules.Facts{"age": {eq(int64(30))}}, rules.True, "", ""},
		{"doc.age > 18", rules.Facts{"age": {eq("30")}}, rules.Undecided, "doc.age > 18", ""},
		{"doc.public == true || doc._openid == auth.openid", rules.Facts{"public": {eq(true)}}, rules.True, "", ""},
		{"doc.public == true || doc._openid == auth.openid", rules.Facts{"_openid": {eq("o1")}}, rules.True, "", ""},
		{"doc.public == true || doc._openid == auth.openid", rules.Facts{}, rules.Undecided, "doc.public == true; doc._openid == 'o1'", ""},
		{"doc.public == true && doc._openid == auth.openid", rules.Facts{"public": {eq(true)}}, rules.Undecided, "doc._openid == 'o1'", ""},
		{"!(doc.public == true)", rules.Facts{"public": {{Op: rules.Ne, Value: true}}}, rules.True, "", ""},
		// A rule's value must be the boolean true: an array holding true is not.
		{"doc.public", rules.Facts{"public": {eq(true)}}, rules.True, "", "public"},
		{"doc.public && doc.n == 1", rules.Facts{"public": {eq(true)}, "n": {eq(int64(1))}}, rules.True, "", ""},
		{"doc.public", rules.Facts{}, rules.Undecided, "doc.public", ""},
		{"doc.a.b == 1", rules.Facts{"a": {eq(doc{{"b", int64(1)}})}}, rules.True, "", "a"},
		{"doc.a.b == 1", rules.Facts{"a.b": {eq(int64(1))}}, rules.True, "", "a"},
		{"doc.a.b == 2", rules.Facts{"a": {eq(doc{{"b", int64(1)}})}}, rules.Undecided, "doc.a.b == 2", ""},
		{"doc.name.length < 5", rules.Facts{"name": {eq("abc")}}, rules.True, "", "name"},
		{"/^a/.test(doc.name)", rules.Facts{"name": {eq("abc")}}, rules.True, "", ""},
		{"/^a/.test(doc.name)", rules.Facts{}, rules.Undecided, "doc.name", ""},
		{"auth.openid in get(`database.room.${doc.room}`).members", rules.Facts{"room": {eq("r1")}}, rules.True, "", "room"},
		{"auth.openid in get(`database.room.${doc.room}`).members", rules.Facts{}, rules.Undecided, "doc.room", ""},
		{"auth.openid in get(`database.room.${doc.room}`).members", rules.Facts{"room": {{Op: rules.In, Value: []any{"r1"}}}}, rules.True, "", "room"},
		{"auth.openid in get(`database.room.${doc.room}`).members", rules.Facts{"room": {{Op: rules.In, Value: []any{"r1", "r2"}}}}, rules.Undecided, "doc.room", ""},
		{"auth.openid in get(`database.room.${doc.room}`).members", rules.Facts{"room": {eq("r2")}}, rules.False, "", "room"},
		{"doc.a == doc.b", rules.Facts{"a": {eq(int64(1))}, "b": {eq(int64(1))}}, rules.True, "", "a,b"},
		{"doc == null", rules.Facts{}, rules.Undecided, "doc == null", ""},
		// A field an Eq pins may be an array holding the value: a rule that
		// uses the value whole holds only where it is not.
		{"!/^private$/.test(doc.tags)", rules.Facts{"tags": {eq("public")}}, rules.True, "", "tags"},
		{"/^pub/.test(doc.tags)", rules.Facts{"tags": {eq("public")}}, rules.True, "", ""},
		{"!doc.hidden", rules.Facts{"hidden": {eq(false)}}, rules.True, "", "hidden"},
		{"doc.hidden", rules.Facts{"hidden": {eq(false)}}, rules.False, "", "hidden"},
		{"doc.hidden == false", rules.Facts{"hidden": {eq(false)}}, rules.True, "", ""},
		{"doc.hidden != true", rules.Facts{"hidden": {{Op: rules.Ne, Value: true}}}, rules.True, "", ""},
		{"doc.code.length == 3", rules.Facts{"code": {eq("abc")}}, rules.True, "", "code"},
		{"`${doc.a}` == '1'", rules.Facts{"a": {eq(int64(1))}}, rules.True, "", "a"},
		{"doc.s.length > 5 || doc.public == true", rules.Facts{"s": {eq("abc")}, "public": {eq(true)}}, rules.True, "", ""},
		{"doc.s.length > 1 && doc.public == true", rules.Facts{"s": {eq("abc")}, "public": {{Op: rules.Ne, Value: true}}}, rules.False, "", ""},
		{"doc.s.length > 1 && doc.public == true", rules.Facts{"s": {eq("abc")}, "public": {eq(true)}}, rules.True, "", "s"},
		// Below the top level the rule reads a.b of a document a only.
		{"doc.a.b != 1", rules.Facts{"a.b": {{Op: rules.Ne, Value: int64(1)}}}, rules.Undecided, "doc.a.b != 1", ""},
		{"doc.a.b != 1", rules.Facts{"a.b": {{Op: rules.Ne, Value: int64(1)}}, "a.c": {eq("x")}}, rules.True, "", "a"},
		{"doc.a.b == null", rules.Facts{"a.b": {eq(nil)}}, rules.Undecided, "doc.a.b == null", ""},
		{"doc.a.length == 3", rules.Facts{"a.length": {eq(int64(3))}}, rules.True, "", "a"},
		{"doc['a.b'] == 1", rules.Facts{"a.b": {eq(int64(1))}}, rules.Undecided, "doc", ""},
		// A failure is never true, and a negation does not make it so.
		{"!(auth.x.y == 1)", rules.Facts{}, rules.Failed, "", ""},
		{"!(doc.x.y == 1)", rules.Facts{"x": {eq(nil)}}, rules.Undecided, "doc.x.y != 1", ""},
	}
	g := getter{"database.room.r1": map[string]any{"members": []any{"o1"}}, "database.room.r2": map[string]any{"members": []any{"o9"}}}
	for _, c := range cases {
		env := &rules.Env{Vars: map[string]any{"auth": alice, "doc": c.facts, "now": now}, Get: rules.NewCache(g)}
		r := eval(t, c.rule, env)
		var hints []string
		for _, h := range r.Hints {
			hints = append(hints, h.String())
		}
		if r.Truth != c.want || strings.Join(hints, "; ") != c.hints || strings.Join(r.NoArray, ",") != c.noArray {
			t.Errorf("%s with %v = %v hints %q no array at %q, want %v hints %q no array at %q", c.rule, c.facts, r.Truth, hints, r.NoArray, c.want, c.hints, c.noArray)
		}
	}
}

// TestUnknownData: request.data fields the caller cannot know before the
// write (an $inc) make the rule undecided, never true.
func TestUnknownData(t *testing.T) {
	data := map[string]any{"score": rules.Unknown, "name": "x"}
	env := &rules.Env{Vars: map[string]any{"request": map[string]any{"data": data}}}
	for rule, want := range map[string]rules.Truth{
		"request.data.score <= 100":                      rules.Undecided,
		"request.data.name == 'x'":                       rules.True,
		"request.data.name == 'y' && request.data.score": rules.False,
		"request.data.score == 1 || true":                rules.True,
	} {
		if r := eval(t, rule, env); r.Truth != want {
			t.Errorf("%s = %+v, want %v", rule, r, want)
		}
	}
}
