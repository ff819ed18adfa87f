package ticket

import (
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a settable time source for a Keyring.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func openKeyring(t testing.TB, c *clock) *Keyring {
	t.Helper()
	k, err := Open(t.TempDir(), c.now)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// credentials is the CloudBase credentials file, parsed without this package.
type credentials struct {
	ID    string
	Key   *rsa.PrivateKey
	EnvID string
}

func readCredentials(t testing.TB, k *Keyring, env string) credentials {
	t.Helper()
	b, err := k.Credentials(env)
	if err != nil {
		t.Fatal(err)
	}
	var raw struct {
		ID    string `json:"private_key_id"`
		PEM   string `json:"private_key"`
		EnvID string `json:"env_id"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatalf("credentials %s: %v", b, err)
	}
	block, _ := pem.Decode([]byte(raw.PEM))
	if block == nil {
		t.Fatalf("private_key is not PEM: %q", raw.PEM)
	}
	priv, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return credentials{raw.ID, priv, raw.EnvID}
}

// createTicket signs a ticket the way @cloudbase/node-sdk's createTicket does
// (jsonwebtoken, RS256, claims in milliseconds), with no help from jwt/v5.
func createTicket(t testing.TB, c credentials, header string, claims map[string]any) string {
	t.Helper()
	body, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString(body)
	sum := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, c.Key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return c.ID + "/@@/" + signing + "." + enc.EncodeToString(sig)
}

const rs256Header = `{"alg":"RS256","typ":"JWT"}`

// nodeClaims are createTicket's claims for uid at now with its defaults.
func nodeClaims(env, uid string, now time.Time) map[string]any {
	ms := now.UnixMilli()
	return map[string]any{
		"alg": "RS256", "env": env, "iat": ms, "exp": ms + 600000, "uid": uid,
		"refresh": 3600000, "expire": ms + 7*24*3600000,
	}
}

func TestIssueVerify(t *testing.T) {
	c := newClock()
	k := openKeyring(t, c)
	expire := c.now().Add(48 * time.Hour)
	tests := []struct {
		name string
		opts IssueOptions
		want Claims
	}{
		{"defaults", IssueOptions{Env: "prod-1"},
			Claims{UID: "user_42", Env: "prod-1", Refresh: time.Hour, Expire: c.now().Add(7 * 24 * time.Hour)}},
		{"explicit", IssueOptions{Env: "dev", Refresh: 90 * time.Second, Expire: expire},
			Claims{UID: "user_42", Env: "dev", Refresh: 90 * time.Second, Expire: expire}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tk, err := k.Issue("user_42", tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			cred := readCredentials(t, k, "")
			if !strings.HasPrefix(tk, cred.ID+"/@@/") {
				t.Fatalf("ticket %q does not start with private_key_id %q + /@@/", tk, cred.ID)
			}
			got, err := k.Verify(tk)
			if err != nil {
				t.Fatal(err)
			}
			if got.UID != tt.want.UID || got.Env != tt.want.Env || got.Refresh != tt.want.Refresh || !got.Expire.Equal(tt.want.Expire) {
				t.Errorf("Verify = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestTicketPayload pins the wire format: node-sdk's claims, in milliseconds.
func TestTicketPayload(t *testing.T) {
	c := newClock()
	k := openKeyring(t, c)
	tk, err := k.Issue("abcd", IssueOptions{Env: "env-x"})
	if err != nil {
		t.Fatal(err)
	}
	_, jwtPart, _ := strings.Cut(tk, "/@@/")
	parts := strings.Split(jwtPart, ".")
	if len(parts) != 3 {
		t.Fatalf("JWT has %d parts", len(parts))
	}
	var header, body map[string]any
	for i, dst := range []*map[string]any{&header, &body} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, dst); err != nil {
			t.Fatal(err)
		}
	}
	if header["alg"] != "RS256" {
		t.Errorf("header = %v, want alg RS256", header)
	}
	ms := float64(c.now().UnixMilli())
	want := map[string]any{"alg": "RS256", "env": "env-x", "iat": ms, "exp": ms + 600000, "uid": "abcd",
		"refresh": float64(3600000), "expire": ms + 7*24*3600000}
	if len(body) != len(want) {
		t.Errorf("payload = %v, want %v", body, want)
	}
	for name, v := range want {
		if body[name] != v {
			t.Errorf("payload[%q] = %v, want %v", name, body[name], v)
		}
	}
}

// TestNodeSDKTicket: a developer's server holding the credentials file signs
// tickets itself, as node-sdk's createTicket does, and minibase accepts them.
func TestNodeSDKTicket(t *testing.T) {
	c := newClock()
	k := openKeyring(t, c)
	cred := readCredentials(t, k, "prod-1")
	if cred.EnvID != "prod-1" || cred.Key.N.BitLen() != 2048 {
		t.Fatalf("credentials env_id %q, %d-bit key; want prod-1, 2048", cred.EnvID, cred.Key.N.BitLen())
	}
	tk := createTicket(t, cred, rs256Header, nodeClaims("prod-1", "wx(user)#1", c.now()))
	got, err := k.Verify(tk)
	if err != nil {
		t.Fatal(err)
	}
	want := Claims{UID: "wx(user)#1", Env: "prod-1", Refresh: time.Hour, Expire: c.now().Add(7 * 24 * time.Hour)}
	if got.UID != want.UID || got.Env != want.Env || got.Refresh != want.Refresh || !got.Expire.Equal(want.Expire) {
		t.Errorf("Verify = %+v, want %+v", got, want)
	}
}

func TestVerifyRejects(t *testing.T) {
	c := newClock()
	k := openKeyring(t, c)
	cred := readCredentials(t, k, "")
	other := openKeyring(t, c)
	good, err := k.Issue("user_42", IssueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, goodJWT, _ := strings.Cut(good, "/@@/")
	parts := strings.Split(goodJWT, ".")
	now := c.now()
	with := func(name string, v any) map[string]any {
		m := nodeClaims("", "user_42", now)
		if v == nil {
			delete(m, name)
		} else {
			m[name] = v
		}
		return m
	}
	otherTicket, err := other.Issue("user_42", IssueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, otherJWT, _ := strings.Cut(otherTicket, "/@@/")
	tampered := with("uid", "admin_1")
	tamperedBody, _ := json.Marshal(tampered)
	enc := base64.RawURLEncoding

	tests := []struct {
		name   string
		ticket string
		want   error
	}{
		{"empty", "", ErrInvalidTicket},
		{"no separator", goodJWT, ErrInvalidTicket},
		{"empty key id", "/@@/" + goodJWT, ErrInvalidTicket},
		{"unknown key id", "0123456789abcdef0123456789abcdef/@@/" + goodJWT, ErrInvalidTicket},
		{"too long", good + strings.Repeat("A", MaxLen), ErrInvalidTicket},
		{"tampered payload", cred.ID + "/@@/" + parts[0] + "." + enc.EncodeToString(tamperedBody) + "." + parts[2], ErrInvalidTicket},
		{"signature cut", cred.ID + "/@@/" + parts[0] + "." + parts[1] + ".", ErrInvalidTicket},
		{"alg none", cred.ID + "/@@/" + enc.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + ".", ErrInvalidTicket},
		{"alg HS256 keyed with the public key", createHS256(t, cred, nodeClaims("", "user_42", now)), ErrInvalidTicket},
		{"signed by another keyring's key", cred.ID + "/@@/" + otherJWT, ErrInvalidTicket},
		{"bad uid", createTicket(t, cred, rs256Header, with("uid", "ab")), ErrInvalidTicket},
		{"no uid", createTicket(t, cred, rs256Header, with("uid", nil)), ErrInvalidTicket},
		{"uid not a string", createTicket(t, cred, rs256Header, with("uid", 12345)), ErrInvalidTicket},
		{"iat as a string", createTicket(t, cred, rs256Header, with("iat", "now")), ErrInvalidTicket},
		{"iat in seconds", createTicket(t, cred, rs256Header, with("iat", now.Unix())), ErrInvalidTicket},
		{"no exp", createTicket(t, cred, rs256Header, with("exp", nil)), ErrInvalidTicket},
		{"life over 10 minutes", createTicket(t, cred, rs256Header, with("exp", now.UnixMilli()+11*60000)), ErrInvalidTicket},
		{"no refresh", createTicket(t, cred, rs256Header, with("refresh", nil)), ErrInvalidTicket},
		{"issued in the future", createTicket(t, cred, rs256Header, func() map[string]any {
			m := nodeClaims("", "user_42", now.Add(5*time.Minute))
			return m
		}()), ErrInvalidTicket},
		{"expired", createTicket(t, cred, rs256Header, nodeClaims("", "user_42", now.Add(-12*time.Minute))), ErrExpiredTicket},
		{"login validity over", createTicket(t, cred, rs256Header, with("expire", now.UnixMilli()-1)), ErrExpiredTicket},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := k.Verify(tt.ticket)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %+v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

// createHS256 forges a ticket with HMAC-SHA256 keyed by the public key's PEM
// (the classic algorithm-confusion attack).
func createHS256(t *testing.T, c credentials, claims map[string]any) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(&c.Key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pub := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	body, _ := json.Marshal(claims)
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc.EncodeToString(body)
	mac := hmac.New(sha256.New, pub)
	mac.Write([]byte(signing))
	return c.ID + "/@@/" + signing + "." + enc.EncodeToString(mac.Sum(nil))
}

// TestTicketLife: a ticket verifies within its 10 minutes (plus a minute of
// clock leeway) and is expired after.
func TestTicketLife(t *testing.T) {
	c := newClock()
	k := openKeyring(t, c)
	tk, err := k.Issue("user_42", IssueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		advance time.Duration
		want    error
	}{
		{9 * time.Minute, nil},
		{time.Minute + 59*time.Second, nil}, // 10m59s: inside the leeway
		{time.Second, ErrExpiredTicket},     // 11m
		{time.Hour, ErrExpiredTicket},
	}
	for _, s := range steps {
		c.add(s.advance)
		if _, err := k.Verify(tk); !errors.Is(err, s.want) {
			t.Errorf("at %v after issue: Verify err = %v, want %v", c.now().Sub(newClock().now()), err, s.want)
		}
	}
}

func TestIssueRejects(t *testing.T) {
	c := newClock()
	k := openKeyring(t, c)
	tests := []struct {
		name string
		uid  string
		opts IssueOptions
		is   error
	}{
		{"short uid", "abc", IssueOptions{}, ErrInvalidUID},
		{"uid with a space", "ab cd", IssueOptions{}, ErrInvalidUID},
		{"expire in the past", "abcd", IssueOptions{Expire: c.now().Add(-time.Second)}, nil},
		{"negative refresh", "abcd", IssueOptions{Refresh: -time.Hour}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tk, err := k.Issue(tt.uid, tt.opts)
			if err == nil {
				t.Fatalf("Issue = %q, want an error", tk)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Fatalf("Issue err = %v, want %v", err, tt.is)
			}
		})
	}
}

func TestValidUID(t *testing.T) {
	tests := []struct {
		uid  string
		want bool
	}{
		{"abcd", true},
		{"User_01", true},
		{"a-b#c@d(e){f}[g]:h.i,j<k>l+m~n", true},
		{strings.Repeat("x", 32), true},
		{"abc", false},
		{strings.Repeat("x", 33), false},
		{"", false},
		{"abc d", false},
		{"abcd/", false},
		{"abcd\n", false},
		{"用户名字四", false},
		{"abcd$", false},
	}
	for _, tt := range tests {
		if got := ValidUID(tt.uid); got != tt.want {
			t.Errorf("ValidUID(%q) = %v, want %v", tt.uid, got, tt.want)
		}
	}
}
