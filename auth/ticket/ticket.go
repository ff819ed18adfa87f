// Package ticket issues and verifies CloudBase custom-login tickets.
//
// A ticket lets a developer's own server vouch for one of its users: the server
// signs the user's id with the app's private key, the client hands the ticket to
// minibase, and minibase logs the user in. The format is CloudBase's, exactly
// (https://docs.cloudbase.net/authentication/method/custom-login), so code
// written for `app.auth().createTicket(uid, {refresh, expire})` in
// @cloudbase/node-sdk works unchanged with the credentials file a Keyring
// hands out:
//
//	ticket = private_key_id + "/@@/" + JWT_RS256({alg: "RS256", env, iat, exp, uid, refresh, expire})
//
// iat, exp and expire are milliseconds since the epoch and refresh is a duration
// in milliseconds; a ticket lives 10 minutes (exp = iat + 10 min).
package ticket

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Lifetimes and limits of tickets.
const (
	// Life is how long a ticket is valid after it was issued.
	Life = 10 * time.Minute
	// Leeway is the clock difference tolerated between the issuer and us.
	Leeway = time.Minute
	// RotationGrace is how long a replaced key keeps verifying (CloudBase: 2 hours).
	RotationGrace = 2 * time.Hour
	// DefaultRefresh is the access-token refresh interval when IssueOptions has none.
	DefaultRefresh = time.Hour
	// DefaultExpire is how long a login lasts when IssueOptions has no Expire.
	DefaultExpire = 7 * 24 * time.Hour
	// MaxLen caps the length of a ticket accepted by Verify.
	MaxLen = 8 << 10

	separator  = "/@@/"
	maxRefresh = 10 * 365 * 24 * time.Hour // keeps Claims.Refresh far from overflow
)

var (
	// ErrInvalidTicket means a ticket is malformed, signed by an unknown or
	// retired key, badly signed, or carries invalid claims.
	ErrInvalidTicket = errors.New("invalid custom login ticket")
	// ErrExpiredTicket means a well-signed ticket is past its 10-minute life, or
	// the login validity it grants (expire) has already passed.
	ErrExpiredTicket = errors.New("custom login ticket has expired")
	// ErrInvalidUID means a uid does not meet ValidUID.
	ErrInvalidUID = errors.New("invalid custom login uid: want 4-32 characters of A-Z a-z 0-9 _-#@(){}[]:.,<>+~")
)

// IssueOptions are the optional parts of a ticket.
type IssueOptions struct {
	Env     string        // the environment id (CloudBase env_id)
	Refresh time.Duration // access-token refresh interval; zero means DefaultRefresh
	Expire  time.Time     // when the login ends; zero means now + DefaultExpire
}

// Claims is what a verified ticket says.
type Claims struct {
	UID     string        // the developer's user id (customUserId)
	Env     string        // the environment the ticket was made for; the caller checks it
	Refresh time.Duration // access-token refresh interval
	Expire  time.Time     // when the login ends
}

// payload is the JWT body, in node-sdk's field order and units (milliseconds).
type payload struct {
	Alg     string `json:"alg"`
	Env     string `json:"env"`
	Iat     int64  `json:"iat"`
	Exp     int64  `json:"exp"`
	UID     string `json:"uid"`
	Refresh int64  `json:"refresh"`
	Expire  int64  `json:"expire"`
}

// The registered-claims accessors satisfy jwt.Claims. They report nothing: the
// times are in milliseconds, which the library's second-based checks would
// misread, so verify checks them itself.
func (payload) GetExpirationTime() (*jwt.NumericDate, error) { return nil, nil }
func (payload) GetIssuedAt() (*jwt.NumericDate, error)       { return nil, nil }
func (payload) GetNotBefore() (*jwt.NumericDate, error)      { return nil, nil }
func (payload) GetIssuer() (string, error)                   { return "", nil }
func (payload) GetSubject() (string, error)                  { return "", nil }
func (payload) GetAudience() (jwt.ClaimStrings, error)       { return nil, nil }

// ValidUID reports whether uid is a valid custom-login user id: 4 to 32
// characters of [A-Za-z0-9] and _-#@(){}[]:.,<>+~ (CloudBase's rule).
func ValidUID(uid string) bool {
	if len(uid) < 4 || len(uid) > 32 {
		return false
	}
	for i := 0; i < len(uid); i++ {
		c := uid[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("_-#@(){}[]:.,<>+~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// Issue returns a ticket for uid signed with the current key, valid for Life.
// It fails with ErrInvalidUID for a bad uid, and with an error when Refresh is
// negative or Expire is not in the future.
func (k *Keyring) Issue(uid string, opts IssueOptions) (string, error) {
	if !ValidUID(uid) {
		return "", ErrInvalidUID
	}
	now := k.now()
	if opts.Refresh == 0 {
		opts.Refresh = DefaultRefresh
	}
	if opts.Refresh < time.Millisecond || opts.Refresh > maxRefresh {
		return "", fmt.Errorf("issue ticket: refresh %v is not in [1ms, %v]", opts.Refresh, maxRefresh)
	}
	if opts.Expire.IsZero() {
		opts.Expire = now.Add(DefaultExpire)
	}
	if !opts.Expire.After(now) {
		return "", fmt.Errorf("issue ticket: expire %v is not in the future", opts.Expire)
	}
	iat := now.UnixMilli()
	p := payload{
		Alg:     "RS256",
		Env:     opts.Env,
		Iat:     iat,
		Exp:     iat + Life.Milliseconds(),
		UID:     uid,
		Refresh: opts.Refresh.Milliseconds(),
		Expire:  opts.Expire.UnixMilli(),
	}
	k.mu.RLock()
	cur := k.current
	k.mu.RUnlock()
	signed, err := jwt.NewWithClaims(jwt.SigningMethodRS256, p).SignedString(cur.priv)
	if err != nil {
		return "", fmt.Errorf("issue ticket: %w", err)
	}
	return cur.id + separator + signed, nil
}

// Verify checks a ticket: its key id names the current key or one replaced
// less than RotationGrace ago, its RS256 signature holds, its claims are
// well-formed (ValidUID, positive refresh, a life of at most Life) and it is
// within its life, allowing Leeway of clock difference. It fails with
// ErrExpiredTicket for an expired ticket and ErrInvalidTicket otherwise. The
// caller checks Claims.Env against its own environment.
func (k *Keyring) Verify(ticket string) (Claims, error) {
	if len(ticket) > MaxLen {
		return Claims{}, fmt.Errorf("%w: longer than %d bytes", ErrInvalidTicket, MaxLen)
	}
	id, token, ok := strings.Cut(ticket, separator)
	if !ok || id == "" {
		return Claims{}, fmt.Errorf("%w: not private_key_id/@@/jwt", ErrInvalidTicket)
	}
	now := k.now()
	pub := k.publicKey(id, now)
	if pub == nil && k.reloadForUnknown() { // another node's new key?
		pub = k.publicKey(id, now)
	}
	if pub == nil {
		return Claims{}, fmt.Errorf("%w: unknown or retired key", ErrInvalidTicket)
	}
	var p payload
	parser := jwt.NewParser(jwt.WithValidMethods([]string{jwt.SigningMethodRS256.Alg()}), jwt.WithoutClaimsValidation())
	if _, err := parser.ParseWithClaims(token, &p, func(*jwt.Token) (any, error) { return pub, nil }); err != nil {
		return Claims{}, fmt.Errorf("%w: %w", ErrInvalidTicket, err)
	}
	return p.check(now)
}

// check validates the claims of a well-signed ticket at time now.
func (p payload) check(now time.Time) (Claims, error) {
	switch {
	case !ValidUID(p.UID):
		return Claims{}, fmt.Errorf("%w: bad uid", ErrInvalidTicket)
	case p.Iat <= 0 || p.Exp <= p.Iat || p.Exp-p.Iat > Life.Milliseconds():
		return Claims{}, fmt.Errorf("%w: iat/exp do not describe a life of at most %v", ErrInvalidTicket, Life)
	case p.Refresh <= 0 || p.Refresh > maxRefresh.Milliseconds() || p.Expire <= 0:
		return Claims{}, fmt.Errorf("%w: refresh must be in (0, %v] and expire positive", ErrInvalidTicket, maxRefresh)
	}
	ms, leeway := now.UnixMilli(), Leeway.Milliseconds()
	switch {
	case p.Iat > ms+leeway:
		return Claims{}, fmt.Errorf("%w: issued in the future", ErrInvalidTicket)
	case ms >= p.Exp+leeway:
		return Claims{}, ErrExpiredTicket
	case ms >= p.Expire:
		return Claims{}, fmt.Errorf("%w: the login it grants ended at %v", ErrExpiredTicket, time.UnixMilli(p.Expire).UTC())
	}
	return Claims{
		UID:     p.UID,
		Env:     p.Env,
		Refresh: time.Duration(p.Refresh) * time.Millisecond,
		Expire:  time.UnixMilli(p.Expire),
	}, nil
}
