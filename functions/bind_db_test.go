package functions

import (
	"encoding/json"
	"errors"
	"io"
	"net/http/httptest"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"minibase/auth"
	"minibase/db"

	"github.com/gofiber/fiber/v2"
)

// dbHTTP serves s's routes under /v1 as the server does, every caller an
// admin (as functions are), errors as the server's {code, errCode, message}.
func dbHTTP(s *db.Service) *fiber.App {
	app := fiber.New(fiber.Config{ErrorHandler: func(c *fiber.Ctx, err error) error {
		var de *db.Error
		if !errors.As(err, &de) {
			return c.Status(500).SendString(err.Error())
		}
		return c.Status(400).JSON(fiber.Map{"code": de.Code, "errCode": de.ErrCode, "message": de.Message})
	}})
	app.Use(func(c *fiber.Ctx) error {
		c.SetUserContext(auth.NewContext(c.UserContext(), &auth.Identity{Role: auth.Admin}))
		return c.Next()
	})
	s.Mount(app.Group("/v1"))
	return app
}

// route is the HTTP API's route of a natives.db operation. doc(id).update
// is PATCH: the semantics the in-function call must have. A transaction's
// operations are run and committed in a function as POST
// /v1/db/transaction runs them.
func route(op, coll, id string) (method, path string) {
	c := "/v1/db/" + url.PathEscape(coll)
	d := c + "/docs/" + url.PathEscape(id)
	switch op {
	case "getDoc":
		return "GET", d
	case "setDoc":
		return "PUT", d
	case "updateDoc":
		return "PATCH", d
	case "removeDoc":
		return "DELETE", d
	case "createCollection":
		return "POST", "/v1/admin/collections"
	case "transaction":
		return "POST", "/v1/db/transaction"
	}
	return "POST", c + "/" + op
}

// withoutDates replaces extended-JSON dates ({"$date": text}) with their
// text, which is what JSON.stringify makes of the Date objects functions get.
func withoutDates(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if d, ok := x["$date"]; ok && len(x) == 1 {
			return d
		}
		for k, e := range x {
			x[k] = withoutDates(e)
		}
	case []any:
		for i, e := range x {
			x[i] = withoutDates(e)
		}
	}
	return v
}

// Every database operation of wx-server-sdk answers inside a function what
// the HTTP API answers for the same request on the same data: the same
// documents, stats, ids and errors. The same sequence runs on two fresh
// databases, one over HTTP and one through natives.db (the builder's
// transport, before the builder shapes its results).
func TestDBOperationsAnswerAsHTTP(t *testing.T) {
	_, overHTTP := newTestRuntime(t, Options{})
	app := dbHTTP(overHTTP)
	rt, _ := newTestRuntime(t, Options{})
	long := strings.Repeat("x", 300) // longer than an id may be
	tested := map[string]bool{}
	for _, c := range []struct {
		name, op, coll, id, body string
		fails                    string // the error's code
	}{
		{"insert one", "insert", "t", "", `{"data":{"_id":"a","n":1,"s":"ü<&>\"\\","f":1.5,"b":true,"z":null,"kind":"a",
			"nested":{"x":[1,2,{"y":"deep"}]},"when":{"$date":"2024-05-06T07:08:09.010Z"}}}`, ""},
		{"insert many", "insert", "t", "", `{"data":[{"_id":"b","n":2,"kind":"k"},{"_id":"c","n":3,"kind":"k","tags":["x"]}]}`, ""},
		{"insert an id to escape", "insert", "t", "", `{"data":{"_id":"a/b%c d?","n":4}}`, ""},
		{"query", "query", "t", "", `{"filter":{"n":{"$gte":1}},"sort":[["n",-1]],"limit":10}`, ""},
		{"query with a projection", "query", "t", "", `{"filter":{"_id":"a"},"projection":{"nested":1,"when":1},"limit":1}`, ""},
		{"query nothing", "query", "t", "", `{"filter":{"n":99}}`, ""},
		{"aggregate", "aggregate", "t", "", `{"pipeline":[{"$match":{"n":{"$gte":1}}},{"$group":{"_id":"$kind","n":{"$sum":"$n"},"ids":{"$push":"$_id"}}},{"$sort":{"_id":1}}]}`, ""},
		{"aggregate dates", "aggregate", "t", "", `{"pipeline":[{"$match":{"_id":"a"}},{"$project":{"when":1,"year":{"$year":"$when"},"nested":1}}]}`, ""},
		{"aggregate a bad stage", "aggregate", "t", "", `{"pipeline":[{"$frob":{}}]}`, db.CodeInvalidOperator},
		{"count", "count", "t", "", `{"filter":{"kind":"k"}}`, ""},
		{"count all", "count", "t", "", `{}`, ""},
		{"getDoc", "getDoc", "t", "a", ``, ""},
		{"getDoc of an id to escape", "getDoc", "t", "a/b%c d?", ``, ""},
		{"getDoc of nothing", "getDoc", "t", "missing", ``, db.CodeDocumentNotExist},
		{"update many", "update", "t", "", `{"filter":{"kind":"k"},"update":{"$inc":{"n":10}},"multi":true}`, ""},
		{"update one", "update", "t", "", `{"filter":{"kind":"k"},"update":{"$set":{"one":true}}}`, ""},
		{"update with upsert", "update", "t", "", `{"filter":{"_id":"u"},"update":{"$set":{"n":0}},"upsert":true}`, ""},
		{"updateDoc", "updateDoc", "t", "a", `{"update":{"$push":{"tags":"t"},"$set":{"nested.x.2.y":"deeper"}}}`, ""},
		{"updateDoc of nothing", "updateDoc", "t", "missing", `{"update":{"$set":{"n":1}}}`, ""},
		{"updateDoc of a bad id", "updateDoc", "t", long, `{"update":{"$set":{"n":1}}}`, db.CodeInvalidParam},
		{"setDoc replaces", "setDoc", "t", "a", `{"data":{"n":5,"when":{"$date":"2024-01-01T00:00:00.000Z"}}}`, ""},
		{"setDoc creates", "setDoc", "t", "d", `{"data":{"n":6}}`, ""},
		{"removeDoc", "removeDoc", "t", "d", ``, ""},
		{"removeDoc of nothing", "removeDoc", "t", "d", ``, ""},
		{"remove many", "remove", "t", "", `{"filter":{"n":{"$gt":10}},"multi":true}`, ""},
		{"remove one", "remove", "t", "", `{"filter":{}}`, ""},
		{"a transaction", "transaction", "", "", `{"ops":[{"op":"getDoc","coll":"t","id":"a"},{"op":"getDoc","coll":"t","id":"missing"},
			{"op":"updateDoc","coll":"t","id":"a","update":{"$inc":{"n":1}}},{"op":"insert","coll":"t","data":{"_id":"e","n":7}},
			{"op":"update","coll":"t","filter":{"n":{"$gte":6}},"update":{"$set":{"big":true}},"multi":true},
			{"op":"setDoc","coll":"t","id":"f","data":{"n":8}},{"op":"removeDoc","coll":"t","id":"e"},
			{"op":"remove","coll":"t","filter":{"_id":"f"}},{"op":"getDoc","coll":"t","id":"a"}]}`, ""},
		{"what is left", "query", "t", "", `{"sort":[["_id",1]]}`, ""},
		{"createCollection", "createCollection", "", "", `{"name":"fresh"}`, ""},
		{"createCollection again", "createCollection", "", "", `{"name":"fresh"}`, db.CodeCollectionExists},
		{"a bad operator", "query", "t", "", `{"filter":{"n":{"$nope":1}}}`, db.CodeInvalidOperator},
		{"an unknown field", "count", "t", "", `{"filter":{},"bogus":1}`, db.CodeInvalidParam},
		{"a taken _id", "insert", "t", "", `{"data":{"_id":"u"}}`, db.CodeDuplicateKey},
		{"setDoc with operators", "setDoc", "t", "a", `{"data":{"$set":{"n":1}}}`, db.CodeInvalidParam},
	} {
		tested[c.op] = true
		t.Run(c.name, func(t *testing.T) {
			id := c.id
			// Over HTTP.
			method, path := route(c.op, c.coll, id)
			req := httptest.NewRequest(method, path, strings.NewReader(c.body))
			req.Header.Set("Content-Type", "application/json")
			resp, err := app.Test(req, -1)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var overHTTP any
			if err := json.Unmarshal(raw, &overHTTP); err != nil {
				t.Fatalf("HTTP %d %s: %v", resp.StatusCode, raw, err)
			}
			overHTTP = withoutDates(overHTTP)

			// In a function.
			var body any
			if c.body != "" {
				body = mustJSON(t, c.body)
			}
			args := []any{c.coll, body}
			switch {
			case c.op == "createCollection" || c.op == "transaction":
				args = []any{body}
			case c.op == "getDoc" || c.op == "removeDoc":
				args = []any{c.coll, id}
			case c.id != "":
				args = []any{c.coll, id, body}
			}
			event, _ := json.Marshal(map[string]any{"op": c.op, "args": args})
			got, err := invoke(t, rt, adminCtx, "dbanswers", string(event))
			if err != nil {
				t.Fatal(err)
			}
			inFunction := got.(map[string]any)

			if ok := resp.StatusCode == 200; ok != (c.fails == "") {
				t.Fatalf("over HTTP %d %s, want it to fail with %q", resp.StatusCode, raw, c.fails)
			}
			if c.fails == "" {
				if a, ok := inFunction["answer"]; !ok || !reflect.DeepEqual(a, overHTTP) {
					t.Errorf("in a function %v, over HTTP %s", jsonText(inFunction), raw)
				}
				return
			}
			e, _ := inFunction["error"].(map[string]any)
			h := overHTTP.(map[string]any)
			msg, _ := e["errMsg"].(string)
			if e == nil || e["code"] != c.fails || e["code"] != h["code"] || e["errCode"] != h["errCode"] || !strings.HasSuffix(msg, ". "+h["message"].(string)) {
				t.Errorf("in a function %v, over HTTP %d %s", jsonText(inFunction), resp.StatusCode, raw)
			}
		})
	}
	for _, op := range dbOps(t) {
		if !tested[op] {
			t.Errorf("DbOps.%s is not in the table", op)
		}
	}
}

// dbOps returns the operations DbOps declares (sdk/src/database/ops.ts).
func dbOps(t *testing.T) []string {
	t.Helper()
	src, err := os.ReadFile("../sdk/src/database/ops.ts")
	if err != nil {
		t.Fatal(err)
	}
	_, body, ok := strings.Cut(string(src), "\nexport interface DbOps {\n")
	body, _, _ = strings.Cut(body, "\n}\n")
	var ops []string
	for _, m := range regexp.MustCompile(`(?m)^  (\w+)\(`).FindAllStringSubmatch(body, -1) {
		ops = append(ops, m[1])
	}
	if !ok || len(ops) == 0 {
		t.Fatal("no interface DbOps with methods in sdk/src/database/ops.ts")
	}
	return ops
}

// natives.db has one native per operation of DbOps, and env.
func TestDBNativesAreDbOps(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{})
	got, err := invoke(t, rt, adminCtx, "dbanswers", `{"names":true}`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, n := range got.([]any) {
		names = append(names, n.(string))
	}
	want := append(dbOps(t), "env")
	slices.Sort(names)
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Errorf("natives.db has %v, want DbOps's %v", names, want)
	}
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// stored returns the document id of coll as stored, or nil.
func stored(t *testing.T, svc *db.Service, coll, id string) map[string]any {
	t.Helper()
	docs, err := svc.Query(adminCtx, coll, doc("filter", doc("_id", id)))
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) == 0 {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal(docs[0], &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// The builder's writes inside a function reach the database operation of
// their meaning: doc(id).update is doc(id)'s update (PATCH …/docs/{id}:
// operators apply, objects merge by path, a missing document is updated 0
// and not created, the id is checked as doc(id).get checks it);
// doc(id).set replaces or creates; where().update changes every match.
func TestDBWrites(t *testing.T) {
	rt, svc := newTestRuntime(t, Options{})
	seed := `[{"_id":"a","n":1,"tags":["old"],"style":{"size":2},"gone":true,"kind":"k"},{"_id":"b","kind":"k"},{"_id":"c","kind":"other"}]`
	if _, _, err := svc.Insert(adminCtx, "w", doc("data", toDB(t, seed))); err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("x", 300)
	runCases(t, rt, []fcase{
		{name: "doc().update", fn: "dbwrites", event: `{"coll":"w","action":"docUpdate","id":"a"}`,
			want: `{"stats":{"updated":1},"errMsg":"document.update:ok"}`},
		{name: "doc().update of nothing", fn: "dbwrites", event: `{"coll":"w","action":"docUpdate","id":"missing"}`,
			want: `{"stats":{"updated":0},"errMsg":"document.update:ok"}`},
		{name: "doc().update of an id longer than ids are", fn: "dbwrites", event: `{"coll":"w","action":"docUpdate","id":"` + long + `"}`,
			want: `{"errCode":-501007,"errMsg":"document.update:fail -501007 invalid parameters. document id must be 1 to 256 bytes"}`},
		{name: "doc().get of that id", fn: "dbwrites", event: `{"coll":"w","action":"docGet","id":"` + long + `"}`,
			want: `{"errCode":-501007,"errMsg":"document.get:fail -501007 invalid parameters. document id must be 1 to 256 bytes"}`},
		{name: "where().update", fn: "dbwrites", event: `{"coll":"w","action":"whereUpdate","kind":"k"}`,
			want: `{"stats":{"updated":2},"errMsg":"collection.update:ok"}`},
		{name: "doc().set of a document", fn: "dbwrites", event: `{"coll":"w","action":"docSet","id":"b"}`,
			want: `{"_id":"b","stats":{"updated":1,"created":0},"errMsg":"document.set:ok"}`},
		{name: "doc().set of nothing", fn: "dbwrites", event: `{"coll":"w","action":"docSet","id":"new"}`,
			want: `{"_id":"new","stats":{"updated":0,"created":1},"errMsg":"document.set:ok"}`},
		{name: "doc().remove()", fn: "dbwrites", event: `{"coll":"w","action":"docRemove","id":"c"}`,
			want: `{"stats":{"removed":1},"errMsg":"document.remove:ok"}`},
	})
	for _, c := range []struct {
		id   string
		want string // null: no such document
	}{
		{"a", `{"_id":"a","n":2,"tags":["old","new"],"style":{"size":2,"color":"red"},"kind":"k","seen":true}`},
		{"missing", `null`},
		{long, `null`},
		{"b", `{"_id":"b","only":"this"}`},
		{"new", `{"_id":"new","only":"this"}`},
		{"c", `null`},
	} {
		got := stored(t, svc, "w", c.id)
		var want map[string]any
		json.Unmarshal([]byte(c.want), &want)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("stored %.20s: %s, want %s", c.id, jsonText(got), c.want)
		}
	}
}

// toDB decodes extended JSON into a database value.
func toDB(t *testing.T, s string) any {
	t.Helper()
	v, err := db.DecodeJSON([]byte(s), db.MaxDepth)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
