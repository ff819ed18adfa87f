package functions

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/buffer"
)

// require('http') and require('https') are clients only, over Go's
// net/http with exactly fetch's limits (FetchOptions): http and https
// URLs, the allow and deny lists, every connection's address checked after
// DNS (private addresses refused unless AllowPrivate lists them), the
// request body at most MaxRequest bytes, the response at most MaxResponse,
// the whole exchange within Timeout (and the invocation's deadline). As
// in Node, redirects are not followed here: the packages that follow them
// (follow-redirects under axios, got, request) make a new request per hop,
// each checked. js/node/http.js builds Node's ClientRequest and
// IncomingMessage on one native, request.

// rawBodyChunk is how much of a response one data event carries at most.
const rawBodyChunk = 64 << 10

// httpTLS are the https options a request may carry (its own or its
// agent's): Node's rejectUnauthorized, ca, cert, key and servername.
type httpTLS struct {
	insecure   bool
	ca         [][]byte
	cert, key  []byte
	serverName string
}

func (t *httpTLS) config() (*tls.Config, error) {
	c := &tls.Config{InsecureSkipVerify: t.insecure, ServerName: t.serverName}
	if len(t.ca) > 0 {
		c.RootCAs = x509.NewCertPool()
		for _, pem := range t.ca {
			if !c.RootCAs.AppendCertsFromPEM(pem) {
				return nil, errors.New("the ca option holds no PEM certificate")
			}
		}
	}
	if t.cert != nil || t.key != nil {
		pair, err := tls.X509KeyPair(t.cert, t.key)
		if err != nil {
			return nil, fmt.Errorf("the cert and key options: %w", err)
		}
		c.Certificates = []tls.Certificate{pair}
	}
	return c, nil
}

// httpExchange is one request as the native got it.
type httpExchange struct {
	method  string
	url     *url.URL
	headers [][2]string
	body    []byte
	tls     *httpTLS
}

// transport returns the transport for the exchange: the fetcher's, or a
// one-off with the request's own TLS settings (no connection reuse).
func (f *fetcher) transport(x *httpExchange) (*http.Transport, error) {
	if x.tls == nil {
		return f.raw, nil
	}
	cfg, err := x.tls.config()
	if err != nil {
		return nil, err
	}
	t := f.raw.Clone()
	t.TLSClientConfig = cfg
	t.DisableKeepAlives = true
	return t, nil
}

// roundTrip sends the exchange: Node's semantics (the headers as given, no
// User-Agent unless set, the body's length, no redirects followed) within
// fetch's checks.
func (f *fetcher) roundTrip(ctx context.Context, x *httpExchange) (*http.Response, error) {
	if err := f.checkHost(x.url); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, x.method, x.url.String(), bytes.NewReader(x.body))
	if err != nil {
		return nil, err
	}
	req.ContentLength = int64(len(x.body))
	if len(x.body) == 0 && (x.method == "GET" || x.method == "HEAD" || x.method == "DELETE" || x.method == "OPTIONS") {
		req.Body = http.NoBody
	}
	userAgent := false
	for _, h := range x.headers {
		switch strings.ToLower(h[0]) {
		case "host":
			req.Host = h[1]
		case "content-length", "transfer-encoding":
			// Go writes them for the body it sends.
		case "connection":
			req.Close = strings.EqualFold(strings.TrimSpace(h[1]), "close")
		default:
			if strings.EqualFold(h[0], "user-agent") {
				userAgent = true
			}
			req.Header.Add(h[0], h[1])
		}
	}
	if !userAgent {
		req.Header.Set("User-Agent", "") // Node sends none; Go's default otherwise
	}
	t, err := f.transport(x)
	if err != nil {
		return nil, err
	}
	return t.RoundTrip(req)
}

// httpNatives are js/node/http.js's natives: request(method, url, headers
// [[name, value]…], body (a Buffer, or null), tls ({rejectUnauthorized,
// ca, cert, key, servername}, or null), sink) starts a request and returns
// its abort(); the sink hears head(status, statusText, rawHeaders), then
// data(buffer)… and end(), or error({message, code, …}) — nothing after
// abort.
func (in *instance) httpNatives() goja.Value {
	vm := in.vm
	return vm.ToValue(map[string]any{"request": in.httpRequest, "maxRequest": in.rt.fetch.opts.MaxRequest})
}

func (in *instance) httpRequest(call goja.FunctionCall) goja.Value {
	vm := in.vm
	x := &httpExchange{method: strings.ToUpper(call.Argument(0).String())}
	u, err := url.Parse(call.Argument(1).String())
	if err != nil || u.Host == "" {
		panic(in.jsError("TypeError", "Invalid URL: "+call.Argument(1).String()))
	}
	x.url = u
	if h, ok := call.Argument(2).(*goja.Object); ok {
		x.headers = in.headerPairs(h)
	}
	if b := call.Argument(3); !goja.IsUndefined(b) && !goja.IsNull(b) {
		view, ok := in.viewBytes(b)
		if !ok || len(view) > in.rt.fetch.opts.MaxRequest {
			panic(in.jsError("RangeError", fmt.Sprintf("the request body is over %d bytes", in.rt.fetch.opts.MaxRequest)))
		}
		x.body = bytes.Clone(view)
	}
	x.tls = in.tlsOptions(call.Argument(4))
	sink := call.Argument(5).ToObject(vm)
	method := func(name string) goja.Callable {
		f, ok := goja.AssertFunction(sink.Get(name))
		if !ok {
			panic(vm.NewTypeError("http: the sink has no " + name))
		}
		return f
	}
	head, data, end, fail := method("head"), method("data"), method("end"), method("error")

	ctx, abort := context.WithCancel(in.cur.context())
	timeout := in.rt.fetch.opts.Timeout
	in.loop.stream(func(_ context.Context, emit func(func(*goja.Runtime) error)) {
		defer abort()
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		resp, err := in.rt.fetch.roundTrip(ctx, x)
		if err != nil {
			info := httpFailure(err, ctx, x.url, timeout, false)
			emit(func(vm *goja.Runtime) error { return callSink(vm, fail, info) })
			return
		}
		defer resp.Body.Close()
		emit(func(vm *goja.Runtime) error {
			return callSink(vm, head, resp.StatusCode, strings.TrimSpace(strings.TrimPrefix(resp.Status, strconv.Itoa(resp.StatusCode))), rawHeaders(resp.Header))
		})
		total, limit := int64(0), in.rt.fetch.opts.MaxResponse
		buf := make([]byte, rawBodyChunk)
		for {
			n, err := resp.Body.Read(buf)
			if n > 0 {
				if total += int64(n); total > limit {
					info := map[string]any{"message": fmt.Sprintf("the response body is over %d bytes (the functions' fetch limit)", limit), "code": "ERR_FR_MAX_BODY_LENGTH_EXCEEDED"}
					emit(func(vm *goja.Runtime) error { return callSink(vm, fail, info) })
					return
				}
				chunk := bytes.Clone(buf[:n])
				emit(func(vm *goja.Runtime) error { return callSink(vm, data, buffer.WrapBytes(vm, chunk)) })
			}
			if err == io.EOF {
				emit(func(vm *goja.Runtime) error { return callSink(vm, end) })
				return
			}
			if err != nil {
				info := httpFailure(err, ctx, x.url, timeout, true)
				emit(func(vm *goja.Runtime) error { return callSink(vm, fail, info) })
				return
			}
		}
	})
	return vm.ToValue(func(goja.FunctionCall) goja.Value {
		abort()
		return goja.Undefined()
	})
}

func callSink(vm *goja.Runtime, f goja.Callable, args ...any) error {
	vals := make([]goja.Value, len(args))
	for i, a := range args {
		if v, ok := a.(goja.Value); ok {
			vals[i] = v
		} else {
			vals[i] = vm.ToValue(a)
		}
	}
	_, err := f(goja.Undefined(), vals...)
	return err
}

// rawHeaders lists a response's headers as Node's rawHeaders: name, value,
// name, value… (Go gives the names in canonical case), sorted by name.
func rawHeaders(h http.Header) []any {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	var out []any
	for _, k := range names {
		for _, v := range h[k] {
			out = append(out, k, v)
		}
	}
	return out
}

// tlsOptions reads the https options of a request, nil when there are
// none (the fetcher's own transport serves it).
func (in *instance) tlsOptions(v goja.Value) *httpTLS {
	o, ok := v.(*goja.Object)
	if !ok {
		return nil
	}
	t := &httpTLS{}
	set := false
	if r := o.Get("rejectUnauthorized"); r != nil && !goja.IsUndefined(r) && !r.ToBoolean() {
		t.insecure, set = true, true
	}
	if s := o.Get("servername"); s != nil && !goja.IsUndefined(s) && !goja.IsNull(s) {
		t.serverName, set = s.String(), true
	}
	pem := func(name string) [][]byte {
		v := o.Get(name)
		if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
			return nil
		}
		var items []goja.Value
		if arr, ok := v.(*goja.Object); ok && arr.ClassName() == "Array" {
			for i := int64(0); i < min(toLength(arr.Get("length")), 1000); i++ {
				items = append(items, arr.Get(strconv.FormatInt(i, 10)))
			}
		} else {
			items = []goja.Value{v}
		}
		var out [][]byte
		for _, it := range items {
			if b, ok := in.viewBytes(it); ok {
				out = append(out, bytes.Clone(b))
			} else {
				out = append(out, []byte(it.String()))
			}
		}
		set = true
		return out
	}
	t.ca = pem("ca")
	if c := pem("cert"); len(c) > 0 {
		t.cert = bytes.Join(c, []byte("\n"))
	}
	if k := pem("key"); len(k) > 0 {
		t.key = bytes.Join(k, []byte("\n"))
	}
	if p := o.Get("pfx"); p != nil && !goja.IsUndefined(p) && !goja.IsNull(p) {
		panic(in.jsError("Error", "https: the pfx option is not supported by minibase: pass the certificate and key as PEM (cert, key)"))
	}
	if !set {
		return nil
	}
	return t
}

// httpFailure describes why an exchange failed as Node's errors do:
// {message, code, errno, syscall, address, port, hostname}.
func httpFailure(err error, ctx context.Context, u *url.URL, timeout time.Duration, afterHead bool) map[string]any {
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	info := map[string]any{}
	var refused *refusedError
	var dns *net.DNSError
	var opErr *net.OpError
	var unknownCA x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	var hostname x509.HostnameError
	var tlsVerify *tls.CertificateVerificationError
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		info["code"], info["errno"], info["syscall"] = "ETIMEDOUT", -110, "connect"
		info["message"] = fmt.Sprintf("the request to %s took longer than %v (the functions' fetch timeout)", host, timeout)
	case errors.As(err, &refused):
		info["code"], info["errno"], info["syscall"] = "EACCES", -13, "connect"
		info["message"] = "connect EACCES " + net.JoinHostPort(host, port) + " - " + refused.msg
	case errors.As(err, &dns):
		code := "EAI_AGAIN"
		if dns.IsNotFound {
			code = "ENOTFOUND"
		}
		info["code"], info["errno"], info["syscall"], info["hostname"] = code, -3008, "getaddrinfo", host
		info["message"] = "getaddrinfo " + code + " " + host
	case errors.Is(err, syscall.ECONNREFUSED):
		addr := net.JoinHostPort(host, port)
		if errors.As(err, &opErr) && opErr.Addr != nil {
			addr = opErr.Addr.String()
		}
		a, p, _ := net.SplitHostPort(addr)
		info["code"], info["errno"], info["syscall"], info["address"] = "ECONNREFUSED", -111, "connect", a
		info["port"], _ = strconv.Atoi(p)
		info["message"] = "connect ECONNREFUSED " + addr
	case errors.As(err, &hostname):
		info["code"], info["message"] = "ERR_TLS_CERT_ALTNAME_INVALID", "Hostname/IP does not match certificate's altnames: "+hostname.Error()
	case errors.As(err, &unknownCA):
		info["code"], info["message"] = "UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "unable to get local issuer certificate"
		if c := unknownCA.Cert; c != nil && bytes.Equal(c.RawIssuer, c.RawSubject) {
			info["code"], info["message"] = "DEPTH_ZERO_SELF_SIGNED_CERT", "self-signed certificate"
		}
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		info["code"], info["message"] = "CERT_HAS_EXPIRED", "certificate has expired"
	case errors.As(err, &tlsVerify):
		info["code"], info["message"] = "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "unable to verify the first certificate: "+tlsVerify.Error()
	case afterHead:
		info["code"], info["message"] = "ECONNRESET", "aborted"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET):
		info["code"], info["errno"], info["syscall"], info["message"] = "ECONNRESET", -104, "read", "socket hang up"
	default:
		info["code"], info["message"] = "ECONNRESET", err.Error()
	}
	return info
}
