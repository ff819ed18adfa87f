//go:build !minibase_fuzz

package auth_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"minibase/server"
	"minibase/server/servertest"
)

// claimsOf decodes an access token's payload (without verifying it).
func claimsOf(tb testing.TB, token string) map[string]any {
	tb.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		tb.Fatalf("access token %q is not a JWT", token)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		tb.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(raw, &c); err != nil {
		tb.Fatal(err)
	}
	return c
}

var (
	mallory = servertest.User("mallory", "password1")
	anon    = servertest.Anonymous("anon")
)

const ninaSignup = `{"email":"nina@example.com","password":"password1"}`

// threeUsers is sc on a server holding mallory (a username), nina (an
// email) and an anonymous user, signed up in that order a second apart;
// "{nina}" in sc's URL and body is nina's uid.
func threeUsers(sc servertest.Scenario) servertest.Scenario {
	clk := servertest.NewClock(time.Now())
	sc.Options.Clock = clk
	before := sc.Before
	sc.Before = func(tb testing.TB, s *servertest.Server, r *servertest.Request) {
		s.Session(tb, mallory)
		clk.Add(time.Second)
		signIn(tb, s, servertest.Visitor, "/v1/auth/signup", ninaSignup)
		clk.Add(time.Second)
		s.Session(tb, anon)
		nina := uidOf(tb, s, "nina@")
		r.URL = strings.ReplaceAll(r.URL, "{nina}", nina)
		if b, ok := r.Body.(string); ok {
			r.Body = strings.ReplaceAll(b, "{nina}", nina)
		}
		if before != nil {
			before(tb, s, r)
		}
	}
	return sc
}

// ninaUntouched is an After requiring nina's account as it was: there,
// enabled, without claims.
func ninaUntouched(tb testing.TB, s *servertest.Server, _ *servertest.Response) {
	tb.Helper()
	s.Run(tb, servertest.Scenario{Name: "nina is untouched", URL: "/v1/admin/users/" + uidOf(tb, s, "nina@"), As: asAdmin,
		Status: 200, Want: `{"user":{"email":"nina@example.com"}}`, Absent: []string{"disabled", "claims"}})
}

// found is an After requiring a user search to find n users.
func found(n int) func(testing.TB, *servertest.Server, *servertest.Response) {
	return func(tb testing.TB, _ *servertest.Server, r *servertest.Response) {
		tb.Helper()
		r.Expect(tb, 200, `{"total":`+strconv.Itoa(n)+`}`)
		if data, _ := r.Value("data").([]any); len(data) != n {
			tb.Errorf("want %d users: %s", n, r.Body)
		}
	}
}

// TestAdminUserEndpoints: the admin lists, searches and reads users;
// nobody else may touch them.
func TestAdminUserEndpoints(t *testing.T) {
	var scenarios []servertest.Scenario
	for _, who := range []servertest.Identity{mallory, servertest.Visitor} {
		for _, r := range [][3]string{
			{"GET", "/v1/admin/users", ""}, {"GET", "/v1/admin/users/{nina}", ""},
			{"PATCH", "/v1/admin/users/{nina}", `{"disabled":true}`}, {"DELETE", "/v1/admin/users/{nina}", ""},
			{"POST", "/v1/admin/users/{nina}/revoke", ""}, {"POST", "/v1/admin/auth/ticket", `{"uid":"abcd"}`},
		} {
			scenarios = append(scenarios, threeUsers(servertest.Scenario{Name: who.String() + ": " + r[0] + " " + r[1],
				Method: r[0], URL: r[1], Body: r[2], As: who, Status: 403, Want: `{"code":"PERMISSION_DENIED"}`,
				After: ninaUntouched}))
		}
	}
	scenarios = append(scenarios,
		threeUsers(servertest.Scenario{Name: "list, newest first", URL: "/v1/admin/users", As: asAdmin, Status: 200,
			Want: `{"total":3}`,
			After: func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
				if r.Str("data.0.uid") != s.Session(tb, anon).UID {
					tb.Errorf("list: want newest first: %s", r.Body)
				}
			}}),
		threeUsers(servertest.Scenario{Name: "search by the start of a uid", URL: "/v1/admin/users", As: asAdmin,
			Before: func(tb testing.TB, s *servertest.Server, r *servertest.Request) {
				r.URL += "?q=" + uidOf(tb, s, "nina@")[:6]
			},
			Status: 200, After: found(1)}),
		threeUsers(servertest.Scenario{Name: "page 2 of 1", URL: "/v1/admin/users?limit=1&offset=1", As: asAdmin, Status: 200,
			After: func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
				if data, _ := r.Value("data").([]any); len(data) != 1 || r.Str("data.0.uid") != uidOf(tb, s, "nina@") {
					tb.Errorf("page 2 of 1: want nina: %s", r.Body)
				}
			}}),
		threeUsers(servertest.Scenario{Name: "a missing user", URL: "/v1/admin/users/nope", As: asAdmin, Status: 404,
			Want: `{"code":"USER_NOT_FOUND","errCode":-1}`}),
	)
	for _, q := range []struct {
		q string
		n int
	}{{"MAL", 1}, {"nina@", 1}, {"n", 1}, {"zz", 0}, {"", 3}} {
		scenarios = append(scenarios, threeUsers(servertest.Scenario{Name: "search " + q.q, URL: "/v1/admin/users?q=" + q.q,
			As: asAdmin, Status: 200, After: found(q.n)}))
	}
	for _, bad := range []string{"?limit=-1", "?limit=501", "?offset=x", "?q=" + strings.Repeat("a", 200)} {
		scenarios = append(scenarios, threeUsers(servertest.Scenario{Name: "bad " + bad[:min(len(bad), 12)],
			URL: "/v1/admin/users" + bad, As: asAdmin, Status: 400, Want: `{"code":"INVALID_PARAM"}`}))
	}
	servertest.Run(t, scenarios)
}

// TestUserClaims: custom claims an admin sets on a user reach its access
// token at the next refresh; they are bounded, an object, and cleared by
// null.
func TestUserClaims(t *testing.T) {
	const editor = `{"claims":{"roles":["editor"]}}`
	setClaims := func(tb testing.TB, s *servertest.Server, _ *servertest.Request) {
		s.Do(tb, byAdmin("PATCH", "/v1/admin/users/"+uidOf(tb, s, "nina@"), editor)).Expect(tb, 200, "")
	}
	servertest.Run(t, []servertest.Scenario{
		threeUsers(servertest.Scenario{Name: "set claims", Method: "PATCH", URL: "/v1/admin/users/{nina}", Body: editor,
			As: asAdmin, Status: 200, Want: `{"user":{"claims":{"roles":["editor"]}}}`}),
		threeUsers(servertest.Scenario{Name: "claims reach the access token at the next refresh", Method: "POST",
			URL: "/v1/auth/refresh",
			Before: func(tb testing.TB, s *servertest.Server, r *servertest.Request) {
				nina := signIn(tb, s, servertest.Visitor, "/v1/auth/login", ninaSignup)
				setClaims(tb, s, r)
				r.Body = refreshBody(nina.Str("refresh_token"))
			},
			Status: 200,
			After: func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
				hasTokens(tb, s, r)
				c := claimsOf(tb, r.Str("access_token"))
				if c["claims"] == nil || c["sub"] != uidOf(tb, s, "nina@") || c["role"] != "user" || c["lt"] != "EMAIL" || c["sid"] == "" {
					tb.Errorf("access token claims: %v", c)
				}
			}}),
		threeUsers(servertest.Scenario{Name: "claims too big", Method: "PATCH", URL: "/v1/admin/users/{nina}",
			Body: `{"claims":{"x":"` + strings.Repeat("a", 5000) + `"}}`, As: asAdmin, Status: 400, After: ninaUntouched}),
		threeUsers(servertest.Scenario{Name: "claims not an object", Method: "PATCH", URL: "/v1/admin/users/{nina}",
			Body: `{"claims":[1]}`, As: asAdmin, Status: 400, After: ninaUntouched}),
		threeUsers(servertest.Scenario{Name: "clear claims", Before: setClaims, Method: "PATCH", URL: "/v1/admin/users/{nina}",
			Body: `{"claims":null}`, As: asAdmin, Status: 200,
			After: func(tb testing.TB, s *servertest.Server, _ *servertest.Response) {
				if got := s.Do(tb, byAdmin("GET", "/v1/admin/users/"+uidOf(tb, s, "nina@"), "")); strings.Contains(got.Body, "claims") {
					tb.Errorf("claims not cleared: %s", got.Body)
				}
			}}),
	})
}

// TestRevokeUser: an admin's revoke ends every session of the user, the
// refreshed ones too.
func TestRevokeUser(t *testing.T) {
	s := servertest.New(t, servertest.Options{})
	nina := signIn(t, s, servertest.Visitor, "/v1/auth/signup", ninaSignup)
	refreshed := signIn(t, s, servertest.Visitor, "/v1/auth/refresh", refreshBody(nina.Str("refresh_token")))
	second := signIn(t, s, servertest.Visitor, "/v1/auth/login", ninaSignup)
	s.Do(t, byAdmin("POST", "/v1/admin/users/"+nina.Str("user.uid")+"/revoke", "")).Expect(t, 200, `{"ok":true,"revoked":3}`)
	for _, tok := range []string{refreshed.Str("refresh_token"), second.Str("refresh_token")} {
		s.Do(t, post("/v1/auth/refresh", refreshBody(tok))).Expect(t, 401, `{"code":"INVALID_REFRESH_TOKEN"}`)
	}
}

// TestDeleteUser: deleting a user removes it and its sessions; its name is
// free again.
func TestDeleteUser(t *testing.T) {
	// deleted is a Before deleting mallory, then putting in the request
	// her uid for "{uid}", her refresh token for "{refresh}", and her
	// access token when it is sent as her.
	deleted := func(tb testing.TB, s *servertest.Server, r *servertest.Request) {
		se := s.Session(tb, mallory)
		s.Do(tb, byAdmin("DELETE", "/v1/admin/users/"+se.UID, "")).Expect(tb, 200, "")
		r.URL = strings.ReplaceAll(r.URL, "{uid}", se.UID)
		if r.Body == "{refresh}" {
			r.Body = refreshBody(se.RefreshToken)
		}
		if r.As == mallory {
			r.As = servertest.Bearer(se.AccessToken)
		}
	}
	const login = `{"username":"mallory","password":"password1"}`
	servertest.Run(t, []servertest.Scenario{
		{Name: "delete", Method: "DELETE", URL: "/v1/admin/users/{uid}", As: asAdmin,
			Before: func(tb testing.TB, s *servertest.Server, r *servertest.Request) {
				r.URL = strings.ReplaceAll(r.URL, "{uid}", s.Session(tb, mallory).UID)
			},
			Status: 200, Equal: `{"ok":true}`, After: servertest.Then(users(0))},
		{Name: "delete again", Method: "DELETE", URL: "/v1/admin/users/{uid}", As: asAdmin, Before: deleted,
			Status: 404, Want: `{"code":"USER_NOT_FOUND"}`},
		{Name: "a deleted user cannot refresh", Method: "POST", URL: "/v1/auth/refresh", Body: "{refresh}", Before: deleted,
			Status: 401},
		{Name: "nor log in", Method: "POST", URL: "/v1/auth/login", Body: login, Before: deleted, Status: 401},
		{Name: "its access token is refused", URL: "/v1/auth/me", As: mallory, Before: deleted,
			Status: 401, Want: `{"code":"ACCESS_TOKEN_REVOKED"}`},
		{Name: "its name is free again", Method: "POST", URL: "/v1/auth/signup", Body: login, Before: deleted,
			Status: 200, After: hasTokens},
	})
}

// createRoot adds the admin account root@example.com to s's database, as
// `minibase admin create` does while the server runs.
func createRoot(tb testing.TB, s *servertest.Server) {
	tb.Helper()
	_, err := server.CreateAdmin(context.Background(), s.Server.Config, "Root@Example.com", "admin password",
		slog.New(slog.DiscardHandler))
	if err != nil {
		tb.Fatal(err)
	}
}

const rootLogin = `{"email":"root@example.com","password":"admin password"}`

// asRoot is a Before sending the request with root's access token.
func asRoot(tb testing.TB, s *servertest.Server, r *servertest.Request) {
	createRoot(tb, s)
	r.As = bearer(signIn(tb, s, servertest.Visitor, "/v1/auth/admin/login", rootLogin))
}

// TestAdminAccounts: an admin account (created as by the CLI) signs in and
// gets admin tokens that work on admin endpoints and refresh.
func TestAdminAccounts(t *testing.T) {
	wrongPassword := post("/v1/auth/admin/login", `{"email":"root@example.com","password":"wrong password"}`)
	servertest.Run(t, []servertest.Scenario{
		{Name: "admin login", Method: "POST", URL: "/v1/auth/admin/login", Body: rootLogin,
			Before: func(tb testing.TB, s *servertest.Server, _ *servertest.Request) { createRoot(tb, s) },
			Status: 200, Want: `{"token_type":"Bearer","admin":{"email":"root@example.com"}}`,
			After: func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
				hasTokens(tb, s, r)
				if r.Value("user") != nil || claimsOf(tb, r.Str("access_token"))["role"] != "admin" {
					tb.Errorf("admin tokens: %s", r.Body)
				}
			}},
		{Name: "an admin lists users", URL: "/v1/admin/users", Before: asRoot, Status: 200, Want: `{"total":0}`},
		{Name: "an admin manages collections", Method: "POST", URL: "/v1/admin/collections", Body: `{"name":"things"}`,
			Before: asRoot, Status: 200},
		{Name: "admin me", URL: "/v1/auth/me", Before: asRoot, Status: 200, Want: `{"admin":{"email":"root@example.com"}}`},
		{Name: "a refreshed admin token", URL: "/v1/admin/users",
			Before: func(tb testing.TB, s *servertest.Server, r *servertest.Request) {
				createRoot(tb, s)
				a := signIn(tb, s, servertest.Visitor, "/v1/auth/admin/login", rootLogin)
				r.As = bearer(signIn(tb, s, servertest.Visitor, "/v1/auth/refresh", refreshBody(a.Str("refresh_token"))))
			},
			Status: 200},
		{Name: "wrong admin password", Method: "POST", URL: wrongPassword.URL, Body: wrongPassword.Body,
			Before: func(tb testing.TB, s *servertest.Server, _ *servertest.Request) { createRoot(tb, s) },
			Status: 401, Want: `{"code":"INVALID_CREDENTIALS"}`},
		{Name: "an unknown admin looks like a wrong password", Method: "POST", URL: "/v1/auth/admin/login",
			Body:   `{"email":"nobody@example.com","password":"admin password"}`,
			Before: func(tb testing.TB, s *servertest.Server, _ *servertest.Request) { createRoot(tb, s) },
			Status: 401,
			After: func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
				if wrong := s.Do(tb, wrongPassword); r.Body != wrong.Body {
					tb.Errorf("unknown admin %s differs from wrong password %s", r.Body, wrong.Body)
				}
			}},
		{Name: "a user with the admin's email is no admin", URL: "/v1/admin/users",
			Before: func(tb testing.TB, s *servertest.Server, r *servertest.Request) {
				createRoot(tb, s)
				r.As = bearer(signIn(tb, s, servertest.Visitor, "/v1/auth/signup", rootLogin))
			},
			Status: 403},
	})
}
