package servertest

import (
	"encoding/json"
	"testing"
)

// Identity is who sends a request: Visitor (the zero value: no token),
// Admin (the admin key), an end user the harness signs in on first use on
// each server (Anonymous, User), or a token given as it is (Bearer).
// Identities are values: the same name is the same user on one server.
type Identity struct {
	kind     kind
	name     string // the user's name, or Bearer's token
	password string
}

type kind uint8

const (
	visitor kind = iota
	admin
	anonymous
	user
	bearer
)

// Visitor sends no token; Admin sends AdminKey.
var (
	Visitor = Identity{}
	Admin   = Identity{kind: admin}
)

// Anonymous is an anonymous end user (POST /v1/auth/anonymous), named
// only to tell users apart in a test: "alice" is one user, "bob" another.
func Anonymous(name string) Identity { return Identity{kind: anonymous, name: name} }

// User is an end user with a username and a password, signed up on first
// use (or logged in, when the username is taken on that server).
func User(username, password string) Identity {
	return Identity{kind: user, name: username, password: password}
}

// Bearer sends token as it is (an expired, forged or revoked token).
func Bearer(token string) Identity { return Identity{kind: bearer, name: token} }

// String names the identity in messages.
func (id Identity) String() string {
	switch id.kind {
	case admin:
		return "admin"
	case anonymous:
		return "anonymous " + id.name
	case user:
		return "user " + id.name
	case bearer:
		return "a given token"
	}
	return "visitor"
}

// Session is an end user signed in: its ids and tokens.
type Session struct {
	UID, OpenID  string
	AccessToken  string
	RefreshToken string
	SignIn       *Response // the sign-in's answer
}

// Session signs id in on s, the first time, and returns its session: an
// Anonymous or a User identity only.
func (s *Server) Session(tb testing.TB, id Identity) *Session {
	tb.Helper()
	if id.kind != anonymous && id.kind != user {
		tb.Fatalf("servertest: %s has no session", id)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if se := s.sessions[id]; se != nil {
		return se
	}
	var r *Response
	if id.kind == anonymous {
		r = s.Do(tb, Request{Method: "POST", URL: "/v1/auth/anonymous", Body: `{}`})
	} else {
		creds, _ := json.Marshal(map[string]string{"username": id.name, "password": id.password})
		if r = s.Do(tb, Request{Method: "POST", URL: "/v1/auth/signup", Body: creds}); r.Status == 409 {
			r = s.Do(tb, Request{Method: "POST", URL: "/v1/auth/login", Body: creds})
		}
	}
	se := &Session{UID: r.Str("user.uid"), OpenID: r.Str("user.openid"), AccessToken: r.Str("access_token"),
		RefreshToken: r.Str("refresh_token"), SignIn: r}
	if r.Status != 200 || se.AccessToken == "" || se.UID == "" {
		tb.Fatalf("servertest: sign in %s: %d %.300s", id, r.Status, r.Body)
	}
	s.sessions[id] = se
	return se
}

// Token is the bearer token id sends ("" for a visitor).
func (s *Server) Token(tb testing.TB, id Identity) string {
	tb.Helper()
	switch id.kind {
	case admin:
		return AdminKey
	case bearer:
		return id.name
	case anonymous, user:
		return s.Session(tb, id).AccessToken
	}
	return ""
}
