package server

import (
	"regexp"
	"strings"
	"testing"

	"minibase/auth"
)

var hex32 = regexp.MustCompile(`^[0-9a-f]{32}$`)

func TestAnonymousSignIn(t *testing.T) {
	m, _ := newAuthMain(t, nil)
	a := m.signIn(t, "/v1/auth/anonymous", "", `{}`)
	expect(t, "anonymous", a, 200, `{"expires_in":7200,"user":{"loginType":"ANONYMOUS","hasPassword":false}}`)
	uid := a.str("user.uid")
	if !hex32.MatchString(uid) || a.str("user.openid") != uid || a.str("user.createdAt") == "" {
		t.Fatalf("user: want a 32-hex uid that is also the openid, and createdAt: %s", a.raw)
	}
	if a.header.Get("Cache-Control") != "no-store" {
		t.Errorf("tokens must not be cached: Cache-Control %q", a.header.Get("Cache-Control"))
	}
	me := m.do(t, "GET", "/v1/auth/me", a.str("access_token"), "")
	expect(t, "me", me, 200, `{"user":{"uid":"`+uid+`","openid":"`+uid+`","loginType":"ANONYMOUS"}}`)
	b := m.signIn(t, "/v1/auth/anonymous", "", ``)
	if b.str("user.uid") == uid {
		t.Error("each anonymous sign-in must create a new user")
	}
	expect(t, "me without a token", m.do(t, "GET", "/v1/auth/me", "", ""), 401, `{"code":"INVALID_ACCESS_TOKEN"}`)
}

func TestSignupAndLogin(t *testing.T) {
	m, _ := newAuthMain(t, nil)
	for _, tc := range []struct {
		name, signup, login, want string
	}{
		{"username", `{"username":"Alice_01","password":"correct horse"}`, `{"username":"alice_01","password":"correct horse"}`,
			`{"user":{"username":"Alice_01","loginType":"USERNAME","hasPassword":true}}`},
		{"email", `{"email":"Bob@Example.COM","password":"12345678"}`, `{"email":"bob@example.com","password":"12345678"}`,
			`{"user":{"email":"bob@example.com","loginType":"EMAIL"}}`},
		{"phone", `{"phone":"+86 138-0013-8000","password":"日本語のパスワード"}`, `{"phone":"+8613800138000","password":"日本語のパスワード"}`,
			`{"user":{"phone":"+8613800138000","loginType":"PHONE"}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := m.signIn(t, "/v1/auth/signup", "", tc.signup)
			expect(t, "signup", s, 200, tc.want)
			l := m.signIn(t, "/v1/auth/login", "", tc.login)
			expect(t, "login", l, 200, tc.want)
			if l.str("user.uid") != s.str("user.uid") || l.str("user.openid") != s.str("user.uid") {
				t.Errorf("login found another user: %s vs %s", l.raw, s.raw)
			}
			if strings.Contains(s.raw, "argon2") || strings.Contains(s.raw, "password\"") {
				t.Errorf("the password hash leaked: %s", s.raw)
			}
			again := m.do(t, "POST", "/v1/auth/signup", "", tc.login)
			expect(t, "signup again (other case)", again, 409, `{"code":"ACCOUNT_EXISTS","errCode":-501007}`)
		})
	}
}

// TestLoginFailuresLookAlike: a wrong password, an unknown account and a
// disabled account get the same status and body.
func TestLoginFailuresLookAlike(t *testing.T) {
	m, _ := newAuthMain(t, nil)
	u := m.signIn(t, "/v1/auth/signup", "", `{"username":"carol","password":"right password"}`)
	m.signIn(t, "/v1/auth/signup", "", `{"username":"dave","password":"right password"}`)
	expect(t, "disable dave", m.do(t, "PATCH", "/v1/admin/users/"+m.uidOf(t, "dave"), testKey, `{"disabled":true}`), 200, "")
	wrong := m.do(t, "POST", "/v1/auth/login", "", `{"username":"carol","password":"wrong password"}`)
	unknown := m.do(t, "POST", "/v1/auth/login", "", `{"username":"nobody","password":"right password"}`)
	disabled := m.do(t, "POST", "/v1/auth/login", "", `{"username":"dave","password":"right password"}`)
	empty := m.do(t, "POST", "/v1/auth/login", "", `{"username":"carol","password":""}`)
	expect(t, "wrong password", wrong, 401, `{"code":"INVALID_CREDENTIALS","errCode":-501007}`)
	for name, a := range map[string]answer{"unknown account": unknown, "disabled account": disabled, "empty password": empty} {
		if a.status != wrong.status || a.raw != wrong.raw {
			t.Errorf("%s: %d %s, want exactly what a wrong password gets: %d %s", name, a.status, a.raw, wrong.status, wrong.raw)
		}
	}
	m.signIn(t, "/v1/auth/login", "", `{"username":"CAROL","password":"right password"}`)
	_ = u
}

// uidOf finds a user's uid through the admin search.
func (m *Server) uidOf(t *testing.T, q string) string {
	t.Helper()
	a := m.do(t, "GET", "/v1/admin/users?q="+q, testKey, "")
	data, _ := a.body["data"].([]any)
	if a.status != 200 || len(data) != 1 {
		t.Fatalf("find user %q: %s", q, a.raw)
	}
	return data[0].(map[string]any)["uid"].(string)
}

func TestPasswordPolicyAndBadInput(t *testing.T) {
	m, _ := newAuthMain(t, func(c *Config) { c.Auth.Limits = auth.Limits{} }) // many tries at one account
	long := strings.Repeat("x", 129)
	wide := strings.Repeat("密", 100) // 100 characters, 300 bytes
	for _, tc := range []struct{ name, body string }{
		{"too short", `{"username":"erin","password":"1234567"}`},
		{"too long", `{"username":"erin","password":"` + long + `"}`},
		{"too many bytes", `{"username":"erin","password":"` + wide + `"}`},
		{"only white space", `{"username":"erin","password":"          "}`},
		{"no password", `{"username":"erin"}`},
		{"username starts with a digit", `{"username":"1erin","password":"good password"}`},
		{"username too short", `{"username":"er","password":"good password"}`},
		{"username with a space", `{"username":"er in","password":"good password"}`},
		{"email without a domain", `{"email":"erin@","password":"good password"}`},
		{"email with a display name", `{"email":"Erin <erin@example.com>","password":"good password"}`},
		{"phone with letters", `{"phone":"+86abc1234567","password":"good password"}`},
		{"phone too short", `{"phone":"12345","password":"good password"}`},
		{"two identifiers", `{"username":"erin","email":"erin@example.com","password":"good password"}`},
		{"no identifier", `{"password":"good password"}`},
		{"not JSON", `{"username":`},
		{"wrong type", `{"username":5,"password":"good password"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			expect(t, "signup", m.do(t, "POST", "/v1/auth/signup", "", tc.body), 400, `{"code":"INVALID_PARAM","errCode":-501007}`)
		})
	}
	list := m.do(t, "GET", "/v1/admin/users", testKey, "")
	expect(t, "nothing was created", list, 200, `{"total":0}`)
	m.signIn(t, "/v1/auth/signup", "", `{"username":"erin","password":"12345678"}`) // exactly 8 is fine
	m.signIn(t, "/v1/auth/signup", "", `{"username":"frank","password":"`+strings.Repeat("密", 85)+`"}`)
}

// TestAnonymousUpgrade: signing up with an anonymous user's token keeps its
// uid, openid and documents; the anonymous session ends.
func TestAnonymousUpgrade(t *testing.T) {
	m, _ := newAuthMain(t, nil)
	expect(t, "create notes", m.do(t, "POST", "/v1/admin/collections", testKey, `{"name":"notes"}`), 200, "")
	anon := m.signIn(t, "/v1/auth/anonymous", "", `{}`)
	uid, tok := anon.str("user.uid"), anon.str("access_token")
	ins := m.do(t, "POST", "/v1/db/notes/insert", tok, `{"data":{"_id":"n1","text":"mine"}}`)
	expect(t, "anonymous insert", ins, 200, `{"_id":"n1"}`)
	up := m.signIn(t, "/v1/auth/signup", tok, `{"email":"grace@example.com","password":"upgrade me"}`)
	expect(t, "upgrade", up, 200, `{"user":{"uid":"`+uid+`","openid":"`+uid+`","loginType":"EMAIL","email":"grace@example.com"}}`)
	expect(t, "the anonymous refresh token is revoked", m.do(t, "POST", "/v1/auth/refresh", "", `{"refresh_token":"`+anon.str("refresh_token")+`"}`),
		401, `{"code":"INVALID_REFRESH_TOKEN"}`)
	login := m.signIn(t, "/v1/auth/login", "", `{"email":"grace@example.com","password":"upgrade me"}`)
	q := m.do(t, "POST", "/v1/db/notes/query", login.str("access_token"), `{}`)
	expect(t, "the upgraded user reads its document", q, 200, `{"data":[{"_id":"n1","_openid":"`+uid+`","text":"mine"}]}`)
	again := m.do(t, "POST", "/v1/auth/signup", up.str("access_token"), `{"username":"grace2","password":"upgrade me"}`)
	expect(t, "a permanent account's token signs up a separate account", again, 200, "")
	if again.str("user.uid") == uid {
		t.Error("only anonymous accounts are upgraded")
	}
	other := m.signIn(t, "/v1/auth/anonymous", "", `{}`)
	taken := m.do(t, "POST", "/v1/auth/signup", other.str("access_token"), `{"email":"GRACE@example.com","password":"upgrade me"}`)
	expect(t, "upgrade to a taken email", taken, 409, `{"code":"ACCOUNT_EXISTS"}`)
	expect(t, "the failed upgrade left the user anonymous", m.do(t, "GET", "/v1/auth/me", other.str("access_token"), ""), 200,
		`{"user":{"loginType":"ANONYMOUS"}}`)
}

// TestUserSeesOwnDocuments: end to end, a user token queries /v1/db as a
// client and sees only its own documents; the admin key sees all.
func TestUserSeesOwnDocuments(t *testing.T) {
	m, _ := newAuthMain(t, nil)
	expect(t, "create notes", m.do(t, "POST", "/v1/admin/collections", testKey, `{"name":"notes"}`), 200, "")
	u1 := m.signIn(t, "/v1/auth/signup", "", `{"username":"heidi","password":"password1"}`)
	u2 := m.signIn(t, "/v1/auth/anonymous", "", `{}`)
	for _, u := range []answer{u1, u2} {
		for range 2 {
			expect(t, "insert", m.do(t, "POST", "/v1/db/notes/insert", u.str("access_token"), `{"data":{"by":"`+u.str("user.uid")+`"}}`), 200, "")
		}
	}
	for _, u := range []answer{u1, u2} {
		q := m.do(t, "POST", "/v1/db/notes/query", u.str("access_token"), `{}`)
		data, _ := q.body["data"].([]any)
		if q.status != 200 || len(data) != 2 {
			t.Fatalf("user query: want its 2 notes: %s", q.raw)
		}
		for _, d := range data {
			if d.(map[string]any)["_openid"] != u.str("user.openid") || d.(map[string]any)["by"] != u.str("user.uid") {
				t.Errorf("user %s sees %v", u.str("user.uid"), d)
			}
		}
	}
	expect(t, "admin counts all", m.do(t, "POST", "/v1/db/notes/count", testKey, `{}`), 200, `{"total":4}`)
}
