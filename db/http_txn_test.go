//go:build !minibase_fuzz

package db_test

import (
	"strings"
	"testing"

	"minibase/server/servertest"
)

// accounts are a (balance 100) and b (0), and an empty log.
var accounts = []servertest.Request{
	byAdmin("POST", "/v1/db/acc/insert", `{"data":[{"_id":"a","balance":100},{"_id":"b","balance":0}]}`),
	byAdmin("POST", "/v1/admin/collections", `{"name":"log"}`),
}

// transaction is a POST /v1/db/transaction of body as who.
func transaction(who servertest.Identity, body string) servertest.Request {
	return servertest.Request{Method: "POST", URL: "/v1/db/transaction", Body: body, As: who}
}

// untouched checks that a and b hold what accounts gave them.
var untouched = servertest.Then(
	get("acc", "a", 200, `{"data":{"_id":"a","balance":100}}`),
	get("acc", "b", 200, `{"data":{"_id":"b","balance":0}}`),
	count("log", `{}`, 0),
)

const transfer30 = `[{"op":"updateDoc","coll":"acc","id":"a","update":{"$inc":{"balance":-30}}},
	{"op":"updateDoc","coll":"acc","id":"b","update":{"$inc":{"balance":30}}}]`

// TestTransactionAPI: POST /v1/db/transaction applies a list of operations
// all or nothing, answering each as its own endpoint does.
func TestTransactionAPI(t *testing.T) {
	servertest.Run(t, []servertest.Scenario{
		{Name: "an admin's transfer, across collections", Setup: accounts, Method: "POST", URL: "/v1/db/transaction", As: asAdmin,
			Body: `{"ops":[` + transfer30[1:len(transfer30)-1] + `,
				{"op":"insert","coll":"log","data":{"_id":"l1","from":"a","to":"b","n":30}},
				{"op":"getDoc","coll":"acc","id":"a","projection":{"balance":1}}]}`,
			Status: 200, Equal: `{"results":[{"stats":{"updated":1}},{"stats":{"updated":1}},{"_id":"l1"},{"data":{"_id":"a","balance":70}}]}`,
			After: servertest.Then(
				get("acc", "a", 200, `{"data":{"_id":"a","balance":70}}`),
				get("acc", "b", 200, `{"data":{"_id":"b","balance":30}}`),
				get("log", "l1", 200, `{"data":{"_id":"l1","from":"a","to":"b","n":30}}`))},
		{Name: "every answer's shape", Setup: accounts, Method: "POST", URL: "/v1/db/transaction", As: asAdmin,
			Body: `{"ops":[
				{"op":"getDoc","coll":"acc","id":"nosuch"},
				{"op":"insert","coll":"log","data":[{"_id":"l1"},{"_id":"l2"}]},
				{"op":"setDoc","coll":"log","id":"l3","data":{"n":3}},
				{"op":"setDoc","coll":"log","id":"l3","data":{"n":4}},
				{"op":"update","coll":"log","filter":{"_id":{"$in":["l1","l2"]}},"update":{"$set":{"n":1}},"multi":true},
				{"op":"update","coll":"log","filter":{"_id":"l9"},"update":{"$set":{"n":9}},"upsert":true},
				{"op":"remove","coll":"log","filter":{"n":1},"multi":true},
				{"op":"removeDoc","coll":"log","id":"l3"},
				{"op":"updateDoc","coll":"log","id":"l3","update":{"$set":{"n":5}}}]}`,
			Status: 200, Equal: `{"results":[{"data":null},{"_ids":["l1","l2"]},{"_id":"l3","stats":{"created":1,"updated":0}},
				{"_id":"l3","stats":{"created":0,"updated":1}},{"stats":{"matched":2,"updated":2}},
				{"stats":{"created":1,"matched":0,"updated":0},"upsertedId":"l9"},{"stats":{"removed":2}},{"stats":{"removed":1}},
				{"stats":{"updated":0}}]}`,
			After: servertest.Then(count("log", `{}`, 1), get("log", "l9", 200, `{"data":{"_id":"l9","n":9}}`))},
		{Name: "all or nothing: the failing operation is named, nothing is written", Setup: accounts,
			Method: "POST", URL: "/v1/db/transaction", As: asAdmin,
			Body:   `{"ops":[` + transfer30[1:len(transfer30)-1] + `,{"op":"insert","coll":"acc","data":{"_id":"b"}}]}`,
			Status: 409, Want: `{"code":"DATABASE_DUPLICATE_KEY"}`,
			After: func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
				messageHas("ops[2] (insert): duplicate _id")(tb, s, r)
				untouched(tb, s, r)
			}},
		{Name: "a dry run answers with revs and writes nothing", Setup: accounts, Method: "POST", URL: "/v1/db/transaction", As: asAdmin,
			Body:   `{"commit":false,"ops":` + transfer30 + `}`,
			Status: 200, Want: `{"results":[{"stats":{"updated":1}},{"stats":{"updated":1}}]}`,
			After: func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
				for _, p := range []string{"results.0.rev", "results.1.rev"} {
					if len(r.Str(p)) != 16 {
						tb.Errorf("%s: %q, want a rev of 16 characters", p, r.Str(p))
					}
				}
				untouched(tb, s, r)
			}},
		{Name: "a rev that still holds: the commit goes through", Setup: accounts, Method: "POST", URL: "/v1/db/transaction", As: asAdmin,
			Before: withRev(asAdmin, nil),
			Status: 200, Equal: `{"results":[{"data":{"_id":"a","balance":100}},{"stats":{"updated":1}}]}`,
			After: servertest.Then(get("acc", "a", 200, `{"data":{"_id":"a","balance":0}}`))},
		{Name: "a rev whose answer changed: a conflict, nothing written", Setup: accounts,
			Method: "POST", URL: "/v1/db/transaction", As: asAdmin,
			Before: withRev(asAdmin, &servertest.Request{Method: "PATCH", URL: "/v1/db/acc/docs/a", Body: `{"update":{"$inc":{"balance":1}}}`, As: asAdmin}),
			Status: 409, Want: `{"code":"DATABASE_TRANSACTION_CONFLICT","errCode":-502001}`,
			After: func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
				messageHas("ops[0] (getDoc): transaction conflict")(tb, s, r)
				s.Run(tb, get("acc", "a", 200, `{"data":{"_id":"a","balance":101}}`))
			}},
	})
}

// withRev is a Before that reads account a in a dry run, sends change (if
// any), and then sends the read again with its rev, then sets a's balance
// to 0.
func withRev(who servertest.Identity, change *servertest.Request) func(testing.TB, *servertest.Server, *servertest.Request) {
	return func(tb testing.TB, s *servertest.Server, r *servertest.Request) {
		dry := s.Do(tb, transaction(who, `{"commit":false,"ops":[{"op":"getDoc","coll":"acc","id":"a"}]}`))
		dry.Expect(tb, 200, `{"results":[{"data":{"_id":"a"}}]}`)
		if change != nil {
			s.Do(tb, *change).Expect(tb, 200, "")
		}
		r.Body = `{"ops":[{"op":"getDoc","coll":"acc","id":"a","rev":"` + dry.Str("results.0.rev") + `"},
			{"op":"updateDoc","coll":"acc","id":"a","update":{"$set":{"balance":0}}}]}`
	}
}

// TestTransactionInput: a request that is not a good transaction is
// refused with a clear error, and changes nothing.
func TestTransactionInput(t *testing.T) {
	many := strings.Repeat(`{"op":"getDoc","coll":"acc","id":"a"},`, 101)
	bad := func(name, body, says string) servertest.Scenario {
		return servertest.Scenario{Name: name, Setup: accounts, Method: "POST", URL: "/v1/db/transaction", As: asAdmin, Body: body,
			Status: 400, Want: `{"code":"INVALID_PARAM","errCode":-501007}`,
			After: func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
				messageHas(says)(tb, s, r)
				untouched(tb, s, r)
			}}
	}
	servertest.Run(t, []servertest.Scenario{
		bad("an unknown operation", `{"ops":[`+transfer30[1:len(transfer30)-1]+`,{"op":"drop","coll":"acc"}]}`, `ops[2]: unknown operation "drop"`),
		bad("more than 100 operations", `{"ops":[`+many[:len(many)-1]+`]}`, "1 to 100 operations"),
		bad("no operations", `{"ops":[]}`, "1 to 100 operations"),
		bad("ops that is not an array", `{"ops":{"op":"getDoc"}}`, "ops must be an array"),
		bad("an operation that is not an object", `{"ops":[`+transfer30[1:len(transfer30)-1]+`,"getDoc"]}`, "ops[2]: an operation must be an object"),
		bad("an insert without its document", `{"ops":[`+transfer30[1:len(transfer30)-1]+`,{"op":"insert","coll":"log"}]}`, "ops[2] (insert): data must be"),
		bad("a document operation without its id", `{"ops":[`+transfer30[1:len(transfer30)-1]+`,{"op":"updateDoc","coll":"acc","update":{"$set":{"x":1}}}]}`, "id (the document's _id) is required"),
		bad("an unknown field", `{"ops":`+transfer30+`,"atomic":true}`, `unknown field "atomic"`),
		bad("commit that is not a boolean", `{"ops":`+transfer30+`,"commit":"yes"}`, "commit must be true or false"),
		bad("an update that is not one", `{"ops":[`+transfer30[1:len(transfer30)-1]+`,{"op":"updateDoc","coll":"acc","id":"b","update":{"balance":1}}]}`, "ops[2] (updateDoc)"),
		{Name: "a body that is not JSON", Method: "POST", URL: "/v1/db/transaction", As: asAdmin, Body: `{"ops":[`,
			Status: 400, Want: `{"code":"INVALID_PARAM"}`},
	})
}

// TestTransactionRules: a client's transaction runs each operation under
// the collection's rules as the operation alone would; one denied
// operation fails the whole transaction, and nothing is written.
func TestTransactionRules(t *testing.T) {
	// posts: anyone reads, each writes their own; alice's p1, bob's p2.
	posts := []servertest.Request{
		byAdmin("POST", "/v1/admin/collections", `{"name":"posts"}`),
		byAdmin("PUT", "/v1/admin/collections/posts/rules", `{"read":true,"write":"doc._openid == auth.openid"}`),
		{Method: "POST", URL: "/v1/db/posts/insert", Body: `{"data":{"_id":"p1","t":"alice's"}}`, As: alice},
		{Method: "POST", URL: "/v1/db/posts/insert", Body: `{"data":{"_id":"p2","t":"bob's"}}`, As: bob},
	}
	postsAsThey := servertest.Then(
		count("posts", `{"_id":"p1","t":"alice's"}`, 1),
		count("posts", `{"_id":"p2","t":"bob's"}`, 1),
		count("posts", `{}`, 2))
	// notes: PRIVATE (the default); bob's b1.
	notes := []servertest.Request{
		byAdmin("POST", "/v1/admin/collections", `{"name":"notes"}`),
		{Method: "POST", URL: "/v1/db/notes/insert", Body: `{"data":{"_id":"b1","t":"bob's"}}`, As: bob},
	}
	servertest.Run(t, []servertest.Scenario{
		{Name: "one denied operation fails the transaction", Setup: posts, Method: "POST", URL: "/v1/db/transaction", As: alice,
			Body: `{"ops":[{"op":"updateDoc","coll":"posts","id":"p1","update":{"$set":{"t":"edited"}}},
				{"op":"insert","coll":"posts","data":{"_id":"p3","t":"new"}},
				{"op":"updateDoc","coll":"posts","id":"p2","update":{"$set":{"t":"edited"}}}]}`,
			Status: 403, Want: `{"code":"DATABASE_PERMISSION_DENIED","errCode":-502003}`,
			After: func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
				messageHas("ops[2] (updateDoc): permission denied")(tb, s, r)
				postsAsThey(tb, s, r)
			}},
		{Name: "a where-update the rule cannot prove fails it too", Setup: posts, Method: "POST", URL: "/v1/db/transaction", As: alice,
			Body: `{"ops":[{"op":"updateDoc","coll":"posts","id":"p1","update":{"$set":{"t":"edited"}}},
				{"op":"update","coll":"posts","filter":{},"update":{"$set":{"t":"all"}},"multi":true}]}`,
			Status: 403, Want: `{"code":"DATABASE_PERMISSION_DENIED"}`, After: postsAsThey},
		{Name: "the owner's operations go through, stamped", Setup: posts, Method: "POST", URL: "/v1/db/transaction", As: alice,
			Body: `{"ops":[{"op":"updateDoc","coll":"posts","id":"p1","update":{"$set":{"t":"edited"}}},
				{"op":"insert","coll":"posts","data":{"_id":"p3","t":"new"}},
				{"op":"getDoc","coll":"posts","id":"p2"},
				{"op":"update","coll":"posts","filter":{"_openid":"{openid}"},"update":{"$inc":{"n":1}},"multi":true}]}`,
			Status: 200, Want: `{"results":[{"stats":{"updated":1}},{"_id":"p3"},{"data":{"_id":"p2","t":"bob's"}},{"stats":{"matched":2,"updated":2}}]}`,
			After: servertest.Then(count("posts", `{"_id":{"$in":["p1","p3"]},"n":1,"_openid":{"$exists":true}}`, 2),
				count("posts", `{"_id":"p2","t":"bob's","n":{"$exists":false}}`, 1))},
		{Name: "a client cannot choose the owner", Setup: posts, Method: "POST", URL: "/v1/db/transaction", As: alice,
			Body:   `{"ops":[{"op":"insert","coll":"posts","data":{"_id":"p3","_openid":"someone"}}]}`,
			Status: 403, Want: `{"code":"DATABASE_PERMISSION_DENIED"}`, After: postsAsThey},
		{Name: "under PRIVATE another user's document is not there", Setup: notes, Method: "POST", URL: "/v1/db/transaction", As: alice,
			Body: `{"ops":[{"op":"getDoc","coll":"notes","id":"b1"},
				{"op":"updateDoc","coll":"notes","id":"b1","update":{"$set":{"t":"x"}}},
				{"op":"removeDoc","coll":"notes","id":"b1"},
				{"op":"insert","coll":"notes","data":{"_id":"a1","t":"alice's"}},
				{"op":"getDoc","coll":"notes","id":"a1"}]}`,
			Status: 200, Want: `{"results":[{"data":null},{"stats":{"updated":0}},{"stats":{"removed":0}},{"_id":"a1"},{"data":{"_id":"a1","t":"alice's"}}]}`,
			After: servertest.Then(count("notes", `{"_id":"b1","t":"bob's"}`, 1), count("notes", `{}`, 2))},
		{Name: "a visitor may not write under PRIVATE", Setup: notes, Method: "POST", URL: "/v1/db/transaction",
			Body:   `{"ops":[{"op":"insert","coll":"notes","data":{"t":"x"}}]}`,
			Status: 403, Want: `{"code":"DATABASE_PERMISSION_DENIED"}`, After: servertest.Then(count("notes", `{}`, 1))},
		{Name: "ADMINWRITE refuses a client's write", Setup: append(notes[:1:1], byAdmin("PUT", "/v1/admin/collections/notes/rules", `{"preset":"ADMINWRITE"}`)),
			Method: "POST", URL: "/v1/db/transaction", As: alice,
			Body:   `{"ops":[{"op":"getDoc","coll":"notes","id":"x"},{"op":"insert","coll":"notes","data":{"t":"x"}}]}`,
			Status: 403, Want: `{"code":"DATABASE_PERMISSION_DENIED"}`, After: servertest.Then(count("notes", `{}`, 0))},
		{Name: "clients do not create collections", Method: "POST", URL: "/v1/db/transaction", As: alice,
			Body:   `{"ops":[{"op":"insert","coll":"fresh","data":{"t":"x"}}]}`,
			Status: 404, Want: `{"code":"DATABASE_COLLECTION_NOT_EXIST"}`},
		{Name: "a client's dry run is checked as its commit", Setup: posts, Method: "POST", URL: "/v1/db/transaction", As: alice,
			Body:   `{"commit":false,"ops":[{"op":"updateDoc","coll":"posts","id":"p2","update":{"$set":{"t":"x"}}}]}`,
			Status: 403, Want: `{"code":"DATABASE_PERMISSION_DENIED"}`},
	})
}
