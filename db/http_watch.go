package db

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"minibase/auth"

	"github.com/fasthttp/websocket"
	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// Mount registers the watch WebSocket on sockets, a route group without a
// time limit whose identity middleware is auth.SocketMiddleware (a token
// may come as ?access_token=, which browsers need; a bad one is answered
// over the socket):
//
//	GET /db/{coll}/watch — WebSocket (the protocol is in watch_conn.go)
func (w *Watches) Mount(sockets fiber.Router) {
	sockets.Get("/db/:coll/watch", w.handleWatch)
}

// writeTimeout is how long a message may take to reach a client: one
// that does not read for that long is disconnected.
const writeTimeout = 10 * time.Second

// upgrader makes the connections: small buffers (an idle connection holds
// its read buffer; write buffers are lent from a pool while writing), any
// origin (the token is a bearer token, never a cookie a page could ride).
var upgrader = websocket.FastHTTPUpgrader{
	ReadBufferSize:   512,
	WriteBufferSize:  8 << 10,
	WriteBufferPool:  &sync.Pool{},
	HandshakeTimeout: 10 * time.Second,
	CheckOrigin:      func(*fasthttp.RequestCtx) bool { return true },
}

// handleWatch answers a request that is not a WebSocket upgrade with 426.
// Every other refusal is told over the socket, after the upgrade, where
// browsers and mini-programs can read it (they cannot read a refused
// handshake's status): a bad parameter or collection name, a token that
// is not valid, rules that let the caller read nothing of the collection,
// the limits.
func (w *Watches) handleWatch(c *fiber.Ctx) error {
	if !websocket.FastHTTPIsWebSocketUpgrade(c.Context()) {
		return fiber.ErrUpgradeRequired
	}
	coll := param(c, "coll")
	id := auth.FromContext(c.UserContext())
	ctx := auth.NewContext(context.Background(), id) // the connection outlives the request
	user := ""
	switch id.Role {
	case auth.User:
		user = "user " + id.UID
	case auth.Visitor:
		user = "ip " + c.IP()
	}
	refusal := w.refusal(c, ctx, coll, user)
	if err := upgrader.Upgrade(c.Context(), func(ws *websocket.Conn) { w.serve(ws, ctx, coll, user, refusal) }); err != nil {
		return nil // the upgrader answered the bad handshake
	}
	return nil
}

// refusal is why a connection is refused, or nil.
func (w *Watches) refusal(c *fiber.Ctx, ctx context.Context, coll, user string) error {
	if err := auth.TokenError(c.UserContext()); err != nil {
		return err
	}
	var bad string
	c.Context().QueryArgs().VisitAll(func(k, _ []byte) {
		if string(k) != "access_token" && bad == "" {
			bad = string(k)
		}
	})
	if bad != "" {
		return Errorf(CodeInvalidParam, "unknown parameter %q (known: access_token)", bad)
	}
	if _, err := w.svc.admit(ctx, coll, opRead); err != nil {
		return err
	}
	return w.room(user)
}

// room reports whether the limits leave room for a connection of user.
func (w *Watches) room(user string) error {
	if err := w.reserve(user, 1); err != nil {
		return err
	}
	w.release(user, 1)
	return nil
}

// serve runs one connection: it reads the client's messages until the
// client leaves, stays silent for IdleTimeout, or the connection is ended.
// A connection refused (refusal) gets the error, then a close frame.
func (w *Watches) serve(ws *websocket.Conn, ctx context.Context, coll, user string, refusal error) {
	var stopped atomic.Bool
	out := &outbox{
		limit: w.opts.SendBuffer,
		write: func(m outMsg) error { return writeMsg(ws, m) },
		stop: func(code int, reason string) {
			stopped.Store(true)
			switch code {
			case 0, closeTryAgain: // a client that reads nothing: a close frame has little chance
				if code != 0 {
					ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(100*time.Millisecond))
				}
				hangUp(ws)
			default: // the reader returns with the client's answering close frame, or soon
				ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
				ws.SetReadDeadline(time.Now().Add(2 * time.Second))
			}
		},
	}
	defer out.close() // before the handler returns, which closes the connection
	conn, err := w.open(ctx, coll, user, out)
	if refusal == nil {
		refusal = err
	}
	if refusal != nil {
		var e answerer
		if !errors.As(refusal, &e) {
			e = Errorf(CodeRequestFailed, "the watch connection could not be made")
		}
		if conn != nil {
			conn.close()
		}
		out.end(e)
		drain(ws)
		return
	}
	defer conn.close()
	if exp := conn.id.Expires; !exp.IsZero() {
		t := time.AfterFunc(exp.Sub(w.opts.Now()), func() {
			out.end(auth.Errorf(auth.CodeAccessTokenExpired, "the access token has expired: refresh it and watch again"))
		})
		defer t.Stop()
	}
	ws.SetReadLimit(MaxWatchMessage)
	for {
		ws.SetReadDeadline(time.Now().Add(w.opts.IdleTimeout))
		typ, data, err := ws.ReadMessage()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() && !stopped.Load() {
				out.finish(outMsg{close: closeNormal, head: "idle: nothing received for " + w.opts.IdleTimeout.String() + " (send a ping)"})
				drain(ws)
			}
			return
		}
		if typ != websocket.TextMessage {
			out.send(outMsg{head: `{"type":"error"`, body: errorBody(Errorf(CodeInvalidParam, "messages are JSON text"))})
			continue
		}
		conn.handle(data)
	}
}

// hangUp closes the TCP connection under ws at once: a blocked read or
// write returns (gorilla's writer sets a new deadline for every frame, so
// a deadline would not stop it).
func hangUp(ws *websocket.Conn) {
	c := ws.UnderlyingConn()
	if h, ok := c.(interface{ UnsafeConn() net.Conn }); ok { // fasthttp's hijacked connection, whose Close waits for the handler
		c = h.UnsafeConn()
	}
	c.Close()
}

// drain reads until the connection is stopped (its last messages are
// written by the outbox meanwhile) or the client closes it, for at most
// writeTimeout.
func drain(ws *websocket.Conn) {
	ws.SetReadDeadline(time.Now().Add(writeTimeout))
	for {
		if _, _, err := ws.NextReader(); err != nil {
			return
		}
	}
}

// writeMsg writes one message as one text frame.
func writeMsg(ws *websocket.Conn, m outMsg) error {
	ws.SetWriteDeadline(time.Now().Add(writeTimeout))
	wr, err := ws.NextWriter(websocket.TextMessage)
	if err != nil {
		return err
	}
	io.WriteString(wr, m.head)
	wr.Write(m.id)
	wr.Write(m.body)
	return wr.Close()
}
