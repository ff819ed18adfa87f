//go:build !minibase_fuzz

package functions

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"minibase/auth"
	"minibase/db/sqlite"
	"minibase/functions/openapi"
	"minibase/functions/openapi/openapitest"
)

const (
	wxAppID  = "wx0123456789abcdef"
	wxSecret = "s3cr3t-0123456789abcdef0123456789"
)

// openTokens opens the token store in the database file at path.
func openTokens(t *testing.T, path string) *sqlite.AppTokens {
	t.Helper()
	d, err := sqlite.Open(context.Background(), path, sqlite.Options{Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d.AppTokens()
}

// wxRuntime returns a runtime whose cloud.openapi reaches the fake, with
// the token kept in the database at dbPath ("": a new one).
func wxRuntime(t *testing.T, f *openapitest.Fake, dbPath string, opts Options) *Runtime {
	t.Helper()
	if dbPath == "" {
		dbPath = filepath.Join(t.TempDir(), "data.db")
	}
	opts.OpenAPI = openapi.New(openapi.Config{AppID: wxAppID, Secret: wxSecret, BaseURL: f.URL, Store: openTokens(t, dbPath),
		OnError: func(err error) { t.Errorf("wechat: %v", err) }})
	rt, _ := newTestRuntime(t, opts)
	return rt
}

// openapiSteps runs the openapi function with steps and compares each
// outcome with want (a JSON array of subsets).
func openapiSteps(t *testing.T, rt *Runtime, ctx context.Context, what, steps, want string) []map[string]any {
	t.Helper()
	res, err := rt.Invoke(ctx, "openapi", []byte(`{"steps":`+steps+`}`), Invocation{})
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	var got []map[string]any
	if err := json.Unmarshal(res.Value, &got); err != nil {
		t.Fatalf("%s: %s", what, res.Value)
	}
	var g any
	json.Unmarshal(res.Value, &g)
	if p, ok := subset(mustJSON(t, want), g); !ok {
		t.Errorf("%s: at %s: got %s, want subset %s", what, p, res.Value, want)
	}
	return got
}

// A share code made as open-source mini-programs make it:
// wxacode.getUnlimited's image, with the camelCase options WeChat wants in
// snake_case, uploaded to storage as it came.
func TestOpenAPIShareCode(t *testing.T) {
	f := openapitest.NewFake(t, wxAppID, wxSecret)
	files := newStorage(t, "")
	rt := wxRuntime(t, f, "", Options{Files: files})
	v, err := invoke(t, rt, userCtx, "qrcode", `{"scene":"r=42"}`)
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := subset(mustJSON(t, `{"fileID":"cloud://minibase.default/qrcode/r=42.png","contentType":"image/png",
		"errMsg":"openapi.wxacode.getUnlimited:ok","errCode":0}`), v); !ok {
		t.Errorf("at %s: %v", p, v)
	}
	rc, _, err := files.Read(adminCtx, "cloud://minibase.default/qrcode/r=42.png")
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(stored, openapitest.PNG) {
		t.Errorf("stored %q, want WeChat's PNG", stored)
	}
	calls := f.Calls()
	if len(calls) != 1 {
		t.Fatalf("WeChat got %d calls, want 1", len(calls))
	}
	c := calls[0]
	if c.Method != "POST" || c.Path != "/wxa/getwxacodeunlimit" || c.Token != f.Current() || c.ContentType != "application/json" {
		t.Errorf("call = %s %s token %q (%s)", c.Method, c.Path, c.Token, c.ContentType)
	}
	jsonIs(t, "getUnlimited's body", c.Body, `{"scene":"r=42","page":"pages/share/index","width":280,"check_path":false,
		"line_color":{"r":74,"g":124,"b":89},"is_hyaline":true}`)
}

func jsonIs(t *testing.T, what string, got []byte, want string) {
	t.Helper()
	var g any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s: %q is not JSON", what, got)
	}
	if p, ok := subset(mustJSON(t, want), g); !ok || len(g.(map[string]any)) != len(mustJSON(t, want).(map[string]any)) {
		t.Errorf("%s: at %s: %s, want %s", what, p, got, want)
	}
}

// A subscribe message as real functions send it: templateId and
// miniprogramState become WeChat's names, the template's own keys
// (thing1, character_string3) are kept, and the answer is WeChat's in
// camelCase, msgid's 19 digits intact. WeChat's refusal comes back as its
// errcode.
func TestOpenAPISubscribeMessage(t *testing.T) {
	f := openapitest.NewFake(t, wxAppID, wxSecret)
	f.Handle("/cgi-bin/message/subscribe/send", openapitest.JSON(`{"errcode":0,"errmsg":"ok","msgid":3099183212345679873}`))
	rt := wxRuntime(t, f, "", Options{})
	v, err := invoke(t, rt, userCtx, "notify", `{"orderId":"A1001","title":"蓝色帆布包"}`)
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := subset(mustJSON(t, `{"msgid":"3099183212345679873","errCode":0,"errMsg":"openapi.subscribeMessage.send:ok"}`), v); !ok {
		t.Errorf("at %s: %v", p, v)
	}
	if _, has := v.(map[string]any)["errcode"]; has {
		t.Errorf("the answer keeps WeChat's errcode: %v", v)
	}
	c := f.Calls()[0]
	if c.Path != "/cgi-bin/message/subscribe/send" || c.Token != f.Current() {
		t.Errorf("call = %s token %q", c.Path, c.Token)
	}
	jsonIs(t, "subscribeMessage.send's body", c.Body, `{"touser":"openid-1","page":"pages/order/detail?id=A1001","lang":"zh_CN",
		"data":{"thing1":{"value":"蓝色帆布包"},"time2":{"value":"2026-05-01 10:00"},"character_string3":{"value":"A1001"},"phrase4":{"value":"已发货"}},
		"template_id":"TEMPLATE_ID_SHIPPED","miniprogram_state":"formal"}`)

	f.Handle("/cgi-bin/message/subscribe/send", openapitest.JSON(`{"errcode":43101,"errmsg":"user refuse to accept the msg rid: 6a1b"}`))
	v, err = invoke(t, rt, userCtx, "notify", `{"orderId":"A1002","title":"x"}`)
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := subset(mustJSON(t, `{"failed":true,"errCode":43101,"errMsg":"openapi.subscribeMessage.send:fail 43101 user refuse to accept the msg rid: 6a1b"}`), v); !ok {
		t.Errorf("at %s: %v", p, v)
	}
}

// The other shapes of cloud.openapi: answers camelCased, an upload,
// convertCase: false, and each kind of failure with wx-server-sdk's code.
func TestOpenAPICalls(t *testing.T) {
	f := openapitest.NewFake(t, wxAppID, wxSecret)
	f.Handle("/wxa/msg_sec_check", openapitest.JSON(`{"errcode":0,"errmsg":"ok","result":{"suggest":"pass","label":100},
		"detail":[{"strategy":"content_model","errcode":0,"suggest":"pass","label":100,"prob":90}],"trace_id":"t-1"}`))
	f.Handle("/wxa/business/getuserphonenumber", openapitest.JSON(`{"errcode":0,"errmsg":"ok","phone_info":{"phoneNumber":"+86 13800138000",
		"purePhoneNumber":"13800138000","countryCode":"86","watermark":{"timestamp":1637744274,"appid":"`+wxAppID+`"}}}`))
	f.Handle("/wxa/img_sec_check", func(c openapitest.Call) (int, string, []byte) {
		if len(c.Files) != 1 || c.Files[0].Field != "media" || !bytes.Equal(c.Files[0].Data, openapitest.PNG) {
			return 200, "application/json", []byte(`{"errcode":41005,"errmsg":"media data missing"}`)
		}
		return 200, "application/json", []byte(`{"errcode":87014,"errmsg":"risky content"}`)
	})
	rt := wxRuntime(t, f, "", Options{})
	png := base64.StdEncoding.EncodeToString(openapitest.PNG)
	openapiSteps(t, rt, userCtx, "calls", `[
		{"call":"security.msgSecCheck","args":{"content":"你好","version":2,"scene":2,"openid":"openid-1"}},
		{"call":"phonenumber.getPhoneNumber","args":{"code":"e31968a7f94cc5ee25fafc2aef2773f0bb8c3937b22520eb8ee345274d00c144"}},
		{"call":"security.imgSecCheck","args":{"media":{"contentType":"image/png","base64":"`+png+`"}}},
		{"call":"security.msgSecCheck","options":{"convertCase":false},"args":{"content":"x","openid":"o"}},
		{"call":"wxacode.getUnlimited","args":{"scene":"a"}},
		{"call":"wxacode.nope","args":{}},
		{"call":"security.msgSecCheck","args":"not an object"}
	]`, `[
		{"errCode":0,"errMsg":"openapi.security.msgSecCheck:ok","result":{"suggest":"pass","label":100},"traceId":"t-1",
			"detail":[{"strategy":"content_model","errcode":0,"suggest":"pass","label":100,"prob":90}]},
		{"errCode":0,"errMsg":"openapi.phonenumber.getPhoneNumber:ok","phoneInfo":{"phoneNumber":"+86 13800138000","purePhoneNumber":"13800138000",
			"countryCode":"86","watermark":{"timestamp":1637744274,"appid":"`+wxAppID+`"}}},
		{"error":true,"isError":true,"errCode":87014,"errMsg":"openapi.security.imgSecCheck:fail 87014 risky content"},
		{"errCode":0,"errMsg":"openapi.security.msgSecCheck:ok","trace_id":"t-1"},
		{"errCode":0,"errMsg":"openapi.wxacode.getUnlimited:ok","contentType":"image/png","buffer":{"isBuffer":true,"base64":"`+png+`"}},
		{"error":true,"isError":true,"errCode":-604100,"errMsg":"openapi.wxacode.nope:fail -604100 API not found. minibase knows no WeChat API named wxacode.nope (the README lists those it has)"},
		{"error":true,"isError":true,"errCode":-501007}
	]`)
	calls := f.Calls()
	if len(calls) != 5 {
		t.Fatalf("WeChat got %d calls, want 5 (unknown APIs and bad parameters stop in minibase)", len(calls))
	}
	jsonIs(t, "msgSecCheck's body", calls[0].Body, `{"content":"你好","version":2,"scene":2,"openid":"openid-1"}`)
	jsonIs(t, "getPhoneNumber's body", calls[1].Body, `{"code":"e31968a7f94cc5ee25fafc2aef2773f0bb8c3937b22520eb8ee345274d00c144"}`)
	if c := calls[2]; len(c.Files) != 1 || c.Files[0].Name != "media.png" || c.Files[0].ContentType != "image/png" {
		t.Errorf("imgSecCheck's upload: %+v", c.Files)
	}
}

// Without WeChat's credentials every call says which settings are
// missing; before init() it throws as wx-server-sdk does.
func TestOpenAPINotConfigured(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{})
	got := openapiSteps(t, rt, userCtx, "not configured", `[
		{"call":"wxacode.getUnlimited","args":{"scene":"a"}},
		{"call":"getOpenData","args":{"list":[{"encryptedData":"x","iv":"y"}]}}
	]`, `[{"error":true,"isError":true,"errCode":-604101},{"error":true,"errCode":-604101}]`)
	for _, g := range got {
		if msg, _ := g["errMsg"].(string); !strings.Contains(msg, "MINIBASE_WECHAT_APPID and MINIBASE_WECHAT_SECRET") {
			t.Errorf("errMsg %q does not name the settings", msg)
		}
	}
}

// WeChat says the token expired: the call is retried once with a new one,
// and the function sees only the success.
func TestOpenAPITokenRefresh(t *testing.T) {
	f := openapitest.NewFake(t, wxAppID, wxSecret)
	rt := wxRuntime(t, f, "", Options{})
	openapiSteps(t, rt, userCtx, "first", `[{"call":"security.msgSecCheck","args":{"content":"a"}}]`, `[{"errCode":0}]`)
	f.Invalidate()
	openapiSteps(t, rt, userCtx, "after the token was invalidated", `[{"call":"security.msgSecCheck","args":{"content":"a"}}]`,
		`[{"errCode":0,"errMsg":"openapi.security.msgSecCheck:ok"}]`)
	reqs := f.TokenRequests()
	if len(reqs) != 2 || !reqs[1].ForceRefresh {
		t.Errorf("token requests %+v, want the first and one forced refresh", reqs)
	}
	if n := len(f.Calls()); n != 3 {
		t.Errorf("WeChat got %d calls, want 3 (one refused with 40001, retried)", n)
	}
}

// Invocations at once on an empty store ask WeChat for one token; a new
// runtime on the same database (a restart) asks for none.
func TestOpenAPITokenSharedAndKept(t *testing.T) {
	f := openapitest.NewFake(t, wxAppID, wxSecret)
	path := filepath.Join(t.TempDir(), "data.db")
	rt := wxRuntime(t, f, path, Options{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() { // t.Error only: FailNow (openapiSteps' Fatal) belongs to the test's goroutine
			defer wg.Done()
			res, err := rt.Invoke(userCtx, "openapi", []byte(`{"steps":[{"call":"security.msgSecCheck","args":{"content":"a"}}]}`), Invocation{})
			if err != nil {
				t.Errorf("concurrent call: %v", err)
			} else if !strings.Contains(string(res.Value), `"errCode":0`) {
				t.Errorf("concurrent call: %s, want errCode 0", res.Value)
			}
		}()
	}
	wg.Wait()
	if n := len(f.TokenRequests()); n != 1 {
		t.Errorf("%d token requests for 8 invocations at once, want 1", n)
	}
	rt2 := wxRuntime(t, f, path, Options{})
	openapiSteps(t, rt2, userCtx, "after a restart", `[{"call":"security.msgSecCheck","args":{"content":"a"}}]`, `[{"errCode":0}]`)
	if n := len(f.TokenRequests()); n != 1 {
		t.Errorf("%d token requests after a restart on the same database, want 1", n)
	}
}

// getOpenData decrypts {encryptedData, iv} with the caller's session key;
// cloudIDs, callers without a WeChat sign-in and data for another key are
// refused with the reason.
func TestGetOpenData(t *testing.T) {
	f := openapitest.NewFake(t, wxAppID, wxSecret)
	d, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "users.db"), sqlite.Options{Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	key, iv := "c2Vzc2lvbi1rZXktMTIzNA==", "aW5pdGlhbC12ZWN0b3IxMg=="
	for _, u := range []*auth.UserAccount{
		{UID: "u1", OpenID: "openid-1", LoginType: "WECHAT", SessionKey: key},
		{UID: "u2", OpenID: "openid-2", LoginType: auth.LoginAnonymous},
	} {
		if err := d.Users().CreateUser(context.Background(), u); err != nil {
			t.Fatal(err)
		}
	}
	rt := wxRuntime(t, f, "", Options{Accounts: d.Users()})
	steps := `{"stepInfoList":[{"timestamp":1445866601,"step":8000}],"watermark":{"timestamp":1477314187,"appid":"` + wxAppID + `"}}`
	enc := openapitest.EncryptOpenData(key, iv, []byte(steps))
	other := openapitest.EncryptOpenData("b3RoZXIta2V5LTEyMzQ1Ng==", iv, []byte(steps))
	openapiSteps(t, rt, userCtx, "the caller's data", `[
		{"call":"getOpenData","args":{"list":[{"encryptedData":"`+enc+`","iv":"`+iv+`"}]}},
		{"call":"getOpenData","args":{"list":["cloudid-from-wx.getWeRunData"]}},
		{"call":"getOpenData","args":{"list":[{"encryptedData":"`+other+`","iv":"`+iv+`"}]}},
		{"call":"getOpenData","args":{"list":[]}}
	]`, `[
		{"errCode":0,"errMsg":"getOpenData:ok","list":[{"data":`+steps+`}]},
		{"error":true,"isError":true,"errCode":-601005},
		{"error":true,"errCode":-501007},
		{"error":true,"errCode":-501007}
	]`)
	got := openapiSteps(t, rt, user2Ctx, "a caller without WeChat", `[{"call":"getOpenData","args":{"list":[{"encryptedData":"`+enc+`","iv":"`+iv+`"}]}}]`,
		`[{"error":true,"errCode":-501008}]`)
	if msg := got[0]["errMsg"].(string); !strings.Contains(msg, "did not sign in with WeChat") {
		t.Errorf("errMsg %q", msg)
	}
	openapiSteps(t, rt, adminCtx, "an admin", `[{"call":"getOpenData","args":{"list":[{"encryptedData":"`+enc+`","iv":"`+iv+`"}]}}]`,
		`[{"error":true,"errCode":-501008}]`)
	if n := len(f.Calls()) + len(f.TokenRequests()); n != 0 {
		t.Errorf("getOpenData reached WeChat %d times, want none", n)
	}
}
