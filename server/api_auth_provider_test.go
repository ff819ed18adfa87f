package server

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"minibase/auth"

	"github.com/golang-jwt/jwt/v5"
)

// fakeWeChat is jscode2session on 127.0.0.1: codes maps a js_code to its
// JSON answer.
func fakeWeChat(t *testing.T, codes map[string]string) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/sns/jscode2session" || r.URL.Query().Get("appid") != "wxapp" || r.URL.Query().Get("secret") != "wxsecret" {
			http.Error(w, "bad request", 400)
			return
		}
		ans, ok := codes[r.URL.Query().Get("js_code")]
		if !ok {
			ans = `{"errcode":40029,"errmsg":"invalid code"}`
		}
		io.WriteString(w, ans)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestWeChatLogin(t *testing.T) {
	base := fakeWeChat(t, map[string]string{
		"c1":   `{"openid":"oWX_alice","session_key":"SESSION-KEY-1","unionid":"uALICE"}`,
		"c2":   `{"openid":"oWX_alice","session_key":"SESSION-KEY-2"}`,
		"c3":   `{"openid":"oWX_bob","session_key":"SESSION-KEY-3"}`,
		"busy": `{"errcode":-1,"errmsg":"system error"}`,
	})
	m, _ := newAuthMain(t, func(c *Config) {
		c.Auth.Providers.WeChat.AppID, c.Auth.Providers.WeChat.Secret, c.Auth.Providers.WeChat.BaseURL = "wxapp", "wxsecret", base
	})
	expect(t, "create notes", m.do(t, "POST", "/v1/admin/collections", testKey, `{"name":"notes"}`), 200, "")
	first := m.signIn(t, "/v1/auth/wechat", "", `{"code":"c1"}`)
	expect(t, "first", first, 200, `{"user":{"openid":"oWX_alice","unionid":"uALICE","loginType":"WECHAT"}}`)
	again := m.signIn(t, "/v1/auth/wechat", "", `{"code":"c2"}`)
	if again.str("user.uid") != first.str("user.uid") || again.str("user.unionid") != "uALICE" {
		t.Errorf("the same openid must be the same user, unionid kept: %s vs %s", again.raw, first.raw)
	}
	for _, a := range []answer{first, again} {
		if strings.Contains(a.raw, "SESSION-KEY") || strings.Contains(a.raw, "session") {
			t.Errorf("the session key reached the client: %s", a.raw)
		}
	}
	u, err := m.store.Users().UserBy(context.Background(), auth.KeyOpenID, "oWX_alice")
	if err != nil || u.SessionKey != "SESSION-KEY-2" {
		t.Errorf("the newest session key is kept on the server: %+v %v", u, err)
	}
	bob := m.signIn(t, "/v1/auth/wechat", "", `{"code":"c3"}`)
	if bob.str("user.uid") == first.str("user.uid") {
		t.Error("another openid is another user")
	}
	ins := m.do(t, "POST", "/v1/db/notes/insert", first.str("access_token"), `{"data":{"_id":"w1"}}`)
	expect(t, "insert", ins, 200, "")
	expect(t, "documents carry the WeChat openid", m.do(t, "GET", "/v1/db/notes/docs/w1", testKey, ""), 200, `{"data":{"_openid":"oWX_alice"}}`)

	expect(t, "rejected code", m.do(t, "POST", "/v1/auth/wechat", "", `{"code":"used"}`), 401, `{"code":"INVALID_CREDENTIALS"}`)
	expect(t, "WeChat failing", m.do(t, "POST", "/v1/auth/wechat", "", `{"code":"busy"}`), 502, `{"code":"LOGIN_PROVIDER_FAILED"}`)
	expect(t, "no code", m.do(t, "POST", "/v1/auth/wechat", "", `{}`), 400, `{"code":"INVALID_PARAM"}`)
	expect(t, "douyin not configured", m.do(t, "POST", "/v1/auth/douyin", "", `{"code":"c1"}`), 501,
		`{"code":"RESOURCE_NOT_INITIAL","errCode":-501009}`)
	expect(t, "disable alice", m.do(t, "PATCH", "/v1/admin/users/"+first.str("user.uid"), testKey, `{"disabled":true}`), 200, "")
	expect(t, "a disabled WeChat user", m.do(t, "POST", "/v1/auth/wechat", "", `{"code":"c1"}`), 401, `{"code":"INVALID_CREDENTIALS"}`)
}

func TestWeChatNotConfigured(t *testing.T) {
	m, _ := newAuthMain(t, nil)
	expect(t, "wechat", m.do(t, "POST", "/v1/auth/wechat", "", `{"code":"c1"}`), 501, `{"code":"RESOURCE_NOT_INITIAL"}`)
	expect(t, "otp", m.do(t, "POST", "/v1/auth/otp/send", "", `{"email":"a@example.com"}`), 501, `{"code":"RESOURCE_NOT_INITIAL"}`)
}

// smsGateway is an SMS webhook on 127.0.0.1 that remembers the last code
// per phone number.
type smsGateway struct {
	mu     sync.Mutex
	codes  map[string]string
	signed bool // the last request carried X-Minibase-Signature
}

func (g *smsGateway) last(phone string) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.codes[phone]
}

func newSMSGateway(t *testing.T) (*smsGateway, string) {
	g := &smsGateway{codes: map[string]string{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m struct{ Channel, To, Code string }
		json.NewDecoder(r.Body).Decode(&m)
		if m.Channel != "sms" {
			http.Error(w, "bad", 400)
			return
		}
		g.mu.Lock()
		g.codes[m.To], g.signed = m.Code, r.Header.Get("X-Minibase-Signature") != ""
		g.mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	return g, srv.URL
}

func TestPhoneCodes(t *testing.T) {
	g, url := newSMSGateway(t)
	m, clk := newAuthMain(t, func(c *Config) {
		c.Auth.Providers.SMS.URL, c.Auth.Providers.SMS.Secret = url, "hook secret"
		c.Auth.Limits = auth.Limits{} // many codes to one phone
	})
	const phone = "+8613800138000"
	send := func() {
		t.Helper()
		expect(t, "send", m.do(t, "POST", "/v1/auth/otp/send", "", `{"phone":"+86 138 0013 8000"}`), 200, `{"ok":true,"expires_in":300}`)
	}
	verify := func(code string) answer {
		return m.do(t, "POST", "/v1/auth/otp/verify", "", `{"phone":"`+phone+`","code":"`+code+`"}`)
	}
	send()
	code := g.last(phone)
	if len(code) != 6 || !g.signed {
		t.Fatalf("the gateway got code %q, signed %v", code, g.signed)
	}
	ok := verify(code)
	expect(t, "verify creates the account", ok, 200, `{"user":{"phone":"`+phone+`","loginType":"PHONE","phoneVerified":true}}`)
	failed := verify(code)
	expect(t, "a code works once", failed, 401, `{"code":"INVALID_CREDENTIALS"}`)

	send()
	code = g.last(phone)
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	for range 5 {
		if a := verify(wrong); a.raw != failed.raw {
			t.Fatalf("wrong code: %s, want the one failure answer %s", a.raw, failed.raw)
		}
	}
	if a := verify(code); a.raw != failed.raw {
		t.Errorf("after 5 wrong guesses the code is void: %s", a.raw)
	}
	send()
	clk.Add(5 * time.Minute)
	if a := verify(g.last(phone)); a.raw != failed.raw {
		t.Errorf("an expired code: %s, want %s", a.raw, failed.raw)
	}
	send()
	again := m.signIn(t, "/v1/auth/otp/verify", "", `{"phone":"`+phone+`","code":"`+g.last(phone)+`"}`)
	if again.str("user.uid") != ok.str("user.uid") {
		t.Errorf("a second code signs in the same user: %s", again.raw)
	}
	for _, bad := range []string{`{"username":"bob"}`, `{}`, `{"phone":"12"}`} {
		expect(t, "send "+bad, m.do(t, "POST", "/v1/auth/otp/send", "", bad), 400, `{"code":"INVALID_PARAM"}`)
	}
	expect(t, "no email sender", m.do(t, "POST", "/v1/auth/otp/send", "", `{"email":"a@example.com"}`), 501, "")
}

// TestPhoneCodeTakesOverUnverifiedPassword: a password set at signup for a
// phone never proven is removed, and its sessions ended, when the owner of
// the phone signs in by code.
func TestPhoneCodeTakesOverUnverifiedPassword(t *testing.T) {
	g, url := newSMSGateway(t)
	m, _ := newAuthMain(t, func(c *Config) { c.Auth.Providers.SMS.URL = url })
	squatter := m.signIn(t, "/v1/auth/signup", "", `{"phone":"13900000000","password":"squatter pw"}`)
	expect(t, "send", m.do(t, "POST", "/v1/auth/otp/send", "", `{"phone":"13900000000"}`), 200, "")
	owner := m.signIn(t, "/v1/auth/otp/verify", "", `{"phone":"13900000000","code":"`+g.last("13900000000")+`"}`)
	expect(t, "owner", owner, 200, `{"user":{"phoneVerified":true,"hasPassword":false,"uid":"`+squatter.str("user.uid")+`"}}`)
	expect(t, "the squatter's password is gone", m.do(t, "POST", "/v1/auth/login", "", `{"phone":"13900000000","password":"squatter pw"}`), 401, "")
	expect(t, "and its session", m.do(t, "POST", "/v1/auth/refresh", "", refreshBody(squatter.str("refresh_token"))), 401, "")
}

func TestCodesWithoutSignup(t *testing.T) {
	g, url := newSMSGateway(t)
	m, _ := newAuthMain(t, func(c *Config) { c.Auth.Providers.SMS.URL, c.Auth.OTPSignup = url, false })
	unknown := m.do(t, "POST", "/v1/auth/otp/send", "", `{"phone":"13700000000"}`)
	m.signIn(t, "/v1/auth/signup", "", `{"phone":"13600000000","password":"password1"}`)
	known := m.do(t, "POST", "/v1/auth/otp/send", "", `{"phone":"13600000000"}`)
	if unknown.status != 200 || unknown.raw != known.raw {
		t.Errorf("send must not reveal whether the account exists: %s vs %s", unknown.raw, known.raw)
	}
	if g.last("13700000000") != "" || g.last("13600000000") == "" {
		t.Errorf("codes go to existing accounts only: %v", g.codes)
	}
	m.signIn(t, "/v1/auth/otp/verify", "", `{"phone":"13600000000","code":"`+g.last("13600000000")+`"}`)
}

// codeLog is a slog handler that keeps the codes the development sender logs.
type codeLog struct {
	mu    *sync.Mutex
	codes map[string]string
}

func (h codeLog) Enabled(context.Context, slog.Level) bool { return true }
func (h codeLog) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h codeLog) WithGroup(string) slog.Handler            { return h }
func (h codeLog) Handle(_ context.Context, r slog.Record) error {
	var to, code string
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "to":
			to = a.Value.String()
		case "code":
			code = a.Value.String()
		}
		return true
	})
	h.mu.Lock()
	h.codes[to] = code
	h.mu.Unlock()
	return nil
}

func TestEmailCodesToTheLog(t *testing.T) {
	h := codeLog{mu: &sync.Mutex{}, codes: map[string]string{}}
	m, _ := newAuthMainLog(t, func(c *Config) { c.Auth.Providers.OTPLog = true }, slog.New(h))
	expect(t, "send", m.do(t, "POST", "/v1/auth/otp/send", "", `{"email":"Olga@Example.com"}`), 200, `{"ok":true}`)
	h.mu.Lock()
	code := h.codes["olga@example.com"]
	h.mu.Unlock()
	a := m.signIn(t, "/v1/auth/otp/verify", "", `{"email":"olga@example.com","code":"`+code+`"}`)
	expect(t, "verify", a, 200, `{"user":{"email":"olga@example.com","loginType":"EMAIL","emailVerified":true}}`)
}

func TestTickets(t *testing.T) {
	m, _ := newAuthMain(t, nil)
	issue := func(uid string) string {
		t.Helper()
		a := m.do(t, "POST", "/v1/admin/auth/ticket", testKey, `{"uid":"`+uid+`"}`)
		expect(t, "issue", a, 200, "")
		return a.str("ticket")
	}
	tk := issue("cust_0001")
	if !strings.Contains(tk, "/@@/") {
		t.Fatalf("ticket %q: want private_key_id/@@/jwt", tk)
	}
	first := m.signIn(t, "/v1/auth/ticket", "", `{"ticket":"`+tk+`"}`)
	expect(t, "ticket", first, 200, `{"user":{"customUserId":"cust_0001","loginType":"CUSTOM"}}`)
	again := m.signIn(t, "/v1/auth/ticket", "", `{"ticket":"`+issue("cust_0001")+`"}`)
	if again.str("user.uid") != first.str("user.uid") {
		t.Errorf("the same customUserId is the same user: %s", again.raw)
	}
	anon := m.signIn(t, "/v1/auth/anonymous", "", `{}`)
	up := m.signIn(t, "/v1/auth/ticket", anon.str("access_token"), `{"ticket":"`+issue("cust_0002")+`"}`)
	expect(t, "an anonymous user is linked, keeping its uid", up, 200,
		`{"user":{"uid":"`+anon.str("user.uid")+`","customUserId":"cust_0002","loginType":"CUSTOM"}}`)

	key := m.do(t, "GET", "/v1/admin/auth/ticket-key", testKey, "")
	expect(t, "key download", key, 200, "")
	if !strings.Contains(key.header.Get("Content-Disposition"), "attachment") || key.str("private_key_id") == "" {
		t.Fatalf("key file: %s %v", key.raw, key.header)
	}
	// An app server signs a ticket with the downloaded key, as node-sdk's createTicket does.
	block, _ := pem.Decode([]byte(key.str("private_key")))
	priv, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		t.Fatalf("private_key: %v", err)
	}
	now := time.Now().UnixMilli()
	signed, _ := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{"alg": "RS256", "env": "minibase", "iat": now,
		"exp": now + 600_000, "uid": "cust_0003", "refresh": 3_600_000, "expire": now + 86_400_000}).SignedString(priv)
	m.signIn(t, "/v1/auth/ticket", "", `{"ticket":"`+key.str("private_key_id")+`/@@/`+signed+`"}`)
	other, _ := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{"alg": "RS256", "env": "other-env", "iat": now,
		"exp": now + 600_000, "uid": "cust_0003", "refresh": 3_600_000, "expire": now + 86_400_000}).SignedString(priv)
	expect(t, "a ticket for another environment", m.do(t, "POST", "/v1/auth/ticket", "",
		`{"ticket":"`+key.str("private_key_id")+`/@@/`+other+`"}`), 401, "")

	expect(t, "rotate", m.do(t, "POST", "/v1/admin/auth/ticket-key/rotate", testKey, ""), 200, `{"ok":true}`)
	if k2 := m.do(t, "GET", "/v1/admin/auth/ticket-key", testKey, ""); k2.str("private_key_id") == key.str("private_key_id") {
		t.Error("rotate must make a new key")
	}
	m.signIn(t, "/v1/auth/ticket", "", `{"ticket":"`+issue("cust_0001")+`"}`)
	for name, bad := range map[string]string{"tampered": tk[:len(tk)-4] + "AAAA", "not a ticket": "hello", "empty": ""} {
		want := 401
		if bad == "" {
			want = 400
		}
		expect(t, name, m.do(t, "POST", "/v1/auth/ticket", "", `{"ticket":"`+bad+`"}`), want, "")
	}
	expect(t, "bad custom uid", m.do(t, "POST", "/v1/admin/auth/ticket", testKey, `{"uid":"a b"}`), 400, `{"code":"INVALID_PARAM"}`)
	user := first.str("access_token")
	expect(t, "a user cannot download the key", m.do(t, "GET", "/v1/admin/auth/ticket-key", user, ""), 403, "")
	expect(t, "or rotate it", m.do(t, "POST", "/v1/admin/auth/ticket-key/rotate", user, ""), 403, "")
}
