package server

import (
	bin "encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// answerMalformed makes the answers to requests that never reach a route
// the documented JSON errors, with a request id, and with nothing of the
// request in them: fasthttp's errors for a head it cannot parse quote the
// head (an Authorization header, what a proxy added), and fiber answers a
// method it does not know in plain text. It wraps app's handlers; call it
// before bound, which must stay outermost.
func answerMalformed(app *fiber.App) {
	srv := app.Server()
	srv.SecureErrorLogMessage = true
	readError := srv.ErrorHandler
	srv.ErrorHandler = func(ctx *fasthttp.RequestCtx, err error) {
		ctx.Response.Header.Set(fiber.HeaderXRequestID, newRequestID())
		readError(ctx, malformed(err))
	}
	next := srv.Handler
	srv.Handler = func(ctx *fasthttp.RequestCtx) {
		if !slices.Contains(fiber.DefaultMethods, string(ctx.Method())) {
			ctx.Response.Header.Set(fiber.HeaderXRequestID, newRequestID())
			ctx.SetContentType(fiber.MIMEApplicationJSON)
			ctx.SetStatusCode(fiber.StatusBadRequest)
			body, _ := json.Marshal(errorBody{Code: "INVALID_PARAM", ErrCode: -501007,
				Message: fmt.Sprintf("unsupported HTTP method %q", cut(string(ctx.Method()), 32))})
			ctx.SetBody(body)
			return
		}
		next(ctx)
	}
}

// malformed is the error fiber answers for a request fasthttp could not
// read: the kinds fiber gives a status of their own as they are, any
// other a 400 that says what was wrong, without the request's bytes.
func malformed(err error) error {
	var small *fasthttp.ErrSmallBuffer
	var ne net.Error
	if errors.As(err, &small) || errors.As(err, &ne) || errors.Is(err, fasthttp.ErrBodyTooLarge) || errors.Is(err, fasthttp.ErrGetOnly) {
		return err
	}
	msg := err.Error()
	if i := strings.Index(msg, ": buffer size="); i >= 0 {
		msg = msg[:i]
	}
	msg = strings.TrimPrefix(strings.TrimPrefix(msg, "error when reading request headers: "), "fasthttp: ")
	return fiber.NewError(fiber.StatusBadRequest, "malformed request: "+cut(msg, 200))
}

// cut is s, or its first n bytes and "…".
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// newRequestID is a random version 4 UUID. fiber's utils.UUID is a seed
// plus a counter, so its ids told anyone how many requests the server had
// answered between two of theirs. math/rand/v2's generator is the
// runtime's ChaCha8, seeded from the system's randomness, at a few
// nanoseconds a call.
func newRequestID() string {
	var b [16]byte
	bin.LittleEndian.PutUint64(b[:8], rand.Uint64())
	bin.LittleEndian.PutUint64(b[8:], rand.Uint64())
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 9562 variant
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}
