package server

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

func TestParseTrustedProxies(t *testing.T) {
	for _, tc := range []struct {
		in      string
		trusted []string // addresses it trusts
		not     []string // and does not
	}{
		{"", nil, []string{"127.0.0.1", "::1", "10.0.0.1"}},
		{" , ", nil, []string{"127.0.0.1"}},
		{"loopback", []string{"127.0.0.1", "127.9.9.9", "::1", "::ffff:127.0.0.1"}, []string{"10.0.0.1", "::2"}},
		{"private", []string{"10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "fd00::1"},
			[]string{"172.32.0.1", "192.169.0.1", "127.0.0.1", "100.64.0.1"}},
		{"10.0.0.0/8, 203.0.113.9", []string{"10.200.0.1", "203.0.113.9"}, []string{"203.0.113.10", "11.0.0.1"}},
		{"10.1.2.3/8", []string{"10.9.9.9"}, nil}, // host bits are masked off
		{"2001:db8::/32,loopback", []string{"2001:db8:1::1", "::1"}, []string{"2001:db9::1"}},
	} {
		p, err := ParseTrustedProxies(tc.in)
		if err != nil {
			t.Fatalf("ParseTrustedProxies(%q): %v", tc.in, err)
		}
		for _, a := range tc.trusted {
			if !p.Trusts(netip.MustParseAddr(a)) {
				t.Errorf("ParseTrustedProxies(%q) does not trust %s", tc.in, a)
			}
		}
		for _, a := range tc.not {
			if p.Trusts(netip.MustParseAddr(a)) {
				t.Errorf("ParseTrustedProxies(%q) trusts %s", tc.in, a)
			}
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"localhost", "not an IP address or a CIDR"},
		{"10.0.0.0/33", "not an IP address or a CIDR"},
		{"0.0.0.0/0", "every address"},
		{"::/0", "every address"},
		{"fe80::1%eth0", "zone"},
		{"::ffff:10.0.0.0/104", "IPv4-mapped"},
		{"loopback,10.0.0.1,nope", `"nope"`},
		{strings.Repeat("10.0.0.1,", 300), "at most 256"},
	} {
		_, err := ParseTrustedProxies(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "MINIBASE_TRUSTED_PROXIES") {
			t.Errorf("ParseTrustedProxies(%.40q) = %v, want an error naming the setting and saying %q", tc.in, err, tc.want)
		}
	}
	var zero *TrustedProxies
	if zero.Trusts(netip.MustParseAddr("127.0.0.1")) {
		t.Error("a nil TrustedProxies trusts 127.0.0.1")
	}
}

func TestClientIP(t *testing.T) {
	proxies, err := ParseTrustedProxies("loopback,10.0.0.0/8,2001:db8:ffff::/48")
	if err != nil {
		t.Fatal(err)
	}
	chain := func(n int) string { // n trusted proxies, the farthest first
		var s []string
		for i := n; i > 0; i-- {
			s = append(s, fmt.Sprintf("10.0.%d.%d", i/250, i%250+1))
		}
		return strings.Join(s, ", ")
	}
	for _, tc := range []struct {
		name   string
		peer   string
		xff    []string // one header line each
		realIP []string
		want   string
	}{
		{"no proxy", "203.0.113.5", nil, nil, "203.0.113.5"},
		{"an untrusted peer's X-Forwarded-For is ignored", "203.0.113.5", []string{"198.51.100.1"}, nil, "203.0.113.5"},
		{"an untrusted peer's X-Real-IP is ignored", "203.0.113.5", nil, []string{"198.51.100.1"}, "203.0.113.5"},
		{"a spoofing client behind a public address", "2001:db8::5", []string{"::1"}, []string{"::1"}, "2001:db8::5"},
		{"one proxy", "127.0.0.1", []string{"203.0.113.7"}, nil, "203.0.113.7"},
		{"the client's own X-Forwarded-For is skipped", "127.0.0.1", []string{"1.1.1.1, 203.0.113.7"}, nil, "203.0.113.7"},
		{"a client pretending to be a trusted proxy", "127.0.0.1", []string{"10.0.0.9, 203.0.113.7"}, nil, "203.0.113.7"},
		{"a client's header line before the proxy's", "127.0.0.1", []string{"1.1.1.1", "203.0.113.7"}, nil, "203.0.113.7"},
		{"two proxies", "10.0.0.1", []string{"203.0.113.7, 10.0.0.2"}, nil, "203.0.113.7"},
		{"every hop trusted: the farthest is the client", "10.0.0.1", []string{"10.0.0.3, 10.0.0.2"}, nil, "10.0.0.3"},
		{"32 trusted hops, then the client", "10.0.0.1", []string{"203.0.113.7, " + chain(31)}, nil, "203.0.113.7"},
		{"more hops than are read: the last trusted one read", "10.0.0.1", []string{"203.0.113.7, " + chain(40)}, nil, "10.0.0.33"},
		{"a malformed right-most entry: the peer", "127.0.0.1", []string{"203.0.113.7, bogus"}, nil, "127.0.0.1"},
		{"a malformed entry ends the walk", "127.0.0.1", []string{"203.0.113.7, unknown, 10.0.0.2"}, nil, "10.0.0.2"},
		{"the unspecified address is malformed", "127.0.0.1", []string{"203.0.113.7, 0.0.0.0"}, nil, "127.0.0.1"},
		{"a long entry is malformed", "127.0.0.1", []string{"203.0.113.7, " + strings.Repeat("1", 65)}, nil, "127.0.0.1"},
		{"an obfuscated node (RFC 7239) is malformed", "127.0.0.1", []string{"_hidden"}, nil, "127.0.0.1"},
		{"empty entries are skipped", "127.0.0.1", []string{" , 203.0.113.7 ,, "}, nil, "203.0.113.7"},
		{"an IPv4 entry with a port", "127.0.0.1", []string{"203.0.113.7:5678"}, nil, "203.0.113.7"},
		{"an IPv6 entry", "::1", []string{"2001:db8::7"}, nil, "2001:db8::7"},
		{"an IPv6 entry with a port", "::1", []string{"[2001:db8::7]:443"}, nil, "2001:db8::7"},
		{"a bracketed IPv6 entry without a port is malformed", "::1", []string{"[2001:db8::7]"}, nil, "::1"},
		{"an IPv6 proxy range", "2001:db8:ffff::1", []string{"2001:db8::7, 2001:db8:ffff:1::2"}, nil, "2001:db8::7"},
		{"an IPv4-mapped peer is trusted as IPv4", "::ffff:127.0.0.1", []string{"203.0.113.7"}, nil, "203.0.113.7"},
		{"an IPv4-mapped entry becomes IPv4", "127.0.0.1", []string{"::ffff:203.0.113.7"}, nil, "203.0.113.7"},
		{"an IPv4-mapped entry in a trusted range is trusted", "127.0.0.1", []string{"203.0.113.7, ::ffff:10.0.0.2"}, nil, "203.0.113.7"},
		{"a zone is dropped", "::1", []string{"fe80::7%eth0"}, nil, "fe80::7"},
		{"X-Real-IP from a trusted peer", "127.0.0.1", nil, []string{" 203.0.113.9 "}, "203.0.113.9"},
		{"X-Real-IP with a port", "::1", nil, []string{"[2001:db8::9]:80"}, "2001:db8::9"},
		{"X-Forwarded-For wins over X-Real-IP", "127.0.0.1", []string{"203.0.113.7"}, []string{"203.0.113.9"}, "203.0.113.7"},
		{"an empty X-Forwarded-For leaves X-Real-IP", "127.0.0.1", []string{" , "}, []string{"203.0.113.9"}, "203.0.113.9"},
		{"a malformed X-Real-IP", "127.0.0.1", nil, []string{"203.0.113.9, 1.1.1.1"}, "127.0.0.1"},
		{"two X-Real-IP lines", "127.0.0.1", nil, []string{"1.1.1.1", "203.0.113.9"}, "127.0.0.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := proxies.ClientIP(netip.MustParseAddr(tc.peer), lines(tc.xff), lines(tc.realIP))
			if got != netip.MustParseAddr(tc.want) {
				t.Errorf("ClientIP(%s, X-Forwarded-For %q, X-Real-IP %q) = %v, want %s", tc.peer, tc.xff, tc.realIP, got, tc.want)
			}
		})
	}
	var none *TrustedProxies
	if got := none.ClientIP(netip.MustParseAddr("127.0.0.1"), lines([]string{"203.0.113.7"}), nil); got.String() != "127.0.0.1" {
		t.Errorf("ClientIP with no trusted proxies = %v, want the peer", got)
	}
}

func lines(s []string) [][]byte {
	var out [][]byte
	for _, l := range s {
		out = append(out, []byte(l))
	}
	return out
}

// proxyApp is an app whose one route reports what every handler sees of the
// client and the request's address, with proxies' Handler mounted first.
func proxyApp(proxies *TrustedProxies) *fiber.App {
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Use(proxies.Handler)
	app.All("/*", func(c *fiber.Ctx) error {
		var names []string
		c.Request().Header.VisitAll(func(k, _ []byte) { names = append(names, string(k)) })
		return c.SendString(fmt.Sprintf("ip=%s base=%s secure=%t order=%s", c.IP(), c.BaseURL(), c.Secure(), strings.Join(names, ",")))
	})
	return app
}

// serveFrom runs one request through app's handler as if it came from peer:
// the whole fiber stack, without a socket (a socket's peer is 127.0.0.1).
func serveFrom(t *testing.T, app *fiber.App, peer, raw string) string {
	t.Helper()
	var req fasthttp.Request
	if err := req.Read(bufio.NewReader(strings.NewReader(raw))); err != nil {
		t.Fatal(err)
	}
	var rc fasthttp.RequestCtx
	rc.Init(&req, net.TCPAddrFromAddrPort(netip.AddrPortFrom(netip.MustParseAddr(peer), 40000)), nil)
	app.Handler()(&rc)
	return string(rc.Response.Body())
}

func TestProxiesHandler(t *testing.T) {
	proxies, err := ParseTrustedProxies("10.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	spoof := "GET / HTTP/1.1\r\nHost: api.example.com\r\nX-Forwarded-For: 198.51.100.1\r\nX-Real-IP: 198.51.100.2\r\n" +
		"X-Forwarded-Host: evil.test\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Protocol: https\r\nX-Url-Scheme: https\r\n" +
		"X-Forwarded-Ssl: on\r\nX-A: 1\r\n\r\n"
	for _, tc := range []struct {
		name, peer string
		trust      *TrustedProxies
		raw        string
		want       string
	}{
		{"a client's forwarding headers change nothing", "203.0.113.5", proxies, spoof,
			"ip=203.0.113.5 base=http://api.example.com secure=false"},
		{"nor do they with no proxies configured", "10.0.0.1", nil, spoof,
			"ip=10.0.0.1 base=http://api.example.com secure=false"},
		{"a trusted proxy names the client and the scheme, not the host", "10.0.0.1", proxies, spoof,
			"ip=198.51.100.1 base=https://api.example.com secure=true"},
		{"a trusted proxy's http", "10.0.0.1", proxies,
			"GET / HTTP/1.1\r\nHost: api.example.com\r\nX-Forwarded-For: 198.51.100.1\r\nX-Forwarded-Proto: HTTP\r\n\r\n",
			"ip=198.51.100.1 base=http://api.example.com secure=false"},
		{"a trusted proxy's unknown scheme", "10.0.0.1", proxies,
			"GET / HTTP/1.1\r\nHost: api.example.com\r\nX-Forwarded-Proto: wss\r\nX-Forwarded-Ssl: on\r\n\r\n",
			"ip=10.0.0.1 base=http://api.example.com secure=false"},
		{"a chain's first scheme", "10.0.0.1", proxies,
			"GET / HTTP/1.1\r\nHost: api.example.com\r\nX-Forwarded-Proto: https, http\r\n\r\n",
			"ip=10.0.0.1 base=https://api.example.com secure=true"},
		{"IPv6 through a trusted proxy", "10.0.0.1", proxies,
			"GET / HTTP/1.1\r\nHost: [2001:db8::1]:8090\r\nX-Forwarded-For: 2001:db8::7\r\n\r\n",
			"ip=2001:db8::7 base=http://[2001:db8::1]:8090 secure=false"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := serveFrom(t, proxyApp(tc.trust), tc.peer, tc.raw)
			if !strings.HasPrefix(got, tc.want+" ") {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	// The headers a function's HTTP access event lists keep their order.
	got := serveFrom(t, proxyApp(proxies), "203.0.113.5", spoof)
	if want := "order=Host,X-Forwarded-For,X-Real-Ip,X-Forwarded-Host,X-Forwarded-Proto,X-Forwarded-Protocol,X-Url-Scheme,X-Forwarded-Ssl,X-A"; !strings.HasSuffix(got, want) {
		t.Errorf("got %q, want the headers in their order: %q", got, want)
	}
}

// TestProxiesHandlerSocket: over a real connection, X-Forwarded-For counts
// when (and only when) 127.0.0.1 is a trusted proxy.
func TestProxiesHandlerSocket(t *testing.T) {
	for _, tc := range []struct{ trust, want string }{
		{"", "ip=127.0.0.1 base=http://api.example.com"},
		{"loopback", "ip=203.0.113.7 base=https://api.example.com"},
	} {
		proxies, err := ParseTrustedProxies(tc.trust)
		if err != nil {
			t.Fatal(err)
		}
		app := proxyApp(proxies)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- app.Listener(ln) }()
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprint(conn, "GET / HTTP/1.1\r\nHost: api.example.com\r\nX-Forwarded-For: 1.1.1.1, 203.0.113.7\r\n"+
			"X-Forwarded-Proto: https\r\nX-Forwarded-Host: evil.test\r\nConnection: close\r\n\r\n")
		res, err := io.ReadAll(conn)
		conn.Close()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(res), "\r\n\r\n"+tc.want+" ") {
			t.Errorf("MINIBASE_TRUSTED_PROXIES=%q: got\n%s\nwant a body starting %q", tc.trust, res, tc.want)
		}
		if err := app.Shutdown(); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

func FuzzParseTrustedProxies(f *testing.F) {
	for _, s := range []string{"", "loopback,private", "10.0.0.0/8, 203.0.113.9", "::/0", "fe80::1%eth0", "::ffff:1.2.3.4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseTrustedProxies(s)
		if err != nil {
			return
		}
		for _, pf := range p.prefixes {
			if pf.Bits() == 0 || pf.Addr().Is4In6() || pf.Addr().Zone() != "" || pf != pf.Masked() {
				t.Fatalf("ParseTrustedProxies(%q) kept %v", s, pf)
			}
		}
	})
}

// FuzzClientIP: whatever the headers say, the answer is the peer unless the
// peer is trusted, and otherwise the peer or an address written in them
// (unmapped, without a zone).
func FuzzClientIP(f *testing.F) {
	f.Add("127.0.0.1", "1.1.1.1, 203.0.113.7", "", "203.0.113.9")
	f.Add("10.0.0.1", "203.0.113.7, 10.0.0.2", "10.0.0.3", "")
	f.Add("::1", "[2001:db8::7]:443,, fe80::1%eth0", "bogus", "::ffff:1.2.3.4")
	f.Add("203.0.113.5", "10.0.0.1", "", "10.0.0.2")
	proxies, err := ParseTrustedProxies("loopback,10.0.0.0/8")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, peerS, xff1, xff2, realIP string) {
		peer, err := netip.ParseAddr(peerS)
		if err != nil {
			return
		}
		var xff, real [][]byte
		for _, l := range []string{xff1, xff2} {
			if l != "" {
				xff = append(xff, []byte(l))
			}
		}
		if realIP != "" {
			real = [][]byte{[]byte(realIP)}
		}
		got := proxies.ClientIP(peer, xff, real)
		if !proxies.Trusts(peer) {
			if got != peer.Unmap() {
				t.Fatalf("untrusted peer %v: got %v", peer, got)
			}
			return
		}
		if got == peer.Unmap() {
			return
		}
		if !got.IsValid() || got.Is4In6() || got.Zone() != "" || got.IsUnspecified() {
			t.Fatalf("got %v", got)
		}
		if all := xff1 + xff2 + realIP; !strings.Contains(all, got.String()) && !strings.Contains(all, got.StringExpanded()) &&
			!strings.Contains(strings.ToLower(all), got.String()) {
			// an address can be written many ways; it must at least parse from one entry
			found := false
			for _, l := range append(append([][]byte{}, xff...), real...) {
				for _, item := range strings.Split(string(l), ",") {
					if a, ok := parseForwardedAddr([]byte(strings.TrimSpace(item))); ok && a == got {
						found = true
					}
				}
			}
			if !found {
				t.Fatalf("ClientIP(%v, %q, %q) = %v, which the headers do not name", peer, xff, real, got)
			}
		}
	})
}
