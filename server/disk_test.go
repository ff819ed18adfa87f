package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// sendFunc sends a request with the admin key to a server under test.
type sendFunc func(t *testing.T, method, path string, body []byte, header ...string) resp

func (m *Server) sender() sendFunc {
	return func(t *testing.T, method, path string, body []byte, header ...string) resp {
		t.Helper()
		return m.send(t, method, path, testKey, body, header...)
	}
}

func (s *server) sender() sendFunc {
	return func(t *testing.T, method, path string, body []byte, header ...string) resp {
		t.Helper()
		req, _ := http.NewRequest(method, "http://"+s.addr+path, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+s.key)
		req.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		r, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer r.Body.Close()
		b, _ := io.ReadAll(r.Body)
		return resp{status: r.StatusCode, header: r.Header, body: string(b)}
	}
}

// The writes a full disk refuses, each with its area's code, and what
// each would have left behind had it not been refused.
var diskWrites = []struct {
	name, code string
	write      func(t *testing.T, send sendFunc, size int) resp
	absent     string // a GET that must still answer 404
}{
	{"insert", "DATABASE_DISK_FULL", func(t *testing.T, send sendFunc, size int) resp {
		return send(t, "POST", "/v1/db/posts/insert", fmt.Appendf(nil, `{"data":{"_id":"new","text":%q}}`, strings.Repeat("n", size)))
	}, "/v1/db/posts/docs/new"},
	{"upload", "STORAGE_DISK_FULL", func(t *testing.T, send sendFunc, size int) resp {
		body, ct := fileForm("new.bin", strings.Repeat("u", size), "application/octet-stream")
		return send(t, "POST", "/v1/storage/upload", body, "Content-Type", ct)
	}, "/f/default/new.bin"},
	{"deploy", "FUNCTIONS_DISK_FULL", func(t *testing.T, send sendFunc, size int) resp {
		files, _ := json.Marshal(map[string]any{"files": map[string]string{"index.js": "exports.main=()=>1", "data.txt": strings.Repeat("d", size)}})
		return send(t, "PUT", "/v1/admin/functions/newfn", files)
	}, "/v1/admin/functions/newfn"},
}

// seedDisk writes what the disk-full tests delete: 200 documents, a file
// and a function.
func seedDisk(t *testing.T, send sendFunc) {
	t.Helper()
	want(t, "documents", send(t, "POST", "/v1/db/posts/insert", []byte(posts(200))), 200, "")
	body, ct := fileForm("keep.txt", strings.Repeat("k", 10000), "text/plain")
	want(t, "a file", send(t, "POST", "/v1/storage/upload", body, "Content-Type", ct), 200, "")
	want(t, "a function", send(t, "PUT", "/v1/admin/functions/fn", []byte(`{"files":{"index.js":"exports.main=()=>1"}}`)), 200, "")
}

// refusedAndUnchanged checks that the write was refused with 507 and its
// area's code and left nothing behind: no document, file or function, no
// half-written upload or staging folder.
func refusedAndUnchanged(t *testing.T, dir string, send sendFunc, i int, r resp) {
	t.Helper()
	w := diskWrites[i]
	want(t, w.name+" on a full disk", r, 507, fmt.Sprintf(`{"code":%q}`, w.code))
	want(t, w.name+" left nothing", send(t, "GET", w.absent, nil), 404, "")
	want(t, "the documents are all there", send(t, "POST", "/v1/db/posts/count", []byte(`{}`)), 200, `{"total":200}`)
	for _, glob := range []string{"storage/tmp/*", "functions/.deploy-*"} {
		if left, _ := filepath.Glob(filepath.Join(dir, glob)); len(left) > 0 {
			t.Errorf("%s left %v behind", w.name, left)
		}
	}
}

// mountTmpfs mounts a tmpfs of size bytes at a new directory, or says why
// it cannot (mounting needs root or CAP_SYS_ADMIN).
func mountTmpfs(t *testing.T, size int) (string, error) {
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, fmt.Sprintf("size=%d,mode=0700", size)); err != nil {
		return "", err
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	return dir, nil
}

// fill writes a file at path until the disk is full (bounded by max bytes).
func fill(t *testing.T, path string, max int) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := bytes.Repeat([]byte("f"), 64<<10)
	for n := 0; n <= max; n += len(chunk) {
		if _, err := f.Write(chunk); err != nil {
			if errors.Is(err, syscall.ENOSPC) {
				return
			}
			t.Fatal(err)
		}
	}
	t.Fatalf("wrote %d bytes to %s without filling the disk", max, path)
}

// TestDiskFull, on a real full file system (a 24 MiB tmpfs filled with a
// file): the first write to meet the full disk — an insert, an upload, a
// function deployment — answers 507 with its area's code and changes
// nothing; while the disk is full every write that takes space is refused
// at once, and deletes (documents, files, functions) run in the space of
// the released disk reserve; once space is freed, writes are accepted and
// the reserve is back. Mounting needs root; TestDiskFullInjected runs
// everywhere.
func TestDiskFull(t *testing.T) {
	for i, first := range diskWrites {
		t.Run(first.name+" first", func(t *testing.T) {
			mnt, err := mountTmpfs(t, 24<<20)
			if err != nil {
				t.Skipf("no tmpfs (%v): only TestDiskFullInjected checks a full disk here", err)
			}
			t.Logf("on a real full file system: tmpfs at %s", mnt)
			dir := filepath.Join(mnt, "data")
			m := mustOpenMain(t, dir, map[string]string{"MINIBASE_DISK_RESERVE": "1MiB"}, io.Discard)
			send := m.sender()
			seedDisk(t, send)
			fill(t, filepath.Join(mnt, "filler"), 24<<20)

			refusedAndUnchanged(t, dir, send, i, first.write(t, send, 64<<10))
			if _, err := os.Stat(filepath.Join(dir, reserveFile)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the disk reserve was not released: %v", err)
			}
			for j, w := range diskWrites { // the disk is full: refused at once, whatever the size
				if j != i {
					refusedAndUnchanged(t, dir, send, j, w.write(t, send, 10))
				}
			}
			want(t, "sign in on a full disk", m.send(t, "POST", "/v1/auth/anonymous", "", nil), 507, `{"code":"DATABASE_DISK_FULL"}`)

			want(t, "remove documents", send(t, "POST", "/v1/db/posts/remove", []byte(`{"filter":{"n":{"$lt":100}},"multi":true}`)), 200, `{"stats":{"removed":100}}`)
			want(t, "delete a file", send(t, "POST", "/v1/storage/delete", []byte(`{"fileList":["cloud://minibase.default/keep.txt"]}`)), 200, `{"fileList":[{"status":0}]}`)
			want(t, "delete a function", send(t, "DELETE", "/v1/admin/functions/fn", nil), 200, "")
			want(t, "the removes took", send(t, "POST", "/v1/db/posts/count", []byte(`{}`)), 200, `{"total":100}`)

			if err := os.Remove(filepath.Join(mnt, "filler")); err != nil {
				t.Fatal(err)
			}
			// The server looks for room at most once a second: wait for it
			// (bounded).
			deadline := time.Now().Add(waitLimit)
			for {
				r := diskWrites[0].write(t, send, 10)
				if r.status == 200 {
					break
				}
				if r.status != 507 || time.Now().After(deadline) {
					t.Fatalf("insert after space was freed: %d %s", r.status, r.body)
				}
				time.Sleep(50 * time.Millisecond)
			}
			for _, w := range diskWrites[1:] {
				want(t, w.name+" once there is room", w.write(t, send, 1000), 200, "")
			}
			if fi, err := os.Stat(filepath.Join(dir, reserveFile)); err != nil || fi.Size() != 1<<20 {
				t.Errorf("the disk reserve is not back: %v", err)
			}
		})
	}
}

// TestDiskFullInjected makes writes fail where the file system refuses
// them, without a small file system: the server process runs under a
// file size limit (RLIMIT_FSIZE, set with prlimit once it is seeded), so
// the kernel refuses to write past it (EFBIG). An upload or a function
// deployment that meets the limit answers 507 with its area's code and
// changes nothing; deleting files and functions still works. (SQLite
// reports EFBIG as a generic I/O error, not SQLITE_FULL: the database's
// side is checked on a real full disk by TestDiskFull, and with SQLite's
// own size cap by db/sqlite's TestDiskFull.)
func TestDiskFullInjected(t *testing.T) {
	bin := binary(t)
	for i, first := range diskWrites {
		if first.name == "insert" {
			continue
		}
		t.Run(first.name, func(t *testing.T) {
			dir, addr := t.TempDir(), freeAddr(t)
			s := startServerEnv(t, bin, dir, addr, []string{"MINIBASE_ADMIN_KEY=" + testKey, "MINIBASE_DISK_RESERVE=1MiB"})
			t.Cleanup(func() {
				if t.Failed() {
					t.Logf("server output:\n%s", s.out)
				}
			})
			send := s.sender()
			seedDisk(t, send)
			wal, err := os.Stat(filepath.Join(dir, "data.db-wal"))
			if err != nil {
				t.Fatal(err)
			}
			limit := uint64(max(wal.Size(), 1<<20) + 1<<20) // past everything the server has written
			rl := unix.Rlimit{Cur: limit, Max: limit}
			if err := unix.Prlimit(s.cmd.Process.Pid, unix.RLIMIT_FSIZE, &rl, nil); err != nil {
				t.Fatalf("prlimit: %v", err)
			}
			t.Logf("writes fail past %d bytes in the server process (RLIMIT_FSIZE)", limit)

			r := first.write(t, send, int(limit)+100<<10)
			refusedAndUnchanged(t, dir, send, i, r)
			want(t, "delete a file", send(t, "POST", "/v1/storage/delete", []byte(`{"fileList":["cloud://minibase.default/keep.txt"]}`)), 200, `{"fileList":[{"status":0}]}`)
			want(t, "delete a function", send(t, "DELETE", "/v1/admin/functions/fn", nil), 200, "")
		})
	}
}
