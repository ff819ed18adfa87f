package server

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"path"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"

	"minibase/admin"
)

// consolePrefix is where the admin console is served.
const consolePrefix = "/_"

// consoleCSP keeps the console to its own origin: its scripts and the
// API. Inline styles are allowed for the code editor, which injects its
// own; images may be data: and blob: URLs (previews of files).
const consoleCSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
	"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// consoleFile is one file of the console's build, held in memory with its
// gzip-compressed form when compressing it pays.
type consoleFile struct {
	body, gz    []byte
	ctype, etag string
	immutable   bool // under assets/: the name carries a content hash
}

// adminUI serves a single-page app's build (the admin console's dist/):
// a file by its path; any other path without an extension (a deep link:
// /_/database/orders) gets index.html, so the app routes it; a missing
// asset is a 404, never index.html. Hashed assets are cached for good,
// index.html is revalidated (ETag) on every load.
type adminUI struct {
	files map[string]*consoleFile
}

// newAdminUI reads every file of dist into memory (the build is a few
// hundred KiB) and compresses the text ones once.
func newAdminUI(dist fs.FS) (*adminUI, error) {
	c := &adminUI{files: map[string]*consoleFile{}}
	err := fs.WalkDir(dist, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(dist, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		f := &consoleFile{body: b, ctype: consoleType(p), etag: `"` + hex.EncodeToString(sum[:8]) + `"`,
			immutable: strings.HasPrefix(p, "assets/")}
		if compressible(f.ctype) && len(b) > 512 {
			var buf bytes.Buffer
			w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			w.Write(b)
			if err := w.Close(); err != nil {
				return err
			}
			if buf.Len() < len(b)*9/10 {
				f.gz = buf.Bytes()
			}
		}
		c.files[p] = f
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read the admin console's build: %w", err)
	}
	return c, nil
}

// embeddedConsole is the console's embedded build, read and compressed
// once per process on the first request for it: a server never asked for
// /_/ (a headless deployment, each of the test suites' hundreds of
// servers) never pays for compressing a few hundred KiB at the best level.
var embeddedConsole = sync.OnceValues(func() (*adminUI, error) { return newAdminUI(admin.Dist) })

// mountConsole registers the console that build returns at /_/ on app (GET
// and HEAD), and /_ redirecting to it.
func mountConsole(app *fiber.App, build func() (*adminUI, error)) {
	serve := func(ctx *fiber.Ctx) error {
		c, err := build()
		if err != nil {
			return err
		}
		return c.serve(ctx)
	}
	app.Get(consolePrefix+"/*", serve)
	app.Get(consolePrefix, serve)
}

// mount registers c at /_/ on app.
func (c *adminUI) mount(app *fiber.App) {
	mountConsole(app, func() (*adminUI, error) { return c, nil })
}

func (c *adminUI) serve(ctx *fiber.Ctx) error {
	if ctx.Path() == consolePrefix { // relative asset URLs need the slash
		return ctx.Redirect(consolePrefix+"/", fiber.StatusMovedPermanently)
	}
	p := path.Clean("/" + ctx.Params("*"))[1:]
	f := c.files[p]
	if f == nil {
		if p == "" || p == "index.html" || path.Ext(p) == "" && !strings.HasPrefix(p, "assets/") {
			f = c.files["index.html"]
		}
		if f == nil {
			if c.files["index.html"] == nil {
				return errNoConsole
			}
			return fiber.ErrNotFound
		}
	}
	ctx.Set(fiber.HeaderContentType, f.ctype)
	ctx.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	ctx.Set(fiber.HeaderETag, f.etag)
	if f.immutable {
		ctx.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	} else {
		ctx.Set(fiber.HeaderCacheControl, "no-cache")
		ctx.Set(fiber.HeaderContentSecurityPolicy, consoleCSP)
		ctx.Set(fiber.HeaderXFrameOptions, "DENY")
		ctx.Set(fiber.HeaderReferrerPolicy, "no-referrer")
	}
	if f.gz != nil {
		ctx.Vary(fiber.HeaderAcceptEncoding)
	}
	if inm := ctx.Get(fiber.HeaderIfNoneMatch); inm != "" && strings.Contains(inm, f.etag) {
		return ctx.SendStatus(fiber.StatusNotModified)
	}
	if f.gz != nil && acceptsGzip(ctx.Get(fiber.HeaderAcceptEncoding)) {
		ctx.Set(fiber.HeaderContentEncoding, "gzip")
		return ctx.Send(f.gz)
	}
	return ctx.Send(f.body)
}

// errNoConsole answers /_/ in a build without the console.
var errNoConsole = &fiber.Error{Code: fiber.StatusNotFound,
	Message: "the admin console is not in this build (it was built with the noadmin tag)"}

func consoleType(p string) string {
	switch path.Ext(p) {
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".html":
		return "text/html; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".json", ".map":
		return "application/json"
	}
	if t := mime.TypeByExtension(path.Ext(p)); t != "" {
		return t
	}
	return "application/octet-stream"
}

func compressible(ctype string) bool {
	return strings.HasPrefix(ctype, "text/") || strings.HasPrefix(ctype, "application/json") || strings.HasPrefix(ctype, "image/svg")
}

// acceptsGzip reports whether an Accept-Encoding value allows gzip (and
// does not refuse it with q=0).
func acceptsGzip(ae string) bool {
	for _, part := range strings.Split(ae, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") || strings.TrimSpace(name) == "*" {
			q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}
