package db

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"minibase/auth/rules"
)

// TestRuleProofIsSound: whenever the check against a query says a rule
// holds for every document the filter can match, it holds for each stored
// document the filter matches (MongoDB semantics, Filter.Match), evaluated
// on the document itself; and when it says the rule holds for none, none
// satisfies it. Random filters and documents (scalars, nulls, missing
// fields and arrays, where MongoDB's matching is subtle) over a fixed seed.
func TestRuleProofIsSound(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	vals := []any{int64(1), int64(2), 3.5, "x", "y", nil, true}
	val := func() any { return vals[rng.IntN(len(vals))] }
	field := func() any {
		if rng.IntN(4) == 0 {
			return []any{val(), val()}
		}
		return val()
	}
	var docs []Doc
	for i := range 300 {
		d := Doc{{"_id", fmt.Sprint(i)}}
		for _, k := range []string{"a", "b", "tags"} {
			if rng.IntN(5) > 0 {
				d = append(d, Field{k, field()})
			}
		}
		docs = append(docs, d)
	}
	lit := func(v any) string { return string(MarshalJSON(v)) }
	cond := func() string {
		k := []string{"a", "b", "tags"}[rng.IntN(3)]
		switch rng.IntN(8) {
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
	ruleSrc := []string{
		"doc.a == 1", "doc.a != 1", "doc.a > 1", "doc.a >= 2 && doc.a < 3.5", "doc.a in [1, 'x']",
		"'x' in doc.tags", "!('y' in doc.tags)", "doc.tags == 'x'", "doc.a == null", "doc.b != null",
		"doc.a == 1 || doc.b == 'x'", "!(doc.a == 2) && doc.b <= 3.5", "doc.b == true", "doc.a < 'y'",
		"!(doc.a > 1)", "doc.tags != 'x' || doc.a == 'y'",
	}
	ctx := context.Background()
	proved, refuted := 0, 0
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
		src := ruleSrc[rng.IntN(len(ruleSrc))]
		e, err := rules.Parse(src, RuleVars...)
		if err != nil {
			t.Fatal(err)
		}
		// True when every $or branch is, False when every branch is.
		verdict := rules.Undecided
		for i, facts := range ruleFacts(f) {
			r, _ := e.Eval(ctx, &rules.Env{Vars: map[string]any{"doc": facts}})
			if i == 0 {
				verdict = r.Truth
			} else if r.Truth != verdict {
				verdict = rules.Undecided
			}
		}
		if verdict != rules.True && verdict != rules.False {
			continue
		}
		for _, d := range docs {
			if !f.Match(d) {
				continue
			}
			r, _ := e.Eval(ctx, &rules.Env{Vars: map[string]any{"doc": d}})
			if verdict == rules.True && r.Truth != rules.True || verdict == rules.False && r.Truth == rules.True {
				t.Fatalf("rule %s proved %v for filter %s, but on the matching document %s it is %v", src, verdict, fs, MarshalJSON(d), r.Truth)
			}
		}
		if verdict == rules.True {
			proved++
		} else {
			refuted++
		}
	}
	if proved < 500 || refuted < 200 {
		t.Errorf("only %d proofs and %d refutations: the generator does not exercise the prover", proved, refuted)
	}
}
