//go:build !minibase_fuzz

package auth_test

import (
	"strings"
	"testing"
	"time"

	"minibase/server/servertest"
)

const setupBody = `{"adminKey":"` + servertest.AdminKey + `","email":"Owner@Example.com","password":"owner password"}`

// TestSetup: first-run setup in the browser creates the first admin
// account, only for the holder of the admin key, only once.
func TestSetup(t *testing.T) {
	setup := post("/v1/admin/setup", setupBody)
	noAdmin := servertest.Scenario{Name: "no admin was created", URL: "/v1/admin/setup", Status: 200, Equal: `{"needed":true}`}
	servertest.Run(t, []servertest.Scenario{
		{Name: "needed without an admin account", URL: "/v1/admin/setup", Status: 200, Equal: `{"needed":true}`},
		{Name: "not needed once one exists", URL: "/v1/admin/setup",
			Before: func(tb testing.TB, s *servertest.Server, _ *servertest.Request) { createRoot(tb, s) },
			Status: 200, Equal: `{"needed":false}`},
		{Name: "setup signs the new admin in", Method: "POST", URL: setup.URL, Body: setup.Body,
			Status: 200, Want: `{"token_type":"Bearer","expires_in":3600,"admin":{"email":"owner@example.com"}}`,
			After: func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
				hasTokens(tb, s, r)
				s.Do(tb, servertest.Request{URL: "/v1/admin/users", As: bearer(r)}).Expect(tb, 200, `{"total":0}`)
				s.Do(tb, servertest.Request{URL: "/v1/admin/setup"}).Expect(tb, 200, `{"needed":false}`)
				signIn(tb, s, servertest.Visitor, "/v1/auth/admin/login", `{"email":"owner@example.com","password":"owner password"}`)
			}},
		{Name: "a second setup is refused", Method: "POST", URL: setup.URL, Setup: []servertest.Request{setup},
			Body:   `{"adminKey":"` + servertest.AdminKey + `","email":"intruder@example.com","password":"intruder password"}`,
			Status: 409, Want: `{"code":"ADMIN_EXISTS","errCode":-501007}`,
			After: func(tb testing.TB, s *servertest.Server, _ *servertest.Response) {
				s.Do(tb, post("/v1/auth/admin/login", `{"email":"intruder@example.com","password":"intruder password"}`)).
					Expect(tb, 401, `{"code":"INVALID_CREDENTIALS"}`)
			}},
		{Name: "also after a CLI-created admin", Method: "POST", URL: setup.URL, Body: setup.Body,
			Before: func(tb testing.TB, s *servertest.Server, _ *servertest.Request) { createRoot(tb, s) },
			Status: 409, Want: `{"code":"ADMIN_EXISTS"}`},
		{Name: "a wrong admin key", Method: "POST", URL: setup.URL,
			Body:   `{"adminKey":"not-the-key-0123456789","email":"owner@example.com","password":"owner password"}`,
			Status: 403, Want: `{"code":"PERMISSION_DENIED","message":"the admin key is not valid (it was printed once when the server first started, or is MINIBASE_ADMIN_KEY)"}`,
			After: servertest.Then(noAdmin)},
		{Name: "no admin key", Method: "POST", URL: setup.URL, Body: `{"email":"owner@example.com","password":"owner password"}`,
			Status: 403, Want: `{"code":"PERMISSION_DENIED"}`, After: servertest.Then(noAdmin)},
		{Name: "a weak password", Method: "POST", URL: setup.URL,
			Body:   `{"adminKey":"` + servertest.AdminKey + `","email":"owner@example.com","password":"short"}`,
			Status: 400, Want: `{"code":"INVALID_PARAM"}`, After: servertest.Then(noAdmin)},
		{Name: "a bad email", Method: "POST", URL: setup.URL,
			Body:   `{"adminKey":"` + servertest.AdminKey + `","email":"not an email","password":"owner password"}`,
			Status: 400, Want: `{"code":"INVALID_PARAM"}`, After: servertest.Then(noAdmin)},
		{Name: "a malformed body", Method: "POST", URL: setup.URL, Body: `{"adminKey":`,
			Status: 400, Want: `{"code":"INVALID_PARAM"}`, After: servertest.Then(noAdmin)},
		{Name: "an oversized body", Method: "POST", URL: setup.URL, Body: `{"adminKey":"` + strings.Repeat("k", 70<<10) + `"}`,
			Status: 413, After: servertest.Then(noAdmin)},
	})
}

// TestSetupLockout: guesses at the admin key are limited as password
// guesses are; the right key from the same address waits too.
func TestSetupLockout(t *testing.T) {
	s := servertest.New(t, servertest.Options{Env: map[string]string{"MINIBASE_RATE_LIMITS": "login.account_ip=3/h"}})
	wrong := post("/v1/admin/setup", `{"adminKey":"guess-0123456789abcdef","email":"x@example.com","password":"guess password"}`)
	for range 3 {
		s.Do(t, wrong).Expect(t, 403, `{"code":"PERMISSION_DENIED"}`)
	}
	r := s.Do(t, wrong)
	r.Expect(t, 429, `{"code":"EXCEED_REQUEST_LIMIT"}`)
	if r.Header.Get("Retry-After") == "" {
		t.Errorf("a locked-out setup has no Retry-After: %v", r.Header)
	}
	s.Do(t, post("/v1/admin/setup", setupBody)).Expect(t, 429, `{"code":"EXCEED_REQUEST_LIMIT"}`)
	s.Do(t, servertest.Request{URL: "/v1/admin/setup"}).Expect(t, 200, `{"needed":true}`)
}

// TestAdminSessions: admin access tokens live admin.sessionMinutes (60 by
// default), refresh tokens 7 days; logout ends both.
func TestAdminSessions(t *testing.T) {
	clock := servertest.NewClock(time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC))
	s := servertest.New(t, servertest.Options{Clock: clock})
	a := signIn(t, s, servertest.Visitor, "/v1/admin/setup", setupBody)
	a.Expect(t, 200, `{"expires_in":3600}`)
	users := servertest.Request{URL: "/v1/admin/users", As: bearer(a)}
	s.Do(t, users).Expect(t, 200, "")

	clock.Add(61 * time.Minute)
	s.Do(t, users).Expect(t, 401, `{"code":"ACCESS_TOKEN_EXPIRED"}`)
	b := signIn(t, s, servertest.Visitor, "/v1/auth/refresh", refreshBody(a.Str("refresh_token")))
	b.Expect(t, 200, `{"expires_in":3600,"admin":{"email":"owner@example.com"}}`)
	s.Do(t, servertest.Request{URL: "/v1/admin/users", As: bearer(b)}).Expect(t, 200, "")

	// Logout revokes the refresh token and the access token at once.
	s.Do(t, post("/v1/auth/logout", refreshBody(b.Str("refresh_token")))).Expect(t, 200, `{"ok":true}`)
	s.Do(t, servertest.Request{URL: "/v1/admin/users", As: bearer(b)}).Expect(t, 401, `{"code":"ACCESS_TOKEN_REVOKED"}`)
	s.Do(t, post("/v1/auth/refresh", refreshBody(b.Str("refresh_token")))).Expect(t, 401, `{"code":"INVALID_REFRESH_TOKEN"}`)

	// An admin refresh token lasts 7 days, not the users' 30.
	c := signIn(t, s, servertest.Visitor, "/v1/auth/admin/login", `{"email":"owner@example.com","password":"owner password"}`)
	clock.Add(7*24*time.Hour + time.Minute)
	s.Do(t, post("/v1/auth/refresh", refreshBody(c.Str("refresh_token")))).Expect(t, 401, `{"code":"REFRESH_TOKEN_EXPIRED"}`)
}
