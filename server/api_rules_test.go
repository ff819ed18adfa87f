package server

import (
	"strings"
	"testing"
)

// TestRulesAPI: an admin sets a collection's rules over HTTP; a client's
// denial arrives as DATABASE_PERMISSION_DENIED (-502003) with a reason that
// says how to fix the query; explain answers for a given user.
func TestRulesAPI(t *testing.T) {
	m, _ := newAuthMain(t, nil)
	alice := m.signIn(t, "/v1/auth/anonymous", "", `{}`)
	bob := m.signIn(t, "/v1/auth/anonymous", "", `{}`)
	at, bt := alice.str("access_token"), bob.str("access_token")
	expect(t, "create notes", m.do(t, "POST", "/v1/admin/collections", testKey, `{"name":"notes"}`), 200, "")
	expect(t, "default rules", m.do(t, "GET", "/v1/admin/collections/notes/rules", testKey, ""), 200, `{"preset":"PRIVATE"}`)
	expect(t, "rules of a missing collection", m.do(t, "GET", "/v1/admin/collections/nosuch/rules", testKey, ""), 404,
		`{"code":"DATABASE_COLLECTION_NOT_EXIST"}`)
	bad := m.do(t, "PUT", "/v1/admin/collections/notes/rules", testKey, `{"read":"doc._openid == auth.openid &&"}`)
	expect(t, "a rule that does not parse", bad, 400, `{"code":"INVALID_PARAM","errCode":-501007}`)
	if msg := bad.str("message"); !strings.Contains(msg, `rule "read": at character 30: unexpected end`) {
		t.Errorf("parse error message %q: want the rule and the position", msg)
	}
	expect(t, "a client cannot set rules", m.do(t, "PUT", "/v1/admin/collections/notes/rules", at, `{"read":true}`), 403,
		`{"code":"DATABASE_PERMISSION_DENIED"}`)
	owner := `{"read":"doc._openid == auth.openid","write":"doc._openid == auth.openid"}`
	expect(t, "set custom rules", m.do(t, "PUT", "/v1/admin/collections/notes/rules", testKey, owner), 200, owner)
	expect(t, "read them back", m.do(t, "GET", "/v1/admin/collections/notes/rules", testKey, ""), 200, owner)

	a := m.do(t, "POST", "/v1/db/notes/insert", at, `{"data":{"t":"mine"}}`)
	expect(t, "alice adds a note", a, 200, "")
	id := a.str("_id")
	expect(t, "bob adds a note", m.do(t, "POST", "/v1/db/notes/insert", bt, `{"data":{"t":"his"}}`), 200, "")

	denied := m.do(t, "POST", "/v1/db/notes/query", at, `{"filter":{}}`)
	expect(t, "a query that is not a subset of the rule", denied, 403, `{"code":"DATABASE_PERMISSION_DENIED","errCode":-502003}`)
	if msg := denied.str("message"); !strings.Contains(msg, "add `_openid: '{openid}'`") || strings.Contains(msg, "auth.openid") {
		t.Errorf("denial message %q: want the fix, not the rule", msg)
	}
	q := m.do(t, "POST", "/v1/db/notes/query", at, `{"filter":{"_openid":"{openid}"}}`)
	expect(t, "the same query pinned with '{openid}'", q, 200, "")
	if data, _ := q.body["data"].([]any); len(data) != 1 || data[0].(map[string]any)["t"] != "mine" {
		t.Errorf("alice's pinned query: %s", q.raw)
	}
	expect(t, "doc(id).get by the owner", m.do(t, "GET", "/v1/db/notes/docs/"+id, at, ""), 200, `{"data":{"t":"mine"}}`)
	// To another user the document is not there (TestRulesNoExistenceOracle).
	expect(t, "doc(id).get by another user", m.do(t, "GET", "/v1/db/notes/docs/"+id, bt, ""), 404, `{"errCode":-1}`)
	expect(t, "doc(id).update by another user", m.do(t, "PATCH", "/v1/db/notes/docs/"+id, bt, `{"update":{"$set":{"t":"x"}}}`), 200, `{"stats":{"updated":0}}`)

	expect(t, "explain for alice", m.do(t, "POST", "/v1/admin/rules/explain", testKey,
		`{"collection":"notes","operation":"read","filter":{},"uid":"`+alice.str("user.uid")+`"}`), 200,
		`{"allowed":false,"rule":"read: doc._openid == auth.openid","reason":"the filter does not pin `+"`_openid`; add `_openid: '{openid}'`"+` (rule read: doc._openid == auth.openid)"}`)
	expect(t, "explain, fixed", m.do(t, "POST", "/v1/admin/rules/explain", testKey,
		`{"collection":"notes","operation":"read","filter":{"_openid":"{openid}"},"uid":"`+alice.str("user.uid")+`"}`), 200, `{"allowed":true}`)
	expect(t, "explain for an unknown user", m.do(t, "POST", "/v1/admin/rules/explain", testKey,
		`{"collection":"notes","operation":"read","uid":"nobody"}`), 404, `{"code":"USER_NOT_FOUND"}`)
	expect(t, "explain is for admins", m.do(t, "POST", "/v1/admin/rules/explain", at, `{"collection":"notes","operation":"read"}`), 403, "")

	expect(t, "back to a preset", m.do(t, "PUT", "/v1/admin/collections/notes/rules", testKey, `{"preset":"READONLY"}`), 200, `{"preset":"READONLY"}`)
	r := m.do(t, "POST", "/v1/db/notes/query", "", `{}`)
	expect(t, "a visitor reads a READONLY collection", r, 200, "")
	if data, _ := r.body["data"].([]any); len(data) != 2 {
		t.Errorf("visitor query: %s", r.raw)
	}
}

// TestRulesNoExistenceOracle (issue 11.9): to a client that may not read a
// document, it looks the same as a missing one. GET, PATCH and DELETE of
// another user's id answer exactly (status and body) as after the document
// is gone, under PRIVATE and under custom rules; PUT of it answers as an
// insert of that _id does (set would create a missing id, and cannot).
func TestRulesNoExistenceOracle(t *testing.T) {
	m, _ := newAuthMain(t, nil)
	at := m.signIn(t, "/v1/auth/anonymous", "", `{}`).str("access_token")
	bt := m.signIn(t, "/v1/auth/anonymous", "", `{}`).str("access_token")
	for i, rules := range []string{
		`{"preset":"PRIVATE"}`,
		`{"read":"doc._openid == auth.openid","write":"doc._openid == auth.openid"}`,
		`{"read":"doc._openid == auth.openid || doc.shared == true","write":"doc._openid == auth.openid"}`,
	} {
		coll := "c" + string(rune('0'+i))
		expect(t, "create "+coll, m.do(t, "POST", "/v1/admin/collections", testKey, `{"name":"`+coll+`"}`), 200, "")
		expect(t, "rules "+rules, m.do(t, "PUT", "/v1/admin/collections/"+coll+"/rules", testKey, rules), 200, "")
		expect(t, "alice's document", m.do(t, "POST", "/v1/db/"+coll+"/insert", at, `{"data":{"_id":"x1","t":"mine"}}`), 200, "")
		doc := "/v1/db/" + coll + "/docs/x1"
		bobAsks := func() []answer {
			return []answer{
				m.do(t, "GET", doc, bt, ""),
				m.do(t, "PATCH", doc, bt, `{"update":{"$set":{"t":"x"}}}`),
				m.do(t, "DELETE", doc, bt, ""),
			}
		}
		there := bobAsks()
		put := m.do(t, "PUT", doc, bt, `{"data":{"t":"his"}}`)
		insert := m.do(t, "POST", "/v1/db/"+coll+"/insert", bt, `{"data":{"_id":"x1","t":"his"}}`)
		if put.status != insert.status || put.raw != insert.raw || put.status != 409 {
			t.Errorf("%s: bob's PUT of alice's id = %d %s; his insert of that _id = %d %s: want the same 409", rules, put.status, put.raw, insert.status, insert.raw)
		}
		expect(t, "alice's document unchanged", m.do(t, "GET", doc, at, ""), 200, `{"data":{"t":"mine"}}`)
		expect(t, "admin removes it", m.do(t, "DELETE", doc, testKey, ""), 200, `{"stats":{"removed":1}}`)
		gone := bobAsks()
		for k, what := range []string{"GET", "PATCH", "DELETE"} {
			if there[k].status != gone[k].status || there[k].raw != gone[k].raw {
				t.Errorf("%s: bob's %s of alice's document = %d %s, of a missing one = %d %s", rules, what, there[k].status, there[k].raw, gone[k].status, gone[k].raw)
			}
		}
		expect(t, "a missing document", gone[0], 404, `{"code":"DATABASE_DOCUMENT_NOT_EXIST"}`)
	}
}

// TestRulesDocUpdateAsWhere: the SDK sends doc(id).update as a where-update
// on {_id} (mini-program request APIs have no PATCH), and doc(id).remove
// from wx-server-sdk-style code as a where-remove on {_id}. Under a custom
// owner rule those are checked against the stored document, as docs/{id}
// is: the owner's succeed, another user's change nothing, and neither needs
// `_openid` in the filter.
func TestRulesDocUpdateAsWhere(t *testing.T) {
	m, _ := newAuthMain(t, nil)
	at := m.signIn(t, "/v1/auth/anonymous", "", `{}`).str("access_token")
	bt := m.signIn(t, "/v1/auth/anonymous", "", `{}`).str("access_token")
	expect(t, "create notes", m.do(t, "POST", "/v1/admin/collections", testKey, `{"name":"notes"}`), 200, "")
	owner := `{"read":"doc._openid == auth.openid","write":"doc._openid == auth.openid"}`
	expect(t, "set custom rules", m.do(t, "PUT", "/v1/admin/collections/notes/rules", testKey, owner), 200, owner)
	id := m.do(t, "POST", "/v1/db/notes/insert", at, `{"data":{"t":"mine"}}`).str("_id")
	update := `{"filter":{"_id":"` + id + `"},"update":{"$set":{"t":"edited"}},"multi":false}`
	expect(t, "another user's doc(id).update", m.do(t, "POST", "/v1/db/notes/update", bt, update), 200, `{"stats":{"updated":0}}`)
	expect(t, "the owner's doc(id).update", m.do(t, "POST", "/v1/db/notes/update", at, update), 200, `{"stats":{"updated":1}}`)
	expect(t, "the edit", m.do(t, "GET", "/v1/db/notes/docs/"+id, at, ""), 200, `{"data":{"t":"edited"}}`)
	expect(t, "a where-update on more than the id still needs the proof",
		m.do(t, "POST", "/v1/db/notes/update", at, `{"filter":{"_id":"`+id+`","t":"edited"},"update":{"$set":{"t":"x"}}}`), 403,
		`{"code":"DATABASE_PERMISSION_DENIED"}`)
	remove := `{"filter":{"_id":"` + id + `"}}`
	expect(t, "another user's where-remove by id", m.do(t, "POST", "/v1/db/notes/remove", bt, remove), 200, `{"stats":{"removed":0}}`)
	expect(t, "the owner's where-remove by id", m.do(t, "POST", "/v1/db/notes/remove", at, remove), 200, `{"stats":{"removed":1}}`)
}
