package wechat

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	appID  = "wx0123456789abcdef"
	secret = "s3cr3t-0123456789abcdef0123456789"
)

// fake is a platform's code2session endpoint on 127.0.0.1: it answers with
// status, contentType and body, and records the requests it received.
type fake struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []received
}

type received struct {
	Method, Path, ContentType string
	Query                     url.Values
	Body                      map[string]string
}

func newFake(t *testing.T, status int, contentType, body string) *fake {
	f := &fake{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := received{Method: r.Method, Path: r.URL.Path, ContentType: r.Header.Get("Content-Type"), Query: r.URL.Query()}
		if b, _ := io.ReadAll(r.Body); len(b) > 0 {
			json.Unmarshal(b, &rec.Body)
		}
		f.mu.Lock()
		f.reqs = append(f.reqs, rec)
		f.mu.Unlock()
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fake) requests() []received {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]received(nil), f.reqs...)
}

// answer is one platform reply and what Exchange should make of it.
type answer struct {
	name        string
	status      int
	contentType string
	body        string
	want        Session
	wantErr     error // a sentinel, or nil
	wantCode    int   // with wantErr nil and an error expected: the UpstreamError code
	fail        bool
}

func TestWeChatExchange(t *testing.T) {
	tests := []answer{
		{name: "success with unionid", status: 200, contentType: "application/json",
			body: `{"openid":"oABC","session_key":"sk==","unionid":"uXYZ"}`,
			want: Session{OpenID: "oABC", UnionID: "uXYZ", SessionKey: "sk=="}},
		{name: "success without unionid, text/plain", status: 200, contentType: "text/plain",
			body: `{"session_key":"sk==","openid":"oABC"}`,
			want: Session{OpenID: "oABC", SessionKey: "sk=="}},
		{name: "invalid code", status: 200, contentType: "text/plain",
			body: `{"errcode":40029,"errmsg":"invalid code, rid: 1"}`, wantErr: ErrInvalidCode, fail: true},
		{name: "code already used", status: 200, contentType: "application/json",
			body: `{"errcode":40163,"errmsg":"code been used, rid: 2"}`, wantErr: ErrInvalidCode, fail: true},
		{name: "rate limited", status: 200, contentType: "application/json",
			body: `{"errcode":45011,"errmsg":"api minute-quota reach limit"}`, wantCode: 45011, fail: true},
		{name: "system busy", status: 200, contentType: "application/json",
			body: `{"errcode":-1,"errmsg":"system error"}`, wantCode: -1, fail: true},
		{name: "wrong secret, echoed", status: 200, contentType: "application/json",
			body: `{"errcode":40125,"errmsg":"invalid appsecret ` + secret + `"}`, wantCode: 40125, fail: true},
		{name: "HTML error page", status: 502, contentType: "text/html",
			body: `<html><body>Bad Gateway</body></html>`, wantCode: 0, fail: true},
		{name: "garbage", status: 200, contentType: "application/json", body: "\x00\xffnot json", fail: true},
		{name: "no openid", status: 200, contentType: "application/json", body: `{"session_key":"x"}`, fail: true},
		{name: "oversized", status: 200, contentType: "application/json",
			body: `{"openid":"oABC","session_key":"sk==","pad":"` + strings.Repeat("x", MaxBodySize) + `"}`, fail: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, tt.status, tt.contentType, tt.body)
			p := NewWeChat(Config{AppID: appID, Secret: secret, BaseURL: f.URL + "/"})
			got, err := p.Exchange(context.Background(), "081code")
			checkAnswer(t, tt, got, err)
			reqs := f.requests()
			if len(reqs) != 1 {
				t.Fatalf("fake got %d requests, want 1", len(reqs))
			}
			r := reqs[0]
			wantQuery := url.Values{"appid": {appID}, "secret": {secret}, "js_code": {"081code"}, "grant_type": {"authorization_code"}}
			if r.Method != http.MethodGet || r.Path != "/sns/jscode2session" || r.Query.Encode() != wantQuery.Encode() {
				t.Errorf("request = %s %s ?%s, want GET /sns/jscode2session ?%s", r.Method, r.Path, r.Query.Encode(), wantQuery.Encode())
			}
		})
	}
}

func TestDouyinExchange(t *testing.T) {
	tests := []answer{
		{name: "success with unionid", status: 200, contentType: "application/json",
			body: `{"err_no":0,"err_tips":"success","log_id":"L1","data":{"session_key":"sk==","openid":"dABC","anonymous_openid":"","unionid":"u-1"}}`,
			want: Session{OpenID: "dABC", UnionID: "u-1", SessionKey: "sk=="}},
		{name: "success without unionid", status: 200, contentType: "application/json",
			body: `{"err_no":0,"err_tips":"success","data":{"session_key":"sk==","openid":"dABC"}}`,
			want: Session{OpenID: "dABC", SessionKey: "sk=="}},
		{name: "invalid code", status: 200, contentType: "application/json",
			body: `{"err_no":40018,"err_tips":"bad code","data":{}}`, wantErr: ErrInvalidCode, fail: true},
		{name: "system error", status: 200, contentType: "application/json",
			body: `{"err_no":-1,"err_tips":"system error","data":{}}`, wantCode: -1, fail: true},
		{name: "wrong secret", status: 400, contentType: "application/json",
			body: `{"err_no":40017,"err_tips":"bad secret","data":{}}`, wantCode: 40017, fail: true},
		{name: "HTML error page", status: 503, contentType: "text/html", body: `<h1>503</h1>`, fail: true},
		{name: "JSON without err_no", status: 200, contentType: "application/json", body: `{"data":{"openid":"x"}}`, fail: true},
		{name: "oversized", status: 200, contentType: "application/json", body: strings.Repeat(" ", MaxBodySize+1), fail: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, tt.status, tt.contentType, tt.body)
			p := NewDouyin(Config{AppID: appID, Secret: secret, BaseURL: f.URL})
			got, err := p.Exchange(context.Background(), "tt-code_1")
			checkAnswer(t, tt, got, err)
			reqs := f.requests()
			if len(reqs) != 1 {
				t.Fatalf("fake got %d requests, want 1", len(reqs))
			}
			r := reqs[0]
			wantBody := map[string]string{"appid": appID, "secret": secret, "code": "tt-code_1", "anonymous_code": ""}
			if r.Method != http.MethodPost || r.Path != "/api/apps/v2/jscode2session" || r.ContentType != "application/json" {
				t.Errorf("request = %s %s (%s), want POST /api/apps/v2/jscode2session (application/json)", r.Method, r.Path, r.ContentType)
			}
			if len(r.Body) != len(wantBody) {
				t.Errorf("request body = %v, want %v", r.Body, wantBody)
			}
			for k, v := range wantBody {
				if r.Body[k] != v {
					t.Errorf("request body[%q] = %q, want %q", k, r.Body[k], v)
				}
			}
		})
	}
}

func checkAnswer(t *testing.T, tt answer, got Session, err error) {
	t.Helper()
	if !tt.fail {
		if err != nil || got != tt.want {
			t.Fatalf("Exchange = %+v, %v; want %+v", got, err, tt.want)
		}
		return
	}
	if err == nil {
		t.Fatalf("Exchange = %+v, want an error", got)
	}
	if got != (Session{}) {
		t.Errorf("failed Exchange returned %+v", got)
	}
	if strings.Contains(err.Error(), secret) {
		t.Errorf("error %q reveals the secret", err)
	}
	if tt.wantErr != nil {
		if !errors.Is(err, tt.wantErr) {
			t.Fatalf("err = %v, want %v", err, tt.wantErr)
		}
		return
	}
	var up *UpstreamError
	if !errors.As(err, &up) {
		t.Fatalf("err = %v, want an *UpstreamError", err)
	}
	if up.Code != tt.wantCode {
		t.Errorf("UpstreamError.Code = %d, want %d (%v)", up.Code, tt.wantCode, err)
	}
	if errors.Is(err, ErrInvalidCode) {
		t.Errorf("err = %v is also ErrInvalidCode", err)
	}
}

// TestExchangeRefuses: bad codes and missing configuration fail before any
// request reaches the platform.
func TestExchangeRefuses(t *testing.T) {
	f := newFake(t, 200, "application/json", `{"openid":"o","session_key":"k","err_no":0,"data":{"openid":"o"}}`)
	configured := Config{AppID: appID, Secret: secret, BaseURL: f.URL}
	tests := []struct {
		name string
		cfg  Config
		code string
		want error
	}{
		{"empty code", configured, "", ErrInvalidCode},
		{"long code", configured, strings.Repeat("a", MaxCodeLen+1), ErrInvalidCode},
		{"code with a newline", configured, "abc\ndef", ErrInvalidCode},
		{"code with a space", configured, "abc def", ErrInvalidCode},
		{"code with non-ASCII", configured, "代码", ErrInvalidCode},
		{"no secret", Config{AppID: appID, BaseURL: f.URL}, "081code", ErrNotConfigured},
		{"no appid", Config{Secret: secret, BaseURL: f.URL}, "081code", ErrNotConfigured},
	}
	for _, tt := range tests {
		for _, p := range []Provider{NewWeChat(tt.cfg), NewDouyin(tt.cfg)} {
			t.Run(p.Name()+"/"+tt.name, func(t *testing.T) {
				if got, err := p.Exchange(context.Background(), tt.code); !errors.Is(err, tt.want) {
					t.Errorf("Exchange = %+v, %v; want %v", got, err, tt.want)
				}
			})
		}
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("the platform received %d requests, want none", n)
	}
	longest := strings.Repeat("a", MaxCodeLen)
	if _, err := NewWeChat(configured).Exchange(context.Background(), longest); err != nil {
		t.Errorf("a %d-character code: %v", MaxCodeLen, err)
	}
}

// TestExchangeContext: a platform that does not answer is abandoned when the
// caller's context ends, and the error says so without revealing the secret.
func TestExchangeContext(t *testing.T) {
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(slow.Close)
	t.Cleanup(func() { close(release) })
	for _, p := range []Provider{
		NewWeChat(Config{AppID: appID, Secret: secret, BaseURL: slow.URL}),
		NewDouyin(Config{AppID: appID, Secret: secret, BaseURL: slow.URL}),
	} {
		t.Run(p.Name(), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			got, err := p.Exchange(ctx, "081code")
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Exchange = %+v, %v; want context.DeadlineExceeded", got, err)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error %q reveals the secret", err)
			}
		})
	}
}

// TestDefaultBaseURL: without BaseURL the providers talk to the platforms.
func TestDefaultBaseURL(t *testing.T) {
	if got := NewWeChat(Config{}).c.cfg.BaseURL; got != "https://api.weixin.qq.com" {
		t.Errorf("WeChat BaseURL = %q", got)
	}
	if got := NewDouyin(Config{}).c.cfg.BaseURL; got != "https://developer.toutiao.com" {
		t.Errorf("Douyin BaseURL = %q", got)
	}
	if c := NewWeChat(Config{}).c.cfg.Client; c == nil || c.Timeout != 10*time.Second {
		t.Errorf("default client = %+v, want a 10 s timeout", c)
	}
}
