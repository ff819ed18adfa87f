package auth

import (
	"strings"

	"github.com/gofiber/fiber/v2"
)

// Middleware resolves the caller from "Authorization: Bearer <token>" and
// puts it in the request's user context. A request without credentials is a
// visitor; a token that is not valid is refused with 401 rather than
// silently downgraded, so a client learns its credentials are wrong.
func Middleware(keys *AdminKeys) fiber.Handler {
	return func(c *fiber.Ctx) error {
		h := c.Get(fiber.HeaderAuthorization)
		if h == "" {
			return c.Next()
		}
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || token == "" {
			return c.Status(fiber.StatusUnauthorized).JSON(fiber.Map{
				"code": "INVALID_ACCESS_TOKEN", "errCode": -501007,
				"message": "Authorization header must be \"Bearer <token>\"",
			})
		}
		if keys.Verify(token) {
			c.SetUserContext(NewContext(c.UserContext(), &Identity{Role: Admin}))
			return c.Next()
		}
		return c.Status(fiber.StatusUnauthorized).JSON(fiber.Map{
			"code": "INVALID_ACCESS_TOKEN", "errCode": -501007,
			"message": "the access token or admin key is not valid",
		})
	}
}
