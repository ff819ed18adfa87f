package auth

import (
	"github.com/gofiber/fiber/v2"
)

// accountBody is the identifier part of password and one-time-code bodies.
type accountBody struct {
	Username string `json:"username"`
	Email    string `json:"email"`
	Phone    string `json:"phone"`
}

type passwordBody struct {
	accountBody
	Password string `json:"password"`
}

type tokenBody struct {
	RefreshToken string `json:"refresh_token"`
}

func (s *Service) handleAnonymous(c *fiber.Ctx) error {
	cr, err := s.Anonymous(c.UserContext(), clientIP(c))
	return sendCredentials(c, cr, err)
}

func (s *Service) handleSignup(c *fiber.Ctx) error {
	var b passwordBody
	if err := decode(c, &b); err != nil {
		return err
	}
	acct, err := ParseIdentifier(b.Username, b.Email, b.Phone, true)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	cr, err := s.Signup(ctx, clientIP(c), FromContext(ctx), acct, b.Password)
	return sendCredentials(c, cr, err)
}

func (s *Service) handleLogin(c *fiber.Ctx) error {
	var b passwordBody
	if err := decode(c, &b); err != nil {
		return err
	}
	acct, err := ParseIdentifier(b.Username, b.Email, b.Phone, true)
	if err != nil {
		return err
	}
	cr, err := s.Login(c.UserContext(), clientIP(c), acct, b.Password)
	return sendCredentials(c, cr, err)
}

func (s *Service) handleAdminLogin(c *fiber.Ctx) error {
	var b struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := decode(c, &b); err != nil {
		return err
	}
	cr, err := s.AdminLogin(c.UserContext(), clientIP(c), b.Email, b.Password)
	return sendCredentials(c, cr, err)
}

func (s *Service) handleRefresh(c *fiber.Ctx) error {
	var b tokenBody
	if err := decode(c, &b); err != nil {
		return err
	}
	cr, err := s.Refresh(c.UserContext(), b.RefreshToken)
	return sendCredentials(c, cr, err)
}

func (s *Service) handleLogout(c *fiber.Ctx) error {
	var b tokenBody
	if err := decode(c, &b); err != nil {
		return err
	}
	if err := s.Logout(c.UserContext(), b.RefreshToken); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"ok": true})
}

func (s *Service) handleMe(c *fiber.Ctx) error {
	u, a, err := s.Me(c.UserContext())
	switch {
	case err != nil:
		return err
	case u != nil:
		return c.JSON(fiber.Map{"user": viewUser(u)})
	case a != nil:
		return c.JSON(fiber.Map{"admin": viewAdmin(a)})
	}
	return c.JSON(fiber.Map{"admin": fiber.Map{}}) // an admin key: no account behind it
}

func (s *Service) handleOTPSend(c *fiber.Ctx) error {
	var b accountBody
	if err := decode(c, &b); err != nil {
		return err
	}
	acct, err := ParseIdentifier(b.Username, b.Email, b.Phone, false)
	if err != nil {
		return err
	}
	ttl, err := s.SendOTP(c.UserContext(), clientIP(c), acct)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"ok": true, "expires_in": int64(ttl.Seconds())})
}

func (s *Service) handleOTPVerify(c *fiber.Ctx) error {
	var b struct {
		accountBody
		Code string `json:"code"`
	}
	if err := decode(c, &b); err != nil {
		return err
	}
	acct, err := ParseIdentifier(b.Username, b.Email, b.Phone, false)
	if err != nil {
		return err
	}
	cr, err := s.VerifyOTP(c.UserContext(), clientIP(c), acct, b.Code)
	return sendCredentials(c, cr, err)
}

func (s *Service) handleMiniProgram(c *fiber.Ctx, platform string) error {
	var b struct {
		Code string `json:"code"`
	}
	if err := decode(c, &b); err != nil {
		return err
	}
	cr, err := s.MiniProgramLogin(c.UserContext(), clientIP(c), platform, b.Code)
	return sendCredentials(c, cr, err)
}

func (s *Service) handleTicket(c *fiber.Ctx) error {
	var b struct {
		Ticket string `json:"ticket"`
	}
	if err := decode(c, &b); err != nil {
		return err
	}
	ctx := c.UserContext()
	cr, err := s.TicketLogin(ctx, clientIP(c), FromContext(ctx), b.Ticket)
	return sendCredentials(c, cr, err)
}
