package servertest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/textproto"
	"sync"
	"testing"
	"time"
)

// Clock is a time a test sets and moves (Options.Clock).
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock is a clock showing t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Add moves the clock by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// WaitFor waits until cond holds, looking again and again (at first at
// once, then at most every 50 ms), and fails the test when it does not
// within WaitTimeout. Wait on what a test expects to happen (a trigger's
// document, a log record), never on time passing.
func WaitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(WaitTimeout)
	for pause := time.Millisecond; !cond(); pause = min(2*pause, 50*time.Millisecond) {
		if time.Now().After(deadline) {
			tb.Fatalf("waited %v for %s", WaitTimeout, what)
		}
		time.Sleep(pause)
	}
}

// Deploy deploys a function as the admin, from files (name → source:
// "index.js", "package.json", …) and a config (its JSON, or ""), and
// requires success.
func (s *Server) Deploy(tb testing.TB, name string, files map[string]string, config string) {
	tb.Helper()
	body := map[string]any{"files": files}
	if config != "" {
		body["config"] = json.RawMessage(config)
	}
	r := s.Do(tb, Request{Method: "PUT", URL: "/v1/admin/functions/" + name, Body: body, As: Admin})
	r.Expect(tb, 200, fmt.Sprintf(`{"name":%q}`, name))
}

// Upload uploads content to cloudPath as id (POST /v1/storage/upload, to
// the default bucket; query may add "?bucket=…") with content type ctype
// ("" sends none), and returns the response, whatever it is.
func (s *Server) Upload(tb testing.TB, id Identity, query, cloudPath, content, ctype string) *Response {
	tb.Helper()
	body, contentType := Form(Part{Name: "cloudPath", Value: cloudPath},
		Part{Name: "file", Filename: "blob", Type: ctype, Value: content})
	return s.Do(tb, Request{Method: "POST", URL: "/v1/storage/upload" + query, Body: body,
		Header: map[string]string{"Content-Type": contentType}, As: id})
}

// Part is one field of a multipart form: a file when Filename is set.
type Part struct {
	Name, Filename string
	Type           string // the part's Content-Type; "" sends none
	Value          string
}

// Form encodes parts, in order, as multipart/form-data: the body, and the
// request's Content-Type.
func Form(parts ...Part) (body []byte, contentType string) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		disp := fmt.Sprintf(`form-data; name=%q`, p.Name)
		if p.Filename != "" {
			disp += fmt.Sprintf(`; filename=%q`, p.Filename)
		}
		h.Set("Content-Disposition", disp)
		if p.Type != "" {
			h.Set("Content-Type", p.Type)
		}
		pw, _ := w.CreatePart(h) // writes to a bytes.Buffer: no error
		pw.Write([]byte(p.Value))
	}
	w.Close()
	return buf.Bytes(), w.FormDataContentType()
}
