package server

import (
	"slices"
	"time"

	"minibase/auth"
	"minibase/server/backup"

	"github.com/gofiber/fiber/v2"
)

// backupRecord is a backup as the admin API answers it.
type backupRecord struct {
	backup.Info
	Files int   `json:"files,omitempty"` // the archive's files (on creation)
	Bytes int64 `json:"bytes,omitempty"` // their size before compression (on creation)
}

// mountBackups adds the admin API of backups on r (no time limit: a large
// backup takes long to make and to download):
//
//	POST   /admin/backups        make one now → its record
//	GET    /admin/backups        {backups: [records…]}, newest first
//	GET    /admin/backups/:name  the archive (application/gzip)
//	DELETE /admin/backups/:name  {deleted: name}
func (s *Server) mountBackups(r fiber.Router) {
	b := s.backups
	r.Post("/admin/backups", adminOnly, func(c *fiber.Ctx) error {
		info, m, err := b.create(c.UserContext(), backup.NewName(time.Now()))
		if err != nil {
			return err
		}
		return c.Status(fiber.StatusCreated).JSON(backupRecord{Info: info, Files: len(m.Entries), Bytes: m.Bytes})
	})
	r.Get("/admin/backups", adminOnly, func(c *fiber.Ctx) error {
		list, err := b.list(c.UserContext())
		if err != nil {
			return err
		}
		slices.Reverse(list)
		if list == nil {
			list = []backup.Info{}
		}
		return c.JSON(fiber.Map{"backups": list})
	})
	r.Get("/admin/backups/:name", adminOnly, func(c *fiber.Ctx) error {
		name := c.Params("name") // checked by the store; copied by Sprintf below
		st, err := b.find(c.UserContext(), name)
		if err != nil {
			return err
		}
		rc, info, err := st.Open(c.UserContext(), name)
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, "application/gzip")
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+info.Name+`"`)
		c.Response().SetBodyStream(rc, int(info.Size)) // closed by fasthttp when sent
		return nil
	})
	r.Delete("/admin/backups/:name", adminOnly, func(c *fiber.Ctx) error {
		name := c.Params("name")
		st, err := b.find(c.UserContext(), name)
		if err != nil {
			return err
		}
		if err := st.Delete(c.UserContext(), name); err != nil {
			return err
		}
		return c.JSON(fiber.Map{"deleted": string([]byte(name))})
	})
}

// adminOnly refuses callers but admins.
func adminOnly(c *fiber.Ctx) error {
	if !auth.FromContext(c.UserContext()).IsAdmin() {
		return backup.Errorf(backup.CodePermission, "backups are for admins only")
	}
	return c.Next()
}
