//go:build !minibase_fuzz

package functions_test

import (
	"net/url"
	"strings"
	"testing"

	"minibase/server/servertest"
)

// echoFn answers with what the event and getWXContext say, or with the
// response the request asks for (the "reply" query parameter, as JSON).
const echoFn = `const cloud = require('wx-server-sdk'); cloud.init()
exports.main = async (event) => {
  if (event.queryStringParameters.reply) return JSON.parse(event.queryStringParameters.reply)
  const { OPENID, SOURCE } = cloud.getWXContext()
  return { event, OPENID, SOURCE }
}`

// echoRoutes are echo on /api (GET and POST) and hello on /api/hello
// (every method), both echoFn.
var echoRoutes = []servertest.Request{
	deploy("echo", echoFn, `{"http": [{"path": "/api", "methods": ["GET", "POST"]}]}`),
	deploy("hello", echoFn, `{"http": [{"path": "/api/hello"}]}`),
}

// TestFunctionsHTTPAccess: ANY /fn/{path…} runs the function whose route
// is the longest prefix, with CloudBase's integration request as its event,
// and turns its result into the response by CloudBase's rules.
func TestFunctionsHTTPAccess(t *testing.T) {
	fn := func(name, method, target string, status int, want string) servertest.Scenario {
		return servertest.Scenario{Name: name, Setup: echoRoutes, Method: method, URL: target, Status: status, Want: want}
	}
	integration := fn("the integration request", "POST", "/fn/api/x/y?a=1&b=2&b=3", 200,
		`{"SOURCE":"wx_http","event":{"path":"/api/x/y","httpMethod":"POST","body":"{\"k\":\"v\"}","isBase64Encoded":false,
		"headers":{"content-type":"application/json","x-multi":"a,b"},"multiValueHeaders":{"x-multi":["a","b"]},
		"queryStringParameters":{"a":"1","b":"3"},"multiValueQueryStringParameters":{"b":["2","3"]},
		"requestContext":{"envId":"minibase","httpMethod":"POST","path":"/api/x/y"}}}`)
	integration.Body = `{"k":"v"}`
	integration.Header = map[string]string{"Content-Type": "application/json", "X-Multi": "a\nb"}
	integration.After = after(requestIDAt("event.requestContext.requestId"),
		func(tb testing.TB, _ *servertest.Server, r *servertest.Response) {
			tb.Helper()
			if o := r.Str("OPENID"); o != "" {
				tb.Errorf("a visitor's OPENID: %q, want none", o)
			}
		})
	signedIn := fn("a signed-in caller", "GET", "/fn/api", 200, `{"event":{"path":"/api","body":""}}`)
	signedIn.As, signedIn.After = alice, openIDAt(alice, "OPENID")
	badToken := fn("a bad token", "GET", "/fn/api", 401, "")
	badToken.As = servertest.Bearer("not-a-token")
	binary := fn("a binary body travels as base64", "POST", "/fn/api", 200, `{"event":{"body":"AP9iaW4=","isBase64Encoded":true}}`)
	binary.Body, binary.Header = "\x00\xffbin", map[string]string{"Content-Type": "application/octet-stream"}
	tooBig := fn("a body over the limit", "POST", "/fn/api", 413, "")
	tooBig.Body, tooBig.Header = strings.Repeat("x", 7<<20), map[string]string{"Content-Type": "application/octet-stream"}

	// Redeploying moves the route at once.
	moved := append(append([]servertest.Request{}, echoRoutes...), deploy("hello", echoFn, `{"http": [{"path": "/v2/hello"}]}`))
	oldRoute := fn("the old route after a redeploy", "DELETE", "/fn/api/hello", 405, `{"code":"HTTP_METHOD_NOT_ALLOWED"}`)
	newRoute := fn("the new route after a redeploy", "PUT", "/fn/v2/hello", 200, `{"event":{"path":"/v2/hello"}}`)
	oldRoute.Setup, newRoute.Setup = moved, moved

	scenarios := []servertest.Scenario{
		integration, signedIn, badToken, binary,
		fn("the longest prefix", "DELETE", "/fn/api/hello/there", 200, `{"event":{"path":"/api/hello/there","httpMethod":"DELETE"}}`),
		fn("a method the route does not take", "DELETE", "/fn/api/other", 405, `{"code":"HTTP_METHOD_NOT_ALLOWED"}`),
		fn("no route", "GET", "/fn/apix", 404, `{"code":"FUNCTION_NOT_FOUND"}`),
		fn("a bad statusCode", "GET", "/fn/api?reply="+url.QueryEscape(`{"statusCode":"ok"}`), 500, `{"code":"FUNCTIONS_EXECUTE_FAIL"}`),
		// An interim status sent as the answer would leave the client (and
		// a proxy in front: 101 makes nginx a raw tunnel) waiting for
		// another answer on the connection.
		fn("a 101 statusCode", "GET", "/fn/api?reply="+url.QueryEscape(`{"statusCode":101,"headers":{"Upgrade":"x"}}`), 500, `{"code":"FUNCTIONS_EXECUTE_FAIL"}`),
		fn("a 100 statusCode", "GET", "/fn/api?reply="+url.QueryEscape(`{"statusCode":100}`), 500, `{"code":"FUNCTIONS_EXECUTE_FAIL"}`),
		fn("a 199 statusCode", "GET", "/fn/api?reply="+url.QueryEscape(`{"statusCode":199}`), 500, `{"code":"FUNCTIONS_EXECUTE_FAIL"}`),
		oldRoute, newRoute, tooBig,
	}
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
		sc := fn("answer "+r.what, "GET", "/fn/api?reply="+url.QueryEscape(r.reply), r.status, "")
		if r.contentType != "" {
			sc.WantHeader = map[string]string{"Content-Type": r.contentType}
		}
		sc.After = bodyIs(r.body)
		scenarios = append(scenarios, sc)
	}
	servertest.Run(t, scenarios)
}
