package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/crypto/acme"
	"golang.org/x/crypto/acme/autocert"
)

// serverTLS is what the server serves TLS with: certificates from an ACME
// CA (acme, with the challenges' HTTP handler) or from files (files).
type serverTLS struct {
	config *tls.Config
	acme   *autocert.Manager // nil: certificates from files
	files  *certFiles        // nil: from ACME
}

// acmeCacheDir is where certificates and the ACME account key are kept,
// under the data directory.
const acmeCacheDir = "acme"

// openTLS prepares TLS when Config.HTTPS asks for it (nil when it does
// not): the certificate files are read now, so that a bad pair stops the
// server at start, saying why; the ACME cache directory is made (0700).
func openTLS(cfg Config, log *slog.Logger) (*serverTLS, error) {
	h := cfg.HTTPS
	if !h.On() {
		return nil, nil
	}
	t := &serverTLS{config: &tls.Config{MinVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1"}}}
	if h.CertFile != "" {
		f, err := loadCertFiles(h.CertFile, h.KeyFile, h.CertCheck, log)
		if err != nil {
			return nil, err
		}
		t.files, t.config.GetCertificate = f, f.GetCertificate
		return t, nil
	}
	dir := filepath.Join(cfg.Dir, acmeCacheDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("ACME certificate cache: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil { // it holds private keys
		return nil, fmt.Errorf("ACME certificate cache: %w", err)
	}
	t.acme = &autocert.Manager{
		Prompt:      autocert.AcceptTOS,
		Cache:       autocert.DirCache(dir),
		HostPolicy:  hostPolicy(h.Domains),
		RenewBefore: h.RenewBefore,
		Email:       h.Email,
		Client:      &acme.Client{DirectoryURL: h.ACMEDirectory, HTTPClient: h.ACMEClient, UserAgent: "minibase"},
	}
	first := h.Domains[0]
	t.config.GetCertificate = func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
		if hello.ServerName == "" { // a client that sends no name (one that dialed an IP address) gets the first one's
			named := *hello
			named.ServerName = first
			hello = &named
		}
		return t.acme.GetCertificate(hello)
	}
	// TLS-ALPN-01: the CA asks for the challenge's certificate over TLS.
	t.config.NextProtos = append(t.config.NextProtos, acme.ALPNProto)
	return t, nil
}

// hostPolicy lets certificates be asked for the domains only. A host
// with a port (an HTTP-01 challenge's Host on another port than 80)
// counts as the host.
func hostPolicy(domains []string) autocert.HostPolicy {
	listed := autocert.HostWhitelist(domains...)
	return func(ctx context.Context, host string) error {
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		return listed(ctx, strings.ToLower(host))
	}
}

// obtain asks for the certificate of every domain (from the cache, else
// from the CA) at start, so that the first client does not wait for an
// issuance, and the log says at once whether the CA could give one. It
// returns at once; each outcome is logged.
func (t *serverTLS) obtain(ctx context.Context, domains []string, log *slog.Logger) {
	for _, d := range domains {
		go func() {
			cert, err := t.acme.GetCertificate(&tls.ClientHelloInfo{
				ServerName: d, CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256},
				SignatureSchemes: []tls.SignatureScheme{tls.ECDSAWithP256AndSHA256}, SupportedCurves: []tls.CurveID{tls.CurveP256},
			})
			switch {
			case ctx.Err() != nil:
			case err != nil:
				log.Error("HTTPS: no certificate from the ACME CA (is the domain's DNS pointing here, and ports 80 or 443 reachable?); "+
					"asking again on the next connection for it", "domain", d, "err", err)
			case cert.Leaf != nil:
				log.Info("HTTPS: certificate ready", "domain", d, "expires", cert.Leaf.NotAfter.UTC().Format(time.RFC3339))
			}
		}()
	}
}

// challengeHandler is the plain-http listener's handler: ACME HTTP-01
// challenges (with ACME), and a 308 to https for everything else.
func (t *serverTLS) challengeHandler(cfg HTTPSConfig) http.Handler {
	redirect := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		target, ok := httpsURL(r.Host, r.URL.RequestURI(), cfg.Domains, cfg.Addr)
		if !ok {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"code":"INVALID_PARAM","errCode":-501007,"message":%q}`, "this server answers over https only; the request's Host is not a name it serves")
			return
		}
		w.Header().Set("Location", target)
		w.WriteHeader(http.StatusPermanentRedirect)
	})
	if t.acme == nil {
		return redirect
	}
	return t.acme.HTTPHandler(redirect)
}

// maxRedirectURI bounds the request target a redirect repeats.
const maxRedirectURI = 8 << 10

// httpsURL is where a plain-http request for host and uri goes: the same
// name over https (on addr's port, unless 443), when it is one of domains
// (or any valid name when domains is empty); else the first domain. It is
// false for a host that is neither a valid name nor an IP address when no
// domain stands in for it, or a uri that is not an origin-form path.
func httpsURL(host, uri string, domains []string, addr string) (string, bool) {
	if !strings.HasPrefix(uri, "/") || strings.HasPrefix(uri, "//") || len(uri) > maxRedirectURI ||
		strings.ContainsAny(uri, " \r\n\t\\") {
		return "", false
	}
	name := host
	if h, port, err := net.SplitHostPort(host); err == nil {
		if _, err := strconv.ParseUint(port, 10, 16); err != nil {
			return "", false
		}
		name = h
	}
	name = strings.TrimSuffix(strings.ToLower(name), ".")
	known := len(domains) == 0 && (validDomain(name) || validIP(name))
	for _, d := range domains {
		known = known || d == name
	}
	switch {
	case known:
	case len(domains) > 0:
		name = domains[0]
	default:
		return "", false
	}
	if strings.Contains(name, ":") { // IPv6
		name = "[" + name + "]"
	}
	return "https://" + withPort(name, addr) + uri, true
}

func validIP(s string) bool {
	s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	return net.ParseIP(s) != nil
}

// hsts is the middleware that sends Strict-Transport-Security on every
// answer to a request made over https (directly, or through a trusted
// proxy that says so).
func hsts(maxAge time.Duration) fiber.Handler {
	value := "max-age=" + strconv.FormatInt(int64(maxAge/time.Second), 10)
	return func(c *fiber.Ctx) error {
		if c.Protocol() == "https" {
			c.Set(fiber.HeaderStrictTransportSecurity, value)
		}
		return c.Next()
	}
}

// tlsListener hands out the TLS connections of its listener (the
// server's, with its limits) once their handshakes succeed: each
// handshake runs on its own goroutine, within timeout, so that a client
// that sends nothing (or stalls mid-handshake) holds only its own
// connection, and a failed handshake never reaches the HTTP server.
type tlsListener struct {
	net.Listener
	config  *tls.Config
	timeout time.Duration
	log     *slog.Logger
	ready   chan net.Conn
	done    chan struct{} // closed by Close
	failed  chan error    // the inner Accept's error, once
	closing sync.Once
}

func newTLSListener(inner net.Listener, config *tls.Config, timeout time.Duration, log *slog.Logger) *tlsListener {
	l := &tlsListener{Listener: inner, config: config, timeout: timeout, log: log,
		ready: make(chan net.Conn), done: make(chan struct{}), failed: make(chan error, 1)}
	go l.accept()
	return l
}

func (l *tlsListener) accept() {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			l.failed <- err
			return
		}
		go l.handshake(c)
	}
}

func (l *tlsListener) handshake(c net.Conn) {
	tc := tls.Server(c, l.config)
	ctx, cancel := context.WithTimeout(context.Background(), l.timeout)
	err := tc.HandshakeContext(ctx)
	cancel()
	if err != nil {
		tc.Close()
		l.log.Debug("TLS handshake failed", "remote", c.RemoteAddr(), "err", err)
		return
	}
	select {
	case l.ready <- tc:
	case <-l.done:
		tc.Close()
	}
}

// Accept returns the next connection whose handshake succeeded.
func (l *tlsListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.ready:
		return c, nil
	case err := <-l.failed:
		l.failed <- err // for the next call
		return nil, err
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// Close stops accepting; handshakes in progress end with their timeouts.
func (l *tlsListener) Close() error {
	err := net.ErrClosed
	l.closing.Do(func() {
		close(l.done)
		err = l.Listener.Close()
	})
	return err
}

// serveRedirects serves the plain-http listener ln (with the server's
// limits) with h until stop is called.
func (s *Server) serveRedirects(ln net.Listener, h http.Handler) (stop func()) {
	c := s.Config.Conns
	srv := &http.Server{Handler: h, ReadHeaderTimeout: c.HeaderTimeout, ReadTimeout: c.HeaderTimeout + c.BodyTimeout,
		IdleTimeout: c.KeepAliveTimeout, MaxHeaderBytes: 16 << 10,
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelDebug)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(s.newListener(ln)); !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("http listener", "err", err)
		}
	}()
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		srv.Close()
		<-done
	}
}
