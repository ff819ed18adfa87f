package server

import (
	"strings"
	"testing"
)

// TestDatabaseAPI walks the database endpoints in one scenario, checking the
// response shapes the SDK relies on (DESIGN.md, HTTP API).
func TestDatabaseAPI(t *testing.T) {
	m := newTestMain(t, nil)
	runSteps(t, m, []step{
		{name: "query a missing collection", method: "POST", path: "/v1/db/posts/query", body: `{}`, status: 404,
			want: `{"code":"DATABASE_COLLECTION_NOT_EXIST","errCode":-502005}`},
		{name: "count a missing collection", method: "POST", path: "/v1/db/posts/count", body: `{}`, status: 404},
		{name: "insert creates the collection", method: "POST", path: "/v1/db/posts/insert",
			body:   `{"data":{"_id":"p1","title":"hello","n":1,"tags":["a","b"],"at":{"$date":"2024-05-01T08:00:00Z"}}}`,
			status: 200, want: `{"_id":"p1"}`},
		{name: "insert many", method: "POST", path: "/v1/db/posts/insert",
			body:   `{"data":[{"_id":"p2","title":"world","n":2,"tags":["b"]},{"_id":"p3","title":"again","n":3}]}`,
			status: 200, want: `{"_ids":["p2","p3"]}`},
		{name: "get by id", method: "GET", path: "/v1/db/posts/docs/p1", status: 200,
			want: `{"data":{"_id":"p1","title":"hello","tags":["a","b"],"at":{"$date":"2024-05-01T08:00:00.000Z"}}}`},
		{name: "get a missing doc", method: "GET", path: "/v1/db/posts/docs/nope", status: 404,
			want: `{"code":"DATABASE_DOCUMENT_NOT_EXIST","errCode":-1}`},
		{name: "query with filter, sort, projection", method: "POST", path: "/v1/db/posts/query",
			body: `{"filter":{"tags":"b"},"sort":[["n",-1]],"projection":{"title":1}}`, status: 200,
			want: `{"data":[{"_id":"p2","title":"world"},{"_id":"p1","title":"hello"}]}`},
		{name: "skip and limit", method: "POST", path: "/v1/db/posts/query",
			body: `{"sort":[["n",1]],"skip":1,"limit":1,"projection":{"n":1}}`, status: 200,
			want: `{"data":[{"_id":"p2","n":2}]}`},
		{name: "count", method: "POST", path: "/v1/db/posts/count", body: `{"filter":{"n":{"$gte":2}}}`, status: 200,
			want: `{"total":2}`},
		{name: "update many", method: "POST", path: "/v1/db/posts/update",
			body: `{"filter":{"n":{"$gte":2}},"update":{"$inc":{"n":10}},"multi":true}`, status: 200,
			want: `{"stats":{"updated":2}}`},
		{name: "update one", method: "POST", path: "/v1/db/posts/update",
			body: `{"filter":{},"update":{"$set":{"flag":true}}}`, status: 200, want: `{"stats":{"updated":1}}`},
		{name: "upsert", method: "POST", path: "/v1/db/posts/update",
			body: `{"filter":{"title":"new"},"update":{"$set":{"n":7}},"upsert":true}`, status: 200,
			want: `{"stats":{"updated":0,"created":1}}`},
		{name: "upserted doc", method: "POST", path: "/v1/db/posts/query",
			body: `{"filter":{"title":"new"},"projection":{"_id":0}}`, status: 200, want: `{"data":[{"title":"new","n":7}]}`},
		{name: "set replaces", method: "PUT", path: "/v1/db/posts/docs/p1", body: `{"data":{"title":"replaced"}}`, status: 200,
			want: `{"_id":"p1","stats":{"updated":1,"created":0}}`},
		{name: "set creates", method: "PUT", path: "/v1/db/posts/docs/p9", body: `{"data":{"title":"nine"}}`, status: 200,
			want: `{"_id":"p9","stats":{"updated":0,"created":1}}`},
		{name: "replaced doc has only its fields", method: "GET", path: "/v1/db/posts/docs/p1", status: 200,
			want: `{"data":{"_id":"p1","title":"replaced"}}`},
		{name: "patch", method: "PATCH", path: "/v1/db/posts/docs/p9", body: `{"update":{"$push":{"tags":"x"}}}`, status: 200,
			want: `{"stats":{"updated":1}}`},
		{name: "patch a missing doc", method: "PATCH", path: "/v1/db/posts/docs/zz", body: `{"update":{"$set":{"a":1}}}`, status: 200,
			want: `{"stats":{"updated":0}}`},
		{name: "delete", method: "DELETE", path: "/v1/db/posts/docs/p9", status: 200, want: `{"stats":{"removed":1}}`},
		{name: "delete again", method: "DELETE", path: "/v1/db/posts/docs/p9", status: 200, want: `{"stats":{"removed":0}}`},
		{name: "remove many", method: "POST", path: "/v1/db/posts/remove", body: `{"filter":{"n":{"$gt":10}},"multi":true}`,
			status: 200, want: `{"stats":{"removed":2}}`},
		{name: "what is left", method: "POST", path: "/v1/db/posts/count", body: `{}`, status: 200, want: `{"total":2}`},
		{name: "server date", method: "POST", path: "/v1/db/posts/insert",
			body: `{"data":{"_id":"sd","at":{"$serverDate":{"offset":0}}}}`, status: 200},
		{name: "server date is a date", method: "POST", path: "/v1/db/posts/count",
			body: `{"filter":{"_id":"sd","at":{"$gt":{"$date":"2020-01-01T00:00:00Z"}}}}`, status: 200, want: `{"total":1}`},
	})
}

func TestGeneratedIDs(t *testing.T) {
	m := newTestMain(t, nil)
	_, got := m.call(t, step{name: "insert", method: "POST", path: "/v1/db/c/insert", body: `{"data":[{"a":1},{"a":2}]}`})
	ids := got.(map[string]any)["_ids"].([]any)
	a, b := ids[0].(string), ids[1].(string)
	for _, id := range []string{a, b} {
		if len(id) != 32 || strings.Trim(id, "0123456789abcdef") != "" {
			t.Errorf("generated id %q is not 32 lowercase hex characters", id)
		}
	}
	if a >= b {
		t.Errorf("ids are not time-ordered: %s then %s", a, b)
	}
}

// TestBadInput: each bad request gets a clear 4xx and changes nothing.
func TestBadInput(t *testing.T) {
	m := newTestMain(t, func(c *Config) { c.BodyLimit = 64 << 10 })
	runSteps(t, m, []step{
		{name: "seed", method: "POST", path: "/v1/db/c/insert", body: `{"data":{"_id":"a","n":1,"s":"x"}}`, status: 200},
	})
	deep := strings.Repeat(`{"a":`, 200) + "1" + strings.Repeat("}", 200)
	bad := []step{
		{name: "malformed JSON", body: `{"data":`, status: 400, want: `{"code":"INVALID_PARAM"}`},
		{name: "not an object", body: `[1,2]`, status: 400},
		{name: "trailing data", body: `{"data":{"a":1}} x`, status: 400},
		{name: "duplicate keys", body: `{"data":{"a":1,"a":2}}`, status: 400},
		{name: "unknown body field", body: `{"dta":{"a":1}}`, status: 400},
		{name: "dollar field", body: `{"data":{"$set":{"a":1}}}`, status: 400},
		{name: "dotted field", body: `{"data":{"a.b":1}}`, status: 400},
		{name: "nested dollar field", body: `{"data":{"x":{"$bad":1}}}`, status: 400},
		{name: "too deep", body: `{"data":` + deep + `}`, status: 400},
		{name: "bad date", body: `{"data":{"d":{"$date":"yesterday"}}}`, status: 400},
		{name: "duplicate id", body: `{"data":{"_id":"a"}}`, status: 409, want: `{"code":"DATABASE_DUPLICATE_KEY"}`},
		{name: "duplicate id in batch", body: `{"data":[{"_id":"b"},{"_id":"b"}]}`, status: 409},
		{name: "bad id type", body: `{"data":{"_id":{"x":1}}}`, status: 400},
		{name: "empty batch", body: `{"data":[]}`, status: 400},
	}
	for i := range bad {
		bad[i].method, bad[i].path = "POST", "/v1/db/c/insert"
	}
	runSteps(t, m, bad)
	runSteps(t, m, []step{
		{name: "bad collection name", method: "POST", path: "/v1/db/bad$name/query", body: `{}`, status: 400},
		{name: "long collection name", method: "POST", path: "/v1/db/" + strings.Repeat("c", 65) + "/query", body: `{}`, status: 400},
		{name: "unknown operator", method: "POST", path: "/v1/db/c/query", body: `{"filter":{"n":{"$foo":1}}}`, status: 400,
			want: `{"code":"DATABASE_INVALID_OPERRATOR","errCode":-502002}`},
		{name: "wrong operand", method: "POST", path: "/v1/db/c/query", body: `{"filter":{"n":{"$in":5}}}`, status: 400},
		{name: "where is refused", method: "POST", path: "/v1/db/c/query", body: `{"filter":{"$where":"1"}}`, status: 400},
		{name: "negative limit", method: "POST", path: "/v1/db/c/query", body: `{"limit":-1}`, status: 400},
		{name: "bad sort", method: "POST", path: "/v1/db/c/query", body: `{"sort":[["n",2]]}`, status: 400},
		{name: "update without operators", method: "POST", path: "/v1/db/c/update", body: `{"filter":{},"update":{"n":2}}`, status: 400},
		{name: "unknown update operator", method: "POST", path: "/v1/db/c/update", body: `{"filter":{},"update":{"$foo":{"n":2}}}`, status: 400},
		{name: "conflicting paths", method: "POST", path: "/v1/db/c/update", body: `{"filter":{},"update":{"$set":{"n":2},"$inc":{"n":1}}}`, status: 400},
		{name: "change _id", method: "POST", path: "/v1/db/c/update", body: `{"filter":{},"update":{"$set":{"_id":"z"}}}`, status: 400},
		{name: "inc a string", method: "POST", path: "/v1/db/c/update", body: `{"filter":{},"update":{"$inc":{"s":1}}}`, status: 400},
		{name: "set with operators", method: "PUT", path: "/v1/db/c/docs/a", body: `{"data":{"$set":{"n":5}}}`, status: 400},
		{name: "nothing changed", method: "GET", path: "/v1/db/c/docs/a", status: 200, want: `{"data":{"_id":"a","n":1,"s":"x"}}`},
		{name: "only one doc", method: "POST", path: "/v1/db/c/count", body: `{}`, status: 200, want: `{"total":1}`},
	})
}

func TestCollectionsAndIndexesAPI(t *testing.T) {
	m := newTestMain(t, nil)
	runSteps(t, m, []step{
		{name: "create", method: "POST", path: "/v1/admin/collections", body: `{"name":"users"}`, status: 200, want: `{"name":"users"}`},
		{name: "create again", method: "POST", path: "/v1/admin/collections", body: `{"name":"users"}`, status: 409},
		{name: "create invalid", method: "POST", path: "/v1/admin/collections", body: `{"name":"-x"}`, status: 400},
		{name: "list", method: "GET", path: "/v1/admin/collections", status: 200, want: `{"data":[{"name":"users","count":0}]}`},
		{name: "index", method: "POST", path: "/v1/admin/collections/users/indexes", body: `{"keys":[{"path":"email"}],"unique":true}`,
			status: 200, want: `{"name":"email_1"}`},
		{name: "compound index, map form", method: "POST", path: "/v1/admin/collections/users/indexes", body: `{"keys":{"city":1,"age":-1}}`,
			status: 200, want: `{"name":"city_1_age_-1"}`},
		{name: "list indexes", method: "GET", path: "/v1/admin/collections/users/indexes", status: 200,
			want: `{"data":[{"name":"city_1_age_-1","keys":[{"path":"city"},{"path":"age","desc":true}],"unique":false},{"name":"email_1","keys":[{"path":"email"}],"unique":true}]}`},
		{name: "unique holds", method: "POST", path: "/v1/db/users/insert", body: `{"data":[{"email":"a@x"},{"email":"a@x"}]}`, status: 409},
		{name: "nothing inserted", method: "POST", path: "/v1/db/users/count", body: `{}`, status: 200, want: `{"total":0}`},
		{name: "drop index", method: "DELETE", path: "/v1/admin/collections/users/indexes/email_1", status: 200},
		{name: "drop missing index", method: "DELETE", path: "/v1/admin/collections/users/indexes/email_1", status: 400},
		{name: "duplicates now allowed", method: "POST", path: "/v1/db/users/insert", body: `{"data":[{"email":"a@x"},{"email":"a@x"}]}`, status: 200},
		{name: "unique over duplicates fails", method: "POST", path: "/v1/admin/collections/users/indexes", body: `{"keys":{"email":1},"unique":true}`, status: 409},
		{name: "index on missing collection", method: "POST", path: "/v1/admin/collections/nope/indexes", body: `{"keys":{"a":1}}`, status: 404},
		{name: "drop collection", method: "DELETE", path: "/v1/admin/collections/users", status: 200},
		{name: "gone", method: "POST", path: "/v1/db/users/query", body: `{}`, status: 404},
		{name: "drop missing", method: "DELETE", path: "/v1/admin/collections/users", status: 404},
	})
}

// TestDocumentIDsInPaths: an id in /docs/{id} arrives percent-encoded (the
// SDK encodes every id) and is the id itself once decoded, whatever its
// characters; an encoded "/" stays inside the id.
func TestDocumentIDsInPaths(t *testing.T) {
	m := newTestMain(t, nil)
	runSteps(t, m, []step{
		{name: "set with an encoded id", method: "PUT", path: "/v1/db/ids/docs/a%20b%2Fc%3A%40%E4%B8%AD", body: `{"data":{"n":1}}`,
			status: 200, want: `{"_id":"a b/c:@中","stats":{"created":1}}`},
		{name: "the stored id is decoded", method: "POST", path: "/v1/db/ids/query", body: `{"filter":{"_id":"a b/c:@中"}}`,
			status: 200, want: `{"data":[{"_id":"a b/c:@中","n":1}]}`},
		{name: "get", method: "GET", path: "/v1/db/ids/docs/a%20b%2Fc%3A%40%E4%B8%AD", status: 200,
			want: `{"data":{"_id":"a b/c:@中","n":1}}`},
		{name: "patch", method: "PATCH", path: "/v1/db/ids/docs/a%20b%2Fc%3A%40%E4%B8%AD", body: `{"update":{"$inc":{"n":1}}}`,
			status: 200, want: `{"stats":{"updated":1}}`},
		{name: "a literal percent", method: "PUT", path: "/v1/db/ids/docs/100%25", body: `{"data":{}}`, status: 200,
			want: `{"_id":"100%"}`},
		{name: "delete", method: "DELETE", path: "/v1/db/ids/docs/a%20b%2Fc%3A%40%E4%B8%AD", status: 200,
			want: `{"stats":{"removed":1}}`},
		{name: "plain ids are unchanged", method: "PUT", path: "/v1/db/ids/docs/user-1_a.b", body: `{"data":{}}`, status: 200,
			want: `{"_id":"user-1_a.b"}`},
	})
}
