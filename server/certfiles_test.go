package server

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
)

// testCA issues certificates for the certificate-file tests.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

func newTestCA(t *testing.T) *testCA {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "minibase test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &testCA{cert, key, pool}
}

// issue writes a certificate for names (serial) and its key as PEM.
func (ca *testCA) issue(t *testing.T, serial int64, names ...string) (certPEM, keyPEM []byte) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), DNSNames: names,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb})
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// Certificate files: served over https; a new pair written over them is
// what the next handshake presents; a changed pair that does not load
// (a key of another certificate, a half-written file) leaves the last
// good one served and says why in the log; the next good pair is taken.
func TestHTTPSCertFiles(t *testing.T) {
	ca := newTestCA(t)
	dir := t.TempDir()
	certPath, keyPath := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	c1, k1 := ca.issue(t, 101, testDomain)
	writeFile(t, certPath, c1)
	writeFile(t, keyPath, k1)
	s := startHTTPS(t, "", nil, nil, func(c *Config) {
		c.HTTPS.CertFile, c.HTTPS.KeyFile, c.HTTPS.CertCheck = certPath, keyPath, time.Nanosecond
	})
	resp, body, err := s.get(t, testDomain, "/v1/health", ca.pool)
	if err != nil || resp.StatusCode != 200 || !strings.Contains(body, `"status":"ok"`) {
		t.Fatalf("GET /v1/health over https: %v %v %s", resp, err, body)
	}
	serial := func() int64 {
		t.Helper()
		cert, err := s.servedCert(t, testDomain, ca.pool)
		if err != nil {
			t.Fatalf("handshake: %v", err)
		}
		return cert.SerialNumber.Int64()
	}
	if got := serial(); got != 101 {
		t.Fatalf("serial %d, want 101", got)
	}

	c2, k2 := ca.issue(t, 102, testDomain)
	writeFile(t, certPath, c2)
	writeFile(t, keyPath, k2)
	if got := serial(); got != 102 {
		t.Fatalf("after writing a new pair: serial %d, want 102", got)
	}

	c3, _ := ca.issue(t, 103, testDomain)
	writeFile(t, certPath, c3) // with k2: not its key
	if got := serial(); got != 102 {
		t.Errorf("after writing a certificate without its key: serial %d, want the last good one, 102", got)
	}
	if !strings.Contains(s.log.String(), "do not load; still serving the certificate read before") {
		t.Errorf("the refused pair is not logged:\n%s", s.log)
	}
	writeFile(t, certPath, c2[:len(c2)/2]) // half written
	if got := serial(); got != 102 {
		t.Errorf("after a half-written certificate: serial %d, want 102", got)
	}
	c4, k4 := ca.issue(t, 104, testDomain)
	writeFile(t, keyPath, k4)
	writeFile(t, certPath, c4)
	if got := serial(); got != 104 {
		t.Errorf("after a good pair again: serial %d, want 104", got)
	}
}

// A pair that does not load stops the server at start (Open), saying
// which settings and why.
func TestHTTPSCertFilesRefusedAtStart(t *testing.T) {
	ca := newTestCA(t)
	dir := t.TempDir()
	c1, k1 := ca.issue(t, 1, testDomain)
	_, k2 := ca.issue(t, 2, testDomain)
	noNames, noNamesKey := ca.issue(t, 3)
	files := map[string][]byte{"cert.pem": c1, "key.pem": k1, "other-key.pem": k2, "garbage.pem": []byte("not a certificate"),
		"nonames.pem": noNames, "nonames-key.pem": noNamesKey}
	for name, b := range files {
		writeFile(t, filepath.Join(dir, name), b)
	}
	for _, tc := range []struct{ cert, key, want string }{
		{"cert.pem", "other-key.pem", "private key does not match public key"},
		{"garbage.pem", "key.pem", "failed to find any PEM data in certificate input"},
		{"missing.pem", "key.pem", "no such file or directory"},
		{"nonames.pem", "nonames-key.pem", "names no DNS name or IP address"},
	} {
		cfg, err := ParseConfig(nil, func(string) string { return "" })
		if err != nil {
			t.Fatal(err)
		}
		cfg.Dir, cfg.AdminKey = t.TempDir(), testKey
		cfg.HTTPS.CertFile, cfg.HTTPS.KeyFile = filepath.Join(dir, tc.cert), filepath.Join(dir, tc.key)
		m := &Server{Config: cfg, Log: discardLogger()}
		err = m.Open(t.Context())
		m.Close()
		if err == nil || !strings.Contains(err.Error(), "MINIBASE_TLS_CERT and MINIBASE_TLS_KEY: ") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s with %s: %v, want an error naming the settings and saying %q", tc.cert, tc.key, err, tc.want)
		}
	}
}

// The TLS listener keeps the server's protections: a client that opens
// a connection and sends nothing loses it after the handshake timeout
// (the header timeout is an hour), a request body that stops arriving
// over TLS gets the 408 of MINIBASE_BODY_TIMEOUT, and connections beyond
// an address's cap are closed before their handshake.
func TestHTTPSListenerLimits(t *testing.T) {
	ca := newTestCA(t)
	dir := t.TempDir()
	certPath, keyPath := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	c1, k1 := ca.issue(t, 1, testDomain)
	writeFile(t, certPath, c1)
	writeFile(t, keyPath, k1)
	s := startHTTPS(t, "", nil, nil, func(c *Config) {
		c.HTTPS.CertFile, c.HTTPS.KeyFile, c.HTTPS.HandshakeTimeout = certPath, keyPath, 2*time.Second // a handshake under -race at load ~20 took more than 300 ms
		c.Conns.HeaderTimeout, c.Conns.KeepAliveTimeout = time.Hour, time.Hour
		c.Conns.BodyTimeout, c.Conns.PerAddr = 300*time.Millisecond, 3
	})

	silent, err := net.Dial("tcp", s.tlsAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	if got := untilClosed(t, silent); len(got) != 0 {
		t.Errorf("a silent connection got answers %v, want none", got)
	}

	slow := tlsConn(t, s.tlsAddr, ca.pool)
	fmt.Fprintf(slow, "POST /v1/db/todos/insert HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"data\":{\"text\":\"%s", testDomain, testKey, strings.Repeat("x", 20<<10))
	got := untilClosed(t, slow)
	if len(got) != 1 || got[0].status != http.StatusRequestTimeout || !strings.Contains(got[0].body, "stopped arriving") {
		t.Errorf("a body that stops arriving over TLS: %v, want one 408 saying it stopped arriving", got)
	}

	for range 3 {
		c := tlsConn(t, s.tlsAddr, ca.pool)
		if r := roundTrip(t, c); r.status != 200 {
			t.Fatalf("health: %v", r)
		}
	}
	if c, err := tls.Dial("tcp", s.tlsAddr, &tls.Config{RootCAs: ca.pool, ServerName: testDomain}); err == nil {
		c.Close()
		t.Error("a fourth connection from one address (MINIBASE_MAX_CONNS_PER_ADDR=3) was let in")
	}
}

// tlsConn is a TLS connection to addr, closed when the test ends.
func tlsConn(t *testing.T, addr string, pool *x509.CertPool) *tls.Conn {
	t.Helper()
	c, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, ServerName: testDomain})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// Realtime watch works over the server's own TLS: the WebSocket upgrade
// of /v1/db/<coll>/watch, a watch's first snapshot, and its pings.
func TestHTTPSWatch(t *testing.T) {
	ca := newTestCA(t)
	dir := t.TempDir()
	certPath, keyPath := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	c1, k1 := ca.issue(t, 1, testDomain)
	writeFile(t, certPath, c1)
	writeFile(t, keyPath, k1)
	s := startHTTPS(t, "", nil, nil, func(c *Config) { c.HTTPS.CertFile, c.HTTPS.KeyFile = certPath, keyPath })
	if a := s.do(t, "POST", "/v1/db/todos/insert", testKey, `{"data":{"_id":"t1","title":"over tls"}}`); a.status != 200 {
		t.Fatalf("insert: %v", a)
	}
	dialer := websocket.Dialer{TLSClientConfig: &tls.Config{RootCAs: ca.pool}, HandshakeTimeout: waitLimit,
		NetDial: func(network, _ string) (net.Conn, error) { return net.Dial(network, s.tlsAddr) }}
	ws, resp, err := dialer.Dial("wss://"+testDomain+"/v1/db/todos/watch", http.Header{"Authorization": {"Bearer " + testKey}})
	if err != nil {
		t.Fatalf("wss upgrade: %v %v", resp, err)
	}
	defer ws.Close()
	ws.SetReadDeadline(time.Now().Add(waitLimit))
	for _, tc := range []struct{ send, want string }{
		{`{"type":"watch","watchId":"w","query":{}}`, `"title":"over tls"`},
		{`{"type":"ping"}`, `"type":"pong"`},
	} {
		if err := ws.WriteMessage(websocket.TextMessage, []byte(tc.send)); err != nil {
			t.Fatal(err)
		}
		_, got, err := ws.ReadMessage()
		if err != nil || !strings.Contains(string(got), tc.want) {
			t.Errorf("%s: %s %v, want %s", tc.send, got, err, tc.want)
		}
	}
}
