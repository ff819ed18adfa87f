//go:build !minibase_fuzz

package db_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"minibase/server/servertest"

	"github.com/fasthttp/websocket"
)

// watchClient is a test's WebSocket client of GET /v1/db/{coll}/watch: a
// goroutine reads its messages into a queue the test takes them from.
type watchClient struct {
	tb  testing.TB
	ws  *websocket.Conn
	got chan wmsg

	mu     sync.Mutex
	closed *websocket.CloseError // how the server closed it
}

// wmsg is a message from the server, decoded.
type wmsg map[string]any

func (m wmsg) str(k string) string { s, _ := m[k].(string); return s }
func (m wmsg) num(k string) int64  { n, _ := m[k].(float64); return int64(n) }

// docs returns the _ids of an init message's documents.
func (m wmsg) docs() []string {
	var out []string
	for _, d := range m["docs"].([]any) {
		out = append(out, d.(map[string]any)["_id"].(string))
	}
	return out
}

// events returns a message's docChanges.
func (m wmsg) events() []map[string]any {
	var out []map[string]any
	for _, e := range m["events"].([]any) {
		out = append(out, e.(map[string]any))
	}
	return out
}

// dialWatch connects to coll's watch as id.
func dialWatch(tb testing.TB, s *servertest.Server, coll string, id servertest.Identity) *watchClient {
	tb.Helper()
	c, resp, err := tryDial(tb, s, coll, id, "")
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		tb.Fatalf("dial the watch of %s as %s: %v (HTTP %d)", coll, id, err, status)
	}
	return c
}

// tryDial connects with query (?…) added to the URL.
func tryDial(tb testing.TB, s *servertest.Server, coll string, id servertest.Identity, query string) (*watchClient, *http.Response, error) {
	h := http.Header{}
	if tok := s.Token(tb, id); tok != "" {
		h.Set("Authorization", "Bearer "+tok)
	}
	url := "ws" + strings.TrimPrefix(s.URL, "http") + "/v1/db/" + coll + "/watch" + query
	ws, resp, err := websocket.DefaultDialer.Dial(url, h)
	if err != nil {
		return nil, resp, err
	}
	c := &watchClient{tb: tb, ws: ws, got: make(chan wmsg, 10000)}
	go c.read()
	tb.Cleanup(func() { ws.Close() })
	return c, resp, nil
}

func (c *watchClient) read() {
	defer close(c.got)
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			if ce, ok := err.(*websocket.CloseError); ok {
				c.mu.Lock()
				c.closed = ce
				c.mu.Unlock()
			}
			return
		}
		var m wmsg
		if err := json.Unmarshal(data, &m); err != nil {
			c.tb.Errorf("a message that is not JSON: %q", data)
			return
		}
		c.got <- m
	}
}

// send sends one message.
func (c *watchClient) send(msg string) {
	c.tb.Helper()
	if err := c.ws.WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
		c.tb.Fatalf("send %s: %v", msg, err)
	}
}

// next returns the next message, waiting for it up to
// servertest.WaitTimeout; nil when the server closed the connection.
func (c *watchClient) next() wmsg {
	c.tb.Helper()
	select {
	case m, ok := <-c.got:
		if !ok {
			return nil
		}
		return m
	case <-time.After(servertest.WaitTimeout):
		c.tb.Fatalf("no message from the watch within %v", servertest.WaitTimeout)
		return nil
	}
}

// expect returns the next message, which must be of type typ.
func (c *watchClient) expect(typ string) wmsg {
	c.tb.Helper()
	m := c.next()
	if m == nil || m.str("type") != typ {
		c.tb.Fatalf("got %v, want a %s message", m, typ)
	}
	return m
}

// watch starts a watch and returns its init message.
func (c *watchClient) watch(id, query string) wmsg {
	c.tb.Helper()
	c.send(`{"type":"watch","watchId":"` + id + `","query":` + query + `}`)
	m := c.next()
	for m != nil && m.str("type") == "events" && m.str("watchId") != id {
		m = c.next() // another watch's events, sent before the init
	}
	if m == nil || m.str("type") != "init" {
		c.tb.Fatalf("got %v, want an init message", m)
	}
	if m.str("watchId") != id {
		c.tb.Fatalf("init for %q, want %q", m.str("watchId"), id)
	}
	return m
}

// closedWith waits for the server to close the connection and returns
// the close frame.
func (c *watchClient) closedWith() *websocket.CloseError {
	c.tb.Helper()
	for {
		if m := c.next(); m == nil {
			break
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed == nil {
		c.tb.Fatal("the connection ended without a close frame")
	}
	return c.closed
}

// refused dials coll's watch as id (with query added to the URL) and
// requires the connection to be refused over the socket: an error code,
// then a close frame 1008.
func refused(tb testing.TB, s *servertest.Server, coll string, id servertest.Identity, query, code string) {
	tb.Helper()
	c, resp, err := tryDial(tb, s, coll, id, query)
	if err != nil {
		tb.Fatalf("dial %s%s as %s: %v (%v); want the upgrade, then the refusal over the socket", coll, query, id, err, resp)
	}
	if m := c.expect("error"); m.str("code") != code || m["watchId"] != nil {
		tb.Errorf("dial %s%s as %s: %v, want the connection's error %s", coll, query, id, m, code)
	}
	if ce := c.closedWith(); ce.Code != websocket.ClosePolicyViolation {
		tb.Errorf("closed with %v, want 1008", ce)
	}
}
