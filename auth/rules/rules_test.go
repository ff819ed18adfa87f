package rules_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"minibase/auth/rules"
)

var dbVars = []string{"auth", "doc", "request", "now"}

func TestParseErrors(t *testing.T) {
	long := "auth.uid == '" + strings.Repeat("x", rules.MaxLen) + "'"
	cases := []struct {
		src     string
		pos     int
		contain string
	}{
		{"", 1, "empty rule"},
		{"doc._openid == ", 16, "unexpected end"},
		{"doc._openid = auth.openid", 13, "unexpected character '='"},
		{"doc.a == 'x", 10, "unterminated string"},
		{"(doc.a == 1", 12, `missing ")"`},
		{"atuh.openid == doc._openid", 1, `unknown name "atuh"`},
		{"eval('x')", 1, "unknown function eval()"},
		{"doc.name.startsWith('a')", 10, "unknown function startsWith()"},
		{"get('a') && get('b') && get('c') && get('d')", 37, "more than 3 get()"},
		{"get(get(get('x')))", 9, "nested more than 2"},
		{"/[/.test(doc.a)", 1, "unterminated regular expression"},
		{"/(?<=a)b/.test(doc.a)", 1, "invalid regular expression"},
		{"/a/x.test(doc.a)", 1, "unknown regular expression flag"},
		{"`a${doc.b`", 10, `expected "}" to close ${…}`},
		{"doc.a == 1 doc.b", 12, `unexpected "doc"`},
		{"中文 == 1", 1, "unexpected character '中'"},
		{"'中文' == = 1", 9, "unexpected character '='"},
		{long, rules.MaxLen + 1, "over the limit of 1024"},
		{strings.Repeat("!", 70) + "true", 65, "nests deeper"},
		{"1e999 == doc.a", 1, "invalid number"},
		{"doc.", 5, "expected a field name"},
	}
	for _, c := range cases {
		_, err := rules.Parse(c.src, dbVars...)
		var se *rules.SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%.40q) = %v, want a *SyntaxError", c.src, err)
			continue
		}
		if se.Pos != c.pos || !strings.Contains(se.Msg, c.contain) {
			t.Errorf("Parse(%.40q): at %d %q, want at %d containing %q", c.src, se.Pos, se.Msg, c.pos, c.contain)
		}
	}
}

func TestParseAccepts(t *testing.T) {
	for _, src := range []string{
		"true", "false", "doc._openid == auth.openid", "doc._openid === auth.openid",
		"auth != null && (doc.public == true || auth.uid in doc.editors)",
		"auth.openid in get(`database.room.${doc.roomId}`).members",
		"auth.openid in get('database.room.' + doc.roomId).members",
		"!(auth.uid in ['a', 'b',])", "doc['a b'][0] >= -1.5e3", "/^[a-z]{3,16}$/i.test(request.data.name)",
		"request.data.tags.length <= 5 && now > doc.created", `"it's" == doc.s && 'say "hi"' == doc.t && '\u4e2d\n' != doc.u`,
	} {
		e, err := rules.Parse(src, dbVars...)
		if err != nil {
			t.Errorf("Parse(%q): %v", src, err)
			continue
		}
		if e.String() != src {
			t.Errorf("String() = %q, want the source", e.String())
		}
	}
	e, _ := rules.Parse("get('a') && get(`b`) || doc.x == auth.uid", dbVars...)
	if e.Gets() != 2 || strings.Join(e.Vars(), ",") != "doc,auth" {
		t.Errorf("Gets %d Vars %v, want 2 and [doc auth]", e.Gets(), e.Vars())
	}
}

// doc is a field-ordered document, standing in for db.Doc.
type doc [][2]any

func (d doc) Get(k string) (any, bool) {
	for _, f := range d {
		if f[0] == k {
			return f[1], true
		}
	}
	return nil, false
}

type getter map[string]any

func (g getter) Get(_ context.Context, path string) (any, error) {
	if path == "database.broken.x" {
		return nil, errors.New("disk on fire")
	}
	return g[path], nil
}

func eval(t *testing.T, src string, env *rules.Env) rules.Result {
	t.Helper()
	e, err := rules.Parse(src, dbVars...)
	if err != nil {
		t.Fatalf("Parse(%q): %v", src, err)
	}
	r, err := e.Eval(context.Background(), env)
	if err != nil {
		t.Fatalf("Eval(%q): %v", src, err)
	}
	return r
}

var now = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func TestEvalConcrete(t *testing.T) {
	alice := map[string]any{"uid": "u1", "openid": "o1", "loginType": "WECHAT", "role": "editor"}
	d := doc{{"_id", "d1"}, {"_openid", "o1"}, {"public", false}, {"tags", []any{"a", "b"}},
		{"score", int64(7)}, {"ratio", 0.5}, {"name", "Ada"}, {"room", "r1"}, {"meta", doc{{"n", int64(2)}}},
		{"created", now.Add(-time.Hour)}, {"editors", []any{"o2", "o3"}}, {"nothing", nil}}
	g := getter{"database.room.r1": map[string]any{"members": []any{"o1", "o9"}}}
	cases := []struct {
		src  string
		auth any
		want rules.Truth
	}{
		{"true", nil, rules.True},
		{"false", alice, rules.False},
		{"doc._openid == auth.openid", alice, rules.True},
		{"doc._openid != auth.openid", alice, rules.False},
		{"doc._openid == auth.openid", nil, rules.Failed}, // auth is null
		{"auth != null && doc._openid == auth.openid", nil, rules.False},
		{"auth == null || doc.public", nil, rules.True},
		{"doc.tags == 'a'", alice, rules.True}, // element-wise, as MongoDB
		{"doc.tags == ['a', 'b']", alice, rules.True},
		{"doc.tags == ['b', 'a']", alice, rules.False},
		{"'b' in doc.tags && !('c' in doc.tags)", alice, rules.True},
		{"auth.openid in doc.editors", alice, rules.False},
		{"auth.uid in ['u1', 'u2']", alice, rules.True},
		{"doc.score > 5 && doc.score <= 7 && doc.score == 7.0 && doc.ratio < 1", alice, rules.True},
		{"doc.score > '5'", alice, rules.False}, // no order across kinds
		{"doc.name >= 'A' && doc.name < 'B'", alice, rules.True},
		{"doc.meta.n == 2 && doc['meta']['n'] == 2 && doc.tags[1] == 'b'", alice, rules.True},
		{"doc.missing == null && doc.nothing == null && doc.missing != 0", alice, rules.True},
		{"doc.missing.x == 1", alice, rules.Failed},
		{"doc.missing.x == 1 || true", alice, rules.True},
		{"doc.missing.x == 1 && false", alice, rules.False},
		{"!(doc.missing.x == 1)", alice, rules.Failed},
		{"doc.created < now && doc.created > 1700000000000 && now == now", alice, rules.True}, // dates compare with numbers as ms
		{"doc.tags.length == 2 && doc.name.length == 3 && '中文'.length == 2", alice, rules.True},
		{"/^a/i.test(doc.name) && !/^b/.test(doc.name) && /b/.test(doc.tags)", alice, rules.True},
		{"auth.role == 'editor' && auth.loginType == 'WECHAT'", alice, rules.True},
		{"auth.openid in get(`database.room.${doc.room}`).members", alice, rules.True},
		{"auth.openid in get('database.room.' + doc.room).members", alice, rules.True},
		{"get('database.room.r2').members == null", alice, rules.Failed}, // no such document
		{"doc.score + 1 == 8 && 'n' + doc.score == 'n7' && `${doc.tags}` == 'a,b'", alice, rules.True},
		{"doc.name", alice, rules.False}, // only the boolean true allows
		{"-doc.score == -7 && -doc.ratio == -0.5", alice, rules.True},
		{"-doc.name == 1", alice, rules.Failed},
		{"now + 1 > 0", alice, rules.Failed},
	}
	for _, c := range cases {
		env := &rules.Env{Vars: map[string]any{"auth": c.auth, "doc": d, "now": now}, Get: g}
		if r := eval(t, c.src, env); r.Truth != c.want {
			t.Errorf("%s (auth %v) = %v (%+v), want %v", c.src, c.auth != nil, r.Truth, r, c.want)
		}
	}
}

func TestEvalGetErrors(t *testing.T) {
	e, _ := rules.Parse("get('database.broken.x').a == 1", dbVars...)
	if _, err := e.Eval(context.Background(), &rules.Env{Get: getter{}}); err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Errorf("a Getter's error: %v, want it returned", err)
	}
	if r := eval(t, "get('database.a.b') == null", &rules.Env{}); r.Truth != rules.Failed || !strings.Contains(r.Err, "not available") {
		t.Errorf("get() without a Getter: %+v", r)
	}
	// A request reads at most MaxDocs distinct documents; more denies.
	g := getter{}
	for i := range rules.MaxDocs + 1 {
		g["database.c."+string(rune('a'+i))] = map[string]any{"ok": true}
	}
	cache := rules.NewCache(g)
	for i := range rules.MaxDocs + 1 {
		r := eval(t, "get('database.c."+string(rune('a'+i))+"').ok", &rules.Env{Get: cache})
		want := rules.True
		if i == rules.MaxDocs {
			want = rules.Failed
		}
		if r.Truth != want {
			t.Errorf("document %d: %+v, want %v", i+1, r, want)
		}
	}
	if r := eval(t, "get('database.c.a').ok", &rules.Env{Get: cache}); r.Truth != rules.True || cache.Fetched() != rules.MaxDocs {
		t.Errorf("a cached document: %+v, %d fetched", r, cache.Fetched())
	}
}

// TestFields: the top-level fields of doc a rule reads, which is all its
// value depends on, unless it reads doc whole or by a computed key.
func TestFields(t *testing.T) {
	for src, want := range map[string]string{
		"doc._openid == auth.openid":                               "_openid",
		"doc.a.b == 1 && doc['c'] != doc.a.d":                      "a,c",
		"auth.openid in get(`database.room.${doc.room}`).members":  "room",
		"/^x/.test(doc.name) || doc.tags.length > 2 || -doc.n < 0": "name,tags,n",
		"auth != null":               "",
		"doc == null":                "-",
		"doc[auth.uid] == true":      "-",
		"doc[0] == 1":                "-",
		"get(doc.path).x || doc.a":   "path,a",
		"[doc.a, doc.b][0] == doc.c": "a,b,c",
	} {
		e, err := rules.Parse(src, dbVars...)
		if err != nil {
			t.Fatal(err)
		}
		fields, ok := e.Fields("doc")
		got := strings.Join(fields, ",")
		if !ok {
			got = "-"
		}
		if got != want {
			t.Errorf("Fields(%q) = %q, want %q", src, got, want)
		}
	}
}
