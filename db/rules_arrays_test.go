//go:build !minibase_fuzz

package db_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"minibase/auth"
	"minibase/db"
)

// TestRulesArrayFields: MongoDB's {tags: 'public'} also
// matches tags: ['public', 'private'], so a filter pins a field's value
// only where the field holds no array; nor does a rule read a.b of an array
// a as MongoDB does. Where a rule uses a pinned value whole (a regular
// expression, truthiness, .length, a get() path) or reads through a
// parent, a query, a count and a where-write leave out the documents with
// an array there, and explain says so. Before the fix Bob read each
// "leak" document below.
func TestRulesArrayFields(t *testing.T) {
	e := newRulesEnv(t)
	e.explainUsers(t)
	cases := []struct {
		name, rule, docs, filter string
		want                     string // what Bob's query returns
		leak                     string // a document the rule denies Bob
		leftOut                  string // one the rule allows but the query leaves out ("" when none)
	}{
		{"regex", `!/^private$/.test(doc.tags)`,
			`[{"_id":"s1","tags":"public"},{"_id":"leak","tags":["public","private"]},{"_id":"s3","tags":["public","x"]}]`,
			`{"tags":"public"}`, "[s1]", "leak", "s3"},
		{"truthiness", `!doc.hidden`,
			`[{"_id":"h1","hidden":false},{"_id":"leak","hidden":[false,true]}]`,
			`{"hidden":false}`, "[h1]", "leak", ""},
		{"get", "auth.openid in get(`database.rooms.${doc.room}`).members",
			`[{"_id":"m1","room":"r1"},{"_id":"leak","room":["r1","r2"]}]`,
			`{"room":"r1"}`, "[m1]", "leak", ""},
		{"length", `doc.code.length == 3`,
			`[{"_id":"c1","code":"abc"},{"_id":"leak","code":["abc","de"]},{"_id":"c3","code":["abc","de","f"]}]`,
			`{"code":"abc"}`, "[c1]", "leak", "c3"},
		{"dot path", `doc.a.b == 1`,
			`[{"_id":"d1","a":{"b":1}},{"_id":"leak","a":[{"b":1}]}]`,
			`{"a.b":1}`, "[d1]", "leak", ""},
	}
	bob := e.users["bob"]
	for _, c := range cases {
		coll := strings.ReplaceAll(c.name, " ", "_")
		e.create(t, coll, `{"read":`+quote(c.rule)+`,"write":`+quote(c.rule)+`}`, c.docs)
		if got := e.do(t, "bob", coll, "query "+c.filter); got != c.want {
			t.Errorf("%s: bob's query %s = %s, want %s", c.name, c.filter, got, c.want)
		}
		n, err := e.s.Count(bob, coll, doc(t, `{"filter":`+c.filter+`}`))
		if err != nil || n != int64(strings.Count(c.want, " ")+1) {
			t.Errorf("%s: bob counts %d (%v) for %s, want as many as his query returns", c.name, n, err, c.filter)
		}
		if got := e.do(t, "bob", coll, "get "+c.leak); got != "missing" {
			t.Errorf("%s: bob gets %s: %s, want missing", c.name, c.leak, got)
		}
		if c.leftOut != "" {
			if got := e.do(t, "bob", coll, "get "+c.leftOut); got != "["+c.leftOut+"]" {
				t.Errorf("%s: bob gets %s by id: %s, want it (the rule allows it)", c.name, c.leftOut, got)
			}
		}
		x, err := e.s.Explain(e.users["admin"], doc(t, `{"collection":"`+coll+`","operation":"read","filter":`+c.filter+`,"uid":"ub"}`))
		if err != nil || !x.Allowed || !strings.Contains(x.Reason, "holds an array, which the request leaves out") {
			t.Errorf("%s: explain = %+v %v, want allowed, leaving out arrays", c.name, x, err)
		}
		// The write rule is the same: a where-update changes what the query
		// returns, and the write does not fail on the leak document.
		if got := e.do(t, "bob", coll, "update "+c.filter); got != "1" {
			t.Errorf("%s: bob's update %s = %s, want 1", c.name, c.filter, got)
		}
		raw, err := e.s.GetDoc(e.users["admin"], coll, "leak", nil)
		if err != nil || strings.Contains(string(raw), `"n":50`) {
			t.Errorf("%s: the leak document after bob's update: %s %v", c.name, raw, err)
		}
	}
}

func quote(s string) string { return string(db.MarshalJSON(s)) }

// explainUsers registers alice (ua) and bob (ub) for Explain.
func (e *rulesEnv) explainUsers(t *testing.T) {
	t.Helper()
	users := e.drv.Users()
	for _, u := range []*auth.UserAccount{{UID: "ua", OpenID: "oa", LoginType: auth.LoginWeChat}, {UID: "ub", OpenID: "ob", LoginType: auth.LoginAnonymous}} {
		u.Created, u.LastLogin = time.Now(), time.Now()
		if err := users.CreateUser(context.Background(), u); err != nil {
			t.Fatal(err)
		}
	}
	e.s.SetUsers(storeUsers{users})
}
