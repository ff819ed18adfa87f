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

	"github.com/gofiber/fiber/v2"
)

// newHTTP serves s's routes under /v1 the way the server does, minus the
// token check: "X-Role: admin" makes the caller an admin, "X-Role: user" an
// end user, and no header a visitor. Errors answer their code as the body.
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

// TestRefusedBeforeTheBody: what the rules refuse whatever a request says
// is refused before its body is read: a body that is not even JSON gets the
// permission error, not INVALID_PARAM. Where the answer depends on the body
// (an admin, a rule that reads doc or request.data), the body is decoded.
func TestRefusedBeforeTheBody(t *testing.T) {
	app, s := newHTTP(t)
	admin := auth.NewContext(context.Background(), &auth.Identity{Role: auth.Admin})
	for _, c := range []struct{ name, rules string }{
		{"readonly", `{"preset":"READONLY"}`},
		{"adminwrite", `{"preset":"ADMINWRITE"}`},
		{"adminonly", `{"preset":"ADMINONLY"}`},
		{"signedin", `{"read":"auth != null","write":"auth != null && now > 0"}`},
		{"bydata", `{"read":"doc.public == true","write":"request.data.ok == true"}`},
	} {
		if _, err := s.CreateCollection(admin, db.Doc{{"name", c.name}}); err != nil {
			t.Fatal(err)
		}
		v, _ := db.DecodeJSON([]byte(c.rules), db.MaxDepth)
		if _, err := s.SetRules(admin, c.name, v.(db.Doc)); err != nil {
			t.Fatal(err)
		}
	}
	const garbage = `{"data": not JSON at all`
	for _, c := range []struct {
		role, method, path string
		want               string // the error code
	}{
		{"", "POST", "/v1/db/notes/insert", db.CodePermissionDenied}, // PRIVATE
		{"", "POST", "/v1/db/notes/query", db.CodePermissionDenied},
		{"", "POST", "/v1/db/notes/count", db.CodePermissionDenied},
		{"", "POST", "/v1/db/readonly/insert", db.CodePermissionDenied},
		{"", "POST", "/v1/db/readonly/remove", db.CodePermissionDenied},
		{"", "PUT", "/v1/db/readonly/docs/d1", db.CodePermissionDenied},
		{"user", "POST", "/v1/db/adminwrite/update", db.CodePermissionDenied},
		{"user", "PATCH", "/v1/db/adminwrite/docs/d1", db.CodePermissionDenied},
		{"user", "PUT", "/v1/db/adminwrite/docs/d1", db.CodePermissionDenied},
		{"user", "POST", "/v1/db/adminonly/query", db.CodePermissionDenied},
		{"", "POST", "/v1/db/signedin/insert", db.CodePermissionDenied},
		{"", "POST", "/v1/db/signedin/query", db.CodePermissionDenied},
		{"user", "POST", "/v1/admin/collections", db.CodePermissionDenied},
		{"user", "PUT", "/v1/admin/collections/notes/rules", db.CodePermissionDenied},
		{"user", "POST", "/v1/admin/collections/notes/indexes", db.CodePermissionDenied},
		{"user", "POST", "/v1/admin/rules/explain", db.CodePermissionDenied},
		// The answer depends on the body: it is decoded.
		{"", "POST", "/v1/db/readonly/query", db.CodeInvalidParam},
		{"user", "POST", "/v1/db/notes/insert", db.CodeInvalidParam},
		{"", "POST", "/v1/db/bydata/insert", db.CodeInvalidParam},
		{"", "POST", "/v1/db/bydata/query", db.CodeInvalidParam},
		{"user", "POST", "/v1/db/signedin/insert", db.CodeInvalidParam},
		{"admin", "POST", "/v1/db/adminonly/insert", db.CodeInvalidParam},
		{"admin", "POST", "/v1/admin/collections", db.CodeInvalidParam},
	} {
		req := httptest.NewRequest(c.method, c.path, strings.NewReader(garbage))
		if c.role != "" {
			req.Header.Set("X-Role", c.role)
		}
		resp, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.HasPrefix(string(b), c.want+":") {
			t.Errorf("%s %s as %q: %s, want %s", c.method, c.path, c.role, b, c.want)
		}
	}
}

// TestFieldLimit: a document has at most MaxFields fields, counted at
// every level; more is INVALID_PARAM naming the limit, whether the document
// is inserted, set or grown by an update, and nothing is written.
func TestFieldLimit(t *testing.T) {
	app, _ := newHTTP(t)
	fields := func(prefix string, n int) string {
		var b strings.Builder
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `"%s%d":0`, prefix, i)
		}
		return b.String()
	}
	wide := `{"_id":"wide",` + fields("k", db.MaxFields-1) + `}` // with _id: MaxFields
	if status, got := post(t, app, "admin", "/v1/db/notes/insert", `{"data":`+wide+`}`); status != 200 {
		t.Fatalf("a document of %d fields: %d %.200s", db.MaxFields, status, got)
	}
	over := fmt.Sprintf("%d fields", db.MaxFields)
	for _, c := range []struct{ name, method, path, body string }{
		{"one object", "POST", "/v1/db/notes/insert", `{"data":{` + fields("k", db.MaxFields+1) + `}}`},
		{"nested", "POST", "/v1/db/notes/insert", `{"data":{"a":{` + fields("k", db.MaxFields/2) + `},"b":{` + fields("k", db.MaxFields/2) + `}}}`},
		{"in an array", "POST", "/v1/db/notes/insert", `{"data":{"a":[{` + fields("k", db.MaxFields/2) + `},{` + fields("k", db.MaxFields/2) + `}]}}`},
		{"in a batch", "POST", "/v1/db/notes/insert", `{"data":[{"_id":"ok"},{"a":{` + fields("k", db.MaxFields) + `}}]}`},
		{"set", "PUT", "/v1/db/notes/docs/set", `{"data":{"a":{` + fields("k", db.MaxFields) + `}}}`},
		{"update", "PATCH", "/v1/db/notes/docs/wide", `{"update":{"$set":{"one":1,"more":2}}}`},
		{"upsert", "POST", "/v1/db/notes/update", `{"filter":{"_id":"new"},"update":{"$set":{"a":{` + fields("k", db.MaxFields) + `}}},"upsert":true}`},
	} {
		req := httptest.NewRequest(c.method, c.path, strings.NewReader(c.body))
		req.Header.Set("X-Role", "admin")
		resp, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.HasPrefix(string(b), db.CodeInvalidParam+":") || !strings.Contains(string(b), over) {
			t.Errorf("%s: %s, want INVALID_PARAM naming %q", c.name, b, over)
		}
	}
	if status, got := post(t, app, "admin", "/v1/db/notes/count", `{}`); status != 200 || got != `{"total":1}` {
		t.Errorf("after the refusals: %d %s, want only the first document", status, got)
	}
}
