package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// SigningKeyFile is the file in the data directory holding the secret that
// signs access tokens (hex, mode 0600).
const SigningKeyFile = "jwt.key"

const signingKeyLen = 32 // bytes: HS256 wants at least the hash size

// LoadSigningKey returns the access-token secret kept in dir, generating
// one (32 random bytes) on first use. Deleting the file signs every user
// out at their access token's expiry.
func LoadSigningKey(dir string) ([]byte, error) {
	path := filepath.Join(dir, SigningKeyFile)
	raw, err := os.ReadFile(path)
	if err == nil {
		key, err := hex.DecodeString(strings.TrimSpace(string(raw)))
		if err != nil || len(key) < signingKeyLen {
			return nil, fmt.Errorf("read %s: want at least %d hex-encoded bytes", path, signingKeyLen)
		}
		return key, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read signing key: %w", err)
	}
	key := make([]byte, signingKeyLen)
	rand.Read(key)
	if err := writeFileAtomic(path, []byte(hex.EncodeToString(key)+"\n")); err != nil {
		return nil, fmt.Errorf("store signing key: %w", err)
	}
	return key, nil
}

// Role names in access tokens.
const (
	roleUser  = "user"
	roleAdmin = "admin"
)

// accessClaims is the payload of an access token.
type accessClaims struct {
	OpenID    string         `json:"openid,omitempty"`
	UnionID   string         `json:"unionid,omitempty"`
	LoginType LoginType      `json:"lt,omitempty"`
	Role      string         `json:"role"`
	Claims    map[string]any `json:"claims,omitempty"`
	SID       string         `json:"sid,omitempty"`
	jwt.RegisteredClaims
}

// maxTokenLen bounds what the verifier parses: real tokens are a few
// hundred bytes (custom claims are capped at maxClaimsBytes).
const maxTokenLen = 8 << 10

// Tokens signs and verifies access tokens: JWTs with HS256 and a secret
// only this server knows, so a request is authenticated without a
// database read. It is safe for concurrent use.
type Tokens struct {
	key []byte
	// ttl and adminTTL are how long end users' and admins' access tokens
	// live (ns); SetTTL changes them while the server runs.
	ttl, adminTTL atomic.Int64
	now           func() time.Time
	parser        *jwt.Parser

	// cache holds tokens already verified, so a client's later requests
	// with the same token skip the JWT work (~9 µs, 52 allocations). Only
	// the exact string that passed verification hits; expiry and
	// revocation are still checked on every use.
	mu    sync.RWMutex
	cache map[string]verified
	// revoked holds the session families (sids) ended while access tokens
	// of theirs may still be valid: sid → when the last of them expires
	// (unix ns). See Revoke.
	revoked map[string]int64
	sweepAt int           // len(revoked) at which Revoke next drops the entries past their time
	revoke  chan struct{} // closed at the next Revoke; nil until Revocations asks
}

type verified struct {
	id  *Identity
	exp time.Time
}

// maxCachedTokens bounds the cache (~0.5 KiB an entry).
const maxCachedTokens = 10_000

// evictLocked makes room in a full cache: expired tokens go, then a tenth
// of the rest, chosen at random (map order), so the clients still active
// mostly keep their entries instead of all paying the JWT check at once.
func (t *Tokens) evictLocked() {
	now := t.now()
	for k, v := range t.cache {
		if !now.Before(v.exp) {
			delete(t.cache, k)
		}
	}
	for k := range t.cache {
		if len(t.cache) < maxCachedTokens*9/10 {
			break
		}
		delete(t.cache, k)
	}
}

// NewTokens returns a signer and verifier for access tokens that live for
// ttl (admins' too, until SetTTL), with now as the clock.
func NewTokens(key []byte, ttl time.Duration, now func() time.Time) *Tokens {
	t := newTokens(key, now)
	t.SetTTL(ttl, ttl)
	return t
}

func newTokens(key []byte, now func() time.Time) *Tokens {
	return &Tokens{key: key, now: now, cache: map[string]verified{}, revoked: map[string]int64{}, sweepAt: minSweep, parser: jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithTimeFunc(now),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithStrictDecoding(), // one spelling per token: no malleable padding bits
	)}
}

// TTL is how long an end user's access token lives.
func (t *Tokens) TTL() time.Duration { return time.Duration(t.ttl.Load()) }

// AdminTTL is how long an admin account's access token lives.
func (t *Tokens) AdminTTL() time.Duration { return time.Duration(t.adminTTL.Load()) }

// SetTTL sets the lives of the access tokens signed from now on; tokens
// already signed are held to them too when they are shorter (Verify). A
// change empties the cache of verified tokens, whose expiry was capped by
// the lives before it.
func (t *Tokens) SetTTL(user, admin time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	oldUser, oldAdmin := t.ttl.Swap(int64(user)), t.adminTTL.Swap(int64(admin))
	if oldUser != int64(user) || oldAdmin != int64(admin) {
		clear(t.cache)
	}
}

// ttlOf is the life of role's access tokens.
func (t *Tokens) ttlOf(r Role) time.Duration {
	if r == Admin {
		return t.AdminTTL()
	}
	return t.TTL()
}

// Sign returns an access token for id, issued now, from session family sid.
func (t *Tokens) Sign(id *Identity, sid string) (string, error) { return t.sign(id, sid, t.now()) }

// sign is Sign with the issue time given: the Service signs at the time it
// stored the family's refresh token, so that the access token expires no
// later than a Revocation of the family (Issued + ttl) covers.
func (t *Tokens) sign(id *Identity, sid string, now time.Time) (string, error) {
	c := accessClaims{OpenID: id.OpenID, UnionID: id.UnionID, LoginType: id.LoginType, Role: roleUser, Claims: id.Claims, SID: sid,
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   id.UID,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(t.ttlOf(id.Role))),
		}}
	if id.Role == Admin {
		c.Role = roleAdmin
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(t.key)
	if err != nil {
		return "", fmt.Errorf("sign access token: %w", err)
	}
	return s, nil
}

var (
	errTokenExpired = Errorf(CodeAccessTokenExpired, "the access token has expired: refresh it")
	errTokenInvalid = Errorf(CodeInvalidAccessToken, "the access token or admin key is not valid")
	errTokenRevoked = Errorf(CodeAccessTokenRevoked,
		"the access token's sign-in has ended (signed out, revoked, or the account disabled or deleted): sign in again")
)

// Verify checks an access token's signature (HS256 only), expiry and
// revocation and returns its caller: an Admin for admin-account tokens,
// else a User. It returns ACCESS_TOKEN_REVOKED for a well-signed token
// whose session family was revoked (Revoke), ACCESS_TOKEN_EXPIRED for one
// past its expiry, or issued longer than the TTL ago (a token signed
// before the TTL was lowered), and INVALID_ACCESS_TOKEN for anything else.
func (t *Tokens) Verify(token string) (*Identity, error) {
	t.mu.RLock()
	v, ok := t.cache[token]
	dead := ok && t.revokedLocked(v.id.SessionID)
	t.mu.RUnlock()
	switch {
	case dead:
		return nil, errTokenRevoked
	case ok && !t.now().Before(v.exp):
		return nil, errTokenExpired
	case ok:
		return v.id, nil
	}
	id, exp, err := t.verify(token)
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.revokedLocked(id.SessionID) {
		return nil, errTokenRevoked
	}
	if len(t.cache) >= maxCachedTokens {
		t.evictLocked()
	}
	t.cache[strings.Clone(token)] = verified{id, exp} // the caller's string may live in a reused buffer
	return id, nil
}

func (t *Tokens) verify(token string) (*Identity, time.Time, error) {
	if len(token) > maxTokenLen {
		return nil, time.Time{}, errTokenInvalid
	}
	var c accessClaims
	_, err := t.parser.ParseWithClaims(token, &c, t.keyFunc)
	switch {
	case errors.Is(err, jwt.ErrTokenExpired) && errors.Is(err, jwt.ErrTokenInvalidClaims):
		return nil, time.Time{}, errTokenExpired
	case err != nil, c.Subject == "", c.ExpiresAt == nil:
		return nil, time.Time{}, errTokenInvalid
	}
	id := &Identity{UID: c.Subject, OpenID: c.OpenID, UnionID: c.UnionID, LoginType: c.LoginType, Claims: c.Claims, SessionID: c.SID}
	switch c.Role {
	case roleUser:
		if c.OpenID == "" {
			return nil, time.Time{}, errTokenInvalid
		}
		id.Role = User
	case roleAdmin:
		id.Role = Admin
	default:
		return nil, time.Time{}, errTokenInvalid
	}
	// The TTL in force caps every token's life, also one signed before it
	// was lowered: revocations are remembered for that TTL (Revoke).
	exp := c.ExpiresAt.Time
	if ttl := t.ttlOf(id.Role); c.IssuedAt != nil && c.IssuedAt.Add(ttl).Before(exp) {
		exp = c.IssuedAt.Add(ttl)
	}
	if !t.now().Before(exp) {
		return nil, time.Time{}, errTokenExpired
	}
	id.Expires = exp
	return id, exp, nil
}

func (t *Tokens) keyFunc(*jwt.Token) (any, error) { return t.key, nil }

// Refresh tokens are 32 random bytes, base64url; only their SHA-256 is
// stored.
const (
	refreshTokenBytes = 32
	maxRefreshToken   = 128
)

func newRefreshToken() (token string, hash []byte) {
	b := make([]byte, refreshTokenBytes)
	rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, hashToken(token)
}

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}
