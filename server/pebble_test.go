package server

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	bin "encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"
)

// pebble is Let's Encrypt's ACME test server (scripts/pebble.sh installs
// it; make sets MINIBASE_PEBBLE_BIN), run on free 127.0.0.1 ports for
// one test, validating challenges against the ports it was given and
// resolving every name to 127.0.0.1 through fakeDNS.
type pebble struct {
	directory string       // the ACME directory URL
	client    *http.Client // trusts the certificate pebble serves its API with
	roots     *x509.CertPool
	mgmt      string // the management address: /roots/0
}

// pebbleConfig is what a test sets of pebble's configuration.
type pebbleConfig struct {
	httpPort, tlsPort int // where the challenges are validated
	validity          int // seconds a certificate is valid; 0: 90 days
}

// startPebble runs pebble until the test ends; the test is skipped when
// MINIBASE_PEBBLE_BIN is not set (outside make).
func startPebble(t *testing.T, pc pebbleConfig) *pebble {
	t.Helper()
	path := os.Getenv("MINIBASE_PEBBLE_BIN")
	if path == "" {
		t.Skip("MINIBASE_PEBBLE_BIN is not set: run MINIBASE_PEBBLE_BIN=$(scripts/pebble.sh) go test …, or make unit")
	}
	certs := filepath.Join(filepath.Dir(path), "test", "certs")
	minica, err := os.ReadFile(filepath.Join(certs, "pebble.minica.pem"))
	if err != nil {
		t.Fatalf("pebble's test CA (scripts/pebble.sh keeps it beside the binary): %v", err)
	}
	validity := pc.validity
	if validity == 0 {
		validity = 90 * 24 * 3600
	}
	api, mgmt := freePort(t), freePort(t)
	conf := map[string]any{"pebble": map[string]any{
		"listenAddress": api, "managementListenAddress": mgmt,
		"certificate": filepath.Join(certs, "localhost", "cert.pem"), "privateKey": filepath.Join(certs, "localhost", "key.pem"),
		"httpPort": pc.httpPort, "tlsPort": pc.tlsPort, "ocspResponderURL": "", "externalAccountBindingRequired": false,
		"retryAfter": map[string]int{"authz": 0, "order": 0}, "keyAlgorithm": "ecdsa",
		"profiles": map[string]any{"default": map[string]any{"description": "test", "validityPeriod": validity}},
	}}
	dir := t.TempDir()
	b, _ := json.Marshal(conf)
	if err := os.WriteFile(filepath.Join(dir, "pebble.json"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(path, "-config", filepath.Join(dir, "pebble.json"), "-dnsserver", fakeDNS(t))
	cmd.Env = append(os.Environ(), "PEBBLE_VA_NOSLEEP=1", "PEBBLE_WFE_NONCEREJECT=0", "PEBBLE_AUTHZREUSE=0")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	// Wait for the line saying the API listens; keep the log for failures.
	ready := make(chan struct{})
	log := &syncBuffer{}
	go func() {
		s := bufio.NewScanner(out)
		for s.Scan() {
			fmt.Fprintln(log, s.Text())
			if strings.Contains(s.Text(), "ACME directory available at") {
				close(ready)
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(waitLimit):
		t.Fatalf("pebble did not start within %v:\n%s", waitLimit, log)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("pebble's log:\n%s", log)
		}
	})
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(minica)
	p := &pebble{directory: "https://" + api + "/dir", mgmt: mgmt,
		client: &http.Client{Timeout: waitLimit, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}}
	return p
}

// root is the root certificate pebble issues under (it makes a new one
// at every start).
func (p *pebble) root(t *testing.T) *x509.CertPool {
	t.Helper()
	if p.roots != nil {
		return p.roots
	}
	resp, err := p.client.Get("https://" + p.mgmt + "/roots/0")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	pool := x509.NewCertPool()
	if resp.StatusCode != 200 || !pool.AppendCertsFromPEM(b) {
		t.Fatalf("pebble's root: %d %q", resp.StatusCode, b)
	}
	p.roots = pool
	return pool
}

// freePort is a 127.0.0.1 address no one listens on (at the time).
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func port(t *testing.T, addr string) int {
	t.Helper()
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	fmt.Sscan(p, &n)
	return n
}

// fakeDNS serves DNS over TCP (as pebble asks) on 127.0.0.1 until the
// test ends: every A question is answered 127.0.0.1, every other one
// with no records.
func fakeDNS(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go answerDNS(c)
		}
	}()
	return ln.Addr().String()
}

func answerDNS(c net.Conn) {
	defer c.Close()
	for {
		c.SetDeadline(time.Now().Add(waitLimit))
		var n uint16
		if bin.Read(c, bin.BigEndian, &n) != nil {
			return
		}
		msg := make([]byte, n)
		if _, err := io.ReadFull(c, msg); err != nil {
			return
		}
		var q dnsmessage.Message
		if q.Unpack(msg) != nil || len(q.Questions) != 1 {
			return
		}
		a := dnsmessage.Message{Header: dnsmessage.Header{ID: q.ID, Response: true, Authoritative: true}, Questions: q.Questions}
		if qq := q.Questions[0]; qq.Type == dnsmessage.TypeA {
			a.Answers = []dnsmessage.Resource{{Header: dnsmessage.ResourceHeader{Name: qq.Name, Type: dnsmessage.TypeA, Class: dnsmessage.ClassINET, TTL: 60},
				Body: &dnsmessage.AResource{A: [4]byte{127, 0, 0, 1}}}}
		}
		b, err := a.Pack()
		if err != nil {
			return
		}
		c.Write(bin.BigEndian.AppendUint16(nil, uint16(len(b))))
		c.Write(b)
	}
}
