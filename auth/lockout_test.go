package auth

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

var t0 = time.Unix(1_800_000_000, 0)

// loginGuesses are the default password-guess limits.
func loginGuesses() *guesses {
	l := DefaultLimits()
	return newGuesses(l.LoginIP, l.LoginAccountIP, l.LoginAccount, newFamiliar(maxFamiliar))
}

// try makes one attempt and reports whether it was let through; a let
// through attempt ends with outcome (nil: signed in).
func try(g *guesses, now time.Time, ip, account string, outcome error) bool {
	gs, err := g.begin(now, ip, account)
	if err != nil {
		if ErrorCode(err) != CodeRateLimited || err.(*Error).RetryAfter <= 0 {
			panic(fmt.Sprintf("refusal %v: want EXCEED_REQUEST_LIMIT with RetryAfter", err))
		}
		return false
	}
	gs.done(outcome)
	return true
}

// TestOwnerNotLockedOut: a stranger's wrong guesses, 10 or 1000 from one
// address, limit the stranger, not the owner signing in from elsewhere.
func TestOwnerNotLockedOut(t *testing.T) {
	g := loginGuesses()
	const acct, stranger = "username:alice", "198.51.100.7"
	let := 0
	for i := range 1000 {
		if try(g, t0.Add(time.Duration(i)*10*time.Millisecond), stranger, acct, errLoginFailed) {
			let++
		}
	}
	if let != 10 {
		t.Errorf("the stranger made %d wrong guesses in 10 s, want 10 (login.account_ip's burst)", let)
	}
	now := t0.Add(10 * time.Second)
	if !try(g, now, "203.0.113.9", acct, nil) {
		t.Fatal("the owner, from a fresh address, was locked out by the stranger's guesses")
	}
	if try(g, now, stranger, acct, errLoginFailed) {
		t.Error("the stranger is still limited")
	}
	if try(g, now, stranger, acct, nil) {
		t.Error("even with the right password: the limit is checked before the password")
	}
	if try(g, now, stranger, "username:bob", errLoginFailed) {
		t.Error("the stranger's 1000 tries spent its address's attempts (login.ip 30/m) at other accounts too")
	}
	later := now.Add(6*time.Minute + time.Second)
	if !try(g, later, stranger, "username:bob", errLoginFailed) {
		t.Error("another account, once the address's attempts refilled: its own count of failures")
	}
	if !try(g, later, stranger, acct, errLoginFailed) || try(g, later, stranger, acct, errLoginFailed) {
		t.Error("one more guess at alice per 6 minutes (10/h)")
	}
}

// TestAccountCeiling: an attacker with many addresses empties the
// account's bucket (100 unfamiliar failures an hour); then fresh addresses
// wait, but an address that signed in before still gets in, and the
// bucket refills.
func TestAccountCeiling(t *testing.T) {
	g := loginGuesses()
	const acct = "email:carol@example.com"
	if !try(g, t0, "192.0.2.1", acct, nil) { // the owner's usual address
		t.Fatal("first sign-in")
	}
	let := 0
	for k := range 12 {
		for range 10 {
			if try(g, t0, fmt.Sprintf("198.51.100.%d", k), acct, errLoginFailed) {
				let++
			}
		}
	}
	if let != 100 {
		t.Errorf("12 addresses made %d wrong guesses at once, want 100 (login.account's burst)", let)
	}
	if try(g, t0, "203.0.113.50", acct, nil) {
		t.Error("a fresh address, once the account's bucket is empty: want a wait")
	}
	if !try(g, t0, "192.0.2.1", acct, errLoginFailed) || !try(g, t0, "192.0.2.1", acct, nil) {
		t.Error("a familiar address is not held by the account's bucket")
	}
	if !try(g, t0.Add(37*time.Second), "203.0.113.50", acct, nil) {
		t.Error("the account's bucket refills one guess per 36 s")
	}
}

// TestGuessRate: brute force at one account stays bounded however many
// addresses take part: in H hours K addresses get at most
// min(10·K·(1+H), 100·(1+H)) wrong guesses, and with K ≤ 9 (whose bursts
// and refills together stay under the account's) a fresh address of the
// owner still gets in.
func TestGuessRate(t *testing.T) {
	const hours = 4
	for _, tc := range []struct {
		k, max      int
		ownerGetsIn bool
	}{
		{1, 10 * (1 + hours), true},
		{3, 3 * 10 * (1 + hours), true},
		{9, 9 * 10 * (1 + hours), true},
		{50, 100 * (1 + hours), false},
	} {
		t.Run(fmt.Sprint(tc.k, " addresses"), func(t *testing.T) {
			g := loginGuesses()
			const acct = "phone:13800138000"
			let, steps := 0, hours*360
			now := t0
			for i := range steps { // each address tries every 10 s
				now = t0.Add(time.Duration(i) * 10 * time.Second)
				for k := range tc.k {
					if try(g, now, fmt.Sprintf("2001:db8:%x::1", k), acct, errLoginFailed) {
						let++
					}
				}
			}
			if let > tc.max || let < tc.max*9/10 {
				t.Errorf("%d wrong guesses in %d hours, want at most, and nearly, %d", let, hours, tc.max)
			}
			if got := try(g, now, "203.0.113.9", acct, nil); got != tc.ownerGetsIn { // right after the attackers' round
				t.Errorf("the owner from a fresh address let in: %v, want %v", got, tc.ownerGetsIn)
			}
		})
	}
}

// TestIPv6Prefix: addresses in one /64 share their buckets, so a host
// cannot make itself fresh addresses.
func TestIPv6Prefix(t *testing.T) {
	for _, tc := range []struct{ a, b string }{
		{"2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:ffff"},
		{"::ffff:192.0.2.1", "192.0.2.1"},
		{"fe80::1%eth0", "fe80::2"},
	} {
		if AddressKey(tc.a) != AddressKey(tc.b) {
			t.Errorf("%s and %s: keys %q and %q, want one", tc.a, tc.b, AddressKey(tc.a), AddressKey(tc.b))
		}
	}
	for _, tc := range []struct{ a, b string }{
		{"2001:db8:1:2::1", "2001:db8:1:3::1"},
		{"192.0.2.1", "192.0.2.2"},
	} {
		if AddressKey(tc.a) == AddressKey(tc.b) {
			t.Errorf("%s and %s share key %q", tc.a, tc.b, AddressKey(tc.a))
		}
	}
	g := loginGuesses()
	let := 0
	for i := range 100 {
		if try(g, t0, fmt.Sprintf("2001:db8:1:2::%x", i), "username:dave", errLoginFailed) {
			let++
		}
	}
	if let != 10 {
		t.Errorf("100 addresses of one /64 made %d wrong guesses, want 10", let)
	}
}

// TestGuessesBounded: an attacker spraying accounts and addresses (with
// failures and successes) does not grow the limiters' maps or the
// familiar pairs past their caps.
func TestGuessesBounded(t *testing.T) {
	g := newGuesses(Rate{N: 1000, Per: time.Minute}, Rate{N: 2, Per: time.Hour}, Rate{N: 5, Per: time.Hour}, newFamiliar(50))
	for _, l := range []*limiter{g.ip, g.accountIP, g.account} {
		l.max = 100
	}
	for i := range 20_000 {
		var outcome error = errLoginFailed
		if i%3 == 0 {
			outcome = nil
		}
		try(g, t0.Add(time.Duration(i)*time.Millisecond), fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255), fmt.Sprint("username:u", i%5000), outcome)
		for name, l := range map[string]*limiter{"ip": g.ip, "account_ip": g.accountIP, "account": g.account} {
			if len(l.keys) > l.max {
				t.Fatalf("after %d attempts the %s map holds %d keys, cap %d", i+1, name, len(l.keys), l.max)
			}
		}
		if n := g.familiar.Len(); n > 50 {
			t.Fatalf("%d familiar pairs, cap 50", n)
		}
	}
}

// TestGuessLimitsOff: with the limits off nothing is refused.
func TestGuessLimitsOff(t *testing.T) {
	g := newGuesses(Rate{}, Rate{}, Rate{}, newFamiliar(10))
	for i := range 1000 {
		if !try(g, t0, "198.51.100.7", "username:alice", errLoginFailed) {
			t.Fatalf("attempt %d refused with every limit off", i)
		}
	}
}

// FuzzLimitsParse: whatever MINIBASE_RATE_LIMITS holds, Parse returns an
// error or limits whose rates are "off" or within 1-1,000,000 per 1s-24h,
// and never panics.
func FuzzLimitsParse(f *testing.F) {
	for _, s := range []string{"login.account=5/m", "off", "login.account_ip=3/10m, otp_verify.account=off", "x=1/s", "login.ip=", ",,", "login.ip=1/25h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l := DefaultLimits()
		if err := l.Parse(s); err != nil {
			return
		}
		for i, r := range l.fields() {
			if r.N != 0 && (r.N < 1 || r.N > 1_000_000 || r.Per < time.Second || r.Per > 24*time.Hour) {
				t.Fatalf("%q: %s = %+v", s, limitNames[i], *r)
			}
		}
		if strings.TrimSpace(s) == "off" && l != (Limits{}) {
			t.Fatalf("off: %+v", l)
		}
	})
}
