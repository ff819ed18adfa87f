package server

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
)

// serve serves m's app from the server's own listener (the connection
// limits of Config.Conns) on a 127.0.0.1 socket until the test ends.
func serve(t *testing.T, m *Server) (*listener, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := m.newListener(ln)
	go m.app.Listener(l)
	t.Cleanup(func() { m.app.ShutdownWithTimeout(5 * time.Second) })
	return l, ln.Addr().String()
}

// reply is an answer read off a raw connection.
type reply struct {
	status int
	body   string
}

// untilClosed reads the answers the server sends on c until it closes the
// connection; the test fails if it is still open after waitLimit.
func untilClosed(t *testing.T, c net.Conn) []reply {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(waitLimit))
	r := bufio.NewReader(c)
	var got []reply
	for {
		resp, err := http.ReadResponse(r, nil)
		if err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatalf("the connection is still open after %v (answers: %v)", waitLimit, got)
			}
			return got // EOF, or a reset
		}
		b, _ := io.ReadAll(resp.Body)
		got = append(got, reply{resp.StatusCode, string(b)})
	}
}

// TestConnTimeouts: a client that stops sending at any step of a request,
// or sends nothing more on a kept-alive connection, loses the connection
// after that step's timeout; every other timeout is an hour, so the one
// named is the one that acts. An answer says why when it can: 408, and
// "stopped arriving" for a body its handler was reading.
func TestConnTimeouts(t *testing.T) {
	const short = 200 * time.Millisecond
	post := func(path, head string, body string) string {
		return fmt.Sprintf("POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n%s\r\n%s", path, testKey, head, body)
	}
	insert := fmt.Sprintf(`{"data":{"text":"%s`, strings.Repeat("x", 20<<10)) // more than what fasthttp reads with the headers
	upload, _ := heldUpload(t, "held.bin", 64<<10)
	uploadStart := upload[:bytes.Index(upload, []byte("\r\n\r\n"))+4+10]
	for _, tc := range []struct {
		name string
		set  func(*ConnConfig, *Config)
		send string
		drip bool     // then send a header byte every few milliseconds, forever
		want []reply  // the answers before the connection closes ("" body: any)
		body []string // what each answer's body must contain
	}{
		{"no request", func(c *ConnConfig, _ *Config) { c.HeaderTimeout = short }, "", false, []reply{{408, ""}}, nil},
		{"part of the headers", func(c *ConnConfig, _ *Config) { c.HeaderTimeout = short },
			"GET /v1/health HTTP/1.1\r\nHost: x\r\n", false, []reply{{408, ""}}, nil},
		{"headers sent a byte at a time", func(c *ConnConfig, _ *Config) { c.HeaderTimeout = short },
			"GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Drip: ", true, []reply{{408, ""}}, nil},
		{"the first bytes of a body", func(c *ConnConfig, _ *Config) { c.HeaderTimeout = short },
			"POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{", false, []reply{{408, ""}}, nil},
		{"a body its handler reads", func(c *ConnConfig, _ *Config) { c.BodyTimeout = short },
			post("/v1/db/notes/insert", fmt.Sprintf("Content-Length: %d\r\n", len(insert)+100), insert), false,
			[]reply{{408, ""}}, []string{"stopped arriving"}},
		{"a chunked body", func(c *ConnConfig, _ *Config) { c.BodyTimeout = short },
			post("/v1/db/notes/insert", "Transfer-Encoding: chunked\r\n", fmt.Sprintf("%x\r\n%s", len(insert)+100, insert)), false,
			[]reply{{408, ""}}, []string{"stopped arriving"}},
		{"an upload's first bytes", func(c *ConnConfig, _ *Config) { c.HeaderTimeout = short },
			string(uploadStart), false, []reply{{408, ""}}, nil},
		{"an upload", func(_ *ConnConfig, c *Config) { c.Storage.Idle = short },
			string(upload), false, []reply{{408, ""}}, []string{"stopped arriving"}},
		{"an idle kept-alive connection", func(c *ConnConfig, _ *Config) { c.KeepAliveTimeout = short },
			"GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n", false, []reply{{200, ""}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newTestMain(t, func(c *Config) {
				c.RequestTimeout, c.Storage.Idle = time.Hour, time.Hour
				c.Conns = ConnConfig{HeaderTimeout: time.Hour, BodyTimeout: time.Hour, SendTimeout: time.Hour, KeepAliveTimeout: time.Hour}
				tc.set(&c.Conns, c)
			})
			_, addr := serve(t, m)
			c := dial(t, addr)
			if _, err := io.WriteString(c, tc.send); err != nil {
				t.Fatal(err)
			}
			if tc.drip {
				done := make(chan struct{})
				defer close(done)
				go func() {
					tick := time.NewTicker(5 * time.Millisecond)
					defer tick.Stop()
					for {
						select {
						case <-done:
							return
						case <-tick.C:
						}
						if _, err := c.Write([]byte("a")); err != nil {
							return
						}
					}
				}()
			}
			got := untilClosed(t, c)
			if len(got) != len(tc.want) {
				t.Fatalf("answers before the server closed the connection: %v, want %v", got, tc.want)
			}
			for i, w := range tc.want {
				if got[i].status != w.status {
					t.Errorf("answer %d: %d %s, want %d", i, got[i].status, got[i].body, w.status)
				}
				if i < len(tc.body) && !strings.Contains(got[i].body, tc.body[i]) {
					t.Errorf("answer %d: %s, want it to say %q", i, got[i].body, tc.body[i])
				}
			}
		})
	}
}

// TestRefusedBodyNotHeld: a body over its route group's limit (auth's
// 64 KiB) is refused without being held in memory, even when it is under
// MINIBASE_BODY_LIMIT and its sender stops mid-way: the server allocates
// far less than the 3 MiB sent while it answers 413 and closes.
func TestRefusedBodyNotHeld(t *testing.T) {
	m := newTestMain(t, func(c *Config) { c.RequestTimeout = 200 * time.Millisecond })
	_, addr := serve(t, m)
	const sent = 3 << 20
	payload := strings.Repeat("x", sent)
	for _, tc := range []struct{ name, head string }{
		{"declared length", fmt.Sprintf("Content-Length: %d\r\n", 2*sent)},
		{"chunked", "Transfer-Encoding: chunked\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := "POST /v1/auth/login HTTP/1.1\r\nHost: x\r\n" + tc.head + "\r\n"
			if strings.Contains(tc.head, "chunked") {
				req += fmt.Sprintf("%x\r\n", 2*sent)
			}
			msg := []byte(req + payload)
			// What the process allocates meanwhile is counted too (what
			// earlier tests' servers still do in the background): the least
			// of three tries is this request's. Holding the body would
			// allocate at least the 3 MiB sent in every try.
			least := uint64(math.MaxUint64)
			for try := 0; try < 3 && least > sent/2; try++ {
				c := dial(t, addr)
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				go c.Write(msg) // then nothing more: the body stops a third of the way
				got := untilClosed(t, c)
				runtime.ReadMemStats(&after)
				if len(got) != 1 || got[0].status != 413 || !strings.Contains(got[0].body, "65536") {
					t.Fatalf("answers: %v, want one 413 naming the limit", got)
				}
				least = min(least, after.TotalAlloc-before.TotalAlloc)
			}
			t.Logf("allocated while the body came and was refused: %d KiB", least>>10)
			if least > sent/2 {
				t.Errorf("the server allocated %d KiB for a refused body of which %d KiB came", least>>10, sent>>10)
			}
		})
	}
}

// TestSlowReader: a client that takes none of a large answer loses the
// connection after MINIBASE_SEND_TIMEOUT (and the server the answer), for
// an answer from memory and for a file sent with sendfile(2); the client
// then finds the answer cut short.
func TestSlowReader(t *testing.T) {
	const size = 32 << 20 // far more than the two sockets' buffers hold
	m := newTestMain(t, func(c *Config) { c.Conns.SendTimeout = 200 * time.Millisecond })
	big := bytes.Repeat([]byte("x"), size)
	m.Router().Get("/big", func(c *fiber.Ctx) error { return c.Send(big) })
	if r := m.upload(t, testKey, "", "big.bin", string(big), "application/octet-stream"); r.status != 200 {
		t.Fatalf("upload: %d %s", r.status, r.body)
	}
	l, addr := serve(t, m)
	for _, path := range []string{"/big", "/v1/storage/download?fileID=cloud://minibase.default/big.bin"} {
		t.Run(path, func(t *testing.T) {
			c := dial(t, addr)
			// Small, but not under loopback's MSS (64 KiB): below it Linux
			// never reopens the window, and what the server queued before
			// closing would trickle in by zero-window probes for minutes.
			c.(*net.TCPConn).SetReadBuffer(256 << 10)
			fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n", path, testKey)
			// Accepted first (until then no connection is open either),
			// then cut off by the send timeout.
			waitUntil(t, "the server to accept the connection", func() bool { return l.openConns() == 1 })
			waitUntil(t, "the server to close the connection", func() bool { return l.openConns() == 0 })
			// What the server queued before it closed arrives, then its
			// FIN: the answer ends short, at once.
			c.SetReadDeadline(time.Now().Add(waitLimit))
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				t.Fatal(err)
			}
			n, err := io.Copy(io.Discard, resp.Body)
			if resp.StatusCode != 200 || n >= size || !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("%d: read %d of %d bytes (%v), want the answer cut short", resp.StatusCode, n, size, err)
			}
		})
	}
}

// TestConnCaps: a connection past MINIBASE_MAX_CONNS_PER_ADDR from one
// address, or past MINIBASE_MAX_CONNS in all, is answered 429 or 503 with
// the API's JSON error and closed; once a connection closes, a new one is
// served. Connections from a trusted proxy are not counted per address.
// Each refusal is logged once a minute at most.
func TestConnCaps(t *testing.T) {
	for _, tc := range []struct {
		name    string
		set     func(*Config)
		open    int // connections served
		status  int // the answer to one more
		message string
		logged  string
	}{
		{"per address", func(c *Config) { c.Conns.PerAddr, c.Conns.Max = 3, 100 }, 3, 429, "this address has 3 connections open",
			"MINIBASE_MAX_CONNS_PER_ADDR"},
		{"in all", func(c *Config) { c.Conns.PerAddr, c.Conns.Max = 0, 3 }, 3, 503, "as many connections open as it can take",
			"MINIBASE_MAX_CONNS are open"},
		{"from a trusted proxy", func(c *Config) {
			c.Conns.PerAddr, c.Conns.Max = 1, 4
			p, _ := ParseTrustedProxies("loopback")
			c.Proxies = p
		}, 4, 503, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var log syncBuffer
			m := newTestMainLog(t, tc.set, slog.New(slog.NewTextHandler(&log, nil)))
			l, addr := serve(t, m)
			var conns []net.Conn
			for i := range tc.open {
				c := dial(t, addr)
				if r := roundTrip(t, c); r.status != 200 {
					t.Fatalf("connection %d: %d %s", i, r.status, r.body)
				}
				conns = append(conns, c)
			}
			for range 3 {
				got := untilClosed(t, dial(t, addr)) // the answer comes unasked
				if len(got) != 1 || got[0].status != tc.status || !strings.Contains(got[0].body, `"code":"EXCEED_CONCURRENT_REQUEST_LIMIT"`) ||
					!strings.Contains(got[0].body, tc.message) {
					t.Fatalf("one connection more: %v, want %d EXCEED_CONCURRENT_REQUEST_LIMIT %q", got, tc.status, tc.message)
				}
			}
			if tc.logged != "" && strings.Count(log.String(), tc.logged) != 1 {
				t.Errorf("the log says %q %d times for 3 refusals, want once:\n%s", tc.logged, strings.Count(log.String(), tc.logged), log.String())
			}
			conns[0].Close()
			waitUntil(t, "the server to count the closed connection out", func() bool { return l.openConns() == tc.open-1 })
			if r := roundTrip(t, dial(t, addr)); r.status != 200 {
				t.Errorf("a new connection after one closed: %d %s", r.status, r.body)
			}
		})
	}
}

// roundTrip asks for /v1/health on c.
func roundTrip(t *testing.T, c net.Conn) reply {
	t.Helper()
	c.SetDeadline(time.Now().Add(waitLimit))
	fmt.Fprintf(c, "GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("health: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, string(b)}
}

// TestAddrKey: what a connection counts against: IPv4 addresses one by
// one, IPv6 ones by /64, IPv4-mapped IPv6 as IPv4, a trusted proxy's and
// a non-TCP peer's not at all.
func TestAddrKey(t *testing.T) {
	proxies, err := ParseTrustedProxies("10.0.0.0/8")
	if err != nil {
		t.Fatal(err)
	}
	l := &listener{proxies: proxies}
	for _, tc := range []struct {
		addr    net.Addr
		key     string
		counted bool
	}{
		{&net.TCPAddr{IP: net.ParseIP("203.0.113.7"), Port: 1}, "203.0.113.7", true},
		{&net.TCPAddr{IP: net.ParseIP("::ffff:203.0.113.7"), Port: 1}, "203.0.113.7", true},
		{&net.TCPAddr{IP: net.ParseIP("2001:db8:1:2:3:4:5:6"), Port: 1}, "2001:db8:1:2::", true},
		{&net.TCPAddr{IP: net.ParseIP("2001:db8:1:2:ffff::1"), Port: 1}, "2001:db8:1:2::", true},
		{&net.TCPAddr{IP: net.ParseIP("10.1.2.3"), Port: 1}, "invalid IP", false},
		{&net.UnixAddr{Name: "/run/minibase.sock", Net: "unix"}, "invalid IP", false},
	} {
		key, counted := l.addrKey(tc.addr)
		if key.String() != tc.key || counted != tc.counted {
			t.Errorf("%v: %v %v, want %s %v", tc.addr, key, counted, tc.key, tc.counted)
		}
	}
}

// TestDefaultMaxConns: the default cap leaves the file descriptors a
// connection's file and the server's own need.
func TestDefaultMaxConns(t *testing.T) {
	for _, tc := range []struct {
		nofile uint64
		want   int
	}{{256, 96}, {1024, 480}, {1 << 20, maxDefaultConns}, {0, maxDefaultConns}, {1<<64 - 1, maxDefaultConns}, {64, 1}} {
		if got := defaultMaxConns(tc.nofile); got != tc.want {
			t.Errorf("defaultMaxConns(%d) = %d, want %d", tc.nofile, got, tc.want)
		}
	}
}

// TestOutOfFileDescriptors: a server short of file descriptors goes on
// serving. It runs with 256 (ulimit -n, which Go cannot raise past), and
// 250 clients connect and send nothing.
//   - By default it takes no more connections than the limit leaves room
//     for (96 here): the next one is answered 503, the refusals are logged
//     once, and accepting never fails.
//   - With MINIBASE_MAX_CONNS over what the limit allows, accepting fails
//     (EMFILE): the server says so once, and goes on trying.
//
// Either way it answers again once the clients leave.
func TestOutOfFileDescriptors(t *testing.T) {
	bin := binary(t)
	for _, tc := range []struct {
		name            string
		env             []string
		logged, notSaid string
		during          int // the answer to a request during the flood; 0: none is taken
	}{
		{"connections capped by the limit", nil, "refusing connections: MINIBASE_MAX_CONNS are open", "too many open files", 503},
		{"connections not capped by it", []string{"MINIBASE_MAX_CONNS=10000"}, "too many open files", "refusing connections", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, addr := t.TempDir(), freeAddr(t)
			cmd := exec.Command("sh", "-c", `ulimit -n 256 && exec "$0" serve --dir "$1" --http "$2"`, bin, dir, addr)
			s := startServerCmd(t, cmd, addr, append([]string{"MINIBASE_ADMIN_KEY=" + testKey, "MINIBASE_HEADER_TIMEOUT=1h"}, tc.env...))
			flood := make([]net.Conn, 250)
			for i := range flood {
				flood[i] = dial(t, addr)
			}
			waitUntil(t, "the server to log "+tc.logged, func() bool { return strings.Contains(s.out.String(), tc.logged) })
			if tc.during != 0 {
				got := untilClosed(t, dial(t, addr))
				if len(got) != 1 || got[0].status != tc.during || !strings.Contains(got[0].body, "EXCEED_CONCURRENT_REQUEST_LIMIT") {
					t.Errorf("a connection during the flood: %v, want %d EXCEED_CONCURRENT_REQUEST_LIMIT", got, tc.during)
				}
			}
			for _, c := range flood {
				c.Close()
			}
			waitUntil(t, "the server to answer again", func() bool { return healthy(addr) })
			out := s.out.String()
			if n := strings.Count(out, tc.logged); n != 1 || strings.Contains(out, tc.notSaid) {
				t.Errorf("the log says %q %d times (want once) or says %q:\n%s", tc.logged, n, tc.notSaid, out)
			}
		})
	}
}
