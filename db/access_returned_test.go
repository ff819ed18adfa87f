package db

import (
	"context"
	"testing"

	"minibase/auth"
	"minibase/auth/rules"
)

// TestReturnedBackstop: every document a query would return is checked
// against the read rule on the document itself, whatever the proof said: a
// document the rule denies fails the request, be it the first of its kind
// or one after many that pass; a rule that reads doc whole is checked on
// the whole document.
func TestReturnedBackstop(t *testing.T) {
	s := NewService(nil, Limits{})
	g := grant{id: &auth.Identity{Role: auth.User, OpenID: "o1"}, openid: "o1", coll: "c"}
	ctx := context.Background()
	mine := `{"_id":"1","_openid":"o1","n":1}`
	cases := []struct {
		rule string
		docs []string
		ok   bool
	}{
		{"doc._openid == auth.openid", []string{mine, `{"_id":"2","_openid":"o1","n":2}`}, true},
		{"doc._openid == auth.openid", []string{mine, mine, `{"_id":"3","n":1,"_openid":"o2"}`}, false},
		{"doc._openid == auth.openid", []string{`{"_id":"3","_openid":["o1","o2"]}`}, true},
		{"!/^private$/.test(doc.tags)", []string{`{"_id":"1","tags":"public"}`, `{"_id":"2","tags":["public","private"]}`}, false},
		{"doc.a.b == 1", []string{`{"_id":"1","a":{"b":1}}`, `{"_id":"2","a":[{"b":1}]}`}, false},
		{"doc.n > 0", []string{`{"_id":"1","n":1}`, `{"_id":"2"}`}, false},
		{"doc != null && doc['_openid'] == auth.openid", []string{mine}, true},
		{"doc[auth.openid] == true", []string{`{"_id":"1","o1":true}`, `{"_id":"2","o1":false}`}, false},
		{"auth != null", []string{`{"_id":"1"}`}, true},
	}
	for _, c := range cases {
		e, err := rules.Parse(c.rule, RuleVars...)
		if err != nil {
			t.Fatal(err)
		}
		g.rules = &RuleSet{}
		g.rules.exprs[opRead], g.rules.keys[opRead] = e, "read"
		var docs [][]byte
		for _, d := range c.docs {
			docs = append(docs, []byte(d))
		}
		err = s.checker(g, opRead, nil).returned(ctx, docs)
		if c.ok && err != nil || !c.ok && ErrorCode(err) != CodePermissionDenied {
			t.Errorf("%s on %v: %v, want ok %v", c.rule, c.docs, err, c.ok)
		}
	}
}
