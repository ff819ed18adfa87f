package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The commands are tested as a user runs them: the minibase binary, on a
// real server it started.

const testKey = "test-admin-key-0123456789"

// binary returns the minibase binary under test: $MINIBASE_BIN (make test
// builds it with the Dockerfile's flags) or a fresh static build.
func binary(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("MINIBASE_BIN"); p != "" {
		return p
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "minibase-test-bin")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "minibase")
		cmd := exec.Command("go", "build", "-trimpath", "-o", builtBin, "minibase")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if b, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("build: %v\n%s", err, b)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// serverProc is a minibase child process.
type serverProc struct {
	cmd  *exec.Cmd
	addr string
	key  string
	out  *syncBuffer
}

// syncBuffer is a bytes.Buffer safe for the child's writes and our reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func startServer(t *testing.T, bin, dir, addr string) *serverProc {
	return startServerEnv(t, bin, dir, addr, []string{"MINIBASE_ADMIN_KEY=" + testKey})
}

func startServerEnv(t *testing.T, bin, dir, addr string, env []string) *serverProc {
	t.Helper()
	s := &serverProc{addr: addr, key: testKey, out: &syncBuffer{}}
	s.cmd = exec.Command(bin, "serve", "--dir", dir, "--http", addr)
	s.cmd.Env = append(os.Environ(), env...)
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.cmd.Process.Kill(); s.cmd.Wait() })
	// The child's output reaches s.out through a pipe, after the fact: wait
	// for the "serving on" line, which serve prints after everything it says
	// at start (a generated key), and for an answer.
	deadline := time.Now().Add(startTimeout)
	for !strings.Contains(s.out.String(), "serving on") || !healthy(addr) {
		if time.Now().After(deadline) {
			t.Fatalf("server did not say it serves and answer within %v; output:\n%s", startTimeout, s.out)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return s
}

// startTimeout bounds the wait for a server to start: far more than it
// takes, even on a loaded machine.
const startTimeout = 60 * time.Second

func healthy(addr string) bool {
	resp, err := client.Get("http://" + addr + "/v1/health")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == 200
}

// client bounds each request, so that a hung server fails a test instead of
// hanging it: far more than any request takes, even on a loaded machine.
var client = &http.Client{Timeout: 60 * time.Second}

func (s *serverProc) post(path, body string) (int, map[string]any, error) {
	return s.do("POST", path, body)
}

func (s *serverProc) do(method, path, body string) (int, map[string]any, error) {
	req, _ := http.NewRequest(method, "http://"+s.addr+path, bytes.NewBufferString(body))
	req.Header.Set("Authorization", "Bearer "+s.key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	json.Unmarshal(raw, &m)
	return resp.StatusCode, m, nil
}
