package server

import (
	"encoding/json"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
)

// httpAccess sends a raw request to the app and returns status, headers
// and body.
func (m *Server) httpAccess(t *testing.T, method, target, bearer, contentType, body string) (int, map[string][]string, string) {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	req.Header.Add("X-Multi", "a")
	req.Header.Add("X-Multi", "b")
	resp, err := m.app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(raw)
}

// echoFn answers with what the event and getWXContext say, or with the
// response the request asks for (the "reply" query parameter, as JSON).
const echoFn = `const cloud = require('wx-server-sdk'); cloud.init()
exports.main = async (event) => {
  if (event.queryStringParameters.reply) return JSON.parse(event.queryStringParameters.reply)
  const { OPENID, SOURCE } = cloud.getWXContext()
  return { event, OPENID, SOURCE }
}`

func TestFunctionsHTTPAccess(t *testing.T) {
	m, _ := newAuthMain(t, nil)
	m.deploy(t, "echo", echoFn, `{"http": [{"path": "/api", "methods": ["GET", "POST"]}]}`)
	m.deploy(t, "hello", echoFn, `{"http": [{"path": "/api/hello"}]}`)
	user := m.signIn(t, "/v1/auth/anonymous", "", "").str("access_token")
	openid := m.do(t, "GET", "/v1/auth/me", user, "").str("user.openid")

	// The integration request, for a visitor and for a signed-in user.
	status, _, body := m.httpAccess(t, "POST", "/fn/api/x/y?a=1&b=2&b=3", "", "application/json", `{"k":"v"}`)
	want := `{"SOURCE":"wx_http","event":{"path":"/api/x/y","httpMethod":"POST","body":"{\"k\":\"v\"}","isBase64Encoded":false,
		"headers":{"content-type":"application/json","x-multi":"a,b"},"multiValueHeaders":{"x-multi":["a","b"]},
		"queryStringParameters":{"a":"1","b":"3"},"multiValueQueryStringParameters":{"b":["2","3"]},
		"requestContext":{"envId":"minibase","httpMethod":"POST","path":"/api/x/y"}}}`
	checkJSON(t, "the integration request", status, body, 200, want)
	var got struct {
		OPENID string
		Event  struct{ RequestContext struct{ RequestID string } }
	}
	json.Unmarshal([]byte(body), &got)
	if got.OPENID != "" || len(got.Event.RequestContext.RequestID) != 36 {
		t.Errorf("visitor: OPENID %q, requestId %q; want none and a request id", got.OPENID, got.Event.RequestContext.RequestID)
	}
	status, _, body = m.httpAccess(t, "GET", "/fn/api", user, "", "")
	checkJSON(t, "a signed-in caller", status, body, 200, `{"OPENID":"`+openid+`","event":{"path":"/api","body":""}}`)
	status, _, body = m.httpAccess(t, "GET", "/fn/api", "not-a-token", "", "")
	if status != 401 {
		t.Errorf("a bad token: %d %s, want 401", status, body)
	}

	// A binary body travels as base64.
	status, _, body = m.httpAccess(t, "POST", "/fn/api", "", "application/octet-stream", "\x00\xffbin")
	checkJSON(t, "a binary body", status, body, 200, `{"event":{"body":"AP9iaW4=","isBase64Encoded":true}}`)

	// The longest route wins; /api/hello takes every method; /apix is no route.
	status, _, body = m.httpAccess(t, "DELETE", "/fn/api/hello/there", "", "", "")
	checkJSON(t, "the longest prefix", status, body, 200, `{"event":{"path":"/api/hello/there","httpMethod":"DELETE"}}`)
	status, _, body = m.httpAccess(t, "DELETE", "/fn/api/other", "", "", "")
	checkJSON(t, "a method the route does not take", status, body, 405, `{"code":"HTTP_METHOD_NOT_ALLOWED"}`)
	status, _, body = m.httpAccess(t, "GET", "/fn/apix", "", "", "")
	checkJSON(t, "no route", status, body, 404, `{"code":"FUNCTION_NOT_FOUND"}`)

	// The integration response rules.
	for _, r := range []struct {
		what, reply string
		status      int
		contentType string
		body        string
	}{
		{"a string", `"hi there"`, 200, "text/plain; charset=utf-8", "hi there"},
		{"a number", `42.5`, 200, "text/plain; charset=utf-8", "42.5"},
		{"an object", `{"a":[1,2]}`, 200, "application/json; charset=utf-8", `{"a":[1,2]}`},
		{"an array", `[1,"x"]`, 200, "application/json; charset=utf-8", `[1,"x"]`},
		{"a full response", `{"statusCode":201,"headers":{"content-type":"text/html","x-n":7},"body":"<b>hi</b>"}`, 201, "text/html", "<b>hi</b>"},
		{"a base64 body", `{"statusCode":200,"headers":{"content-type":"image/png"},"body":"iVBORw==","isBase64Encoded":true}`, 200, "image/png", "\x89PNG"},
		{"an object body", `{"statusCode":404,"body":{"error":"gone"}}`, 404, "application/json; charset=utf-8", `{"error":"gone"}`},
		{"a redirect", `{"statusCode":302,"headers":{"Location":"/elsewhere"}}`, 302, "", ""},
	} {
		status, header, body := m.httpAccess(t, "GET", "/fn/api?reply="+escapeQuery(r.reply), "", "", "")
		if status != r.status || body != r.body || (r.contentType != "" && header["Content-Type"][0] != r.contentType) {
			t.Errorf("%s: got %d %v %q, want %d %s %q", r.what, status, header["Content-Type"], body, r.status, r.contentType, r.body)
		}
	}
	status, _, body = m.httpAccess(t, "GET", "/fn/api?reply="+escapeQuery(`{"statusCode":"ok"}`), "", "", "")
	checkJSON(t, "a bad statusCode", status, body, 500, `{"code":"FUNCTIONS_EXECUTE_FAIL"}`)

	// Redeploying moves the route at once.
	m.deploy(t, "hello", echoFn, `{"http": [{"path": "/v2/hello"}]}`)
	status, _, body = m.httpAccess(t, "DELETE", "/fn/api/hello", "", "", "")
	checkJSON(t, "the old route after a redeploy", status, body, 405, `{"code":"HTTP_METHOD_NOT_ALLOWED"}`)
	status, _, body = m.httpAccess(t, "PUT", "/fn/v2/hello", "", "", "")
	checkJSON(t, "the new route after a redeploy", status, body, 200, `{"event":{"path":"/v2/hello"}}`)

	// A body over the limit is refused.
	status, _, body = m.httpAccess(t, "POST", "/fn/api", "", "application/octet-stream", strings.Repeat("x", 7<<20))
	if status != 413 {
		t.Errorf("a 7 MiB body: %d %.100s, want 413", status, body)
	}
}

func escapeQuery(s string) string {
	r := strings.NewReplacer("%", "%25", "&", "%26", "+", "%2B", " ", "%20", "#", "%23", "\"", "%22", "{", "%7B", "}", "%7D", "<", "%3C", ">", "%3E")
	return r.Replace(s)
}

func checkJSON(t *testing.T, what string, status int, body string, wantStatus int, want string) {
	t.Helper()
	var got, w any
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Errorf("%s: %d %q is not JSON", what, status, body)
		return
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("%s: bad want: %v", what, err)
	}
	if path, ok := subset(w, got); status != wantStatus || !ok {
		t.Errorf("%s: got %d %s, want %d and %s (differs at %s)", what, status, body, wantStatus, want, path)
	}
}
