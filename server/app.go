package server

import (
	"context"
	"fmt"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"

	"minibase/auth"
	"minibase/functions"
	"minibase/sdk"
	"minibase/storage"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/etag"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
)

// newApp builds the HTTP app: the handlers every request passes
// (connection state, request id, panic recovery), then the domains' routes
// on the route groups (routers), each route with its group's body limit,
// time limit and identity. Errors, the router's 404 included, become
// answers in writeError.
func (s *Server) newApp() *fiber.App {
	app := fiber.New(fiber.Config{
		BodyLimit:             s.Config.BodyLimit,
		DisableStartupMessage: true,
		ErrorHandler:          s.writeError,
		AppName:               "minibase",
		// Uploads stream to the file store; every other body is held to
		// its group's limit by limitBody.
		StreamRequestBody:            true,
		DisablePreParseMultipartForm: true,
		// Room for the headers and a small file (storage sends files up
		// to 8 KiB from this buffer in one write).
		WriteBufferSize: 16 << 10,
		// fasthttp's ReadTimeout bounds what it reads before the handler:
		// the request's line and headers, and with a streamed body its
		// first 8 KiB. bound hands each later read its own timeout, and
		// the listener's connections each write theirs (fasthttp's
		// WriteTimeout would bound a whole answer, a large file's too).
		ReadTimeout: s.Config.Conns.HeaderTimeout,
		IdleTimeout: s.Config.Conns.KeepAliveTimeout,
	})
	answerMalformed(app)
	app.Server().Handler = bound(s.Config.RequestTimeout, app.Server().Handler)
	s.conns = newConnStates()
	app.Server().ConnState = s.conns.hook
	// The proxies' and CORS handlers come before anything that reads the
	// client's address or can refuse a request, outside panic recovery so
	// that a 500 carries the CORS headers too; CORS answers preflights for
	// every path, before any route.
	s.console.started = time.Now()
	app.Use(s.conns.enter, s.Config.Proxies.Handler, s.Config.CORS.Handler, requestID, s.observe, s.console.series.count, recoverPanic)
	if s.Config.HTTPS.HSTS {
		// Over https only: directly, or through a trusted proxy that says so.
		app.Use(hsts(s.Config.HTTPS.HSTSMaxAge))
	}

	r := s.routers(app)
	r.api.Get("/health", func(c *fiber.Ctx) error { return c.JSON(s.healthAnswer()) })
	r.api.Get("/health/ready", s.handleReady)
	s.mountMetrics(r.root)
	// Each area's end-user routes count against its rate limits (admins'
	// routes too, which only admins pass, and they are not counted).
	rl := newRateLimits(s.Config.Rate, s.Config.Auth.Now)
	s.auth.MountSignIn(limited(r.signIn, rl.auth))
	s.auth.MountAdminSignIn(r.adminSignIn, s.keys)
	s.mountInfo(r.api)
	s.db.Mount(limited(r.api, rl.db))
	s.watches.Mount(limited(r.sockets, rl.watch))
	s.auth.Mount(limited(r.auth, rl.auth))
	s.mountSettings(r.auth)
	s.mountFnLogs(r.api, r.streams) // before functions: /admin/functions/logs is not a function's name
	s.functions.Mount(limited(r.api, rl.functions), r.deploys, deployer{s.fnDir, s.triggers})
	s.mountBackups(r.backups)
	s.mountTransfers(r.transfers)
	s.files.Mount(limited(r.files, rl.storage), limited(r.uploads, rl.storage))
	s.files.MountFiles(limited(r.root, rl.storage))
	s.triggers.MountHTTP(limited(r.root, rl.functions))
	s.rates = rl
	app.Use("/sdk", PublicCORS, etag.New(), sdkHeaders, filesystem.New(filesystem.Config{Root: http.FS(sdk.Dist)}))
	mountConsole(app, embeddedConsole)
	s.root = r.root
	return app
}

// routers are the app's route groups: where a route goes says what
// bounds its request.
type routers struct {
	signIn fiber.Router // /v1, sign-in by body: auth's body limit and time limit, no identity (a stale token must not block a refresh)
	// adminSignIn: /v1, admin sign-in and first-run setup: as signIn, and
	// admin.allowIPs checked on the address alone (adminGate does it for
	// the other groups once the caller is known)
	adminSignIn fiber.Router
	api         fiber.Router // /v1: body limit, time limit, the caller's identity
	auth        fiber.Router // /v1, auth's other routes: as api, with auth's body limit
	files       fiber.Router // /v1, storage's routes but uploads: as api, with storage's body limit for JSON
	uploads     fiber.Router // /v1, streamed uploads: no body limit (the bucket's max size) and no total time (MINIBASE_UPLOAD_IDLE_TIMEOUT)
	deploys     fiber.Router // /v1, function deployments: zips up to functions.MaxZipBytes, time limit, identity
	streams     fiber.Router // /v1, WebSocket tails: no time limit; the token may come as ?access_token= (browsers)
	sockets     fiber.Router // /v1, WebSockets of clients (watch): as streams, but a bad token is told over the socket (auth.SocketMiddleware)
	backups     fiber.Router // /v1, backups' admin API: body limit and identity, no time limit (making and downloading a large backup)
	transfers   fiber.Router // /v1, collection import and export: identity, no time limit; import streams its body to MINIBASE_IMPORT_LIMIT
	root        fiber.Router // /: files (/f/), HTTP access (/fn/) and an embedding program's routes: as api
}

func (s *Server) routers(app *fiber.App) routers {
	limit, deployLimit := s.limitBody(s.Config.BodyLimit), s.limitBody(max(s.Config.BodyLimit, functions.MaxZipBytes))
	// An area whose bodies are small says how small, so that a larger one
	// is refused before it is read, not after it is held in memory.
	authLimit := s.limitBody(min(s.Config.BodyLimit, auth.MaxBody))
	filesLimit := s.limitBody(min(s.Config.BodyLimit, storage.MaxJSONBody))
	identity := auth.Middleware(s.keys, s.auth.Tokens())
	gate := s.adminGate // admin.allowIPs, once the caller is known
	v1 := app.Group("/v1")
	return routers{
		signIn:      newGroup(v1, authLimit, s.timeout),
		adminSignIn: newGroup(v1, authLimit, s.timeout, s.signInGate),
		api:         newGroup(v1, limit, s.timeout, identity, gate),
		auth:        newGroup(v1, authLimit, s.timeout, identity, gate),
		files:       newGroup(v1, filesLimit, s.timeout, identity, gate),
		uploads:     newGroup(v1, identity, gate),
		deploys:     newGroup(v1, deployLimit, s.timeout, identity, gate),
		streams:     newGroup(v1, limit, tailToken, identity, gate),
		sockets:     newGroup(v1, limit, tailToken, auth.SocketMiddleware(s.keys, s.auth.Tokens()), gate),
		backups:     newGroup(v1, limit, identity, gate),
		transfers:   newGroup(v1, identity, gate),
		root:        newGroup(app, limit, s.timeout, identity, gate),
	}
}

// Router is where an embedding program adds its routes, after Open: they
// run behind the same chain as the API's (body limit, time limit, and the
// caller's identity: auth.FromContext(c.UserContext())), their errors are
// answered as the API's, and a path no route takes is still a 404 "no such
// endpoint". Routes registered here do not override the server's own.
func (s *Server) Router() fiber.Router { return s.root }

// group is a fiber.Router whose routes run the group's handlers before
// their own: a route group's limits are attached to each of its routes
// rather than to a path prefix (fiber's Group(prefix, handlers…) would run
// them for every path under the prefix, other groups' routes and unknown
// paths included). Static and Mount register on the app without them.
type group struct {
	fiber.Router // the app, or a prefix of it
	mw           []fiber.Handler
}

var _ fiber.Router = (*group)(nil)

func newGroup(r fiber.Router, mw ...fiber.Handler) *group { return &group{Router: r, mw: mw} }

// chain is the group's handlers, then h.
func (g *group) chain(h []fiber.Handler) []fiber.Handler { return append(slices.Clip(g.mw), h...) }

func (g *group) Get(path string, h ...fiber.Handler) fiber.Router {
	g.Router.Get(path, g.chain(h)...)
	return g
}

func (g *group) Head(path string, h ...fiber.Handler) fiber.Router {
	g.Router.Head(path, g.chain(h)...)
	return g
}

func (g *group) Post(path string, h ...fiber.Handler) fiber.Router {
	g.Router.Post(path, g.chain(h)...)
	return g
}

func (g *group) Put(path string, h ...fiber.Handler) fiber.Router {
	g.Router.Put(path, g.chain(h)...)
	return g
}

func (g *group) Delete(path string, h ...fiber.Handler) fiber.Router {
	g.Router.Delete(path, g.chain(h)...)
	return g
}

func (g *group) Connect(path string, h ...fiber.Handler) fiber.Router {
	g.Router.Connect(path, g.chain(h)...)
	return g
}

func (g *group) Options(path string, h ...fiber.Handler) fiber.Router {
	g.Router.Options(path, g.chain(h)...)
	return g
}

func (g *group) Trace(path string, h ...fiber.Handler) fiber.Router {
	g.Router.Trace(path, g.chain(h)...)
	return g
}

func (g *group) Patch(path string, h ...fiber.Handler) fiber.Router {
	g.Router.Patch(path, g.chain(h)...)
	return g
}

func (g *group) All(path string, h ...fiber.Handler) fiber.Router {
	g.Router.All(path, g.chain(h)...)
	return g
}

func (g *group) Add(method, path string, h ...fiber.Handler) fiber.Router {
	g.Router.Add(method, path, g.chain(h)...)
	return g
}

// Group is a group under prefix whose routes run g's handlers, then h.
func (g *group) Group(prefix string, h ...fiber.Handler) fiber.Router {
	return &group{Router: g.Router.Group(prefix), mw: g.chain(h)}
}

func (g *group) Route(prefix string, fn func(fiber.Router), _ ...string) fiber.Router {
	sub := g.Group(prefix)
	fn(sub)
	return sub
}

func (g *group) Name(name string) fiber.Router {
	g.Router.Name(name)
	return g
}

// Use adds handlers to the routes registered on g after it, not to a path
// prefix: a prefix argument panics (use Group).
func (g *group) Use(args ...any) fiber.Router {
	for _, a := range args {
		h, ok := a.(fiber.Handler)
		if !ok {
			panic(fmt.Sprintf("server: Use(%T) on a route group: only handlers, which run before the routes registered after", a))
		}
		g.mw = append(g.mw, h)
	}
	return g
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

// timeout bounds each request of its route groups to RequestTimeout.
func (s *Server) timeout(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), s.Config.RequestTimeout)
	defer cancel()
	c.SetUserContext(ctx)
	return c.Next()
}

// mountFnLogs mounts the log API: the store's, or one saying why it is off.
func (s *Server) mountFnLogs(r, streams fiber.Router) {
	if s.fnLogs == nil {
		functions.MountLogsOff(r, streams, s.fnLogsOff)
		return
	}
	s.fnLogs.Mount(r, streams)
}

// tailToken lets a browser, whose WebSocket cannot send headers, give its
// token to a stream (the functions' live log tail, a watch) as
// ?access_token=; it runs before the identity. A header, when present,
// wins.
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
		id = newRequestID()
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
