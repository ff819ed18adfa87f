//go:build !minibase_fuzz

package db_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"minibase/auth"
	"minibase/db"
	"minibase/db/sqlite"
	"minibase/server/servertest"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// BenchmarkScenarios: the hottest requests as scenarios on the whole
// server (servertest.Benchmark: middlewares, routing, identity, the
// database, the answer), against 1,000 posts: get by id, as the admin and
// as the owner under PRIVATE, and an indexed query of 20.
//
//	go test ./db -run '^$' -bench Scenarios -benchmem -count 6
func BenchmarkScenarios(b *testing.B) {
	seed := []servertest.Request{
		byAdmin("POST", "/v1/admin/collections", `{"name":"posts"}`),
		byAdmin("POST", "/v1/admin/collections/posts/indexes", `{"keys":{"author":1}}`),
		byAdmin("POST", "/v1/db/posts/insert", thousandPosts()),
		{Method: "PUT", URL: "/v1/db/posts/docs/mine", Body: `{"data":{"author":"alice","title":"mine"}}`, As: alice},
	}
	servertest.Benchmark(b, []servertest.Scenario{
		{Name: "get-by-id", Setup: seed, Method: "GET", URL: "/v1/db/posts/docs/p1", As: asAdmin, Status: 200,
			Want: `{"data":{"_id":"p1"}}`},
		{Name: "get-by-id-owner", Setup: seed, Method: "GET", URL: "/v1/db/posts/docs/mine", As: alice, Status: 200,
			Want: `{"data":{"_id":"mine"}}`},
		{Name: "query", Setup: seed, Method: "POST", URL: "/v1/db/posts/query", Body: `{"filter":{"author":"u7"},"limit":20}`,
			As: asAdmin, Status: 200, Want: `{"data":[{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}]}`},
	})
}

// thousandPosts is an insert of 1,000 posts by 50 authors, p1 among them.
func thousandPosts() string {
	var b strings.Builder
	b.WriteString(`{"data":[{"_id":"p1","author":"u0","n":0}`)
	for i := 1; i < 1000; i++ {
		fmt.Fprintf(&b, `,{"author":"u%d","title":"post %d, with a title of some length","n":%d}`, i%50, i, i)
	}
	b.WriteString(`]}`)
	return b.String()
}

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

// newHTTP serves s's routes under /v1 the way the server does, minus the
// token check and the server's middlewares, for the benchmarks of the
// handlers' own share (the contract tests run on the whole server):
// "X-Role: admin" makes the caller an admin, "X-Role: user" an end user,
// and no header a visitor. Errors answer their code as the body.
func newHTTP(tb testing.TB) (*fiber.App, *db.Service) {
	tb.Helper()
	drv, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "h.db"), sqlite.Options{Synchronous: "NORMAL"})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { drv.Close() })
	s := db.NewService(drv, db.Limits{})
	app := fiber.New(fiber.Config{BodyLimit: 64 << 20, ErrorHandler: func(c *fiber.Ctx, err error) error {
		var de *db.Error
		if !errors.As(err, &de) {
			return c.Status(500).SendString(err.Error())
		}
		return c.Status(400).SendString(de.Code + ": " + de.Message)
	}})
	app.Use(func(c *fiber.Ctx) error {
		switch c.Get("X-Role") {
		case "admin":
			c.SetUserContext(auth.NewContext(c.UserContext(), &auth.Identity{Role: auth.Admin}))
		case "user":
			c.SetUserContext(auth.NewContext(c.UserContext(), &auth.Identity{Role: auth.User, UID: "u1", OpenID: "o1"}))
		}
		return c.Next()
	})
	s.Mount(app.Group("/v1"))
	admin := auth.NewContext(context.Background(), &auth.Identity{Role: auth.Admin})
	if _, err := s.CreateCollection(admin, db.Doc{{"name", "notes"}}); err != nil { // PRIVATE
		tb.Fatal(err)
	}
	return app, s
}

// post sends body to path as role and returns the status and body.
func post(tb testing.TB, app *fiber.App, role, path, body string) (int, string) {
	tb.Helper()
	req := httptest.NewRequest("POST", path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if role != "" {
		req.Header.Set("X-Role", role)
	}
	resp, err := app.Test(req, -1)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// manyKeys is an insert of one document with n fields.
func manyKeys(n int) string {
	var b strings.Builder
	b.WriteString(`{"data":{`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"k%d":%d`, i, i)
	}
	b.WriteString(`}}`)
	return b.String()
}

// BenchmarkInsertManyKeys: an insert of one document with many fields,
// which must be refused, through the HTTP handler: a visitor's into a
// PRIVATE collection (60,000 keys once cost 7 s of CPU before the
// refusal), a visitor's under a create rule that reads request.data (the
// body must be decoded), and an admin's.
func BenchmarkInsertManyKeys(b *testing.B) {
	app, s := newHTTP(b)
	admin := auth.NewContext(context.Background(), &auth.Identity{Role: auth.Admin})
	if _, err := s.CreateCollection(admin, db.Doc{{"name", "open"}}); err != nil {
		b.Fatal(err)
	}
	if _, err := s.SetRules(admin, "open", db.Doc{{"read", true}, {"create", "request.data.k0 == 0"}}); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct{ name, role, coll string }{
		{"visitor-PRIVATE", "", "notes"},
		{"visitor-data-rule", "", "open"},
		{"admin", "admin", "notes"},
	} {
		for _, n := range []int{60_000, 400_000} {
			body := manyKeys(n)
			b.Run(fmt.Sprintf("%s/keys=%d", c.name, n), func(b *testing.B) {
				b.SetBytes(int64(len(body)))
				for b.Loop() {
					post(b, app, c.role, "/v1/db/"+c.coll+"/insert", body)
				}
			})
		}
	}
}
