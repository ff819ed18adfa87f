//go:build !minibase_fuzz

package auth_test

import (
	"strconv"
	"testing"
	"time"

	"minibase/server/servertest"
)

// behindProxy is a server behind a reverse proxy on the same host: it
// listens on 127.0.0.1 and trusts X-Forwarded-For from there, so that a
// request can come from any address; env adds settings.
func behindProxy(t *testing.T, env map[string]string) *servertest.Server {
	t.Helper()
	opts := servertest.Options{Listen: true, Env: map[string]string{"MINIBASE_TRUSTED_PROXIES": "loopback"}}
	for k, v := range env {
		opts.Env[k] = v
	}
	return servertest.New(t, opts)
}

// from is a visitor's POST of body to url from the client address addr.
func from(addr, url, body string) servertest.Request {
	return servertest.Request{Method: "POST", URL: url, Body: body, Header: map[string]string{"X-Forwarded-For": addr}}
}

// guesses sends req n times and counts the answers by code ("" for a
// success).
func guesses(t *testing.T, s *servertest.Server, n int, req servertest.Request) map[string]int {
	t.Helper()
	got := map[string]int{}
	for range n {
		r := s.Do(t, req)
		code := r.Str("code")
		if r.Status != 200 && code == "" {
			t.Fatalf("attempt: %d %s", r.Status, r.Body)
		}
		got[code]++
	}
	return got
}

// TestStrangerCannotLockOwnerOut: with the default limits, a stranger who
// knows a username (an admin's email, a phone number) and guesses from one
// address is stopped after 10 wrong guesses, while the owner's right
// password (or code) from another address still signs in (issue 11, item
// 13: ten wrong passwords used to lock the right one out for a minute).
// The client's address is the one the trusted proxy forwards.
func TestStrangerCannotLockOwnerOut(t *testing.T) {
	const stranger, owner = "198.51.100.7", "203.0.113.9"
	want := map[string]int{"INVALID_CREDENTIALS": 10, "EXCEED_REQUEST_LIMIT": 10}
	stopped := func(t *testing.T, what string, got map[string]int) {
		t.Helper()
		if got["INVALID_CREDENTIALS"] != 10 || got["EXCEED_REQUEST_LIMIT"] != 10 {
			t.Errorf("the stranger's 20 %s: %v, want %v", what, got, want)
		}
	}
	t.Run("password", func(t *testing.T) {
		s := behindProxy(t, nil)
		signIn(t, s, servertest.Visitor, "/v1/auth/signup", `{"username":"alice","password":"password1"}`)
		stopped(t, "password guesses",
			guesses(t, s, 20, from(stranger, "/v1/auth/login", `{"username":"alice","password":"wrong password"}`)))
		right := `{"username":"alice","password":"password1"}`
		s.Do(t, from(owner, "/v1/auth/login", right)).Expect(t, 200, "") // the owner from another address
		// The stranger, even with the right password:
		s.Do(t, from(stranger, "/v1/auth/login", right)).Expect(t, 429, `{"code":"EXCEED_REQUEST_LIMIT"}`)
	})
	t.Run("admin password", func(t *testing.T) {
		s := behindProxy(t, nil)
		createRoot(t, s)
		stopped(t, "admin password guesses",
			guesses(t, s, 20, from(stranger, "/v1/auth/admin/login", `{"email":"root@example.com","password":"wrong password"}`)))
		// The admin from another address:
		s.Do(t, from(owner, "/v1/auth/admin/login", `{"email":"ROOT@example.com","password":"admin password"}`)).
			Expect(t, 200, `{"admin":{"email":"root@example.com"}}`)
	})
	t.Run("one-time code", func(t *testing.T) {
		g := newSMSGateway(t)
		s := behindProxy(t, map[string]string{"MINIBASE_SMS_WEBHOOK_URL": g.url})
		const phone = "13800138000"
		send := from(owner, "/v1/auth/otp/send", `{"phone":"13800138000"}`)
		s.Do(t, send).Expect(t, 200, "")
		wrong := "000000"
		if g.last(phone) == wrong {
			wrong = "111111"
		}
		stopped(t, "code guesses",
			guesses(t, s, 20, from(stranger, "/v1/auth/otp/verify", `{"phone":"13800138000","code":"`+wrong+`"}`)))
		s.Do(t, send).Expect(t, 200, "") // the stranger's guesses used up the first code
		// The phone's owner from another address:
		s.Do(t, from(owner, "/v1/auth/otp/verify", `{"phone":"13800138000","code":"`+g.last(phone)+`"}`)).
			Expect(t, 200, `{"user":{"phone":"`+phone+`"}}`)
	})
}

// TestRateLimits: over a limit, sign-ins get 429 EXCEED_REQUEST_LIMIT with
// Retry-After: wrong passwords at an account from an address, attempts
// from an address, anonymous sign-ins; they recover with time.
func TestRateLimits(t *testing.T) {
	env := map[string]string{"MINIBASE_RATE_LIMITS": "login.account_ip=2/m,login.ip=5/m,anonymous.ip=2/m,signup.ip=off"}
	t.Run("sign-ins", func(t *testing.T) {
		clk := servertest.NewClock(time.Now())
		s := servertest.New(t, servertest.Options{Env: env, Clock: clk})
		login := func(body string) *servertest.Response { return s.Do(t, post("/v1/auth/login", body)) }
		signIn(t, s, servertest.Visitor, "/v1/auth/signup", `{"username":"kim","password":"password1"}`)
		signIn(t, s, servertest.Visitor, "/v1/auth/signup", `{"username":"lee","password":"password1"}`)
		signIn(t, s, servertest.Visitor, "/v1/auth/login", `{"username":"kim","password":"password1"}`)
		login(`{"username":"kim","password":"nope nope"}`).Expect(t, 401, "") // a wrong password
		login(`{"username":"KIM","password":"nope nope"}`).Expect(t, 401, "") // another
		over := login(`{"username":"KiM","password":"password1"}`)            // any case is the same account
		over.Expect(t, 429, `{"code":"EXCEED_REQUEST_LIMIT","errCode":-501003}`)
		if s, err := strconv.Atoi(over.Header.Get("Retry-After")); err != nil || s < 1 || s > 60 {
			t.Errorf("Retry-After %q, want 1-60 seconds", over.Header.Get("Retry-After"))
		}
		signIn(t, s, servertest.Visitor, "/v1/auth/login", `{"username":"lee","password":"password1"}`) // another account: 5th from this IP
		login(`{"username":"lee","password":"password1"}`).Expect(t, 429, "")                           // the sixth from the IP
		clk.Add(time.Minute)
		signIn(t, s, servertest.Visitor, "/v1/auth/login", `{"username":"kim","password":"password1"}`)
	})
	anonymous := post("/v1/auth/anonymous", `{}`)
	servertest.Run(t, []servertest.Scenario{
		{Name: "a third anonymous sign-in", Options: servertest.Options{Env: env}, Setup: []servertest.Request{anonymous, anonymous},
			Method: "POST", URL: "/v1/auth/anonymous", Body: `{}`, Status: 429, Want: `{"code":"EXCEED_REQUEST_LIMIT"}`},
	})
}
