package server_test

import (
	"fmt"
	"strings"
	"testing"

	"minibase/server/servertest"
)

// TestTransferAPI: the admin API of import and export, its refusals
// (which change nothing) and its reports.
func TestTransferAPI(t *testing.T) {
	admin := servertest.Admin
	seed := []servertest.Request{
		{Method: "POST", URL: "/v1/admin/collections", Body: `{"name":"todos"}`, As: admin},
		{Method: "POST", URL: "/v1/db/todos/insert", As: admin,
			Body: `{"data":[{"_id":"t1","title":"牛奶, \"2L\"","due":{"$date":"2026-12-24T08:00:00Z"}},{"_id":"t2","n":9007199254740993}]}`},
	}
	nothing := func(coll string) func(testing.TB, *servertest.Server, *servertest.Response) {
		return func(tb testing.TB, s *servertest.Server, _ *servertest.Response) {
			s.Do(tb, servertest.Request{Method: "POST", URL: "/v1/db/" + coll + "/count", Body: `{}`, As: admin}).
				Expect(tb, 404, `{"code":"DATABASE_COLLECTION_NOT_EXIST"}`)
		}
	}
	servertest.Run(t, []servertest.Scenario{
		{Name: "export jsonl", Setup: seed, URL: "/v1/admin/collections/todos/export", As: admin, Status: 200,
			WantHeader: map[string]string{"Content-Type": "application/x-ndjson; charset=utf-8", "Content-Disposition": `attachment; filename="todos.jsonl"`},
			After: func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
				want := `{"$minibase":{"version":1,"collection":"todos","indexes":[]}}` + "\n" +
					`{"_id":"t1","title":"牛奶, \"2L\"","due":{"$date":"2026-12-24T08:00:00.000Z"}}` + "\n" +
					`{"_id":"t2","n":9007199254740993}` + "\n"
				if r.Body != want {
					tb.Errorf("export:\n%s\nwant:\n%s", r.Body, want)
				}
			}},
		{Name: "export csv", Setup: seed, URL: "/v1/admin/collections/todos/export?format=csv", As: admin, Status: 200,
			After: func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
				want := "_id,title,due,n\nt1,\"牛奶, \"\"2L\"\"\",2026-12-24T08:00:00.000Z,\nt2,,,9007199254740993\n"
				if r.Body != want {
					tb.Errorf("export:\n%s\nwant:\n%s", r.Body, want)
				}
			}},
		{Name: "export meta only", Setup: append(seed, servertest.Request{Method: "PUT", URL: "/v1/admin/collections/todos/rules", Body: `{"preset":"READONLY"}`, As: admin}),
			URL: "/v1/admin/collections/todos/export?meta=only", As: admin, Status: 200,
			Equal: `{"$minibase":{"version":1,"collection":"todos","indexes":[],"rules":{"preset":"READONLY"}}}`},
		{Name: "export of a missing collection", URL: "/v1/admin/collections/nope/export", As: admin,
			Status: 404, Want: `{"code":"DATABASE_COLLECTION_NOT_EXIST","errCode":-502005}`},
		{Name: "export by a user", Setup: seed, URL: "/v1/admin/collections/todos/export", As: servertest.User("bob", "bob-password-1"),
			Status: 403, Want: `{"code":"DATABASE_PERMISSION_DENIED","message":"import and export are for admins only"}`},
		{Name: "export in an unknown format", Setup: seed, URL: "/v1/admin/collections/todos/export?format=xml", As: admin,
			Status: 400, Want: `{"code":"INVALID_PARAM","message":"unknown format \"xml\": use jsonl or csv"}`},
		{Name: "import by a visitor", Method: "POST", URL: "/v1/admin/collections/x/import", Body: `{"_id":"1"}`,
			Status: 403, Want: `{"code":"DATABASE_PERMISSION_DENIED"}`, After: nothing("x")},
		{Name: "import in an unknown mode", Method: "POST", URL: "/v1/admin/collections/x/import?mode=merge", Body: `{"_id":"1"}`, As: admin,
			Status: 400, Want: `{"message":"unknown mode \"merge\": use insert, upsert or replace"}`, After: nothing("x")},
		{Name: "import into a bad name", Method: "POST", URL: "/v1/admin/collections/..%2Fetc/import", Body: `{"_id":"1"}`, As: admin,
			Status: 400, Want: `{"code":"INVALID_PARAM"}`},
		{Name: "import with bad lines, skip", Setup: seed, Method: "POST", URL: "/v1/admin/collections/todos/import?onError=skip",
			Body: "{\"_id\":\"a\",\"v\":1}\n{\"_id\":\"t1\"}\nnot json\n{\"_id\":\"b\",\"when\":{\"$date\":1568044800000}}\n", As: admin,
			Status: 200, Equal: `{"inserted":2,"updated":0,"skipped":2,"failed":2,"stopped":false,"lines":4,"bytes":83,"meta":false,"errors":[` +
				`{"line":2,"message":"_id \"t1\" is taken in collection \"todos\" (mode insert keeps the stored document: use mode upsert or replace to overwrite it)"},` +
				`{"line":3,"message":"a line must be one JSON object"}]}`,
			After: func(tb testing.TB, s *servertest.Server, _ *servertest.Response) {
				s.Do(tb, servertest.Request{Method: "POST", URL: "/v1/db/todos/query", Body: `{"filter":{"_id":{"$in":["a","b","t1"]}},"sort":[["_id",1]]}`, As: admin}).
					Expect(tb, 200, `{"data":[{"_id":"a","v":1},{"_id":"b","when":{"$date":"2019-09-09T16:00:00.000Z"}},{"_id":"t1","title":"牛奶, \"2L\""}]}`)
			}},
		{Name: "import csv, upsert", Setup: seed, Method: "POST", URL: "/v1/admin/collections/todos/import?format=csv&mode=upsert",
			Body: "_id,done\nt1,true\nt9,false\n", As: admin,
			Status: 200, Want: `{"inserted":1,"updated":1,"failed":0,"errors":[]}`,
			After: func(tb testing.TB, s *servertest.Server, _ *servertest.Response) {
				s.Do(tb, servertest.Request{URL: "/v1/db/todos/docs/t1", As: admin}).
					Expect(tb, 200, `{"data":{"_id":"t1","title":"牛奶, \"2L\"","done":true}}`)
			}},
		{Name: "import over the limit", Options: servertest.Options{Env: map[string]string{"MINIBASE_IMPORT_LIMIT": "1KiB"}},
			Method: "POST", URL: "/v1/admin/collections/big/import", Body: strings.Repeat(`{"s":"0123456789"}`+"\n", 100), As: admin,
			Status: 400, Want: `{"code":"INVALID_PARAM","message":"the import is larger than 1024 bytes (MINIBASE_IMPORT_LIMIT): split the file or raise the limit"}`},
	})
}

// TestTransferRoundTripStreamed: a collection exported from one server
// with its index and rules, and imported into another as a chunked stream
// over a real connection, arrives whole; a second import in insert mode
// refuses every line and changes nothing.
func TestTransferRoundTripStreamed(t *testing.T) {
	admin := servertest.Admin
	src := servertest.New(t, servertest.Options{Listen: true})
	dst := servertest.New(t, servertest.Options{Listen: true})
	ok := func(s *servertest.Server, method, url, body string) *servertest.Response {
		t.Helper()
		r := s.Do(t, servertest.Request{Method: method, URL: url, Body: body, As: admin})
		if r.Status >= 300 {
			t.Fatalf("%s %s: %d %s", method, url, r.Status, r.Body)
		}
		return r
	}
	ok(src, "POST", "/v1/admin/collections", `{"name":"shops"}`)
	ok(src, "POST", "/v1/admin/collections/shops/indexes", `{"keys":{"loc":"2dsphere"}}`)
	ok(src, "PUT", "/v1/admin/collections/shops/rules", `{"preset":"READONLY"}`)
	var docs []string
	for i := range 2500 {
		docs = append(docs, fmt.Sprintf(`{"_id":"s%04d","loc":{"type":"Point","coordinates":[%d.5,22.5]},"tags":["a",%d]}`, i, i%180, i))
	}
	for i := 0; i < len(docs); i += 500 {
		ok(src, "POST", "/v1/db/shops/insert", `{"data":[`+strings.Join(docs[i:i+500], ",")+`]}`)
	}
	file := ok(src, "GET", "/v1/admin/collections/shops/export", "").Body
	rep := dst.Do(t, servertest.Request{Method: "POST", URL: "/v1/admin/collections/shops/import", Body: strings.NewReader(file), As: admin})
	rep.Expect(t, 200, `{"inserted":2500,"failed":0,"meta":true,"lines":2501}`)
	ok(dst, "GET", "/v1/admin/collections/shops/rules", "").Expect(t, 200, `{"preset":"READONLY"}`)
	ok(dst, "GET", "/v1/admin/collections/shops/indexes", "").Expect(t, 200, `{"data":[{"name":"loc_2dsphere","keys":[{"path":"loc","type":"2dsphere"}]}]}`)
	near := `{"filter":{"loc":{"$nearSphere":{"$geometry":{"type":"Point","coordinates":[7.5,22.5]},"$maxDistance":1000}}},"limit":3}`
	ok(dst, "POST", "/v1/db/shops/query", near).Expect(t, 200, `{"data":[{"_id":"s0007"},{"_id":"s0187"},{"_id":"s0367"}]}`)
	if again := ok(dst, "GET", "/v1/admin/collections/shops/export", "").Body; again != file {
		t.Errorf("export of the imported collection differs from the original")
	}
	rep = dst.Do(t, servertest.Request{Method: "POST", URL: "/v1/admin/collections/shops/import?onError=skip", Body: strings.NewReader(file), As: admin})
	rep.Expect(t, 200, `{"inserted":0,"skipped":2500,"failed":2500,"meta":true}`)
	if n := len(rep.Value("errors").([]any)); n != 100 {
		t.Errorf("the report lists %d errors, want the first 100", n)
	}
}

// TestTransferImportPastBodyLimit: an import larger than
// MINIBASE_BODY_LIMIT, sent with its length over a real connection, is
// read (the import route has its own limit).
func TestTransferImportPastBodyLimit(t *testing.T) {
	s := servertest.New(t, servertest.Options{Listen: true, Env: map[string]string{"MINIBASE_BODY_LIMIT": "1MiB"}})
	big := strings.Repeat("x", 900<<10)
	var b strings.Builder
	for i := range 3 {
		fmt.Fprintf(&b, `{"_id":"%d","s":%q}`+"\n", i, big)
	}
	s.Do(t, servertest.Request{Method: "POST", URL: "/v1/admin/collections/big/import", Body: b.String(), As: servertest.Admin}).
		Expect(t, 200, `{"inserted":3,"failed":0}`)
	s.Do(t, servertest.Request{Method: "POST", URL: "/v1/db/big/insert", Body: `{"data":{"s":"` + big + big + `"}}`, As: servertest.Admin}).
		Expect(t, 413, `{"code":"INVALID_PARAM"}`)
}
