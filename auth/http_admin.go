package auth

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// queryInt reads a non-negative integer query parameter (def when absent).
func queryInt(c *fiber.Ctx, name string, def int) (int, error) {
	v := c.Query(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, Errorf(CodeInvalidParam, "%s must be a non-negative integer", name)
	}
	return n, nil
}

// uidParam copies the :uid route parameter (fiber reuses its buffers).
func uidParam(c *fiber.Ctx) string { return strings.Clone(c.Params("uid")) }

func (s *Service) handleListUsers(c *fiber.Ctx) error {
	limit, err := queryInt(c, "limit", 0)
	if err != nil {
		return err
	}
	offset, err := queryInt(c, "offset", 0)
	if err != nil {
		return err
	}
	users, total, err := s.ListUsers(c.UserContext(), strings.Clone(c.Query("q")), limit, offset)
	if err != nil {
		return err
	}
	out := make([]*userView, len(users))
	for i, u := range users {
		out[i] = viewUser(u)
	}
	return c.JSON(fiber.Map{"data": out, "total": total})
}

func (s *Service) handleGetUser(c *fiber.Ctx) error {
	u, err := s.GetUser(c.UserContext(), uidParam(c))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"user": viewUser(u)})
}

func (s *Service) handlePatchUser(c *fiber.Ctx) error {
	if err := requireAdmin(c.UserContext()); err != nil {
		return err // before reading a body a non-admin has no business sending
	}
	var b struct {
		Disabled *bool           `json:"disabled"`
		Claims   json.RawMessage `json:"claims"`
	}
	if err := decode(c, &b); err != nil {
		return err
	}
	p := UserPatch{Disabled: b.Disabled}
	if len(b.Claims) > 0 {
		var m map[string]any
		if err := json.Unmarshal(b.Claims, &m); err != nil {
			return Errorf(CodeInvalidParam, "claims must be a JSON object or null")
		}
		if m == nil {
			m = map[string]any{}
		}
		p.Claims = &m
	}
	u, err := s.UpdateUser(c.UserContext(), uidParam(c), p)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"user": viewUser(u)})
}

func (s *Service) handleDeleteUser(c *fiber.Ctx) error {
	if err := s.DeleteUser(c.UserContext(), uidParam(c)); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"ok": true})
}

func (s *Service) handleRevokeUser(c *fiber.Ctx) error {
	n, err := s.RevokeUser(c.UserContext(), uidParam(c))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"ok": true, "revoked": n})
}

func (s *Service) handleIssueTicket(c *fiber.Ctx) error {
	if err := requireAdmin(c.UserContext()); err != nil {
		return err
	}
	var b struct {
		UID string `json:"uid"`
	}
	if err := decode(c, &b); err != nil {
		return err
	}
	t, err := s.IssueTicket(c.UserContext(), b.UID)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"ticket": t})
}

func (s *Service) handleTicketKey(c *fiber.Ctx) error {
	b, err := s.TicketCredentials(c.UserContext())
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="minibase-ticket-key.json"`)
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(b)
}

func (s *Service) handleRotateTicketKey(c *fiber.Ctx) error {
	if err := s.RotateTicketKey(c.UserContext()); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"ok": true})
}
