//go:build !minibase_fuzz

package db_test

import (
	"strings"
	"testing"

	"minibase/server/servertest"
)

// TestAggregateAPI: POST /v1/db/{coll}/aggregate {pipeline} answers
// {data: [documents]} (DESIGN.md, HTTP API), with the errors and rules of
// the other reads.
func TestAggregateAPI(t *testing.T) {
	agg := func(name, pipeline string, as servertest.Identity) servertest.Scenario {
		return servertest.Scenario{Name: name, Setup: seedPosts, Method: "POST", URL: "/v1/db/posts/aggregate",
			Body: `{"pipeline":` + pipeline + `}`, As: as}
	}
	group := agg("group and sort", `[{"$unwind":"$tags"},{"$sortByCount":"$tags"}]`, asAdmin)
	group.Status, group.Equal = 200, `{"data":[{"_id":"b","count":2},{"_id":"a","count":1}]}`
	dates := agg("dates in and out", `[{"$match":{"at":{"$lt":{"$date":"2025-01-01T00:00:00Z"}}}},{"$project":{"at":1,"day":{"$dateTrunc":{"date":"$at","unit":"day"}}}}]`, asAdmin)
	dates.Status, dates.Equal = 200, `{"data":[{"_id":"p1","at":{"$date":"2024-05-01T08:00:00.000Z"},"day":{"$date":"2024-05-01T00:00:00.000Z"}}]}`
	empty := agg("nothing matches", `[{"$match":{"n":99}}]`, asAdmin)
	empty.Status, empty.Equal = 200, `{"data":[]}`
	bad := agg("an unknown stage", `[{"$frob":{}}]`, asAdmin)
	bad.Status, bad.Want, bad.After = 400, `{"code":"DATABASE_INVALID_OPERRATOR","errCode":-502002}`, messageHas("unrecognized pipeline stage name")
	notArray := agg("not a pipeline", `{"$match":{}}`, asAdmin)
	notArray.Status, notArray.Want = 400, `{"code":"INVALID_PARAM","errCode":-501007}`
	private := agg("a client under PRIVATE reads its own", `[{"$project":{"_id":1}}]`, alice)
	private.Setup = append(append([]servertest.Request{}, seedPosts...),
		servertest.Request{Method: "POST", URL: "/v1/db/posts/insert", Body: `{"data":{"_id":"mine"}}`, As: alice})
	private.Status, private.Equal = 200, `{"data":[{"_id":"mine"}]}`
	memory := agg("over the memory limit", `[{"$group":{"_id":"$_id","all":{"$push":{"$range":[0,100000]}}}}]`, asAdmin)
	memory.Options = servertest.Options{Env: map[string]string{"MINIBASE_DB_AGGREGATE_MEMORY": "1MiB"}}
	memory.Status, memory.Want, memory.After = 400, `{"code":"DATABASE_AGGREGATE_MEMORY_EXCEED","errCode":-502001}`, messageHas("1 MiB")
	servertest.Run(t, []servertest.Scenario{group, dates, empty, bad, notArray, private, memory,
		{Name: "a missing collection", Method: "POST", URL: "/v1/db/nope/aggregate", Body: `{"pipeline":[]}`, As: asAdmin,
			Status: 404, Want: `{"code":"DATABASE_COLLECTION_NOT_EXIST","errCode":-502005}`},
	})
}

// TestAggregateRulesAPI: a client's pipeline must start with a $match the
// read rule allows; a denial says what to pin; $lookup joins what the
// joined collection's rules let the caller read.
func TestAggregateRulesAPI(t *testing.T) {
	rooms := append(append([]servertest.Request{}, ownerNotes...),
		byAdmin("POST", "/v1/db/rooms/insert", `{"data":[{"_id":"r1","name":"one"},{"_id":"r2","name":"two"}]}`),
		byAdmin("PUT", "/v1/admin/collections/rooms/rules", `{"read":"auth != null","write":false}`),
		byAdmin("POST", "/v1/db/notes/update", `{"filter":{},"update":{"$set":{"room":"r1"}},"multi":true}`))
	join := `{"$lookup":{"from":"rooms","localField":"room","foreignField":"_id","as":"r"}},{"$project":{"t":1,"room":"$r.name"}}`
	servertest.Run(t, []servertest.Scenario{
		{Name: "behind a $match the rule allows", Setup: ownerNotes, Method: "POST", URL: "/v1/db/notes/aggregate",
			Body: `{"pipeline":[{"$match":{"_openid":"{openid}"}},{"$project":{"t":1}}]}`, As: alice, Status: 200,
			Equal: `{"data":[{"_id":"a1","t":"mine"}]}`},
		{Name: "without it", Setup: ownerNotes, Method: "POST", URL: "/v1/db/notes/aggregate",
			Body: `{"pipeline":[{"$group":{"_id":null,"n":{"$sum":1}}}]}`, As: alice, Status: 403,
			Want: `{"code":"DATABASE_PERMISSION_DENIED","errCode":-502003}`, After: messageHas("does not pin `_openid`")},
		{Name: "a lookup the joined rules allow", Setup: rooms, Method: "POST", URL: "/v1/db/notes/aggregate",
			Body: `{"pipeline":[{"$match":{"_openid":"{openid}"}},` + join + `]}`, As: alice, Status: 200,
			Equal: `{"data":[{"_id":"a1","t":"mine","room":["one"]}]}`},
		{Name: "a lookup into an admins' collection", Setup: append(rooms, byAdmin("PUT", "/v1/admin/collections/rooms/rules", `{"preset":"ADMINONLY"}`)),
			Method: "POST", URL: "/v1/db/notes/aggregate", Body: `{"pipeline":[{"$match":{"_openid":"{openid}"}},` + join + `]}`, As: alice,
			Status: 403, Want: `{"code":"DATABASE_PERMISSION_DENIED"}`, After: messageHas("$lookup from rooms")},
		{Name: "the admin joins anything", Setup: append(rooms, byAdmin("PUT", "/v1/admin/collections/rooms/rules", `{"preset":"ADMINONLY"}`)),
			Method: "POST", URL: "/v1/db/notes/aggregate", Body: `{"pipeline":[` + join + `,{"$sort":{"_id":1}}]}`, As: asAdmin,
			Status: 200, Equal: `{"data":[{"_id":"a1","t":"mine","room":["one"]},{"_id":"b1","t":"his","room":["one"]}]}`},
		{Name: "a visitor is refused before the body is read", Setup: seedPosts, Method: "POST", URL: "/v1/db/posts/aggregate",
			Body: strings.Repeat("x", 100), As: servertest.Visitor, Status: 403, Want: `{"code":"DATABASE_PERMISSION_DENIED"}`},
	})
}
