// Package auth is minibase's identity: who is calling (an admin, an end user
// or an anonymous visitor), carried in context.Context; end-user and admin
// accounts and their logins (Service); access tokens (Tokens) and refresh
// token families; admin keys; and the HTTP middleware and endpoints.
//
// Storage is behind small interfaces declared here (Users, Sessions,
// Admins, OTPs) and implemented by db/sqlite; login providers (WeChat and
// other mini-program platforms, one-time-code senders, custom tickets) are
// plugged in by the server (server/providers.go).
package auth

import (
	"context"
	"time"
)

// Role is what kind of caller a request comes from.
type Role int

// Roles, from least to most trusted.
const (
	Visitor Role = iota // no credentials
	User                // a logged-in end user
	Admin               // an admin key, an admin account or a cloud function
)

func (r Role) String() string {
	switch r {
	case User:
		return "user"
	case Admin:
		return "admin"
	}
	return "visitor"
}

// Identity is the caller of a request. Requests with a user access token
// carry what the token says, as signed when it was issued: it is not read
// from the database per request.
type Identity struct {
	Role      Role
	UID       string         // end users: the user's id; admin accounts: the admin's id
	OpenID    string         // end users: the WeChat openid, else the uid
	UnionID   string         // end users from WeChat: the unionid, when WeChat gave one
	LoginType LoginType      // end users: how they signed in (ANONYMOUS, WECHAT, …)
	Claims    map[string]any // end users: custom claims set by an admin (e.g. roles); read-only
	SessionID string         // token callers: the refresh-token family the token came from
	// Expires is when the caller's access token expires (token callers;
	// zero for admin keys and visitors): a connection that outlives its
	// request, such as a realtime watch, ends then.
	Expires time.Time
}

// IsAdmin reports whether the caller bypasses rules.
func (i *Identity) IsAdmin() bool { return i != nil && i.Role == Admin }

type ctxKey struct{}

var visitor = &Identity{Role: Visitor}

// NewContext returns ctx carrying id.
func NewContext(ctx context.Context, id *Identity) context.Context {
	return context.WithValue(ctx, ctxKey{}, id)
}

// FromContext returns the caller in ctx: never nil, a visitor when unset.
func FromContext(ctx context.Context) *Identity {
	if id, ok := ctx.Value(ctxKey{}).(*Identity); ok && id != nil {
		return id
	}
	return visitor
}
