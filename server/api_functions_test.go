package server

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// deploy puts a function with one index.js (and optional config) and
// requires success.
func (m *Server) deploy(t *testing.T, name, index, config string) {
	t.Helper()
	body := map[string]any{"files": map[string]string{"index.js": index}}
	if config != "" {
		body["config"] = json.RawMessage(config)
	}
	b, _ := json.Marshal(body)
	a := m.do(t, "PUT", "/v1/admin/functions/"+name, testKey, string(b))
	expect(t, "deploy "+name, a, 200, `{"name":"`+name+`"}`)
}

const contextFn = `const cloud = require('wx-server-sdk');
cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
exports.main = async (event) => ({ ctx: cloud.getWXContext(), event });`

func TestFunctionsInvoke(t *testing.T) {
	m, _ := newAuthMain(t, func(c *Config) { c.Storage.Env = "env-test" })
	m.deploy(t, "ctx", contextFn, "")
	m.deploy(t, "boom", `exports.main = async () => { throw new Error('boom: ' + 42) }`, "")
	user := m.signIn(t, "/v1/auth/anonymous", "", "").str("access_token")
	openid := m.do(t, "GET", "/v1/auth/me", user, "").str("user.openid")

	for _, s := range []struct {
		what, bearer, path, body string
		status                   int
		want                     string
	}{
		{"a visitor may not call", "", "/v1/functions/ctx/invoke", `{"data":{}}`, 403, `{"code":"PERMISSION_DENIED"}`},
		{"an end user", user, "/v1/functions/ctx/invoke", `{"data":{"a":1}}`, 200,
			`{"result":{"ctx":{"OPENID":"` + openid + `","ENV":"env-test","SOURCE":"wx_client","CLIENTIP":"0.0.0.0"},"event":{"a":1,"userInfo":{"openId":"` + openid + `"}}}}`},
		{"an admin", testKey, "/v1/functions/ctx/invoke", `{}`, 200, `{"result":{"ctx":{"ENV":"env-test","SOURCE":"wx_http"},"event":{}}}`},
		{"unknown function", user, "/v1/functions/nope/invoke", `{}`, 404, `{"code":"FUNCTION_NOT_FOUND","errCode":-504001}`},
		{"the function throws", user, "/v1/functions/boom/invoke", `{}`, 500,
			`{"code":"FUNCTIONS_EXECUTE_FAIL","errCode":-504002}`},
		{"data must be an object", user, "/v1/functions/ctx/invoke", `{"data":[1]}`, 400, `{"code":"INVALID_PARAM"}`},
		{"unknown body fields", user, "/v1/functions/ctx/invoke", `{"data":{},"name":"x"}`, 400, `{"code":"INVALID_PARAM"}`},
		{"bad JSON", user, "/v1/functions/ctx/invoke", `{"data":`, 400, `{"code":"INVALID_PARAM"}`},
		{"event over 6 MiB", user, "/v1/functions/ctx/invoke", `{"data":{"s":"` + strings.Repeat("x", 7<<20) + `"}}`, 413,
			`{"code":"EXCEED_MAX_PAYLOAD_SIZE","errCode":-501007}`},
	} {
		expect(t, s.what, m.do(t, "POST", s.path, s.bearer, s.body), s.status, s.want)
	}

	a := m.do(t, "POST", "/v1/functions/boom/invoke", user, `{}`)
	if !strings.HasPrefix(a.str("message"), "Error: boom: 42") || len(a.str("requestId")) != 36 {
		t.Errorf("a failed invocation: %s, want the function's message and the requestId", a.raw)
	}
	a = m.do(t, "POST", "/v1/functions/ctx/invoke", user, `{"data":{}}`)
	if len(a.str("requestID")) != 36 {
		t.Errorf("no requestID in %s", a.raw)
	}
}

func TestFunctionsDeploy(t *testing.T) {
	m, _ := newAuthMain(t, nil)
	user := m.signIn(t, "/v1/auth/anonymous", "", "").str("access_token")
	for _, s := range []struct {
		what, bearer, name, body string
		status                   int
		want                     string
	}{
		{"an end user may not deploy", user, "f", `{"files":{"index.js":"exports.main=()=>1"}}`, 403, `{"code":"PERMISSION_DENIED"}`},
		{"no index.js", testKey, "f", `{"files":{"main.js":""}}`, 400, `{"code":"INVALID_PARAM"}`},
		{"a path out of the folder", testKey, "f", `{"files":{"index.js":"","../../etc/x":""}}`, 400, `{"code":"INVALID_PARAM"}`},
		{"a bad name", testKey, "9lives", `{"files":{"index.js":""}}`, 400, `{"code":"INVALID_PARAM"}`},
		{"a bad config", testKey, "f", `{"files":{"index.js":""},"config":{"timeout":0}}`, 400, `{"code":"INVALID_PARAM"}`},
		{"config twice", testKey, "f", `{"files":{"index.js":"","config.json":"{}"},"config":{}}`, 400, `{"code":"INVALID_PARAM"}`},
		{"a deployment", testKey, "f", `{"files":{"index.js":"exports.main=()=>process.env.V","lib/a.js":""},"config":{"envVariables":{"V":"one"}}}`, 200,
			`{"name":"f","files":3}`},
	} {
		expect(t, s.what, m.do(t, "PUT", "/v1/admin/functions/"+s.name, s.bearer, s.body), s.status, s.want)
	}
	expect(t, "call v1", m.do(t, "POST", "/v1/functions/f/invoke", user, `{}`), 200, `{"result":"one"}`)
	expect(t, "redeploy", m.do(t, "PUT", "/v1/admin/functions/f", testKey, `{"files":{"index.js":"exports.main=()=>'two'"}}`), 200, `{"files":1}`)
	expect(t, "call v2", m.do(t, "POST", "/v1/functions/f/invoke", user, `{}`), 200, `{"result":"two"}`)
}

func TestFunctionsAsync(t *testing.T) {
	m, _ := newAuthMain(t, func(c *Config) { c.Functions.RetryBackoff = time.Millisecond })
	m.deploy(t, "sum", `exports.main = async (e) => ({ sum: e.a + e.b })`, "")
	m.deploy(t, "fails", `exports.main = async () => { throw new Error('always') }`, "")
	user := m.signIn(t, "/v1/auth/anonymous", "", "").str("access_token")
	other := m.signIn(t, "/v1/auth/anonymous", "", "").str("access_token")

	wait := func(id, bearer string) answer {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
			a := m.do(t, "GET", "/v1/functions/invocations/"+id, bearer, "")
			if s := a.str("status"); s == "succeeded" || s == "failed" {
				return a
			}
		}
		t.Fatalf("invocation %s did not finish", id)
		return answer{}
	}
	a := m.do(t, "POST", "/v1/functions/sum/invoke", user, `{"data":{"a":2,"b":3},"async":true}`)
	expect(t, "accepted", a, 202, "")
	id := a.str("requestID")
	expect(t, "the caller reads the outcome", wait(id, user), 200,
		`{"requestID":"`+id+`","function":"sum","status":"succeeded","attempts":1,"result":{"sum":5}}`)
	expect(t, "an admin too", m.do(t, "GET", "/v1/functions/invocations/"+id, testKey, ""), 200, `{"status":"succeeded"}`)
	expect(t, "another user may not", m.do(t, "GET", "/v1/functions/invocations/"+id, other, ""), 403, `{"code":"PERMISSION_DENIED"}`)
	expect(t, "nor a visitor", m.do(t, "GET", "/v1/functions/invocations/"+id, "", ""), 403, `{"code":"PERMISSION_DENIED"}`)
	expect(t, "unknown requestID", m.do(t, "GET", "/v1/functions/invocations/nope", user, ""), 404, `{"code":"INVOCATION_NOT_FOUND"}`)
	expect(t, "unknown function: refused at once", m.do(t, "POST", "/v1/functions/nope/invoke", user, `{"async":true}`), 404, `{"code":"FUNCTION_NOT_FOUND"}`)

	a = m.do(t, "POST", "/v1/functions/fails/invoke", user, `{"async":true}`)
	expect(t, "a failing function is accepted", a, 202, "")
	expect(t, "and retried (default 2 retries)", wait(a.str("requestID"), user), 200,
		`{"status":"failed","attempts":3,"error":{"code":"FUNCTIONS_EXECUTE_FAIL","errCode":-504002}}`)
}

// Functions use the database as an admin: a collection's rules do not apply
// to them (CloudBase's model), so a function can serve what a client may
// not read directly.
func TestFunctionsBypassRules(t *testing.T) {
	m, _ := newAuthMain(t, nil)
	expect(t, "insert", m.do(t, "POST", "/v1/db/secrets/insert", testKey, `{"data":{"_id":"s1","v":42}}`), 200, "")
	expect(t, "rules", m.do(t, "PUT", "/v1/admin/collections/secrets/rules", testKey, `{"preset":"ADMINONLY"}`), 200, "")
	m.deploy(t, "peek", `const cloud = require('wx-server-sdk'); cloud.init();
exports.main = async () => (await cloud.database().collection('secrets').doc('s1').get()).data.v;`, "")
	user := m.signIn(t, "/v1/auth/anonymous", "", "").str("access_token")
	expect(t, "the client is refused", m.do(t, "GET", "/v1/db/secrets/docs/s1", user, ""), 403, `{"code":"DATABASE_PERMISSION_DENIED"}`)
	expect(t, "the function reads it", m.do(t, "POST", "/v1/functions/peek/invoke", user, `{}`), 200, `{"result":42}`)
}
