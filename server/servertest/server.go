package servertest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"minibase/auth"
	"minibase/server"
	"minibase/storage/s3/miniotest"
)

// AdminKey is the admin key of every server the harness opens (Admin
// sends it).
const AdminKey = "servertest-admin-key-0123456789"

// RequestTimeout bounds each request the harness sends, and WaitTimeout
// each WaitFor: a server that hangs fails the test instead of hanging it.
const (
	RequestTimeout = 60 * time.Second
	WaitTimeout    = 30 * time.Second
)

// Options change the server a test opens; the zero value is the defaults
// of `minibase serve`, with the harness's own defaults (see New).
type Options struct {
	// Env holds MINIBASE_* settings, parsed as `minibase serve` parses its
	// environment (a bad value fails the test).
	Env map[string]string
	// Config changes the parsed Config last: fields without a setting.
	Config func(*server.Config)
	// Clock, when set, is the time of auth (tokens, codes, rate limits)
	// and storage (signed URLs); others read the real time. A clock moved
	// in one scenario stays moved: give each scenario a clock of its own.
	Clock *Clock
	// MinIO, when set, is the file store: its bucket "files", under a
	// fresh prefix per server (Env's MINIBASE_S3_PREFIX, when set, is the
	// prefix instead: servers sharing one see the same files).
	MinIO *miniotest.Server
	// Log receives the server log; nil discards it.
	Log *slog.Logger
	// Listen serves the server on a 127.0.0.1 socket with Server.Run, so
	// that its background work runs (timers, database triggers) and
	// requests go through a real connection. Without it, requests go to
	// the app directly (app.Test) and nothing runs in the background.
	Listen bool
	// Dir is the data directory; empty: a new one under t.TempDir, holding
	// a copy of a freshly initialised one.
	Dir string
}

// Server is a minibase server opened for a test: the real app on a
// temporary data directory (SQLite, files on disk), closed when the test
// ends.
type Server struct {
	Server *server.Server // the server itself: Config, App, Router
	URL    string         // http://127.0.0.1:port with Options.Listen, else ""

	opts   Options
	tb     testing.TB
	stop   func() // ends Run and waits for it (Listen)
	client *http.Client

	mu       sync.Mutex
	sessions map[Identity]*Session // identities signed in (identity.go)
}

// cheapPasswords hash passwords at argon2id's cheapest: scenarios sign up
// users by the dozen; auth's own tests and benchmark cover the real cost.
var cheapPasswords = auth.PasswordParams{Time: 1, Memory: 64, Threads: 1}

// New opens a server for tb with opts, closing it at the end of tb. Unless
// opts say otherwise, its admin key is AdminKey, it keeps no disk reserve,
// it has no request rate limits (MINIBASE_RATE_<GROUP>; sign-in's own
// limits stay), and it hashes passwords at the cheapest cost.
func New(tb testing.TB, opts Options) *Server {
	tb.Helper()
	s := &Server{opts: opts, tb: tb, sessions: map[Identity]*Session{}}
	if s.opts.Dir == "" {
		s.opts.Dir = tb.TempDir()
		if err := copyTemplate(s.opts); err != nil {
			tb.Fatalf("servertest: data directory: %v", err)
		}
	}
	if s.opts.MinIO != nil {
		s.opts.Env = withS3(s.opts.Env, s.opts.MinIO)
	}
	s.open(tb)
	tb.Cleanup(s.close)
	return s
}

// Restart closes the server and opens it again on the same data directory
// with the same options, as a restarted minibase: what it stored is there,
// and the identities signed in are still signed in. With Listen, it serves
// on a new port (URL).
func (s *Server) Restart(tb testing.TB) {
	tb.Helper()
	s.close()
	s.open(tb)
}

// open opens s.Server, and serves it with Listen.
func (s *Server) open(tb testing.TB) {
	tb.Helper()
	cfg, err := config(s.opts)
	if err != nil {
		tb.Fatalf("servertest: settings: %v", err)
	}
	log := s.opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	srv := &server.Server{Config: cfg, Out: io.Discard, Log: log}
	if err := srv.Open(context.Background()); err != nil {
		srv.Close()
		tb.Fatalf("servertest: open: %v", err)
	}
	s.Server, s.stop, s.URL, s.client = srv, nil, "", nil
	if s.opts.Listen {
		s.listen(tb)
	}
}

// config is the Config opts describe, over the harness's defaults.
func config(opts Options) (server.Config, error) {
	defaults := map[string]string{"MINIBASE_ADMIN_KEY": AdminKey, "MINIBASE_DISK_RESERVE": "0"}
	for _, g := range []string{"DB", "STORAGE", "FUNCTIONS", "AUTH", "WATCH"} {
		defaults["MINIBASE_RATE_"+g] = "off" // tests and benchmarks send fast; rate limits' tests set them
	}
	cfg, err := server.ParseConfig(nil, func(name string) string {
		if v, ok := opts.Env[name]; ok {
			return v
		}
		return defaults[name]
	})
	if err != nil {
		return cfg, err
	}
	cfg.Dir = opts.Dir
	cfg.Auth.Password = cheapPasswords
	if opts.Clock != nil {
		cfg.Auth.Now, cfg.Storage.Now = opts.Clock.Now, opts.Clock.Now
	}
	if opts.Config != nil {
		opts.Config(&cfg)
	}
	return cfg, nil
}

// withS3 is env with the S3 settings of a fresh prefix in m's bucket
// "files".
func withS3(env map[string]string, m *miniotest.Server) map[string]string {
	prefix := make([]byte, 8)
	rand.Read(prefix)
	out := map[string]string{
		"MINIBASE_STORAGE": "s3", "MINIBASE_S3_ENDPOINT": m.Endpoint, "MINIBASE_S3_BUCKET": "files",
		"MINIBASE_S3_ACCESS_KEY": m.AccessKey, "MINIBASE_S3_SECRET_KEY": m.SecretKey,
		"MINIBASE_S3_PATH_STYLE": "true", "MINIBASE_S3_PREFIX": hex.EncodeToString(prefix),
	}
	for k, v := range env {
		out[k] = v
	}
	return out
}

// listen runs the server on a 127.0.0.1 port until close.
func (s *Server) listen(tb testing.TB) {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("servertest: listen: %v", err)
	}
	s.Server.Listener = ln
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Server.Run(ctx) }()
	s.URL = "http://" + ln.Addr().String()
	s.client = &http.Client{Timeout: RequestTimeout}
	s.stop = func() {
		cancel()
		if err := <-done; err != nil {
			s.tb.Errorf("servertest: run: %v", err)
		}
		s.client.CloseIdleConnections()
	}
}

// Close closes the server now rather than when the test ends (which
// then does nothing more).
func (s *Server) Close() { s.close() }

// close ends Run (with Listen) and closes the server.
func (s *Server) close() {
	if s.stop != nil {
		s.stop()
		s.stop = nil
	}
	if s.Server != nil {
		if err := s.Server.Close(); err != nil {
			s.tb.Errorf("servertest: close: %v", err)
		}
		s.Server = nil
	}
}

// Request is an HTTP request to the server.
type Request struct {
	Method string // GET when empty
	URL    string // a path with its query: /v1/db/posts/query
	// Body is sent as it is when a string, []byte or io.Reader (a reader
	// is sent without a length, chunked over a socket), else as its JSON;
	// nil sends none.
	Body any
	// Header holds request headers; Content-Type is application/json
	// unless set here, and "Host" sets the request's host. A value with
	// newlines is sent as one header line per line: a header given
	// several times ("a\nb").
	Header map[string]string
	As     Identity // who sends it; the zero Identity is a visitor
}

// Response is a response, its body read whole.
type Response struct {
	Status int
	Header http.Header
	Body   string
	Req    string // "METHOD URL", for messages
}

// Do sends r to the server (through its socket with Options.Listen) and
// returns the response. As's identity is signed in first if it is not yet
// (Session). A request that cannot be sent fails the test (tb.Fatalf,
// which only the test's goroutine may call; Do itself is safe for
// concurrent use).
func (s *Server) Do(tb testing.TB, r Request) *Response {
	tb.Helper()
	req := s.request(tb, r)
	var resp *http.Response
	var err error
	if s.client != nil {
		resp, err = s.client.Do(req)
	} else {
		resp, err = s.Server.App().Test(req, int(RequestTimeout/time.Millisecond))
	}
	if err != nil {
		tb.Fatalf("%s %s: %v", req.Method, r.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("%s %s: read the body: %v", req.Method, r.URL, err)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: string(body), Req: req.Method + " " + r.URL}
}

// request builds the http.Request of r.
func (s *Server) request(tb testing.TB, r Request) *http.Request {
	tb.Helper()
	var body io.Reader
	switch b := r.Body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	case []byte:
		body = bytes.NewReader(b)
	case io.Reader:
		body = b
	default:
		j, err := json.Marshal(b)
		if err != nil {
			tb.Fatalf("servertest: %s: body: %v", r.URL, err)
		}
		body = bytes.NewReader(j)
	}
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	var req *http.Request
	if s.client != nil {
		var err error
		if req, err = http.NewRequest(method, s.URL+r.URL, body); err != nil {
			tb.Fatalf("servertest: %v", err)
		}
	} else {
		req = httptest.NewRequest(method, r.URL, body)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range r.Header {
		if strings.EqualFold(k, "Host") {
			req.Host = v
			continue
		}
		req.Header.Del(k)
		for _, line := range strings.Split(v, "\n") {
			req.Header.Add(k, line)
		}
	}
	if tok := s.Token(tb, r.As); tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	return req
}

// JSON decodes the body into v, failing the test when it is not JSON.
func (r *Response) JSON(tb testing.TB, v any) {
	tb.Helper()
	if err := json.Unmarshal([]byte(r.Body), v); err != nil {
		tb.Fatalf("%s: the body is not JSON (%v): %.300s", r.Req, err, r.Body)
	}
}

// Value is the JSON value at a dotted path of the body ("user.uid",
// "data.0._id"), nil when the body is not JSON or has nothing there:
// objects are map[string]any, arrays []any, numbers json.Number.
func (r *Response) Value(path string) any {
	v, err := decode(r.Body)
	if err != nil {
		return nil
	}
	for _, k := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			var i int
			if _, err := fmt.Sscan(k, &i); err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// Str is the string at a dotted path of the body (Value), "" when there is
// none.
func (r *Response) Str(path string) string {
	s, _ := r.Value(path).(string)
	return s
}

// Expect fails the test now unless r has status and its body contains
// want (JSON, as Scenario.Want; "" checks only the status).
func (r *Response) Expect(tb testing.TB, status int, want string) {
	tb.Helper()
	if problems := (&Scenario{Status: status, Want: want}).check(r); len(problems) > 0 {
		tb.Fatalf("%s: %s", r.Req, strings.Join(problems, "; "))
	}
}
