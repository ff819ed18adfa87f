package functions

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/dop251/goja"
)

// FetchOptions bound what fetch may reach and how much it may take.
type FetchOptions struct {
	// Allow, when not empty, lists the only hosts fetch may reach: names
	// ("api.weixin.qq.com"), "*.example.com" for any subdomain, or IPs.
	Allow []string
	// Deny lists hosts fetch may never reach, in the same forms.
	Deny []string
	// AllowPrivate lists addresses that are not public — loopback,
	// private, link-local, CGNAT and the rest of IANA's special-purpose
	// blocks (bind_fetch_addr.go) — that fetch may connect to anyway (IPs
	// or CIDRs such as "10.0.0.0/8"); none by default, so a function cannot
	// reach the server's own network.
	AllowPrivate []string
	Timeout      time.Duration // per request (default 10 s, and never past the invocation's deadline)
	MaxResponse  int64         // bytes of a response body (default 10 MiB)
	MaxRequest   int           // bytes of a request body (default 6 MiB)
}

func (o FetchOptions) withDefaults() FetchOptions {
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.MaxResponse <= 0 {
		o.MaxResponse = 10 << 20
	}
	if o.MaxRequest <= 0 {
		o.MaxRequest = 6 << 20
	}
	return o
}

const maxRedirects = 5

// fetcher performs functions' HTTP requests: no proxy, every connection's
// address checked after DNS resolution (so a name cannot smuggle in a
// private address), every host (redirects too) checked against the lists.
type fetcher struct {
	opts    FetchOptions
	private []netip.Prefix
	client  *http.Client
	raw     *http.Transport // require('http')'s: no decompression, no HTTP/2 (bind_http.go)
}

func newFetcher(opts FetchOptions) (*fetcher, error) {
	f := &fetcher{opts: opts}
	for _, s := range opts.AllowPrivate {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil {
				return nil, fmt.Errorf("fetch: AllowPrivate entry %q is not an IP address or CIDR", s)
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		f.private = append(f.private, p)
	}
	dialer := &net.Dialer{Timeout: 10 * time.Second, Control: f.checkConn}
	tr := &http.Transport{
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 0,
	}
	f.raw = tr.Clone()
	f.raw.DisableCompression = true
	f.raw.ForceAttemptHTTP2 = false
	f.client = &http.Client{Transport: tr, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) >= maxRedirects {
			return fmt.Errorf("more than %d redirects", maxRedirects)
		}
		return f.checkHost(req.URL)
	}}
	return f, nil
}

// checkConn refuses connections to addresses a function may not reach.
func (f *fetcher) checkConn(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return err
	}
	a = a.Unmap()
	why := refusedAddr(a)
	if why == "" {
		return nil
	}
	for _, p := range f.private {
		if p.Contains(a) {
			return nil
		}
	}
	return &refusedError{fmt.Sprintf("address %s is not a public address (%s), which functions may not reach (allow it in the fetch settings)", a, why)}
}

// refusedError is a connection or host the fetch settings do not allow.
type refusedError struct{ msg string }

func (e *refusedError) Error() string { return e.msg }

// checkHost applies the scheme rule and the allow and deny lists.
func (f *fetcher) checkHost(u *url.URL) error {
	if u.Scheme != "http" && u.Scheme != "https" {
		return &refusedError{fmt.Sprintf("only http and https URLs can be fetched, not %q", u.Scheme)}
	}
	host := strings.ToLower(u.Hostname())
	if matchHost(f.opts.Deny, host) {
		return &refusedError{fmt.Sprintf("host %s is denied by the fetch settings", host)}
	}
	if len(f.opts.Allow) > 0 && !matchHost(f.opts.Allow, host) {
		return &refusedError{fmt.Sprintf("host %s is not in the fetch allow list", host)}
	}
	return nil
}

func matchHost(patterns []string, host string) bool {
	for _, p := range patterns {
		p = strings.ToLower(strings.TrimSpace(p))
		if p == host || strings.HasPrefix(p, "*.") && strings.HasSuffix(host, p[1:]) {
			return true
		}
	}
	return false
}

// fetchRequest is what the prelude's fetch passes to Go.
type fetchRequest struct {
	url, method string
	headers     [][2]string
	body        []byte
	timeout     time.Duration
	manual      bool // redirect: 'manual'
}

// do performs the request; the response holds at most MaxResponse bytes.
func (f *fetcher) do(ctx context.Context, fr *fetchRequest) (*http.Response, []byte, error) {
	u, err := url.Parse(fr.url)
	if err != nil {
		return nil, nil, fmt.Errorf("invalid URL %q", fr.url)
	}
	if err := f.checkHost(u); err != nil {
		return nil, nil, err
	}
	timeout := f.opts.Timeout
	if fr.timeout > 0 && fr.timeout < timeout {
		timeout = fr.timeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, fr.method, u.String(), bytes.NewReader(fr.body))
	if err != nil {
		return nil, nil, err
	}
	if fr.body == nil {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	for _, h := range fr.headers {
		req.Header.Add(h[0], h[1])
	}
	client := f.client
	if fr.manual {
		c := *client
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		client = &c
	}
	resp, err := client.Do(req)
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, nil, fmt.Errorf("no response within %v", timeout)
		}
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, f.opts.MaxResponse+1))
	if err != nil {
		return nil, nil, fmt.Errorf("read response: %w", err)
	}
	if int64(len(body)) > f.opts.MaxResponse {
		return nil, nil, fmt.Errorf("the response body is over %d bytes", f.opts.MaxResponse)
	}
	return resp, body, nil
}

// Bounds on the headers of one fetch request.
const (
	maxHeaders     = 1000
	maxHeaderBytes = 256 << 10
)

// headerPairs reads the prelude's [[name, value]…] (from the function's
// Headers object, whose methods it may have replaced): pairs of strings,
// at most maxHeaders of them and maxHeaderBytes in all.
func (in *instance) headerPairs(h *goja.Object) [][2]string {
	n := toLength(h.Get("length"))
	if n > maxHeaders {
		panic(in.jsError("TypeError", fmt.Sprintf("fetch failed: more than %d headers", maxHeaders)))
	}
	var pairs [][2]string
	size := 0
	for i := int64(0); i < n; i++ {
		p, ok := h.Get(strconv.FormatInt(i, 10)).(*goja.Object)
		if !ok || toLength(p.Get("length")) != 2 {
			panic(in.jsError("TypeError", "invalid headers"))
		}
		name, value := p.Get("0").String(), p.Get("1").String()
		if size += len(name) + len(value); size > maxHeaderBytes {
			panic(in.jsError("TypeError", fmt.Sprintf("fetch failed: the request headers are over %d bytes", maxHeaderBytes)))
		}
		pairs = append(pairs, [2]string{name, value})
	}
	return pairs
}

// nativeFetch is the prelude's natives.fetch(url, method, headers, body,
// timeoutMs, redirect): a promise of {status, statusText, url, redirected,
// headers: [[name, value]…], body: ArrayBuffer}. Failures reject with
// TypeError("fetch failed: …"), as Node's fetch.
func (in *instance) nativeFetch(call goja.FunctionCall) goja.Value {
	fr := &fetchRequest{url: call.Argument(0).String(), method: strings.ToUpper(call.Argument(1).String())}
	if h, ok := call.Argument(2).(*goja.Object); ok {
		fr.headers = in.headerPairs(h)
	}
	if b := call.Argument(3); !goja.IsUndefined(b) && !goja.IsNull(b) {
		max := in.rt.fetch.opts.MaxRequest
		if view, ok := in.viewBytes(b); ok && len(view) <= max {
			fr.body = bytes.Clone(view) // the request is sent after the function goes on
		} else if !ok && goja.IsString(b) && len(b.String()) <= max {
			fr.body = []byte(b.String())
		} else if ok || goja.IsString(b) {
			panic(in.jsError("TypeError", fmt.Sprintf("fetch failed: the request body is over %d bytes", max)))
		} else {
			panic(in.jsError("TypeError", "fetch: body must be a string, ArrayBuffer, TypedArray, Buffer or URLSearchParams"))
		}
	}
	if ms := call.Argument(4).ToFloat(); ms > 0 {
		fr.timeout = time.Duration(ms * float64(time.Millisecond))
	}
	fr.manual = call.Argument(5).String() == "manual"
	return in.loop.async(func(ctx context.Context) func(*goja.Runtime) (goja.Value, error) {
		resp, body, err := in.rt.fetch.do(ctx, fr)
		return func(vm *goja.Runtime) (goja.Value, error) {
			if err != nil {
				return nil, &jsError{in.jsError("TypeError", "fetch failed: "+err.Error())}
			}
			o := vm.NewObject()
			o.Set("status", resp.StatusCode)
			o.Set("statusText", strings.TrimSpace(strings.TrimPrefix(resp.Status, fmt.Sprint(resp.StatusCode))))
			o.Set("url", resp.Request.URL.String())
			o.Set("redirected", resp.Request.URL.String() != fr.url)
			var hs []any
			for k, vs := range resp.Header {
				for _, v := range vs {
					hs = append(hs, []any{strings.ToLower(k), v})
				}
			}
			o.Set("headers", hs)
			o.Set("body", vm.NewArrayBuffer(body))
			return o, nil
		}
	})
}
