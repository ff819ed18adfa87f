package functions

import (
	"strconv"
	"strings"
	"time"

	"minibase/auth"

	"github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"
)

// tailPath is the live tail's path under /v1.
const tailPath = "/admin/functions/logs/tail"

// Mount registers the log store's admin routes under /v1, the live tail on
// streams (a router without a time limit, where a browser, whose WebSocket
// cannot set headers, may give its token as ?access_token=), the others on
// r. Mount it before Runtime.Mount, so that these paths win over
// /admin/functions/{name}:
//
//	GET /admin/functions/logs        ?function=&requestId=&openid=&status=&since=&until=&limit=&cursor= → {data, next}
//	GET /admin/functions/logs/stats  → LogStats
//	GET /admin/functions/logs/tail   ?function= — WebSocket: each new record as JSON
func (s *LogStore) Mount(r, streams fiber.Router) {
	r.Get("/admin/functions/logs", s.handleQuery)
	r.Get("/admin/functions/logs/stats", s.handleStats)
	streams.Get(tailPath, s.handleTail, websocket.New(s.serveTail, websocket.Config{ReadBufferSize: 512, WriteBufferSize: 16 << 10}))
}

// MountLogsOff registers the log store's admin routes (as Mount does) for a
// server that runs without its log store (its database could not be
// opened): they answer admins CodeLogStoreOff, saying why.
func MountLogsOff(r, streams fiber.Router, why string) {
	off := func(c *fiber.Ctx) error {
		if err := requireAdmin(c); err != nil {
			return err
		}
		return Errorf(CodeLogStoreOff, "the function log store is off: %s", why)
	}
	r.Get("/admin/functions/logs", off)
	r.Get("/admin/functions/logs/stats", off)
	streams.Get(tailPath, off)
}

func requireAdmin(c *fiber.Ctx) error {
	if !auth.FromContext(c.UserContext()).IsAdmin() {
		return Errorf(CodePermissionDenied, "permission denied: function logs are for admins")
	}
	return nil
}

var queryParams = map[string]bool{"function": true, "requestId": true, "openid": true, "status": true,
	"since": true, "until": true, "limit": true, "cursor": true}

func (s *LogStore) handleQuery(c *fiber.Ctx) error {
	if err := requireAdmin(c); err != nil {
		return err
	}
	var bad string
	c.Context().QueryArgs().VisitAll(func(k, _ []byte) {
		if !queryParams[string(k)] && bad == "" {
			bad = string(k)
		}
	})
	if bad != "" {
		return Errorf(CodeInvalidParam, "unknown parameter %q (known: function, requestId, openid, status, since, until, limit, cursor)", bad)
	}
	q := LogQuery{Function: strings.Clone(c.Query("function")), RequestID: strings.Clone(c.Query("requestId")),
		OpenID: strings.Clone(c.Query("openid")), Status: strings.Clone(c.Query("status")), Cursor: strings.Clone(c.Query("cursor"))}
	var err error
	if q.Since, err = parseTime("since", c.Query("since")); err != nil {
		return err
	}
	if q.Until, err = parseTime("until", c.Query("until")); err != nil {
		return err
	}
	if v := c.Query("limit"); v != "" {
		if q.Limit, err = strconv.Atoi(v); err != nil || q.Limit < 1 {
			return Errorf(CodeInvalidParam, "limit must be a number from 1 to %d, got %q", MaxLogPage, v)
		}
	}
	page, err := s.Query(c.UserContext(), q)
	if err != nil {
		return err
	}
	return c.JSON(page)
}

// parseTime reads an RFC 3339 time or milliseconds since 1970.
func parseTime(name, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if ms, err := strconv.ParseInt(v, 10, 64); err == nil && ms >= 0 && ms < 1<<53 {
		return time.UnixMilli(ms), nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil || t.Before(time.Unix(0, 0)) || t.Year() > 2200 {
		return time.Time{}, Errorf(CodeInvalidParam, "%s must be an RFC 3339 time (2024-05-01T08:00:00Z) or milliseconds since 1970, got %q", name, v)
	}
	return t, nil
}

func (s *LogStore) handleStats(c *fiber.Ctx) error {
	if err := requireAdmin(c); err != nil {
		return err
	}
	return c.JSON(s.Stats())
}

// handleTail checks the request before the upgrade, so that refusals are
// HTTP answers: 403 for a non-admin, 400 for bad parameters, 426 without
// an upgrade, 429 when MaxTails are open.
func (s *LogStore) handleTail(c *fiber.Ctx) error {
	if err := requireAdmin(c); err != nil {
		return err
	}
	if !websocket.IsWebSocketUpgrade(c) {
		return fiber.ErrUpgradeRequired
	}
	var bad string
	c.Context().QueryArgs().VisitAll(func(k, _ []byte) {
		if k := string(k); k != "function" && k != "access_token" && bad == "" {
			bad = k
		}
	})
	if bad != "" {
		return Errorf(CodeInvalidParam, "unknown parameter %q (known: function, access_token)", bad)
	}
	if len(c.Query("function")) > 256 {
		return Errorf(CodeInvalidParam, "function must be at most 256 bytes")
	}
	// The tail is opened here, before the upgrade, so that it counts at
	// once: checking for room here and opening in serveTail let clients
	// that connected together past MaxTails. The WebSocket claims it; when
	// none does within tailClaim (the handshake failed), it is closed.
	t, err := s.Tail(strings.Clone(c.Query("function"))) // it outlives the handler
	if err != nil {
		return err
	}
	c.Locals(tailLocal, t)
	time.AfterFunc(tailClaim, func() {
		if t.claimed.CompareAndSwap(false, true) {
			t.Close()
		}
	})
	if err := c.Next(); err != nil {
		if t.claimed.CompareAndSwap(false, true) {
			t.Close()
		}
		return err
	}
	return nil
}

// tailLocal is the key under which handleTail hands the opened tail to
// serveTail; tailClaim is how long it waits for serveTail to take it.
const (
	tailLocal = "minibase.tail"
	tailClaim = 10 * time.Second
)

// Tail connection limits: a write the client does not take within
// tailWriteTimeout ends the connection; a ping every tailPing keeps
// proxies from closing an idle one.
const (
	tailWriteTimeout = 10 * time.Second
	tailPing         = 30 * time.Second
)

// serveTail streams records to one WebSocket client until it leaves or
// the store closes. The client's messages are read and ignored.
func (s *LogStore) serveTail(conn *websocket.Conn) {
	defer conn.Close()
	t, _ := conn.Locals(tailLocal).(*Tail)
	if t == nil || !t.claimed.CompareAndSwap(false, true) { // the handshake took longer than tailClaim
		conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseTryAgainLater, "the handshake took too long"),
			time.Now().Add(tailWriteTimeout))
		return
	}
	defer t.Close()
	gone := make(chan struct{})
	go func() {
		defer close(gone)
		conn.SetReadLimit(4 << 10)
		for {
			if _, _, err := conn.ReadMessage(); err != nil {
				return
			}
		}
	}()
	ping := time.NewTicker(tailPing)
	defer ping.Stop()
	for {
		select {
		case <-gone:
			return
		case <-ping.C:
			if conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(tailWriteTimeout)) != nil {
				return
			}
		case msg, ok := <-t.C:
			if !ok { // the store closed: the server is shutting down, and waits a little for this
				conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, "the server is shutting down"),
					time.Now().Add(time.Second))
				return
			}
			conn.SetWriteDeadline(time.Now().Add(tailWriteTimeout))
			if n := t.Lost(); n > 0 {
				notice := `{"notice":"` + strconv.FormatInt(n, 10) + ` records were not sent: this client read too slowly","lost":` + strconv.FormatInt(n, 10) + `}`
				if conn.WriteMessage(websocket.TextMessage, []byte(notice)) != nil {
					return
				}
			}
			if conn.WriteMessage(websocket.TextMessage, msg) != nil {
				return
			}
		}
	}
}
