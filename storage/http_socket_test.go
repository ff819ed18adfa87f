//go:build !minibase_fuzz

package storage_test

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"minibase/server/servertest"
)

// socketServer is the server of TestStorageUploadOverSocket: on a real
// socket, files of at most 64 KiB, JSON bodies of at most 64 KiB, uploads
// dropped after 300 ms without a byte.
var socketServer = servertest.Options{Listen: true, Env: map[string]string{"MINIBASE_STORAGE_MAX_SIZE": "64KiB",
	"MINIBASE_BODY_LIMIT": "65536", "MINIBASE_UPLOAD_IDLE_TIMEOUT": "300ms"}}

// streamed is an upload of size bytes to cloudPath; chunked hides its
// length (Transfer-Encoding: chunked, as a streaming client sends).
func streamed(cloudPath string, size int, chunked bool) servertest.Request {
	r := upload(asAdmin, "", cloudPath, strings.Repeat("u", size), "application/octet-stream")
	if chunked {
		r.Body = io.MultiReader(bytes.NewReader(r.Body.([]byte))) // not a *bytes.Reader: the client cannot know the length
	}
	return r
}

// TestStorageUploadOverSocket: uploads stream through a real connection —
// with and without a declared length — the bucket's max size answers 413
// (and the server carries on), the JSON limit still holds for chunked
// bodies, and an upload cut off or stalled by the client leaves no file
// behind.
func TestStorageUploadOverSocket(t *testing.T) {
	var scenarios []servertest.Scenario
	for _, chunked := range []bool{false, true} {
		scenarios = append(scenarios,
			sends(streamed("ok.bin", 60<<10, chunked), servertest.Scenario{Name: fmt.Sprintf("60 KiB, chunked=%v", chunked),
				Options: socketServer, Status: 200, Want: `{"fileID":"cloud://minibase.default/ok.bin"}`}),
			sends(streamed("big.bin", 200<<10, chunked), servertest.Scenario{Name: fmt.Sprintf("200 KiB, chunked=%v", chunked),
				Options: socketServer, Status: 413, Want: `{"code":"STORAGE_FILE_TOO_LARGE"}`,
				After: servertest.Then(
					servertest.Scenario{Name: "the oversized file", URL: download("cloud://minibase.default/big.bin"), As: asAdmin, Status: 404},
					sends(streamed("ok.bin", 60<<10, chunked), servertest.Scenario{Name: "the server carries on", Status: 200}))}))
	}
	// A chunked JSON body over MINIBASE_BODY_LIMIT: 413, as with a length.
	scenarios = append(scenarios, servertest.Scenario{Name: "chunked JSON over the body limit", Options: socketServer,
		Method: "POST", URL: "/v1/db/c/insert", Body: io.MultiReader(strings.NewReader(`{"data":{"s":"` + strings.Repeat("x", 70<<10) + `"}}`)),
		As: asAdmin, Status: 413})
	servertest.Run(t, scenarios)

	t.Run("cut off", func(t *testing.T) {
		// Headers promise 60 KiB, half arrives, the client hangs up.
		s, conn, tmp := halfAnUpload(t, "cut.bin")
		conn.Close()
		servertest.WaitFor(t, "the cut upload's temporary file to go", func() bool { e, _ := os.ReadDir(tmp); return len(e) == 0 })
		s.Do(t, servertest.Request{URL: download("cloud://minibase.default/cut.bin"), As: asAdmin}).Expect(t, 404, "")
	})
	t.Run("stalled", func(t *testing.T) {
		// Half the body, then nothing. The server gives up after the idle
		// timeout, drops the partial file, answers 408 without naming a
		// socket, and closes the connection.
		s, conn, tmp := halfAnUpload(t, "stalled.bin")
		servertest.WaitFor(t, "the stalled upload's temporary file to go", func() bool { e, _ := os.ReadDir(tmp); return len(e) == 0 })
		conn.SetReadDeadline(time.Now().Add(servertest.WaitTimeout))
		rest, err := io.ReadAll(conn)
		if err != nil || !strings.Contains(string(rest), " 408 ") || strings.Contains(string(rest), "127.0.0.1") {
			t.Errorf("stalled upload: answer %q, %v; want a 408 naming no address, and the connection closed", rest, err)
		}
		s.Do(t, servertest.Request{URL: download("cloud://minibase.default/stalled.bin"), As: asAdmin}).Expect(t, 404, "")
		s.Do(t, servertest.Request{URL: "/v1/health"}).Expect(t, 200, "")
	})
}

// halfAnUpload opens a server (socketServer) and sends it, over a
// connection of its own, the headers of a 60 KiB upload to cloudPath and
// half its body; it returns once the upload's temporary file is there
// (in tmp).
func halfAnUpload(t *testing.T, cloudPath string) (*servertest.Server, net.Conn, string) {
	t.Helper()
	s := servertest.New(t, socketServer)
	body, ct := servertest.Form(servertest.Part{Name: "cloudPath", Value: cloudPath},
		servertest.Part{Name: "file", Filename: "blob", Type: "application/octet-stream", Value: strings.Repeat("c", 60<<10)})
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	fmt.Fprintf(conn, "POST /v1/storage/upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n",
		servertest.AdminKey, ct, len(body))
	conn.Write(body[:len(body)/2])
	tmp := filepath.Join(s.Server.Config.Dir, "storage", "tmp")
	servertest.WaitFor(t, "the upload's temporary file", func() bool { e, _ := os.ReadDir(tmp); return len(e) > 0 })
	return s, conn, tmp
}
