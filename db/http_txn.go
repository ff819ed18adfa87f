package db

import "github.com/gofiber/fiber/v2"

// handleTransaction: POST /db/transaction {ops, commit} (Service.Transaction).
func (s *Service) handleTransaction(c *fiber.Ctx) error {
	b, err := decodeTxnBody(c.Body())
	if err != nil {
		return err
	}
	a, err := s.Transaction(c.UserContext(), b)
	if err != nil {
		return err
	}
	return send(c, a)
}
