package server

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// listener is the server's net.Listener. It keeps a client from holding
// what the server cannot give everyone:
//
//   - at most max connections are open at once (below the file-descriptor
//     limit), and at most perAddr from one client address (an IPv6 /64;
//     trusted proxies are not counted): a connection beyond either is
//     answered 503 or 429 and closed at once;
//   - running out of file descriptors (or kernel memory) while accepting
//     stops nothing: Accept backs off, 5 ms doubling to 1 s, and tries
//     again, as net/http's Serve does;
//   - each connection (conn) bounds every wait of its reads while a
//     handler runs and of all its writes.
//
// Refusals and accept failures are logged at most once a minute each.
type listener struct {
	net.Listener
	max, perAddr int
	body, send   time.Duration // ConnConfig.BodyTimeout, SendTimeout
	proxies      *TrustedProxies
	log          *slog.Logger
	full, busy   []byte // the answers to a connection beyond max, beyond perAddr

	mu     sync.Mutex
	open   int
	byAddr map[netip.Addr]int

	refusedFull, refusedAddr, failed logEvery
}

// sendChunk is how much of an answer a client must take within
// SendTimeout (at the default 1m: 4.4 KB/s).
const sendChunk = 256 << 10

// fdReserve is how many file descriptors defaultMaxConns leaves for what
// is not a connection: the databases (a few per SQLite connection), the
// listener, logs, the disk reserve.
const fdReserve = 64

// maxDefaultConns caps the default of MINIBASE_MAX_CONNS where the
// file-descriptor limit is high: an idle connection holds about 30 KiB
// (its goroutine and buffers), so 16384 of them hold about 500 MiB.
const maxDefaultConns = 16384

// defaultMaxConns is how many connections fit in nofile file descriptors
// (0: unknown): each may hold a second one (a file being uploaded or sent,
// a function's fetch) besides its socket.
func defaultMaxConns(nofile uint64) int {
	if nofile == 0 || nofile > 2*maxDefaultConns+fdReserve {
		return maxDefaultConns
	}
	return max(1, (int(nofile)-fdReserve)/2)
}

// newListener wraps ln with the server's connection limits.
func (s *Server) newListener(ln net.Listener) *listener {
	c := s.Config.Conns
	l := &listener{Listener: ln, max: c.Max, perAddr: c.PerAddr, body: c.BodyTimeout, send: c.SendTimeout,
		proxies: s.Config.Proxies, log: s.log, byAddr: map[netip.Addr]int{}}
	if l.max <= 0 {
		l.max = defaultMaxConns(openFileLimit())
	}
	l.full = refusal(503, "Service Unavailable", "the server has as many connections open as it can take; try again")
	l.busy = refusal(429, "Too Many Requests", fmt.Sprintf("this address has %d connections open, the most one address may hold", l.perAddr))
	return l
}

// refusal is a whole HTTP answer saying why a connection is not served,
// as the API's errors say it.
func refusal(status int, text, message string) []byte {
	body := fmt.Sprintf(`{"code":"EXCEED_CONCURRENT_REQUEST_LIMIT","errCode":-501004,"message":%q}`, message)
	return fmt.Appendf(nil, "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"+
		"Retry-After: 1\r\nConnection: close\r\n\r\n%s", status, text, len(body), body)
}

// Accept returns the next connection the limits let in.
func (l *listener) Accept() (net.Conn, error) {
	var delay time.Duration
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			if !outOfResources(err) {
				return nil, err
			}
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			l.failed.warn(l.log, "cannot accept connections; retrying", "err", err)
			time.Sleep(delay)
			continue
		}
		delay = 0
		if conn := l.admit(c); conn != nil {
			return conn, nil
		}
	}
}

// outOfResources reports whether an accept failed for want of file
// descriptors or kernel memory: conditions that pass as connections close.
func outOfResources(err error) bool {
	return errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) ||
		errors.Is(err, syscall.ENOBUFS) || errors.Is(err, syscall.ENOMEM)
}

// admit counts c in, or answers and closes it when a limit is reached.
func (l *listener) admit(c net.Conn) *conn {
	addr, counted := l.addrKey(c.RemoteAddr())
	l.mu.Lock()
	var refuse []byte
	switch {
	case l.open >= l.max:
		refuse = l.full
		l.refusedFull.warn(l.log, "refusing connections: MINIBASE_MAX_CONNS are open", "max", l.max)
	case counted && l.perAddr > 0 && l.byAddr[addr] >= l.perAddr:
		refuse = l.busy
		l.refusedAddr.warn(l.log, "refusing connections: an address holds MINIBASE_MAX_CONNS_PER_ADDR", "addr", addr, "max", l.perAddr)
	default:
		l.open++
		if counted {
			l.byAddr[addr]++
		}
	}
	l.mu.Unlock()
	if refuse != nil {
		// A new socket's send buffer takes the answer at once; the deadline
		// only guards against the impossible.
		c.SetWriteDeadline(time.Now().Add(time.Second))
		c.Write(refuse)
		c.Close()
		return nil
	}
	return &conn{Conn: c, l: l, addr: addr, counted: counted}
}

// release counts out a closed connection.
func (l *listener) release(addr netip.Addr, counted bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.open--
	if counted {
		if l.byAddr[addr]--; l.byAddr[addr] <= 0 {
			delete(l.byAddr, addr)
		}
	}
}

// openConns is how many connections are open.
func (l *listener) openConns() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.open
}

// addrKey is what a connection from a counts against: its IP address, an
// IPv6 one's /64 (which one host or home usually holds whole); counted is
// false for a trusted proxy's connections (every client behind it comes
// from its address) and for what is not TCP.
func (l *listener) addrKey(a net.Addr) (key netip.Addr, counted bool) {
	ip := peerAddr(a)
	if !ip.IsValid() || l.proxies.Trusts(ip) {
		return netip.Addr{}, false
	}
	if ip.Is6() {
		ip = netip.PrefixFrom(ip, 64).Masked().Addr()
	}
	return ip, true
}

// conn is a connection the listener let in. While a handler runs (after
// startHandler), a read without a deadline of its own waits at most
// BodyTimeout; every write waits at most SendTimeout for each sendChunk
// (or until the deadline the server set, when that is sooner).
type conn struct {
	net.Conn
	l       *listener
	addr    netip.Addr
	counted bool
	closed  atomic.Bool

	bodyIdle  atomic.Int64 // nanoseconds a read may wait while a handler runs; 0: not running
	rDeadline atomic.Int64 // the read deadline set through SetReadDeadline or SetDeadline, Unix ns; 0: none
	wDeadline atomic.Int64 // the same for writes
	stalled   atomic.Bool  // a read timed out while a handler ran
}

var _ io.ReaderFrom = (*conn)(nil)

// startHandler clears the header deadline before a handler runs: from
// here on each read of the body waits at most BodyTimeout.
func (c *conn) startHandler() {
	c.stalled.Store(false)
	c.rDeadline.Store(0)
	c.Conn.SetReadDeadline(time.Time{})
	c.bodyIdle.Store(int64(c.l.body))
}

// endHandler ends what startHandler began; it reports whether a read of
// the body timed out meanwhile.
func (c *conn) endHandler() (stalled bool) {
	c.bodyIdle.Store(0)
	if c.rDeadline.Load() == 0 {
		c.Conn.SetReadDeadline(time.Time{})
	}
	return c.stalled.Load()
}

func (c *conn) Read(p []byte) (int, error) {
	idle := c.bodyIdle.Load()
	if idle == 0 {
		return c.Conn.Read(p)
	}
	if c.rDeadline.Load() == 0 {
		c.Conn.SetReadDeadline(time.Now().Add(time.Duration(idle)))
	}
	n, err := c.Conn.Read(p)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		c.stalled.Store(true)
	}
	return n, err
}

// Write writes p sendChunk at a time, each within SendTimeout.
func (c *conn) Write(p []byte) (n int, err error) {
	for len(p) > 0 {
		k := min(len(p), sendChunk)
		c.armWrite()
		m, err := c.Conn.Write(p[:k])
		n += m
		if err != nil {
			return n, err
		}
		p = p[k:]
	}
	return n, nil
}

// ReadFrom sends r sendChunk at a time, each within SendTimeout, through
// the connection's own ReadFrom: a file (or an io.LimitedReader of one)
// still goes out with sendfile(2).
func (c *conn) ReadFrom(r io.Reader) (n int64, err error) {
	rf, ok := c.Conn.(io.ReaderFrom)
	if !ok {
		return io.Copy(writerOnly{c}, r)
	}
	left := int64(-1) // what an io.LimitedReader allows; -1: all of r
	if lr, ok := r.(*io.LimitedReader); ok {
		r, left = lr.R, lr.N
		defer func() { lr.N -= n }()
	}
	for left != 0 {
		k := int64(sendChunk)
		if left > 0 {
			k = min(k, left)
		}
		c.armWrite()
		m, err := rf.ReadFrom(&io.LimitedReader{R: r, N: k})
		n += m
		if left > 0 {
			left -= m
		}
		if err != nil || m < k { // the end of r, or a failure
			return n, err
		}
	}
	return n, nil
}

// writerOnly hides a writer's ReadFrom from io.Copy.
type writerOnly struct{ io.Writer }

// armWrite gives the next write SendTimeout, or what is left of the
// deadline the server set when that is sooner. (A zero SendTimeout, in a
// Config not made by ParseConfig, leaves writes the server's deadline.)
func (c *conn) armWrite() {
	if c.l.send <= 0 {
		return
	}
	d := time.Now().Add(c.l.send)
	if u := c.wDeadline.Load(); u != 0 && u < d.UnixNano() {
		d = time.Unix(0, u)
	}
	c.Conn.SetWriteDeadline(d)
}

func (c *conn) SetDeadline(t time.Time) error {
	c.rDeadline.Store(unixNano(t))
	c.wDeadline.Store(unixNano(t))
	return c.Conn.SetDeadline(t)
}

func (c *conn) SetReadDeadline(t time.Time) error {
	c.rDeadline.Store(unixNano(t))
	return c.Conn.SetReadDeadline(t)
}

func (c *conn) SetWriteDeadline(t time.Time) error {
	c.wDeadline.Store(unixNano(t))
	return c.Conn.SetWriteDeadline(t)
}

func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// Close closes the connection and counts it out, once.
func (c *conn) Close() error {
	if c.closed.CompareAndSwap(false, true) {
		c.l.release(c.addr, c.counted)
	}
	return c.Conn.Close()
}

// logEvery logs a condition at most once a minute, saying how many times
// it happened since.
type logEvery struct {
	mu   sync.Mutex
	last time.Time
	n    int
}

func (e *logEvery) warn(log *slog.Logger, msg string, args ...any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.n++
	if now := time.Now(); e.last.IsZero() || now.Sub(e.last) >= time.Minute {
		log.Warn(msg, append(args, "times", e.n, "note", "said at most once a minute")...)
		e.last, e.n = now, 0
	}
}

// serverConn is the listener's conn under c (under its TLS when it has
// one), or nil when c did not come from the listener.
func serverConn(c net.Conn) *conn {
	if t, ok := c.(*tls.Conn); ok {
		c = t.NetConn()
	}
	sc, _ := c.(*conn)
	return sc
}
