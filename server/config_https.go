package server

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"golang.org/x/crypto/acme/autocert"
)

// HTTPSConfig is HTTPS's part of Config (https.go): certificates from an
// ACME CA (Let's Encrypt by default) for Domains, or from the files
// CertFile and KeyFile. With either, the API is served over TLS on Addr
// and Config.HTTP answers ACME HTTP-01 challenges and redirects everything
// else to https.
type HTTPSConfig struct {
	Domains          []string      // names to get certificates for by ACME (with CertFile: the names served)
	Addr             string        // the TLS listen address
	CertFile         string        // PEM certificate chain; with KeyFile, used instead of ACME
	KeyFile          string        // PEM private key
	ACMEDirectory    string        // the ACME CA's directory URL
	Email            string        // contact address given to the CA; optional
	HSTS             bool          // send Strict-Transport-Security on answers over https
	HSTSMaxAge       time.Duration // its max-age
	HandshakeTimeout time.Duration // a TLS handshake must finish within this

	// Fields without a setting, for tests and embedding programs.

	// ACMEClient is the HTTP client that talks to the CA (a test's, which
	// trusts the test CA's certificate); nil: http.DefaultClient.
	ACMEClient *http.Client
	// RenewBefore is how long before a certificate expires it is renewed;
	// 0: autocert's default (a third of its lifetime, at most 30 days).
	RenewBefore time.Duration
	// CertCheck is how often the certificate files are looked at for a
	// change, on a handshake; 0: every 5 s.
	CertCheck time.Duration
}

// letsEncrypt is the default ACME directory.
const letsEncrypt = autocert.DefaultACMEDirectory

// maxHTTPSDomains bounds MINIBASE_HTTPS: Let's Encrypt puts at most 100
// names in a certificate, and each name here gets its own.
const maxHTTPSDomains = 100

// On reports whether the server serves TLS.
func (c *HTTPSConfig) On() bool { return len(c.Domains) > 0 || c.CertFile != "" }

// ACME reports whether certificates come from an ACME CA.
func (c *HTTPSConfig) ACME() bool { return len(c.Domains) > 0 && c.CertFile == "" }

func (c *HTTPSConfig) settings() []setting {
	return []setting{
		{env: "MINIBASE_HTTPS", list: true, flag: "https", usage: "serve HTTPS for these domain names, comma-separated (api.example.com,www.example.com), " +
			"with certificates from Let's Encrypt (MINIBASE_ACME_DIRECTORY), or from MINIBASE_TLS_CERT; off by default",
			set: domainList(&c.Domains)},
		{env: "MINIBASE_HTTPS_ADDR", flag: "https-addr", def: ":443", usage: "the HTTPS listen address, with MINIBASE_HTTPS or MINIBASE_TLS_CERT",
			set: text(&c.Addr)},
		{env: "MINIBASE_TLS_CERT", flag: "tls-cert", usage: "PEM certificate (chain) file to serve HTTPS with instead of ACME; " +
			"read again when it changes (checked every few seconds)", set: text(&c.CertFile)},
		{env: "MINIBASE_TLS_KEY", flag: "tls-key", usage: "PEM private key file of MINIBASE_TLS_CERT", set: text(&c.KeyFile)},
		{env: "MINIBASE_ACME_DIRECTORY", flag: "acme-directory", def: letsEncrypt, usage: "the ACME CA's directory URL " +
			"(Let's Encrypt's staging CA: https://acme-staging-v02.api.letsencrypt.org/directory)", set: httpURL(&c.ACMEDirectory)},
		{env: "MINIBASE_ACME_EMAIL", flag: "acme-email", usage: "contact email for the ACME account (expiry notices); optional",
			set: func(v string) error {
				if len(v) > 254 || strings.Count(v, "@") != 1 || strings.HasPrefix(v, "@") || strings.HasSuffix(v, "@") ||
					strings.ContainsAny(v, " \t\r\n,<>") {
					return errors.New("must be an email address")
				}
				c.Email = v
				return nil
			}},
		{env: "MINIBASE_HSTS", flag: "hsts", toggle: true, def: "false", usage: "send Strict-Transport-Security on answers over https (browsers then refuse http for the domain)",
			set: boolean(&c.HSTS)},
		{env: "MINIBASE_HSTS_MAX_AGE", def: "365d", usage: "how long browsers remember MINIBASE_HSTS", set: duration(&c.HSTSMaxAge, 0, 2*365*24*time.Hour)},
		{env: "MINIBASE_TLS_HANDSHAKE_TIMEOUT", def: "10s", usage: "a TLS handshake must finish within this (a first certificate's issuance may take longer: " +
			"it is asked for at start)", set: duration(&c.HandshakeTimeout, 100*time.Millisecond, 10*time.Minute)},
	}
}

// checkHTTPS is what the table cannot say about HTTPS: the file pair goes
// together, and TLS changes two defaults: MINIBASE_HTTP (the redirect
// listener) is :80 and MINIBASE_PUBLIC_URL is https://<first domain>.
// httpSet tells whether MINIBASE_HTTP was given.
func (c *Config) checkHTTPS(httpSet bool) error {
	h := &c.HTTPS
	if (h.CertFile == "") != (h.KeyFile == "") {
		return errors.New("MINIBASE_TLS_CERT and MINIBASE_TLS_KEY go together: give both files, or neither")
	}
	switch {
	case !httpSet && h.On():
		c.HTTP = ":80"
	case !httpSet:
		c.HTTP = defaultHTTP
	case c.HTTP == "off" && !h.On():
		return errors.New("MINIBASE_HTTP=off needs MINIBASE_HTTPS or MINIBASE_TLS_CERT (else nothing would listen)")
	}
	if !h.On() {
		return nil
	}
	if _, port, _ := net.SplitHostPort(h.Addr); c.HTTP == h.Addr && port != "0" {
		return fmt.Errorf("MINIBASE_HTTP and MINIBASE_HTTPS_ADDR are both %s: give them different addresses (or MINIBASE_HTTP=off)", h.Addr)
	}
	if c.Storage.PublicURL == "" && len(h.Domains) > 0 {
		c.Storage.PublicURL = "https://" + withPort(h.Domains[0], h.Addr)
	}
	return nil
}

// defaultHTTP is MINIBASE_HTTP without TLS.
const defaultHTTP = "127.0.0.1:8090"

// withPort is host (an IPv6 address in brackets) with the port of the
// listen address addr, unless that is https's own 443 (or none).
func withPort(host, addr string) string {
	if _, port, err := net.SplitHostPort(addr); err == nil && port != "" && port != "443" && port != "0" {
		return host + ":" + port
	}
	return host
}

// domainList parses MINIBASE_HTTPS: DNS names, each with a dot (ACME
// certifies no bare host names, nor IP addresses), no wildcards (HTTP-01
// and TLS-ALPN-01 cannot prove them), written in lowercase.
func domainList(dst *[]string) func(string) error {
	return func(v string) error {
		var names []string
		if err := commaList(&names)(v); err != nil {
			return err
		}
		if len(names) > maxHTTPSDomains {
			return fmt.Errorf("must be at most %d domain names", maxHTTPSDomains)
		}
		for i, n := range names {
			n = strings.TrimSuffix(strings.ToLower(n), ".")
			if !validDomain(n) {
				return fmt.Errorf("must be domain names like api.example.com, comma-separated (%q is not one)", names[i])
			}
			names[i] = n
		}
		*dst = names
		return nil
	}
}

// validDomain reports whether n is a lowercase DNS name of two or more
// labels (letters, digits, inner hyphens; at most 63 bytes each, 253 in
// all) whose last label is not all digits (an IP address).
func validDomain(n string) bool {
	if len(n) > 253 || !strings.Contains(n, ".") {
		return false
	}
	labels := strings.Split(n, ".")
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			if b := l[i]; !(b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '-') {
				return false
			}
		}
	}
	return strings.Trim(labels[len(labels)-1], "0123456789") != ""
}
