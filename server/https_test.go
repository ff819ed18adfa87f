package server

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

const testDomain = "api.minibase.test"

// httpsServer is a Server running with HTTPS on 127.0.0.1 listeners.
type httpsServer struct {
	*Server
	tlsAddr, httpAddr string
	log               *syncBuffer
	stop              func() // ends Run and closes the server (releasing its data directory)
}

// startHTTPS opens a server on dir (a new one when "") with mod's
// settings, and runs it on 127.0.0.1 listeners (tls, plain: those given,
// else new ones) until the test ends.
func startHTTPS(t *testing.T, dir string, tlsLn, plainLn net.Listener, mod func(*Config)) *httpsServer {
	t.Helper()
	var err error
	for _, ln := range []*net.Listener{&tlsLn, &plainLn} {
		if *ln == nil {
			if *ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
				t.Fatal(err)
			}
		}
	}
	log := &syncBuffer{}
	m := newTestMainLog(t, func(c *Config) {
		if dir != "" {
			c.Dir = dir
		}
		c.HTTPS.Addr, c.HTTPS.HandshakeTimeout = tlsLn.Addr().String(), time.Minute
		mod(c)
	}, slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelDebug})))
	m.Listener, m.HTTPListener = tlsLn, plainLn
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
			m.Close()
		})
	}
	t.Cleanup(stop)
	return &httpsServer{Server: m, tlsAddr: tlsLn.Addr().String(), httpAddr: plainLn.Addr().String(), log: log, stop: stop}
}

// get asks for path over https as name (SNI and Host), trusting roots.
func (h *httpsServer) get(t *testing.T, name, path string, roots *x509.CertPool) (*http.Response, string, error) {
	t.Helper()
	dial := &net.Dialer{}
	client := &http.Client{Timeout: waitLimit, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: roots, ServerName: name},
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return dial.DialContext(ctx, network, h.tlsAddr)
		},
	}}
	defer client.CloseIdleConnections()
	resp, err := client.Get("https://" + name + path)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, string(b), err
}

// servedCert is the certificate the server presents to name.
func (h *httpsServer) servedCert(t *testing.T, name string, roots *x509.CertPool) (*x509.Certificate, error) {
	t.Helper()
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: waitLimit}, "tcp", h.tlsAddr, &tls.Config{RootCAs: roots, ServerName: name})
	if err != nil {
		return nil, err
	}
	defer c.Close()
	return c.ConnectionState().PeerCertificates[0], nil
}

// acmeConfig points the server at p for domains.
func acmeConfig(p *pebble, domains ...string) func(*Config) {
	return func(c *Config) {
		c.HTTPS.Domains, c.HTTPS.ACMEDirectory, c.HTTPS.ACMEClient = domains, p.directory, p.client
	}
}

// TLS-ALPN-01: pebble validates on the server's TLS port only (its HTTP
// port is closed), so the certificate it issues proves that challenge
// works; a request over https verified against pebble's root is answered;
// the certificate and the account key are kept in <dir>/acme (0700), and
// a restart serves them with the CA gone. A name not in MINIBASE_HTTPS
// gets no certificate, and nothing is asked of the CA for it.
func TestHTTPSACMETLSALPN(t *testing.T) {
	tlsLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := startPebble(t, pebbleConfig{httpPort: port(t, freePort(t)), tlsPort: port(t, tlsLn.Addr().String())})
	dir := t.TempDir()
	s := startHTTPS(t, dir, tlsLn, nil, acmeConfig(p, testDomain))
	resp, body, err := s.get(t, testDomain, "/v1/health", p.root(t))
	if err != nil || resp.StatusCode != 200 || !strings.Contains(body, `"status":"ok"`) {
		t.Fatalf("GET https://%s/v1/health: %v %v %s\nserver log:\n%s", testDomain, resp, err, body, s.log)
	}
	if got := resp.TLS.PeerCertificates[0].DNSNames; len(got) != 1 || got[0] != testDomain {
		t.Errorf("certificate names %v, want [%s]", got, testDomain)
	}
	if resp.Header.Get("Strict-Transport-Security") != "" {
		t.Error("Strict-Transport-Security sent with MINIBASE_HSTS off")
	}
	fi, err := os.Stat(filepath.Join(dir, acmeCacheDir))
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("%s: %v %v, want a 0700 directory", acmeCacheDir, fi, err)
	}
	for _, name := range []string{testDomain, "acme_account+key"} {
		if _, err := os.Stat(filepath.Join(dir, acmeCacheDir, name)); err != nil {
			t.Errorf("cache: %v", err)
		}
	}

	// A name the server does not serve: the handshake fails, no
	// certificate is asked for.
	if _, err := s.servedCert(t, "other.minibase.test", p.root(t)); err == nil {
		t.Error("a certificate for other.minibase.test, which MINIBASE_HTTPS does not list")
	}
	if _, err := os.Stat(filepath.Join(dir, acmeCacheDir, "other.minibase.test")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("cache for an unlisted name: %v", err)
	}
	want, _ := s.servedCert(t, testDomain, p.root(t))

	// Restarted on the same data, with no CA to ask: the kept certificate.
	roots := p.root(t)
	s.stop()
	s2 := startHTTPS(t, dir, nil, nil, func(c *Config) {
		acmeConfig(p, testDomain)(c)
		c.HTTPS.ACMEDirectory = "https://" + freePort(t) + "/dir"
	})
	got, err := s2.servedCert(t, testDomain, roots)
	if err != nil || want == nil || !got.Equal(want) {
		t.Errorf("after a restart: %v, %v; want the kept certificate", got, err)
	}
}

// HTTP-01: pebble validates on the plain-http port only (its TLS port is
// closed): the server answers the challenge there, and redirects every
// other request to https with 308, keeping the method's meaning, the path
// and the query. HSTS, when on, is sent over https.
func TestHTTPSACMEHTTP01(t *testing.T) {
	plainLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := startPebble(t, pebbleConfig{httpPort: port(t, plainLn.Addr().String()), tlsPort: port(t, freePort(t))})
	s := startHTTPS(t, "", nil, plainLn, func(c *Config) {
		acmeConfig(p, testDomain, "www.minibase.test")(c)
		c.HTTPS.HSTS, c.HTTPS.HSTSMaxAge = true, 48*time.Hour
	})
	resp, body, err := s.get(t, testDomain, "/v1/health", p.root(t))
	if err != nil || resp.StatusCode != 200 || !strings.Contains(body, `"status":"ok"`) {
		t.Fatalf("GET https://%s/v1/health: %v %v %s\nserver log:\n%s", testDomain, resp, err, body, s.log)
	}
	if got := resp.Header.Get("Strict-Transport-Security"); got != "max-age=172800" {
		t.Errorf("Strict-Transport-Security %q, want max-age=172800", got)
	}

	// Plain http: redirects.
	tlsPort := port(t, s.tlsAddr)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, tc := range []struct{ method, host, path, want string }{
		{"GET", testDomain, "/v1/db/todos/docs/a?x=1&y=%2F", "https://" + testDomain + ":" + itoa(tlsPort) + "/v1/db/todos/docs/a?x=1&y=%2F"},
		{"POST", "WWW.minibase.test:80", "/v1/db/todos/query", "https://www.minibase.test:" + itoa(tlsPort) + "/v1/db/todos/query"},
		{"GET", "203.0.113.7", "/", "https://" + testDomain + ":" + itoa(tlsPort) + "/"}, // an unlisted name: the first domain
	} {
		req, _ := http.NewRequest(tc.method, "http://"+s.httpAddr+tc.path, strings.NewReader("{}"))
		req.Host = tc.host
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusPermanentRedirect || resp.Header.Get("Location") != tc.want {
			t.Errorf("%s http://%s%s: %d %q, want 308 %q", tc.method, tc.host, tc.path, resp.StatusCode, resp.Header.Get("Location"), tc.want)
		}
		if resp.Header.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s http://%s%s: Strict-Transport-Security over plain http", tc.method, tc.host, tc.path)
		}
	}
	// A challenge token nobody asked for is not found; one for another
	// host is refused.
	for host, want := range map[string]int{testDomain: 404, "evil.example.com": 403} {
		req, _ := http.NewRequest("GET", "http://"+s.httpAddr+"/.well-known/acme-challenge/nope", nil)
		req.Host = host
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("challenge for %s: %d, want %d", host, resp.StatusCode, want)
		}
	}
}

// Renewal: with certificates valid for 40 s and renewal 37 s before
// expiry, the server replaces its certificate by itself within seconds,
// and serves the new one.
func TestHTTPSACMERenewal(t *testing.T) {
	tlsLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := startPebble(t, pebbleConfig{httpPort: port(t, freePort(t)), tlsPort: port(t, tlsLn.Addr().String()), validity: 40})
	s := startHTTPS(t, "", tlsLn, nil, func(c *Config) {
		acmeConfig(p, testDomain)(c)
		c.HTTPS.RenewBefore = 37 * time.Second
	})
	first, err := s.servedCert(t, testDomain, p.root(t))
	if err != nil {
		t.Fatalf("first certificate: %v\nserver log:\n%s", err, s.log)
	}
	deadline := time.Now().Add(waitLimit)
	for {
		got, err := s.servedCert(t, testDomain, p.root(t))
		if err == nil && got.SerialNumber.Cmp(first.SerialNumber) != 0 {
			if !got.NotAfter.After(first.NotAfter) {
				t.Errorf("renewed certificate expires %v, the first %v", got.NotAfter, first.NotAfter)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("still the first certificate (serial %v) after %v: %v\nserver log:\n%s", first.SerialNumber, waitLimit, err, s.log)
		}
		time.Sleep(200 * time.Millisecond) // polling for the renewal, not timing it
	}
}

func itoa(n int) string { return big.NewInt(int64(n)).String() }

// Where a plain-http request is sent: the same name over https when it
// is served (any valid name or address with certificate files), else the
// first domain; a request target that is not a path is refused.
func TestHTTPSURL(t *testing.T) {
	domains := []string{"api.example.com", "www.example.com"}
	for _, tc := range []struct {
		host, uri string
		domains   []string
		addr      string
		want      string // "": refused
	}{
		{"api.example.com", "/v1/health?a=1", domains, ":443", "https://api.example.com/v1/health?a=1"},
		{"WWW.Example.com.:80", "/", domains, ":443", "https://www.example.com/"},
		{"api.example.com", "/x", domains, "127.0.0.1:8443", "https://api.example.com:8443/x"},
		{"evil.example.net", "/x", domains, ":443", "https://api.example.com/x"},
		{"", "/x", domains, ":443", "https://api.example.com/x"},
		{"10.0.0.1", "/x", nil, ":443", "https://10.0.0.1/x"},
		{"[::1]:80", "/x", nil, ":443", "https://[::1]/x"},
		{"files.example.org", "/f/a b", nil, ":443", ""},
		{"files.example.org", "//evil.example.net/x", nil, ":443", ""},
		{"files.example.org", "http://evil.example.net/", nil, ":443", ""},
		{"bad host", "/x", nil, ":443", ""},
		{"files.example.org:99999", "/x", nil, ":443", ""},
		{"files.example.org", "/" + strings.Repeat("a", maxRedirectURI), nil, ":443", ""},
	} {
		got, ok := httpsURL(tc.host, tc.uri, tc.domains, tc.addr)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("httpsURL(%q, %q, %v, %q) = %q, %v; want %q", tc.host, tc.uri, tc.domains, tc.addr, got, ok, tc.want)
		}
	}
}

// httpsURL never panics, and what it gives is an https URL on a served
// host (with domains) whose path is the request's.
func FuzzHTTPSURL(f *testing.F) {
	f.Add("api.example.com:80", "/v1/health?x=1")
	f.Add("[::1]", "//x")
	f.Add("a..b", "/\r\n")
	f.Fuzz(func(t *testing.T, host, uri string) {
		got, ok := httpsURL(host, uri, []string{"api.example.com"}, ":443")
		if !ok {
			return
		}
		if got != "https://api.example.com"+uri {
			t.Errorf("httpsURL(%q, %q) = %q", host, uri, got)
		}
		if got, ok := httpsURL(host, uri, nil, ":8443"); ok && (!strings.HasPrefix(got, "https://") || !strings.HasSuffix(got, ":8443"+uri)) {
			t.Errorf("httpsURL(%q, %q) without domains = %q", host, uri, got)
		}
	})
}
