package server

import (
	"slices"
	"strings"
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

// listedBackup is a backup in the list: whether the schedule made it
// (those are the ones MINIBASE_BACKUP_KEEP prunes).
type listedBackup struct {
	backup.Info
	Scheduled bool `json:"scheduled"`
}

// backupSettings is how backups are set up (read-only: they are
// MINIBASE_BACKUP_* settings), for the console.
type backupSettings struct {
	Schedule string `json:"schedule"`           // MINIBASE_BACKUP_SCHEDULE as parsed ("6h0m0s", a cron expression); "": none
	Timezone string `json:"timezone,omitempty"` // of a cron schedule
	Keep     int    `json:"keep"`
	Where    string `json:"where"`            // "local" or "s3"
	Bucket   string `json:"bucket,omitempty"` // when s3
	Prefix   string `json:"prefix,omitempty"` // when s3
}

// settings is b's setup as the admin API answers it.
func (b *backups) settings() backupSettings {
	st := backupSettings{Keep: b.cfg.Keep, Where: "local"}
	switch {
	case b.cfg.Cron != nil:
		st.Schedule, st.Timezone = b.cfg.Cron.String(), b.tz.String()
	case b.cfg.Every > 0:
		st.Schedule = b.cfg.Every.String()
	}
	if b.s3 != nil {
		st.Where, st.Bucket, st.Prefix = "s3", b.cfg.S3Bucket, b.cfg.S3Prefix
	}
	return st
}

// mountBackups adds the admin API of backups on r (no time limit: a large
// backup takes long to make and to download):
//
//	POST   /admin/backups        make one now → its record
//	GET    /admin/backups        {backups: [records…], settings}, newest first
//	GET    /admin/backups/:name  the archive (application/gzip)
//	DELETE /admin/backups/:name  {deleted: name}
//
// On PostgreSQL each answers BACKUP_UNSUPPORTED, saying what to use.
func (s *Server) mountBackups(r fiber.Router) {
	if s.Config.Postgres() {
		r.All("/admin/backups/*", adminOnly, func(*fiber.Ctx) error { return errBackupOnPG() })
		r.All("/admin/backups", adminOnly, func(*fiber.Ctx) error { return errBackupOnPG() })
		return
	}
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
		out := make([]listedBackup, len(list))
		for i, in := range list {
			out[i] = listedBackup{Info: in, Scheduled: strings.HasPrefix(in.Name, backup.AutoPrefix)}
		}
		return c.JSON(fiber.Map{"backups": out, "settings": b.settings()})
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

// errBackupOnPG is every backup request's answer on PostgreSQL.
func errBackupOnPG() error {
	return backup.Errorf(backup.CodeUnsupported, "minibase's backups copy the SQLite database, and this server runs on PostgreSQL "+
		"(MINIBASE_DATABASE): %s", pgAdvice)
}
