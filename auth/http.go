package auth

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

// Middleware resolves the caller from "Authorization: Bearer <token>" and
// puts it in the request's user context: an admin key or an admin-account
// access token make an Admin, a user access token a User; no header makes a
// visitor. A token that is not valid is refused (INVALID_ACCESS_TOKEN, or
// ACCESS_TOKEN_EXPIRED) rather than silently downgraded, so a client learns
// its credentials are wrong. User tokens are verified by signature alone,
// without a database read.
func Middleware(keys *AdminKeys, tokens *Tokens) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := caller(c, keys, tokens)
		if err != nil {
			return err
		}
		if id != nil {
			c.SetUserContext(NewContext(c.UserContext(), id))
		}
		return c.Next()
	}
}

// SocketMiddleware is Middleware for WebSocket routes. A browser's
// WebSocket (and wx.connectSocket) cannot read the status of a refused
// handshake, so a token that is not valid is not answered here: the
// request goes on as a visitor's, with the error in its context
// (TokenError), for the handler to send over the socket, where the client
// learns to refresh its token or sign in again.
func SocketMiddleware(keys *AdminKeys, tokens *Tokens) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := caller(c, keys, tokens)
		switch {
		case err != nil:
			c.SetUserContext(context.WithValue(c.UserContext(), tokenErrKey{}, err))
		case id != nil:
			c.SetUserContext(NewContext(c.UserContext(), id))
		}
		return c.Next()
	}
}

type tokenErrKey struct{}

// TokenError returns the error SocketMiddleware found with the request's
// token (an *Error), or nil.
func TokenError(ctx context.Context) error {
	err, _ := ctx.Value(tokenErrKey{}).(error)
	return err
}

// caller returns the identity the Authorization header names (nil without
// one).
func caller(c *fiber.Ctx, keys *AdminKeys, tokens *Tokens) (*Identity, error) {
	h := c.Get(fiber.HeaderAuthorization)
	if h == "" {
		return nil, nil
	}
	token, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || token == "" {
		return nil, Errorf(CodeInvalidAccessToken, "Authorization header must be \"Bearer <token>\"")
	}
	return identify(keys, tokens, token)
}

var adminKeyIdentity = &Identity{Role: Admin}

// identify checks an admin key or an access token (a JWT: three
// dot-separated parts). A configured admin key may contain dots, so a
// token that fails as a JWT is still tried as a key.
func identify(keys *AdminKeys, tokens *Tokens, token string) (*Identity, error) {
	if tokens == nil || strings.Count(token, ".") != 2 {
		if keys.Verify(token) {
			return adminKeyIdentity, nil
		}
		return nil, errTokenInvalid
	}
	id, err := tokens.Verify(token)
	if err != nil && keys.Verify(token) {
		return adminKeyIdentity, nil
	}
	return id, err
}

// MountSignIn registers the endpoints that authenticate by their body, on
// r (under /v1), a router without Middleware: a stale access token sent
// along must not stop a client from refreshing or signing in again.
func (s *Service) MountSignIn(r fiber.Router) {
	r.Post("/auth/anonymous", s.handleAnonymous)
	r.Post("/auth/login", s.handleLogin)
	r.Post("/auth/refresh", s.handleRefresh)
	r.Post("/auth/logout", s.handleLogout)
	r.Post("/auth/otp/send", s.handleOTPSend)
	r.Post("/auth/otp/verify", s.handleOTPVerify)
	platforms := map[string]bool{"wechat": true, "douyin": true} // answered 501 until configured
	for name := range s.t().Providers.MiniPrograms {
		platforms[name] = true
	}
	for name := range platforms {
		r.Post("/auth/"+name, func(c *fiber.Ctx) error { return s.handleMiniProgram(c, name) })
	}
}

// Mount registers the endpoints that need the caller's identity, on r
// (under /v1), a router whose routes run Middleware first: signup (which upgrades an anonymous caller),
// ticket sign-in, /auth/me, and the admin endpoints for users and tickets.
func (s *Service) Mount(r fiber.Router) {
	r.Post("/auth/signup", s.handleSignup)
	r.Post("/auth/ticket", s.handleTicket)
	r.Get("/auth/me", s.handleMe)

	r.Get("/admin/users", s.handleListUsers)
	r.Get("/admin/users/:uid", s.handleGetUser)
	r.Patch("/admin/users/:uid", s.handlePatchUser)
	r.Delete("/admin/users/:uid", s.handleDeleteUser)
	r.Post("/admin/users/:uid/revoke", s.handleRevokeUser)
	r.Post("/admin/auth/ticket", s.handleIssueTicket)
	r.Get("/admin/auth/ticket-key", s.handleTicketKey)
	r.Post("/admin/auth/ticket-key/rotate", s.handleRotateTicketKey)
}

// MaxBody bounds auth request bodies: they hold a few short strings. The
// server holds the routes Mount and MountSignIn register to it, so that a
// larger body is refused before it is read.
const MaxBody = 64 << 10

// decode reads the JSON object body into v; an empty body is {}.
func decode(c *fiber.Ctx, v any) error {
	b := c.Body()
	if len(b) > MaxBody {
		return Errorf(CodeInvalidParam, "request body is too large (at most %d bytes)", MaxBody)
	}
	if len(b) == 0 {
		return nil
	}
	if err := json.Unmarshal(b, v); err != nil {
		return Errorf(CodeInvalidParam, "request body must be a JSON object with the documented fields: %v", err)
	}
	return nil
}

// clientIP is the rate-limit key of the caller's address (copied: fiber
// reuses its buffers).
func clientIP(c *fiber.Ctx) string { return strings.Clone(c.IP()) }

// userView is a user as clients and admins see it (never the password
// hash or the provider's session key).
type userView struct {
	UID           string         `json:"uid"`
	OpenID        string         `json:"openid"`
	LoginType     LoginType      `json:"loginType"`
	Username      string         `json:"username,omitempty"`
	Email         string         `json:"email,omitempty"`
	Phone         string         `json:"phone,omitempty"`
	EmailVerified bool           `json:"emailVerified,omitempty"`
	PhoneVerified bool           `json:"phoneVerified,omitempty"`
	UnionID       string         `json:"unionid,omitempty"`
	CustomUserID  string         `json:"customUserId,omitempty"`
	Claims        map[string]any `json:"claims,omitempty"`
	HasPassword   bool           `json:"hasPassword"`
	Disabled      bool           `json:"disabled,omitempty"`
	CreatedAt     string         `json:"createdAt"`
	LastLoginAt   string         `json:"lastLoginAt,omitempty"`
}

const timeLayout = "2006-01-02T15:04:05.000Z07:00"

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeLayout)
}

func viewUser(u *UserAccount) *userView {
	return &userView{
		UID: u.UID, OpenID: u.OpenID, LoginType: u.LoginType, Username: u.Username, Email: u.Email, Phone: u.Phone,
		EmailVerified: u.EmailVerified, PhoneVerified: u.PhoneVerified, UnionID: u.UnionID, CustomUserID: u.CustomUserID,
		Claims: u.Claims, HasPassword: u.PasswordHash != "", Disabled: u.Disabled,
		CreatedAt: formatTime(u.Created), LastLoginAt: formatTime(u.LastLogin),
	}
}

type adminView struct {
	ID          string `json:"id"`
	Email       string `json:"email"`
	CreatedAt   string `json:"createdAt"`
	LastLoginAt string `json:"lastLoginAt,omitempty"`
}

func viewAdmin(a *AdminAccount) *adminView {
	return &adminView{ID: a.ID, Email: a.Email, CreatedAt: formatTime(a.Created), LastLoginAt: formatTime(a.LastLogin)}
}

// tokenAnswer is the body of every sign-in and refresh.
type tokenAnswer struct {
	AccessToken  string     `json:"access_token"`
	RefreshToken string     `json:"refresh_token"`
	ExpiresIn    int64      `json:"expires_in"` // seconds
	TokenType    string     `json:"token_type"`
	User         *userView  `json:"user,omitempty"`
	Admin        *adminView `json:"admin,omitempty"`
}

func sendCredentials(c *fiber.Ctx, cr *Credentials, err error) error {
	if err != nil {
		return err
	}
	out := tokenAnswer{AccessToken: cr.AccessToken, RefreshToken: cr.RefreshToken,
		ExpiresIn: int64(cr.ExpiresIn / time.Second), TokenType: "Bearer"}
	if cr.User != nil {
		out.User = viewUser(cr.User)
	}
	if cr.Admin != nil {
		out.Admin = viewAdmin(cr.Admin)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(out)
}
