package server

import (
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
)

// observe is the handler that counts every request in the metrics and,
// as MINIBASE_REQUEST_LOG says, writes its line in the server log. It
// runs after the proxies' handler (the client's address) and requestID,
// and answers a request's error itself (writeError) so that the status
// counted and logged is the one sent.
func (s *Server) observe(c *fiber.Ctx) error {
	m := s.metrics
	m.inFlight.Inc()
	defer m.inFlight.Dec()
	err := c.Next()
	notFound := false
	if err != nil {
		var fe *fiber.Error
		notFound = errors.As(err, &fe) && (fe.Code == fiber.StatusNotFound || fe.Code == fiber.StatusMethodNotAllowed)
		if werr := s.writeError(c, err); werr != nil {
			return werr
		}
	}
	took := time.Since(c.Context().Time())
	status := c.Response().StatusCode()
	rm := m.route(c, notFound)
	m.observe(rm, status, took)
	if s.reqLog.wants(status) {
		s.reqLog.write(c, rm, status, took)
	}
	return nil
}

// requestLog writes the request log's lines (MINIBASE_REQUEST_LOG).
type requestLog struct {
	log  *slog.Logger
	cfg  RequestLog
	seen atomic.Uint64 // requests seen, for sampled:N
}

// wants reports whether a request answered with status gets a line: all,
// errors (400 or more), or with sampled:N the 1st, N+1th, 2N+1th… request
// the server answered, counted exactly (no randomness, so that N lines
// out of N×k requests is what an operator sees).
func (l *requestLog) wants(status int) bool {
	switch l.cfg.Mode {
	case RequestLogAll:
		return true
	case RequestLogErrors:
		return status >= 400
	case RequestLogSampled:
		return (l.seen.Add(1)-1)%l.cfg.Every == 0
	}
	return false
}

// maxLogField bounds a text field of a request's line; a line holds no
// body, no query string and no header but the request id, so it stays
// under 1 KiB.
const maxLogField = 200

// write writes the line of an answered request: method, route pattern
// (never the raw path, which may hold ids and tokens), status, duration,
// bytes sent, the request id and the client's address (through the
// trusted proxies).
func (l *requestLog) write(c *fiber.Ctx, rm *routeMetrics, status int, took time.Duration) {
	size := len(c.Response().Body())
	if c.Response().IsBodyStream() { // a file: its length, or -1 when sent in chunks
		size = c.Response().Header.ContentLength()
	}
	l.log.LogAttrs(c.UserContext(), slog.LevelInfo, "request",
		slog.String("method", rm.method),
		slog.String("route", truncate(rm.route, maxLogField)),
		slog.Int("status", status),
		slog.Float64("ms", float64(took.Microseconds())/1000),
		slog.Int("bytes", size),
		slog.String("requestId", truncate(requestIDOf(c), 128)),
		slog.String("ip", truncate(c.IP(), 64)))
}

// truncate cuts s to at most n bytes, on a rune boundary, marking the cut
// with "…".
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}
