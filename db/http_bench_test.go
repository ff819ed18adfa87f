package db_test

import (
	"context"
	"fmt"
	"testing"

	"minibase/auth"
	"minibase/db"

	"github.com/valyala/fasthttp"
)

// BenchmarkHTTPOps: each database route through its fiber handler, as an
// admin, without a socket: the handler's own share (decoding, the Service
// call, the answer's JSON) of a request.
func BenchmarkHTTPOps(b *testing.B) {
	app, s := newHTTP(b)
	admin := auth.NewContext(context.Background(), &auth.Identity{Role: auth.Admin})
	docs := make([]any, 1000)
	for i := range docs {
		docs[i] = db.Doc{{"author", fmt.Sprintf("u%d", i%50)}, {"title", fmt.Sprintf("post %d, with a title of some length", i)}, {"n", int64(i)}}
	}
	docs[0] = db.Doc{{"_id", "p1"}, {"author", "u0"}, {"n", int64(0)}}
	if _, _, err := s.Insert(admin, "notes", db.Doc{{"data", docs}}); err != nil {
		b.Fatal(err)
	}
	if _, err := s.CreateIndex(admin, "notes", db.Doc{{"keys", db.Doc{{"author", int64(1)}}}}); err != nil {
		b.Fatal(err)
	}
	handler := app.Handler()
	for _, c := range []struct{ name, method, path, body string }{
		{"query", "POST", "/v1/db/notes/query", `{"filter":{"author":"u7"},"limit":20}`},
		{"count", "POST", "/v1/db/notes/count", `{"filter":{"author":"u7"}}`},
		{"insert", "POST", "/v1/db/notes/insert", `{"data":{"author":"u7","n":1}}`},
		{"update", "POST", "/v1/db/notes/update", `{"filter":{"_id":"p1"},"update":{"$inc":{"n":1}}}`},
		{"remove", "POST", "/v1/db/notes/remove", `{"filter":{"_id":"missing"}}`},
		{"get", "GET", "/v1/db/notes/docs/p1", ``},
		{"set", "PUT", "/v1/db/notes/docs/p1", `{"data":{"author":"u0","n":0}}`},
		{"patch", "PATCH", "/v1/db/notes/docs/p1", `{"update":{"$inc":{"n":1}}}`},
		{"delete", "DELETE", "/v1/db/notes/docs/missing", ``},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			var ctx fasthttp.RequestCtx
			for b.Loop() {
				ctx.Request.Reset()
				ctx.Response.Reset()
				ctx.Request.Header.SetMethod(c.method)
				ctx.Request.SetRequestURI(c.path)
				ctx.Request.Header.Set("X-Role", "admin")
				ctx.Request.Header.SetContentType("application/json")
				ctx.Request.SetBodyString(c.body)
				handler(&ctx)
				if code := ctx.Response.StatusCode(); code != 200 {
					b.Fatalf("%s %s: %d %s", c.method, c.path, code, ctx.Response.Body())
				}
			}
		})
	}
}
