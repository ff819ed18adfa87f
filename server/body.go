package server

import (
	"io"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// boundDrain has the server give up on what a handler left unread of a
// request's body d after the handler returns. fasthttp (v1.80) owns the
// request boundary: after writing the answer it reads and drops up to 256 KiB
// of an unread streamed body, so that the next request on the connection
// starts where the body ends, and closes the connection when more is left or
// the read fails. That holds for every answer, including those fiber writes
// before any middleware runs (an unknown method). It has no deadline of its
// own: without this one a client that stops sending mid-body would hold its
// connection, and shutdown, for as long as it likes.
func boundDrain(d time.Duration, next fasthttp.RequestHandler) fasthttp.RequestHandler {
	return func(ctx *fasthttp.RequestCtx) {
		next(ctx)
		if ctx.Request.IsBodyStream() && !ctx.Hijacked() {
			ctx.SetReadDeadline(time.Now().Add(d)) // the server clears it after the drain
		}
	}
}

// limitBody holds request bodies to limit bytes: each route group's body
// limit. The server streams bodies (for uploads, whose group has none), so
// fasthttp no longer refuses large ones itself: a declared length over the
// limit is refused before it is read, and a chunked body is read here, at
// most limit bytes.
func (s *Server) limitBody(limit int) fiber.Handler {
	return func(c *fiber.Ctx) error {
		req := c.Request()
		if !req.IsBodyStream() {
			return c.Next()
		}
		if n := req.Header.ContentLength(); n > limit {
			s.discard(c, req.BodyStream(), int64(n))
			return fiber.ErrRequestEntityTooLarge
		} else if n >= 0 {
			return c.Next() // fasthttp reads exactly n bytes
		}
		b, err := io.ReadAll(io.LimitReader(req.BodyStream(), int64(limit)+1))
		if err != nil {
			c.Context().SetConnectionClose()
			return fiber.NewError(fiber.StatusBadRequest, "could not read the request body")
		}
		if len(b) > limit {
			s.discard(c, req.BodyStream(), -1)
			return fiber.ErrRequestEntityTooLarge
		}
		req.SetBodyRaw(b)
		return c.Next()
	}
}

// maxDiscard is how much of a refused body is read and dropped so that
// the client, still sending, receives the answer (a connection closed with
// unread data is reset, and the client may see only the reset).
const maxDiscard = 8 << 20

// discard drops the rest of a refused body of n bytes (-1: unknown) when
// it is at most maxDiscard and arrives within RequestTimeout, and
// otherwise closes the connection after the answer instead.
func (s *Server) discard(c *fiber.Ctx, body io.Reader, n int64) {
	if n > maxDiscard {
		c.Context().SetConnectionClose()
		return
	}
	c.Context().SetReadDeadline(time.Now().Add(s.Config.RequestTimeout)) // the server clears it after the request
	if k, err := io.Copy(io.Discard, io.LimitReader(body, maxDiscard+1)); err != nil || k > maxDiscard {
		c.Context().SetConnectionClose()
	}
}
