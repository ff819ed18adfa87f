package server

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func refreshBody(token string) string { return `{"refresh_token":"` + token + `"}` }

// TestRefreshRotation: a refresh token works once; the new one differs;
// presenting a used one revokes the whole family.
func TestRefreshRotation(t *testing.T) {
	m, _ := newAuthMain(t, nil)
	first := m.signIn(t, "/v1/auth/anonymous", "", `{}`)
	second := m.signIn(t, "/v1/auth/refresh", "", refreshBody(first.str("refresh_token")))
	if second.str("refresh_token") == first.str("refresh_token") || second.str("user.uid") != first.str("user.uid") {
		t.Fatalf("refresh must rotate the token for the same user: %s", second.raw)
	}
	expect(t, "the new access token works", m.do(t, "GET", "/v1/auth/me", second.str("access_token"), ""), 200, "")
	third := m.signIn(t, "/v1/auth/refresh", "", refreshBody(second.str("refresh_token")))
	reuse := m.do(t, "POST", "/v1/auth/refresh", "", refreshBody(first.str("refresh_token")))
	expect(t, "reuse of a used token", reuse, 401, `{"code":"INVALID_REFRESH_TOKEN","errCode":-501007}`)
	expect(t, "the family is revoked: its newest token too", m.do(t, "POST", "/v1/auth/refresh", "", refreshBody(third.str("refresh_token"))),
		401, `{"code":"INVALID_REFRESH_TOKEN"}`)
	for _, bad := range []string{"", "nonsense", strings.Repeat("A", 43), strings.Repeat("x", 5000)} {
		expect(t, "unknown token", m.do(t, "POST", "/v1/auth/refresh", "", refreshBody(bad)), 401, `{"code":"INVALID_REFRESH_TOKEN"}`)
	}
	// Another sign-in of the same account is a separate family, untouched.
	u := m.signIn(t, "/v1/auth/signup", "", `{"username":"ivan","password":"password1"}`)
	l := m.signIn(t, "/v1/auth/login", "", `{"username":"ivan","password":"password1"}`)
	m.signIn(t, "/v1/auth/refresh", "", refreshBody(u.str("refresh_token")))
	m.do(t, "POST", "/v1/auth/refresh", "", refreshBody(u.str("refresh_token"))) // reuse: revokes u's family
	m.signIn(t, "/v1/auth/refresh", "", refreshBody(l.str("refresh_token")))
}

func TestRefreshExpiryAndLogout(t *testing.T) {
	m, clk := newAuthMain(t, func(c *Config) { c.Auth.RefreshTTL = 48 * time.Hour })
	a := m.signIn(t, "/v1/auth/anonymous", "", `{}`)
	clk.Add(47 * time.Hour)
	b := m.signIn(t, "/v1/auth/refresh", "", refreshBody(a.str("refresh_token")))
	clk.Add(47 * time.Hour) // each refresh renews the lifetime
	c := m.signIn(t, "/v1/auth/refresh", "", refreshBody(b.str("refresh_token")))
	clk.Add(48 * time.Hour)
	expect(t, "expired", m.do(t, "POST", "/v1/auth/refresh", "", refreshBody(c.str("refresh_token"))), 401,
		`{"code":"REFRESH_TOKEN_EXPIRED","errCode":-501007}`)

	d := m.signIn(t, "/v1/auth/anonymous", "", `{}`)
	expect(t, "logout", m.do(t, "POST", "/v1/auth/logout", "", refreshBody(d.str("refresh_token"))), 200, `{"ok":true}`)
	expect(t, "refresh after logout", m.do(t, "POST", "/v1/auth/refresh", "", refreshBody(d.str("refresh_token"))), 401,
		`{"code":"INVALID_REFRESH_TOKEN"}`)
	expect(t, "logout again is harmless", m.do(t, "POST", "/v1/auth/logout", "", refreshBody(d.str("refresh_token"))), 200, `{"ok":true}`)
}

// TestDisabledUser: a disabled user cannot refresh (so its access tokens
// die at expiry) or sign in; enabled again, it can sign in.
func TestDisabledUser(t *testing.T) {
	m, _ := newAuthMain(t, nil)
	u := m.signIn(t, "/v1/auth/signup", "", `{"username":"judy","password":"password1"}`)
	uid := u.str("user.uid")
	expect(t, "disable", m.do(t, "PATCH", "/v1/admin/users/"+uid, testKey, `{"disabled":true}`), 200, `{"user":{"disabled":true}}`)
	expect(t, "refresh", m.do(t, "POST", "/v1/auth/refresh", "", refreshBody(u.str("refresh_token"))), 401, `{"code":"INVALID_REFRESH_TOKEN"}`)
	expect(t, "login", m.do(t, "POST", "/v1/auth/login", "", `{"username":"judy","password":"password1"}`), 401, `{"code":"INVALID_CREDENTIALS"}`)
	expect(t, "enable", m.do(t, "PATCH", "/v1/admin/users/"+uid, testKey, `{"disabled":false}`), 200, `{"user":{"uid":"`+uid+`"}}`)
	m.signIn(t, "/v1/auth/login", "", `{"username":"judy","password":"password1"}`)
}

// forge returns a JWT over claims signed as alg with key (nil key for "none").
func forge(t *testing.T, method jwt.SigningMethod, claims jwt.MapClaims, key any) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// tamper replaces a claim in a token's payload, keeping its signature.
func tamper(t *testing.T, token, claim string, value any) string {
	t.Helper()
	parts := strings.Split(token, ".")
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	json.Unmarshal(raw, &c)
	c[claim] = value
	b, _ := json.Marshal(c)
	parts[1] = base64.RawURLEncoding.EncodeToString(b)
	return strings.Join(parts, ".")
}

// TestAccessTokens: expired and forged access tokens are refused on every
// route; a stale token does not block refresh or sign-in.
func TestAccessTokens(t *testing.T) {
	m, clk := newAuthMain(t, nil)
	expect(t, "create notes", m.do(t, "POST", "/v1/admin/collections", testKey, `{"name":"notes"}`), 200, "")
	u := m.signIn(t, "/v1/auth/anonymous", "", `{}`)
	tok, uid := u.str("access_token"), u.str("user.uid")
	now := time.Now().Unix()
	claims := jwt.MapClaims{"sub": uid, "openid": uid, "role": "user", "lt": "ANONYMOUS", "iat": now, "exp": now + 3600}
	otherKey := make([]byte, 32)
	rand.Read(otherKey)
	forged := map[string]string{
		"alg none":                forge(t, jwt.SigningMethodNone, claims, jwt.UnsafeAllowNoneSignatureType),
		"another key":             forge(t, jwt.SigningMethodHS256, claims, otherKey),
		"HS512 with another key":  forge(t, jwt.SigningMethodHS512, claims, otherKey),
		"tampered sub":            tamper(t, tok, "sub", "0123456789abcdef0123456789abcdef"),
		"tampered role":           tamper(t, tok, "role", "admin"),
		"tampered exp":            tamper(t, tok, "exp", now+1e6),
		"malformed":               "abc.def.ghi",
		"two parts":               strings.Join(strings.Split(tok, ".")[:2], "."),
		"signature of another":    strings.Join(append(strings.Split(tok, ".")[:2], "AAAA"), "."),
		"an admin key lookalike":  "mbk_" + strings.Repeat("A", 43),
		"no Bearer token":         " ",
		"admin role, another key": forge(t, jwt.SigningMethodHS256, jwt.MapClaims{"sub": "x", "role": "admin", "iat": now, "exp": now + 3600}, otherKey),
	}
	for name, bad := range forged {
		t.Run(name, func(t *testing.T) {
			for _, path := range []string{"/v1/auth/me", "/v1/db/notes/docs/x", "/v1/admin/users"} {
				a := m.do(t, "GET", path, bad, "")
				expect(t, path, a, 401, `{"code":"INVALID_ACCESS_TOKEN","errCode":-501007}`)
			}
		})
	}
	expect(t, "valid", m.do(t, "GET", "/v1/auth/me", tok, ""), 200, "")
	clk.Add(2*time.Hour + time.Second)
	expired := m.do(t, "GET", "/v1/db/notes/docs/x", tok, "")
	expect(t, "expired", expired, 401, `{"code":"ACCESS_TOKEN_EXPIRED","errCode":-501007}`)
	fresh := m.signIn(t, "/v1/auth/refresh", tok, refreshBody(u.str("refresh_token")))
	expect(t, "refreshed", m.do(t, "GET", "/v1/auth/me", fresh.str("access_token"), ""), 200, `{"user":{"uid":"`+uid+`"}}`)
	m.signIn(t, "/v1/auth/anonymous", forged["alg none"], `{}`)
}

// TestRateLimits: over a limit, sign-ins get 429 EXCEED_REQUEST_LIMIT with
// Retry-After: wrong passwords at an account from an address, attempts
// from an address, anonymous sign-ins; they recover with time.
func TestRateLimits(t *testing.T) {
	m, clk := newAuthMain(t, func(c *Config) {
		if err := c.Auth.Limits.Parse("login.account_ip=2/m,login.ip=5/m,anonymous.ip=2/m,signup.ip=off"); err != nil {
			t.Fatal(err)
		}
	})
	m.signIn(t, "/v1/auth/signup", "", `{"username":"kim","password":"password1"}`)
	m.signIn(t, "/v1/auth/signup", "", `{"username":"lee","password":"password1"}`)
	m.signIn(t, "/v1/auth/login", "", `{"username":"kim","password":"password1"}`)
	expect(t, "a wrong password", m.do(t, "POST", "/v1/auth/login", "", `{"username":"kim","password":"nope nope"}`), 401, "")
	expect(t, "another", m.do(t, "POST", "/v1/auth/login", "", `{"username":"KIM","password":"nope nope"}`), 401, "")
	over := m.do(t, "POST", "/v1/auth/login", "", `{"username":"KiM","password":"password1"}`) // any case is the same account
	expect(t, "after 2 wrong passwords, even the right one", over, 429, `{"code":"EXCEED_REQUEST_LIMIT","errCode":-501003}`)
	if s, err := strconv.Atoi(over.header.Get("Retry-After")); err != nil || s < 1 || s > 60 {
		t.Errorf("Retry-After %q, want 1-60 seconds", over.header.Get("Retry-After"))
	}
	m.signIn(t, "/v1/auth/login", "", `{"username":"lee","password":"password1"}`) // another account: 5th from this IP
	expect(t, "sixth from the IP", m.do(t, "POST", "/v1/auth/login", "", `{"username":"lee","password":"password1"}`), 429, "")
	clk.Add(time.Minute)
	m.signIn(t, "/v1/auth/login", "", `{"username":"kim","password":"password1"}`)

	m.signIn(t, "/v1/auth/anonymous", "", `{}`)
	m.signIn(t, "/v1/auth/anonymous", "", `{}`)
	expect(t, "third anonymous", m.do(t, "POST", "/v1/auth/anonymous", "", `{}`), 429, `{"code":"EXCEED_REQUEST_LIMIT"}`)
}
