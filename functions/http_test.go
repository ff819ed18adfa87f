//go:build !minibase_fuzz

package functions_test

// The functions' HTTP contract (functions/http*.go as the server mounts
// it): invoke, deploy and manage, HTTP access, logs and database
// triggers. Each scenario runs on a server of its own
// (server/servertest), so that a case states what it needs in Setup and
// one failure never cascades.

import (
	"encoding/json"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"minibase/server/servertest"
)

var (
	asAdmin = servertest.Admin
	alice   = servertest.Anonymous("alice")
	bob     = servertest.Anonymous("bob")
)

// deploy is a request of the admin's deploying a function with one
// index.js and a config (its JSON, "" for none).
func deploy(name, index, config string) servertest.Request {
	body := map[string]any{"files": map[string]string{"index.js": index}}
	if config != "" {
		body["config"] = json.RawMessage(config)
	}
	return servertest.Request{Method: "PUT", URL: "/v1/admin/functions/" + name, Body: body, As: asAdmin}
}

// invoke is a request calling a function as id with body.
func invoke(name, body string, id servertest.Identity) servertest.Request {
	return servertest.Request{Method: "POST", URL: "/v1/functions/" + name + "/invoke", Body: body, As: id}
}

// after is an After made of checks on the response.
func after(checks ...func(testing.TB, *servertest.Server, *servertest.Response)) func(testing.TB, *servertest.Server, *servertest.Response) {
	return func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
		tb.Helper()
		for _, c := range checks {
			c(tb, s, r)
		}
	}
}

// openIDAt is an After requiring id's openid at each dotted path of the
// body.
func openIDAt(id servertest.Identity, paths ...string) func(testing.TB, *servertest.Server, *servertest.Response) {
	return func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
		tb.Helper()
		openid := s.Session(tb, id).OpenID
		for _, p := range paths {
			if got := r.Str(p); openid == "" || got != openid {
				tb.Errorf("%s: %s is %q, want %s's openid %q", r.Req, p, got, id, openid)
			}
		}
	}
}

// requestIDAt is an After requiring a request id (a UUID, 36 characters)
// at path.
func requestIDAt(path string) func(testing.TB, *servertest.Server, *servertest.Response) {
	return func(tb testing.TB, _ *servertest.Server, r *servertest.Response) {
		tb.Helper()
		if got := r.Str(path); len(got) != 36 {
			tb.Errorf("%s: %s is %q, want a request id: %.300s", r.Req, path, got, r.Body)
		}
	}
}

// textAt is an After requiring the string at path to begin with prefix.
func textAt(path, prefix string) func(testing.TB, *servertest.Server, *servertest.Response) {
	return func(tb testing.TB, _ *servertest.Server, r *servertest.Response) {
		tb.Helper()
		if got := r.Str(path); !strings.HasPrefix(got, prefix) {
			tb.Errorf("%s: %s is %q, want it to begin with %q", r.Req, path, got, prefix)
		}
	}
}

// equalAt is an After requiring the value at path to be want (JSON)
// exactly: no more keys in its objects.
func equalAt(path, want string) func(testing.TB, *servertest.Server, *servertest.Response) {
	return func(tb testing.TB, _ *servertest.Server, r *servertest.Response) {
		tb.Helper()
		var w any
		if err := json.Unmarshal([]byte(want), &w); err != nil {
			tb.Fatalf("equalAt %s: %v", path, err)
		}
		got, _ := json.Marshal(r.Value(path))
		var g any
		json.Unmarshal(got, &g)
		if !reflect.DeepEqual(w, g) {
			tb.Errorf("%s: %s is %s, want %s", r.Req, path, got, want)
		}
	}
}

// messageHas is an After requiring part in the error's message.
func messageHas(part string) func(testing.TB, *servertest.Server, *servertest.Response) {
	return func(tb testing.TB, _ *servertest.Server, r *servertest.Response) {
		tb.Helper()
		if msg := r.Str("message"); !strings.Contains(msg, part) {
			tb.Errorf("%s: message %q, want it to say %q", r.Req, msg, part)
		}
	}
}

// bodyIs is an After requiring the body to be want, byte for byte.
func bodyIs(want string) func(testing.TB, *servertest.Server, *servertest.Response) {
	return func(tb testing.TB, _ *servertest.Server, r *servertest.Response) {
		tb.Helper()
		if r.Body != want {
			tb.Errorf("%s: body %q, want %q", r.Req, r.Body, want)
		}
	}
}

// contextFn answers with getWXContext() and the event.
const contextFn = `const cloud = require('wx-server-sdk');
cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
exports.main = async (event) => ({ ctx: cloud.getWXContext(), event });`

// TestFunctionsInvoke: POST /v1/functions/{name}/invoke, who may call, what the
// function sees of the caller, and what a failure or a bad body answers.
func TestFunctionsInvoke(t *testing.T) {
	fns := []servertest.Request{
		deploy("ctx", contextFn, ""),
		deploy("boom", `exports.main = async () => { throw new Error('boom: ' + 42) }`, ""),
	}
	env := servertest.Options{Env: map[string]string{"MINIBASE_ENV": "env-test"}}
	call := func(name, fn, body string, id servertest.Identity, status int, want string) servertest.Scenario {
		return servertest.Scenario{Name: name, Options: env, Setup: fns, Method: "POST", URL: "/v1/functions/" + fn + "/invoke",
			Body: body, As: id, Status: status, Want: want}
	}
	endUser := call("an end user", "ctx", `{"data":{"a":1}}`, alice, 200,
		`{"result":{"ctx":{"ENV":"env-test","SOURCE":"wx_client","CLIENTIP":"0.0.0.0"},"event":{"a":1}}}`)
	endUser.After = after(openIDAt(alice, "result.ctx.OPENID", "result.event.userInfo.openId"), requestIDAt("requestID"))
	throws := call("the function throws", "boom", `{}`, alice, 500, `{"code":"FUNCTIONS_EXECUTE_FAIL","errCode":-504002}`)
	throws.After = after(textAt("message", "Error: boom: 42"), requestIDAt("requestId"))
	servertest.Run(t, []servertest.Scenario{
		call("a visitor may not call", "ctx", `{"data":{}}`, servertest.Visitor, 403, `{"code":"PERMISSION_DENIED"}`),
		endUser,
		call("an admin", "ctx", `{}`, asAdmin, 200, `{"result":{"ctx":{"ENV":"env-test","SOURCE":"wx_http"},"event":{}}}`),
		call("unknown function", "nope", `{}`, alice, 404, `{"code":"FUNCTION_NOT_FOUND","errCode":-504001}`),
		throws,
		call("data must be an object", "ctx", `{"data":[1]}`, alice, 400, `{"code":"INVALID_PARAM"}`),
		call("unknown body fields", "ctx", `{"data":{},"name":"x"}`, alice, 400, `{"code":"INVALID_PARAM"}`),
		call("bad JSON", "ctx", `{"data":`, alice, 400, `{"code":"INVALID_PARAM"}`),
		call("event over 6 MiB", "ctx", `{"data":{"s":"`+strings.Repeat("x", 7<<20)+`"}}`, alice, 413,
			`{"code":"EXCEED_MAX_PAYLOAD_SIZE","errCode":-501007}`),
	})
}

// TestFunctionsDeploy: PUT /v1/admin/functions/{name} with files as JSON: who may,
// what is refused, and a redeployment replacing what runs.
func TestFunctionsDeploy(t *testing.T) {
	put := func(name, fn, body string, id servertest.Identity, status int, want string) servertest.Scenario {
		return servertest.Scenario{Name: name, Method: "PUT", URL: "/v1/admin/functions/" + fn, Body: body, As: id,
			Status: status, Want: want}
	}
	const v1 = `{"files":{"index.js":"exports.main=()=>process.env.V","lib/a.js":""},"config":{"envVariables":{"V":"one"}}}`
	deployment := put("a deployment", "f", v1, asAdmin, 200, `{"name":"f","files":3}`)
	deployment.After = servertest.Then(servertest.Scenario{Name: "call v1", Method: "POST", URL: "/v1/functions/f/invoke",
		Body: `{}`, As: alice, Status: 200, Want: `{"result":"one"}`})
	redeploy := put("redeploy", "f", `{"files":{"index.js":"exports.main=()=>'two'"}}`, asAdmin, 200, `{"files":1}`)
	redeploy.Setup = []servertest.Request{{Method: "PUT", URL: "/v1/admin/functions/f", Body: v1, As: asAdmin}}
	redeploy.After = servertest.Then(servertest.Scenario{Name: "call v2", Method: "POST", URL: "/v1/functions/f/invoke",
		Body: `{}`, As: alice, Status: 200, Want: `{"result":"two"}`})
	servertest.Run(t, []servertest.Scenario{
		put("an end user may not deploy", "f", `{"files":{"index.js":"exports.main=()=>1"}}`, alice, 403, `{"code":"PERMISSION_DENIED"}`),
		put("no index.js", "f", `{"files":{"main.js":""}}`, asAdmin, 400, `{"code":"INVALID_PARAM"}`),
		put("a path out of the folder", "f", `{"files":{"index.js":"","../../etc/x":""}}`, asAdmin, 400, `{"code":"INVALID_PARAM"}`),
		put("a bad name", "9lives", `{"files":{"index.js":""}}`, asAdmin, 400, `{"code":"INVALID_PARAM"}`),
		put("a bad config", "f", `{"files":{"index.js":""},"config":{"timeout":0}}`, asAdmin, 400, `{"code":"INVALID_PARAM"}`),
		put("config twice", "f", `{"files":{"index.js":"","config.json":"{}"},"config":{}}`, asAdmin, 400, `{"code":"INVALID_PARAM"}`),
		deployment,
		redeploy,
	})
}

// invokedAsync is a Before: caller invokes fn asynchronously with body;
// once the invocation has finished (succeeded or failed), the request
// goes to its URL + its requestID.
func invokedAsync(caller servertest.Identity, fn, body string) func(testing.TB, *servertest.Server, *servertest.Request) {
	return func(tb testing.TB, s *servertest.Server, r *servertest.Request) {
		tb.Helper()
		a := s.Do(tb, invoke(fn, body, caller))
		a.Expect(tb, 202, `{}`)
		id := a.Str("requestID")
		servertest.WaitFor(tb, "invocation "+id+" to finish", func() bool {
			st := s.Do(tb, servertest.Request{URL: "/v1/functions/invocations/" + id, As: caller}).Str("status")
			return st == "succeeded" || st == "failed"
		})
		r.URL += id
	}
}

// itsRequestID is an After requiring the outcome's requestID to be the
// one in its URL.
func itsRequestID(tb testing.TB, _ *servertest.Server, r *servertest.Response) {
	tb.Helper()
	if id := r.Str("requestID"); id == "" || !strings.HasSuffix(r.Req, "/"+id) {
		tb.Errorf("%s: requestID %q, want the one asked for", r.Req, id)
	}
}

// TestFunctionsAsync: {"async": true} answers 202 and a requestID at once;
// the outcome is the caller's (and an admin's) to read, and a failure is
// retried.
func TestFunctionsAsync(t *testing.T) {
	opts := servertest.Options{Env: map[string]string{"MINIBASE_FUNCTIONS_RETRY_BACKOFF": "1ms"}}
	fns := []servertest.Request{
		deploy("sum", `exports.main = async (e) => ({ sum: e.a + e.b })`, ""),
		deploy("fails", `exports.main = async () => { throw new Error('always') }`, ""),
	}
	outcome := func(name string, id servertest.Identity, status int, want string) servertest.Scenario {
		sc := servertest.Scenario{Name: name, Options: opts, Setup: fns,
			Before: invokedAsync(alice, "sum", `{"data":{"a":2,"b":3},"async":true}`),
			URL:    "/v1/functions/invocations/", As: id, Status: status, Want: want}
		if status == 200 {
			sc.After = itsRequestID
		}
		return sc
	}
	servertest.Run(t, []servertest.Scenario{
		{Name: "accepted", Options: opts, Setup: fns, Method: "POST", URL: "/v1/functions/sum/invoke",
			Body: `{"data":{"a":2,"b":3},"async":true}`, As: alice, Status: 202, Want: `{}`, After: requestIDAt("requestID")},
		outcome("the caller reads the outcome", alice, 200, `{"function":"sum","status":"succeeded","attempts":1,"result":{"sum":5}}`),
		outcome("an admin too", asAdmin, 200, `{"status":"succeeded"}`),
		outcome("another user may not", bob, 403, `{"code":"PERMISSION_DENIED"}`),
		outcome("nor a visitor", servertest.Visitor, 403, `{"code":"PERMISSION_DENIED"}`),
		{Name: "unknown requestID", Options: opts, Setup: fns, URL: "/v1/functions/invocations/nope", As: alice,
			Status: 404, Want: `{"code":"INVOCATION_NOT_FOUND"}`},
		{Name: "unknown function: refused at once", Options: opts, Setup: fns, Method: "POST", URL: "/v1/functions/nope/invoke",
			Body: `{"async":true}`, As: alice, Status: 404, Want: `{"code":"FUNCTION_NOT_FOUND"}`},
		{Name: "a failing function is retried (default 2 retries)", Options: opts, Setup: fns,
			Before: invokedAsync(alice, "fails", `{"async":true}`), URL: "/v1/functions/invocations/", As: alice,
			Status: 200, Want: `{"status":"failed","attempts":3,"error":{"code":"FUNCTIONS_EXECUTE_FAIL","errCode":-504002}}`,
			After: itsRequestID},
	})
}

// TestFunctionsBypassRules: functions use the database as an admin: a
// collection's rules do not apply to them (CloudBase's model), so a
// function can serve what a client may not read directly.
func TestFunctionsBypassRules(t *testing.T) {
	secrets := []servertest.Request{
		{Method: "POST", URL: "/v1/db/secrets/insert", Body: `{"data":{"_id":"s1","v":42}}`, As: asAdmin},
		{Method: "PUT", URL: "/v1/admin/collections/secrets/rules", Body: `{"preset":"ADMINONLY"}`, As: asAdmin},
		deploy("peek", `const cloud = require('wx-server-sdk'); cloud.init();
exports.main = async () => (await cloud.database().collection('secrets').doc('s1').get()).data.v;`, ""),
	}
	servertest.Run(t, []servertest.Scenario{
		{Name: "the client is refused", Setup: secrets, URL: "/v1/db/secrets/docs/s1", As: alice,
			Status: 403, Want: `{"code":"DATABASE_PERMISSION_DENIED"}`},
		{Name: "the function reads it", Setup: secrets, Method: "POST", URL: "/v1/functions/peek/invoke", Body: `{}`, As: alice,
			Status: 200, Want: `{"result":42}`},
	})
}

// TestFunctionsUseStorage: a function writes a file with wx-server-sdk;
// end users get it through the storage API by its fileID, and by the
// temporary URL the function made.
func TestFunctionsUseStorage(t *testing.T) {
	s := servertest.New(t, servertest.Options{})
	s.Deploy(t, "report", map[string]string{"index.js": `const cloud = require('wx-server-sdk');
cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
exports.main = async (event) => {
  const { OPENID } = cloud.getWXContext();
  const up = await cloud.uploadFile({ cloudPath: 'reports/' + OPENID + '.csv', fileContent: Buffer.from('id,total\n1,' + event.total + '\n') });
  const { fileList } = await cloud.getTempFileURL({ fileList: [up.fileID] });
  const back = await cloud.downloadFile({ fileID: up.fileID });
  return { fileID: up.fileID, errMsg: up.errMsg, url: fileList[0].tempFileURL, size: back.fileContent.length };
};`}, "")
	fileID := "cloud://minibase.default/reports/" + s.Session(t, alice).OpenID + ".csv"
	a := s.Do(t, invoke("report", `{"data":{"total":42}}`, alice))
	a.Expect(t, 200, `{"result":{"fileID":"`+fileID+`","errMsg":"uploadFile:ok","size":14}}`)

	const content = "id,total\n1,42\n"
	s.Run(t, servertest.Scenario{Name: "download by fileID", URL: "/v1/storage/download?fileID=" + url.QueryEscape(fileID), As: alice,
		Status: 200, After: bodyIs(content)})
	u, err := url.Parse(a.Str("result.url"))
	if err != nil || u.Host != "example.com" || !strings.HasPrefix(u.Path, "/f/default/reports/") {
		t.Fatalf("tempFileURL %q, want this server's /f/ URL (the invoking request's host)", a.Str("result.url"))
	}
	s.Run(t, servertest.Scenario{Name: "GET the temporary URL", URL: u.RequestURI(), Status: 200, After: bodyIs(content)})
}
