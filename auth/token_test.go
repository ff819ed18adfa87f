package auth

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

var testKey = bytes.Repeat([]byte{7}, 32)

func fixedClock(t time.Time) func() time.Time { return func() time.Time { return t } }

func TestTokensRoundTrip(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	tk := NewTokens(testKey, time.Hour, fixedClock(now))
	user := &Identity{Role: User, UID: "u1", OpenID: "o1", UnionID: "un1", LoginType: LoginWeChat, Claims: map[string]any{"roles": []any{"editor"}}}
	for _, tc := range []struct {
		name string
		in   *Identity
		want Identity
	}{
		{"user", user, Identity{Role: User, UID: "u1", OpenID: "o1", UnionID: "un1", LoginType: LoginWeChat, Claims: user.Claims, SessionID: "s1"}},
		{"admin", &Identity{Role: Admin, UID: "a1"}, Identity{Role: Admin, UID: "a1", SessionID: "s1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := tk.Sign(tc.in, "s1")
			if err != nil {
				t.Fatal(err)
			}
			got, err := tk.Verify(tok)
			if err != nil {
				t.Fatal(err)
			}
			if got.Role != tc.want.Role || got.UID != tc.want.UID || got.OpenID != tc.want.OpenID ||
				got.LoginType != tc.want.LoginType || got.SessionID != tc.want.SessionID || len(got.Claims) != len(tc.want.Claims) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
			if !got.Expires.Equal(now.Add(time.Hour)) {
				t.Errorf("Expires %v, want the token's expiry %v", got.Expires, now.Add(time.Hour))
			}
		})
	}
	tok, _ := tk.Sign(user, "s1")
	for _, tc := range []struct {
		name string
		at   time.Time
		code string
	}{
		{"just before expiry", now.Add(time.Hour - time.Second), ""},
		{"at expiry", now.Add(time.Hour), CodeAccessTokenExpired},
		{"long after", now.Add(48 * time.Hour), CodeAccessTokenExpired},
		{"issued in the future", now.Add(-time.Minute), CodeInvalidAccessToken},
	} {
		_, err := NewTokens(testKey, time.Hour, fixedClock(tc.at)).Verify(tok)
		if ErrorCode(err) != tc.code {
			t.Errorf("%s: error %v, want code %q", tc.name, err, tc.code)
		}
	}
	long, _ := NewTokens(testKey, 24*time.Hour, fixedClock(now)).Sign(user, "s1")
	if _, err := NewTokens(testKey, time.Hour, fixedClock(now.Add(time.Hour))).Verify(long); ErrorCode(err) != CodeAccessTokenExpired {
		t.Errorf("a token signed for 24 h, an hour old, after the TTL was lowered to 1 h: %v, want ACCESS_TOKEN_EXPIRED", err)
	}
	expiredElsewhere, _ := NewTokens(bytes.Repeat([]byte{8}, 32), time.Hour, fixedClock(now.Add(-3*time.Hour))).Sign(user, "s1")
	if _, err := tk.Verify(expiredElsewhere); ErrorCode(err) != CodeInvalidAccessToken {
		t.Errorf("an expired token signed with another key: %v, want INVALID_ACCESS_TOKEN (the signature is checked first)", err)
	}
}

// TestTokenCache: a token verified once is answered from the cache, which
// still enforces expiry and holds no token that failed.
func TestTokenCache(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	clock := func() time.Time { return now }
	tk := NewTokens(testKey, time.Hour, clock)
	tok, _ := tk.Sign(&Identity{Role: User, UID: "u1", OpenID: "o1"}, "s1")
	for range 2 {
		if id, err := tk.Verify(tok); err != nil || id.UID != "u1" {
			t.Fatalf("verify: %+v %v", id, err)
		}
	}
	if len(tk.cache) != 1 {
		t.Fatalf("cache holds %d tokens, want 1", len(tk.cache))
	}
	tk.Verify(tok[:len(tok)-2])
	tk.Verify("garbage")
	if len(tk.cache) != 1 {
		t.Errorf("failed tokens must not be cached: %d entries", len(tk.cache))
	}
	now = now.Add(time.Hour)
	if _, err := tk.Verify(tok); ErrorCode(err) != CodeAccessTokenExpired {
		t.Errorf("a cached token past its expiry: %v, want ACCESS_TOKEN_EXPIRED", err)
	}
	for i := range maxCachedTokens + 5 {
		tok, _ := tk.Sign(&Identity{Role: User, UID: fmt.Sprint("u", i), OpenID: "o"}, "s")
		tk.Verify(tok)
	}
	if len(tk.cache) > maxCachedTokens {
		t.Errorf("cache grew to %d, cap %d", len(tk.cache), maxCachedTokens)
	}
	if len(tk.cache) < maxCachedTokens*8/10 {
		t.Errorf("a full cache dropped to %d entries: making room must keep most live tokens", len(tk.cache))
	}
	// Expired entries are the first to go: once every cached token has
	// expired, filling the cache again leaves none of them.
	now = now.Add(2 * time.Hour)
	for i := range maxCachedTokens {
		tok, _ := tk.Sign(&Identity{Role: User, UID: fmt.Sprint("v", i), OpenID: "o"}, "s")
		tk.Verify(tok)
	}
	for _, v := range tk.cache {
		if !now.Before(v.exp) {
			t.Fatalf("an expired token survived eviction while live ones were added")
		}
	}
}

func TestTokensRefuseForgeries(t *testing.T) {
	now := time.Now()
	tk := NewTokens(testKey, time.Hour, fixedClock(now))
	good, _ := tk.Sign(&Identity{Role: User, UID: "u1", OpenID: "o1"}, "s1")
	claims := func(extra jwt.MapClaims) jwt.MapClaims {
		c := jwt.MapClaims{"sub": "u1", "openid": "o1", "role": "user", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
		for k, v := range extra {
			c[k] = v
		}
		return c
	}
	sign := func(m jwt.SigningMethod, c jwt.MapClaims, key any) string {
		s, err := jwt.NewWithClaims(m, c).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	for name, tok := range map[string]string{
		"alg none":         sign(jwt.SigningMethodNone, claims(nil), jwt.UnsafeAllowNoneSignatureType),
		"HS384, our key":   sign(jwt.SigningMethodHS384, claims(nil), testKey),
		"another key":      sign(jwt.SigningMethodHS256, claims(nil), bytes.Repeat([]byte{9}, 32)),
		"no exp":           sign(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "u1", "openid": "o1", "role": "user"}, testKey),
		"no sub":           sign(jwt.SigningMethodHS256, claims(jwt.MapClaims{"sub": ""}), testKey),
		"user, no openid":  sign(jwt.SigningMethodHS256, claims(jwt.MapClaims{"openid": ""}), testKey),
		"unknown role":     sign(jwt.SigningMethodHS256, claims(jwt.MapClaims{"role": "root"}), testKey),
		"claims not a map": sign(jwt.SigningMethodHS256, claims(jwt.MapClaims{"claims": 5}), testKey),
		"truncated":        good[:len(good)-3],
		"padding bits":     good[:len(good)-1] + string(good[len(good)-1]^1),
		"empty":            "",
		"huge":             strings.Repeat("a", maxTokenLen+1),
	} {
		if id, err := tk.Verify(tok); ErrorCode(err) != CodeInvalidAccessToken {
			t.Errorf("%s: got %+v, %v; want INVALID_ACCESS_TOKEN", name, id, err)
		}
	}
	if _, err := tk.Verify(good); err != nil {
		t.Fatalf("the genuine token: %v", err)
	}
}

func TestLoadSigningKey(t *testing.T) {
	dir := t.TempDir()
	k1, err := LoadSigningKey(dir)
	if err != nil || len(k1) != 32 {
		t.Fatalf("first load: %d bytes, %v", len(k1), err)
	}
	fi, err := os.Stat(filepath.Join(dir, SigningKeyFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v, want mode 0600", fi, err)
	}
	k2, err := LoadSigningKey(dir)
	if err != nil || !bytes.Equal(k1, k2) {
		t.Fatalf("second load: the same key, got %x vs %x (%v)", k2, k1, err)
	}
	for _, bad := range []string{"not hex\n", "abcd\n"} {
		os.WriteFile(filepath.Join(dir, SigningKeyFile), []byte(bad), 0o600)
		if _, err := LoadSigningKey(dir); err == nil {
			t.Errorf("key file %q: want an error, not a silent new key", bad)
		}
	}
}

// FuzzVerifyAccessToken: whatever the input, Verify does not panic, and
// it accepts only the exact tokens this key signed.
func FuzzVerifyAccessToken(f *testing.F) {
	now := time.Unix(1_800_000_000, 0)
	tk := NewTokens(testKey, time.Hour, fixedClock(now))
	signed := map[string]bool{}
	for _, id := range []*Identity{
		{Role: User, UID: "u1", OpenID: "o1", LoginType: LoginAnonymous},
		{Role: User, UID: "u2", OpenID: "o2", Claims: map[string]any{"roles": []any{"a", 1.5, nil}}},
		{Role: Admin, UID: "a1"},
	} {
		tok, err := tk.Sign(id, "sid")
		if err != nil {
			f.Fatal(err)
		}
		signed[tok] = true
		f.Add(tok)
	}
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{"sub": "u1", "role": "admin", "exp": now.Unix() + 60}).
		SignedString(jwt.UnsafeAllowNoneSignatureType)
	f.Add(none)
	f.Add("eyJhbGciOiJIUzI1NiJ9.e30.")
	f.Add("a.b.c")
	f.Fuzz(func(t *testing.T, token string) {
		id, err := tk.Verify(token)
		if err == nil {
			if !signed[token] {
				t.Fatalf("accepted a token it did not sign: %q → %+v", token, id)
			}
			if id.UID == "" || id.Role == Visitor {
				t.Fatalf("accepted token gives an empty identity: %+v", id)
			}
		} else if c := ErrorCode(err); c != CodeInvalidAccessToken && c != CodeAccessTokenExpired {
			t.Fatalf("error %v has code %q", err, c)
		}
	})
}

// BenchmarkVerify is the per-request cost of a user access token (the
// middleware's only work besides reading the header): first use (the JWT
// checks) and later uses (the cache).
func BenchmarkVerify(b *testing.B) {
	tk := NewTokens(testKey, time.Hour, time.Now)
	uid := "0123456789abcdef0123456789abcdef"
	tok, _ := tk.Sign(&Identity{Role: User, UID: uid, OpenID: uid, LoginType: LoginAnonymous}, uid)
	b.Run("first", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := tk.verify(tok); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cached", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := tk.Verify(tok); err != nil {
				b.Fatal(err)
			}
		}
	})
	// The same with 10,000 other sign-ins revoked in the last hour: the
	// revocation check on every use is one more map lookup.
	for i := range 10_000 {
		tk.Revoke(fmt.Sprintf("%032x", i), time.Now().Add(time.Hour))
	}
	b.Run("cached-10k-revoked", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := tk.Verify(tok); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkAdminKey is the admin-key path, for comparison.
func BenchmarkAdminKey(b *testing.B) {
	keys, _, _ := LoadAdminKeys(b.TempDir(), "mbk_0123456789abcdef0123456789abcdef0123456")
	b.ReportAllocs()
	for b.Loop() {
		if !keys.Verify("mbk_0123456789abcdef0123456789abcdef0123456") {
			b.Fatal("no")
		}
	}
}

// TestTokenRevoke: a revoked family's tokens are refused whether or not
// the verifier cached them, other families' are not, and an entry is
// forgotten once the tokens it covers have expired, so the set holds only
// the revocations of the last access-token lifetime.
func TestTokenRevoke(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	tk := NewTokens(testKey, time.Hour, func() time.Time { return now })
	id := &Identity{Role: User, UID: "u1", OpenID: "o1"}
	cached, _ := tk.Sign(id, "s1")
	fresh, _ := tk.Sign(&Identity{Role: Admin, UID: "a1"}, "s1")
	other, _ := tk.Sign(id, "s2")
	for _, tok := range []string{cached, other} {
		if _, err := tk.Verify(tok); err != nil {
			t.Fatal(err)
		}
	}
	signal := tk.Revocations()
	tk.Revoke("s1", now.Add(time.Hour))
	select {
	case <-signal:
	default:
		t.Error("Revoke did not close the channel Revocations gave")
	}
	if !tk.Revoked("s1") || tk.Revoked("s2") {
		t.Errorf("Revoked(s1) = %v, Revoked(s2) = %v; want true, false", tk.Revoked("s1"), tk.Revoked("s2"))
	}
	for name, tok := range map[string]string{"cached": cached, "never verified": fresh} {
		if _, err := tk.Verify(tok); ErrorCode(err) != CodeAccessTokenRevoked {
			t.Errorf("%s token of a revoked family: %v, want ACCESS_TOKEN_REVOKED", name, err)
		}
	}
	if _, ok := tk.cache[fresh]; ok {
		t.Error("a revoked token was cached")
	}
	if _, err := tk.Verify(other); err != nil {
		t.Errorf("another family: %v", err)
	}
	tk.Revoke("", now.Add(time.Hour))
	tk.Revoke("s3", now) // its tokens have all expired
	if len(tk.revoked) != 1 {
		t.Errorf("revoked set %v: an empty sid or a past time adds nothing", tk.revoked)
	}
	now = now.Add(time.Hour) // s1's tokens have expired
	for i := range 3 * minSweep {
		tk.Revoke(fmt.Sprint("x", i), now.Add(time.Duration(i%2+1)*time.Minute))
		if i == minSweep {
			if _, ok := tk.revoked["s1"]; ok {
				t.Error("an entry past its time survived a sweep")
			}
		}
	}
	now = now.Add(90 * time.Second) // half of the x entries have expired
	for i := range minSweep {
		tk.Revoke(fmt.Sprint("y", i), now.Add(time.Minute))
	}
	if n, live := len(tk.revoked), 3*minSweep/2+minSweep; n > live {
		t.Errorf("the revoked set holds %d entries, want at most the %d live ones", n, live)
	}
}

// TestSetTTL: a lowered life cuts short the tokens already verified (and
// cached) as well as those verified for the first time; admin tokens have
// their own life.
func TestSetTTL(t *testing.T) {
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	at := now
	tk := NewTokens(testKey, time.Hour, func() time.Time { return at })
	tk.SetTTL(time.Hour, 2*time.Hour)
	user := &Identity{Role: User, UID: "u1", OpenID: "u1"}
	admin := &Identity{Role: Admin, UID: "a1"}
	ut, _ := tk.Sign(user, "s1")
	at2, _ := tk.Sign(admin, "s2")
	at = now.Add(90 * time.Minute)
	if _, err := tk.Verify(ut); ErrorCode(err) != CodeAccessTokenExpired {
		t.Errorf("a user token after 90 min of 60: %v", err)
	}
	if _, err := tk.Verify(at2); err != nil { // cached now, until 12:00
		t.Fatalf("an admin token after 90 min of 120: %v", err)
	}
	tk.SetTTL(time.Hour, time.Hour)
	if _, err := tk.Verify(at2); ErrorCode(err) != CodeAccessTokenExpired {
		t.Errorf("a cached admin token past the lowered life: %v, want ACCESS_TOKEN_EXPIRED", err)
	}
}
