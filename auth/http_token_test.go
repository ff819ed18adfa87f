//go:build !minibase_fuzz

package auth_test

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"minibase/server/servertest"

	"github.com/golang-jwt/jwt/v5"
)

// refreshAs is a Before sending id's refresh token.
func refreshAs(id servertest.Identity) func(testing.TB, *servertest.Server, *servertest.Request) {
	return func(tb testing.TB, s *servertest.Server, r *servertest.Request) {
		r.Body = refreshBody(s.Session(tb, id).RefreshToken)
	}
}

// TestRefreshRotation: a refresh token works once; the new one differs;
// presenting a used one revokes the whole family.
func TestRefreshRotation(t *testing.T) {
	scenarios := []servertest.Scenario{
		{Name: "refresh rotates the token, for the same user", Method: "POST", URL: "/v1/auth/refresh", Before: refreshAs(alice),
			Status: 200, Want: `{"token_type":"Bearer"}`,
			After: func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
				hasTokens(tb, s, r)
				first := s.Session(tb, alice)
				if r.Str("refresh_token") == first.RefreshToken || r.Str("user.uid") != first.UID {
					tb.Fatalf("refresh must rotate the token for the same user: %s", r.Body)
				}
				s.Do(tb, servertest.Request{URL: "/v1/auth/me", As: bearer(r)}).Expect(tb, 200, "") // the new access token works
			}},
	}
	for _, bad := range []string{"", "nonsense", strings.Repeat("A", 43), strings.Repeat("x", 5000)} {
		scenarios = append(scenarios, servertest.Scenario{Name: "unknown token " + bad[:min(len(bad), 10)], Method: "POST",
			URL: "/v1/auth/refresh", Body: refreshBody(bad), Status: 401, Want: `{"code":"INVALID_REFRESH_TOKEN"}`})
	}
	servertest.Run(t, scenarios)

	t.Run("reuse of a used token revokes its family", func(t *testing.T) {
		s := servertest.New(t, servertest.Options{})
		first := s.Session(t, alice)
		second := signIn(t, s, servertest.Visitor, "/v1/auth/refresh", refreshBody(first.RefreshToken))
		third := signIn(t, s, servertest.Visitor, "/v1/auth/refresh", refreshBody(second.Str("refresh_token")))
		s.Do(t, post("/v1/auth/refresh", refreshBody(first.RefreshToken))).
			Expect(t, 401, `{"code":"INVALID_REFRESH_TOKEN","errCode":-501007}`)
		// The family is revoked: its newest token too.
		s.Do(t, post("/v1/auth/refresh", refreshBody(third.Str("refresh_token")))).Expect(t, 401, `{"code":"INVALID_REFRESH_TOKEN"}`)
	})
	t.Run("another sign-in of the same account is a separate family, untouched", func(t *testing.T) {
		s := servertest.New(t, servertest.Options{})
		u := signIn(t, s, servertest.Visitor, "/v1/auth/signup", `{"username":"ivan","password":"password1"}`)
		l := signIn(t, s, servertest.Visitor, "/v1/auth/login", `{"username":"ivan","password":"password1"}`)
		signIn(t, s, servertest.Visitor, "/v1/auth/refresh", refreshBody(u.Str("refresh_token")))
		s.Do(t, post("/v1/auth/refresh", refreshBody(u.Str("refresh_token")))).Expect(t, 401, "") // reuse: revokes u's family
		signIn(t, s, servertest.Visitor, "/v1/auth/refresh", refreshBody(l.Str("refresh_token")))
	})
}

// TestRefreshExpiryAndLogout: each refresh renews the refresh token's
// lifetime (MINIBASE_REFRESH_TTL); one unused that long has expired. A
// logged-out refresh token is refused; logging out twice is harmless.
func TestRefreshExpiryAndLogout(t *testing.T) {
	t.Run("expiry", func(t *testing.T) {
		clk := servertest.NewClock(time.Now())
		s := servertest.New(t, servertest.Options{Clock: clk, Env: map[string]string{"MINIBASE_REFRESH_TTL": "48h"}})
		a := s.Session(t, alice)
		clk.Add(47 * time.Hour)
		b := signIn(t, s, servertest.Visitor, "/v1/auth/refresh", refreshBody(a.RefreshToken))
		clk.Add(47 * time.Hour) // each refresh renews the lifetime
		c := signIn(t, s, servertest.Visitor, "/v1/auth/refresh", refreshBody(b.Str("refresh_token")))
		clk.Add(48 * time.Hour)
		s.Do(t, post("/v1/auth/refresh", refreshBody(c.Str("refresh_token")))).
			Expect(t, 401, `{"code":"REFRESH_TOKEN_EXPIRED","errCode":-501007}`)
	})
	servertest.Run(t, []servertest.Scenario{
		{Name: "logout", Method: "POST", URL: "/v1/auth/logout", Before: refreshAs(alice), Status: 200, Equal: `{"ok":true}`},
		{Name: "refresh after logout", Method: "POST", URL: "/v1/auth/refresh",
			Before: func(tb testing.TB, s *servertest.Server, r *servertest.Request) {
				refreshAs(alice)(tb, s, r)
				s.Do(tb, post("/v1/auth/logout", r.Body.(string))).Expect(tb, 200, "")
			},
			Status: 401, Want: `{"code":"INVALID_REFRESH_TOKEN"}`},
		{Name: "logout again is harmless", Method: "POST", URL: "/v1/auth/logout",
			Before: func(tb testing.TB, s *servertest.Server, r *servertest.Request) {
				refreshAs(alice)(tb, s, r)
				s.Do(tb, post("/v1/auth/logout", r.Body.(string))).Expect(tb, 200, "")
			},
			Status: 200, Equal: `{"ok":true}`},
	})
}

// TestDisabledUser: a disabled user cannot refresh (so its access tokens
// die at expiry) or sign in; enabled again, it can sign in.
func TestDisabledUser(t *testing.T) {
	judy := servertest.User("judy", "password1")
	// patchJudy is a Before sending the request to judy's user, after
	// patches (admin PATCH bodies) applied in order.
	patchJudy := func(patches ...string) func(testing.TB, *servertest.Server, *servertest.Request) {
		return func(tb testing.TB, s *servertest.Server, r *servertest.Request) {
			uid := s.Session(tb, judy).UID
			for _, p := range patches {
				s.Do(tb, byAdmin("PATCH", "/v1/admin/users/"+uid, p)).Expect(tb, 200, "")
			}
			r.URL = strings.ReplaceAll(r.URL, "{uid}", uid)
			if r.Body == "{refresh}" {
				r.Body = refreshBody(s.Session(tb, judy).RefreshToken)
			}
		}
	}
	const judyLogin = `{"username":"judy","password":"password1"}`
	servertest.Run(t, []servertest.Scenario{
		{Name: "disable", Method: "PATCH", URL: "/v1/admin/users/{uid}", Body: `{"disabled":true}`, As: asAdmin,
			Before: patchJudy(), Status: 200, Want: `{"user":{"disabled":true}}`},
		{Name: "a disabled user cannot refresh", Method: "POST", URL: "/v1/auth/refresh", Body: "{refresh}",
			Before: patchJudy(`{"disabled":true}`), Status: 401, Want: `{"code":"INVALID_REFRESH_TOKEN"}`},
		{Name: "nor log in", Method: "POST", URL: "/v1/auth/login", Body: judyLogin,
			Before: patchJudy(`{"disabled":true}`), Status: 401, Want: `{"code":"INVALID_CREDENTIALS"}`},
		{Name: "enable", Method: "PATCH", URL: "/v1/admin/users/{uid}", Body: `{"disabled":false}`, As: asAdmin,
			Before: patchJudy(`{"disabled":true}`), Status: 200,
			After: func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
				r.Expect(tb, 200, `{"user":{"uid":"`+s.Session(tb, judy).UID+`"}}`)
			}},
		{Name: "enabled again, it logs in", Method: "POST", URL: "/v1/auth/login", Body: judyLogin,
			Before: patchJudy(`{"disabled":true}`, `{"disabled":false}`), Status: 200, After: hasTokens},
	})
}

// forge returns a JWT over claims signed as alg with key (nil key for "none").
func forge(tb testing.TB, method jwt.SigningMethod, claims jwt.MapClaims, key any) string {
	tb.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// tamper replaces a claim in a token's payload, keeping its signature.
func tamper(tb testing.TB, token, claim string, value any) string {
	tb.Helper()
	parts := strings.Split(token, ".")
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		tb.Fatal(err)
	}
	var c map[string]any
	json.Unmarshal(raw, &c)
	c[claim] = value
	b, _ := json.Marshal(c)
	parts[1] = base64.RawURLEncoding.EncodeToString(b)
	return strings.Join(parts, ".")
}

// forgeries are access tokens that are not the server's, made from a real
// one of uid's (tok) and a key of the forger's.
func forgeries(tb testing.TB, tok, uid string) map[string]string {
	now := time.Now().Unix()
	claims := jwt.MapClaims{"sub": uid, "openid": uid, "role": "user", "lt": "ANONYMOUS", "iat": now, "exp": now + 3600}
	otherKey := make([]byte, 32)
	rand.Read(otherKey)
	return map[string]string{
		"alg none":                forge(tb, jwt.SigningMethodNone, claims, jwt.UnsafeAllowNoneSignatureType),
		"another key":             forge(tb, jwt.SigningMethodHS256, claims, otherKey),
		"HS512 with another key":  forge(tb, jwt.SigningMethodHS512, claims, otherKey),
		"tampered sub":            tamper(tb, tok, "sub", "0123456789abcdef0123456789abcdef"),
		"tampered role":           tamper(tb, tok, "role", "admin"),
		"tampered exp":            tamper(tb, tok, "exp", now+1e6),
		"malformed":               "abc.def.ghi",
		"two parts":               strings.Join(strings.Split(tok, ".")[:2], "."),
		"signature of another":    strings.Join(append(strings.Split(tok, ".")[:2], "AAAA"), "."),
		"an admin key lookalike":  "mbk_" + strings.Repeat("A", 43),
		"no Bearer token":         " ",
		"admin role, another key": forge(tb, jwt.SigningMethodHS256, jwt.MapClaims{"sub": "x", "role": "admin", "iat": now, "exp": now + 3600}, otherKey),
	}
}

// TestAccessTokens: expired and forged access tokens are refused on every
// route; a stale token does not block refresh or sign-in.
func TestAccessTokens(t *testing.T) {
	notes := []servertest.Request{byAdmin("POST", "/v1/admin/collections", `{"name":"notes"}`)}
	t.Run("forged", func(t *testing.T) {
		// Requests with forged tokens change nothing: one server for all.
		s := servertest.New(t, servertest.Options{})
		for _, r := range notes {
			s.Do(t, r).Expect(t, 200, "")
		}
		se := s.Session(t, alice)
		for name, bad := range forgeries(t, se.AccessToken, se.UID) {
			t.Run(name, func(t *testing.T) {
				for _, path := range []string{"/v1/auth/me", "/v1/db/notes/docs/x", "/v1/admin/users"} {
					s.Run(t, servertest.Scenario{URL: path, As: servertest.Bearer(bad), Status: 401,
						Want: `{"code":"INVALID_ACCESS_TOKEN","errCode":-501007}`})
				}
			})
		}
	})
	// expired is a Before sending alice's access token once it has expired.
	expired := func(clk *servertest.Clock) func(testing.TB, *servertest.Server, *servertest.Request) {
		return func(tb testing.TB, s *servertest.Server, r *servertest.Request) {
			s.Do(tb, servertest.Request{URL: "/v1/auth/me", As: alice}).Expect(tb, 200, "") // valid
			clk.Add(2*time.Hour + time.Second)
			r.As = servertest.Bearer(s.Session(tb, alice).AccessToken)
			if r.Body == "{refresh}" {
				r.Body = refreshBody(s.Session(tb, alice).RefreshToken)
			}
		}
	}
	clk1, clk2 := servertest.NewClock(time.Now()), servertest.NewClock(time.Now())
	servertest.Run(t, []servertest.Scenario{
		{Name: "valid", Setup: notes, URL: "/v1/auth/me", As: alice, Status: 200},
		{Name: "expired", Options: servertest.Options{Clock: clk1}, Setup: notes, URL: "/v1/db/notes/docs/x",
			Before: expired(clk1), Status: 401, Want: `{"code":"ACCESS_TOKEN_EXPIRED","errCode":-501007}`},
		{Name: "an expired token does not block refresh", Options: servertest.Options{Clock: clk2}, Method: "POST",
			URL: "/v1/auth/refresh", Body: "{refresh}", Before: expired(clk2), Status: 200,
			After: func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
				hasTokens(tb, s, r)
				s.Do(tb, servertest.Request{URL: "/v1/auth/me", As: bearer(r)}).
					Expect(tb, 200, `{"user":{"uid":"`+s.Session(tb, alice).UID+`"}}`)
			}},
		{Name: "a forged token does not block sign-in", Method: "POST", URL: "/v1/auth/anonymous", Body: `{}`,
			Before: func(tb testing.TB, s *servertest.Server, r *servertest.Request) {
				se := s.Session(tb, alice)
				r.As = servertest.Bearer(forgeries(tb, se.AccessToken, se.UID)["alg none"])
			},
			Status: 200, After: hasTokens},
	})
}
