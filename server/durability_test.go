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
	"mime/multipart"
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
	return startServerCmd(t, exec.Command(bin, "serve", "--dir", dir, "--http", addr), addr, env)
}

// startServerCmd starts cmd, a minibase serve on addr, with env added to
// the test's environment.
func startServerCmd(t *testing.T, cmd *exec.Cmd, addr string, env []string) *server {
	t.Helper()
	s := &server{addr: addr, key: testKey, out: &syncBuffer{}, cmd: cmd}
	s.cmd.Env = append(os.Environ(), env...)
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.cmd.Process.Kill(); s.cmd.Wait() })
	// The child's output reaches s.out through a pipe, after the fact: wait
	// for the "serving on" line, which serve prints after everything it says
	// at start, and for an answer.
	deadline := time.Now().Add(waitLimit)
	for !strings.Contains(s.out.String(), "serving on") || !healthy(addr) {
		if time.Now().After(deadline) {
			t.Fatalf("server did not say it serves and answer within %v; output:\n%s", waitLimit, s.out)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return s
}

// waitLimit bounds each wait for an event (a start, an exit, an answer):
// far more than any takes, even on a loaded machine, so that only an event
// that never comes fails a test.
const waitLimit = 60 * time.Second

func healthy(addr string) bool {
	resp, err := client.Get("http://" + addr + "/v1/health")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == 200
}

var client = &http.Client{Timeout: waitLimit}

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
		stopped  = make(chan struct{})
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
	go func() { wg.Wait(); close(stopped) }()
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(acked) }
	select {
	case <-underway:
	case <-stopped:
		t.Fatalf("the writers stopped after %d acknowledged writes, before the kill; output:\n%s", count(), s.out)
	case <-time.After(waitLimit):
		t.Fatalf("only %d writes acknowledged in %v; the load did not run", count(), waitLimit)
	}
	s.cmd.Process.Signal(syscall.SIGKILL)
	close(stop)
	<-stopped
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

// TestGracefulShutdown: SIGTERM lets the server finish the requests in
// progress and close cleanly, without waiting for clients that hold a
// connection open with no request on it (an HTTP client's spare or idle
// keep-alive connection; fasthttp alone waits for one that never sent a
// request until the shutdown's 30 s run out). An upload whose body is
// held back keeps a request in progress: the server closes the two
// connections without a request while it waits for that one, so they are
// closed by the server and not by its exit.
func TestGracefulShutdown(t *testing.T) {
	bin, dir, addr := binary(t), t.TempDir(), freeAddr(t)
	s := startServerEnv(t, bin, dir, addr, []string{"MINIBASE_ADMIN_KEY=" + testKey, "MINIBASE_UPLOAD_IDLE_TIMEOUT=1h", "MINIBASE_HEADER_TIMEOUT=1h"})
	if code, _, _ := s.post("/v1/db/c/insert", `{"data":{"_id":"x"}}`); code != 200 {
		t.Fatalf("insert: %d", code)
	}
	silent := dial(t, addr) // connects, never sends a request
	idle := dial(t, addr)   // one keep-alive request, then idle
	fmt.Fprintf(idle, "GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
	if _, err := http.ReadResponse(bufio.NewReader(idle), nil); err != nil {
		t.Fatal(err)
	}
	upload := dial(t, addr)
	head, rest := heldUpload(t, "held.bin", 64<<10)
	if _, err := upload.Write(head); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the upload to be stored (a file in storage/tmp)", func() bool {
		files, _ := os.ReadDir(filepath.Join(dir, "storage", "tmp"))
		return len(files) > 0
	})

	s.cmd.Process.Signal(syscall.SIGTERM)
	exited := make(chan error, 1)
	go func() { exited <- s.cmd.Wait() }()
	for name, c := range map[string]net.Conn{"a connection that never sent a request": silent, "an idle keep-alive connection": idle} {
		c.SetReadDeadline(time.Now().Add(waitLimit))
		if n, err := c.Read(make([]byte, 1)); err != io.EOF {
			t.Fatalf("%s after SIGTERM: read %d bytes, %v; want it closed by the server (EOF)", name, n, err)
		}
	}
	select {
	case err := <-exited:
		t.Fatalf("the server exited (%v) before the upload in progress finished\n%s", err, s.out)
	default: // it cannot exit while it waits for the upload
	}
	if _, err := upload.Write(rest); err != nil {
		t.Fatal(err)
	}
	upload.SetReadDeadline(time.Now().Add(waitLimit))
	resp, err := http.ReadResponse(bufio.NewReader(upload), nil)
	if err != nil {
		t.Fatalf("the upload in progress at SIGTERM: %v", err)
	}
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(raw), "cloud://minibase.default/held.bin") {
		t.Fatalf("the upload in progress at SIGTERM: %d %s", resp.StatusCode, raw)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, s.out)
		}
	case <-time.After(waitLimit):
		t.Fatalf("server did not exit within %v of SIGTERM and the end of the last request", waitLimit)
	}
	if fi, err := os.Stat(filepath.Join(dir, "data.db-wal")); err == nil && fi.Size() != 0 {
		t.Errorf("WAL not checkpointed on clean shutdown: %d bytes", fi.Size())
	}
	s2 := startServer(t, bin, dir, addr)
	if code, _, _ := s2.do("GET", "/v1/db/c/docs/x", ""); code != 200 {
		t.Errorf("document lost after clean restart: %d", code)
	}
	if code, _, _ := s2.do("GET", "/v1/storage/download?fileID=cloud://minibase.default/held.bin", ""); code != 200 {
		t.Errorf("the file uploaded during the shutdown, after a restart: %d", code)
	}
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// heldUpload is an upload of size bytes to cloudPath as raw HTTP, cut in
// two: head (the request's head, the form's fields and the file's first
// half, enough for the server to start the handler) and rest.
func heldUpload(t *testing.T, cloudPath string, size int) (head, rest []byte) {
	t.Helper()
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	mw.WriteField("cloudPath", cloudPath)
	fw, err := mw.CreateFormFile("file", cloudPath)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(bytes.Repeat([]byte("x"), size))
	mw.Close()
	req := fmt.Sprintf("POST /v1/storage/upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n",
		testKey, mw.FormDataContentType(), form.Len())
	body := form.Bytes()
	cut := len(body) / 2
	return append([]byte(req), body[:cut]...), body[cut:]
}

// waitUntil polls until cond holds, failing the test after waitLimit.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(waitLimit); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("still waiting for %s after %v", what, waitLimit)
		}
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
