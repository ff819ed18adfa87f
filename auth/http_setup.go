package auth

import (
	"github.com/gofiber/fiber/v2"
)

// MountAdminSignIn registers the admin routes that authenticate by their
// body, on r (under /v1), a router without Middleware whose own handlers
// may refuse by address (admin.allowIPs): POST /auth/admin/login; GET
// /admin/setup answers {"needed": bool} to anyone; POST /admin/setup
// {"adminKey", "email", "password"} creates the first admin account when
// keys accept adminKey, and answers as an admin sign-in does.
func (s *Service) MountAdminSignIn(r fiber.Router, keys *AdminKeys) {
	r.Post("/auth/admin/login", s.handleAdminLogin)
	r.Get("/admin/setup", func(c *fiber.Ctx) error {
		need, err := s.SetupNeeded(c.UserContext())
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.JSON(fiber.Map{"needed": need})
	})
	r.Post("/admin/setup", func(c *fiber.Ctx) error {
		var b struct {
			AdminKey string `json:"adminKey"`
			Email    string `json:"email"`
			Password string `json:"password"`
		}
		if err := decode(c, &b); err != nil {
			return err
		}
		cr, err := s.Setup(c.UserContext(), clientIP(c), keys, b.AdminKey, b.Email, b.Password)
		return sendCredentials(c, cr, err)
	})
}
