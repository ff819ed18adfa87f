//go:build !minibase_fuzz

package db_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"minibase/server"
	"minibase/server/servertest"
)

// everyQuerySlow records every query as slow: a threshold below any
// query's time, so that the tests need no slow query (no sleeping).
var everyQuerySlow = servertest.Options{Config: func(c *server.Config) { c.SlowQuery = time.Nanosecond }}

// authorIndex is an index on posts.author.
var authorIndex = byAdmin("POST", "/v1/admin/collections/posts/indexes", `{"keys":{"author":1}}`)

var authored = byAdmin("POST", "/v1/db/posts/insert",
	`{"data":[{"_id":"a1","author":"ann","n":1},{"_id":"a2","author":"bob","n":2},{"_id":"a3","author":"ann","n":3}]}`)

// TestExplainAPI: the console's query runs as the admin and says how it
// ran: the index the planner chose, or a full scan, the time, the count
// and the first page.
func TestExplainAPI(t *testing.T) {
	url := "/v1/admin/collections/posts/explain"
	servertest.Run(t, []servertest.Scenario{
		{Name: "indexed equality reads the index", Setup: []servertest.Request{authored, authorIndex},
			Method: "POST", URL: url, Body: `{"filter":{"author":"ann"},"sort":[["n",-1]],"limit":1}`, As: asAdmin,
			Status: 200, Want: `{"plan":{"index":"author_1","scan":"index","exact":true},"count":2,"data":[{"_id":"a3","author":"ann","n":3}]}`},
		{Name: "unindexed filter is a full scan", Setup: []servertest.Request{authored},
			Method: "POST", URL: url, Body: `{"filter":{"author":"ann"}}`, As: asAdmin,
			Status: 200, Want: `{"plan":{"index":null,"scan":"full"},"count":2}`},
		{Name: "by _id reads the primary key", Setup: []servertest.Request{authored},
			Method: "POST", URL: url, Body: `{"filter":{"_id":"a2"}}`, As: asAdmin,
			Status: 200, Want: `{"plan":{"index":"_id_","scan":"index"},"count":1,"data":[{"_id":"a2"}]}`},
		{Name: "sort without an index is done in SQL or memory", Setup: []servertest.Request{authored},
			Method: "POST", URL: url, Body: `{"sort":[["n",1]],"projection":{"n":1}}`, As: asAdmin,
			Status: 200, Want: `{"count":3,"data":[{"_id":"a1","n":1},{"_id":"a2","n":2},{"_id":"a3","n":3}]}`,
			After: func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
				if sort := r.Str("plan.sort"); sort != "sql" && sort != "memory" {
					tb.Errorf("plan.sort = %q, want sql or memory: %s", sort, r.Body)
				}
				if ms, _ := r.Value("ms").(interface{ Float64() (float64, error) }); ms == nil {
					tb.Errorf("no ms: %s", r.Body)
				}
			}},
		{Name: "pipeline", Setup: []servertest.Request{authored, authorIndex},
			Method: "POST", URL: url, Body: `{"pipeline":[{"$match":{"author":"ann"}},{"$group":{"_id":"$author","n":{"$sum":"$n"}}}]}`, As: asAdmin,
			Status: 200, Want: `{"plan":{"index":"author_1"},"count":1,"data":[{"_id":"ann","n":4}]}`},
		{Name: "a user may not", Setup: []servertest.Request{authored},
			Method: "POST", URL: url, Body: `{}`, As: alice, Status: 403, Want: `{"code":"DATABASE_PERMISSION_DENIED"}`},
		{Name: "a visitor may not", Setup: []servertest.Request{authored},
			Method: "POST", URL: url, Body: `{}`, Status: 403},
		{Name: "unknown collection", Method: "POST", URL: "/v1/admin/collections/nope/explain", Body: `{}`, As: asAdmin,
			Status: 404, Want: `{"code":"DATABASE_COLLECTION_NOT_EXIST"}`},
		{Name: "invalid collection name", Method: "POST", URL: "/v1/admin/collections/..%2Fx/explain", Body: `{}`, As: asAdmin,
			Status: 400, Want: `{"code":"INVALID_PARAM"}`},
		{Name: "limit above 1000", Setup: []servertest.Request{authored},
			Method: "POST", URL: url, Body: `{"limit":1001}`, As: asAdmin, Status: 400, Want: `{"message":"limit must be an integer from 1 to 1000"}`},
		{Name: "limit 0", Setup: []servertest.Request{authored},
			Method: "POST", URL: url, Body: `{"limit":0}`, As: asAdmin, Status: 400},
		{Name: "hostile filter", Setup: []servertest.Request{authored},
			Method: "POST", URL: url, Body: `{"filter":{"$where":"sleep(1000)"}}`, As: asAdmin, Status: 400, Want: `{"message":"unknown operator: $where"}`},
		{Name: "deep filter", Setup: []servertest.Request{authored},
			Method: "POST", URL: url, Body: `{"filter":` + strings.Repeat(`{"$and":[`, 200) + `{}` + strings.Repeat(`]}`, 200) + `}`, As: asAdmin, Status: 400},
		{Name: "unknown member", Setup: []servertest.Request{authored},
			Method: "POST", URL: url, Body: `{"filter":{},"hint":"x"}`, As: asAdmin, Status: 400, Want: `{"code":"INVALID_PARAM"}`},
		{Name: "pipeline and filter together", Setup: []servertest.Request{authored},
			Method: "POST", URL: url, Body: `{"pipeline":[],"filter":{}}`, As: asAdmin, Status: 400},
		{Name: "oversized body", Setup: []servertest.Request{authored},
			Method: "POST", URL: url, Body: `{"filter":{"a":"` + strings.Repeat("x", 17<<20) + `"}}`, As: asAdmin, Status: 413},
	})
}

// TestSlowQueriesAPI: slow queries are kept with the shape of their
// filter, never its values, and the index check asks the planner which
// of them an index would serve.
func TestSlowQueriesAPI(t *testing.T) {
	query := byAdmin("POST", "/v1/db/posts/query", `{"filter":{"author":"ann","n":{"$gt":1}},"sort":[["n",-1]]}`)
	count := byAdmin("POST", "/v1/db/posts/count", `{"filter":{"n":{"$in":[1,"x",2]}}}`)
	secret := byAdmin("POST", "/v1/db/posts/query", `{"filter":{"author":"s3cr3t-value"}}`)
	others := []servertest.Request{byAdmin("POST", "/v1/db/other/insert", `{"data":{"x":1}}`),
		byAdmin("POST", "/v1/db/other/query", `{"filter":{"x":1}}`)}
	list := "/v1/admin/slow-queries"
	check := "/v1/admin/collections/posts/indexes/check"
	sc := func(s servertest.Scenario) servertest.Scenario { s.Options = everyQuerySlow; return s }
	servertest.Run(t, []servertest.Scenario{
		sc(servertest.Scenario{Name: "the shapes, newest first", Setup: append([]servertest.Request{authored, query, count, secret}, others...),
			Method: "GET", URL: list + "?coll=posts", As: asAdmin, Status: 200,
			Want: `{"thresholdMs":0,"data":[` +
				`{"coll":"posts","op":"query","filter":{"author":"<string>"},"plan":{"scan":"full"},"count":0},` +
				`{"coll":"posts","op":"count","filter":{"n":{"$in":["<number>","<string>"]}},"count":2},` +
				`{"coll":"posts","op":"query","filter":{"author":"<string>","n":{"$gt":"<number>"}},"sort":[["n",-1]],"count":1}]}`,
			Absent: []string{"s3cr3t", "ann", `"other"`}}),
		sc(servertest.Scenario{Name: "all collections", Setup: append([]servertest.Request{authored, query}, others...),
			Method: "GET", URL: list, As: asAdmin, Status: 200,
			Want: `{"data":[{"coll":"other"},{"coll":"posts"}]}`}),
		{Name: "the default threshold is 100 ms", Method: "GET", URL: list, As: asAdmin, Status: 200, Equal: `{"data":[],"thresholdMs":100}`},
		{Name: "off with 0", Options: servertest.Options{Env: map[string]string{"MINIBASE_SLOW_QUERY_MS": "0"}},
			Setup: []servertest.Request{authored, query}, Method: "GET", URL: list, As: asAdmin, Status: 200, Equal: `{"data":[],"thresholdMs":0}`},
		sc(servertest.Scenario{Name: "an index on author would serve the author queries", Setup: []servertest.Request{authored, query, count, secret},
			Method: "POST", URL: check, Body: `{"keys":{"author":1}}`, As: asAdmin, Status: 200,
			Want: `{"data":[{"op":"query","wouldUse":true},{"op":"count","wouldUse":false},{"op":"query","wouldUse":true}]}`}),
		sc(servertest.Scenario{Name: "an index on n would serve the $in count", Setup: []servertest.Request{authored, query, count, secret},
			Method: "POST", URL: check, Body: `{"keys":{"n":1}}`, As: asAdmin, Status: 200,
			Want: `{"data":[{"op":"query","wouldUse":false},{"op":"count","wouldUse":true},{"op":"query"}]}`}),
		sc(servertest.Scenario{Name: "an index that exists still counts", Setup: []servertest.Request{authored, authorIndex, secret},
			Method: "POST", URL: check, Body: `{"keys":{"author":1}}`, As: asAdmin, Status: 200,
			Want: `{"data":[{"op":"query","wouldUse":true,"plan":{"index":"author_1"}}]}`}),
		sc(servertest.Scenario{Name: "a huge filter is kept cut, and not replayed", Setup: []servertest.Request{authored, hugeQuery()},
			Method: "POST", URL: check, Body: `{"keys":{"author":1}}`, As: asAdmin, Status: 200,
			Want: `{"data":[{"op":"query","wouldUse":false,"note":"the query's shape was too large to keep whole"}]}`,
			After: func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
				if len(r.Body) > 8<<10 || !strings.Contains(r.Body, "<…>") || strings.Contains(r.Body, "v299") {
					tb.Errorf("record of %d bytes: %.400s", len(r.Body), r.Body)
				}
			}}),
		{Name: "check: bad keys", Setup: []servertest.Request{authored},
			Method: "POST", URL: check, Body: `{"keys":{"author":2}}`, As: asAdmin, Status: 400, Want: `{"code":"INVALID_PARAM"}`},
		{Name: "check: no keys", Setup: []servertest.Request{authored},
			Method: "POST", URL: check, Body: `{}`, As: asAdmin, Status: 400},
		{Name: "check: a user may not", Setup: []servertest.Request{authored},
			Method: "POST", URL: check, Body: `{"keys":{"author":1}}`, As: alice, Status: 403},
		{Name: "list: a user may not", Method: "GET", URL: list, As: alice, Status: 403},
		{Name: "list: invalid collection", Method: "GET", URL: list + "?coll=a%2Fb", As: asAdmin, Status: 400},
	})
}

// TestSlowQueryMSSetting: MINIBASE_SLOW_QUERY_MS is whole milliseconds.
func TestSlowQueryMSSetting(t *testing.T) {
	for _, v := range []string{"-1", "1.5", "x", "3600001"} {
		_, err := server.ParseConfig(nil, func(k string) string {
			if k == "MINIBASE_SLOW_QUERY_MS" {
				return v
			}
			return ""
		})
		if err == nil || !strings.Contains(err.Error(), "MINIBASE_SLOW_QUERY_MS") {
			t.Errorf("MINIBASE_SLOW_QUERY_MS=%s: err %v, want one naming the setting", v, err)
		}
	}
}

// TestCollectionFigures: the collection list gives each collection's
// count and size, and a write changes them at once.
func TestCollectionFigures(t *testing.T) {
	s := servertest.New(t, servertest.Options{})
	s.Do(t, authored).Expect(t, 200, "")
	r := s.Do(t, byAdmin("GET", "/v1/admin/collections", ""))
	r.Expect(t, 200, `{"data":[{"name":"posts","count":3}]}`)
	size1, _ := r.Value("data.0.size").(interface{ Int64() (int64, error) })
	n1, _ := size1.Int64()
	if n1 <= 0 {
		t.Fatalf("size %d: %s", n1, r.Body)
	}
	big := `{"data":[` + strings.Repeat(`{"t":"`+strings.Repeat("x", 4000)+`"},`, 50) + `{}]}`
	s.Do(t, byAdmin("POST", "/v1/db/posts/insert", big)).Expect(t, 200, "")
	r = s.Do(t, byAdmin("GET", "/v1/admin/collections", ""))
	r.Expect(t, 200, `{"data":[{"name":"posts","count":54}]}`)
	size2, _ := r.Value("data.0.size").(interface{ Int64() (int64, error) })
	if n2, _ := size2.Int64(); n2 < n1+200_000 {
		t.Errorf("size after 200 KB more: %d, was %d", n2, n1)
	}
	s.Do(t, byAdmin("POST", "/v1/admin/collections", `{"name":"empty"}`)).Expect(t, 200, "")
	s.Do(t, byAdmin("GET", "/v1/admin/collections", "")).Expect(t, 200, `{"data":[{"name":"empty","count":0},{"name":"posts","count":54}]}`)
}

// hugeQuery is a query whose filter has 300 branches of long values.
func hugeQuery() servertest.Request {
	var b strings.Builder
	b.WriteString(`{"filter":{"$or":[`)
	for i := range 300 {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"field%d":"v%d-%s"}`, i, i, strings.Repeat("x", 100))
	}
	b.WriteString(`]}}`)
	return byAdmin("POST", "/v1/db/posts/query", b.String())
}
