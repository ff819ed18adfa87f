package server

import (
	"context"
	"testing"

	"minibase/auth"
)

// revokeCase is one way a sign-in ends: event ends it and returns the
// access tokens that must now be refused and those (of the same account,
// or of its new sign-in) that must keep working.
type revokeCase struct {
	name  string
	event func(t *testing.T, m *Server, g *smsGateway) (dead, live []string)
}

// used makes a request with each token, so that the verifier has cached
// them before the event: the cache must not outlive a revocation.
func used(t *testing.T, m *Server, tokens ...string) {
	t.Helper()
	for _, tok := range tokens {
		expect(t, "before the event", m.do(t, "GET", "/v1/auth/me", tok, ""), 200, "")
	}
}

var revokeCases = []revokeCase{
	{"logout ends that sign-in only", func(t *testing.T, m *Server, _ *smsGateway) ([]string, []string) {
		a := m.signIn(t, "/v1/auth/signup", "", `{"username":"rv_logout","password":"password1"}`)
		b := m.signIn(t, "/v1/auth/login", "", `{"username":"rv_logout","password":"password1"}`)
		used(t, m, a.str("access_token"), b.str("access_token"))
		expect(t, "logout", m.do(t, "POST", "/v1/auth/logout", "", refreshBody(a.str("refresh_token"))), 200, "")
		return []string{a.str("access_token")}, []string{b.str("access_token")}
	}},
	{"reuse of a used refresh token ends its family only", func(t *testing.T, m *Server, _ *smsGateway) ([]string, []string) {
		a := m.signIn(t, "/v1/auth/signup", "", `{"username":"rv_reuse","password":"password1"}`)
		b := m.signIn(t, "/v1/auth/login", "", `{"username":"rv_reuse","password":"password1"}`)
		a2 := m.signIn(t, "/v1/auth/refresh", "", refreshBody(a.str("refresh_token")))
		used(t, m, a.str("access_token"), a2.str("access_token"), b.str("access_token"))
		expect(t, "reuse", m.do(t, "POST", "/v1/auth/refresh", "", refreshBody(a.str("refresh_token"))), 401, `{"code":"INVALID_REFRESH_TOKEN"}`)
		return []string{a.str("access_token"), a2.str("access_token")}, []string{b.str("access_token")}
	}},
	{"an admin's revoke ends every sign-in; a new one works", func(t *testing.T, m *Server, _ *smsGateway) ([]string, []string) {
		a := m.signIn(t, "/v1/auth/signup", "", `{"username":"rv_revoke","password":"password1"}`)
		b := m.signIn(t, "/v1/auth/login", "", `{"username":"rv_revoke","password":"password1"}`)
		used(t, m, a.str("access_token"), b.str("access_token"))
		expect(t, "revoke", m.do(t, "POST", "/v1/admin/users/"+a.str("user.uid")+"/revoke", testKey, ""), 200, "")
		c := m.signIn(t, "/v1/auth/login", "", `{"username":"rv_revoke","password":"password1"}`)
		return []string{a.str("access_token"), b.str("access_token")}, []string{c.str("access_token")}
	}},
	{"disabling a user ends its sign-ins", func(t *testing.T, m *Server, _ *smsGateway) ([]string, []string) {
		a := m.signIn(t, "/v1/auth/signup", "", `{"username":"rv_disable","password":"password1"}`)
		used(t, m, a.str("access_token"))
		expect(t, "disable", m.do(t, "PATCH", "/v1/admin/users/"+a.str("user.uid"), testKey, `{"disabled":true}`), 200, "")
		return []string{a.str("access_token")}, nil
	}},
	{"deleting a user ends its sign-ins", func(t *testing.T, m *Server, _ *smsGateway) ([]string, []string) {
		a := m.signIn(t, "/v1/auth/anonymous", "", `{}`)
		used(t, m, a.str("access_token"))
		expect(t, "delete", m.do(t, "DELETE", "/v1/admin/users/"+a.str("user.uid"), testKey, ""), 200, "")
		return []string{a.str("access_token")}, nil
	}},
	{"an anonymous account upgraded by signup: the anonymous sign-in ends", func(t *testing.T, m *Server, _ *smsGateway) ([]string, []string) {
		a := m.signIn(t, "/v1/auth/anonymous", "", `{}`)
		used(t, m, a.str("access_token"))
		up := m.signIn(t, "/v1/auth/signup", a.str("access_token"), `{"username":"rv_upgrade","password":"password1"}`)
		return []string{a.str("access_token")}, []string{up.str("access_token")}
	}},
	{"an anonymous account linked to a ticket: the anonymous sign-in ends", func(t *testing.T, m *Server, _ *smsGateway) ([]string, []string) {
		a := m.signIn(t, "/v1/auth/anonymous", "", `{}`)
		used(t, m, a.str("access_token"))
		tk := m.do(t, "POST", "/v1/admin/auth/ticket", testKey, `{"uid":"rv_ticket"}`)
		expect(t, "issue", tk, 200, "")
		up := m.signIn(t, "/v1/auth/ticket", a.str("access_token"), `{"ticket":"`+tk.str("ticket")+`"}`)
		expect(t, "linked", up, 200, `{"user":{"uid":"`+a.str("user.uid")+`","loginType":"CUSTOM"}}`)
		return []string{a.str("access_token")}, []string{up.str("access_token")}
	}},
	{"a code proving an unverified phone ends the password's sign-ins", func(t *testing.T, m *Server, g *smsGateway) ([]string, []string) {
		squatter := m.signIn(t, "/v1/auth/signup", "", `{"phone":"13900000001","password":"squatter pw"}`)
		used(t, m, squatter.str("access_token"))
		expect(t, "send", m.do(t, "POST", "/v1/auth/otp/send", "", `{"phone":"13900000001"}`), 200, "")
		owner := m.signIn(t, "/v1/auth/otp/verify", "", `{"phone":"13900000001","code":"`+g.last("13900000001")+`"}`)
		return []string{squatter.str("access_token")}, []string{owner.str("access_token")}
	}},
	{"an admin account's logout ends that sign-in only", func(t *testing.T, m *Server, _ *smsGateway) ([]string, []string) {
		if _, err := m.auth.CreateAdmin(context.Background(), "rv@example.com", "admin password"); err != nil {
			t.Fatal(err)
		}
		a := m.signIn(t, "/v1/auth/admin/login", "", `{"email":"rv@example.com","password":"admin password"}`)
		b := m.signIn(t, "/v1/auth/admin/login", "", `{"email":"rv@example.com","password":"admin password"}`)
		used(t, m, a.str("access_token"), b.str("access_token"))
		expect(t, "logout", m.do(t, "POST", "/v1/auth/logout", "", refreshBody(a.str("refresh_token"))), 200, "")
		return []string{a.str("access_token")}, []string{b.str("access_token")}
	}},
}

// TestRevokedAccessTokens: once a sign-in ends, its access tokens (cached
// by the verifier or not) are refused at once with 401
// ACCESS_TOKEN_REVOKED, on reads, writes and admin endpoints alike, while
// the account's other sign-ins keep working; a restart on the same data
// directory keeps it so.
func TestRevokedAccessTokens(t *testing.T) {
	g, url := newSMSGateway(t)
	m, clk := newAuthMain(t, func(c *Config) {
		c.Auth.Providers.SMS.URL = url
		c.Auth.Limits = auth.Limits{}
	})
	expect(t, "create notes", m.do(t, "POST", "/v1/admin/collections", testKey, `{"name":"notes"}`), 200, "")
	type outcome struct{ dead, live []string }
	got := map[string]outcome{}
	check := func(t *testing.T, m *Server, o outcome) {
		t.Helper()
		const revoked = `{"code":"ACCESS_TOKEN_REVOKED","errCode":-501007}`
		for _, tok := range o.dead {
			expect(t, "me", m.do(t, "GET", "/v1/auth/me", tok, ""), 401, revoked)
			expect(t, "insert", m.do(t, "POST", "/v1/db/notes/insert", tok, `{"data":{"by":"a revoked token"}}`), 401, revoked)
			expect(t, "admin endpoint", m.do(t, "GET", "/v1/admin/users", tok, ""), 401, revoked)
		}
		for _, tok := range o.live {
			expect(t, "another sign-in", m.do(t, "GET", "/v1/auth/me", tok, ""), 200, "")
		}
	}
	for _, tc := range revokeCases {
		t.Run(tc.name, func(t *testing.T) {
			dead, live := tc.event(t, m, g)
			got[tc.name] = outcome{dead, live}
			check(t, m, got[tc.name])
		})
	}
	expect(t, "no revoked token wrote", m.do(t, "POST", "/v1/db/notes/count", testKey, `{}`), 200, `{"total":0}`)

	dir := m.Config.Dir
	m.Close()
	m2, _ := newAuthMain(t, func(c *Config) {
		c.Dir, c.Auth.Now = dir, clk.Now
		c.Auth.Providers.SMS.URL = url
	})
	for _, tc := range revokeCases {
		t.Run("after a restart/"+tc.name, func(t *testing.T) { check(t, m2, got[tc.name]) })
	}
}
