package server

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// claimsOf decodes an access token's payload (without verifying it).
func claimsOf(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestAdminUserEndpoints(t *testing.T) {
	m, clk := newAuthMain(t, nil)
	mallory := m.signIn(t, "/v1/auth/signup", "", `{"username":"mallory","password":"password1"}`)
	clk.Add(time.Second)
	nina := m.signIn(t, "/v1/auth/signup", "", `{"email":"nina@example.com","password":"password1"}`)
	clk.Add(time.Second)
	anon := m.signIn(t, "/v1/auth/anonymous", "", `{}`)
	nuid := nina.str("user.uid")

	// A user token or no token gets 403 on every admin endpoint.
	for _, who := range []string{mallory.str("access_token"), ""} {
		for _, r := range [][3]string{
			{"GET", "/v1/admin/users", ""}, {"GET", "/v1/admin/users/" + nuid, ""},
			{"PATCH", "/v1/admin/users/" + nuid, `{"disabled":true}`}, {"DELETE", "/v1/admin/users/" + nuid, ""},
			{"POST", "/v1/admin/users/" + nuid + "/revoke", ""}, {"POST", "/v1/admin/auth/ticket", `{"uid":"abcd"}`},
		} {
			expect(t, r[0]+" "+r[1], m.do(t, r[0], r[1], who, r[2]), 403, `{"code":"PERMISSION_DENIED"}`)
		}
	}
	expect(t, "nina is untouched", m.do(t, "GET", "/v1/admin/users/"+nuid, testKey, ""), 200, `{"user":{"email":"nina@example.com"}}`)

	list := m.do(t, "GET", "/v1/admin/users", testKey, "")
	expect(t, "list", list, 200, `{"total":3}`)
	if data := list.body["data"].([]any); data[0].(map[string]any)["uid"] != anon.str("user.uid") {
		t.Errorf("list: want newest first: %s", list.raw)
	}
	for q, want := range map[string]int{"MAL": 1, "nina@": 1, "n": 1, nuid[:6]: 1, "zz": 0, "": 3} {
		a := m.do(t, "GET", "/v1/admin/users?q="+q, testKey, "")
		if a.status != 200 || int(a.body["total"].(float64)) != want || len(a.body["data"].([]any)) != want {
			t.Errorf("search %q: want %d users: %s", q, want, a.raw)
		}
	}
	page := m.do(t, "GET", "/v1/admin/users?limit=1&offset=1", testKey, "")
	if data := page.body["data"].([]any); len(data) != 1 || data[0].(map[string]any)["uid"] != nuid {
		t.Errorf("page 2 of 1: want nina: %s", page.raw)
	}
	for _, bad := range []string{"?limit=-1", "?limit=501", "?offset=x", "?q=" + strings.Repeat("a", 200)} {
		expect(t, "bad "+bad, m.do(t, "GET", "/v1/admin/users"+bad, testKey, ""), 400, `{"code":"INVALID_PARAM"}`)
	}
	expect(t, "missing user", m.do(t, "GET", "/v1/admin/users/nope", testKey, ""), 404, `{"code":"USER_NOT_FOUND","errCode":-1}`)

	// Claims reach the access token at the next refresh.
	expect(t, "set claims", m.do(t, "PATCH", "/v1/admin/users/"+nuid, testKey, `{"claims":{"roles":["editor"]}}`), 200,
		`{"user":{"claims":{"roles":["editor"]}}}`)
	r := m.signIn(t, "/v1/auth/refresh", "", refreshBody(nina.str("refresh_token")))
	if c := claimsOf(t, r.str("access_token")); c["claims"] == nil || c["sub"] != nuid || c["role"] != "user" || c["lt"] != "EMAIL" || c["sid"] == "" {
		t.Errorf("access token claims: %v", c)
	}
	expect(t, "claims too big", m.do(t, "PATCH", "/v1/admin/users/"+nuid, testKey, `{"claims":{"x":"`+strings.Repeat("a", 5000)+`"}}`), 400, "")
	expect(t, "claims not an object", m.do(t, "PATCH", "/v1/admin/users/"+nuid, testKey, `{"claims":[1]}`), 400, "")
	expect(t, "clear claims", m.do(t, "PATCH", "/v1/admin/users/"+nuid, testKey, `{"claims":null}`), 200, "")
	if got := m.do(t, "GET", "/v1/admin/users/"+nuid, testKey, ""); strings.Contains(got.raw, "claims") {
		t.Errorf("claims not cleared: %s", got.raw)
	}

	// Revoke ends every session of the user.
	second := m.signIn(t, "/v1/auth/login", "", `{"email":"nina@example.com","password":"password1"}`)
	expect(t, "revoke", m.do(t, "POST", "/v1/admin/users/"+nuid+"/revoke", testKey, ""), 200, `{"ok":true,"revoked":3}`)
	for _, tok := range []string{r.str("refresh_token"), second.str("refresh_token")} {
		expect(t, "refresh after revoke", m.do(t, "POST", "/v1/auth/refresh", "", refreshBody(tok)), 401, `{"code":"INVALID_REFRESH_TOKEN"}`)
	}

	// Delete removes the user and its sessions.
	expect(t, "delete", m.do(t, "DELETE", "/v1/admin/users/"+mallory.str("user.uid"), testKey, ""), 200, `{"ok":true}`)
	expect(t, "delete again", m.do(t, "DELETE", "/v1/admin/users/"+mallory.str("user.uid"), testKey, ""), 404, `{"code":"USER_NOT_FOUND"}`)
	expect(t, "deleted user refresh", m.do(t, "POST", "/v1/auth/refresh", "", refreshBody(mallory.str("refresh_token"))), 401, "")
	expect(t, "deleted user login", m.do(t, "POST", "/v1/auth/login", "", `{"username":"mallory","password":"password1"}`), 401, "")
	expect(t, "deleted user me", m.do(t, "GET", "/v1/auth/me", mallory.str("access_token"), ""), 401, `{"code":"ACCESS_TOKEN_REVOKED"}`)
	m.signIn(t, "/v1/auth/signup", "", `{"username":"mallory","password":"password1"}`) // the name is free again
}

// TestAdminAccounts: an admin account (created as by the CLI) signs in and
// gets admin tokens that work on admin endpoints and refresh.
func TestAdminAccounts(t *testing.T) {
	m, _ := newAuthMain(t, nil)
	if _, err := m.auth.CreateAdmin(context.Background(), "Root@Example.com", "admin password"); err != nil {
		t.Fatal(err)
	}
	a := m.signIn(t, "/v1/auth/admin/login", "", `{"email":"root@example.com","password":"admin password"}`)
	expect(t, "admin login", a, 200, `{"admin":{"email":"root@example.com"}}`)
	if a.body["user"] != nil || claimsOf(t, a.str("access_token"))["role"] != "admin" {
		t.Errorf("admin tokens: %s", a.raw)
	}
	tok := a.str("access_token")
	expect(t, "admin lists users", m.do(t, "GET", "/v1/admin/users", tok, ""), 200, `{"total":0}`)
	expect(t, "admin manages collections", m.do(t, "POST", "/v1/admin/collections", tok, `{"name":"things"}`), 200, "")
	expect(t, "admin me", m.do(t, "GET", "/v1/auth/me", tok, ""), 200, `{"admin":{"email":"root@example.com"}}`)
	r := m.signIn(t, "/v1/auth/refresh", "", refreshBody(a.str("refresh_token")))
	expect(t, "refreshed admin token", m.do(t, "GET", "/v1/admin/users", r.str("access_token"), ""), 200, "")
	wrong := m.do(t, "POST", "/v1/auth/admin/login", "", `{"email":"root@example.com","password":"wrong password"}`)
	unknown := m.do(t, "POST", "/v1/auth/admin/login", "", `{"email":"nobody@example.com","password":"admin password"}`)
	expect(t, "wrong admin password", wrong, 401, `{"code":"INVALID_CREDENTIALS"}`)
	if unknown.raw != wrong.raw {
		t.Errorf("unknown admin %s differs from wrong password %s", unknown.raw, wrong.raw)
	}
	user := m.signIn(t, "/v1/auth/signup", "", `{"email":"root@example.com","password":"admin password"}`)
	expect(t, "a user with the admin's email is no admin", m.do(t, "GET", "/v1/admin/users", user.str("access_token"), ""), 403, "")
}
