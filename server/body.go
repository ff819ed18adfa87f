package server

import (
	"fmt"
	"io"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// bound runs a request's handler between the connection's other steps.
// Before it, the header deadline gives way to one for each read of the
// body (conn.startHandler: MINIBASE_BODY_TIMEOUT, or what the handler sets
// itself, as uploads do). After it, an answer to a body that stopped
// arriving says so (408; the connection closes), and the server gives up
// on what the handler left unread after drain.
//
// fasthttp (v1.80) owns the request boundary: after writing the answer it
// reads and drops up to 256 KiB of an unread streamed body, so that the
// next request on the connection starts where the body ends, and closes
// the connection when more is left or the read fails. That holds for every
// answer, including those fiber writes before any middleware runs (an
// unknown method). It has no deadline of its own: without drain a client
// that stops sending mid-body would hold its connection, and shutdown, for
// as long as it likes.
func bound(drain time.Duration, next fasthttp.RequestHandler) fasthttp.RequestHandler {
	return func(ctx *fasthttp.RequestCtx) {
		c := serverConn(ctx.Conn()) // nil when not served from the server's listener (app.Test)
		if c != nil {
			c.startHandler()
		}
		next(ctx)
		if c != nil && c.endHandler() && ctx.Response.StatusCode() != fiber.StatusRequestEntityTooLarge {
			ctx.Response.SetStatusCode(fiber.StatusRequestTimeout)
			ctx.Response.Header.SetContentType(fiber.MIMEApplicationJSON)
			ctx.Response.SetBodyString(stalledBody)
			ctx.SetConnectionClose()
		}
		if ctx.Request.IsBodyStream() && !ctx.Hijacked() {
			ctx.SetReadDeadline(time.Now().Add(drain)) // the server clears it after the drain
		}
	}
}

// stalledBody is the answer to a request whose body stopped arriving
// while its handler read it.
const stalledBody = `{"code":"INVALID_PARAM","errCode":-501007,"message":"the request body stopped arriving before its end"}`

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
			return tooLarge(limit)
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
			return tooLarge(limit)
		}
		req.SetBodyRaw(b)
		return c.Next()
	}
}

// tooLarge is the answer to a body over limit bytes.
func tooLarge(limit int) error {
	return fiber.NewError(fiber.StatusRequestEntityTooLarge, fmt.Sprintf("request body is larger than %d bytes", limit))
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
