//go:build !minibase_fuzz

package db_test

import (
	"strings"
	"testing"

	"minibase/server/servertest"
)

// owner is the custom rule "each user reads and writes their own".
const owner = `{"read":"doc._openid == auth.openid","write":"doc._openid == auth.openid"}`

// ownerNotes is notes under the owner rule, with alice's note a1 and
// bob's b1.
var ownerNotes = []servertest.Request{
	byAdmin("POST", "/v1/admin/collections", `{"name":"notes"}`),
	byAdmin("PUT", "/v1/admin/collections/notes/rules", owner),
	{Method: "POST", URL: "/v1/db/notes/insert", Body: `{"data":{"_id":"a1","t":"mine"}}`, As: alice},
	{Method: "POST", URL: "/v1/db/notes/insert", Body: `{"data":{"_id":"b1","t":"his"}}`, As: bob},
}

// explainFor is a Before that sends body as an explain request for
// alice's uid.
func explainFor(body string) func(testing.TB, *servertest.Server, *servertest.Request) {
	return func(tb testing.TB, s *servertest.Server, r *servertest.Request) {
		r.Body = body[:len(body)-1] + `,"uid":"` + s.Session(tb, alice).UID + `"}`
	}
}

// TestRulesAPI: an admin sets a collection's rules over HTTP; a client's
// denial arrives as DATABASE_PERMISSION_DENIED (-502003) with a reason that
// says how to fix the query; explain answers for a given user.
func TestRulesAPI(t *testing.T) {
	notes := []servertest.Request{byAdmin("POST", "/v1/admin/collections", `{"name":"notes"}`)}
	stillPrivate := servertest.Scenario{Name: "the rules are as they were", Method: "GET", URL: "/v1/admin/collections/notes/rules",
		As: asAdmin, Status: 200, Equal: `{"preset":"PRIVATE"}`}
	const why = "the filter does not pin `_openid`; add `_openid: '{openid}'` (rule read: doc._openid == auth.openid)"
	servertest.Run(t, []servertest.Scenario{
		{Name: "default rules", Setup: notes, Method: "GET", URL: "/v1/admin/collections/notes/rules", As: asAdmin,
			Status: 200, Want: `{"preset":"PRIVATE"}`},
		{Name: "rules of a missing collection", Method: "GET", URL: "/v1/admin/collections/nosuch/rules", As: asAdmin,
			Status: 404, Want: `{"code":"DATABASE_COLLECTION_NOT_EXIST"}`},
		{Name: "a rule that does not parse", Setup: notes, Method: "PUT", URL: "/v1/admin/collections/notes/rules",
			Body: `{"read":"doc._openid == auth.openid &&"}`, As: asAdmin, Status: 400, Want: `{"code":"INVALID_PARAM","errCode":-501007}`,
			After: func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
				messageHas(`rule "read": at character 30: unexpected end`)(tb, s, r) // the rule and the position
				s.Run(tb, stillPrivate)
			}},
		{Name: "a client cannot set rules", Setup: notes, Method: "PUT", URL: "/v1/admin/collections/notes/rules",
			Body: `{"read":true}`, As: alice, Status: 403, Want: `{"code":"DATABASE_PERMISSION_DENIED"}`,
			After: servertest.Then(stillPrivate)},
		{Name: "set custom rules", Setup: notes, Method: "PUT", URL: "/v1/admin/collections/notes/rules", Body: owner, As: asAdmin,
			Status: 200, Want: owner,
			After: servertest.Then(servertest.Scenario{Name: "read them back", Method: "GET", URL: "/v1/admin/collections/notes/rules",
				As: asAdmin, Status: 200, Want: owner})},
		{Name: "alice adds a note", Setup: ownerNotes[:2], Method: "POST", URL: "/v1/db/notes/insert", Body: `{"data":{"t":"mine"}}`,
			As: alice, Status: 200},
		{Name: "bob adds a note", Setup: ownerNotes[:3], Method: "POST", URL: "/v1/db/notes/insert", Body: `{"data":{"t":"his"}}`,
			As: bob, Status: 200},
		{Name: "a query that is not a subset of the rule", Setup: ownerNotes, Method: "POST", URL: "/v1/db/notes/query",
			Body: `{"filter":{}}`, As: alice, Status: 403, Want: `{"code":"DATABASE_PERMISSION_DENIED","errCode":-502003}`,
			Absent: []string{"auth.openid"}, After: messageHas("add `_openid: '{openid}'`")}, // the fix, not the rule
		{Name: "the same query pinned with '{openid}'", Setup: ownerNotes, Method: "POST", URL: "/v1/db/notes/query",
			Body: `{"filter":{"_openid":"{openid}"}}`, As: alice, Status: 200, Want: `{"data":[{"_id":"a1","t":"mine"}]}`},
		{Name: "doc(id).get by the owner", Setup: ownerNotes, Method: "GET", URL: "/v1/db/notes/docs/a1", As: alice,
			Status: 200, Want: `{"data":{"t":"mine"}}`},
		// To another user the document is not there (TestRulesNoExistenceOracle).
		{Name: "doc(id).get by another user", Setup: ownerNotes, Method: "GET", URL: "/v1/db/notes/docs/a1", As: bob,
			Status: 404, Want: `{"errCode":-1}`},
		{Name: "doc(id).update by another user", Setup: ownerNotes, Method: "PATCH", URL: "/v1/db/notes/docs/a1",
			Body: `{"update":{"$set":{"t":"x"}}}`, As: bob, Status: 200, Want: `{"stats":{"updated":0}}`,
			After: servertest.Then(get("notes", "a1", 200, ""), count("notes", `{"_id":"a1","t":"mine"}`, 1))},
		{Name: "explain for alice", Setup: ownerNotes, Method: "POST", URL: "/v1/admin/rules/explain", As: asAdmin,
			Before: explainFor(`{"collection":"notes","operation":"read","filter":{}}`), Status: 200,
			Want: `{"allowed":false,"rule":"read: doc._openid == auth.openid","reason":"` + why + `"}`},
		{Name: "explain, fixed", Setup: ownerNotes, Method: "POST", URL: "/v1/admin/rules/explain", As: asAdmin,
			Before: explainFor(`{"collection":"notes","operation":"read","filter":{"_openid":"{openid}"}}`), Status: 200,
			Want: `{"allowed":true}`},
		{Name: "explain for an unknown user", Setup: ownerNotes, Method: "POST", URL: "/v1/admin/rules/explain",
			Body: `{"collection":"notes","operation":"read","uid":"nobody"}`, As: asAdmin, Status: 404, Want: `{"code":"USER_NOT_FOUND"}`},
		{Name: "explain is for admins", Setup: ownerNotes, Method: "POST", URL: "/v1/admin/rules/explain",
			Body: `{"collection":"notes","operation":"read"}`, As: alice, Status: 403},
		{Name: "back to a preset", Setup: ownerNotes, Method: "PUT", URL: "/v1/admin/collections/notes/rules",
			Body: `{"preset":"READONLY"}`, As: asAdmin, Status: 200, Want: `{"preset":"READONLY"}`,
			After: servertest.Then(servertest.Scenario{Name: "a visitor reads a READONLY collection", Method: "POST",
				URL: "/v1/db/notes/query", Body: `{}`, Status: 200, Want: `{"data":[{},{}]}`})},
	})
}

// TestRulesNoExistenceOracle: to a client that may not read a
// document, it looks the same as a missing one. GET, PATCH and DELETE of
// another user's id answer exactly (status and body) as after the document
// is gone, under PRIVATE and under custom rules; PUT of it answers as an
// insert of that _id does (set would create a missing id, and cannot).
func TestRulesNoExistenceOracle(t *testing.T) {
	for _, c := range []struct{ name, rules string }{
		{"PRIVATE", `{"preset":"PRIVATE"}`},
		{"owner", owner},
		{"owner or shared", `{"read":"doc._openid == auth.openid || doc.shared == true","write":"doc._openid == auth.openid"}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := servertest.New(t, servertest.Options{})
			s.Do(t, byAdmin("POST", "/v1/admin/collections", `{"name":"c"}`)).Expect(t, 200, "")
			s.Do(t, byAdmin("PUT", "/v1/admin/collections/c/rules", c.rules)).Expect(t, 200, "")
			s.Do(t, servertest.Request{Method: "POST", URL: "/v1/db/c/insert", Body: `{"data":{"_id":"x1","t":"mine"}}`, As: alice}).
				Expect(t, 200, "")
			const doc = "/v1/db/c/docs/x1"
			bobAsks := func() []*servertest.Response {
				return []*servertest.Response{
					s.Do(t, servertest.Request{Method: "GET", URL: doc, As: bob}),
					s.Do(t, servertest.Request{Method: "PATCH", URL: doc, Body: `{"update":{"$set":{"t":"x"}}}`, As: bob}),
					s.Do(t, servertest.Request{Method: "DELETE", URL: doc, As: bob}),
				}
			}
			there := bobAsks()
			put := s.Do(t, servertest.Request{Method: "PUT", URL: doc, Body: `{"data":{"t":"his"}}`, As: bob})
			insert := s.Do(t, servertest.Request{Method: "POST", URL: "/v1/db/c/insert", Body: `{"data":{"_id":"x1","t":"his"}}`, As: bob})
			if put.Status != insert.Status || put.Body != insert.Body || put.Status != 409 {
				t.Errorf("bob's PUT of alice's id = %d %s; his insert of that _id = %d %s: want the same 409", put.Status, put.Body, insert.Status, insert.Body)
			}
			s.Do(t, servertest.Request{Method: "GET", URL: doc, As: alice}).Expect(t, 200, `{"data":{"t":"mine"}}`)
			s.Do(t, byAdmin("DELETE", doc, "")).Expect(t, 200, `{"stats":{"removed":1}}`)
			gone := bobAsks()
			for k, what := range []string{"GET", "PATCH", "DELETE"} {
				if there[k].Status != gone[k].Status || there[k].Body != gone[k].Body {
					t.Errorf("bob's %s of alice's document = %d %s, of a missing one = %d %s", what, there[k].Status, there[k].Body, gone[k].Status, gone[k].Body)
				}
			}
			gone[0].Expect(t, 404, `{"code":"DATABASE_DOCUMENT_NOT_EXIST"}`)
		})
	}
}

// TestRulesDocUpdateAsWhere: the SDK sends doc(id).update as a where-update
// on {_id} (mini-program request APIs have no PATCH), and doc(id).remove
// from wx-server-sdk-style code as a where-remove on {_id}. Under a custom
// owner rule those are checked against the stored document, as docs/{id}
// is: the owner's succeed, another user's change nothing, and neither needs
// `_openid` in the filter.
func TestRulesDocUpdateAsWhere(t *testing.T) {
	const update = `{"filter":{"_id":"a1"},"update":{"$set":{"t":"edited"}},"multi":false}`
	const remove = `{"filter":{"_id":"a1"}}`
	unchanged := servertest.Then(count("notes", `{"_id":"a1","t":"mine"}`, 1))
	servertest.Run(t, []servertest.Scenario{
		{Name: "another user's doc(id).update", Setup: ownerNotes, Method: "POST", URL: "/v1/db/notes/update", Body: update,
			As: bob, Status: 200, Want: `{"stats":{"updated":0}}`, After: unchanged},
		{Name: "the owner's doc(id).update", Setup: ownerNotes, Method: "POST", URL: "/v1/db/notes/update", Body: update,
			As: alice, Status: 200, Want: `{"stats":{"updated":1}}`,
			After: servertest.Then(servertest.Scenario{Name: "the edit", Method: "GET", URL: "/v1/db/notes/docs/a1", As: alice,
				Status: 200, Want: `{"data":{"t":"edited"}}`})},
		{Name: "a where-update on more than the id still needs the proof", Setup: ownerNotes, Method: "POST",
			URL: "/v1/db/notes/update", Body: `{"filter":{"_id":"a1","t":"mine"},"update":{"$set":{"t":"x"}}}`, As: alice,
			Status: 403, Want: `{"code":"DATABASE_PERMISSION_DENIED"}`, After: unchanged},
		{Name: "another user's where-remove by id", Setup: ownerNotes, Method: "POST", URL: "/v1/db/notes/remove", Body: remove,
			As: bob, Status: 200, Want: `{"stats":{"removed":0}}`, After: unchanged},
		{Name: "the owner's where-remove by id", Setup: ownerNotes, Method: "POST", URL: "/v1/db/notes/remove", Body: remove,
			As: alice, Status: 200, Want: `{"stats":{"removed":1}}`, After: servertest.Then(count("notes", `{"_id":"a1"}`, 0))},
	})
}

// TestRulesValidateAPI: POST /v1/admin/rules/validate checks a rule set as
// PUT …/rules would, without saving it: {"ok":true} for what PUT accepts,
// else PUT's own status, code and message (the rule and the character
// position), so the console can show it while the admin types. It is for
// admins only and stores nothing.
func TestRulesValidateAPI(t *testing.T) {
	const url = "/v1/admin/rules/validate"
	notes := []servertest.Request{byAdmin("POST", "/v1/admin/collections", `{"name":"notes"}`)}
	stillPrivate := servertest.Then(servertest.Scenario{Name: "the rules are as they were", Method: "GET",
		URL: "/v1/admin/collections/notes/rules", As: asAdmin, Status: 200, Equal: `{"preset":"PRIVATE"}`})
	invalid := `{"code":"INVALID_PARAM","errCode":-501007}`
	// samePut checks that PUT answers body exactly as validate did.
	samePut := func(rules string) func(testing.TB, *servertest.Server, *servertest.Response) {
		return func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
			tb.Helper()
			put := s.Do(tb, byAdmin("PUT", "/v1/admin/collections/notes/rules", rules))
			if put.Status != r.Status || put.Body != r.Body {
				tb.Errorf("validate answered %d %s; PUT answers %d %s", r.Status, r.Body, put.Status, put.Body)
			}
			s.Run(tb, servertest.Scenario{Name: "nothing saved", Method: "GET", URL: "/v1/admin/collections/notes/rules",
				As: asAdmin, Status: 200, Equal: `{"preset":"PRIVATE"}`})
		}
	}
	servertest.Run(t, []servertest.Scenario{
		{Name: "custom rules", Setup: notes, Method: "POST", URL: url, Body: `{"rules":` + owner + `}`, As: asAdmin,
			Status: 200, Equal: `{"ok":true}`, After: stillPrivate},
		{Name: "a preset", Method: "POST", URL: url, Body: `{"rules":{"preset":"READONLY"}}`, As: asAdmin,
			Status: 200, Equal: `{"ok":true}`},
		{Name: "true and false", Method: "POST", URL: url, Body: `{"rules":{"read":true,"write":false}}`, As: asAdmin,
			Status: 200, Equal: `{"ok":true}`},
		{Name: "an expression that does not parse", Setup: notes, Method: "POST", URL: url,
			Body: `{"rules":{"read":"doc._openid == auth.openid &&"}}`, As: asAdmin, Status: 400, Want: invalid,
			After: func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
				messageHas(`rule "read": at character 30: unexpected end`)(tb, s, r)
				samePut(`{"read":"doc._openid == auth.openid &&"}`)(tb, s, r)
			}},
		{Name: "an unknown variable", Setup: notes, Method: "POST", URL: url,
			Body: `{"rules":{"read":true,"write":"user.id == doc.owner"}}`, As: asAdmin, Status: 400, Want: invalid,
			After: func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
				messageHas(`rule "write": at character 1`)(tb, s, r)
				samePut(`{"read":true,"write":"user.id == doc.owner"}`)(tb, s, r)
			}},
		{Name: "an expression over the length limit", Setup: notes, Method: "POST", URL: url,
			Body: `{"rules":{"read":"auth.uid == '` + strings.Repeat("x", 1024) + `'"}}`, As: asAdmin, Status: 400, Want: invalid,
			After: messageHas("over the limit of 1024")},
		{Name: "an unknown rule", Setup: notes, Method: "POST", URL: url, Body: `{"rules":{"reed":true}}`, As: asAdmin,
			Status: 400, Want: invalid, After: func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
				messageHas(`unknown rule "reed"`)(tb, s, r)
				samePut(`{"reed":true}`)(tb, s, r)
			}},
		{Name: "a rule that is a number", Setup: notes, Method: "POST", URL: url, Body: `{"rules":{"read":1}}`, As: asAdmin,
			Status: 400, Want: invalid, After: func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
				messageHas(`rule "read" must be true, false or an expression string`)(tb, s, r)
				samePut(`{"read":1}`)(tb, s, r)
			}},
		{Name: "a preset with rules", Setup: notes, Method: "POST", URL: url, Body: `{"rules":{"preset":"PRIVATE","read":true}}`,
			As: asAdmin, Status: 400, Want: invalid, After: samePut(`{"preset":"PRIVATE","read":true}`)},
		{Name: "an unknown preset", Method: "POST", URL: url, Body: `{"rules":{"preset":"PUBLIC"}}`, As: asAdmin,
			Status: 400, Want: invalid, After: messageHas("a preset is given alone")},
		{Name: "no rules", Method: "POST", URL: url, Body: `{}`, As: asAdmin, Status: 400, Want: invalid,
			After: messageHas("rules must be an object")},
		{Name: "rules that are not an object", Method: "POST", URL: url, Body: `{"rules":"PRIVATE"}`, As: asAdmin,
			Status: 400, Want: invalid, After: messageHas("rules must be an object")},
		{Name: "an unknown field", Method: "POST", URL: url, Body: `{"rules":{"read":true},"collection":"notes"}`, As: asAdmin,
			Status: 400, Want: invalid, After: messageHas(`unknown field "collection"`)},
		{Name: "malformed JSON", Method: "POST", URL: url, Body: `{"rules":{"read":`, As: asAdmin, Status: 400, Want: invalid},
		{Name: "a client cannot validate", Setup: notes, Method: "POST", URL: url, Body: `{"rules":{"read":true}}`, As: alice,
			Status: 403, Want: `{"code":"DATABASE_PERMISSION_DENIED"}`, After: stillPrivate},
		{Name: "a visitor cannot validate", Method: "POST", URL: url, Body: `{"rules":{"read":true}}`, Status: 403,
			Want: `{"code":"DATABASE_PERMISSION_DENIED"}`},
		{Name: "oversized body", Method: "POST", URL: url, Body: `{"rules":{"read":"` + strings.Repeat("x", 17<<20) + `"}}`,
			As: asAdmin, Status: 413},
	})
}
