package server

import (
	"context"
	"testing"

	"minibase/auth"
)

// guessAt makes n sign-in attempts with fn from one address and counts the
// answers by code ("" for a success).
func guessAt(t *testing.T, n int, fn func() (*auth.Credentials, error)) map[string]int {
	t.Helper()
	got := map[string]int{}
	for range n {
		_, err := fn()
		if err != nil && auth.ErrorCode(err) == "" {
			t.Fatalf("attempt: %v", err)
		}
		got[auth.ErrorCode(err)]++
	}
	return got
}

// TestStrangerCannotLockOwnerOut: with the default limits, a stranger who
// knows a username (an admin's email, a phone number) and guesses from one
// address is stopped after 10 wrong guesses, while the owner's right
// password (or code) from another address still signs in (issue 11, item
// 13: ten wrong passwords used to lock the right one out for a minute).
// The client's address is what the HTTP layer passes the Service.
func TestStrangerCannotLockOwnerOut(t *testing.T) {
	g, url := newSMSGateway(t)
	m, _ := newAuthMain(t, func(c *Config) { c.Auth.Providers.SMS.URL = url })
	ctx := context.Background()
	const stranger, owner = "198.51.100.7", "203.0.113.9"
	want := map[string]int{auth.CodeInvalidCredentials: 10, auth.CodeRateLimited: 10}

	m.signIn(t, "/v1/auth/signup", "", `{"username":"alice","password":"password1"}`)
	t.Run("password", func(t *testing.T) {
		alice := auth.Identifier{Key: auth.KeyUsername, Value: "alice"}
		got := guessAt(t, 20, func() (*auth.Credentials, error) { return m.auth.Login(ctx, stranger, alice, "wrong password") })
		if got[auth.CodeInvalidCredentials] != 10 || got[auth.CodeRateLimited] != 10 {
			t.Errorf("the stranger's 20 password guesses: %v, want %v", got, want)
		}
		if _, err := m.auth.Login(ctx, owner, alice, "password1"); err != nil {
			t.Fatalf("the owner from another address: %v", err)
		}
		if _, err := m.auth.Login(ctx, stranger, alice, "password1"); auth.ErrorCode(err) != auth.CodeRateLimited {
			t.Errorf("the stranger, even with the right password: %v, want EXCEED_REQUEST_LIMIT", err)
		}
	})
	t.Run("admin password", func(t *testing.T) {
		if _, err := m.auth.CreateAdmin(ctx, "root@example.com", "admin password"); err != nil {
			t.Fatal(err)
		}
		got := guessAt(t, 20, func() (*auth.Credentials, error) {
			return m.auth.AdminLogin(ctx, "198.51.100.8", "root@example.com", "wrong password") // the first address has spent its 30 attempts a minute
		})
		if got[auth.CodeInvalidCredentials] != 10 || got[auth.CodeRateLimited] != 10 {
			t.Errorf("the stranger's 20 admin password guesses: %v, want %v", got, want)
		}
		if _, err := m.auth.AdminLogin(ctx, owner, "ROOT@example.com", "admin password"); err != nil {
			t.Fatalf("the admin from another address: %v", err)
		}
	})
	t.Run("one-time code", func(t *testing.T) {
		phone := auth.Identifier{Key: auth.KeyPhone, Value: "13800138000"}
		if _, err := m.auth.SendOTP(ctx, owner, phone); err != nil {
			t.Fatal(err)
		}
		wrong := "000000"
		if g.last(phone.Value) == wrong {
			wrong = "111111"
		}
		got := guessAt(t, 20, func() (*auth.Credentials, error) { return m.auth.VerifyOTP(ctx, stranger, phone, wrong) })
		if got[auth.CodeInvalidCredentials] != 10 || got[auth.CodeRateLimited] != 10 {
			t.Errorf("the stranger's 20 code guesses: %v, want %v", got, want)
		}
		if _, err := m.auth.SendOTP(ctx, owner, phone); err != nil { // the stranger's guesses used up the first code
			t.Fatal(err)
		}
		if _, err := m.auth.VerifyOTP(ctx, owner, phone, g.last(phone.Value)); err != nil {
			t.Fatalf("the phone's owner from another address: %v", err)
		}
	})
}
