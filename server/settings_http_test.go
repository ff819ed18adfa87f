package server_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"minibase/server/servertest"
)

var (
	asAdmin = servertest.Admin
	alice   = servertest.Anonymous("alice")
)

// patch is the admin's PATCH of body to the settings.
func patch(body string) servertest.Request {
	return servertest.Request{Method: "PATCH", URL: "/v1/admin/settings", Body: body, As: asAdmin}
}

// getSettings is the admin's GET of the settings.
var getSettings = servertest.Request{URL: "/v1/admin/settings", As: asAdmin}

// unchanged is an After checking that the settings are still the
// defaults: nothing of a refused change was saved.
var unchanged = servertest.Then(servertest.Scenario{Name: "nothing saved", URL: "/v1/admin/settings", As: asAdmin, Status: 200,
	Want: `{"settings":{"auth.anonymous":true,"auth.accessTokenMinutes":120,"admin.allowIPs":[],"app.publicURL":""},
		"sources":{"auth.anonymous":"default","auth.accessTokenMinutes":"default","admin.allowIPs":"default"}}`})

// anonymousSignIn is a visitor's anonymous sign-in.
var anonymousSignIn = servertest.Request{Method: "POST", URL: "/v1/auth/anonymous"}

// fakeWeChat is jscode2session on 127.0.0.1 for the mini-program
// wx0123456789abcdef with the given secret: any code signs in as
// oWX_<code>. calls counts the requests it answered.
func fakeWeChat(t *testing.T, secret string, calls *atomic.Int64) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		q := r.URL.Query()
		if r.URL.Path != "/sns/jscode2session" || q.Get("appid") != "wx0123456789abcdef" || q.Get("secret") != secret {
			io.WriteString(w, `{"errcode":40125,"errmsg":"invalid appsecret"}`)
			return
		}
		io.WriteString(w, `{"openid":"oWX_`+q.Get("js_code")+`","session_key":"k"}`)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestSettings: the console reads the settings (secrets masked, with
// where each comes from) and changes them; changes apply to the next
// request, without a restart.
func TestSettings(t *testing.T) {
	secretEnv := servertest.Options{Env: map[string]string{"MINIBASE_WECHAT_APPID": "wx0123456789abcdef",
		"MINIBASE_WECHAT_SECRET": "envsecret0123456789abcd", "MINIBASE_SMTP_ADDR": "smtp.example.com:587",
		"MINIBASE_SMTP_FROM": "App <noreply@example.com>", "MINIBASE_SMTP_PASSWORD": "short", "MINIBASE_ACCESS_TTL": "30m"}}
	servertest.Run(t, []servertest.Scenario{
		{Name: "GET masks secrets and names their sources", Options: secretEnv, URL: "/v1/admin/settings", As: asAdmin, Status: 200,
			Want: `{"settings":{"auth.wechat.appId":"wx0123456789abcdef","auth.wechat.appSecret":{"set":true,"last4":"abcd"},
				"auth.smtp.password":{"set":true},"auth.sms.webhookSecret":{"set":false},"auth.accessTokenMinutes":30,
				"auth.refreshTokenDays":30,"admin.sessionMinutes":60,"admin.refreshDays":7,"auth.rateLimit.signInPerMinute":30},
				"sources":{"auth.wechat.appSecret":"env","auth.accessTokenMinutes":"env","auth.anonymous":"default","admin.allowIPs":"default"}}`,
			Absent: []string{"envsecret", "short"}},
		{Name: "a visitor may not read them", URL: "/v1/admin/settings", Status: 403, Want: `{"code":"PERMISSION_DENIED"}`},
		{Name: "nor a user", URL: "/v1/admin/settings", As: alice, Status: 403, Want: `{"code":"PERMISSION_DENIED"}`},
		{Name: "nor change them", Method: "PATCH", URL: "/v1/admin/settings", Body: `{"auth.anonymous":false}`, As: alice,
			Status: 403, After: unchanged},
		{Name: "PATCH answers as GET, the value saved", Method: "PATCH", URL: "/v1/admin/settings", As: asAdmin,
			Body:   `{"auth.anonymous":false,"admin":{"sessionMinutes":30},"app.publicURL":"https://api.example.com"}`,
			Status: 200, Want: `{"settings":{"auth.anonymous":false,"admin.sessionMinutes":30,"app.publicURL":"https://api.example.com"},
				"sources":{"auth.anonymous":"db","admin.sessionMinutes":"db","auth.password":"default"}}`},
		{Name: "anonymous sign-in turned off refuses the next one", Setup: []servertest.Request{patch(`{"auth.anonymous":false}`)},
			Method: "POST", URL: "/v1/auth/anonymous", Status: 501,
			Want: `{"code":"RESOURCE_NOT_INITIAL","message":"anonymous sign-in is turned off on this server (setting auth.anonymous)"}`},
		{Name: "null puts the default back", Setup: []servertest.Request{patch(`{"auth.anonymous":false}`), patch(`{"auth.anonymous":null}`)},
			Method: "POST", URL: "/v1/auth/anonymous", Status: 200,
			After: servertest.Then(servertest.Scenario{URL: "/v1/admin/settings", As: asAdmin, Status: 200,
				Want: `{"settings":{"auth.anonymous":true},"sources":{"auth.anonymous":"default"}}`})},
		{Name: "password sign-in turned off", Setup: []servertest.Request{patch(`{"auth.password":false}`)},
			Method: "POST", URL: "/v1/auth/signup", Body: `{"username":"bob","password":"bob password"}`, Status: 501,
			Want: `{"code":"RESOURCE_NOT_INITIAL"}`},
		{Name: "email codes turned off", Options: servertest.Options{Env: map[string]string{"MINIBASE_OTP_LOG": "true"}},
			Setup:  []servertest.Request{patch(`{"auth.otp.email":false}`)},
			Method: "POST", URL: "/v1/auth/otp/send", Body: `{"email":"a@example.com"}`, Status: 501,
			Want:  `{"message":"one-time code (email) sign-in is turned off on this server (setting auth.otp.email)"}`,
			After: servertest.Then(servertest.Scenario{Method: "POST", URL: "/v1/auth/otp/send", Body: `{"phone":"+8613800138000"}`, Status: 200})},
		{Name: "the access-token life applies to the next token", Setup: []servertest.Request{patch(`{"auth.accessTokenMinutes":5}`)},
			Method: "POST", URL: "/v1/auth/anonymous", Status: 200, Want: `{"expires_in":300}`},
		{Name: "the sign-in rate applies to the next attempt", Setup: []servertest.Request{patch(`{"auth.rateLimit.signInPerMinute":2}`)},
			Before: func(tb testing.TB, s *servertest.Server, _ *servertest.Request) {
				for range 2 {
					s.Do(tb, servertest.Request{Method: "POST", URL: "/v1/auth/login", Body: `{"username":"nobody","password":"wrong password"}`}).
						Expect(tb, 401, `{"code":"INVALID_CREDENTIALS"}`)
				}
			},
			Method: "POST", URL: "/v1/auth/login", Body: `{"username":"other","password":"wrong password"}`, Status: 429,
			Want: `{"code":"EXCEED_REQUEST_LIMIT"}`},
		{Name: "a masked secret sent back keeps the secret", Options: secretEnv,
			Method: "PATCH", URL: "/v1/admin/settings", As: asAdmin,
			Body:   `{"auth.wechat.appSecret":{"set":true,"last4":"abcd"},"auth.smtp.password":{"set":true}}`,
			Status: 200, Want: `{"settings":{"auth.wechat.appSecret":{"set":true,"last4":"abcd"}},"sources":{"auth.wechat.appSecret":"env"}}`},
	})
}

// TestSettingsRefused: a bad change is refused whole with a message
// naming the setting, and nothing of it is saved or applied.
func TestSettingsRefused(t *testing.T) {
	refused := func(name, body, message string) servertest.Scenario {
		return servertest.Scenario{Name: name, Method: "PATCH", URL: "/v1/admin/settings", Body: body, As: asAdmin,
			Status: 400, Want: `{"code":"INVALID_PARAM","errCode":-501007}`,
			After: func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
				if m := r.Str("message"); !strings.Contains(m, message) || !strings.Contains(m, "nothing changed") {
					tb.Errorf("message %q, want one saying %q", m, message)
				}
				unchanged(tb, s, r)
				s.Do(tb, anonymousSignIn).Expect(tb, 200, `{"expires_in":7200}`)
			}}
	}
	servertest.Run(t, []servertest.Scenario{
		refused("a string for a number", `{"auth.accessTokenMinutes":"5"}`, "auth.accessTokenMinutes must be a whole number from 1 to 1440"),
		refused("a fraction", `{"auth.accessTokenMinutes":1.5}`, "auth.accessTokenMinutes must be a whole number"),
		refused("too long a token life", `{"auth.accessTokenMinutes":1441}`, "from 1 to 1440"),
		refused("no token life", `{"auth.accessTokenMinutes":0}`, "from 1 to 1440"),
		refused("an access life past the refresh life", `{"auth.accessTokenMinutes":1440,"auth.refreshTokenDays":1}`,
			"auth.accessTokenMinutes (24h0m0s) must be shorter than auth.refreshTokenDays (24h0m0s)"),
		refused("one bad field refuses the good ones", `{"auth.anonymous":false,"auth.accessTokenMinutes":5,"admin.sessionMinutes":1}`,
			"admin.sessionMinutes must be a whole number from 5 to 1440"),
		refused("a bool as a string", `{"auth.anonymous":"false"}`, "auth.anonymous must be true or false"),
		refused("an unknown setting", `{"auth.anonymus":false}`, `"auth.anonymus" is not a setting`),
		refused("an unknown nested setting", `{"auth":{"wechat":{"appid":"wx0123456789abcdef"}}}`, `"auth.wechat.appid" is not a setting`),
		refused("a malformed AppID", `{"auth.wechat.appId":"wx123","auth.wechat.appSecret":"secret0123456789"}`,
			`auth.wechat.appId must be a mini-program AppID: "wx" and 16 hex digits`),
		refused("an AppID without its secret", `{"auth.wechat.appId":"wx0123456789abcdef"}`,
			"auth.wechat.appId and auth.wechat.appSecret go together"),
		refused("an IP that is none", `{"admin.allowIPs":["10.0.0.1","localhost"]}`, `admin.allowIPs entry "localhost" must be an IP address or a CIDR`),
		refused("a CIDR too wide", `{"admin.allowIPs":["10.0.0.0/33"]}`, "must be an IP address or a CIDR"),
		refused("an allow-list that is no list", `{"admin.allowIPs":"10.0.0.1"}`, "admin.allowIPs must be an array of strings"),
		refused("too many entries", `{"admin.allowIPs":[`+strings.Repeat(`"10.0.0.1",`, 100)+`"10.0.0.2"]}`, "at most 100 entries"),
		refused("a public URL with a path", `{"app.publicURL":"https://api.example.com/v1?x=1"}`, "app.publicURL must be an origin only"),
		refused("a public URL that is relative", `{"app.publicURL":"api.example.com"}`, "app.publicURL must be an absolute http(s) URL"),
		refused("a public URL of another scheme", `{"app.publicURL":"ftp://api.example.com"}`, "must be an absolute http(s) URL"),
		refused("a public URL with a password", `{"app.publicURL":"https://u:p@api.example.com"}`, "must not contain a user name or password"),
		refused("SMTP without a sender", `{"auth.smtp.addr":"smtp.example.com:587"}`, "auth.smtp.from is required with auth.smtp.addr"),
		refused("an SMTP address without a port", `{"auth.smtp.addr":"smtp.example.com","auth.smtp.from":"a@example.com"}`, "auth.smtp.addr must be host:port"),
		refused("a header in the sender", `{"auth.smtp.from":"a@example.com\r\nBcc: x@example.com"}`, "auth.smtp.from must be an email address"),
		refused("an SMTP TLS mode that is none", `{"auth.smtp.tls":"ssl"}`, "auth.smtp.tls must be starttls, tls or none"),
		refused("a webhook that is no URL", `{"auth.sms.webhookURL":"javascript:alert(1)"}`, "auth.sms.webhookURL must be an http(s) URL"),
		refused("a long string", `{"auth.smtp.username":"`+strings.Repeat("u", 3000)+`"}`, "at most 2048 bytes"),
		refused("not an object", `[{"auth.anonymous":false}]`, "must be a JSON object of settings"),
		refused("two objects", `{"auth.anonymous":false}{"auth.anonymous":true}`, "one JSON object"),
		refused("malformed JSON", `{"auth.anonymous":`, "must be a JSON object"),
		{Name: "an oversized body", Method: "PATCH", URL: "/v1/admin/settings", As: asAdmin,
			Body: `{"auth.smtp.username":"` + strings.Repeat("u", 70<<10) + `"}`, Status: 413, After: unchanged},
	})
}

// TestSettingsWeChat: an AppID and AppSecret set from the console are the
// ones the next /v1/auth/wechat sends to jscode2session; a PATCH that
// leaves the secret out keeps it.
func TestSettingsWeChat(t *testing.T) {
	var calls atomic.Int64
	base := fakeWeChat(t, "consolesecret0123456789", &calls)
	s := servertest.New(t, servertest.Options{Env: map[string]string{"MINIBASE_WECHAT_API_BASE": base}})
	wxLogin := servertest.Request{Method: "POST", URL: "/v1/auth/wechat", Body: `{"code":"alice"}`}
	s.Do(t, wxLogin).Expect(t, 501, `{"code":"RESOURCE_NOT_INITIAL"}`)

	r := s.Do(t, patch(`{"auth.wechat.appId":"wx0123456789abcdef","auth.wechat.appSecret":"consolesecret0123456789"}`))
	r.Expect(t, 200, `{"settings":{"auth.wechat.appSecret":{"set":true,"last4":"6789"}},"sources":{"auth.wechat.appSecret":"db"}}`)
	if strings.Contains(r.Body, "consolesecret") {
		t.Errorf("the secret came back: %s", r.Body)
	}
	s.Do(t, wxLogin).Expect(t, 200, `{"user":{"openid":"oWX_alice","loginType":"WECHAT"}}`)

	// Other changes, without the secret, keep it.
	s.Do(t, patch(`{"auth.wechat.appId":"wx0123456789abcdef","auth.anonymous":true}`)).Expect(t, 200, "")
	s.Do(t, servertest.Request{Method: "POST", URL: "/v1/auth/wechat", Body: `{"code":"bob"}`}).
		Expect(t, 200, `{"user":{"openid":"oWX_bob"}}`)

	// A wrong secret is what WeChat is asked with next.
	s.Do(t, patch(`{"auth.wechat.appSecret":"wrongsecret0123456789"}`)).Expect(t, 200, "")
	before := calls.Load()
	s.Do(t, wxLogin).Expect(t, 502, `{"code":"LOGIN_PROVIDER_FAILED"}`)
	if calls.Load() != before+1 {
		t.Errorf("jscode2session was called %d times, want once", calls.Load()-before)
	}
}

// TestSettingsSurviveRestart: saved settings are in the database, in
// force again after a restart on the same data directory, and win over
// the variables.
func TestSettingsSurviveRestart(t *testing.T) {
	s := servertest.New(t, servertest.Options{Env: map[string]string{"MINIBASE_ACCESS_TTL": "30m"}})
	s.Do(t, patch(`{"auth.anonymous":false,"auth.accessTokenMinutes":10,"admin.allowIPs":["10.0.0.0/8","::ffff:192.0.2.1"]}`)).Expect(t, 200, "")
	s.Restart(t)
	s.Do(t, getSettings).Expect(t, 200, `{"settings":{"auth.anonymous":false,"auth.accessTokenMinutes":10,
		"admin.allowIPs":["10.0.0.0/8","192.0.2.1"]},"sources":{"auth.accessTokenMinutes":"db"}}`)
	s.Do(t, anonymousSignIn).Expect(t, 501, `{"code":"RESOURCE_NOT_INITIAL"}`)
	s.Do(t, patch(`{"auth.anonymous":null}`)).Expect(t, 200, "")
	s.Do(t, anonymousSignIn).Expect(t, 200, `{"expires_in":600}`)
	s.Do(t, patch(`{"auth.accessTokenMinutes":null}`)).Expect(t, 200, `{"settings":{"auth.accessTokenMinutes":30},"sources":{"auth.accessTokenMinutes":"env"}}`)
	s.Do(t, anonymousSignIn).Expect(t, 200, `{"expires_in":1800}`)
}

// TestSettingsPublicURL: app.publicURL is the base of the next temporary
// URLs.
func TestSettingsPublicURL(t *testing.T) {
	s := servertest.New(t, servertest.Options{})
	s.Upload(t, asAdmin, "", "docs/a.txt", "hello", "text/plain").Expect(t, 200, "")
	tempURL := func() string {
		r := s.Do(t, servertest.Request{Method: "POST", URL: "/v1/storage/temp-urls", As: asAdmin,
			Body: `{"fileList":["cloud://minibase.default/docs/a.txt"]}`, Header: map[string]string{"Host": "internal:8090"}})
		r.Expect(t, 200, "")
		return r.Str("fileList.0.tempFileURL")
	}
	if u := tempURL(); !strings.HasPrefix(u, "http://internal:8090/f/default/docs/a.txt") {
		t.Fatalf("before: %q", u)
	}
	s.Do(t, patch(`{"app.publicURL":"https://api.example.com/"}`)).Expect(t, 200, `{"settings":{"app.publicURL":"https://api.example.com/"}}`)
	if u := tempURL(); !strings.HasPrefix(u, "https://api.example.com/f/default/docs/a.txt") {
		t.Errorf("after: %q", u)
	}
}

// TestAdminAllowIPs: with admin.allowIPs set, admin access (key, token,
// sign-in, setup) from another address is refused, naming the setting;
// loopback always gets in; end users are not affected; a change that
// would lock its caller out is refused.
func TestAdminAllowIPs(t *testing.T) {
	s := servertest.New(t, servertest.Options{Listen: true, Env: map[string]string{"MINIBASE_TRUSTED_PROXIES": "loopback"}})
	from := func(ip string) map[string]string { return map[string]string{"X-Forwarded-For": ip} }
	users := func(ip string, as servertest.Identity) servertest.Request {
		return servertest.Request{URL: "/v1/admin/users", Header: from(ip), As: as}
	}

	// A list leaving the caller out is refused; nothing is saved.
	r := s.Do(t, servertest.Request{Method: "PATCH", URL: "/v1/admin/settings", Body: `{"admin.allowIPs":["198.51.100.0/24"]}`,
		Header: from("203.0.113.9"), As: asAdmin})
	r.Expect(t, 400, `{"code":"INVALID_PARAM"}`)
	if m := r.Str("message"); !strings.Contains(m, "admin.allowIPs does not include your address 203.0.113.9") {
		t.Errorf("self-lockout message: %q", m)
	}
	s.Do(t, users("203.0.113.9", asAdmin)).Expect(t, 200, "")

	// From a listed address it is saved.
	s.Do(t, servertest.Request{Method: "PATCH", URL: "/v1/admin/settings", Body: `{"admin.allowIPs":["198.51.100.0/24"]}`,
		Header: from("198.51.100.20"), As: asAdmin}).Expect(t, 200, `{"settings":{"admin.allowIPs":["198.51.100.0/24"]}}`)

	refused := `{"code":"PERMISSION_DENIED","message":"admin access from 203.0.113.9 is not allowed (setting admin.allowIPs)"}`
	s.Do(t, users("203.0.113.9", asAdmin)).Expect(t, 403, refused)
	s.Do(t, users("198.51.100.7", asAdmin)).Expect(t, 200, "")
	s.Do(t, servertest.Request{URL: "/v1/admin/users", As: asAdmin}).Expect(t, 200, "") // loopback itself
	s.Do(t, servertest.Request{URL: "/v1/admin/settings", Header: from("203.0.113.9"), As: asAdmin}).Expect(t, 403, refused)
	s.Do(t, servertest.Request{Method: "POST", URL: "/v1/admin/setup", Header: from("203.0.113.9"),
		Body: `{"adminKey":"` + servertest.AdminKey + `","email":"a@example.com","password":"admin password"}`}).Expect(t, 403, refused)
	s.Do(t, servertest.Request{URL: "/v1/admin/setup", Header: from("203.0.113.9")}).Expect(t, 403, refused)

	// An admin account: sign-in from outside is refused, its token too.
	s.Do(t, servertest.Request{Method: "POST", URL: "/v1/admin/setup", Header: from("198.51.100.7"),
		Body: `{"adminKey":"` + servertest.AdminKey + `","email":"a@example.com","password":"admin password"}`}).Expect(t, 200, "")
	login := `{"email":"a@example.com","password":"admin password"}`
	s.Do(t, servertest.Request{Method: "POST", URL: "/v1/auth/admin/login", Body: login, Header: from("203.0.113.9")}).Expect(t, 403, refused)
	in := s.Do(t, servertest.Request{Method: "POST", URL: "/v1/auth/admin/login", Body: login, Header: from("198.51.100.7")})
	in.Expect(t, 200, "")
	token := servertest.Bearer(in.Str("access_token"))
	s.Do(t, users("198.51.100.7", token)).Expect(t, 200, "")
	s.Do(t, users("203.0.113.9", token)).Expect(t, 403, refused)
	s.Do(t, servertest.Request{Method: "POST", URL: "/v1/admin/collections", Body: `{"name":"x"}`, Header: from("203.0.113.9"), As: token}).
		Expect(t, 403, refused)

	// End users from anywhere are not affected.
	s.Do(t, servertest.Request{Method: "POST", URL: "/v1/auth/anonymous", Header: from("203.0.113.9")}).Expect(t, 200, "")

	// From loopback any list may be saved, even one without loopback.
	s.Do(t, patch(`{"admin.allowIPs":["192.0.2.1"]}`)).Expect(t, 200, `{"settings":{"admin.allowIPs":["192.0.2.1"]}}`)
	s.Do(t, users("198.51.100.7", asAdmin)).Expect(t, 403, `{"message":"admin access from 198.51.100.7 is not allowed (setting admin.allowIPs)"}`)
	s.Do(t, patch(`{"admin.allowIPs":[]}`)).Expect(t, 200, "")
	s.Do(t, users("203.0.113.9", asAdmin)).Expect(t, 200, "")
}
