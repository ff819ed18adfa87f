package db

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"minibase/auth/rules"
)

// soundRules are rules of every kind the prover reasons about: element-wise
// comparisons, values used whole (regular expressions, truthiness,
// .length, templates, +, get() paths, two fields compared), and paths
// below the top level.
var soundRules = []string{
	"doc.a == 1", "doc.a != 1", "doc.a > 1", "doc.a >= 2 && doc.a < 3.5", "doc.a in [1, 'x']",
	"'x' in doc.tags", "!('y' in doc.tags)", "doc.tags == 'x'", "doc.a == null", "doc.b != null",
	"doc.a == 1 || doc.b == 'x'", "!(doc.a == 2) && doc.b <= 3.5", "doc.b == true", "doc.a < 'y'",
	"!(doc.a > 1)", "doc.tags != 'x' || doc.a == 'y'",
	"/^x/.test(doc.tags)", "!/^x$/.test(doc.tags)", "!doc.a", "doc.a", "doc.tags.length == 1",
	"doc.b.length < 2", "`${doc.a}` == '1'", "doc.a + 1 == 2", "doc.a == doc.b", "!(doc.a == doc.b)",
	"doc.a.b == 1", "doc.a.b != 'x'", "doc.a.b", "!doc.a.b", "doc.a.b.length == 1", "doc.tags[0] == 'x'",
	"get('database.t.' + doc.a).ok == true", "get(`database.t.${doc.a.b}`).ok != true",
	"doc.a.b == 1 || /^y/.test(doc.b)", "doc.tags.length > 0 && doc.a == 1",
}

// soundGetter serves get() for the rules above: t/1 and t/x are ok.
type soundGetter struct{}

func (soundGetter) Get(_ context.Context, path string) (any, error) {
	switch path {
	case "database.t.1", "database.t.x":
		return Doc{{"ok", true}}, nil
	case "database.t.2":
		return Doc{{"ok", false}}, nil
	}
	return nil, nil
}

// proofVerdict is what the rule check says about f: True (or False) when
// every branch is, with the paths that must hold no array; Undecided
// otherwise.
func proofVerdict(ctx context.Context, e *rules.Expr, f *Filter) (rules.Truth, []string) {
	verdict := rules.Undecided
	var noArray []string
	for i, facts := range ruleFacts(f) {
		r, err := e.Eval(ctx, soundEnv(facts))
		if err != nil {
			return rules.Undecided, nil
		}
		if i == 0 {
			verdict = r.Truth
		} else if r.Truth != verdict {
			return rules.Undecided, nil
		}
		noArray = append(noArray, r.NoArray...)
	}
	return verdict, noArray
}

func soundEnv(doc any) *rules.Env {
	return &rules.Env{Vars: map[string]any{"doc": doc, "auth": map[string]any{"openid": "o1"}, "now": time.Unix(0, 0)},
		Get: rules.NewCache(soundGetter{})}
}

// checkProof fails t when the verdict on f is wrong for doc: a document the
// query would return (f, without arrays where the verdict needs none) on
// which the rule, evaluated on the document itself, disagrees.
func checkProof(t *testing.T, ctx context.Context, src string, e *rules.Expr, f *Filter, verdict rules.Truth, noArray []string, d Doc) {
	t.Helper()
	if !WithoutArrays(f, noArray).Match(d) {
		return
	}
	r, err := e.Eval(ctx, soundEnv(d))
	if err != nil {
		t.Fatal(err)
	}
	if verdict == rules.True && r.Truth != rules.True || verdict == rules.False && r.Truth == rules.True {
		t.Fatalf("rule %s proved %v for filter %s (no array at %v), but on the matching document %s it is %v",
			src, verdict, MarshalJSON(f.Source), noArray, MarshalJSON(d), r.Truth)
	}
}

// TestRuleProofIsSound: whenever the check against a query says a rule
// holds for every document the filter can match (leaving out those with an
// array where the proof needs none), it holds for each stored document the
// query would return (MongoDB semantics, Filter.Match), evaluated on the
// document itself; and when it says the rule holds for none, none
// satisfies it. Random filters and documents over a fixed seed: scalars,
// nulls, missing fields, arrays, sub-documents and arrays of them, where
// MongoDB's matching and the rule's reading part ways.
func TestRuleProofIsSound(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	vals := []any{int64(1), int64(2), 3.5, "x", "y", nil, true, false, ""}
	val := func() any { return vals[rng.IntN(len(vals))] }
	var field func(depth int) any
	field = func(depth int) any {
		switch rng.IntN(8) {
		case 0, 1:
			return []any{val(), val()}
		case 2:
			return []any{val()}
		case 3:
			if depth == 0 {
				return Doc{{"b", field(1)}}
			}
		case 4:
			if depth == 0 {
				return []any{Doc{{"b", val()}}, val()}
			}
		}
		return val()
	}
	var docs []Doc
	for i := range 400 {
		d := Doc{{"_id", fmt.Sprint(i)}}
		for _, k := range []string{"a", "b", "tags"} {
			if rng.IntN(6) > 0 {
				d = append(d, Field{k, field(0)})
			}
		}
		docs = append(docs, d)
	}
	lit := func(v any) string { return string(MarshalJSON(v)) }
	cond := func() string {
		k := []string{"a", "b", "tags", "a.b", "a.c", "tags.0"}[rng.IntN(6)]
		switch rng.IntN(9) {
		case 0:
			return fmt.Sprintf(`{"%s":{"$in":[%s,%s]}}`, k, lit(val()), lit(val()))
		case 1:
			return fmt.Sprintf(`{"%s":{"$ne":%s}}`, k, lit(val()))
		case 2:
			return fmt.Sprintf(`{"%s":{"$nin":[%s,%s]}}`, k, lit(val()), lit(val()))
		case 3:
			op := []string{"$gt", "$gte", "$lt", "$lte"}[rng.IntN(4)]
			return fmt.Sprintf(`{"%s":{"%s":%s}}`, k, op, lit(val()))
		case 4:
			return fmt.Sprintf(`{"%s":{"$exists":false}}`, k)
		case 5:
			return fmt.Sprintf(`{"%s":{"$all":[%s]}}`, k, lit(val()))
		case 6:
			return fmt.Sprintf(`{"%s":{"b":%s}}`, k, lit(val()))
		}
		return fmt.Sprintf(`{"%s":%s}`, k, lit(val()))
	}
	filter := func() string {
		switch rng.IntN(3) {
		case 0:
			return cond()
		case 1:
			return fmt.Sprintf(`{"$and":[%s,%s]}`, cond(), cond())
		}
		return fmt.Sprintf(`{"$or":[%s,{"$and":[%s,%s]}]}`, cond(), cond(), cond())
	}
	exprs := make([]*rules.Expr, len(soundRules))
	for i, src := range soundRules {
		var err error
		if exprs[i], err = rules.Parse(src, RuleVars...); err != nil {
			t.Fatalf("%s: %v", src, err)
		}
	}
	ctx := context.Background()
	proved, refuted, narrowed := 0, 0, 0
	for range 30000 {
		fs := filter()
		v, err := DecodeJSON([]byte(fs), MaxDepth)
		if err != nil {
			t.Fatal(err)
		}
		f, err := ParseFilter(v)
		if err != nil {
			t.Fatalf("%s: %v", fs, err)
		}
		i := rng.IntN(len(exprs))
		verdict, noArray := proofVerdict(ctx, exprs[i], f)
		if verdict != rules.True && verdict != rules.False {
			continue
		}
		for _, d := range docs {
			checkProof(t, ctx, soundRules[i], exprs[i], f, verdict, noArray, d)
		}
		switch {
		case len(noArray) > 0:
			narrowed++
		case verdict == rules.True:
			proved++
		default:
			refuted++
		}
	}
	if proved < 100 || refuted < 80 || narrowed < 500 {
		t.Errorf("only %d proofs, %d refutations and %d proofs without arrays: the generator does not exercise the prover", proved, refuted, narrowed)
	}
}

// FuzzRuleProof: for any rule, filter and document, if the check against
// the filter proves the rule (or its negation), the document, when the
// query would return it, agrees. Documents and filters hold arrays,
// sub-documents and arrays of them.
func FuzzRuleProof(f *testing.F) {
	for _, s := range [][3]string{
		{"!/^private$/.test(doc.tags)", `{"tags":"public"}`, `{"_id":"1","tags":["public","private"]}`},
		{"!doc.hidden", `{"hidden":false}`, `{"_id":"1","hidden":[false,true]}`},
		{"get('database.t.' + doc.a).ok == true", `{"a":"x"}`, `{"_id":"1","a":["x","y"]}`},
		{"doc.code.length == 3", `{"code":"abc"}`, `{"_id":"1","code":["abc","de"]}`},
		{"doc.a.b == 1", `{"a.b":1}`, `{"_id":"1","a":[{"b":1}]}`},
		{"doc.a.b != 1", `{"a.b":{"$ne":1},"a.c":2}`, `{"_id":"1","a":{"c":2}}`},
		{"doc.tags == ['x']", `{"tags":["x"]}`, `{"_id":"1","tags":[["x"],"y"]}`},
		{"doc.a == doc.b", `{"a":1,"b":1}`, `{"_id":"1","a":[1,2],"b":[3,1]}`},
		{"doc.a.b == 1", `{"a":{"b":1}}`, `{"_id":"1","a":[{"b":1}]}`},
		{"doc.x.length == 2", `{"x.length":2}`, `{"_id":"1","x":"ab"}`},
		{"doc.a[0] == 'x'", `{"a.0":"x"}`, `{"_id":"1","a":[{"0":"x"}]}`},
		{"doc.a in ['x', 'y'] && doc.n > 3", `{"a":{"$in":["x"]},"n":{"$gt":5}}`, `{"_id":"1","a":["x","z"],"n":[1,9]}`},
	} {
		f.Add(s[0], s[1], s[2])
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, src, filterJSON, docJSON string) {
		e, err := rules.Parse(src, RuleVars...)
		if err != nil {
			return
		}
		fv, err := DecodeJSON([]byte(filterJSON), MaxDepth)
		if err != nil {
			return
		}
		flt, err := ParseFilter(fv)
		if err != nil {
			return
		}
		dv, err := DecodeJSON([]byte(docJSON), MaxDepth)
		d, ok := dv.(Doc)
		if err != nil || !ok || ValidateDoc(d) != nil {
			return
		}
		verdict, noArray := proofVerdict(ctx, e, flt)
		if verdict == rules.True || verdict == rules.False {
			checkProof(t, ctx, src, e, flt, verdict, noArray, d)
		}
	})
}
