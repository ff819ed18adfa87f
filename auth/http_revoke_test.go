//go:build !minibase_fuzz

package auth_test

import (
	"testing"

	"minibase/server/servertest"
)

// revokeCase is one way a sign-in ends: event ends it and returns the
// access tokens that must now be refused and those (of the same account,
// or of its new sign-in) that must keep working.
type revokeCase struct {
	name  string
	event func(t *testing.T, s *servertest.Server, g *smsGateway) (dead, live []string)
}

// used makes a request with each token, so that the verifier has cached
// them before the event: the cache must not outlive a revocation.
func used(t *testing.T, s *servertest.Server, tokens ...string) {
	t.Helper()
	for _, tok := range tokens {
		s.Do(t, servertest.Request{URL: "/v1/auth/me", As: servertest.Bearer(tok)}).Expect(t, 200, "")
	}
}

// tokens are the access tokens of sign-ins' answers.
func tokens(rs ...*servertest.Response) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Str("access_token"))
	}
	return out
}

var revokeCases = []revokeCase{
	{"logout ends that sign-in only", func(t *testing.T, s *servertest.Server, _ *smsGateway) ([]string, []string) {
		a := signIn(t, s, servertest.Visitor, "/v1/auth/signup", `{"username":"rv_logout","password":"password1"}`)
		b := signIn(t, s, servertest.Visitor, "/v1/auth/login", `{"username":"rv_logout","password":"password1"}`)
		used(t, s, tokens(a, b)...)
		s.Do(t, post("/v1/auth/logout", refreshBody(a.Str("refresh_token")))).Expect(t, 200, "")
		return tokens(a), tokens(b)
	}},
	{"reuse of a used refresh token ends its family only", func(t *testing.T, s *servertest.Server, _ *smsGateway) ([]string, []string) {
		a := signIn(t, s, servertest.Visitor, "/v1/auth/signup", `{"username":"rv_reuse","password":"password1"}`)
		b := signIn(t, s, servertest.Visitor, "/v1/auth/login", `{"username":"rv_reuse","password":"password1"}`)
		a2 := signIn(t, s, servertest.Visitor, "/v1/auth/refresh", refreshBody(a.Str("refresh_token")))
		used(t, s, tokens(a, a2, b)...)
		s.Do(t, post("/v1/auth/refresh", refreshBody(a.Str("refresh_token")))).Expect(t, 401, `{"code":"INVALID_REFRESH_TOKEN"}`)
		return tokens(a, a2), tokens(b)
	}},
	{"an admin's revoke ends every sign-in; a new one works", func(t *testing.T, s *servertest.Server, _ *smsGateway) ([]string, []string) {
		a := signIn(t, s, servertest.Visitor, "/v1/auth/signup", `{"username":"rv_revoke","password":"password1"}`)
		b := signIn(t, s, servertest.Visitor, "/v1/auth/login", `{"username":"rv_revoke","password":"password1"}`)
		used(t, s, tokens(a, b)...)
		s.Do(t, byAdmin("POST", "/v1/admin/users/"+a.Str("user.uid")+"/revoke", "")).Expect(t, 200, "")
		c := signIn(t, s, servertest.Visitor, "/v1/auth/login", `{"username":"rv_revoke","password":"password1"}`)
		return tokens(a, b), tokens(c)
	}},
	{"disabling a user ends its sign-ins", func(t *testing.T, s *servertest.Server, _ *smsGateway) ([]string, []string) {
		a := signIn(t, s, servertest.Visitor, "/v1/auth/signup", `{"username":"rv_disable","password":"password1"}`)
		used(t, s, tokens(a)...)
		s.Do(t, byAdmin("PATCH", "/v1/admin/users/"+a.Str("user.uid"), `{"disabled":true}`)).Expect(t, 200, "")
		return tokens(a), nil
	}},
	{"deleting a user ends its sign-ins", func(t *testing.T, s *servertest.Server, _ *smsGateway) ([]string, []string) {
		a := signIn(t, s, servertest.Visitor, "/v1/auth/anonymous", `{}`)
		used(t, s, tokens(a)...)
		s.Do(t, byAdmin("DELETE", "/v1/admin/users/"+a.Str("user.uid"), "")).Expect(t, 200, "")
		return tokens(a), nil
	}},
	{"an anonymous account upgraded by signup: the anonymous sign-in ends", func(t *testing.T, s *servertest.Server, _ *smsGateway) ([]string, []string) {
		a := signIn(t, s, servertest.Visitor, "/v1/auth/anonymous", `{}`)
		used(t, s, tokens(a)...)
		up := signIn(t, s, bearer(a), "/v1/auth/signup", `{"username":"rv_upgrade","password":"password1"}`)
		return tokens(a), tokens(up)
	}},
	{"an anonymous account linked to a ticket: the anonymous sign-in ends", func(t *testing.T, s *servertest.Server, _ *smsGateway) ([]string, []string) {
		a := signIn(t, s, servertest.Visitor, "/v1/auth/anonymous", `{}`)
		used(t, s, tokens(a)...)
		up := signIn(t, s, bearer(a), "/v1/auth/ticket", `{"ticket":"`+issue(t, s, "rv_ticket")+`"}`)
		up.Expect(t, 200, `{"user":{"uid":"`+a.Str("user.uid")+`","loginType":"CUSTOM"}}`) // linked
		return tokens(a), tokens(up)
	}},
	{"a code proving an unverified phone ends the password's sign-ins", func(t *testing.T, s *servertest.Server, g *smsGateway) ([]string, []string) {
		squatter := signIn(t, s, servertest.Visitor, "/v1/auth/signup", `{"phone":"13900000001","password":"squatter pw"}`)
		used(t, s, tokens(squatter)...)
		s.Do(t, post("/v1/auth/otp/send", `{"phone":"13900000001"}`)).Expect(t, 200, "")
		owner := signIn(t, s, servertest.Visitor, "/v1/auth/otp/verify", `{"phone":"13900000001","code":"`+g.last("13900000001")+`"}`)
		return tokens(squatter), tokens(owner)
	}},
	{"an admin account's logout ends that sign-in only", func(t *testing.T, s *servertest.Server, _ *smsGateway) ([]string, []string) {
		createRoot(t, s)
		a := signIn(t, s, servertest.Visitor, "/v1/auth/admin/login", rootLogin)
		b := signIn(t, s, servertest.Visitor, "/v1/auth/admin/login", rootLogin)
		used(t, s, tokens(a, b)...)
		s.Do(t, post("/v1/auth/logout", refreshBody(a.Str("refresh_token")))).Expect(t, 200, "")
		return tokens(a), tokens(b)
	}},
}

// TestRevokedAccessTokens: once a sign-in ends, its access tokens (cached
// by the verifier or not) are refused at once with 401
// ACCESS_TOKEN_REVOKED, on reads, writes and admin endpoints alike, while
// the account's other sign-ins keep working; a restart on the same data
// directory keeps it so.
func TestRevokedAccessTokens(t *testing.T) {
	check := func(t *testing.T, s *servertest.Server, dead, live []string) {
		t.Helper()
		const revoked = `{"code":"ACCESS_TOKEN_REVOKED","errCode":-501007}`
		for _, tok := range dead {
			as := servertest.Bearer(tok)
			s.Do(t, servertest.Request{URL: "/v1/auth/me", As: as}).Expect(t, 401, revoked)
			s.Do(t, servertest.Request{Method: "POST", URL: "/v1/db/notes/insert", Body: `{"data":{"by":"a revoked token"}}`, As: as}).
				Expect(t, 401, revoked)
			s.Do(t, servertest.Request{URL: "/v1/admin/users", As: as}).Expect(t, 401, revoked) // an admin endpoint
		}
		for _, tok := range live { // another sign-in
			s.Do(t, servertest.Request{URL: "/v1/auth/me", As: servertest.Bearer(tok)}).Expect(t, 200, "")
		}
		// No revoked token wrote.
		s.Do(t, byAdmin("POST", "/v1/db/notes/count", `{}`)).Expect(t, 200, `{"total":0}`)
	}
	for _, tc := range revokeCases {
		t.Run(tc.name, func(t *testing.T) {
			g := newSMSGateway(t)
			s := servertest.New(t, servertest.Options{Env: map[string]string{"MINIBASE_SMS_WEBHOOK_URL": g.url, "MINIBASE_RATE_LIMITS": "off"}})
			s.Do(t, byAdmin("POST", "/v1/admin/collections", `{"name":"notes"}`)).Expect(t, 200, "")
			dead, live := tc.event(t, s, g)
			check(t, s, dead, live)
			s.Restart(t)
			t.Run("after a restart", func(t *testing.T) { check(t, s, dead, live) })
		})
	}
}
