package functions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"minibase/auth"
	"minibase/db"
)

// newTestRuntime returns a Runtime over the functions in testdata/ and a
// fresh database (testDB). fetch may reach 127.0.0.1 unless opts says
// otherwise.
func newTestRuntime(t testing.TB, opts Options) (*Runtime, *db.Service) {
	t.Helper()
	dir, err := OpenDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	return newRuntimeOver(t, dir, opts)
}

func newRuntimeOver(t testing.TB, src Source, opts Options) (*Runtime, *db.Service) {
	t.Helper()
	svc := testDB(t)
	if opts.Fetch.AllowPrivate == nil {
		opts.Fetch.AllowPrivate = []string{"127.0.0.1"}
	}
	rt, err := New(src, svc, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Close() })
	return rt, svc
}

var (
	adminCtx = auth.NewContext(context.Background(), &auth.Identity{Role: auth.Admin})
	userCtx  = auth.NewContext(context.Background(), &auth.Identity{Role: auth.User, UID: "u1", OpenID: "openid-1"})
	user2Ctx = auth.NewContext(context.Background(), &auth.Identity{Role: auth.User, UID: "u2", OpenID: "openid-2"})
)

// invoke calls name with event and decodes the result.
func invoke(t testing.TB, rt *Runtime, ctx context.Context, name, event string) (any, error) {
	t.Helper()
	res, err := rt.Invoke(ctx, name, []byte(event), Invocation{ClientIP: "203.0.113.9"})
	if err != nil {
		return nil, err
	}
	var v any
	if err := json.Unmarshal(res.Value, &v); err != nil {
		t.Fatalf("%s: result is not JSON: %q", name, res.Value)
	}
	return v, nil
}

func mustJSON(t testing.TB, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("bad JSON %q: %v", s, err)
	}
	return v
}

// subset reports whether want is contained in got: objects by key
// (recursively), arrays element by element, scalars exactly.
func subset(want, got any) (string, bool) {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return "", false
		}
		for k, wv := range w {
			if p, ok := subset(wv, g[k]); !ok {
				return "." + k + p, false
			}
		}
		return "", true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return "", false
		}
		for i := range w {
			if p, ok := subset(w[i], g[i]); !ok {
				return fmt.Sprintf("[%d]%s", i, p), false
			}
		}
		return "", true
	}
	return "", reflect.DeepEqual(want, got)
}

// fcase is one invocation and what it must give: want is a JSON subset of
// the result, or errCode/errText describe the failure.
type fcase struct {
	name    string
	ctx     context.Context
	fn      string
	event   string
	want    string
	errCode string
	errText string // a substring of the error's message
}

func runCases(t *testing.T, rt *Runtime, cases []fcase) {
	t.Helper()
	for _, c := range cases {
		ctx := c.ctx
		if ctx == nil {
			ctx = userCtx
		}
		got, err := invoke(t, rt, ctx, c.fn, c.event)
		if c.errCode != "" {
			if ErrorCode(err) != c.errCode || !strings.Contains(fmt.Sprint(err), c.errText) {
				t.Errorf("%s: error %v (%s), want %s containing %q", c.name, err, ErrorCode(err), c.errCode, c.errText)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if p, ok := subset(mustJSON(t, c.want), got); !ok {
			b, _ := json.Marshal(got)
			t.Errorf("%s: at %s: got %s, want subset %s", c.name, p, b, c.want)
		}
	}
}

func TestInvoke(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{})
	runCases(t, rt, []fcase{
		{name: "a sync main", fn: "hello", event: `{}`, want: `{"message":"Hello, World!"}`},
		{name: "CloudBase's example: an async main with wx-server-sdk", fn: "sum", event: `{"a":1,"b":2}`, want: `{"sum":3,"OPENID":"openid-1","SOURCE":"wx_client","ENV":"minibase"}`},
		{name: "an empty event is {}", fn: "echo", event: ``, want: `{"event":{"userInfo":{"openId":"openid-1"}}}`},
		{name: "context is SCF's", fn: "echo", event: `{"x":1}`, ctx: adminCtx,
			want: `{"event":{"x":1},"context":{"function_name":"echo","namespace":"minibase","memory_limit_in_mb":256,"time_limit_in_ms":5000,"environment":"{}"}}`},
		{name: "__proto__ in an event is data", fn: "proto", ctx: adminCtx, event: `{"__proto__":{"polluted":true},"a":1}`, want: `{"own":true,"polluted":false,"keys":["__proto__","a"]}`},
		{name: "event values as JSON.parse makes them", fn: "echo", event: `{"n":1.5,"big":12345678901234567890,"s":"é\u0000","d":{"$date":"2024-01-01T00:00:00Z"},"a":[null,true]}`, ctx: adminCtx,
			want: `{"event":{"n":1.5,"big":12345678901234567000,"s":"é\u0000","d":{"$date":"2024-01-01T00:00:00Z"},"a":[null,true]}}`},
		// Over pollFrom bytes, the event is read in the VM, polling.
		{name: "a large event", fn: "echo", ctx: adminCtx, event: `{"pad":"` + strings.Repeat("p", pollFrom) + `","n":-0,"a":[1,{"b":"é"}]}`,
			want: `{"event":{"pad":"` + strings.Repeat("p", pollFrom) + `","n":0,"a":[1,{"b":"é"}]}}`},
		{name: "a large event that is not JSON", fn: "hello", event: `{"pad":"` + strings.Repeat("p", pollFrom) + `",nope}`,
			errCode: CodeInvalidParam, errText: "not valid JSON"},
		{name: "undefined becomes null", fn: "failing", event: `{"mode":"undefined"}`, want: `null`},
		{name: "unknown function", fn: "no-such-fn", event: `{}`, errCode: CodeNotFound, errText: `function "no-such-fn" does not exist`},
		{name: "invalid name", fn: "../etc", event: `{}`, errCode: CodeInvalidParam, errText: "invalid function name"},
		{name: "event is not JSON", fn: "hello", event: `{nope`, errCode: CodeInvalidParam, errText: "not valid JSON"},
		{name: "no main exported", fn: "noexport", event: `{}`, errCode: CodeExecuteFail, errText: "index.js must export a main function"},
		{name: "a syntax error", fn: "syntaxerr", event: `{}`, errCode: CodeExecuteFail, errText: "SyntaxError"},
		{name: "a throw reaches the caller", fn: "failing", event: `{"mode":"throw","why":"x"}`, errCode: CodeExecuteFail, errText: "TypeError: bad input: x"},
		{name: "a thrown string", fn: "failing", event: `{"mode":"throwString"}`, errCode: CodeExecuteFail, errText: "a plain string"},
		{name: "a rejection", fn: "failing", event: `{"mode":"reject"}`, errCode: CodeExecuteFail, errText: "Error: rejected on purpose"},
		{name: "a result that is not JSON", fn: "failing", event: `{"mode":"circular"}`, errCode: CodeExecuteFail, errText: "cannot be turned into JSON"},
		{name: "result over 1 MiB (-604001)", fn: "failing", event: `{"mode":"bigResult"}`, errCode: CodeResultTooLarge, errText: "more than 1048576"},
	})
}

func TestEventAndResultLimits(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{MaxEvent: 64, MaxResult: 10})
	big := `{"s":"` + strings.Repeat("x", 100) + `"}`
	runCases(t, rt, []fcase{
		{name: "event over MaxEvent", fn: "echo", event: big, errCode: CodeEventTooLarge, errText: "more than 64"},
		{name: "result over MaxResult", fn: "hello", event: `{}`, errCode: CodeResultTooLarge, errText: "more than 10"},
	})
	if err := (&Error{ErrCode: codes[CodeResultTooLarge].errCode}); err.ErrCode != -604001 {
		t.Errorf("result too large has errCode %d, want -604001", err.ErrCode)
	}
}

// TestStacksNameNoGoCode: a stack through a function the runtime made in
// Go names that frame as Node names what it cannot name, not by the Go
// name goja gives it, which would tell whoever the error reaches about the
// server's code.
func TestStacksNameNoGoCode(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{})
	_, err := invoke(t, rt, userCtx, "failing", `{"mode":"nativeThrow","why":"x"}`)
	if err == nil || !strings.Contains(err.Error(), "no-such-module-x") || !strings.Contains(err.Error(), "at <anonymous> (native)") ||
		strings.Contains(err.Error(), "minibase/") || strings.Contains(err.Error(), "(*") {
		t.Fatalf("got %v; want the module's name and a native frame without a Go name", err)
	}
}

func TestErrorsCarryTheRequestID(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{})
	_, err := rt.Invoke(userCtx, "failing", []byte(`{"mode":"throw"}`), Invocation{RequestID: "req-1"})
	var fe *Error
	if !errors.As(err, &fe) || fe.RequestID != "req-1" || fe.ErrCode != -504002 {
		t.Fatalf("got %#v, want FUNCTIONS_EXECUTE_FAIL -504002 with requestID req-1", err)
	}
	res, err := rt.Invoke(userCtx, "hello", nil, Invocation{})
	if err != nil || len(res.RequestID) != 36 {
		t.Fatalf("got %v, %v; want a generated UUID requestID", res, err)
	}
}

func contextWithTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, d)
}

func contains(err error, s string) bool { return err != nil && strings.Contains(err.Error(), s) }
