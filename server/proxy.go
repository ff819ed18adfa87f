package server

import (
	"bytes"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// TrustedProxies are the reverse proxies in front of minibase
// (MINIBASE_TRUSTED_PROXIES): only a connection from one of them may say,
// in X-Forwarded-For, X-Real-IP and X-Forwarded-Proto, who the client is
// and which scheme it used. The zero value (and nil) trusts nobody.
//
// Mount Handler as the first middleware, right after the connection
// bookkeeping and before anything that reads the client's address or the
// request's scheme and host (rate limits, temporary URLs, functions'
// getWXContext). It leaves fiber's own proxy support off: fiber.Config's
// ProxyHeader stays empty (its X-Forwarded-For takes the left-most entry,
// which any client can write) and EnableTrustedProxyCheck stays false,
// because Handler has already made c.IP(), c.Protocol(), c.Hostname() and
// c.BaseURL() tell the truth for every request.
type TrustedProxies struct {
	prefixes []netip.Prefix
}

const (
	maxTrustedProxies = 256 // entries in MINIBASE_TRUSTED_PROXIES
	// maxForwardHops is how many X-Forwarded-For entries Handler reads,
	// from the right; a longer chain of trusted proxies ends at the last
	// one read.
	maxForwardHops = 32
	// maxForwardedAddr is the longest X-Forwarded-For entry read:
	// "[v6 address%zone]:port".
	maxForwardedAddr = 64
)

const headerXRealIP = "X-Real-Ip"

// proxyPresets are the names MINIBASE_TRUSTED_PROXIES accepts besides
// addresses and CIDRs.
var proxyPresets = map[string][]netip.Prefix{
	"loopback": {netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")},
	"private": {netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("172.16.0.0/12"),
		netip.MustParsePrefix("192.168.0.0/16"), netip.MustParsePrefix("fc00::/7")},
}

// ParseTrustedProxies reads MINIBASE_TRUSTED_PROXIES: a comma-separated
// list of IP addresses, CIDRs (10.0.0.0/8, fd00::/8) and the names
// loopback (127.0.0.0/8, ::1) and private (10/8, 172.16/12, 192.168/16,
// fc00::/7). Empty trusts nobody. At most 256 entries; a /0 is refused
// (it would let every client choose its own address), and so are IPv6
// zones and IPv4-mapped IPv6 ranges (write the IPv4 range).
func ParseTrustedProxies(s string) (*TrustedProxies, error) {
	t := &TrustedProxies{}
	items := strings.Split(s, ",")
	if len(items) > maxTrustedProxies {
		return nil, fmt.Errorf("MINIBASE_TRUSTED_PROXIES: at most %d entries, got %d", maxTrustedProxies, len(items))
	}
	for _, item := range items {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if ps, ok := proxyPresets[item]; ok {
			t.prefixes = append(t.prefixes, ps...)
			continue
		}
		p, err := parseProxyPrefix(item)
		if err != nil {
			return nil, fmt.Errorf("MINIBASE_TRUSTED_PROXIES: %q %v (want IP addresses, CIDRs, loopback or private, comma-separated)", item, err)
		}
		t.prefixes = append(t.prefixes, p)
	}
	return t, nil
}

func parseProxyPrefix(s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		a, aerr := netip.ParseAddr(s)
		if aerr != nil {
			return netip.Prefix{}, fmt.Errorf("is not an IP address or a CIDR")
		}
		if a.Zone() != "" {
			return netip.Prefix{}, fmt.Errorf("has an IPv6 zone")
		}
		p = netip.PrefixFrom(a, a.BitLen())
	}
	switch {
	case p.Addr().Is4In6():
		return netip.Prefix{}, fmt.Errorf("is an IPv4-mapped IPv6 address: write it as IPv4")
	case p.Bits() == 0:
		return netip.Prefix{}, fmt.Errorf("would trust every address, so any client could choose its own")
	}
	return p.Masked(), nil
}

// Trusts reports whether a is one of the proxies (IPv4-mapped IPv6
// addresses count as IPv4).
func (t *TrustedProxies) Trusts(a netip.Addr) bool {
	if t == nil {
		return false
	}
	a = a.Unmap()
	for _, p := range t.prefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Handler makes the request look as it did to the first proxy, when it came
// through trusted ones, and tells no client's story otherwise:
//
//   - the peer address (c.IP()) becomes ClientIP's answer;
//   - the scheme (c.Protocol()) is https on a TLS connection, else the
//     first X-Forwarded-Proto of a trusted peer when it is http or https,
//     else http; X-Forwarded-Proto, X-Forwarded-Protocol, X-Url-Scheme and
//     X-Forwarded-Ssl, where present, are rewritten to say that scheme;
//   - the host (c.Hostname()) is the Host header: X-Forwarded-Host, where
//     present, is rewritten to it (a proxy that passes a client's
//     X-Forwarded-Host through unchanged, as nginx does unless told
//     otherwise, would let the client choose the host of minibase's URLs;
//     the proxy sets Host instead).
//
// Headers are rewritten in place, so the order functions see them in is
// kept.
func (t *TrustedProxies) Handler(c *fiber.Ctx) error {
	rc := c.Context()
	h := &rc.Request.Header
	peer := peerAddr(rc.RemoteAddr())
	scheme := "http"
	if rc.IsTLS() {
		scheme = "https"
	}
	if t.Trusts(peer) {
		xff := slices.Clone(h.PeekAll(fiber.HeaderXForwardedFor)) // the next PeekAll reuses its slice
		if ip := t.ClientIP(peer, xff, h.PeekAll(headerXRealIP)); ip != peer {
			rc.SetRemoteAddr(&net.TCPAddr{IP: ip.AsSlice()})
		}
		if p := forwardedProto(h.Peek(fiber.HeaderXForwardedProto)); p != "" && !rc.IsTLS() {
			scheme = p
		}
	}
	rewriteForwarding(h, scheme)
	return c.Next()
}

// rewriteForwarding makes every header fiber reads the scheme or host from
// say scheme and the Host header. Most requests have none: one pass over
// the names finds out (a Peek per name costs more).
func rewriteForwarding(h *fasthttp.RequestHeader, scheme string) {
	var found []string
	for k := range h.All() {
		if len(k) >= len("X-Url-Scheme") && k[0] == 'X' { // fasthttp normalises names
			for _, name := range forwardingHeaders {
				if string(k) == name && !slices.Contains(found, name) {
					found = append(found, name)
				}
			}
		}
	}
	for _, k := range found {
		switch k {
		case fiber.HeaderXForwardedSsl:
			ssl := "off"
			if scheme == "https" {
				ssl = "on"
			}
			h.Set(k, ssl)
		case fiber.HeaderXForwardedHost:
			h.SetBytesV(k, h.Host())
		default:
			h.Set(k, scheme)
		}
	}
}

// forwardingHeaders are the headers fiber's c.Protocol() and c.Hostname()
// read, as fasthttp normalises their names.
var forwardingHeaders = [...]string{fiber.HeaderXForwardedProto, fiber.HeaderXForwardedProtocol, fiber.HeaderXUrlScheme,
	fiber.HeaderXForwardedSsl, fiber.HeaderXForwardedHost}

// ClientIP is the address of the client behind the proxies: peer itself
// when peer is not trusted. Otherwise X-Forwarded-For (every header line,
// in order, as one list) is read from the right, skipping trusted proxies:
// the first address that is not one is the client, since anything to its
// left was written by that client or the proxies it chose. An entry that
// is not an address (an IP, or IP:port, or [IPv6]:port) ends the walk, as
// does the 32nd entry: the answer is then the last trusted proxy read,
// which is where the trustworthy part of the chain ends. When every entry
// is a trusted proxy the left-most is the client. Without X-Forwarded-For,
// a single, valid X-Real-IP from a trusted peer is the client. The answer
// is never a zone-qualified or IPv4-mapped address.
func (t *TrustedProxies) ClientIP(peer netip.Addr, forwardedFor, realIP [][]byte) netip.Addr {
	peer = peer.Unmap()
	if !t.Trusts(peer) {
		return peer
	}
	last, hops := peer, 0
	for i := len(forwardedFor) - 1; i >= 0; i-- {
		for v := forwardedFor[i]; len(v) > 0; {
			item := v
			if j := bytes.LastIndexByte(v, ','); j >= 0 {
				item, v = v[j+1:], v[:j]
			} else {
				v = nil
			}
			item = bytes.TrimSpace(item)
			if len(item) == 0 {
				continue
			}
			if hops++; hops > maxForwardHops {
				return last
			}
			a, ok := parseForwardedAddr(item)
			if !ok {
				return last
			}
			if !t.Trusts(a) {
				return a
			}
			last = a
		}
	}
	if hops > 0 {
		return last
	}
	if len(realIP) == 1 {
		if a, ok := parseForwardedAddr(bytes.TrimSpace(realIP[0])); ok {
			return a
		}
	}
	return peer
}

// parseForwardedAddr reads one X-Forwarded-For or X-Real-IP entry: an
// address, optionally with a port ("1.2.3.4:5678", "[2001:db8::1]:443").
func parseForwardedAddr(b []byte) (netip.Addr, bool) {
	if len(b) > maxForwardedAddr {
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(string(b))
	if err != nil {
		ap, perr := netip.ParseAddrPort(string(b))
		if perr != nil {
			return netip.Addr{}, false
		}
		a = ap.Addr()
	}
	a = a.Unmap().WithZone("")
	if a.IsUnspecified() {
		return netip.Addr{}, false
	}
	return a, true
}

// forwardedProto is the scheme X-Forwarded-Proto names: its first value
// ("https, http" from a chain of proxies starts with the client's), when
// it is http or https (any case); "" otherwise.
func forwardedProto(v []byte) string {
	if i := bytes.IndexByte(v, ','); i >= 0 {
		v = v[:i]
	}
	switch v = bytes.TrimSpace(v); {
	case bytes.EqualFold(v, []byte("https")):
		return "https"
	case bytes.EqualFold(v, []byte("http")):
		return "http"
	}
	return ""
}

// peerAddr is the address of a connection's far end (the zero Addr for
// anything but TCP, which no proxy is trusted as).
func peerAddr(a net.Addr) netip.Addr {
	if t, ok := a.(*net.TCPAddr); ok {
		if ip, ok := netip.AddrFromSlice(t.IP); ok {
			return ip.Unmap()
		}
	}
	return netip.Addr{}
}
