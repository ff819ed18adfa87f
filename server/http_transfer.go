package server

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"minibase/auth"
	"minibase/db"
	"minibase/db/transfer"

	"github.com/gofiber/fiber/v2"
)

// mountTransfers adds the admin API of collection import and export (no
// time limit: a large collection takes long either way):
//
//	GET  /admin/collections/:coll/export?format=jsonl|csv&meta=false|only
//	     the documents, streamed (JSON Lines starts with the $minibase
//	     line of indexes and rules unless meta=false; meta=only: that
//	     line alone)
//	POST /admin/collections/:coll/import?format=&mode=&onError=
//	     the body, read as a stream up to MINIBASE_IMPORT_LIMIT → the report
func (s *Server) mountTransfers(r fiber.Router) {
	r.Get("/admin/collections/:coll/export", transferAdmin, s.handleExport)
	r.Post("/admin/collections/:coll/import", transferAdmin, s.handleImport)
}

// transferAdmin refuses callers but admins.
func transferAdmin(c *fiber.Ctx) error {
	if !auth.FromContext(c.UserContext()).IsAdmin() {
		return db.Errorf(db.CodePermissionDenied, "import and export are for admins only")
	}
	return c.Next()
}

// collParam is the route's collection, checked.
func collParam(c *fiber.Ctx) (string, error) {
	coll := strings.Clone(c.Params("coll"))
	if !db.ValidCollectionName(coll) {
		return "", db.Errorf(db.CodeInvalidParam, "invalid collection name %q: use 1-64 letters, digits, '_' or '-', starting with a letter or digit", coll)
	}
	return coll, nil
}

func (s *Server) handleExport(c *fiber.Ctx) error {
	coll, err := collParam(c)
	if err != nil {
		return err
	}
	f, err := transfer.ParseFormat(c.Query("format"))
	if err != nil {
		return err
	}
	var noMeta bool
	ctx := c.UserContext()
	switch c.Query("meta") {
	case "", "true":
	case "false":
		noMeta = true
	case "only": // the $minibase line alone: a CSV export's sidecar
		m, err := transfer.ReadMeta(ctx, s.store.Driver, coll)
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, "application/x-ndjson; charset=utf-8")
		return c.Send(m.AppendLine(nil))
	default:
		return db.Errorf(db.CodeInvalidParam, "meta must be true, false or only")
	}
	if _, err := s.store.Driver.Indexes(ctx, coll); err != nil { // a missing collection is a 404, before the stream starts
		return err
	}
	ext, ctype := "jsonl", "application/x-ndjson; charset=utf-8"
	if f == transfer.CSV {
		ext, ctype = "csv", "text/csv; charset=utf-8"
	}
	c.Set(fiber.HeaderContentType, ctype)
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s.%s"`, coll, ext))
	fctx := c.Context()
	log := s.log
	fctx.SetBodyStreamWriter(func(w *bufio.Writer) {
		if _, err := transfer.Export(ctx, s.store.Driver, coll, w, transfer.ExportOptions{Format: f, NoMeta: noMeta}); err != nil {
			// The status is sent: the client learns of the failure by
			// the connection closing before the chunked body's end.
			log.Warn("export failed", "collection", coll, "err", err)
			if conn := fctx.Conn(); conn != nil {
				conn.Close()
			}
		}
	})
	return nil
}

func (s *Server) handleImport(c *fiber.Ctx) error {
	coll, err := collParam(c)
	if err != nil {
		return err
	}
	var opt transfer.Options
	if opt.Format, err = transfer.ParseFormat(c.Query("format")); err != nil {
		return err
	}
	if opt.Mode, err = transfer.ParseMode(c.Query("mode")); err != nil {
		return err
	}
	if opt.OnError, err = transfer.ParseOnError(c.Query("onError")); err != nil {
		return err
	}
	limit := s.Config.ImportLimit
	if limit <= 0 {
		limit = 8 << 30
	}
	// Each read of the body waits at most MINIBASE_BODY_TIMEOUT (the
	// listener's connections see to it while a handler runs).
	var body io.Reader = c.Context().RequestBodyStream()
	if body == nil { // the app does not stream bodies: fiber read it already
		body = bytes.NewReader(c.Body())
	}
	if n := c.Request().Header.ContentLength(); int64(n) > limit {
		c.Context().SetConnectionClose()
		return tooLargeImport(limit)
	}
	capped := &capReader{r: body, left: limit}
	rep, err := transfer.Import(c.UserContext(), s.store.Driver, coll, capped, opt)
	var fatal *transfer.Fatal
	switch {
	case errors.As(err, &fatal) && capped.over:
		c.Context().SetConnectionClose()
		return db.Errorf(db.CodeInvalidParam, "%s", strings.Replace(fatal.Error(), errImportTooLarge.Error(), tooLargeImport(limit).Error(), 1))
	case errors.As(err, &fatal) && db.ErrorCode(fatal.Err) != "":
		var de *db.Error
		errors.As(fatal.Err, &de)
		return &db.Error{Code: de.Code, ErrCode: de.ErrCode, Message: fatal.Error()}
	case err != nil:
		c.Context().SetConnectionClose()
		return err
	}
	return c.JSON(rep)
}

func tooLargeImport(limit int64) error {
	return db.Errorf(db.CodeInvalidParam, "the import is larger than %d bytes (MINIBASE_IMPORT_LIMIT): split the file or raise the limit", limit)
}

var errImportTooLarge = errors.New("import body over the limit")

// capReader fails a read past left bytes.
type capReader struct {
	r    io.Reader
	left int64
	over bool
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		var one [1]byte
		n, err := c.r.Read(one[:])
		if n > 0 {
			c.over = true
			return 0, errImportTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}
