package cli

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// selfSigned writes a certificate for api.example.com and 127.0.0.1 and
// its key into dir.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "api.example.com"},
		DNSNames: []string{"api.example.com"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
	return certFile, keyFile
}

// startTLS starts `minibase serve` with args (HTTPS on) and waits for its
// "serving on" line.
func startTLS(t *testing.T, bin string, args ...string) *syncBuffer {
	t.Helper()
	out := &syncBuffer{}
	cmd := exec.Command(bin, append([]string{"serve"}, args...)...)
	cmd.Env = append(os.Environ(), "MINIBASE_ADMIN_KEY="+testKey)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(startTimeout)
	for !strings.Contains(out.String(), "serving on") {
		if time.Now().After(deadline) {
			t.Fatalf("server did not start within %v; output:\n%s", startTimeout, out)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return out
}

// `minibase health` asks the server of its configuration on this
// machine: ok (exit 0) from a running server, exit 1 when none answers
// or the answer is not ok.
func TestHealthCommand(t *testing.T) {
	bin, addr := binary(t), freeAddr(t)
	startServer(t, bin, t.TempDir(), addr)
	out, errOut, code := cli(t, bin, nil, "health", "--http", addr)
	if code != 0 || !strings.Contains(out, "ok: minibase") || !strings.Contains(out, "http://"+addr+"/v1/health") {
		t.Errorf("health of a running server (flag): exit %d\n%s%s", code, out, errOut)
	}
	if out, errOut, code := cli(t, bin, []string{"MINIBASE_HTTP=" + addr}, "health"); code != 0 {
		t.Errorf("health of a running server (variable): exit %d\n%s%s", code, out, errOut)
	}
	_, port, _ := net.SplitHostPort(addr)
	if out, errOut, code := cli(t, bin, []string{"MINIBASE_CONFIG=" + writeConfig(t, "http = \"0.0.0.0:"+port+"\"\n")}, "health"); code != 0 {
		t.Errorf("health of a server listening on every address (from the file): exit %d\n%s%s", code, out, errOut)
	}
	if out, errOut, code := cli(t, bin, nil, "health", "--url", "http://"+addr); code != 0 {
		t.Errorf("health --url: exit %d\n%s%s", code, out, errOut)
	}

	down := freeAddr(t)
	if _, errOut, code := cli(t, bin, nil, "health", "--http", down); code != 1 || !strings.Contains(errOut, "unhealthy") {
		t.Errorf("health with no server: exit %d\n%s", code, errOut)
	}
	sick := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, `{"status":"starting"}`)
	}))
	defer sick.Close()
	if _, errOut, code := cli(t, bin, nil, "health", "--url", sick.URL); code != 1 || !strings.Contains(errOut, "answered 503") {
		t.Errorf("health of a server answering 503: exit %d\n%s", code, errOut)
	}
	if _, errOut, code := cli(t, bin, nil, "health", "--url", "ftp://x"); code != 1 || !strings.Contains(errOut, "--url must be an http(s) URL") {
		t.Errorf("health --url ftp: exit %d\n%s", code, errOut)
	}
}

// With HTTPS on, the plain listener still answers /v1/health itself (it
// redirects every other path to https), so that Docker's HEALTHCHECK and a
// load balancer's plain probe need no certificate: `minibase health` asks
// it there, or the TLS listener directly when there is no plain one (SNI
// the configured name, whatever the name resolves to).
func TestHealthCommandHTTPS(t *testing.T) {
	bin, dir := binary(t), t.TempDir()
	cert, key := selfSigned(t, t.TempDir())
	plain, secure := freeAddr(t), freeAddr(t)
	tlsArgs := []string{"--https", "api.example.com", "--https-addr", secure, "--tls-cert", cert, "--tls-key", key}
	startTLS(t, bin, append([]string{"--dir", dir, "--http", plain}, tlsArgs...)...)

	// What a bare probe of the plain listener gets: the answer, not a 308;
	// another path is redirected.
	noFollow := &http.Client{Timeout: 60 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get("http://" + plain + "/v1/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("plain /v1/health: %d, want 200 (health is answered on the plain listener)", resp.StatusCode)
	}
	resp, err = noFollow.Get("http://" + plain + "/v1/db/todos/find")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	_, port, _ := net.SplitHostPort(secure)
	if resp.StatusCode != http.StatusPermanentRedirect || resp.Header.Get("Location") != "https://api.example.com:"+port+"/v1/db/todos/find" {
		t.Fatalf("plain /v1/db/todos/find: %d to %q, want 308 to https", resp.StatusCode, resp.Header.Get("Location"))
	}

	out, errOut, code := cli(t, bin, nil, append([]string{"health", "--http", plain}, tlsArgs...)...)
	if code != 0 || !strings.Contains(out, "answers at http://api.example.com/v1/health") { // dialled at the plain address
		t.Errorf("health on the plain listener: exit %d\n%s%s", code, out, errOut)
	}

	// No plain listener: the TLS one directly.
	dir2, secure2 := t.TempDir(), freeAddr(t)
	tls2 := []string{"--http", "off", "--https", "api.example.com", "--https-addr", secure2, "--tls-cert", cert, "--tls-key", key}
	startTLS(t, bin, append([]string{"--dir", dir2}, tls2...)...)
	out, errOut, code = cli(t, bin, nil, append([]string{"health"}, tls2...)...)
	if _, port2, _ := net.SplitHostPort(secure2); code != 0 || !strings.Contains(out, "https://api.example.com:"+port2+"/v1/health") {
		t.Errorf("health over TLS only: exit %d\n%s%s", code, out, errOut)
	}
}
