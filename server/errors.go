package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"

	"minibase/auth"
	"minibase/db"
	"minibase/functions"
	"minibase/server/backup"
	"minibase/storage"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"
)

// clientError is an error a client is told about. Each area's Error (db,
// auth, storage, functions) is one: its Answer gives the HTTP status from
// the table beside the area's codes, CloudBase's code name and number, and
// the message.
type clientError interface {
	error
	Answer() (status int, code string, errCode int, message string)
}

// retryLater is an error that says when to try again (Retry-After): auth's
// rate limits, storage's busy image resizing.
type retryLater interface {
	RetryDelay() time.Duration
}

// invocationError is the error of a function invocation: its InvocationID
// is the requestId of the invocation's record, which holds the failure.
type invocationError interface {
	InvocationID() string
}

var (
	_ clientError     = (*db.Error)(nil)
	_ clientError     = (*auth.Error)(nil)
	_ clientError     = (*storage.Error)(nil)
	_ clientError     = (*functions.Error)(nil)
	_ clientError     = (*backup.Error)(nil)
	_ retryLater      = (*auth.Error)(nil)
	_ retryLater      = (*storage.Error)(nil)
	_ invocationError = (*functions.Error)(nil)
)

// errorBody is every error answer: CloudBase's {code, errCode, message},
// and for a function invocation's errors the invocation's requestId.
type errorBody struct {
	Code      string `json:"code"`
	ErrCode   int    `json:"errCode"`
	Message   string `json:"message"`
	RequestID string `json:"requestId,omitempty"`
}

// writeError is the app's one error handler: whatever a handler, a
// middleware or the router returns is answered here.
//
//   - An area's error (clientError) answers with its status, code and
//     message; Retry-After when it says when to try again.
//   - The router's own 404 and 405 answer 404 "no such endpoint: GET /x"
//     (handlers answer their area's not-found errors, never fiber's); other
//     fiber errors (413, 426…) keep their status as INVALID_PARAM.
//   - A request past its deadline is 504 SERVER_TIMEOUT; one whose client
//     went away 499; anything else an internal 500 SYS_ERR that tells the
//     client nothing of the cause.
//
// Every answer carries the request's id in X-Request-Id (see requestID).
// The body's requestId is a function invocation's only (the id of its
// logs, as CloudBase answers), so that it names one thing; the SDK takes
// the header's when the body has none. Every answer of 500 or more is
// logged once, with the request's id and the cause, except an invocation's:
// its record, in the log store and the server log (MINIBASE_FUNCTIONS_LOG),
// holds it.
func (s *Server) writeError(c *fiber.Ctx, err error) error {
	status, body := http.StatusInternalServerError, errorBody{Code: "SYS_ERR", ErrCode: -501001, Message: "internal error"}
	var ce clientError
	var fe *fiber.Error
	switch {
	case errors.As(err, &ce):
		status, body.Code, body.ErrCode, body.Message = ce.Answer()
	case errors.As(err, &fe):
		status, body = fe.Code, errorBody{Code: "INVALID_PARAM", ErrCode: -501007, Message: fe.Message}
		switch fe.Code {
		case fiber.StatusNotFound, fiber.StatusMethodNotAllowed:
			status, body.Message = fiber.StatusNotFound, "no such endpoint: "+c.Method()+" "+c.Path()
		case fiber.StatusRequestEntityTooLarge:
			if fe.Message == utils.StatusMessage(fe.Code) { // fiber's own, not limitBody's
				body.Message = "request body is too large"
			}
		}
	case errors.Is(err, context.DeadlineExceeded):
		status, body = fiber.StatusGatewayTimeout, errorBody{Code: "SERVER_TIMEOUT", ErrCode: -501002, Message: "the request took too long"}
	case errors.Is(err, context.Canceled):
		status, body = 499, errorBody{Code: "SYS_ERR", ErrCode: -501001, Message: "request canceled"}
	}
	var rl retryLater
	if errors.As(err, &rl) && rl.RetryDelay() > 0 {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(math.Ceil(rl.RetryDelay().Seconds()))))
	}
	var inv invocationError
	switch {
	case errors.As(err, &inv) && inv.InvocationID() != "":
		body.RequestID = inv.InvocationID()
	case status >= http.StatusInternalServerError:
		s.logFailure(c, status, err)
	}
	return c.Status(status).JSON(body)
}

// logFailure writes the server log's one line about a request answered
// with status (5xx) because of err.
func (s *Server) logFailure(c *fiber.Ctx, status int, err error) {
	attrs := []any{"status", status, "method", c.Method(), "path", c.Path(), "requestId", requestIDOf(c)}
	var pe *panicError
	if errors.As(err, &pe) {
		s.log.Error("request panicked", append(attrs, "panic", pe.value, "stack", pe.stack)...)
		return
	}
	level := slog.LevelError
	if status == http.StatusServiceUnavailable || status == http.StatusInsufficientStorage || status == http.StatusNotImplemented {
		level = slog.LevelWarn // a state the operator has been told of (busy, disk full, not configured)
	}
	s.log.Log(c.UserContext(), level, "request failed", append(attrs, "err", err)...)
}

// recoverPanic turns a panic in a handler into a 500 for that request
// (logged once, with its stack, by writeError) instead of the end of the
// process.
func recoverPanic(c *fiber.Ctx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &panicError{value: r, stack: string(debug.Stack())}
		}
	}()
	return c.Next()
}

// panicError is a handler's panic: an internal error, with nothing of the
// panic sent to the client.
type panicError struct {
	value any
	stack string
}

func (e *panicError) Error() string { return fmt.Sprintf("handler panicked: %v", e.value) }
