package functions

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"mime"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// HTTPRequest is a request to an HTTP access route, copied out of the
// server's request (nothing in it may alias the server's buffers).
type HTTPRequest struct {
	Method   string
	Path     string      // below /fn: "/api/hello"
	Header   [][2]string // name, value, in order (repeated names repeat)
	Query    [][2]string
	Body     []byte
	ClientIP string
	BaseURL  string // scheme://host the request was sent to (Invocation.BaseURL)
}

// HTTPResponse is what the function's result becomes, as in CloudBase's
// HTTP access service (https://docs.cloudbase.net/service/access-cloud-function).
type HTTPResponse struct {
	Status int
	Header [][2]string
	Body   []byte
}

// MaxHTTPBody is the largest request body an HTTP access route takes
// (CloudBase's gateway: 6 MB). A binary body grows by a third as base64,
// and the event must also fit the runtime's event limit.
const MaxHTTPBody = 6 << 20

// httpEvent is CloudBase's integration request.
type httpEvent struct {
	Path                  string              `json:"path"`
	HTTPMethod            string              `json:"httpMethod"`
	Headers               map[string]string   `json:"headers"`
	MultiValueHeaders     map[string][]string `json:"multiValueHeaders"`
	QueryStringParameters map[string]string   `json:"queryStringParameters"`
	MultiValueQuery       map[string][]string `json:"multiValueQueryStringParameters"`
	RequestContext        httpRequestContext  `json:"requestContext"`
	Body                  string              `json:"body"`
	IsBase64Encoded       bool                `json:"isBase64Encoded"`
}

type httpRequestContext struct {
	RequestID  string `json:"requestId"`
	EnvID      string `json:"envId"`
	AppID      string `json:"appId"`
	HTTPMethod string `json:"httpMethod"`
	Path       string `json:"path"`
	SourceIP   string `json:"sourceIp"`
}

// ServeHTTP runs the function whose route is the longest prefix of
// req.Path, with CloudBase's integration request as its event and SOURCE
// wx_http, and turns its result into the response: a string or number →
// 200 text/plain; {statusCode, headers, body, isBase64Encoded} → exactly
// that; any other value → 200 JSON. The caller's identity rides in ctx.
// Errors are *Error: CodeNotFound (no route), CodeMethodNotAllowed, the
// invocation's, and CodeExecuteFail for a malformed integration response.
func (t *Triggers) ServeHTTP(ctx context.Context, req *HTTPRequest) (*HTTPResponse, error) {
	if len(req.Body) > MaxHTTPBody {
		return nil, Errorf(CodeEventTooLarge, "request body of %d bytes is over the limit of %d", len(req.Body), MaxHTTPBody)
	}
	fn, route, ok := t.match(req.Path)
	if !ok {
		return nil, Errorf(CodeNotFound, "no function serves /fn%s", req.Path)
	}
	if !route.allows(req.Method) {
		return nil, Errorf(CodeMethodNotAllowed, "/fn%s takes %s, not %s", route.Path, strings.Join(route.Methods, ", "), req.Method)
	}
	id := NewRequestID()
	ev := httpEvent{Path: req.Path, HTTPMethod: req.Method, Headers: map[string]string{}, MultiValueHeaders: map[string][]string{},
		QueryStringParameters: map[string]string{}, MultiValueQuery: map[string][]string{},
		RequestContext: httpRequestContext{RequestID: id, EnvID: t.env, AppID: t.appID, HTTPMethod: req.Method, Path: req.Path, SourceIP: req.ClientIP}}
	contentType := ""
	for _, h := range req.Header {
		k := strings.ToLower(h[0])
		if k == "content-type" {
			contentType = h[1]
		}
		if old, ok := ev.Headers[k]; ok {
			ev.Headers[k] = old + "," + h[1]
		} else {
			ev.Headers[k] = h[1]
		}
		ev.MultiValueHeaders[k] = append(ev.MultiValueHeaders[k], h[1])
	}
	for _, q := range req.Query {
		ev.QueryStringParameters[q[0]] = q[1]
		ev.MultiValueQuery[q[0]] = append(ev.MultiValueQuery[q[0]], q[1])
	}
	if len(req.Body) > 0 {
		if isText(contentType) && utf8.Valid(req.Body) {
			ev.Body = string(req.Body)
		} else {
			ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString(req.Body), true
		}
	}
	event, err := json.Marshal(ev)
	if err != nil {
		return nil, err
	}
	res, err := t.run.Invoke(ctx, fn, event, Invocation{RequestID: id, Source: "wx_http", ClientIP: req.ClientIP, BaseURL: req.BaseURL})
	if err != nil {
		return nil, err
	}
	out, ferr := httpResponse(res.Value)
	if ferr != nil {
		ferr.RequestID = id
		return nil, ferr
	}
	return out, nil
}

// isText reports whether a body of this content type travels as text in
// the event; other bodies are base64-encoded.
func isText(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return contentType == ""
	}
	return strings.HasPrefix(mt, "text/") || strings.HasSuffix(mt, "+json") || strings.HasSuffix(mt, "+xml") ||
		mt == "application/json" || mt == "application/xml" || mt == "application/javascript" ||
		mt == "application/x-www-form-urlencoded"
}

const (
	mimeText = "text/plain; charset=utf-8"
	mimeJSON = "application/json; charset=utf-8"
)

// hopHeaders are headers a function may not set: the server frames the
// response itself.
var hopHeaders = map[string]bool{"content-length": true, "transfer-encoding": true, "connection": true}

// httpResponse applies the HTTP access service's integration response
// rules to a result.
func httpResponse(v []byte) (*HTTPResponse, *Error) {
	v = bytes.TrimSpace(v)
	switch {
	case len(v) > 0 && v[0] == '"':
		var s string
		json.Unmarshal(v, &s)
		return &HTTPResponse{Status: 200, Header: [][2]string{{"Content-Type", mimeText}}, Body: []byte(s)}, nil
	case len(v) > 0 && (v[0] == '-' || v[0] >= '0' && v[0] <= '9' || v[0] == 't' || v[0] == 'f'):
		return &HTTPResponse{Status: 200, Header: [][2]string{{"Content-Type", mimeText}}, Body: v}, nil
	case len(v) > 0 && v[0] == '{':
		// Only the top level's keys matter: a result of any size is not
		// decoded to find them.
		if keys, _, ok := splitObject(v); ok && slices.Contains(keys, "statusCode") {
			return integrationResponse(v)
		}
	}
	return &HTTPResponse{Status: 200, Header: [][2]string{{"Content-Type", mimeJSON}}, Body: v}, nil
}

func integrationResponse(v []byte) (*HTTPResponse, *Error) {
	var r struct {
		StatusCode        json.Number                `json:"statusCode"`
		Headers           map[string]json.RawMessage `json:"headers"`
		MultiValueHeaders map[string][]string        `json:"multiValueHeaders"`
		Body              json.RawMessage            `json:"body"`
		IsBase64Encoded   bool                       `json:"isBase64Encoded"`
	}
	bad := func(format string, args ...any) (*HTTPResponse, *Error) {
		return nil, Errorf(CodeExecuteFail, "invalid integration response: "+format, args...)
	}
	if err := json.Unmarshal(v, &r); err != nil {
		return bad("%v (want {statusCode: number, headers: {name: string}, body: string, isBase64Encoded: bool})", err)
	}
	status, err := strconv.Atoi(string(r.StatusCode))
	if err != nil || status < 200 || status > 599 {
		return bad("statusCode must be a final HTTP status, 200 to 599, got %s (1xx statuses are the server's to send)", r.StatusCode)
	}
	out := &HTTPResponse{Status: status}
	typed := false
	add := func(k, val string) {
		if !hopHeaders[strings.ToLower(k)] {
			out.Header = append(out.Header, [2]string{k, val})
			typed = typed || strings.EqualFold(k, "content-type")
		}
	}
	for k, raw := range r.Headers {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			s = string(bytes.TrimSpace(raw)) // numbers and booleans as written
		}
		add(k, s)
	}
	for k, vals := range r.MultiValueHeaders {
		for _, s := range vals {
			add(k, s)
		}
	}
	body := bytes.TrimSpace(r.Body)
	switch {
	case len(body) == 0 || string(body) == "null":
	case body[0] == '"':
		var s string
		json.Unmarshal(body, &s)
		out.Body = []byte(s)
		if r.IsBase64Encoded {
			b, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				return bad("isBase64Encoded is true but body is not base64: %v", err)
			}
			out.Body = b
		}
	default: // an object or a number as the body: sent as JSON
		out.Body = body
		if !typed {
			add("Content-Type", mimeJSON)
		}
	}
	return out, nil
}
