package server

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// CORS lets web pages on other origins call the API: the H5 and uni-app
// web builds, and the SDK in a browser. It holds the origins of
// MINIBASE_CORS_ORIGINS; the zero value (and nil) allows none and changes
// nothing, so a browser keeps other origins' pages out (the default).
//
// Mount Handler right after the connection bookkeeping and outside panic
// recovery (so a 500 carries the headers too), before anything that can
// refuse a request: a preflight carries no token and must not count
// against a rate limit or need a body. Routes that anyone may read from
// any origin, whatever the setting (the SDK under /sdk/), add PublicCORS.
//
// For an allowed origin Handler answers preflights itself (204, the
// methods and headers the API uses, cached by the browser for 2 hours)
// and adds Access-Control-Allow-Origin and -Expose-Headers to every
// response, errors included, replacing any a function's HTTP response
// set. A preflight from any other origin gets a 204 with no
// Access-Control-Allow-* headers, which the browser treats as a refusal,
// so the request it asked about is never sent; a simple request (a GET,
// a form POST) from such an origin still runs, as it would without CORS,
// and its answer gets no CORS headers, so the page cannot read it. No
// answer allows credentials (cookies): the API uses bearer tokens.
type CORS struct {
	any      bool                // "*": every origin
	exact    map[string]struct{} // "https://app.example.com", as browsers write it
	patterns []originPattern     // "https://*.example.com"
}

// originPattern is "scheme://*.suffix[:port]": any subdomain of suffix.
type originPattern struct {
	scheme, suffix, port string // suffix starts with "."
}

const (
	maxCORSOrigins = 100
	maxOriginLen   = 300 // a 253-byte host, a scheme and a port fit
	// corsMethods are the methods the API uses (OPTIONS is the preflight's
	// own and needs no permission).
	corsMethods = "GET, HEAD, POST, PUT, PATCH, DELETE"
	// corsHeaders are the request headers the SDK and the HTTP API use:
	// the token, JSON bodies, the SDK's env, a caller's request id, and
	// ranged and conditional file reads.
	corsHeaders = "Authorization, Content-Type, X-Minibase-Env, X-Request-Id, Range, If-None-Match, If-Modified-Since"
	// corsExposed are the response headers a page may read beyond the
	// always-visible ones (Content-Type, Content-Length, Cache-Control, …).
	corsExposed = "Retry-After, X-Request-Id, Content-Range, Accept-Ranges, Content-Disposition, ETag"
	// corsMaxAge is how long a browser may reuse a preflight's answer, in
	// seconds: Chromium's ceiling.
	corsMaxAge = "7200"
)

// ParseCORSOrigins reads MINIBASE_CORS_ORIGINS: empty (no cross-origin
// access, the default), "*" (every origin: for APIs whose data is guarded
// by rules and tokens, not by where the page comes from), or a
// comma-separated list of at most 100 origins written as the browser
// sends them, scheme://host[:port] ("https://app.example.com",
// "http://localhost:5173"; a trailing "/" is dropped, as are default
// ports). "https://*.example.com" allows every subdomain of example.com
// (not example.com itself) on that scheme and port. Matching is exact:
// https://app.example.com does not allow http://app.example.com,
// https://app.example.com:8443 or https://app.example.com.evil.test.
// "null" (sandboxed frames, file:// pages) is refused: any page can be
// one.
func ParseCORSOrigins(s string) (*CORS, error) {
	p := &CORS{exact: map[string]struct{}{}}
	items := strings.Split(s, ",")
	if len(items) > maxCORSOrigins {
		return nil, fmt.Errorf("MINIBASE_CORS_ORIGINS: at most %d origins, got %d", maxCORSOrigins, len(items))
	}
	for _, item := range items {
		item = strings.TrimSpace(item)
		switch {
		case item == "":
			continue
		case item == "*":
			p.any = true
			continue
		case strings.EqualFold(item, "null"):
			return nil, fmt.Errorf(`MINIBASE_CORS_ORIGINS: "null" is the origin of sandboxed frames and file:// pages, which anyone can make; list real origins`)
		}
		o, err := parseOrigin(strings.TrimSuffix(strings.ToLower(item), "/"), true)
		if err != nil {
			return nil, fmt.Errorf("MINIBASE_CORS_ORIGINS: %q is not an origin like https://app.example.com: %v", item, err)
		}
		if suffix, ok := strings.CutPrefix(o.host, "*"); ok {
			p.patterns = append(p.patterns, originPattern{o.scheme, suffix, o.port})
		} else {
			p.exact[o.String()] = struct{}{}
		}
	}
	if p.any && (len(p.exact) > 0 || len(p.patterns) > 0) {
		return nil, fmt.Errorf(`MINIBASE_CORS_ORIGINS: "*" allows every origin; list nothing else with it`)
	}
	return p, nil
}

// Enabled reports whether any origin is allowed.
func (p *CORS) Enabled() bool {
	return p != nil && (p.any || len(p.exact) > 0 || len(p.patterns) > 0)
}

// Allows reports whether a page on origin (an Origin header) may read the
// API's answers.
func (p *CORS) Allows(origin string) bool {
	if !p.Enabled() || origin == "" {
		return false
	}
	if p.any {
		return true
	}
	if _, ok := p.exact[origin]; ok {
		return true
	}
	if len(p.patterns) == 0 {
		return false
	}
	o, err := parseOrigin(origin, false)
	if err != nil {
		return false
	}
	for _, pt := range p.patterns {
		if o.scheme == pt.scheme && o.port == pt.port && len(o.host) > len(pt.suffix) && strings.HasSuffix(o.host, pt.suffix) {
			return true
		}
	}
	return false
}

// Handler is the middleware described on CORS.
func (p *CORS) Handler(c *fiber.Ctx) error {
	if !p.Enabled() {
		return c.Next()
	}
	h := &c.Request().Header
	origin := string(h.Peek(fiber.HeaderOrigin))
	allowed := p.Allows(origin)
	if c.Method() == fiber.MethodOptions && origin != "" && len(h.Peek(fiber.HeaderAccessControlRequestMethod)) > 0 {
		p.vary(c)
		if allowed {
			p.allow(c, origin)
			c.Set(fiber.HeaderAccessControlAllowMethods, corsMethods)
			c.Set(fiber.HeaderAccessControlAllowHeaders, corsHeaders)
			c.Set(fiber.HeaderAccessControlMaxAge, corsMaxAge)
		}
		return c.SendStatus(fiber.StatusNoContent)
	}
	err := c.Next() // the error handler writes its answer later, keeping these headers
	p.vary(c)
	if allowed || p.any {
		p.allow(c, origin)
		c.Set(fiber.HeaderAccessControlExposeHeaders, corsExposed)
	}
	return err
}

// vary tells caches that the answer depends on the Origin header (it does
// not with "*").
func (p *CORS) vary(c *fiber.Ctx) {
	if !p.any {
		c.Vary(fiber.HeaderOrigin)
	}
}

func (p *CORS) allow(c *fiber.Ctx, origin string) {
	if p.any {
		origin = "*"
	}
	c.Set(fiber.HeaderAccessControlAllowOrigin, origin)
}

// PublicCORS lets a page on any origin read what the routes after it
// answer, whatever MINIBASE_CORS_ORIGINS says: for the SDK's files under
// /sdk/, which a page imports as a module script (`import cloud from
// 'https://api.example.com/sdk/minibase.mjs'`), a cross-origin read that
// needs no preflight. Mount it on those routes only.
func PublicCORS(c *fiber.Ctx) error {
	err := c.Next()
	c.Set(fiber.HeaderAccessControlAllowOrigin, "*")
	return err
}

// origin is a parsed scheme://host[:port]; port is "" for the scheme's
// default.
type origin struct {
	scheme, host, port string
}

func (o origin) String() string {
	if o.port == "" {
		return o.scheme + "://" + o.host
	}
	return o.scheme + "://" + o.host + ":" + o.port
}

// parseOrigin reads an origin as browsers serialise it: a lower-case
// scheme, "://", a lower-case host name, IPv4 address or [IPv6] address,
// and a port only when it is not the scheme's default. With pattern, the
// host may start with "*." followed by a name with at least two labels.
func parseOrigin(s string, pattern bool) (origin, error) {
	if len(s) > maxOriginLen {
		return origin{}, fmt.Errorf("longer than %d bytes", maxOriginLen)
	}
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok || !validScheme(scheme) {
		return origin{}, fmt.Errorf("it must start with a scheme such as https://")
	}
	host, port := rest, ""
	if strings.HasPrefix(rest, "[") {
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return origin{}, fmt.Errorf("unclosed [ in the host")
		}
		a, err := netip.ParseAddr(rest[1:end])
		if err != nil || !a.Is6() || a.Zone() != "" {
			return origin{}, fmt.Errorf("%q is not an IPv6 address", rest[1:end])
		}
		host, rest = "["+a.String()+"]", rest[end+1:]
		if rest != "" {
			p, ok := strings.CutPrefix(rest, ":")
			if !ok || p == "" {
				return origin{}, fmt.Errorf("no path, query or user name may follow the host")
			}
			port = p
		}
	} else if i := strings.LastIndexByte(rest, ':'); i >= 0 {
		host, port = rest[:i], rest[i+1:]
		if port == "" {
			return origin{}, fmt.Errorf("an empty port")
		}
	}
	if !strings.HasPrefix(host, "[") {
		name, wild := host, false
		if pattern {
			name, wild = strings.CutPrefix(host, "*.")
		}
		if err := checkHostName(name); err != nil {
			return origin{}, err
		}
		if wild && !strings.Contains(name, ".") {
			return origin{}, fmt.Errorf("*.%s would allow the subdomains of a top-level domain", name)
		}
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || strconv.Itoa(n) != port {
			return origin{}, fmt.Errorf("port %q is not a number from 1 to 65535", port)
		}
		if (scheme == "http" && n == 80) || (scheme == "https" && n == 443) {
			port = ""
		}
	}
	return origin{scheme, host, port}, nil
}

// validScheme: a letter, then letters, digits, "+", "-" or "." (RFC 3986),
// lower case.
func validScheme(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// checkHostName accepts a lower-case DNS name or IPv4 address: labels of 1
// to 63 letters, digits, "-" and "_", at most 253 bytes. (Browsers send
// international names in their xn-- form.)
func checkHostName(s string) error {
	if s == "" || len(s) > 253 {
		return fmt.Errorf("the host must be a name of 1 to 253 characters")
	}
	label := 0 // length of the current label
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '.':
			if label == 0 {
				return fmt.Errorf("host %q has an empty label", s)
			}
			label = 0
			continue
		case !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_'):
			return fmt.Errorf("host %q has the character %q: no path, query, user name or upper case", s, c)
		}
		if label++; label > 63 {
			return fmt.Errorf("host %q has a label longer than 63 characters", s)
		}
	}
	if label == 0 {
		return fmt.Errorf("host %q has an empty label", s)
	}
	return nil
}
