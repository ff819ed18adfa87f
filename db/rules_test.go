//go:build !minibase_fuzz

package db_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"minibase/auth"
	"minibase/db"
	"minibase/db/sqlite"
)

// The rule sets of the table: the four presets and custom rules as
// CloudBase documents them (https://docs.cloudbase.net/database/security-rules),
// and the kind of rules users write.
var ruleSets = map[string]string{
	"PRIVATE":    `{"preset":"PRIVATE"}`,
	"READONLY":   `{"preset":"READONLY"}`,
	"ADMINWRITE": `{"preset":"ADMINWRITE"}`,
	"ADMINONLY":  `{"preset":"ADMINONLY"}`,
	"owner":      `{"read":"doc._openid == auth.openid","write":"doc._openid == auth.openid"}`,
	"public":     `{"read":"doc.public == true || doc._openid == auth.openid","write":"doc._openid == auth.openid"}`,
	"room":       "{\"read\":\"auth.openid in get(`database.rooms.${doc.room}`).members\",\"write\":false}",
	"validate":   `{"read":true,"create":"auth != null && request.data.n < 10","update":"doc._openid == auth.openid && request.data.n <= 100","delete":false}`,
	"signedin":   `{"read":"auth != null","write":"auth.loginType == 'ANONYMOUS' && doc._openid == auth.openid"}`,
}

// seed: alice (openid oa) owns a1 and a2, bob (ob) owns b1.
var seed = `[{"_id":"a1","_openid":"oa","public":true,"n":1,"room":"r1"},
	{"_id":"a2","_openid":"oa","public":false,"n":2,"room":"r2"},
	{"_id":"b1","_openid":"ob","public":true,"n":3,"room":"r1"}]`

type rulesEnv struct {
	s     *db.Service
	drv   *sqlite.DB
	users map[string]context.Context
}

func newRulesEnv(t *testing.T) *rulesEnv {
	t.Helper()
	drv, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "r.db"), sqlite.Options{Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { drv.Close() })
	e := &rulesEnv{s: db.NewService(drv, db.Limits{}), drv: drv, users: map[string]context.Context{
		"admin":   auth.NewContext(context.Background(), &auth.Identity{Role: auth.Admin}),
		"alice":   auth.NewContext(context.Background(), &auth.Identity{Role: auth.User, UID: "ua", OpenID: "oa", LoginType: auth.LoginWeChat}),
		"bob":     auth.NewContext(context.Background(), &auth.Identity{Role: auth.User, UID: "ub", OpenID: "ob", LoginType: auth.LoginAnonymous}),
		"visitor": context.Background(),
	}}
	e.create(t, "rooms", `{"preset":"ADMINONLY"}`, `[{"_id":"r1","members":["oa","ob"]},{"_id":"r2","members":["oa"]}]`)
	return e
}

// create makes coll with rules and documents, as an admin.
func (e *rulesEnv) create(t *testing.T, coll, rules, docs string) {
	t.Helper()
	admin := e.users["admin"]
	if _, err := e.s.CreateCollection(admin, doc(t, `{"name":"`+coll+`"}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.SetRules(admin, coll, doc(t, rules)); err != nil {
		t.Fatalf("rules %s: %v", rules, err)
	}
	if docs != "" {
		if _, _, err := e.s.Insert(admin, coll, doc(t, `{"data":`+docs+`}`)); err != nil {
			t.Fatal(err)
		}
	}
}

// do runs one named operation and reports its outcome: the ids it read, the
// number it counted or changed, "denied", "missing" or another error code.
func (e *rulesEnv) do(t *testing.T, user, coll, op string) string {
	t.Helper()
	ctx, s := e.users[user], e.s
	body := func(js string) db.Doc { return doc(t, js) }
	var out string
	var err error
	verb, arg, _ := strings.Cut(op, " ")
	switch verb {
	case "query":
		var docs [][]byte
		docs, err = s.Query(ctx, coll, body(`{"filter":`+arg+`,"sort":[["_id",1]]}`))
		out = ids(t, docs)
	case "aggregate":
		var docs [][]byte
		docs, err = s.Aggregate(ctx, coll, body(`{"pipeline":`+arg+`}`))
		out = "[" + string(bytes.Join(docs, []byte(","))) + "]"
	case "count":
		var n int64
		n, err = s.Count(ctx, coll, body(`{"filter":`+arg+`}`))
		out = fmt.Sprint(n)
	case "get":
		var raw []byte
		raw, err = s.GetDoc(ctx, coll, arg, nil)
		out = ids(t, [][]byte{raw})
	case "update":
		var res db.WriteResult
		res, err = s.Update(ctx, coll, body(`{"filter":`+arg+`,"update":{"$set":{"n":50}},"multi":true}`))
		out = fmt.Sprint(res.Updated)
	case "updatedoc":
		var res db.WriteResult
		res, err = s.UpdateDoc(ctx, coll, arg, body(`{"update":{"$set":{"n":50}}}`))
		out = fmt.Sprint(res.Updated)
	case "remove":
		var n int64
		n, err = s.Remove(ctx, coll, body(`{"filter":`+arg+`,"multi":true}`))
		out = fmt.Sprint(n)
	case "removedoc":
		var n int64
		n, err = s.DeleteDoc(ctx, coll, arg)
		out = fmt.Sprint(n)
	case "insert":
		_, _, err = s.Insert(ctx, coll, body(`{"data":`+arg+`}`))
		out = "ok"
	case "set":
		id, data, _ := strings.Cut(arg, " ")
		var res db.WriteResult
		res, err = s.SetDoc(ctx, coll, id, body(`{"data":`+data+`}`))
		out = fmt.Sprintf("u%d", res.Updated)
		if res.UpsertedID != "" {
			out = "created"
		}
	default:
		t.Fatalf("unknown op %q", op)
	}
	switch db.ErrorCode(err) {
	case "":
		if err != nil {
			t.Fatalf("%s %s: %v", user, op, err)
		}
		return out
	case db.CodePermissionDenied:
		return "denied"
	case db.CodeDocumentNotExist:
		return "missing"
	}
	return db.ErrorCode(err)
}

func ids(t *testing.T, docs [][]byte) string {
	var out []string
	for _, raw := range docs {
		if raw == nil {
			continue
		}
		v, err := db.DecodeJSON(raw, db.MaxDepth)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v.(db.Doc).ID())
	}
	return "[" + strings.Join(out, " ") + "]"
}

// TestRulesTable: rules × users × operations. Each row runs on a fresh
// collection holding the seed. Outcomes: the ids read, the number counted
// or changed, "denied" (DATABASE_PERMISSION_DENIED), "missing" or another
// error code.
func TestRulesTable(t *testing.T) {
	type row struct{ rules, user, op, want string }
	rows := []row{
		// PRIVATE: the creator reads and writes; others' documents are filtered silently.
		{"PRIVATE", "admin", "query {}", "[a1 a2 b1]"},
		{"PRIVATE", "alice", "query {}", "[a1 a2]"},
		{"PRIVATE", "bob", `query {"_openid":"oa"}`, "[]"},
		{"PRIVATE", "visitor", "query {}", "denied"},
		{"PRIVATE", "bob", "count {}", "1"},
		{"PRIVATE", "bob", "get a1", "missing"},
		{"PRIVATE", "alice", "get a1", "[a1]"},
		{"PRIVATE", "bob", "update {}", "1"},
		{"PRIVATE", "bob", "updatedoc a1", "0"},
		{"PRIVATE", "bob", "remove {}", "1"},
		{"PRIVATE", "bob", "removedoc a1", "0"},
		{"PRIVATE", "bob", `insert {"n":1}`, "ok"},
		{"PRIVATE", "visitor", `insert {"n":1}`, "denied"},
		// Another user's id cannot be created again: the answer is an
		// insert's for a taken _id, not a denial that says it is someone's.
		{"PRIVATE", "bob", `set a1 {"n":9}`, "DATABASE_DUPLICATE_KEY"},
		{"PRIVATE", "bob", `insert {"_id":"a1"}`, "DATABASE_DUPLICATE_KEY"},
		{"PRIVATE", "alice", `set a1 {"n":9}`, "u1"},
		{"PRIVATE", "bob", `set new {"n":9}`, "created"},
		// READONLY: everyone reads; the creator writes.
		{"READONLY", "visitor", "query {}", "[a1 a2 b1]"},
		{"READONLY", "bob", "get a1", "[a1]"},
		{"READONLY", "bob", "count {}", "3"},
		{"READONLY", "bob", "update {}", "1"},
		{"READONLY", "bob", "updatedoc a1", "0"},
		{"READONLY", "bob", "removedoc a1", "0"},
		{"READONLY", "alice", "remove {}", "2"},
		{"READONLY", "visitor", "update {}", "denied"},
		{"READONLY", "bob", `insert {"n":1}`, "ok"},
		// ADMINWRITE: everyone reads, only admins write.
		{"ADMINWRITE", "bob", "query {}", "[a1 a2 b1]"},
		{"ADMINWRITE", "alice", `insert {"n":1}`, "denied"},
		{"ADMINWRITE", "alice", "updatedoc a1", "denied"},
		{"ADMINWRITE", "alice", "removedoc a1", "denied"},
		{"ADMINWRITE", "alice", `set a1 {"n":1}`, "denied"},
		{"ADMINWRITE", "admin", "update {}", "3"},
		// ADMINONLY: clients can do nothing.
		{"ADMINONLY", "alice", "query {}", "denied"},
		{"ADMINONLY", "alice", "get a1", "denied"},
		{"ADMINONLY", "alice", "count {}", "denied"},
		{"ADMINONLY", "alice", `insert {"n":1}`, "denied"},
		{"ADMINONLY", "admin", "count {}", "3"},
		// Custom owner rule: the query must be a subset of the rule.
		{"owner", "alice", `query {"_openid":"{openid}"}`, "[a1 a2]"},
		{"owner", "alice", `query {"_openid":"oa","n":{"$gt":1}}`, "[a2]"},
		{"owner", "alice", "query {}", "denied"},
		{"owner", "bob", `query {"_openid":"oa"}`, "denied"},
		{"owner", "alice", `query {"_openid":{"$in":["oa"]}}`, "[a1 a2]"},
		{"owner", "alice", `query {"_openid":{"$in":["oa","ob"]}}`, "denied"},
		{"owner", "alice", `query {"$or":[{"_openid":"oa","n":1},{"_openid":"{openid}","n":2}]}`, "[a1 a2]"},
		{"owner", "alice", `query {"$or":[{"_openid":"oa"},{"n":3}]}`, "denied"},
		{"owner", "visitor", `query {"_openid":"{openid}"}`, "denied"},
		{"owner", "alice", `count {"_openid":"{openid}"}`, "2"},
		{"owner", "alice", "count {}", "denied"},
		// doc(id) is checked against the stored document: no rewrite needed.
		{"owner", "alice", "get a1", "[a1]"},
		// A document the caller may not read is answered as a missing one.
		{"owner", "bob", "get a1", "missing"},
		{"owner", "bob", "get nosuch", "missing"},
		{"owner", "alice", "updatedoc a1", "1"},
		{"owner", "bob", "updatedoc a1", "0"},
		{"owner", "bob", "updatedoc nosuch", "0"},
		{"owner", "bob", "removedoc a1", "0"},
		{"owner", "bob", "removedoc nosuch", "0"},
		{"owner", "alice", "removedoc a2", "1"},
		{"owner", "alice", `update {"_openid":"{openid}"}`, "2"},
		{"owner", "alice", "update {}", "denied"},
		{"owner", "alice", `remove {"_openid":"{openid}","n":2}`, "1"},
		{"owner", "bob", `remove {"_openid":"oa"}`, "denied"},
		{"owner", "bob", `insert {"n":1}`, "ok"},
		{"owner", "visitor", `insert {"n":1}`, "denied"}, // auth is null
		{"owner", "bob", `insert {"n":1,"_openid":"oa"}`, "denied"},
		{"owner", "bob", `set b1 {"n":9}`, "u1"},
		{"owner", "bob", `set a1 {"n":9}`, "DATABASE_DUPLICATE_KEY"},
		{"owner", "bob", `set b9 {"n":9}`, "created"},
		// Public or owner: either branch of the rule may decide.
		{"public", "bob", `query {"public":true}`, "[a1 b1]"},
		{"public", "bob", `query {"_openid":"{openid}"}`, "[b1]"},
		{"public", "bob", "query {}", "denied"},
		{"public", "bob", `query {"public":false}`, "denied"},
		{"public", "visitor", `query {"public":true}`, "[a1 b1]"},
		{"public", "bob", "get a1", "[a1]"},
		{"public", "bob", "get a2", "missing"},
		{"public", "alice", "get a2", "[a2]"},
		// get(): members of the document's room may read it.
		{"room", "bob", `query {"room":"r1"}`, "[a1 b1]"},
		{"room", "bob", `query {"room":"r2"}`, "denied"},
		{"room", "bob", "query {}", "denied"},
		{"room", "alice", `query {"room":{"$in":["r1"]}}`, "[a1 b1]"},
		{"room", "bob", "get a1", "[a1]"},
		{"room", "bob", "get a2", "missing"},
		{"room", "alice", "updatedoc a1", "denied"}, // write: false, whatever the document
		// create/update/delete split, validating request.data.
		{"validate", "visitor", "query {}", "[a1 a2 b1]"},
		{"validate", "alice", `insert {"n":5}`, "ok"},
		{"validate", "alice", `insert {"n":50}`, "denied"},
		{"validate", "alice", `insert [{"n":1},{"n":50}]`, "denied"},
		{"validate", "visitor", `insert {"n":5}`, "denied"},
		{"validate", "alice", "updatedoc a1", "1"},
		{"validate", "alice", `update {"_openid":"{openid}"}`, "2"},
		{"validate", "bob", "updatedoc a1", "denied"}, // bob may read a1: the denial is explicit
		{"validate", "alice", "removedoc a1", "denied"},
		{"validate", "alice", `set a1 {"n":100}`, "u1"},
		{"validate", "alice", `set a1 {"n":101}`, "denied"},
		{"validate", "alice", `set new {"n":9}`, "created"},
		{"validate", "alice", `set new {"n":10}`, "denied"},
		// auth.loginType.
		{"signedin", "visitor", "query {}", "denied"},
		{"signedin", "alice", "query {}", "[a1 a2 b1]"},
		{"signedin", "bob", "updatedoc b1", "1"},
		{"signedin", "alice", "updatedoc a1", "denied"}, // WECHAT, not ANONYMOUS
	}
	e := newRulesEnv(t)
	for i, r := range rows {
		coll := fmt.Sprintf("t%03d", i)
		e.create(t, coll, ruleSets[r.rules], seed)
		if got := e.do(t, r.user, coll, r.op); got != r.want {
			t.Errorf("%s / %s / %s = %s, want %s", r.rules, r.user, r.op, got, r.want)
		}
	}
}
