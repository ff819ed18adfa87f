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
	event, spans := t.appendEvent(make([]byte, 0, 512+len(req.Body)), req, id)
	res, err := t.run.Invoke(ctx, fn, event, Invocation{RequestID: id, Source: "wx_http", ClientIP: req.ClientIP, BaseURL: req.BaseURL,
		spans: spans})
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
		// decoded to find them, nor split when no key is "statusCode" (the
		// runtime's JSON writes a key's letters as they are, unescaped).
		if !bytes.Contains(v, []byte(`"statusCode"`)) {
			break
		}
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

// httpEventKeys are the members of an HTTP access event, in the order
// appendEvent writes them.
var httpEventKeys = []string{"path", "httpMethod", "headers", "multiValueHeaders", "queryStringParameters",
	"multiValueQueryStringParameters", "requestContext", "body", "isBase64Encoded"}

// appendEvent appends CloudBase's integration request for req as JSON:
// path, httpMethod, headers (lower-case names; repeated ones joined by
// commas, and each value in multiValueHeaders), queryStringParameters (the
// last value of a repeated name) and multiValueQueryStringParameters,
// requestContext, body (text, or base64 with isBase64Encoded). Names are
// in sorted order; text that is not UTF-8 has its bad bytes replaced by
// U+FFFD. It is written by hand: it is every HTTP access call's path. It
// also returns where each member's value is (httpEventKeys' order, offsets
// from the start of what it appended), so that the runtime reads the event
// lazily without parsing it again (lazyEvent).
func (t *Triggers) appendEvent(b []byte, req *HTTPRequest, id string) ([]byte, [][2]int) {
	// Names and values, sorted by name (stable: a repeated name's values
	// stay in order), so that a name's values are next to each other.
	headers := make([][2]string, len(req.Header))
	contentType := ""
	for i, h := range req.Header {
		k := strings.ToLower(h[0])
		if k == "content-type" {
			contentType = h[1]
		}
		headers[i] = [2]string{k, h[1]}
	}
	query := slices.Clone(req.Query)
	byName := func(a, b [2]string) int { return strings.Compare(a[0], b[0]) }
	slices.SortStableFunc(headers, byName)
	slices.SortStableFunc(query, byName)
	base := len(b)
	spans := make([][2]int, 0, len(httpEventKeys))
	member := func(b []byte, name string) []byte { // the separator and name; the value's span starts after it
		if len(spans) == 0 {
			b = append(b, '{')
		} else {
			b = append(b, ',')
		}
		b = append(appendQuoted(b, name), ':')
		spans = append(spans, [2]int{len(b) - base, 0})
		return b
	}
	end := func(b []byte) []byte { spans[len(spans)-1][1] = len(b) - base; return b }
	b = end(appendJSONString(member(b, "path"), req.Path))
	b = end(appendJSONString(member(b, "httpMethod"), req.Method))
	b = end(appendNameValues(member(b, "headers"), headers, joinValues))
	b = end(appendNameLists(member(b, "multiValueHeaders"), headers))
	b = end(appendNameValues(member(b, "queryStringParameters"), query, lastValue))
	b = end(appendNameLists(member(b, "multiValueQueryStringParameters"), query))
	b = append(member(b, "requestContext"), `{"requestId":`...)
	b = appendJSONString(b, id)
	b = append(b, `,"envId":`...)
	b = appendJSONString(b, t.env)
	b = append(b, `,"appId":`...)
	appID := ""
	if t.appID != nil {
		appID = t.appID()
	}
	b = appendJSONString(b, appID)
	b = append(b, `,"httpMethod":`...)
	b = appendJSONString(b, req.Method)
	b = append(b, `,"path":`...)
	b = appendJSONString(b, req.Path)
	b = append(b, `,"sourceIp":`...)
	b = appendJSONString(b, req.ClientIP)
	b = end(append(b, '}'))
	b = member(b, "body")
	encoded := false
	switch {
	case len(req.Body) == 0:
		b = append(b, `""`...)
	case isText(contentType) && utf8.Valid(req.Body):
		b = appendJSONString(b, string(req.Body))
	default:
		b = append(b, '"')
		b = base64.StdEncoding.AppendEncode(b, req.Body)
		b = append(b, '"')
		encoded = true
	}
	b = end(b)
	b = end(strconv.AppendBool(member(b, "isBase64Encoded"), encoded))
	return append(b, '}'), spans
}

// nextName returns where the run of pairs named list[i][0] ends (list is
// sorted by name).
func nextName(list [][2]string, i int) int {
	j := i + 1
	for j < len(list) && list[j][0] == list[i][0] {
		j++
	}
	return j
}

// joinValues is a repeated header's value: its values joined by commas.
func joinValues(run [][2]string) string {
	if len(run) == 1 {
		return run[0][1]
	}
	vals := make([]string, len(run))
	for i, p := range run {
		vals[i] = p[1]
	}
	return strings.Join(vals, ",")
}

// lastValue is a repeated query parameter's value: its last.
func lastValue(run [][2]string) string { return run[len(run)-1][1] }

// appendNameValues appends {name: one(its pairs), …} for the sorted pairs
// of list.
func appendNameValues(b []byte, list [][2]string, one func([][2]string) string) []byte {
	b = append(b, '{')
	for i := 0; i < len(list); {
		j := nextName(list, i)
		if i > 0 {
			b = append(b, ',')
		}
		b = append(appendJSONString(b, list[i][0]), ':')
		b = appendJSONString(b, one(list[i:j]))
		i = j
	}
	return append(b, '}')
}

// appendNameLists appends {name: [values…], …} for the sorted pairs of
// list.
func appendNameLists(b []byte, list [][2]string) []byte {
	b = append(b, '{')
	for i := 0; i < len(list); {
		j := nextName(list, i)
		if i > 0 {
			b = append(b, ',')
		}
		b = append(appendJSONString(b, list[i][0]), ':', '[')
		for k := i; k < j; k++ {
			if k > i {
				b = append(b, ',')
			}
			b = appendJSONString(b, list[k][1])
		}
		b = append(b, ']')
		i = j
	}
	return append(b, '}')
}

// appendJSONString appends s as a JSON string, its bytes that are not
// UTF-8 replaced by U+FFFD (as encoding/json does).
func appendJSONString(b []byte, s string) []byte {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return appendQuoted(b, s)
}
