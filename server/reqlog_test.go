package server_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"minibase/server/servertest"
)

// lockedBuffer is a log destination for a server under test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// requestLines are the request log's lines in buf, each parsed as JSON
// (a line that is not fails the test).
func requestLines(t *testing.T, buf *lockedBuffer) []map[string]any {
	t.Helper()
	buf.mu.Lock()
	defer buf.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(buf.b.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("a log line is not JSON: %v\n%s", err, line)
		}
		if m["msg"] == "request" {
			if len(line) > 1024 {
				t.Errorf("a request line of %d bytes: %s", len(line), line)
			}
			out = append(out, m)
		}
	}
	return out
}

// logServer is a server whose log is JSON in buf, with MINIBASE_REQUEST_LOG=mode.
func logServer(t *testing.T, mode string) (*servertest.Server, *lockedBuffer) {
	buf := &lockedBuffer{}
	s := servertest.New(t, servertest.Options{Env: map[string]string{"MINIBASE_REQUEST_LOG": mode},
		Log: slog.New(slog.NewJSONHandler(buf, nil))})
	return s, buf
}

// With all: one JSON line per request with the route's pattern (never
// the raw path, its ids or its query), method, status, duration, bytes,
// the request id and the client's address; a hostile path and request id
// leave it bounded.
func TestRequestLogAll(t *testing.T) {
	s, buf := logServer(t, "all")
	admin := servertest.Admin
	s.Do(t, servertest.Request{Method: "POST", URL: "/v1/db/posts/insert", Body: `{"data":{"_id":"secret-id-1"}}`, As: admin}).Expect(t, 200, "")
	s.Do(t, servertest.Request{Method: "GET", URL: "/v1/db/posts/docs/secret-id-1?token=hunter2", As: admin,
		Header: map[string]string{"X-Request-Id": "req-42"}}).Expect(t, 200, "")
	long := "/" + strings.Repeat("a", 3000)
	s.Do(t, servertest.Request{Method: "GET", URL: long, Header: map[string]string{"X-Request-Id": strings.Repeat("x", 500)}}).Expect(t, 404, "")
	lines := requestLines(t, buf)
	if len(lines) != 3 {
		t.Fatalf("%d request lines, want 3: %v", len(lines), lines)
	}
	get := lines[1]
	want := map[string]any{"method": "GET", "route": "/v1/db/:coll/docs/:id", "status": 200.0, "requestId": "req-42", "level": "INFO"}
	for k, v := range want {
		if get[k] != v {
			t.Errorf("line %v: %s = %v, want %v", get, k, get[k], v)
		}
	}
	for _, k := range []string{"ms", "bytes", "ip", "time"} {
		if _, ok := get[k]; !ok {
			t.Errorf("line %v lacks %s", get, k)
		}
	}
	if b, _ := get["bytes"].(float64); b < 10 {
		t.Errorf("bytes %v, want the body's size", get["bytes"])
	}
	if lines[2]["route"] != "unmatched" || lines[2]["status"] != 404.0 {
		t.Errorf("an unknown path's line: %v", lines[2])
	}
	all := buf.b.String()
	for _, leak := range []string{"secret-id-1", "hunter2", "aaaaaaaaaa", "xxxxxxxxxx"} {
		if strings.Contains(all, leak) {
			t.Errorf("the request log holds %q", leak)
		}
	}
}

// sampled:N logs exactly one request in N (the 1st, N+1th, …): counted,
// not random.
func TestRequestLogSampled(t *testing.T) {
	s, buf := logServer(t, "sampled:4")
	for range 40 {
		s.Do(t, servertest.Request{Method: "GET", URL: "/v1/health"}).Expect(t, 200, "")
	}
	if got := len(requestLines(t, buf)); got != 10 {
		t.Errorf("%d lines for 40 requests with sampled:4, want 10", got)
	}
}

// errors logs the answers of 400 or more only; off (the default) logs
// none.
func TestRequestLogErrorsAndOff(t *testing.T) {
	for _, tc := range []struct {
		mode string
		want []float64
	}{{"errors", []float64{404, 403}}, {"off", nil}} {
		t.Run(tc.mode, func(t *testing.T) {
			s, buf := logServer(t, tc.mode)
			s.Do(t, servertest.Request{Method: "GET", URL: "/v1/health"}).Expect(t, 200, "")
			s.Do(t, servertest.Request{Method: "GET", URL: "/nope"}).Expect(t, 404, "")
			s.Do(t, servertest.Request{Method: "GET", URL: "/metrics"}).Expect(t, 403, "")
			lines := requestLines(t, buf)
			if len(lines) != len(tc.want) {
				t.Fatalf("%d lines, want %d: %v", len(lines), len(tc.want), lines)
			}
			for i, st := range tc.want {
				if lines[i]["status"] != st {
					t.Errorf("line %d: status %v, want %v", i, lines[i]["status"], st)
				}
			}
		})
	}
}
