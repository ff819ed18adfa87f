//go:build !minibase_fuzz

package db_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"minibase/auth"
	"minibase/db"
	"minibase/db/sqlite"
)

// TestRulesNoLeak: another user's documents never come back, whatever the
// query asks for: projection, sort, skip, limit, count, regex filters.
func TestRulesNoLeak(t *testing.T) {
	e := newRulesEnv(t)
	for _, rules := range []string{"PRIVATE", "owner"} {
		coll := "leak_" + rules
		e.create(t, coll, ruleSets[rules], seed)
		for _, q := range []string{
			`{"filter":{"_openid":"{openid}"},"projection":{"_openid":0}}`,
			`{"filter":{"_openid":"{openid}"},"sort":[["n",-1]],"skip":0,"limit":100}`,
			`{"filter":{"_openid":"{openid}"},"skip":1}`,
			`{"filter":{"_openid":"{openid}","n":{"$gte":0}},"sort":[["_openid",1]]}`,
		} {
			docs, err := e.s.Query(e.users["bob"], coll, doc(t, q))
			if err != nil {
				if rules == "PRIVATE" {
					t.Errorf("%s %s: %v", rules, q, err)
				}
				continue
			}
			if strings.Contains(ids(t, docs), "a") {
				t.Errorf("%s: bob's query %s returned %s: alice's documents leaked", rules, q, ids(t, docs))
			}
		}
		for _, f := range []string{`{}`, `{"_id":{"$regex":"^a"}}`, `{"$or":[{"_openid":"{openid}"},{"_id":"a1"}]}`} {
			n, err := e.s.Count(e.users["bob"], coll, doc(t, `{"filter":`+f+`}`))
			if err == nil && n != map[string]int64{`{}`: 1, `{"_id":{"$regex":"^a"}}`: 0, `{"$or":[{"_openid":"{openid}"},{"_id":"a1"}]}`: 1}[f] {
				t.Errorf("%s: bob counts %d for %s", rules, n, f)
			}
		}
	}
}

// TestRulesOpenIDUnchangeable: under custom rules too, a client cannot set
// _openid on insert nor change it on update or set.
func TestRulesOpenIDUnchangeable(t *testing.T) {
	e := newRulesEnv(t)
	e.create(t, "open", `{"read":true,"write":true}`, seed)
	alice := e.users["alice"]
	for _, op := range []func() error{
		func() error { _, _, err := e.s.Insert(alice, "open", doc(t, `{"data":{"_openid":"ob"}}`)); return err },
		func() error {
			_, err := e.s.UpdateDoc(alice, "open", "b1", doc(t, `{"update":{"$set":{"_openid":"oa"}}}`))
			return err
		},
		func() error {
			_, err := e.s.Update(alice, "open", doc(t, `{"filter":{},"update":{"$unset":{"_openid":""}},"multi":true}`))
			return err
		},
		func() error { _, err := e.s.SetDoc(alice, "open", "b1", doc(t, `{"data":{"n":1}}`)); return err },
	} {
		if err := op(); db.ErrorCode(err) != db.CodePermissionDenied {
			t.Errorf("changing the owner: %v, want PERMISSION_DENIED", err)
		}
	}
	raw, _ := e.s.GetDoc(e.users["admin"], "open", "b1", nil)
	if !strings.Contains(string(raw), `"_openid":"ob"`) {
		t.Errorf("b1 after the attempts: %s", raw)
	}
	if _, err := e.s.UpdateDoc(alice, "open", "b1", doc(t, `{"update":{"$set":{"n":7}}}`)); err != nil {
		t.Errorf("the rule allows updating b1's other fields: %v", err)
	}
}

// countingDriver counts the reads of one collection.
type countingDriver struct {
	db.Driver
	coll  string
	reads atomic.Int64
}

func (d *countingDriver) Find(ctx context.Context, coll string, q *db.Query) ([][]byte, error) {
	if coll == d.coll {
		d.reads.Add(1)
	}
	return d.Driver.Find(ctx, coll, q)
}

// TestRulesGet: get() reads the referenced document when the request
// runs (no stale copy), once per request however often the rule needs it.
func TestRulesGet(t *testing.T) {
	e := newRulesEnv(t)
	cd := &countingDriver{coll: "rooms"}
	e.create(t, "posts", ruleSets["room"], seed)
	bob, admin := e.users["bob"], e.users["admin"]
	if got := e.do(t, "bob", "posts", `query {"room":"r2"}`); got != "denied" {
		t.Fatalf("bob reads room r2 before joining: %s", got)
	}
	if _, err := e.s.UpdateDoc(admin, "rooms", "r2", doc(t, `{"update":{"$push":{"members":"ob"}}}`)); err != nil {
		t.Fatal(err)
	}
	if got := e.do(t, "bob", "posts", `query {"room":"r2"}`); got != "[a2]" {
		t.Errorf("bob reads room r2 after joining: %s, want [a2]", got)
	}
	// One read of rooms/r1 for a query whose two $or branches both need it.
	cd.Driver = e.drv
	s := db.NewService(cd, db.Limits{})
	docs, err := s.Query(bob, "posts", doc(t, `{"filter":{"$or":[{"room":"r1","n":1},{"room":"r1","n":3}]}}`))
	if err != nil || len(docs) != 2 {
		t.Fatalf("query: %d docs, %v", len(docs), err)
	}
	if n := cd.reads.Load(); n != 1 {
		t.Errorf("get() read rooms %d times in one request, want 1", n)
	}
}

// TestRulesReasons: a denial says what to change, without the rule text.
func TestRulesReasons(t *testing.T) {
	e := newRulesEnv(t)
	e.create(t, "owned", ruleSets["owner"], seed)
	e.create(t, "aged", `{"read":"doc.age >= 18 && !(doc.status == 'hidden')","write":false}`, "")
	e.create(t, "roomy", ruleSets["room"], seed)
	cases := []struct {
		user, coll, body string
		want             []string
	}{
		{"alice", "owned", `{}`, []string{"permission denied: the filter does not pin `_openid`; add `_openid: '{openid}'`"}},
		{"alice", "owned", `{"_openid":"ob"}`, []string{"add `_openid: '{openid}'`"}},
		{"alice", "owned", `{"$or":[{"_openid":"oa"},{"n":1}]}`, []string{"in branch 2 of the filter's $or:", "add `_openid: '{openid}'`"}},
		{"visitor", "owned", `{}`, []string{"the read rule failed (sign in first)"}},
		{"alice", "aged", `{}`, []string{"the filter does not imply doc.age >= <value>; add `age: _.gte(<value>)`"}},
		{"alice", "aged", `{"age":{"$gt":20}}`, []string{"add `status: _.neq(<value>)`"}},
		{"alice", "roomy", `{}`, []string{"the filter does not pin `room`"}},
	}
	for _, c := range cases {
		_, err := e.s.Query(e.users[c.user], c.coll, doc(t, `{"filter":`+c.body+`}`))
		msg := ""
		if err != nil {
			msg = err.Error()
		}
		for _, w := range c.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%s on %s %s: %q, want it to contain %q", c.user, c.coll, c.body, msg, w)
			}
		}
		if strings.Contains(msg, "doc._openid == auth.openid") || strings.Contains(msg, "get(") || strings.Contains(msg, "hidden") || strings.Contains(msg, "18") {
			t.Errorf("the client's error shows the rule: %q", msg)
		}
	}
}

// TestRulesChangeApplies: new rules hold from the next request on, and
// bad rules are refused with the position of the problem, changing nothing.
func TestRulesChangeApplies(t *testing.T) {
	e := newRulesEnv(t)
	admin := e.users["admin"]
	e.create(t, "c", `{"preset":"PRIVATE"}`, seed)
	if got := e.do(t, "bob", "c", "query {}"); got != "[b1]" {
		t.Fatalf("PRIVATE: %s", got)
	}
	if _, err := e.s.SetRules(admin, "c", doc(t, ruleSets["READONLY"])); err != nil {
		t.Fatal(err)
	}
	if got := e.do(t, "bob", "c", "query {}"); got != "[a1 a2 b1]" {
		t.Errorf("READONLY right after the change: %s", got)
	}
	bad := []struct{ rules, want string }{
		{`{"read":"doc._openid == auth.opnid ||"}`, `rule "read": at character 29: unexpected end of the rule`},
		{`{"read":"atuh.uid == 'x'"}`, `rule "read": at character 1: unknown name "atuh"`},
		{`{"write":"get('a') || get('b') || get('c') || get('d')"}`, `rule "write": at character 37: more than 3 get() calls`},
		{`{"read":1}`, `rule "read" must be true, false or an expression string`},
		{`{"reed":true}`, `unknown rule "reed"`},
		{`{"preset":"PUBLIC"}`, `a preset is given alone`},
		{`{"preset":"PRIVATE","read":true}`, `a preset is given alone`},
		{`{"read":"'` + strings.Repeat("x", 1100) + `' == doc.a"}`, `over the limit of 1024`},
	}
	for _, b := range bad {
		_, err := e.s.SetRules(admin, "c", doc(t, b.rules))
		if db.ErrorCode(err) != db.CodeInvalidParam || !strings.Contains(err.Error(), b.want) {
			t.Errorf("SetRules(%.60s): %v, want INVALID_PARAM %q", b.rules, err, b.want)
		}
	}
	if rs, _ := e.s.GetRules(admin, "c"); string(rs.JSON()) != `{"preset":"READONLY"}` {
		t.Errorf("rules after the refused changes: %s", rs.JSON())
	}
	if _, err := e.s.SetRules(e.users["alice"], "c", doc(t, ruleSets["ADMINONLY"])); db.ErrorCode(err) != db.CodePermissionDenied {
		t.Errorf("a client setting rules: %v", err)
	}
	if _, err := e.s.GetRules(admin, "nosuch"); db.ErrorCode(err) != db.CodeCollectionNotExist {
		t.Errorf("rules of a missing collection: %v", err)
	}
}

// storeUsers looks users up in the real SQLite store (auth.Service does
// the same, for admins).
type storeUsers struct{ u *sqlite.Users }

func (s storeUsers) GetUser(ctx context.Context, uid string) (*auth.UserAccount, error) {
	return s.u.User(ctx, uid)
}

// TestExplain: the admin's simulator says allowed or not, which rule
// decided, and how to fix a denied request.
func TestExplain(t *testing.T) {
	e := newRulesEnv(t)
	users := e.drv.Users()
	for _, u := range []*auth.UserAccount{{UID: "ua", OpenID: "oa", LoginType: auth.LoginWeChat}, {UID: "ub", OpenID: "ob", LoginType: auth.LoginAnonymous}} {
		u.Created, u.LastLogin = time.Now(), time.Now()
		if err := users.CreateUser(context.Background(), u); err != nil {
			t.Fatal(err)
		}
	}
	e.s.SetUsers(storeUsers{users})
	e.create(t, "owned", ruleSets["owner"], seed)
	e.create(t, "priv", ruleSets["PRIVATE"], seed)
	e.create(t, "valid", ruleSets["validate"], seed)
	e.create(t, "aged", `{"read":"doc.age >= 18","write":false}`, "")
	cases := []struct {
		body    string
		allowed bool
		rule    string
		reason  string
	}{
		{`{"collection":"owned","operation":"read","filter":{},"uid":"ua"}`, false, "read: doc._openid == auth.openid",
			"the filter does not pin `_openid`; add `_openid: '{openid}'`"},
		{`{"collection":"owned","operation":"query","filter":{"_openid":"{openid}"},"uid":"ua"}`, true, "read: doc._openid == auth.openid", "every document"},
		{`{"collection":"owned","operation":"get","id":"a1","uid":"ua"}`, true, "read: doc._openid == auth.openid", "the stored document satisfies it"},
		{`{"collection":"owned","operation":"get","id":"a1","uid":"ub"}`, false, "read: doc._openid == auth.openid", "the document does not satisfy the read rule"},
		{`{"collection":"owned","operation":"update","id":"b1","data":{"$set":{"n":1}},"uid":"ub"}`, true, "write: doc._openid == auth.openid", "stored document"},
		{`{"collection":"owned","operation":"remove","filter":{},"uid":"ub"}`, false, "write: doc._openid == auth.openid", "add `_openid: '{openid}'`"},
		{`{"collection":"owned","operation":"read","filter":{}}`, false, "read: doc._openid == auth.openid", "auth is null"},
		{`{"collection":"owned","operation":"read","filter":{"_openid":"{openid}"}}`, false, "read: doc._openid == auth.openid", "sign in first"},
		{`{"collection":"aged","operation":"read","filter":{},"uid":"ua"}`, false, "read: doc.age >= 18", "add `age: _.gte(18)`"},
		{`{"collection":"valid","operation":"create","data":{"n":50},"uid":"ua"}`, false, "create: auth != null && request.data.n < 10", "the document does not satisfy the create rule"},
		{`{"collection":"valid","operation":"insert","data":{"n":5},"uid":"ua"}`, true, "create: auth != null && request.data.n < 10", "satisfies"},
		{`{"collection":"valid","operation":"delete","id":"a1","uid":"ua"}`, false, "delete: false", "no document"},
		{`{"collection":"priv","operation":"read","filter":{},"uid":"ub"}`, true, "preset PRIVATE", "narrowed silently to the caller's own documents (_openid == 'ob')"},
		{`{"collection":"priv","operation":"read","filter":{}}`, false, "preset PRIVATE", "sign in first"},
	}
	for _, c := range cases {
		x, err := e.s.Explain(e.users["admin"], doc(t, c.body))
		if err != nil {
			t.Errorf("Explain(%s): %v", c.body, err)
			continue
		}
		if x.Allowed != c.allowed || x.Rule != c.rule || !strings.Contains(x.Reason, c.reason) {
			t.Errorf("Explain(%s) = %+v\nwant allowed %v, rule %q, reason containing %q", c.body, *x, c.allowed, c.rule, c.reason)
		}
	}
	if _, err := e.s.Explain(e.users["alice"], doc(t, `{"collection":"owned","operation":"read"}`)); db.ErrorCode(err) != db.CodePermissionDenied {
		t.Errorf("a client asking for an explanation: %v", err)
	}
	if _, err := e.s.Explain(e.users["admin"], doc(t, `{"collection":"owned","operation":"fly"}`)); db.ErrorCode(err) != db.CodeInvalidParam {
		t.Errorf("an unknown operation: %v", err)
	}
}
