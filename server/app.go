package server

import (
	"context"
	"net/http"
	"path"
	"strings"

	"minibase/auth"
	"minibase/functions"
	"minibase/sdk"
	"minibase/storage"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/etag"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/gofiber/fiber/v2/utils"
)

// newApp builds the HTTP app: middleware, routes, and the one place where
// errors become HTTP responses.
func (s *Server) newApp() *fiber.App {
	app := fiber.New(fiber.Config{
		BodyLimit:             s.Config.BodyLimit,
		DisableStartupMessage: true,
		ErrorHandler:          s.writeError,
		AppName:               "minibase",
		// Uploads stream to the file store (storage.UploadPath); every
		// other body is held to BodyLimit by limitBody.
		StreamRequestBody:            true,
		DisablePreParseMultipartForm: true,
		// Room for the headers and a small file (storage sends files up
		// to 8 KiB from this buffer in one write).
		WriteBufferSize: 16 << 10,
	})
	app.Server().Handler = boundDrain(s.Config.RequestTimeout, app.Server().Handler)
	s.conns = newConnStates()
	app.Server().ConnState = s.conns.hook
	app.Use(s.conns.enter, requestID, recoverPanic)
	app.Use(s.limitBody, s.timeout)
	v1 := app.Group("/v1")
	s.auth.MountSignIn(v1) // before the middleware: a stale token must not block a refresh
	app.Use("/v1"+functions.TailPath, tailToken)
	app.Use(auth.Middleware(s.keys, s.auth.Tokens()))
	v1.Get("/health", func(c *fiber.Ctx) error {
		return c.JSON(fiber.Map{"status": "ok", "version": s.version()})
	})
	s.db.Mount(v1)
	s.auth.Mount(v1)
	s.mountFnLogs(v1) // before functions: /admin/functions/logs is not a function's name
	s.functions.Mount(v1, deployer{s.fnDir, s.triggers})
	s.files.Mount(v1)
	s.files.MountFiles(app)
	s.triggers.MountHTTP(app)
	app.Use("/sdk", etag.New(), sdkHeaders, filesystem.New(filesystem.Config{Root: http.FS(sdk.Dist)}))
	app.Use(func(c *fiber.Ctx) error {
		return fiber.NewError(fiber.StatusNotFound, "no such endpoint: "+c.Method()+" "+c.Path())
	})
	return app
}

// sdkTypes are the content types of the SDK's files, which fiber's table
// lacks (.mjs, .cjs) or gets wrong (.ts is MPEG-TS video there).
var sdkTypes = map[string]string{
	".mjs": "text/javascript; charset=utf-8",
	".cjs": "text/javascript; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
	".ts":  "text/plain; charset=utf-8",
}

// sdkHeaders gives the files under /sdk/ their content type and asks
// browsers to revalidate (the names carry no version; the ETag makes the
// revalidation a 304).
func sdkHeaders(c *fiber.Ctx) error {
	if err := c.Next(); err != nil {
		return err
	}
	if c.Response().StatusCode() == fiber.StatusOK {
		if t, ok := sdkTypes[path.Ext(c.Path())]; ok {
			c.Set(fiber.HeaderContentType, t)
		}
		c.Set(fiber.HeaderCacheControl, "no-cache")
	}
	return nil
}

// timeout bounds each request to RequestTimeout. Uploads are exempt: a
// large file on a slow link takes longer; storage bounds them by a stall
// of storage.UploadIdleTimeout instead.
func (s *Server) timeout(c *fiber.Ctx) error {
	if c.Path() == "/v1"+storage.UploadPath {
		return c.Next()
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), s.Config.RequestTimeout)
	defer cancel()
	c.SetUserContext(ctx)
	return c.Next()
}

// mountFnLogs mounts the log API: the store's, or one saying why it is off.
func (s *Server) mountFnLogs(r fiber.Router) {
	if s.fnLogs == nil {
		functions.MountLogsOff(r, s.fnLogsOff)
		return
	}
	s.fnLogs.Mount(r)
}

// tailToken lets a browser, whose WebSocket cannot send headers, give its
// token to the live tail as ?access_token=; it runs before the auth
// middleware. A header, when present, wins.
func tailToken(c *fiber.Ctx) error {
	if tok := c.Query("access_token"); tok != "" && len(c.Request().Header.Peek(fiber.HeaderAuthorization)) == 0 {
		c.Request().Header.Set(fiber.HeaderAuthorization, "Bearer "+tok)
	}
	return c.Next()
}

// requestID gives each request an id: the client's (or its proxy's)
// X-Request-Id when it is a sane one, else a new one. The answer carries it
// in X-Request-Id, and the server log with every 5xx.
func requestID(c *fiber.Ctx) error {
	id := c.Get(fiber.HeaderXRequestID)
	if !saneRequestID(id) {
		id = utils.UUID()
	}
	c.Set(fiber.HeaderXRequestID, id)
	return c.Next()
}

// requestIDOf is the id requestID gave c's request ("" before it ran).
func requestIDOf(c *fiber.Ctx) string {
	return string(c.Response().Header.Peek(fiber.HeaderXRequestID))
}

// saneRequestID reports whether id may be taken as a request's id: 1 to
// 128 letters, digits and -_.:+/= (UUIDs, nginx's $request_id, base64),
// nothing that could forge a log line or a header.
func saneRequestID(id string) bool {
	if len(id) == 0 || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		switch b := id[i]; {
		case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9', strings.IndexByte("-_.:+/=", b) >= 0:
		default:
			return false
		}
	}
	return true
}
