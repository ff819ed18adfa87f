package auth

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Rate is N events per Per, allowed in bursts of up to N. A zero N means
// no limit.
type Rate struct {
	N   int
	Per time.Duration
}

func (r Rate) String() string {
	if r.N <= 0 {
		return "off"
	}
	return fmt.Sprintf("%d/%s", r.N, r.Per)
}

// ParseRate reads "N/unit" where unit is s, m, h or a Go duration (e.g.
// "10/m", "5/10m"), or "off".
func ParseRate(s string) (Rate, error) {
	if s == "off" || s == "0" {
		return Rate{}, nil
	}
	n, per, ok := strings.Cut(s, "/")
	count, err := strconv.Atoi(n)
	if !ok || err != nil || count < 0 || count > 1_000_000 {
		return Rate{}, fmt.Errorf("rate %q: want N/unit, e.g. 10/m", s)
	}
	if count == 0 {
		// No attempts at all would shut the door; "off" opens it: say which.
		return Rate{}, fmt.Errorf("rate %q: a limit of 0 would refuse every attempt; give at least 1/unit, or off for no limit", s)
	}
	switch per {
	case "s", "m", "h":
		per = "1" + per
	}
	d, err := time.ParseDuration(per)
	if err != nil || d < time.Second || d > 24*time.Hour {
		return Rate{}, fmt.Errorf("rate %q: the period must be 1s-24h, e.g. 10/m", s)
	}
	return Rate{N: count, Per: d}, nil
}

// Limits are the rate limits of the sign-in endpoints, per client IP (an
// IPv6 client by its /64) and per account (the username, email or phone
// given). Exceeding one is answered 429 EXCEED_REQUEST_LIMIT with
// Retry-After.
//
// Guesses at a secret (passwords at /login and /admin/login, one-time
// codes at /otp/verify) are limited as large identity providers' "smart
// lockout" does, so that a stranger who knows a username cannot lock its
// owner out: *IP counts every attempt from an address; *AccountIP counts
// the failures at one account from one address; *Account counts the
// failures at one account from addresses that have not signed in to it
// before (familiar addresses skip it), and is meant to be larger and
// slower, a ceiling on guessing from many addresses.
type Limits struct {
	LoginIP, LoginAccountIP, LoginAccount             Rate // /login and /admin/login
	SignupIP, SignupAccount                           Rate
	OTPSendIP, OTPSendAccount                         Rate
	OTPVerifyIP, OTPVerifyAccountIP, OTPVerifyAccount Rate
	AnonymousIP                                       Rate
	ProviderIP                                        Rate // /wechat and /ticket
}

// DefaultLimits are generous for people behind one carrier NAT and tight
// for guessing: 10 wrong passwords (or codes) an hour at one account from
// one address, 100 an hour at one account from all unfamiliar addresses
// together, and at most 5 one-time codes sent to an address in 10 minutes.
func DefaultLimits() Limits {
	m := func(n int) Rate { return Rate{N: n, Per: time.Minute} }
	h := func(n int) Rate { return Rate{N: n, Per: time.Hour} }
	return Limits{
		LoginIP: m(30), LoginAccountIP: h(10), LoginAccount: h(100),
		SignupIP: m(20), SignupAccount: m(5),
		OTPSendIP: m(20), OTPSendAccount: Rate{N: 5, Per: 10 * time.Minute},
		OTPVerifyIP: m(30), OTPVerifyAccountIP: h(10), OTPVerifyAccount: h(100),
		AnonymousIP: m(120),
		ProviderIP:  m(120),
	}
}

// limitNames are the keys of Parse, in the order of Limits' fields.
var limitNames = []string{"login.ip", "login.account_ip", "login.account", "signup.ip", "signup.account",
	"otp_send.ip", "otp_send.account", "otp_verify.ip", "otp_verify.account_ip", "otp_verify.account",
	"anonymous.ip", "provider.ip"}

func (l *Limits) fields() []*Rate {
	return []*Rate{&l.LoginIP, &l.LoginAccountIP, &l.LoginAccount, &l.SignupIP, &l.SignupAccount,
		&l.OTPSendIP, &l.OTPSendAccount, &l.OTPVerifyIP, &l.OTPVerifyAccountIP, &l.OTPVerifyAccount,
		&l.AnonymousIP, &l.ProviderIP}
}

// Parse applies "name=N/unit,…" overrides (e.g.
// "login.account=50/h,anonymous.ip=off") to l; "off" alone turns every
// limit off. Names: login.ip, login.account_ip, login.account, signup.ip,
// signup.account, otp_send.ip, otp_send.account, otp_verify.ip,
// otp_verify.account_ip, otp_verify.account, anonymous.ip, provider.ip.
func (l *Limits) Parse(s string) error {
	if strings.TrimSpace(s) == "off" {
		*l = Limits{}
		return nil
	}
	fields := l.fields()
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, val, _ := strings.Cut(item, "=")
		i := indexOf(limitNames, strings.TrimSpace(name))
		if i < 0 {
			return fmt.Errorf("unknown rate limit %q (have %s)", name, strings.Join(limitNames, ", "))
		}
		r, err := ParseRate(strings.TrimSpace(val))
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		*fields[i] = r
	}
	return nil
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

// maxLimiterKeys caps the keys one limiter tracks (about 100 bytes each).
const maxLimiterKeys = 50_000

// limiter is a token bucket per key (an IP, an account, or both) in a
// bounded map. When the map is full, the keys whose bucket is full again
// (what a new key gets) are dropped, which loses nothing; when it is still
// full, random keys are dropped (forgetting a busy key only refills its
// bucket).
type limiter struct {
	r    Rate
	max  int
	mu   sync.Mutex
	keys map[string]*bucket
}

type bucket struct {
	lim *rate.Limiter
}

func newLimiter(r Rate) *limiter {
	return &limiter{r: r, max: maxLimiterKeys, keys: map[string]*bucket{}}
}

// allow takes one event for key at now and returns 0, or how long until
// one would be allowed (taking nothing).
func (l *limiter) allow(key string, now time.Time) time.Duration {
	if l == nil || key == "" {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.r.N <= 0 {
		return 0
	}
	r := l.bucket(key, now).lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return d
	}
	return 0
}

// wait returns how long until key has an event left (0: now), taking
// nothing.
func (l *limiter) wait(key string, now time.Time) time.Duration {
	if l == nil || key == "" {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.r.N <= 0 {
		return 0
	}
	b := l.keys[key]
	if b == nil {
		return 0
	}
	if tokens := b.lim.TokensAt(now); tokens < 1 {
		return time.Duration((1 - tokens) / float64(b.lim.Limit()) * float64(time.Second))
	}
	return 0
}

// take records one event for key at now even when none is left: the
// bucket goes into debt, and the wait for the next event grows by one
// event's share of Per.
func (l *limiter) take(key string, now time.Time) {
	if l == nil || key == "" {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.r.N <= 0 {
		return
	}
	l.bucket(key, now).lim.ReserveN(now, 1)
}

// setRate makes r the limit; a changed rate forgets every key (each starts
// with a full bucket of the new size).
func (l *limiter) setRate(r Rate) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.r != r {
		l.r, l.keys = r, map[string]*bucket{}
	}
}

// bucket returns key's bucket, adding a full one; l.mu is held.
func (l *limiter) bucket(key string, now time.Time) *bucket {
	b := l.keys[key]
	if b == nil {
		if len(l.keys) >= l.max {
			l.evict(now)
		}
		b = &bucket{lim: rate.NewLimiter(rate.Every(l.r.Per/time.Duration(l.r.N)), l.r.N)}
		l.keys[key] = b
	}
	return b
}

func (l *limiter) evict(now time.Time) {
	for k, b := range l.keys {
		if b.lim.TokensAt(now) >= float64(l.r.N) {
			delete(l.keys, k)
		}
	}
	for k := range l.keys { // map order is random
		if len(l.keys) < l.max*7/8 {
			break
		}
		delete(l.keys, k)
	}
}

// limiters holds the limiters of Limits.
type limiters struct {
	login, otpVerify          *guesses // familiar addresses are shared: a sign-in either way counts
	signupIP, signupAccount   *limiter
	otpSendIP, otpSendAccount *limiter
	anonymousIP, providerIP   *limiter
}

func newLimiters(l Limits) *limiters {
	familiar := newFamiliar(maxFamiliar)
	return &limiters{
		login:     newGuesses(l.LoginIP, l.LoginAccountIP, l.LoginAccount, familiar),
		otpVerify: newGuesses(l.OTPVerifyIP, l.OTPVerifyAccountIP, l.OTPVerifyAccount, familiar),
		signupIP:  newLimiter(l.SignupIP), signupAccount: newLimiter(l.SignupAccount),
		otpSendIP: newLimiter(l.OTPSendIP), otpSendAccount: newLimiter(l.OTPSendAccount),
		anonymousIP: newLimiter(l.AnonymousIP), providerIP: newLimiter(l.ProviderIP),
	}
}

// check takes one event from the IP limiter (for ip's address key) and
// then the account limiter and returns EXCEED_REQUEST_LIMIT when either
// has none left.
func check(now time.Time, ip *limiter, ipAddr string, acct *limiter, acctKey string) error {
	wait := ip.allow(AddressKey(ipAddr), now)
	if wait == 0 && acct != nil {
		wait = acct.allow(acctKey, now)
	}
	return rateLimited(wait)
}

// rateLimited is EXCEED_REQUEST_LIMIT with RetryAfter wait, or nil for no
// wait.
func rateLimited(wait time.Duration) error {
	if wait <= 0 {
		return nil
	}
	e := Errorf(CodeRateLimited, "too many requests: try again in %s", wait.Round(time.Second)+time.Second)
	e.RetryAfter = wait
	return e
}

// AddressKey is the key a client address counts under in per-address
// limits: the address, or for IPv6 its /64, which one host or home usually holds whole (per-address
// keys would give it 2^64 fresh buckets).
func AddressKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	return netip.PrefixFrom(a.WithZone(""), 64).Masked().String()
}
