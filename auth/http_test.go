//go:build !minibase_fuzz

package auth_test

// End-user auth's HTTP contract (auth/http*.go as the server mounts it):
// each scenario, or each sequence of sign-ins that belongs together, runs
// on a server of its own (server/servertest).

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"minibase/server/servertest"
)

var (
	asAdmin = servertest.Admin
	alice   = servertest.Anonymous("alice")
)

// post is a visitor's POST of body to url.
func post(url, body string) servertest.Request {
	return servertest.Request{Method: "POST", URL: url, Body: body}
}

// byAdmin is a request of the admin's.
func byAdmin(method, url, body string) servertest.Request {
	return servertest.Request{Method: method, URL: url, Body: body, As: asAdmin}
}

func refreshBody(token string) string { return `{"refresh_token":"` + token + `"}` }

// signIn posts body to a sign-in endpoint as id and requires tokens back.
func signIn(tb testing.TB, s *servertest.Server, id servertest.Identity, url, body string) *servertest.Response {
	tb.Helper()
	r := s.Do(tb, servertest.Request{Method: "POST", URL: url, Body: body, As: id})
	r.Expect(tb, 200, `{"token_type":"Bearer"}`)
	hasTokens(tb, s, r)
	return r
}

// hasTokens is an After requiring a sign-in's answer to hold its tokens.
func hasTokens(tb testing.TB, _ *servertest.Server, r *servertest.Response) {
	tb.Helper()
	if r.Str("access_token") == "" || r.Str("refresh_token") == "" || r.Value("expires_in") == nil {
		tb.Fatalf("%s: incomplete tokens: %s", r.Req, r.Body)
	}
}

// bearer sends the access token of a sign-in's answer.
func bearer(r *servertest.Response) servertest.Identity {
	return servertest.Bearer(r.Str("access_token"))
}

// uidOf finds a user's uid through the admin search.
func uidOf(tb testing.TB, s *servertest.Server, q string) string {
	tb.Helper()
	r := s.Do(tb, servertest.Request{URL: "/v1/admin/users?q=" + q, As: asAdmin})
	r.Expect(tb, 200, `{"total":1}`)
	return r.Str("data.0.uid")
}

// users is a Then step: how many users the server has.
func users(total int) servertest.Scenario {
	n := strconv.Itoa(total)
	return servertest.Scenario{Name: "then " + n + " users", URL: "/v1/admin/users", As: asAdmin, Status: 200,
		Want: `{"total":` + n + `}`}
}

var hex32 = regexp.MustCompile(`^[0-9a-f]{32}$`)

func TestAnonymousSignIn(t *testing.T) {
	servertest.Run(t, []servertest.Scenario{
		{Name: "anonymous sign-in", Method: "POST", URL: "/v1/auth/anonymous", Body: `{}`, Status: 200,
			Want:       `{"token_type":"Bearer","expires_in":7200,"user":{"loginType":"ANONYMOUS","hasPassword":false}}`,
			WantHeader: map[string]string{"Cache-Control": "no-store"}, // tokens must not be cached
			After: func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
				hasTokens(tb, s, r)
				uid := r.Str("user.uid")
				if !hex32.MatchString(uid) || r.Str("user.openid") != uid || r.Str("user.createdAt") == "" {
					tb.Fatalf("user: want a 32-hex uid that is also the openid, and createdAt: %s", r.Body)
				}
				s.Do(tb, servertest.Request{URL: "/v1/auth/me", As: bearer(r)}).
					Expect(tb, 200, `{"user":{"uid":"`+uid+`","openid":"`+uid+`","loginType":"ANONYMOUS"}}`)
			}},
		{Name: "each anonymous sign-in creates a new user", Method: "POST", URL: "/v1/auth/anonymous", Body: ``,
			Before: func(tb testing.TB, s *servertest.Server, _ *servertest.Request) { s.Session(tb, alice) },
			Status: 200, Want: `{"token_type":"Bearer"}`,
			After: func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
				hasTokens(tb, s, r)
				if r.Str("user.uid") == s.Session(tb, alice).UID {
					tb.Error("each anonymous sign-in must create a new user")
				}
				s.Run(tb, users(2))
			}},
		{Name: "me without a token", URL: "/v1/auth/me", Status: 401, Want: `{"code":"INVALID_ACCESS_TOKEN"}`},
	})
}

func TestSignupAndLogin(t *testing.T) {
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
		signup := []servertest.Request{post("/v1/auth/signup", tc.signup)}
		t.Run(tc.name, func(t *testing.T) {
			servertest.Run(t, []servertest.Scenario{
				{Name: "signup", Method: "POST", URL: "/v1/auth/signup", Body: tc.signup, Status: 200, Want: tc.want,
					Absent: []string{"argon2", `password"`}, // the hash never leaves the server
					After: func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
						hasTokens(tb, s, r)
						if r.Str("user.openid") != r.Str("user.uid") {
							tb.Errorf("the openid of a user without WeChat is its uid: %s", r.Body)
						}
					}},
				{Name: "login finds the user signup created", Setup: signup, Method: "POST", URL: "/v1/auth/login", Body: tc.login,
					Status: 200, Want: tc.want,
					After: func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
						hasTokens(tb, s, r)
						list := s.Do(tb, servertest.Request{URL: "/v1/admin/users", As: asAdmin})
						if list.Str("data.0.uid") != r.Str("user.uid") || r.Str("user.openid") != r.Str("user.uid") {
							tb.Errorf("login found another user: %s vs %s", r.Body, list.Body)
						}
						s.Run(tb, users(1))
					}},
				{Name: "signup again (other case)", Setup: signup, Method: "POST", URL: "/v1/auth/signup", Body: tc.login,
					Status: 409, Want: `{"code":"ACCOUNT_EXISTS","errCode":-501007}`, After: servertest.Then(users(1))},
			})
		})
	}
}

// TestLoginFailuresLookAlike: a wrong password, an unknown account, a
// disabled account and an empty password get the same status and body.
func TestLoginFailuresLookAlike(t *testing.T) {
	accounts := []servertest.Request{
		post("/v1/auth/signup", `{"username":"carol","password":"right password"}`),
		post("/v1/auth/signup", `{"username":"dave","password":"right password"}`),
	}
	disableDave := func(tb testing.TB, s *servertest.Server, _ *servertest.Request) {
		s.Do(tb, byAdmin("PATCH", "/v1/admin/users/"+uidOf(tb, s, "dave"), `{"disabled":true}`)).Expect(tb, 200, "")
	}
	// asWrongPassword is an After requiring exactly what a wrong password gets.
	asWrongPassword := func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
		wrong := s.Do(tb, post("/v1/auth/login", `{"username":"carol","password":"wrong password"}`))
		if r.Status != wrong.Status || r.Body != wrong.Body {
			tb.Errorf("%d %s, want exactly what a wrong password gets: %d %s", r.Status, r.Body, wrong.Status, wrong.Body)
		}
	}
	servertest.Run(t, []servertest.Scenario{
		{Name: "wrong password", Setup: accounts, Method: "POST", URL: "/v1/auth/login",
			Body: `{"username":"carol","password":"wrong password"}`, Status: 401, Want: `{"code":"INVALID_CREDENTIALS","errCode":-501007}`},
		{Name: "unknown account", Setup: accounts, Method: "POST", URL: "/v1/auth/login",
			Body: `{"username":"nobody","password":"right password"}`, Status: 401, After: asWrongPassword},
		{Name: "disabled account", Setup: accounts, Before: disableDave, Method: "POST", URL: "/v1/auth/login",
			Body: `{"username":"dave","password":"right password"}`, Status: 401, After: asWrongPassword},
		{Name: "empty password", Setup: accounts, Method: "POST", URL: "/v1/auth/login",
			Body: `{"username":"carol","password":""}`, Status: 401, After: asWrongPassword},
		{Name: "the right password, in another case", Setup: accounts, Method: "POST", URL: "/v1/auth/login",
			Body: `{"username":"CAROL","password":"right password"}`, Status: 200, Want: `{"user":{"username":"carol"}}`,
			After: hasTokens},
	})
}

func TestPasswordPolicyAndBadInput(t *testing.T) {
	long := strings.Repeat("x", 129)
	wide := strings.Repeat("密", 100) // 100 characters, 300 bytes
	var scenarios []servertest.Scenario
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
		scenarios = append(scenarios, servertest.Scenario{Name: tc.name, Method: "POST", URL: "/v1/auth/signup", Body: tc.body,
			Status: 400, Want: `{"code":"INVALID_PARAM","errCode":-501007}`, After: servertest.Then(users(0))})
	}
	scenarios = append(scenarios,
		servertest.Scenario{Name: "exactly 8 characters", Method: "POST", URL: "/v1/auth/signup",
			Body: `{"username":"erin","password":"12345678"}`, Status: 200, After: hasTokens},
		servertest.Scenario{Name: "85 characters of 3 bytes", Method: "POST", URL: "/v1/auth/signup",
			Body: `{"username":"frank","password":"` + strings.Repeat("密", 85) + `"}`, Status: 200, After: hasTokens})
	servertest.Run(t, scenarios)
}

// TestAnonymousUpgrade: signing up with an anonymous user's token keeps its
// uid, openid and documents; the anonymous session ends.
func TestAnonymousUpgrade(t *testing.T) {
	const grace = `{"email":"grace@example.com","password":"upgrade me"}`
	upgrade := []servertest.Request{{Method: "POST", URL: "/v1/auth/signup", Body: grace, As: alice}}
	servertest.Run(t, []servertest.Scenario{
		{Name: "upgrade", Method: "POST", URL: "/v1/auth/signup", Body: grace, As: alice,
			Status: 200, Want: `{"token_type":"Bearer","user":{"loginType":"EMAIL","email":"grace@example.com"}}`,
			After: func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
				hasTokens(tb, s, r)
				if uid := s.Session(tb, alice).UID; r.Str("user.uid") != uid || r.Str("user.openid") != uid {
					tb.Errorf("the upgraded user is not %s (uid and openid): %s", uid, r.Body)
				}
				s.Run(tb, users(1))
			}},
		{Name: "the anonymous refresh token is revoked", Setup: upgrade, Method: "POST", URL: "/v1/auth/refresh",
			Before: func(tb testing.TB, s *servertest.Server, r *servertest.Request) {
				r.Body = refreshBody(s.Session(tb, alice).RefreshToken)
			},
			Status: 401, Want: `{"code":"INVALID_REFRESH_TOKEN"}`},
		{Name: "the upgraded user reads its document",
			Setup: []servertest.Request{
				byAdmin("POST", "/v1/admin/collections", `{"name":"notes"}`),
				{Method: "POST", URL: "/v1/db/notes/insert", Body: `{"data":{"_id":"n1","text":"mine"}}`, As: alice},
				upgrade[0],
			},
			Method: "POST", URL: "/v1/auth/login", Body: grace, Status: 200,
			After: func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
				s.Run(tb, servertest.Scenario{Name: "query as the upgraded user", Method: "POST", URL: "/v1/db/notes/query",
					Body: `{}`, As: bearer(r), Status: 200,
					Equal: `{"data":[{"_id":"n1","_openid":"` + s.Session(tb, alice).UID + `","text":"mine"}]}`})
			}},
		{Name: "a permanent account's token signs up a separate account", Method: "POST", URL: "/v1/auth/signup",
			Body: `{"username":"grace2","password":"upgrade me"}`,
			Before: func(tb testing.TB, s *servertest.Server, r *servertest.Request) {
				r.As = bearer(signIn(tb, s, alice, "/v1/auth/signup", grace))
			},
			Status: 200, Want: `{"user":{"username":"grace2"}}`,
			After: func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
				if r.Str("user.uid") == s.Session(tb, alice).UID {
					tb.Error("only anonymous accounts are upgraded")
				}
				s.Run(tb, users(2))
			}},
		{Name: "upgrade to a taken email", Setup: upgrade, Method: "POST", URL: "/v1/auth/signup",
			Body: `{"email":"GRACE@example.com","password":"upgrade me"}`, As: servertest.Anonymous("other"),
			Status: 409, Want: `{"code":"ACCOUNT_EXISTS"}`,
			After: servertest.Then(servertest.Scenario{Name: "the failed upgrade left the user anonymous", URL: "/v1/auth/me",
				As: servertest.Anonymous("other"), Status: 200, Want: `{"user":{"loginType":"ANONYMOUS"}}`})},
	})
}

// TestUserSeesOwnDocuments: end to end, a user token queries /v1/db as a
// client and sees only its own documents; the admin key sees all.
func TestUserSeesOwnDocuments(t *testing.T) {
	heidi := servertest.User("heidi", "password1")
	notes := []servertest.Request{byAdmin("POST", "/v1/admin/collections", `{"name":"notes"}`)}
	for _, u := range []struct {
		id servertest.Identity
		by string
	}{{heidi, "heidi"}, {alice, "alice"}} {
		for range 2 {
			notes = append(notes, servertest.Request{Method: "POST", URL: "/v1/db/notes/insert",
				Body: `{"data":{"by":"` + u.by + `"}}`, As: u.id})
		}
	}
	// onlyOwn is an After requiring the user's 2 notes, and only them.
	onlyOwn := func(id servertest.Identity, by string) func(testing.TB, *servertest.Server, *servertest.Response) {
		return func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
			data, _ := r.Value("data").([]any)
			if len(data) != 2 {
				tb.Fatalf("user query: want its 2 notes: %s", r.Body)
			}
			for _, d := range data {
				if d := d.(map[string]any); d["_openid"] != s.Session(tb, id).OpenID || d["by"] != by {
					tb.Errorf("%s sees %v", id, d)
				}
			}
		}
	}
	servertest.Run(t, []servertest.Scenario{
		{Name: "a user with a password", Setup: notes, Method: "POST", URL: "/v1/db/notes/query", Body: `{}`, As: heidi,
			Status: 200, After: onlyOwn(heidi, "heidi")},
		{Name: "an anonymous user", Setup: notes, Method: "POST", URL: "/v1/db/notes/query", Body: `{}`, As: alice,
			Status: 200, After: onlyOwn(alice, "alice")},
		{Name: "the admin counts all", Setup: notes, Method: "POST", URL: "/v1/db/notes/count", Body: `{}`, As: asAdmin,
			Status: 200, Equal: `{"total":4}`},
	})
}
