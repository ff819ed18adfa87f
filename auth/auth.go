// Package auth is minibase's identity: who is calling (an admin, an end user
// or an anonymous visitor), carried in context.Context, and the admin keys.
// End-user accounts, tokens and logins come in later.
package auth

import "context"

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

// Identity is the caller of a request.
type Identity struct {
	Role   Role
	UID    string // end users: the user's id
	OpenID string // end users: the WeChat openid, else the uid
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
