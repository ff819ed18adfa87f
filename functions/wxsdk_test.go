package functions

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"minibase/auth"
)

// A todo list as CloudBase apps write it: wx-server-sdk's database in
// dialect B, results and errMsg strings as wx-server-sdk gives them, run as
// an admin (rules bypassed) but stamped with the caller's OPENID.
func TestTodoCRUD(t *testing.T) {
	rt, svc := newTestRuntime(t, Options{})
	call := func(ctx context.Context, event string) map[string]any {
		t.Helper()
		got, err := invoke(t, rt, ctx, "todo", event)
		if err != nil {
			t.Fatalf("%s: %v", event, err)
		}
		m, _ := got.(map[string]any)
		return m
	}
	added := call(userCtx, `{"action":"add","title":"milk","due":86400000}`)
	id, _ := added["_id"].(string)
	if len(id) != 32 || added["errMsg"] != "collection.add:ok" {
		t.Fatalf("add: %v", added)
	}
	many := call(userCtx, `{"action":"addMany","titles":["bread","eggs"]}`)
	if ids, _ := many["_ids"].([]any); len(ids) != 2 || many["errMsg"] != "collection.add:ok" {
		t.Fatalf("add an array: %v, want {_ids: [2 ids], errMsg: 'collection.add:ok'}", many)
	}
	call(user2Ctx, `{"action":"add","title":"someone else's"}`)

	runCases(t, rt, []fcase{
		{name: "list: the caller's, sorted, dates as Date", fn: "todo", event: `{"action":"list"}`,
			want: `{"errMsg":"collection.get:ok","dueIsDate":true,"data":[{"title":"bread","_openid":"openid-1"},{"title":"eggs"},{"title":"milk","due":"1970-01-02T00:00:00.000Z"}]}`},
		{name: "get one", fn: "todo", event: `{"action":"get","id":"` + id + `"}`, want: `{"errMsg":"document.get:ok","data":{"_id":"` + id + `","title":"milk","done":false}}`},
		{name: "a missing document throws as wx-server-sdk", fn: "todo", event: `{"action":"getMissing"}`,
			want: `{"errCode":-1,"errMsg":"document.get:fail document with _id no-such-id does not exist"}`},
		{name: "update with a command", fn: "todo", event: `{"action":"done","id":"` + id + `"}`, want: `{"stats":{"updated":1},"errMsg":"document.update:ok"}`},
		{name: "count", fn: "todo", event: `{"action":"open"}`, want: `{"total":2,"errMsg":"collection.count:ok"}`},
		{name: "aggregate", fn: "todo", event: `{"action":"report"}`, want: `{"errMsg":"collection.aggregate:ok","list":[
			{"_id":false,"n":2,"titles":["bread","eggs"],"due":null},{"_id":true,"n":1,"titles":["milk"],"due":"1970-01-02T00:00:00.000Z"}]}`},
		{name: "set replaces", fn: "todo", event: `{"action":"set","id":"` + id + `","title":"oat milk"}`, want: `{"_id":"` + id + `","stats":{"updated":1,"created":0},"errMsg":"document.set:ok"}`},
		{name: "where().remove()", fn: "todo", event: `{"action":"removeDone"}`, want: `{"stats":{"removed":1},"errMsg":"collection.remove:ok"}`},
		{name: "doc().remove() of nothing", fn: "todo", event: `{"action":"removeOne","id":"` + id + `"}`, want: `{"stats":{"removed":0},"errMsg":"document.remove:ok"}`},
		{name: "server get(): 100 by default, at most 1000", fn: "todo", event: `{"action":"defaultLimit"}`, want: `{"defaultLimit":100,"capped":150}`},
		{name: "aggregate: 20 without a limit stage, as CloudBase", fn: "todo", event: `{"action":"aggregateLimit"}`,
			want: `{"defaultLimit":20,"limited":150,"errMsg":"collection.aggregate:ok"}`},
		{name: "createCollection", fn: "todo", event: `{"action":"createCollection","name":"fresh"}`, want: `{"errMsg":"createCollection:ok"}`},
		{name: "a database error in wx-server-sdk's shape", fn: "todo", event: `{"action":"missingCollection"}`,
			want: `{"errCode":-502005,"errMsg":"document.update:fail -502005 database collection not exists. collection \"nope\" does not exist"}`},
		{name: "builder validation as the original", fn: "todo", event: `{"action":"badQuery"}`, want: `{"message":"查询参数必须为对象"}`},
		{name: "no watch in wx-server-sdk, as CloudBase's", fn: "todo", event: `{"action":"watch"}`,
			want: `{"errCode":-501007,"errMsg":"collection.watch:fail watch is not available here (wx-server-sdk has no watch: a function is short-lived)"}`},
		{name: "APIs need init() first", fn: "noinit", event: `{}`,
			want: `{"errCode":-501009,"message":"Cloud API isn't enabled, please call init first\n请先调用 init 完成初始化后再调用其他云 API。"}`},
	})

	// The documents are really in the database, created as an admin would.
	docs, err := svc.Query(adminCtx, "todos", nil)
	if err != nil || len(docs) != 3 {
		t.Fatalf("todos in the database: %d, %v; want 3 (bread, eggs, someone else's)", len(docs), err)
	}
	var first map[string]any
	json.Unmarshal(docs[0], &first)
	if first["_openid"] != "openid-1" {
		t.Errorf("stored %v, want _openid openid-1 (set by the function from getWXContext)", first)
	}
}

// Documents read by a function behave as plain objects (they are built
// lazily, field by field: lazydoc.go).
func TestDocumentsAsObjects(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{})
	runCases(t, rt, []fcase{{name: "document semantics", fn: "docs", event: `{}`, want: `{
		"keys": ["_id","name","nested","when","where","tags","n","nil","yes"],
		"same": true,
		"entries": ["_id","name","nested","when","where","tags","n","yes","added"],
		"has": [true, false, true, false],
		"nested": 2,
		"date": 86400000,
		"geo": [113.3, 23.1],
		"tags": ["x","y","z"],
		"json": {"_id":"d1","name":"renamed","nested":{"a":1,"deep":{"b":[1,{"c":2}]}},"when":"1970-01-02T00:00:00.000Z",
			"where":{"type":"Point","coordinates":[113.3,23.1]},"tags":["x","y","z"],"n":1.5,"yes":true,"added":"new"},
		"spreadKeys": ["_id","name","nested","when","where","tags","n","yes","added"],
		"types": ["number","boolean",true,true],
		"sameAsDoc": true}`}})
}

// doc(id).get() reads on the instance's goroutine, at once, yet its
// promise settles as any: what follows the call runs first, reactions in
// the order of the calls, a missing document still rejects with
// wx-server-sdk's error.
func TestDocGetSettlesAsAPromise(t *testing.T) {
	rt, svc := newTestRuntime(t, Options{})
	ids, _, err := svc.Insert(adminCtx, "posts", doc("data", doc("title", "post 1")))
	if err != nil {
		t.Fatal(err)
	}
	got, err := invoke(t, rt, adminCtx, "docorder", `{"id":"`+ids[0]+`"}`)
	want := []any{"after both calls", "found post 1 document.get:ok",
		"missing -1 document.get:fail document with _id no-such-id does not exist", "awaited post 1"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, %v\nwant %v", got, err, want)
	}
}

// getWXContext() tells an end user from an admin; wx.cloud's
// event.userInfo is added for end users.
func TestGetWXContext(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{AppID: "wx0123456789abcdef", Env: "prod-1"})
	runCases(t, rt, []fcase{
		{name: "an end user", fn: "wxcontext", event: `{}`,
			want: `{"ctx":{"OPENID":"openid-1","APPID":"wx0123456789abcdef","ENV":"prod-1","SOURCE":"wx_client","CLIENTIP":"203.0.113.9"},"userInfo":{"appId":"wx0123456789abcdef","openId":"openid-1"},"dynamicEnvIsSymbol":true,"version":"minibase"}`},
		{name: "a WeChat user with a unionid", fn: "wxcontext", event: `{}`,
			ctx:  auth.NewContext(context.Background(), &auth.Identity{Role: auth.User, UID: "u2", OpenID: "openid-2", UnionID: "unionid-2"}),
			want: `{"ctx":{"OPENID":"openid-2","UNIONID":"unionid-2","APPID":"wx0123456789abcdef","ENV":"prod-1","SOURCE":"wx_client","CLIENTIP":"203.0.113.9"},"userInfo":{"appId":"wx0123456789abcdef","openId":"openid-2"},"dynamicEnvIsSymbol":true,"version":"minibase"}`},
		{name: "an admin: no OPENID, SOURCE wx_http", fn: "wxcontext", event: `{}`, ctx: adminCtx,
			want: `{"ctx":{"APPID":"wx0123456789abcdef","ENV":"prod-1","SOURCE":"wx_http","CLIENTIP":"203.0.113.9"},"userInfo":null}`},
	})
	got, _ := invoke(t, rt, adminCtx, "wxcontext", `{}`)
	if _, ok := got.(map[string]any)["ctx"].(map[string]any)["OPENID"]; ok {
		t.Errorf("an admin's context has OPENID: %v", got)
	}
	res, err := rt.Invoke(userCtx, "wxcontext", nil, Invocation{Source: "wx_trigger", ClientIP: "2001:db8::1"})
	if err != nil {
		t.Fatal(err)
	}
	var v struct{ Ctx map[string]any }
	json.Unmarshal(res.Value, &v)
	if v.Ctx["SOURCE"] != "wx_trigger" || v.Ctx["CLIENTIPV6"] != "2001:db8::1" || v.Ctx["CLIENTIP"] != nil {
		t.Errorf("context %v, want SOURCE wx_trigger and CLIENTIPV6", v.Ctx)
	}
}

// cloud.callFunction: dialect B results, the original caller kept, SOURCE
// extended, failures as wx-server-sdk reports them, and a bound on depth.
func TestCallFunction(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{})
	runCases(t, rt, []fcase{
		{name: "the callee sees the caller", fn: "caller", event: `{"mode":"context"}`,
			want: `{"errMsg":"callFunction:ok","result":{"ctx":{"OPENID":"openid-1","SOURCE":"wx_client,scf"},"userInfo":{"openId":"openid-1"}}}`},
		{name: "an admin's call", fn: "caller", event: `{"mode":"context"}`, ctx: adminCtx,
			want: `{"result":{"ctx":{"SOURCE":"wx_http,scf"}}}`},
		{name: "a result", fn: "caller", event: `{"mode":"sum"}`, want: `{"result":{"sum":42},"errMsg":"callFunction:ok"}`},
		{name: "a string result that holds JSON is parsed", fn: "caller", event: `{"mode":"string"}`, want: `{"result":{"parsed":true}}`},
		{name: "the callee throws", fn: "caller", event: `{"mode":"throws"}`,
			want: `{"errCode":-504002,"hasRequestId":true}`},
		{name: "no such callee", fn: "caller", event: `{"mode":"missing"}`,
			want: `{"errCode":-504001,"hasRequestId":true}`},
		{name: "calls in parallel", fn: "caller", event: `{"mode":"parallel"}`, want: `[2,3,4]`},
		{name: "data as JSON.stringify sends it", fn: "caller", ctx: adminCtx, event: `{"mode":"unserializable"}`,
			want: `["TypeError: Converting circular structure to JSON","TypeError: Do not know how to serialize a BigInt",{"when":"1970-01-01T00:00:00.000Z","custom":"custom"}]`},
		{name: "endless recursion stops", fn: "caller", event: `{"mode":"recurse"}`, errCode: CodeExecuteFail, errText: "callFunction nested more than 8 deep"},
	})
	got, _ := invoke(t, rt, userCtx, "caller", `{"mode":"throws"}`)
	msg, _ := got.(map[string]any)["errMsg"].(string)
	if want := "callFunction:fail -504002 functions execute fail. TypeError: bad input: nested"; len(msg) < len(want) || msg[:len(want)] != want {
		t.Errorf("errMsg %q, want it to start with %q", msg, want)
	}
}

// CloudBase's example function, verbatim, and wx-server-sdk's other forms of
// init ('env-id', one env per service), which minibase's single environment
// accepts unchanged; wx.cloud's Buffers in data.
func TestSpecExamples(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{Files: newStorage(t, "")})
	runCases(t, rt, []fcase{
		{name: "the example as an end user", fn: "spec52", event: `{"a":1,"b":2}`, want: `{"sum":3}`},
		{name: "the example as an admin", fn: "spec52", ctx: adminCtx, event: `{"a":40,"b":2}`, want: `{"sum":42}`},
		{name: "init({env: 'env-id'})", fn: "initenv", event: `{"form":"id"}`,
			want: `{"form":"id","result":{"sum":3},"fileID":"cloud://minibase.default/forms/id.txt","ENV":"minibase"}`},
		{name: "init({env: {database, functions, storage}})", fn: "initenv", event: `{"form":"object"}`,
			want: `{"form":"object","result":{"sum":3},"fileID":"cloud://minibase.default/forms/object.txt","ENV":"minibase"}`},
		{name: "a Buffer sent as {type: 'Buffer', data}", fn: "bufferdata", event: `{"file":{"type":"Buffer","data":[104,105]}}`,
			want: `{"text":"hi","isBuffer":true,"roundTrip":true}`},
	})
}

// wx-server-sdk's calls given success, fail or complete still return
// their Promise, and call the callbacks too.
func TestCallbacksAndPromise(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{Files: newStorage(t, "https://cdn.example.com")})
	runCases(t, rt, []fcase{{name: "callbacks and await", fn: "callbacks", event: `{}`, want: `{
		"isPromise": true, "updated": 1, "n": 2, "total": 1, "grouped": 2,
		"rejected": "document.get:fail document with _id no-such-id does not exist",
		"text": "hi", "url": 0, "sum": 3, "deleted": 0,
		"calls": ["add success collection.add:ok", "add complete", "update success 1", "get success", "count complete 1",
			"aggregate success 1", "get fail -1", "uploadFile success uploadFile:ok", "downloadFile complete", "getTempFileURL success 1",
			"callFunction success 3", "deleteFile success 0"]}`}})
}
