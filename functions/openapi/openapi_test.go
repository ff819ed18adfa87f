//go:build !minibase_fuzz

package openapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"minibase/db/sqlite"
	"minibase/functions/openapi"
	"minibase/functions/openapi/openapitest"
)

const (
	appID  = "wx0123456789abcdef"
	secret = "s3cr3t-0123456789abcdef0123456789"
)

func newClient(t *testing.T, f *openapitest.Fake, store openapi.TokenStore) *openapi.Client {
	t.Helper()
	return openapi.New(openapi.Config{AppID: appID, Secret: secret, BaseURL: f.URL + "/", Store: store,
		OnError: func(err error) { t.Errorf("OnError: %v", err) }})
}

// openStore opens the SQLite store at path (a fresh file when path is "").
func openStore(t *testing.T, path string) openapi.TokenStore {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "data.db")
	}
	d, err := sqlite.Open(context.Background(), path, sqlite.Options{Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d.AppTokens()
}

func call(t *testing.T, c *openapi.Client, api, params string, files ...openapi.File) *openapi.Answer {
	t.Helper()
	ans, err := c.Call(context.Background(), api, openapi.Request{Params: []byte(params), Files: files})
	if err != nil {
		t.Fatalf("%s: %v", api, err)
	}
	return ans
}

func jsonEqual(t *testing.T, what string, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s: %q is not JSON: %v", what, got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s = %s, want %s", what, got, want)
	}
}

// Each kind of API reaches its WeChat endpoint as WeChat documents it: the
// path, the current token, the JSON body, the URL's parameters, the
// multipart upload; and answers come back as JSON or as the file.
func TestCallShapes(t *testing.T) {
	f := openapitest.NewFake(t, appID, secret)
	f.Handle("/cgi-bin/message/subscribe/send", openapitest.JSON(`{"errcode":0,"errmsg":"ok","msgid":3099183212345679873}`))
	f.Handle("/wxaapi/newtmpl/getpubtemplatetitles", openapitest.JSON(`{"errcode":0,"errmsg":"ok","count":1,"data":[{"tid":99,"title":"签到提醒","type":2,"categoryId":"616"}]}`))
	f.Handle("/wxa/img_sec_check", openapitest.JSON(`{"errcode":0,"errmsg":"ok"}`))
	f.Handle("/cgi-bin/media/get", func(openapitest.Call) (int, string, []byte) { return 200, "image/jpeg", []byte("JPEG bytes") })
	c := newClient(t, f, nil)

	send := call(t, c, "subscribeMessage.send", `{"touser":"o-user","template_id":"T1","page":"pages/index/index",
		"data":{"thing1":{"value":"活动"},"time2":{"value":"2026-01-01 10:00"}},"miniprogram_state":"formal"}`)
	jsonEqual(t, "subscribeMessage.send's answer", send.JSON, `{"errcode":0,"errmsg":"ok","msgid":"3099183212345679873"}`)

	code := call(t, c, "wxacode.getUnlimited", `{"scene":"a=1","page":"pages/index/index","width":280,"line_color":{"r":1,"g":2,"b":3}}`)
	if code.JSON != nil || code.ContentType != "image/png" || !bytes.Equal(code.Body, openapitest.PNG) {
		t.Errorf("wxacode.getUnlimited = %q %q %q, want the PNG", code.JSON, code.ContentType, code.Body)
	}
	titles := call(t, c, "subscribeMessage.getPubTemplateTitleList", `{"ids":"2,616","start":0,"limit":30}`)
	jsonEqual(t, "getPubTemplateTitleList's answer", titles.JSON, `{"errcode":0,"errmsg":"ok","count":1,"data":[{"tid":99,"title":"签到提醒","type":2,"categoryId":"616"}]}`)
	call(t, c, "subscribeMessage.addTemplate", `{"tid":"401","kid_list":[1,2],"scene_desc":"测试"}`)
	call(t, c, "security.imgSecCheck", `{}`, openapi.File{Field: "media", ContentType: "image/png", Data: openapitest.PNG})
	call(t, c, "ocr.idcard", `{"type":"photo","img_url":"https://example.com/id card.jpg"}`)
	media := call(t, c, "customerServiceMessage.getTempMedia", `{"media_id":"M1"}`)
	if media.ContentType != "image/jpeg" || string(media.Body) != "JPEG bytes" {
		t.Errorf("getTempMedia = %q %q", media.ContentType, media.Body)
	}

	calls := f.Calls()
	if len(calls) != 7 {
		t.Fatalf("WeChat got %d calls, want 7", len(calls))
	}
	for _, c := range calls {
		if c.Token != f.Current() {
			t.Errorf("%s %s: access_token %q, want the current one", c.Method, c.Path, c.Token)
		}
	}
	want := []struct {
		method, path, contentType string
		query                     url.Values
		body                      string
	}{
		{"POST", "/cgi-bin/message/subscribe/send", "application/json", url.Values{}, `{"touser":"o-user","template_id":"T1","page":"pages/index/index",
			"data":{"thing1":{"value":"活动"},"time2":{"value":"2026-01-01 10:00"}},"miniprogram_state":"formal"}`},
		{"POST", "/wxa/getwxacodeunlimit", "application/json", url.Values{}, `{"scene":"a=1","page":"pages/index/index","width":280,"line_color":{"r":1,"g":2,"b":3}}`},
		{"GET", "/wxaapi/newtmpl/getpubtemplatetitles", "", url.Values{"ids": {"2,616"}, "start": {"0"}, "limit": {"30"}}, ""},
		{"POST", "/wxaapi/newtmpl/addtemplate", "application/json", url.Values{}, `{"tid":"401","kidList":[1,2],"sceneDesc":"测试"}`},
		{"POST", "/wxa/img_sec_check", "multipart/form-data", url.Values{}, ""},
		{"POST", "/cv/ocr/idcard", "", url.Values{"type": {"photo"}, "img_url": {"https://example.com/id card.jpg"}}, ""},
		{"GET", "/cgi-bin/media/get", "", url.Values{"media_id": {"M1"}}, ""},
	}
	for i, w := range want {
		got := calls[i]
		if got.Method != w.method || got.Path != w.path || !strings.HasPrefix(got.ContentType, w.contentType) || !reflect.DeepEqual(got.Query, w.query) {
			t.Errorf("call %d = %s %s ?%v (%s), want %s %s ?%v (%s)", i, got.Method, got.Path, got.Query, got.ContentType, w.method, w.path, w.query, w.contentType)
		}
		if w.body != "" {
			jsonEqual(t, w.path+"'s body", got.Body, w.body)
		} else if w.method == "POST" && w.contentType == "" && len(got.Body) > 0 {
			t.Errorf("%s: body %q, want none (the picture is by URL)", w.path, got.Body)
		}
	}
	if files := calls[4].Files; len(files) != 1 || files[0].Field != "media" || files[0].Name != "media.png" ||
		files[0].ContentType != "image/png" || !bytes.Equal(files[0].Data, openapitest.PNG) {
		t.Errorf("imgSecCheck's upload = %+v, want media.png", files)
	}
}

// The token is fetched once from stable_token with the app's credentials,
// kept, and fetched again only when it is due.
func TestTokenKeptUntilDue(t *testing.T) {
	f := openapitest.NewFake(t, appID, secret)
	now := time.UnixMilli(1_800_000_000_000)
	c := openapi.New(openapi.Config{AppID: appID, Secret: secret, BaseURL: f.URL, Now: func() time.Time { return now }})
	for range 3 {
		call(t, c, "security.msgSecCheck", `{"content":"hi","version":2,"scene":1,"openid":"o"}`)
	}
	reqs := f.TokenRequests()
	if want := []openapitest.TokenRequest{{GrantType: "client_credential", AppID: appID, Secret: secret}}; !reflect.DeepEqual(reqs, want) {
		t.Fatalf("token requests %+v, want %+v", reqs, want)
	}
	now = now.Add(2*time.Hour - 5*time.Minute - time.Millisecond) // WeChat's 7200 s, less the margin
	call(t, c, "security.msgSecCheck", `{"content":"hi"}`)
	if n := len(f.TokenRequests()); n != 1 {
		t.Errorf("%d token requests before the margin, want 1", n)
	}
	now = now.Add(time.Millisecond)
	call(t, c, "security.msgSecCheck", `{"content":"hi"}`)
	if reqs := f.TokenRequests(); len(reqs) != 2 || reqs[1].ForceRefresh {
		t.Errorf("token requests %+v, want a second one without force_refresh once the first is due", reqs)
	}

	// A short life (WeChat answers the remaining time near its end) is
	// used for half of it.
	f.ExpiresIn(120)
	now = now.Add(2 * time.Hour)
	call(t, c, "security.msgSecCheck", `{"content":"hi"}`)
	now = now.Add(59 * time.Second)
	call(t, c, "security.msgSecCheck", `{"content":"hi"}`)
	if n := len(f.TokenRequests()); n != 3 {
		t.Errorf("%d token requests, want 3", n)
	}
	now = now.Add(time.Second)
	call(t, c, "security.msgSecCheck", `{"content":"hi"}`)
	if n := len(f.TokenRequests()); n != 4 {
		t.Errorf("%d token requests, want 4", n)
	}
}

// WeChat says the token is invalid (40001): the Client forces a new one
// once and retries; the answer is the retry's.
func TestTokenRefreshedOnInvalid(t *testing.T) {
	f := openapitest.NewFake(t, appID, secret)
	f.Handle("/wxa/generate_urllink", openapitest.JSON(`{"errcode":0,"errmsg":"ok","url_link":"https://wxaurl.cn/abc"}`))
	c := newClient(t, f, openStore(t, ""))
	call(t, c, "urllink.generate", `{"path":"pages/a"}`)
	old := f.Current()
	f.Invalidate()
	ans := call(t, c, "urllink.generate", `{"path":"pages/a"}`)
	jsonEqual(t, "the retried answer", ans.JSON, `{"errcode":0,"errmsg":"ok","url_link":"https://wxaurl.cn/abc"}`)
	reqs := f.TokenRequests()
	if len(reqs) != 2 || reqs[0].ForceRefresh || !reqs[1].ForceRefresh {
		t.Fatalf("token requests %+v, want a first and a forced one", reqs)
	}
	calls := f.Calls()
	if len(calls) != 3 || calls[1].Token != old || calls[2].Token == old || calls[2].Token != f.Current() {
		t.Errorf("calls used tokens %q, want the old one, then the new one once", tokensOf(calls))
	}
	// Another client's forced refresh: the new token is taken without
	// forcing again.
	f.Rotate()
	call(t, c, "urllink.generate", `{"path":"pages/a"}`)
	if reqs := f.TokenRequests(); len(reqs) != 3 || reqs[2].ForceRefresh {
		t.Errorf("token requests %+v, want a third without force_refresh", reqs)
	}
}

func tokensOf(calls []openapitest.Call) []string {
	var out []string
	for _, c := range calls {
		out = append(out, c.Token[:min(len(c.Token), 8)])
	}
	return out
}

// A token that stays invalid after the refresh: WeChat's error comes back
// after one retry, not a loop; forced refreshes are kept to one per 30 s.
func TestTokenStillInvalid(t *testing.T) {
	f := openapitest.NewFake(t, appID, secret)
	f.Handle("/wxa/msg_sec_check", func(openapitest.Call) (int, string, []byte) {
		return 200, "application/json", []byte(`{"errcode":42001,"errmsg":"access_token expired rid: x"}`)
	})
	c := newClient(t, f, nil)
	for i := range 2 {
		_, err := c.Call(context.Background(), "security.msgSecCheck", openapi.Request{Params: []byte(`{"content":"x"}`)})
		var ae *openapi.APIError
		if !errors.As(err, &ae) || ae.Code != 42001 || ae.Msg != "access_token expired rid: x" || ae.Token {
			t.Fatalf("call %d: err = %v, want WeChat's 42001", i, err)
		}
	}
	// The first Call retried with a forced token; the second could not
	// force again so soon, got the same token back, and did not retry.
	if n := len(f.Calls()); n != 3 {
		t.Errorf("WeChat got %d calls, want 3", n)
	}
	reqs := f.TokenRequests()
	if len(reqs) != 3 || !reqs[1].ForceRefresh || reqs[2].ForceRefresh {
		t.Errorf("token requests %+v, want the first, one forced, one not forced (within 30 s of the forced one)", reqs)
	}
}

// Many calls at once when there is no token: one stable_token request.
func TestTokenSingleFlight(t *testing.T) {
	f := openapitest.NewFake(t, appID, secret)
	held, release := f.Hold()
	c := newClient(t, f, openStore(t, ""))
	const n = 20
	errs := make(chan error, n)
	for range n {
		go func() {
			_, err := c.Call(context.Background(), "security.msgSecCheck", openapi.Request{Params: []byte(`{"content":"x"}`)})
			errs <- err
		}()
	}
	wait(t, "the token request", held)
	// The other calls wait for that one's token, or find it when they come.
	release()
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if reqs := f.TokenRequests(); len(reqs) != 1 {
		t.Errorf("%d token requests for %d concurrent calls, want 1", len(reqs), n)
	}
	if calls := f.Calls(); len(calls) != n {
		t.Errorf("WeChat got %d calls, want %d", len(calls), n)
	}
}

// Two nodes on one database: while one fetches under the lease, the other
// waits for its token instead of fetching too.
func TestTokenLeaseAcrossNodes(t *testing.T) {
	f := openapitest.NewFake(t, appID, secret)
	path := filepath.Join(t.TempDir(), "data.db")
	refused := make(chan struct{}, 100)
	a := newClient(t, f, openStore(t, path))
	b := newClient(t, f, leaseWatch{openStore(t, path), refused})
	held, release := f.Hold()
	done := make(chan error, 2)
	go func() {
		_, err := a.Call(context.Background(), "security.msgSecCheck", openapi.Request{})
		done <- err
	}()
	wait(t, "a's token request", held) // a holds the lease; its fetch waits
	go func() {
		_, err := b.Call(context.Background(), "security.msgSecCheck", openapi.Request{})
		done <- err
	}()
	wait(t, "b's refused lease", refused) // b asked for the lease and was told to wait
	release()
	for range 2 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
	if reqs := f.TokenRequests(); len(reqs) != 1 {
		t.Errorf("%d token requests from two nodes, want 1", len(reqs))
	}
}

// leaseWatch is a TokenStore that signals each lease it was refused.
type leaseWatch struct {
	openapi.TokenStore
	refused chan<- struct{}
}

func (w leaseWatch) LeaseToken(ctx context.Context, app, holder string, now, until time.Time) (bool, error) {
	ok, err := w.TokenStore.LeaseToken(ctx, app, holder, now, until)
	if !ok && err == nil {
		select {
		case w.refused <- struct{}{}:
		default:
		}
	}
	return ok, err
}

// The token is in the database: a new Client on it (a restart, another
// node) uses it without asking WeChat.
func TestTokenSurvivesRestart(t *testing.T) {
	f := openapitest.NewFake(t, appID, secret)
	path := filepath.Join(t.TempDir(), "data.db")
	call(t, newClient(t, f, openStore(t, path)), "security.msgSecCheck", `{}`)
	call(t, newClient(t, f, openStore(t, path)), "security.msgSecCheck", `{}`)
	if reqs := f.TokenRequests(); len(reqs) != 1 {
		t.Errorf("%d token requests across a restart, want 1", len(reqs))
	}
}

// wait waits for an event on ch, failing the test after a minute (only a
// broken Client takes that long, whatever the machine's load).
func wait[T any](t *testing.T, what string, ch <-chan T) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(time.Minute):
		t.Fatalf("no %s within a minute", what)
	}
}

// Failures: WeChat's errcode passes through; a wrong secret is a token
// error that does not show the secret; bad input and missing
// configuration fail before anything is sent.
func TestCallErrors(t *testing.T) {
	f := openapitest.NewFake(t, appID, secret)
	f.Handle("/cgi-bin/message/subscribe/send", openapitest.JSON(`{"errcode":43101,"errmsg":"user refuse to accept the msg rid: 1"}`))
	f.Handle("/wxa/getwxacode", openapitest.JSON(`{"errcode":41030,"errmsg":"invalid page rid: 2"}`))
	f.Handle("/wxa/generatescheme", func(openapitest.Call) (int, string, []byte) { return 502, "text/html", []byte("<h1>Bad Gateway</h1>") })
	f.Handle("/wxa/queryscheme", func(openapitest.Call) (int, string, []byte) { return 200, "text/plain", []byte("not JSON \xff") })
	c := newClient(t, f, nil)
	ctx := context.Background()
	var ae *openapi.APIError
	if _, err := c.Call(ctx, "subscribeMessage.send", openapi.Request{Params: []byte(`{"touser":"o"}`)}); !errors.As(err, &ae) || ae.Code != 43101 || ae.Msg != "user refuse to accept the msg rid: 1" {
		t.Errorf("subscribeMessage.send: %v, want WeChat's 43101", err)
	}
	if _, err := c.Call(ctx, "wxacode.get", openapi.Request{Params: []byte(`{"path":"nope"}`)}); !errors.As(err, &ae) || ae.Code != 41030 {
		t.Errorf("wxacode.get answered with JSON: %v, want WeChat's 41030", err)
	}
	if _, err := c.Call(ctx, "urlscheme.generate", openapi.Request{}); err == nil || !strings.Contains(err.Error(), "HTTP 502") || errors.As(err, &ae) {
		t.Errorf("an HTML error page: %v, want an error naming HTTP 502", err)
	}
	// Text that is not JSON, as text/plain: wx-server-sdk's {result: text}.
	jsonEqual(t, "a text/plain answer", call(t, c, "urlscheme.query", `{}`).JSON, `{"result":"not JSON \ufffd"}`)

	before := len(f.Calls()) + len(f.TokenRequests())
	for _, tc := range []struct {
		name string
		c    *openapi.Client
		api  string
		req  openapi.Request
		want error
	}{
		{"unknown API", c, "wxacode.nope", openapi.Request{}, openapi.ErrUnknownAPI},
		{"no secret", openapi.New(openapi.Config{AppID: appID, BaseURL: f.URL}), "wxacode.get", openapi.Request{}, openapi.ErrNotConfigured},
		{"no appid", openapi.New(openapi.Config{Secret: secret, BaseURL: f.URL}), "wxacode.get", openapi.Request{}, openapi.ErrNotConfigured},
		{"an array", c, "wxacode.get", openapi.Request{Params: []byte(`[1]`)}, openapi.ErrInvalidRequest},
		{"two objects", c, "wxacode.get", openapi.Request{Params: []byte(`{}{}`)}, openapi.ErrInvalidRequest},
		{"broken JSON", c, "wxacode.get", openapi.Request{Params: []byte(`{"a":`)}, openapi.ErrInvalidRequest},
		{"too large", c, "wxacode.get", openapi.Request{Params: []byte(`{"a":"` + strings.Repeat("x", openapi.MaxParams) + `"}`)}, openapi.ErrInvalidRequest},
		{"a file for an API without uploads", c, "wxacode.get", openapi.Request{Files: []openapi.File{{Field: "media"}}}, openapi.ErrInvalidRequest},
		{"files too large", c, "security.imgSecCheck", openapi.Request{Files: []openapi.File{{Field: "media", Data: make([]byte, openapi.MaxFiles+1)}}}, openapi.ErrInvalidRequest},
		{"a bad field name", c, "security.imgSecCheck", openapi.Request{Files: []openapi.File{{Field: "a\"b"}}}, openapi.ErrInvalidRequest},
	} {
		if _, err := tc.c.Call(ctx, tc.api, tc.req); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	if after := len(f.Calls()) + len(f.TokenRequests()); after != before {
		t.Errorf("refused calls reached WeChat (%d requests)", after-before)
	}

	wrong := openapi.New(openapi.Config{AppID: appID, Secret: "wrong-" + secret, BaseURL: f.URL})
	_, err := wrong.Call(ctx, "wxacode.get", openapi.Request{})
	if !errors.As(err, &ae) || ae.Code != 40125 || !ae.Token || strings.Contains(err.Error(), secret) {
		t.Errorf("a wrong secret: %v, want WeChat's 40125 on the token, without the secret", err)
	}
}

// The token turns invalid and WeChat refuses to give another (the secret
// was reset in its console): the call fails with that refusal, which says
// to check the settings, not with the 40001 that led to it.
func TestTokenRefreshRefused(t *testing.T) {
	f := openapitest.NewFake(t, appID, secret)
	c := newClient(t, f, nil)
	call(t, c, "security.msgSecCheck", `{}`)
	f.ResetSecret("new-" + secret)
	f.Invalidate()
	_, err := c.Call(context.Background(), "security.msgSecCheck", openapi.Request{})
	var ae *openapi.APIError
	if !errors.As(err, &ae) || ae.Code != 40125 || !ae.Token {
		t.Errorf("err = %v, want WeChat's 40125 refusing the access_token", err)
	}
}

// A WeChat that does not answer is abandoned at the caller's deadline;
// the error says so and shows neither token nor secret.
func TestCallDeadline(t *testing.T) {
	f := openapitest.NewFake(t, appID, secret)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	f.Handle("/wxa/msg_sec_check", func(c openapitest.Call) (int, string, []byte) {
		<-release
		return 200, "application/json", []byte(`{}`)
	})
	c := newClient(t, f, nil)
	call(t, c, "urllink.generate", `{}`) // the token first
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := c.Call(ctx, "security.msgSecCheck", openapi.Request{})
	if !errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), f.Current()) || strings.Contains(err.Error(), secret) {
		t.Errorf("err = %v, want the deadline, without the token", err)
	}
}

// A WeChat whose token answer cannot be used: a clear error.
func TestTokenAnswerUnusable(t *testing.T) {
	for _, body := range []string{`<html>`, `{"access_token":"","expires_in":7200}`, `{"access_token":"t","expires_in":0}`,
		`{"access_token":"` + strings.Repeat("t", 4096) + `","expires_in":7200}`} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(body)) }))
		c := openapi.New(openapi.Config{AppID: appID, Secret: secret, BaseURL: srv.URL})
		_, err := c.Call(context.Background(), "wxacode.get", openapi.Request{})
		if err == nil || !strings.Contains(err.Error(), "access_token") {
			t.Errorf("token answer %.40q: err = %v, want one about the access_token", body, err)
		}
		srv.Close()
	}
}

// The table: every API has a path and a method, and the required ones are
// there.
func TestAPITable(t *testing.T) {
	for _, name := range []string{"wxacode.getUnlimited", "wxacode.get", "wxacode.createQRCode", "subscribeMessage.send",
		"security.msgSecCheck", "security.imgSecCheck", "security.mediaCheckAsync", "urlscheme.generate", "urllink.generate",
		"phonenumber.getPhoneNumber", "customerServiceMessage.send", "uniformMessage.send"} {
		if _, ok := openapi.Lookup(name); !ok {
			t.Errorf("%s is not in the table", name)
		}
	}
	for _, name := range openapi.APIs() {
		a, _ := openapi.Lookup(name)
		if !strings.HasPrefix(a.Path, "/") || (a.Method != http.MethodGet && a.Method != http.MethodPost) || a.Upload && a.Method != http.MethodPost {
			t.Errorf("%s: %+v", name, a)
		}
	}
}

// The Client's own memory store behaves as the shared ones do.
func TestMemStoreConformance(t *testing.T) {
	openapitest.Run(t, func(t *testing.T) openapi.TokenStore { return openapi.NewMemStore() })
}

// Open data (WeRun steps, share info) decrypts with the session key it
// was made with, for the mini-program it names; anything else is refused
// with the reason.
func TestDecryptOpenData(t *testing.T) {
	key, other, iv := "c2Vzc2lvbi1rZXktMTIzNA==", "b3RoZXIta2V5LTEyMzQ1Ng==", "aW5pdGlhbC12ZWN0b3IxMg=="
	steps := `{"stepInfoList":[{"timestamp":1445866601,"step":100}],"watermark":{"timestamp":1477314187,"appid":"` + appID + `"}}`
	enc := openapitest.EncryptOpenData(key, iv, []byte(steps))
	got, err := openapi.DecryptOpenData(key, enc, iv, appID)
	if err != nil || string(got) != steps {
		t.Fatalf("DecryptOpenData = %q, %v; want %s", got, err, steps)
	}
	notes := `{"watermark":{"appid":"wx-other"}}`
	for _, tc := range []struct {
		name                 string
		key, data, iv, appID string
		want                 error
	}{
		{"another session key", other, enc, iv, appID, openapi.ErrStaleSessionKey},
		{"another mini-program", key, openapitest.EncryptOpenData(key, iv, []byte(notes)), iv, appID, openapi.ErrOpenData},
		{"no watermark", key, openapitest.EncryptOpenData(key, iv, []byte(`{"a":1}`)), iv, appID, openapi.ErrOpenData},
		{"not JSON", key, openapitest.EncryptOpenData(key, iv, []byte(`hello`)), iv, appID, openapi.ErrStaleSessionKey},
		{"bad base64", key, "%%%", iv, appID, openapi.ErrOpenData},
		{"not whole blocks", key, enc[:len(enc)-4] + "AA==", iv, appID, openapi.ErrOpenData},
		{"a short iv", key, enc, "AAAA", appID, openapi.ErrOpenData},
		{"a short key", "AAAA", enc, iv, appID, openapi.ErrOpenData},
		{"too large", key, strings.Repeat("A", openapi.MaxOpenData+4), iv, appID, openapi.ErrOpenData},
	} {
		if got, err := openapi.DecryptOpenData(tc.key, tc.data, tc.iv, tc.appID); !errors.Is(err, tc.want) || got != nil {
			t.Errorf("%s: %q, %v; want %v", tc.name, got, err, tc.want)
		}
	}
}
