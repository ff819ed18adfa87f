package functions

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// An event's members become JavaScript values only when read (lazyEvent);
// the function must not be able to tell it from the object JSON.parse
// makes: member order, identity, assignment, deletion, numbers past 2^53,
// extended-JSON-looking values left alone, JSON.stringify; repeated names
// (the last wins), invalid JSON and nesting too deep as before.
func TestEventAsJSONParse(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{})
	invokeRaw := func(event string) (string, error) {
		t.Helper()
		res, err := rt.Invoke(adminCtx, "eventprobe", []byte(event), Invocation{})
		if err != nil {
			return "", err
		}
		return string(res.Value), nil
	}
	got, err := invokeRaw(`{"text":"a\"b","big":9007199254740993,"nested":{"k":[1,2]},"list":[1,"x",{"y":null}],"gone":1,` +
		`"when":{"$date":"2024-01-02T03:04:05.006Z"}}`)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"keys":["text","big","nested","list","when","extra"],"same":true,"persisted":1,"big":9007199254740992,` +
		`"text":"a\"b","isArray":true,"hasOwn":true,"hasGone":false,"spread":["text","big","nested","list","when","extra"],` +
		`"proto":true,"when":{"$date":"2024-01-02T03:04:05.006Z"},` +
		`"json":"{\"text\":\"a\\\"b\",\"big\":9007199254740992,\"nested\":{\"k\":[1,2],\"added\":1},\"list\":[1,\"x\",{\"y\":null}],` +
		`\"when\":{\"$date\":\"2024-01-02T03:04:05.006Z\"},\"extra\":true}"}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if got, err := invokeRaw(`{"dup":1,"nested":{},"dup":2}`); err != nil || !strings.Contains(got, `"dup":2`) {
		t.Errorf("a repeated name: %s, %v; want the last value, 2", got, err)
	}
	for _, bad := range []string{`{"a":}`, `{"a":1} x`, `{"a":` + strings.Repeat("[", 1001) + strings.Repeat("]", 1001) + `}`} {
		if _, err := invokeRaw(bad); ErrorCode(err) != CodeInvalidParam {
			t.Errorf("event %.30s…: error %v, want %s", bad, err, CodeInvalidParam)
		}
	}
}

// The HTTP access event, written by hand, is CloudBase's integration
// request: valid JSON, names sorted, repeated headers joined, the last
// query value in queryStringParameters, bad UTF-8 replaced, binary bodies
// in base64.
func TestHTTPEventJSON(t *testing.T) {
	tr := &Triggers{env: "env1", appID: func() string { return "wxapp" }}
	for _, c := range []struct {
		name string
		req  HTTPRequest
		want string
	}{
		{"text body", HTTPRequest{Method: "POST", Path: "/api/a\"b", ClientIP: "203.0.113.9", Body: []byte("<p>&\n"),
			Header: [][2]string{{"X-B", "2"}, {"Content-Type", "text/html"}, {"x-b", "3"}, {"X-Bad", "a\xffb"}},
			Query:  [][2]string{{"q", "1"}, {"a", ""}, {"q", "2"}}},
			`{"path":"/api/a\"b","httpMethod":"POST","headers":{"content-type":"text/html","x-b":"2,3","x-bad":"a\ufffdb"},` +
				`"multiValueHeaders":{"content-type":["text/html"],"x-b":["2","3"],"x-bad":["a\ufffdb"]},` +
				`"queryStringParameters":{"a":"","q":"2"},"multiValueQueryStringParameters":{"a":[""],"q":["1","2"]},` +
				`"requestContext":{"requestId":"r1","envId":"env1","appId":"wxapp","httpMethod":"POST","path":"/api/a\"b","sourceIp":"203.0.113.9"},` +
				`"body":"<p>&\n","isBase64Encoded":false}`},
		{"binary body, nothing else", HTTPRequest{Method: "PUT", Path: "/", Body: []byte{0, 0xff}},
			`{"path":"/","httpMethod":"PUT","headers":{},"multiValueHeaders":{},"queryStringParameters":{},"multiValueQueryStringParameters":{},` +
				`"requestContext":{"requestId":"r1","envId":"env1","appId":"wxapp","httpMethod":"PUT","path":"/","sourceIp":""},` +
				`"body":"AP8=","isBase64Encoded":true}`},
	} {
		got, spans := tr.appendEvent([]byte("prefix"), &c.req, "r1")
		got = got[len("prefix"):]
		// The spans it returns are what parsing the event finds (the
		// runtime reads the event's members by them, unparsed).
		keys, wantSpans, ok := splitObject(got)
		if !ok || !slices.Equal(keys, httpEventKeys) || !slices.Equal(spans, wantSpans) {
			t.Errorf("%s: members %q at %v, want %q at %v", c.name, httpEventKeys, spans, keys, wantSpans)
		}
		var gotV, wantV any
		if err := json.Unmarshal(got, &gotV); err != nil {
			t.Fatalf("%s: %s is not JSON: %v", c.name, got, err)
		}
		if err := json.Unmarshal([]byte(c.want), &wantV); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(gotV, wantV) || !strings.HasPrefix(string(got), `{"path":`) {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
	}
}

// For any event, the lazy object and JSON.parse's give the same JSON and
// the same error.
func FuzzLazyEvent(f *testing.F) {
	for _, s := range []string{`{"a":1,"b":[1,{"c":"d"}],"e":{"$date":"2024-01-02T03:04:05.006Z"}}`, `{"a":1,"a":2}`,
		`{"__proto__":{"x":1}}`, `{"big":9007199254740993,"f":1e400}`, `{"s":"\ud800"}`, `{"a":}`, `{} x`} {
		f.Add(s)
	}
	in, _ := newBareInstance(f)
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 1<<16 {
			return
		}
		lazy, lerr := in.lazyEvent([]byte(s))
		eager, eerr := in.fromJSON([]byte(s))
		if (lerr == nil) != (eerr == nil) {
			t.Fatalf("%q: lazy error %v, JSON.parse's %v", s, lerr, eerr)
		}
		if lerr != nil {
			return
		}
		got, gerr := in.result(lazy)
		want, werr := in.result(eager)
		if string(got) != string(want) || (gerr == nil) != (werr == nil) {
			t.Fatalf("%q: lazy %s (%v), JSON.parse's %s (%v)", s, got, gerr, want, werr)
		}
	})
}

// Whatever the request, the event is one valid JSON object whose members
// are httpEventKeys at the spans appendEvent returns: the runtime reads
// the event by them without checking it (builtEvent).
func FuzzHTTPEvent(f *testing.F) {
	f.Add("POST", "/api/a\"b", "Content-Type", "text/html", "q", "1", []byte("<p>&\n"))
	f.Add("GET", "/", "X-B", "a\xffb", "a", "", []byte{0, 0xff})
	f.Add("PUT", "/\u2028", "content-type", "application/json", "__proto__", "\x00", []byte(`{"a":1}`))
	tr := &Triggers{env: "env1", appID: func() string { return "wxapp" }}
	f.Fuzz(func(t *testing.T, method, path, hname, hval, qname, qval string, body []byte) {
		req := &HTTPRequest{Method: method, Path: path, Body: body, ClientIP: "203.0.113.9",
			Header: [][2]string{{hname, hval}, {"Host", "h"}, {hname, qval}}, Query: [][2]string{{qname, qval}, {qname, hval}}}
		event, spans := tr.appendEvent(nil, req, "r1")
		if !json.Valid(event) {
			t.Fatalf("not JSON: %q", event)
		}
		keys, want, ok := splitObject(event)
		if !ok || !slices.Equal(keys, httpEventKeys) || !slices.Equal(spans, want) {
			t.Fatalf("%q: members %q at %v, want %q at %v", event, httpEventKeys, spans, keys, want)
		}
	})
}
