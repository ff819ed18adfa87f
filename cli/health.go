package cli

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"minibase/server"
)

// Health runs `minibase health [--url URL] [--timeout 5s] [serve's
// flags]`: it asks the server for GET /v1/health and succeeds when the
// answer is {"status":"ok"}. Without --url it asks the server this
// configuration describes (the same flags, variables and config file as
// serve), on its own machine: the plain-http listener (which answers
// health itself with HTTPS on), or the TLS listener when there is no plain
// one; a server that redirects health to https (one older than this) is
// followed to its TLS listener, with the redirect's name for SNI. It is the Docker image's HEALTHCHECK: the image has no
// shell or curl.
func Health(ctx context.Context, args []string, env Env) error {
	rawURL, timeout, rest, err := healthFlags(args)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var c *http.Client
	if rawURL == "" {
		cfg, err := server.ParseConfig(rest, env.Getenv)
		if err != nil {
			return err
		}
		rawURL, c = localProbe(cfg)
	} else {
		if len(rest) > 0 {
			return fmt.Errorf("health --url takes no serve flags (got %q)\n%s", rest[0], healthUsage)
		}
		rawURL = strings.TrimSuffix(rawURL, "/") + "/v1/health"
		c = &http.Client{}
	}
	version, at, err := probe(ctx, c, rawURL)
	if err != nil {
		return fmt.Errorf("unhealthy: %w", err)
	}
	fmt.Fprintf(env.Stdout, "ok: minibase %s answers at %s\n", version, at)
	return nil
}

// healthFlags takes health's own flags out of args; the rest are serve's.
func healthFlags(args []string) (url string, timeout time.Duration, rest []string, err error) {
	timeout = 5 * time.Second
	for i := 0; i < len(args); i++ {
		name, value, hasValue := strings.Cut(strings.TrimLeft(args[i], "-"), "=")
		if !strings.HasPrefix(args[i], "-") || name != "url" && name != "timeout" {
			if name == "h" || name == "help" {
				return "", 0, nil, errors.New(healthUsage)
			}
			rest = append(rest, args[i])
			continue
		}
		if !hasValue {
			if i+1 == len(args) {
				return "", 0, nil, fmt.Errorf("health: --%s needs a value\n%s", name, healthUsage)
			}
			i++
			value = args[i]
		}
		switch name {
		case "url":
			if !strings.HasPrefix(value, "http://") && !strings.HasPrefix(value, "https://") {
				return "", 0, nil, fmt.Errorf("health: --url must be an http(s) URL, got %q", value)
			}
			url = value
		case "timeout":
			if timeout, err = time.ParseDuration(value); err != nil || timeout <= 0 || timeout > time.Hour {
				return "", 0, nil, fmt.Errorf("health: --timeout must be a duration like 5s, got %q", value)
			}
		}
	}
	return url, timeout, rest, nil
}

// localProbe is the URL of the health check of the server cfg describes
// and a client that connects to its listeners on this machine whatever
// the URL's host: http to the plain listener, https to the TLS one. It
// does not check the server's certificate: it asks whether this machine's
// server answers, not who it is (the certificate may be from a test CA,
// and its name may not resolve here).
func localProbe(cfg server.Config) (string, *http.Client) {
	plain, secure := loopback(cfg.HTTP), ""
	if cfg.HTTPS.On() {
		secure = loopback(cfg.HTTPS.Addr)
	}
	host := plain
	if len(cfg.HTTPS.Domains) > 0 {
		host = cfg.HTTPS.Domains[0]
	}
	rawURL := "http://" + host + "/v1/health"
	if cfg.HTTP == "off" {
		if _, port, err := net.SplitHostPort(cfg.HTTPS.Addr); err == nil && port != "443" && len(cfg.HTTPS.Domains) > 0 {
			host = net.JoinHostPort(host, port)
		} else if len(cfg.HTTPS.Domains) == 0 {
			host = secure
		}
		rawURL = "https://" + host + "/v1/health"
	}
	var d net.Dialer
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, plain)
		},
		TLSClientConfig:   &tls.Config{InsecureSkipVerify: true}, // see above
		DisableKeepAlives: true,
	}
	if secure != "" {
		// Any https connection goes to the TLS listener, with the URL's
		// host (the redirect's name) for SNI.
		tr.DialTLSContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, _, _ := net.SplitHostPort(addr)
			raw, err := d.DialContext(ctx, network, secure)
			if err != nil {
				return nil, err
			}
			conn := tls.Client(raw, &tls.Config{ServerName: host, InsecureSkipVerify: true}) // see above
			if err := conn.HandshakeContext(ctx); err != nil {
				raw.Close()
				return nil, fmt.Errorf("TLS handshake with %s (as %s): %w", secure, host, err)
			}
			return conn, nil
		}
	}
	return rawURL, &http.Client{Transport: tr}
}

// loopback is the listen address addr as a client on this machine dials
// it: an unspecified host (":80", "0.0.0.0:8090", "[::]:443") is the
// loopback address.
func loopback(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	return net.JoinHostPort(host, port)
}

// probe asks url (following redirects) and returns the server's version
// and the URL that answered, when the answer is 200 {"status":"ok"}.
func probe(ctx context.Context, c *http.Client, url string) (version, at string, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", "", err
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", "", err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	var h struct{ Status, Version string }
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &h) != nil || h.Status != "ok" {
		return "", "", fmt.Errorf("%s answered %d: %s", resp.Request.URL, resp.StatusCode, strings.TrimSpace(string(body)))
	}
	return h.Version, resp.Request.URL.String(), nil
}

const healthUsage = `usage: minibase health [--url URL] [--timeout 5s] [--config FILE] [serve's flags]

Asks the server for GET /v1/health: exit status 0 when it answers ok, 1 when
not. Without --url, the server of this configuration (the same flags,
variables and config file as serve), on this machine; with HTTPS on, through
its redirect to the TLS listener.
`
