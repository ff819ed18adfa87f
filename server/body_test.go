package server

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// listen serves m's app on a 127.0.0.1 socket until the test ends, from
// the server's own listener (see serve).
func listen(t *testing.T, m *Server) string {
	t.Helper()
	_, addr := serve(t, m)
	return addr
}

// rawConn is a client connection that writes requests as bytes and reads
// the answers one by one.
type rawConn struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
}

func dialRaw(t *testing.T, addr string) *rawConn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(20 * time.Second)) // a hung server fails the test instead of hanging it
	return &rawConn{t: t, conn: conn, r: bufio.NewReader(conn)}
}

// send writes b in the background: a server that answers without reading
// a large body must not block the test's writes.
func (c *rawConn) send(b string) {
	go c.conn.Write([]byte(b))
}

// next reads the next final answer (skipping 100 Continue) with its body;
// a nil response means the server closed the connection instead.
func (c *rawConn) next() (*http.Response, string) {
	c.t.Helper()
	for {
		resp, err := http.ReadResponse(c.r, nil)
		if err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF || isReset(err) {
				return nil, ""
			}
			c.t.Fatalf("reading an answer: %v", err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			c.t.Fatalf("reading an answer's body: %v", err)
		}
		if resp.StatusCode == http.StatusContinue {
			continue
		}
		if len(b) > 200 {
			b = append(b[:200], "…"...)
		}
		return resp, string(b)
	}
}

func isReset(err error) bool {
	return strings.Contains(err.Error(), "connection reset")
}

// The request hidden in a body: an admin's, whose answer lists the
// collections. It must never be answered.
const (
	hiddenRequest = "GET /v1/admin/collections HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + testKey + "\r\n\r\n"
	hiddenAnswer  = `"data":[`
	nextRequest   = "GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n"
	nextAnswer    = `"status":"ok"`
)

// smuggling is a body whose unread part, past what the server reads before
// the handler (8 KiB), is a complete request.
var smuggling = strings.Repeat("x", 8<<10) + hiddenRequest

// chunked encodes body as one chunk and the last chunk.
func chunked(body string) string { return fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(body), body) }

// TestRequestBoundary: whatever a handler leaves unread of a request's
// body, the next request on the connection starts where the body ends —
// the rest is drained, or the connection is closed after the answer — so
// a request hidden in a body is never answered. Each early exit is tried:
// a request A whose body hides request B, then (when the connection stays
// open) request C, which must be the second one answered.
func TestRequestBoundary(t *testing.T) {
	m, _ := newAuthMain(t, func(c *Config) {
		c.BodyLimit = 64 << 10
		if err := c.Auth.Limits.Parse("anonymous.ip=1/h"); err != nil {
			t.Fatal(err)
		}
	})
	addr := listen(t, m)
	user := m.signIn(t, "/v1/auth/signup", "", `{"username":"alice","password":"password1"}`).str("access_token")
	withLength := func(head, body string) string {
		return fmt.Sprintf("%sContent-Length: %d\r\n\r\n%s", head, len(body), body)
	}
	withChunks := func(head, body string) string {
		return head + "Transfer-Encoding: chunked\r\n\r\n" + chunked(body)
	}
	const host = "Host: x\r\n"
	admin := "Authorization: Bearer " + testKey + "\r\n"
	bearer := "Authorization: Bearer " + user + "\r\n"
	for _, tc := range []struct {
		name    string
		request string // A
		status  int    // A's answer
		closed  bool   // the server closes the connection after A
	}{
		{"health", withLength("GET /v1/health HTTP/1.1\r\n"+host, smuggling), 200, false},
		{"401 bad token", withLength("POST /v1/db/posts/query HTTP/1.1\r\n"+host+"Authorization: Bearer nope\r\n", smuggling), 401, false},
		{"403 not an admin", withLength("GET /v1/admin/users HTTP/1.1\r\n"+host+bearer, smuggling), 403, false},
		{"404 no such endpoint", withLength("POST /v1/nope HTTP/1.1\r\n"+host, smuggling), 404, false},
		{"400 unknown method", withLength("FROB /v1/health HTTP/1.1\r\n"+host, smuggling), 400, false},
		{"413 declared length", withLength("POST /v1/db/posts/query HTTP/1.1\r\n"+host, smuggling+strings.Repeat("x", 64<<10)), 413, false},
		{"413 chunked", withChunks("POST /v1/db/posts/query HTTP/1.1\r\n"+host, smuggling+strings.Repeat("x", 64<<10)), 413, false},
		{"sign-in", withLength("POST /v1/auth/anonymous HTTP/1.1\r\n"+host, smuggling), 200, false},
		// The one anonymous sign-in an hour is spent:
		{"sign-in rate limit", withLength("POST /v1/auth/anonymous HTTP/1.1\r\n"+host, smuggling), 429, false},
		{"/f/ file", withLength("GET /f/default/none.txt HTTP/1.1\r\n"+host, smuggling), 404, false},
		{"/sdk/ file", withLength("GET /sdk/minibase.mjs HTTP/1.1\r\n"+host, smuggling), 200, false},
		{"/fn/ no route", withLength("POST /fn/nothing-here HTTP/1.1\r\n"+host, smuggling), 404, false},
		{"WebSocket refused", withLength("GET /v1/admin/functions/logs/tail HTTP/1.1\r\n"+host+admin, smuggling), 426, false},
		{"upload refused", withLength("POST /v1/storage/upload HTTP/1.1\r\n"+host+"Content-Type: text/plain\r\n", smuggling), 400, false},
		{"chunked, unknown method", withChunks("FROB /v1/health HTTP/1.1\r\n"+host, smuggling), 400, false},
		{"chunked, upload refused", withChunks("POST /v1/storage/upload HTTP/1.1\r\n"+host+"Content-Type: text/plain\r\n", smuggling), 400, false},
		{"100-continue", withLength("POST /v1/nope HTTP/1.1\r\n"+host+"Expect: 100-continue\r\n", smuggling), 404, false},
		{"pipelined", withLength("POST /v1/nope HTTP/1.1\r\n"+host, smuggling) + nextRequest, 404, false},
		{"over the drain limit", withLength("FROB /v1/health HTTP/1.1\r\n"+host, smuggling+strings.Repeat("x", 1<<20)), 400, true},
		{"413 over the discard limit", withLength("POST /v1/db/posts/query HTTP/1.1\r\n"+host, smuggling+strings.Repeat("x", 9<<20)), 413, true},
		{"chunked, over the drain limit", withChunks("FROB /v1/health HTTP/1.1\r\n"+host, smuggling+strings.Repeat("x", 1<<20)), 400, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dialRaw(t, addr)
			pipelined := strings.HasSuffix(tc.request, nextRequest) // C sent with A, before A's answer
			c.send(tc.request)
			resp, body := c.next()
			if resp == nil {
				t.Fatalf("no answer to A")
			}
			if resp.StatusCode != tc.status {
				t.Errorf("A: status %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			if resp.Close && !tc.closed {
				t.Errorf("A's answer closes the connection; want it kept alive")
			}
			if !pipelined {
				c.send(nextRequest)
			}
			resp, body = c.next()
			switch {
			case tc.closed:
				// A chunked body's length is unknown until it is read: its
				// answer may promise keep-alive, but the server closes.
				if resp != nil {
					t.Errorf("the connection stayed open after A; answer: %d %s", resp.StatusCode, body)
				}
			case resp == nil:
				t.Errorf("the connection closed before C was answered")
			case strings.Contains(body, hiddenAnswer):
				t.Errorf("the request hidden in A's body was answered: %d %s", resp.StatusCode, body)
			case resp.StatusCode != 200 || !strings.Contains(body, nextAnswer):
				t.Errorf("the second answer is not C's: %d %s", resp.StatusCode, body)
			}
		})
	}
}

// TestKeepAlive: requests on one connection, one after the other and
// pipelined, are all answered in order, and the connection stays open.
func TestKeepAlive(t *testing.T) {
	m := newTestMain(t, nil)
	addr := listen(t, m)
	c := dialRaw(t, addr)
	query := "POST /v1/admin/collections HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + testKey +
		"\r\nContent-Type: application/json\r\nContent-Length: 16\r\n\r\n{\"name\":\"posts\"}"
	for i, req := range []string{nextRequest, query, nextRequest + hiddenRequest + nextRequest} {
		c.send(req)
		want := strings.Count(req, "HTTP/1.1\r\n")
		for j := range want {
			resp, body := c.next()
			if resp == nil {
				t.Fatalf("request %d.%d: the connection closed", i, j)
			}
			if resp.StatusCode != 200 || resp.Close {
				t.Errorf("request %d.%d: %d (close %v) %s", i, j, resp.StatusCode, resp.Close, body)
			}
		}
	}
}

// TestStalledBody: a client that stops sending mid-body loses the
// connection once RequestTimeout has passed, instead of holding it (and
// shutdown) open: after an answer that did not need the body, and while a
// refused body is read so that its sender gets the 413.
func TestStalledBody(t *testing.T) {
	m := newTestMain(t, func(c *Config) {
		c.RequestTimeout = 200 * time.Millisecond
		c.BodyLimit = 64 << 10
	})
	addr := listen(t, m)
	for _, tc := range []struct {
		name, head string
		status     int
	}{
		{"after the answer", "GET /v1/health HTTP/1.1\r\nHost: x\r\nContent-Length: 60000\r\n\r\n", 200},
		{"refused", "POST /v1/db/posts/query HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n", 413},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dialRaw(t, addr)
			c.conn.SetDeadline(time.Now().Add(10 * time.Second))
			c.send(tc.head + strings.Repeat("x", 9<<10))
			if resp, body := c.next(); resp == nil || resp.StatusCode != tc.status {
				t.Fatalf("no %d answer to the stalled request: %v %s", tc.status, resp, body)
			}
			if resp, body := c.next(); resp != nil {
				t.Errorf("an answer after the stalled request: %d %s", resp.StatusCode, body)
			}
		})
	}
}
