package server

import (
	"net/netip"

	"minibase/auth"

	"github.com/gofiber/fiber/v2"
)

// The console's settings and admin-access endpoints: GET and PATCH
// /v1/admin/settings (admins), first-run setup (auth.MountAdminSignIn), and
// the admin allow-list (admin.allowIPs), which refuses admin access from
// any other address: admin keys and admin tokens on every route, admin
// sign-in and setup.

var errNotAdmin = auth.Errorf(auth.CodePermissionDenied, "permission denied: this needs an admin")

// mountSettings registers the settings endpoints on r (auth's body limit,
// identity) and setup on signIn (no identity).
func (s *Server) mountSettings(r fiber.Router) {
	r.Get("/admin/settings", s.handleGetSettings)
	r.Patch("/admin/settings", s.handlePatchSettings)
}

func (s *Server) handleGetSettings(c *fiber.Ctx) error {
	if !auth.FromContext(c.UserContext()).IsAdmin() {
		return errNotAdmin
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(s.settingsView())
}

func (s *Server) handlePatchSettings(c *fiber.Ctx) error {
	if !auth.FromContext(c.UserContext()).IsAdmin() {
		return errNotAdmin
	}
	patch, err := parseSettingsPatch(c.Body())
	if err != nil {
		return err
	}
	if err := s.changeSettings(c.UserContext(), patch, clientAddr(c)); err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(s.settingsView())
}

// clientAddr is the client's address (after the trusted proxies' headers).
func clientAddr(c *fiber.Ctx) netip.Addr { return peerAddr(c.Context().RemoteAddr()) }

// addressAllowed refuses the request unless admin.allowIPs lets its
// client in.
func (s *Server) addressAllowed(c *fiber.Ctx) error {
	var allow []netip.Prefix
	if p := s.settings.allow.Load(); p != nil {
		allow = *p
	}
	if a := clientAddr(c); !addrAllowed(allow, a) {
		return auth.Errorf(auth.CodePermissionDenied, "admin access from %s is not allowed (setting admin.allowIPs)", a)
	}
	return nil
}

// adminGate runs after the caller's identity: an admin (key or token)
// calling from an address admin.allowIPs leaves out is refused.
func (s *Server) adminGate(c *fiber.Ctx) error {
	if auth.FromContext(c.UserContext()).IsAdmin() {
		if err := s.addressAllowed(c); err != nil {
			return err
		}
	}
	return c.Next()
}

// signInGate guards the admin routes that come without an identity (admin
// sign-in, setup: the adminSignIn group) by address alone.
func (s *Server) signInGate(c *fiber.Ctx) error {
	if err := s.addressAllowed(c); err != nil {
		return err
	}
	return c.Next()
}
