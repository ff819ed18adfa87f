package server

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// postUpload sends an upload to a running server; chunked hides the
// length (Transfer-Encoding: chunked, as a streaming client sends).
func postUpload(t *testing.T, s *server, cloudPath string, size int, chunked bool) (int, string) {
	t.Helper()
	body, ct := fileForm(cloudPath, strings.Repeat("u", size), "application/octet-stream")
	var r io.Reader = bytes.NewReader(body)
	if chunked {
		r = io.MultiReader(r) // not a *bytes.Reader: the client cannot know the length
	}
	req, _ := http.NewRequest("POST", "http://"+s.addr+"/v1/storage/upload", r)
	req.Header.Set("Authorization", "Bearer "+s.key)
	req.Header.Set("Content-Type", ct)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("upload %s: %v", cloudPath, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

// TestStorageUploadOverSocket: uploads stream through a real connection —
// with and without a declared length — the bucket's max size answers 413
// (and the server carries on), the JSON limit still holds for chunked
// bodies, and an upload cut off or stalled by the client leaves no file
// behind.
func TestStorageUploadOverSocket(t *testing.T) {
	bin, dir, addr := binary(t), t.TempDir(), freeAddr(t)
	s := startServerEnv(t, bin, dir, addr, []string{"MINIBASE_ADMIN_KEY=" + testKey, "MINIBASE_STORAGE_MAX_SIZE=64KiB",
		"MINIBASE_BODY_LIMIT=65536", "MINIBASE_UPLOAD_IDLE_TIMEOUT=300ms"})
	for _, chunked := range []bool{false, true} {
		name := fmt.Sprintf("chunked=%v", chunked)
		if code, body := postUpload(t, s, "ok.bin", 60<<10, chunked); code != 200 {
			t.Fatalf("%s: 60 KiB: %d %s", name, code, body)
		}
		if code, body := postUpload(t, s, "big.bin", 200<<10, chunked); code != 413 || !strings.Contains(body, "STORAGE_FILE_TOO_LARGE") {
			t.Errorf("%s: 200 KiB: %d %s, want 413", name, code, body)
		}
		if code, _, err := s.do("GET", "/v1/storage/download?fileID=cloud://minibase.default/big.bin", ""); err != nil || code != 404 {
			t.Errorf("%s: the oversized file: %d %v, want 404", name, code, err)
		}
	}
	// A chunked JSON body over MINIBASE_BODY_LIMIT: 413, as with a length.
	req, _ := http.NewRequest("POST", "http://"+addr+"/v1/db/c/insert",
		io.MultiReader(strings.NewReader(`{"data":{"s":"`+strings.Repeat("x", 70<<10)+`"}}`)))
	req.Header.Set("Authorization", "Bearer "+testKey)
	if resp, err := client.Do(req); err != nil || resp.StatusCode != 413 {
		t.Errorf("chunked JSON over the limit: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}

	// Cut off: headers promise 60 KiB, half arrives, the client hangs up.
	body, ct := fileForm("cut.bin", strings.Repeat("c", 60<<10), "application/octet-stream")
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "POST /v1/storage/upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n",
		testKey, ct, len(body))
	conn.Write(body[:len(body)/2])
	tmp := filepath.Join(dir, "storage", "tmp")
	waitFor(t, "the upload's temporary file", func() bool { e, _ := os.ReadDir(tmp); return len(e) > 0 })
	conn.Close()
	waitFor(t, "the cut upload's temporary file to go", func() bool { e, _ := os.ReadDir(tmp); return len(e) == 0 })
	if code, _, _ := s.do("GET", "/v1/storage/download?fileID=cloud://minibase.default/cut.bin", ""); code != 404 {
		t.Errorf("a cut upload was stored: %d", code)
	}

	// Stalled: half the body, then nothing. The server gives up after the
	// idle timeout, drops the partial file and closes the connection.
	conn, err = net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /v1/storage/upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n",
		testKey, ct, len(body))
	conn.Write(body[:len(body)/2])
	waitFor(t, "the stalled upload's temporary file", func() bool { e, _ := os.ReadDir(tmp); return len(e) > 0 })
	waitFor(t, "the stalled upload's temporary file to go", func() bool { e, _ := os.ReadDir(tmp); return len(e) == 0 })
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if rest, err := io.ReadAll(conn); err != nil || !strings.Contains(string(rest), " 400 ") {
		t.Errorf("stalled upload: answer %q, %v; want a 400 and the connection closed", rest, err)
	}
	if code, _, _ := s.do("GET", "/v1/health", ""); code != 200 {
		t.Errorf("server unhealthy after the bad uploads: %d", code)
	}
}

// waitFor polls cond until it holds, failing after 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited 10 s for %s", what)
		}
	}
}
