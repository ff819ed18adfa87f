//go:build !minibase_fuzz

package db_test

// The database's HTTP contract (db/http.go as the server mounts it): each
// scenario runs on a server of its own (server/servertest), so that a case
// states what it needs in Setup and one failure never cascades.

import (
	"strconv"
	"strings"
	"testing"

	"minibase/server/servertest"
)

var (
	asAdmin = servertest.Admin
	alice   = servertest.Anonymous("alice")
	bob     = servertest.Anonymous("bob")
)

// byAdmin is a request of the admin's.
func byAdmin(method, url, body string) servertest.Request {
	return servertest.Request{Method: method, URL: url, Body: body, As: asAdmin}
}

// seedPosts are three posts, p1 to p3, with n 1 to 3.
var seedPosts = []servertest.Request{
	byAdmin("POST", "/v1/db/posts/insert",
		`{"data":{"_id":"p1","title":"hello","n":1,"tags":["a","b"],"at":{"$date":"2024-05-01T08:00:00Z"}}}`),
	byAdmin("POST", "/v1/db/posts/insert", `{"data":[{"_id":"p2","title":"world","n":2,"tags":["b"]},{"_id":"p3","title":"again","n":3}]}`),
}

// count is a step checking how many documents of coll match filter.
func count(coll, filter string, total int) servertest.Scenario {
	return servertest.Scenario{Name: "then count " + coll + " " + filter, Method: "POST", URL: "/v1/db/" + coll + "/count",
		Body: `{"filter":` + filter + `}`, As: asAdmin, Status: 200, Equal: `{"total":` + strconv.Itoa(total) + `}`}
}

// get is a step checking the admin's GET of a document.
func get(coll, id string, status int, equal string) servertest.Scenario {
	return servertest.Scenario{Name: "then get " + coll + "/" + id, Method: "GET", URL: "/v1/db/" + coll + "/docs/" + id,
		As: asAdmin, Status: status, Equal: equal}
}

// messageHas is an After requiring part in the error's message.
func messageHas(part string) func(testing.TB, *servertest.Server, *servertest.Response) {
	return func(tb testing.TB, _ *servertest.Server, r *servertest.Response) {
		tb.Helper()
		if msg := r.Str("message"); !strings.Contains(msg, part) {
			tb.Errorf("%s: message %q, want it to say %q", r.Req, msg, part)
		}
	}
}

// TestDatabaseAPI: the database endpoints, one case each, with the
// response shapes the SDK relies on (DESIGN.md, HTTP API).
func TestDatabaseAPI(t *testing.T) {
	servertest.Run(t, []servertest.Scenario{
		{Name: "query a missing collection", Method: "POST", URL: "/v1/db/posts/query", Body: `{}`, As: asAdmin,
			Status: 404, Want: `{"code":"DATABASE_COLLECTION_NOT_EXIST","errCode":-502005}`},
		{Name: "count a missing collection", Method: "POST", URL: "/v1/db/posts/count", Body: `{}`, As: asAdmin, Status: 404},
		{Name: "insert creates the collection", Method: "POST", URL: "/v1/db/posts/insert",
			Body: `{"data":{"_id":"p1","title":"hello"}}`, As: asAdmin, Status: 200, Equal: `{"_id":"p1"}`,
			After: servertest.Then(get("posts", "p1", 200, `{"data":{"_id":"p1","title":"hello"}}`))},
		{Name: "insert many", Method: "POST", URL: "/v1/db/posts/insert",
			Body: `{"data":[{"_id":"p2","title":"world","n":2,"tags":["b"]},{"_id":"p3","title":"again","n":3}]}`, As: asAdmin,
			Status: 200, Equal: `{"_ids":["p2","p3"]}`, After: servertest.Then(count("posts", `{}`, 2))},
		{Name: "get by id", Setup: seedPosts, Method: "GET", URL: "/v1/db/posts/docs/p1", As: asAdmin, Status: 200,
			Equal: `{"data":{"_id":"p1","title":"hello","n":1,"tags":["a","b"],"at":{"$date":"2024-05-01T08:00:00.000Z"}}}`},
		{Name: "get a missing doc", Setup: seedPosts, Method: "GET", URL: "/v1/db/posts/docs/nope", As: asAdmin, Status: 404,
			Want: `{"code":"DATABASE_DOCUMENT_NOT_EXIST","errCode":-1}`},
		{Name: "query with filter, sort, projection", Setup: seedPosts, Method: "POST", URL: "/v1/db/posts/query",
			Body: `{"filter":{"tags":"b"},"sort":[["n",-1]],"projection":{"title":1}}`, As: asAdmin, Status: 200,
			Equal: `{"data":[{"_id":"p2","title":"world"},{"_id":"p1","title":"hello"}]}`},
		{Name: "skip and limit", Setup: seedPosts, Method: "POST", URL: "/v1/db/posts/query",
			Body: `{"sort":[["n",1]],"skip":1,"limit":1,"projection":{"n":1}}`, As: asAdmin, Status: 200,
			Equal: `{"data":[{"_id":"p2","n":2}]}`},
		{Name: "count", Setup: seedPosts, Method: "POST", URL: "/v1/db/posts/count", Body: `{"filter":{"n":{"$gte":2}}}`,
			As: asAdmin, Status: 200, Equal: `{"total":2}`},
		{Name: "update many", Setup: seedPosts, Method: "POST", URL: "/v1/db/posts/update",
			Body: `{"filter":{"n":{"$gte":2}},"update":{"$inc":{"n":10}},"multi":true}`, As: asAdmin, Status: 200,
			Want: `{"stats":{"updated":2}}`, After: servertest.Then(count("posts", `{"n":{"$in":[1,12,13]}}`, 3))},
		{Name: "update one", Setup: seedPosts, Method: "POST", URL: "/v1/db/posts/update",
			Body: `{"filter":{},"update":{"$set":{"flag":true}}}`, As: asAdmin, Status: 200, Want: `{"stats":{"updated":1}}`,
			After: servertest.Then(count("posts", `{"flag":true}`, 1))},
		{Name: "upsert", Setup: seedPosts, Method: "POST", URL: "/v1/db/posts/update",
			Body: `{"filter":{"title":"new"},"update":{"$set":{"n":7}},"upsert":true}`, As: asAdmin, Status: 200,
			Want: `{"stats":{"updated":0,"created":1}}`,
			After: servertest.Then(servertest.Scenario{Name: "the upserted doc", Method: "POST", URL: "/v1/db/posts/query",
				Body: `{"filter":{"title":"new"},"projection":{"_id":0}}`, As: asAdmin, Status: 200,
				Equal: `{"data":[{"title":"new","n":7}]}`})},
		{Name: "set replaces", Setup: seedPosts, Method: "PUT", URL: "/v1/db/posts/docs/p1", Body: `{"data":{"title":"replaced"}}`,
			As: asAdmin, Status: 200, Equal: `{"_id":"p1","stats":{"updated":1,"created":0}}`,
			After: servertest.Then(get("posts", "p1", 200, `{"data":{"_id":"p1","title":"replaced"}}`))},
		{Name: "set creates", Setup: seedPosts, Method: "PUT", URL: "/v1/db/posts/docs/p9", Body: `{"data":{"title":"nine"}}`,
			As: asAdmin, Status: 200, Equal: `{"_id":"p9","stats":{"updated":0,"created":1}}`,
			After: servertest.Then(get("posts", "p9", 200, `{"data":{"_id":"p9","title":"nine"}}`))},
		{Name: "patch", Setup: seedPosts, Method: "PATCH", URL: "/v1/db/posts/docs/p3", Body: `{"update":{"$push":{"tags":"x"}}}`,
			As: asAdmin, Status: 200, Want: `{"stats":{"updated":1}}`,
			After: servertest.Then(get("posts", "p3", 200, `{"data":{"_id":"p3","title":"again","n":3,"tags":["x"]}}`))},
		{Name: "patch a missing doc", Setup: seedPosts, Method: "PATCH", URL: "/v1/db/posts/docs/zz",
			Body: `{"update":{"$set":{"a":1}}}`, As: asAdmin, Status: 200, Want: `{"stats":{"updated":0}}`,
			After: servertest.Then(count("posts", `{}`, 3))},
		{Name: "delete", Setup: seedPosts, Method: "DELETE", URL: "/v1/db/posts/docs/p3", As: asAdmin, Status: 200,
			Want: `{"stats":{"removed":1}}`, After: servertest.Then(get("posts", "p3", 404, ""), count("posts", `{}`, 2))},
		{Name: "delete a missing doc", Setup: seedPosts, Method: "DELETE", URL: "/v1/db/posts/docs/p9", As: asAdmin, Status: 200,
			Want: `{"stats":{"removed":0}}`, After: servertest.Then(count("posts", `{}`, 3))},
		{Name: "remove many", Setup: seedPosts, Method: "POST", URL: "/v1/db/posts/remove", Body: `{"filter":{"n":{"$gt":1}},"multi":true}`,
			As: asAdmin, Status: 200, Want: `{"stats":{"removed":2}}`, After: servertest.Then(count("posts", `{}`, 1))},
		{Name: "server date", Method: "POST", URL: "/v1/db/posts/insert", Body: `{"data":{"_id":"sd","at":{"$serverDate":{"offset":0}}}}`,
			As: asAdmin, Status: 200,
			After: servertest.Then(count("posts", `{"_id":"sd","at":{"$gt":{"$date":"2020-01-01T00:00:00Z"}}}`, 1))},
	})
}

// TestGeneratedIDs: ids the server makes are 32 lowercase hex characters,
// time-ordered.
func TestGeneratedIDs(t *testing.T) {
	servertest.Run(t, []servertest.Scenario{{
		Name: "insert without ids", Method: "POST", URL: "/v1/db/c/insert", Body: `{"data":[{"a":1},{"a":2}]}`, As: asAdmin,
		Status: 200,
		After: func(tb testing.TB, _ *servertest.Server, r *servertest.Response) {
			a, b := r.Str("_ids.0"), r.Str("_ids.1")
			for _, id := range []string{a, b} {
				if len(id) != 32 || strings.Trim(id, "0123456789abcdef") != "" {
					tb.Errorf("generated id %q is not 32 lowercase hex characters: %s", id, r.Body)
				}
			}
			if a >= b {
				tb.Errorf("ids are not time-ordered: %s then %s", a, b)
			}
		},
	}})
}

// TestDocumentIDsInPaths: an id in /docs/{id} arrives percent-encoded (the
// SDK encodes every id) and is the id itself once decoded, whatever its
// characters; an encoded "/" stays inside the id.
func TestDocumentIDsInPaths(t *testing.T) {
	const encoded = "/v1/db/ids/docs/a%20b%2Fc%3A%40%E4%B8%AD"
	set := []servertest.Request{byAdmin("PUT", encoded, `{"data":{"n":1}}`)}
	servertest.Run(t, []servertest.Scenario{
		{Name: "set with an encoded id", Method: "PUT", URL: encoded, Body: `{"data":{"n":1}}`, As: asAdmin,
			Status: 200, Want: `{"_id":"a b/c:@中","stats":{"created":1}}`},
		{Name: "the stored id is decoded", Setup: set, Method: "POST", URL: "/v1/db/ids/query", Body: `{"filter":{"_id":"a b/c:@中"}}`,
			As: asAdmin, Status: 200, Equal: `{"data":[{"_id":"a b/c:@中","n":1}]}`},
		{Name: "get", Setup: set, Method: "GET", URL: encoded, As: asAdmin, Status: 200, Equal: `{"data":{"_id":"a b/c:@中","n":1}}`},
		{Name: "patch", Setup: set, Method: "PATCH", URL: encoded, Body: `{"update":{"$inc":{"n":1}}}`, As: asAdmin,
			Status: 200, Want: `{"stats":{"updated":1}}`, After: servertest.Then(count("ids", `{"_id":"a b/c:@中","n":2}`, 1))},
		{Name: "a literal percent", Method: "PUT", URL: "/v1/db/ids/docs/100%25", Body: `{"data":{}}`, As: asAdmin,
			Status: 200, Want: `{"_id":"100%"}`},
		{Name: "delete", Setup: set, Method: "DELETE", URL: encoded, As: asAdmin, Status: 200, Want: `{"stats":{"removed":1}}`,
			After: servertest.Then(count("ids", `{}`, 0))},
		{Name: "plain ids are unchanged", Method: "PUT", URL: "/v1/db/ids/docs/user-1_a.b", Body: `{"data":{}}`, As: asAdmin,
			Status: 200, Want: `{"_id":"user-1_a.b"}`},
	})
}

// TestAuthRequired: under the default rules (PRIVATE) a visitor may do
// nothing; a missing collection is reported as CloudBase does; a token
// that is not one is refused as such.
func TestAuthRequired(t *testing.T) {
	posts := []servertest.Request{byAdmin("POST", "/v1/admin/collections", `{"name":"posts"}`)}
	nothingWritten := servertest.Then(servertest.Scenario{Name: "nothing was written", Method: "GET", URL: "/v1/admin/collections",
		As: asAdmin, Status: 200, Want: `{"data":[{"name":"posts","count":0}]}`})
	servertest.Run(t, []servertest.Scenario{
		{Name: "missing collection", Method: "POST", URL: "/v1/db/nosuch/query", Body: `{}`, Status: 404,
			Want: `{"code":"DATABASE_COLLECTION_NOT_EXIST","errCode":-502005}`},
		{Name: "no key", Setup: posts, Method: "POST", URL: "/v1/db/posts/query", Body: `{}`, Status: 403,
			Want: `{"code":"DATABASE_PERMISSION_DENIED","errCode":-502003}`},
		{Name: "wrong key", Setup: posts, Method: "POST", URL: "/v1/db/posts/query", Body: `{}`,
			As: servertest.Bearer("not-the-key-at-all"), Status: 401, Want: `{"code":"INVALID_ACCESS_TOKEN"}`},
		{Name: "no key, insert", Setup: posts, Method: "POST", URL: "/v1/db/posts/insert", Body: `{"data":{"a":1}}`, Status: 403,
			After: nothingWritten},
		{Name: "wrong key, insert", Setup: posts, Method: "POST", URL: "/v1/db/posts/insert", Body: `{"data":{"a":1}}`,
			As: servertest.Bearer("not-the-key-at-all"), Status: 401, After: nothingWritten},
	})
}
