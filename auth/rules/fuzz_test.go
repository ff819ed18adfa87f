package rules_test

import (
	"context"
	"testing"
	"unicode/utf8"

	"minibase/auth/rules"
)

// FuzzParse: any input either parses or fails with a *SyntaxError whose
// position lies inside the input (or just past it); a parsed rule evaluates
// without panicking, against concrete values and against facts, and parses
// again from its String.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"doc._openid == auth.openid", "auth != null && (doc.public == true || auth.uid in doc.editors)",
		"auth.openid in get(`database.room.${doc.roomId}`).members", "/^[a-z]+$/i.test(request.data.name)",
		"!(auth.uid in ['a', 'b'])", "doc['x'][0].length >= -1.5e3 + 2", "'\\u{1F600}' + \"\\n\" == `a${1}b`",
		"now > doc.t", "request.data.tags.length <= 5", "get(get('database.a.b').p).q", "((((true))))",
	} {
		f.Add(s)
	}
	vars := []string{"auth", "doc", "request", "now"}
	f.Fuzz(func(t *testing.T, src string) {
		e, err := rules.Parse(src, vars...)
		if err != nil {
			se, ok := err.(*rules.SyntaxError)
			if !ok {
				t.Fatalf("Parse(%q) error %T %v, want *SyntaxError", src, err, err)
			}
			if n := utf8.RuneCountInString(src); se.Pos < 1 || se.Pos > max(n, rules.MaxLen)+1 {
				t.Fatalf("Parse(%q): position %d outside 1..%d", src, se.Pos, n+1)
			}
			return
		}
		if e.Gets() > rules.MaxGets {
			t.Fatalf("Parse(%q) accepted %d get() calls", src, e.Gets())
		}
		if _, err := rules.Parse(e.String(), vars...); err != nil {
			t.Fatalf("String() of %q does not parse: %v", src, err)
		}
		g := getter{"database.a.b": map[string]any{"p": "database.a.b", "q": []any{int64(1)}}}
		for _, d := range []any{
			doc{{"_openid", "o"}, {"t", []any{"x", int64(2), nil}}, {"m", doc{{"k", 1.5}}}},
			rules.Facts{"_openid": {eq("o")}, "roomId": {{Op: rules.In, Value: []any{"a", int64(1)}}}, "t": {{Op: rules.Gt, Value: 2.5}}},
		} {
			env := &rules.Env{Vars: map[string]any{"auth": map[string]any{"openid": "o"}, "doc": d,
				"request": map[string]any{"data": map[string]any{"n": rules.Unknown}}, "now": now}, Get: rules.NewCache(g)}
			if _, err := e.Eval(context.Background(), env); err != nil {
				t.Fatalf("Eval(%q): %v", src, err)
			}
		}
	})
}
