package server

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
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
	"syscall"
	"testing"
	"time"
)

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

// server is a minibase child process.
type server struct {
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

func startServer(t *testing.T, bin, dir, addr string) *server {
	return startServerEnv(t, bin, dir, addr, []string{"MINIBASE_ADMIN_KEY=" + testKey})
}

func startServerEnv(t *testing.T, bin, dir, addr string, env []string) *server {
	t.Helper()
	s := &server{addr: addr, key: testKey, out: &syncBuffer{}}
	s.cmd = exec.Command(bin, "serve", "--dir", dir, "--http", addr)
	s.cmd.Env = append(os.Environ(), env...)
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.cmd.Process.Kill(); s.cmd.Wait() })
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get("http://" + addr + "/v1/health"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("server did not become healthy; output:\n%s", s.out)
	return nil
}

var client = &http.Client{Timeout: 10 * time.Second}

func (s *server) post(path, body string) (int, map[string]any, error) {
	return s.do("POST", path, body)
}

func (s *server) do(method, path, body string) (int, map[string]any, error) {
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

// TestKillDashNine: every write the server acknowledged survives kill -9
// in the middle of a load, and a restart finds collections and indexes.
func TestKillDashNine(t *testing.T) {
	bin, dir, addr := binary(t), t.TempDir(), freeAddr(t)
	s := startServer(t, bin, dir, addr)
	if code, _, err := s.post("/v1/admin/collections/posts/indexes", `{"keys":{"n":1}}`); err != nil || code != 404 {
		t.Fatalf("index on missing collection: %d %v", code, err)
	}
	if code, _, _ := s.post("/v1/admin/collections", `{"name":"posts"}`); code != 200 {
		t.Fatalf("create collection: %d", code)
	}
	if code, _, _ := s.post("/v1/admin/collections/posts/indexes", `{"keys":{"n":1}}`); code != 200 {
		t.Fatalf("create index: %d", code)
	}
	// The kill comes once the load is well under way: when the writers
	// have had enough writes acknowledged, whatever time that takes.
	const enough = 500
	var (
		mu       sync.Mutex
		acked    []string
		wg       sync.WaitGroup
		stop     = make(chan struct{})
		underway = make(chan struct{})
	)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 100000; i++ { // bounded; the kill ends it first
				select {
				case <-stop:
					return
				default:
				}
				id := fmt.Sprintf("w%d-%d", w, i)
				code, _, err := s.post("/v1/db/posts/insert", fmt.Sprintf(`{"data":{"_id":%q,"n":%d}}`, id, i))
				if err != nil {
					return // the server died
				}
				if code == 200 {
					mu.Lock()
					if acked = append(acked, id); len(acked) == enough {
						close(underway)
					}
					mu.Unlock()
				}
			}
		}(w)
	}
	select {
	case <-underway:
	case <-time.After(30 * time.Second):
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		t.Fatalf("only %d writes acknowledged in 30 s; the load did not run", n)
	}
	s.cmd.Process.Signal(syscall.SIGKILL)
	close(stop)
	wg.Wait()
	s.cmd.Wait()

	s2 := startServer(t, bin, dir, addr)
	code, body, err := s2.post("/v1/db/posts/count", `{}`)
	if err != nil || code != 200 {
		t.Fatalf("count after restart: %d %v", code, err)
	}
	if n := int(body["total"].(float64)); n < len(acked) {
		t.Errorf("after kill -9: %d documents, but %d writes were acknowledged", n, len(acked))
	}
	for _, id := range acked {
		if code, _, _ := s2.do("GET", "/v1/db/posts/docs/"+id, ""); code != 200 {
			t.Errorf("acknowledged document %s lost after kill -9 (status %d)", id, code)
		}
	}
	_, idx, _ := s2.do("GET", "/v1/admin/collections/posts/indexes", "")
	if list, _ := idx["data"].([]any); len(list) != 1 {
		t.Errorf("indexes after restart: %v", idx)
	}
	t.Logf("%d acknowledged writes, all present after kill -9", len(acked))
}

// TestGracefulShutdown: SIGTERM lets the server finish and close cleanly,
// without waiting for clients that hold a connection open with no request
// on it (an HTTP client's spare or idle keep-alive connection): fasthttp
// alone gives a connection that never sent a request 5 seconds.
func TestGracefulShutdown(t *testing.T) {
	bin, dir, addr := binary(t), t.TempDir(), freeAddr(t)
	s := startServer(t, bin, dir, addr)
	if code, _, _ := s.post("/v1/db/c/insert", `{"data":{"_id":"x"}}`); code != 200 {
		t.Fatalf("insert: %d", code)
	}
	silent, err := net.Dial("tcp", addr) // connects, never sends a request
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	idle, err := net.Dial("tcp", addr) // one keep-alive request, then idle
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	fmt.Fprintf(idle, "GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
	if _, err := http.ReadResponse(bufio.NewReader(idle), nil); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, s.out)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("shutdown took %v: it waited for connections with no request on them", d)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("server did not exit within 10 s of SIGTERM")
	}
	if _, err := os.Stat(filepath.Join(dir, "data.db-wal")); err == nil {
		if fi, _ := os.Stat(filepath.Join(dir, "data.db-wal")); fi.Size() != 0 {
			t.Errorf("WAL not checkpointed on clean shutdown: %d bytes", fi.Size())
		}
	}
	s2 := startServer(t, bin, dir, addr)
	if code, _, _ := s2.do("GET", "/v1/db/c/docs/x", ""); code != 200 {
		t.Errorf("document lost after clean restart: %d", code)
	}
}

// TestBodyLimit: a body over MINIBASE_BODY_LIMIT is answered 413 with the
// usual JSON error, over a real socket (fasthttp refuses it before routing).
func TestBodyLimit(t *testing.T) {
	bin, dir, addr := binary(t), t.TempDir(), freeAddr(t)
	s := startServerEnv(t, bin, dir, addr, []string{"MINIBASE_ADMIN_KEY=" + testKey, "MINIBASE_BODY_LIMIT=65536"})
	big := `{"data":{"s":"` + strings.Repeat("x", 70<<10) + `"}}`
	code, body, err := s.post("/v1/db/c/insert", big)
	if err != nil || code != 413 || body["code"] != "INVALID_PARAM" {
		t.Fatalf("oversized body: %d %v %v", code, body, err)
	}
	if code, _, _ := s.post("/v1/db/c/insert", `{"data":{"s":"small"}}`); code != 200 {
		t.Errorf("server did not carry on after an oversized body: %d", code)
	}
	if _, body, _ := s.post("/v1/db/c/count", `{}`); body["total"] != 1.0 {
		t.Errorf("count after oversized body: %v", body)
	}
}

// TestDeployZipOverBodyLimit: a function's zip may exceed the API body
// limit (up to functions.MaxZipBytes); other bodies on the same path may not.
func TestDeployZipOverBodyLimit(t *testing.T) {
	bin, dir, addr := binary(t), t.TempDir(), freeAddr(t)
	s := startServerEnv(t, bin, dir, addr, []string{"MINIBASE_ADMIN_KEY=" + testKey, "MINIBASE_BODY_LIMIT=65536"})
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range map[string][]byte{
		"index.js":  []byte("const blob = require('./blob.json'); exports.main = async () => ({ n: blob.length })"),
		"blob.json": []byte(`"` + hex.EncodeToString(randomBytes(t, 100<<10)) + `"`), // incompressible: the zip is > 64 KiB
	} {
		w, _ := zw.Create(name)
		w.Write(body)
	}
	zw.Close()
	if buf.Len() <= 65536 {
		t.Fatalf("zip is %d bytes: the test needs one over the body limit", buf.Len())
	}
	req, _ := http.NewRequest("PUT", "http://"+addr+"/v1/admin/functions/big", &buf)
	req.Header.Set("Authorization", "Bearer "+testKey)
	req.Header.Set("Content-Type", "application/zip")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("deploy of a %d-byte zip: %d %s", buf.Len(), resp.StatusCode, raw)
	}
	if code, body, _ := s.post("/v1/functions/big/invoke", `{}`); code != 200 || body["result"].(map[string]any)["n"] != float64(200<<10) {
		t.Errorf("invoke the deployed function: %d %v", code, body)
	}
	big := `{"data":{"s":"` + strings.Repeat("x", 70<<10) + `"}}`
	if code, _, _ := s.post("/v1/db/c/insert", big); code != 413 {
		t.Errorf("an API body over the limit elsewhere: %d, want 413", code)
	}
}

func randomBytes(t *testing.T, n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}
