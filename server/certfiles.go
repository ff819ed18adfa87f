package server

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"
)

// certFiles serves the certificate of MINIBASE_TLS_CERT and
// MINIBASE_TLS_KEY, and reads the pair again when either file changes
// (another modification time or size), looked at on a handshake at most
// once every check: a renewed certificate (certbot, a Kubernetes secret)
// is served without a restart. A new pair that does not load (half
// written, a key that is not the certificate's) leaves the old one served
// and is logged once; it is tried again at the next change.
type certFiles struct {
	certPath, keyPath string
	check             time.Duration
	log               *slog.Logger

	mu      sync.Mutex
	cert    *tls.Certificate
	loaded  [2]fileStamp // the files cert was read from
	refused [2]fileStamp // the last pair that did not load
	missing bool         // the files could not be looked at (said once)
	checked time.Time
}

// fileStamp is what tells a file changed.
type fileStamp struct {
	mod  time.Time
	size int64
}

// defaultCertCheck is how often the files are looked at.
const defaultCertCheck = 5 * time.Second

// loadCertFiles reads the pair; one that does not load is an error saying
// why, naming the settings.
func loadCertFiles(certPath, keyPath string, check time.Duration, log *slog.Logger) (*certFiles, error) {
	if check <= 0 {
		check = defaultCertCheck
	}
	f := &certFiles{certPath: certPath, keyPath: keyPath, check: check, log: log}
	stamps, err := f.stamps()
	if err == nil {
		f.cert, err = f.load()
	}
	if err != nil {
		return nil, fmt.Errorf("MINIBASE_TLS_CERT and MINIBASE_TLS_KEY: %w", err)
	}
	f.loaded, f.checked = stamps, time.Now()
	if leaf := f.cert.Leaf; time.Now().After(leaf.NotAfter) {
		log.Warn("HTTPS: the certificate has expired; clients will refuse it", "file", certPath, "expired", leaf.NotAfter.UTC().Format(time.RFC3339))
	}
	return f, nil
}

// load reads and checks the pair.
func (f *certFiles) load() (*tls.Certificate, error) {
	cert, err := tls.LoadX509KeyPair(f.certPath, f.keyPath)
	if err != nil {
		return nil, err
	}
	if cert.Leaf == nil || len(cert.Leaf.DNSNames)+len(cert.Leaf.IPAddresses) == 0 {
		return nil, fmt.Errorf("the certificate in %s names no DNS name or IP address (clients check those, not the common name)", f.certPath)
	}
	return &cert, nil
}

func (f *certFiles) stamps() ([2]fileStamp, error) {
	var s [2]fileStamp
	for i, p := range []string{f.certPath, f.keyPath} {
		fi, err := os.Stat(p)
		if err != nil {
			return s, err
		}
		s[i] = fileStamp{fi.ModTime(), fi.Size()}
	}
	return s, nil
}

// GetCertificate is the tls.Config hook: the current certificate, read
// again first when the files changed.
func (f *certFiles) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if now := time.Now(); now.Sub(f.checked) >= f.check {
		f.checked = now
		f.reload()
	}
	return f.cert, nil
}

// reload reads the pair when the files changed since it was last read
// (or refused).
func (f *certFiles) reload() {
	stamps, err := f.stamps()
	if err != nil {
		if !f.missing {
			f.missing = true
			f.log.Error("HTTPS: cannot read the certificate files; still serving the certificate read before", "err", err)
		}
		return
	}
	f.missing = false
	if stamps == f.loaded || stamps == f.refused {
		return
	}
	cert, err := f.load()
	if err != nil {
		f.refused = stamps
		f.log.Error("HTTPS: the changed certificate files do not load; still serving the certificate read before",
			"cert", f.certPath, "key", f.keyPath, "err", err)
		return
	}
	f.cert, f.loaded, f.refused = cert, stamps, [2]fileStamp{}
	f.log.Info("HTTPS: serving the changed certificate", "names", cert.Leaf.DNSNames,
		"expires", cert.Leaf.NotAfter.UTC().Format(time.RFC3339))
}
