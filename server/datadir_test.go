package server

import (
	"context"
	"io"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// openMain opens a Server on dir with env (MINIBASE_… settings), logging to
// log; the caller closes it.
func openMain(t *testing.T, dir string, env map[string]string, log io.Writer) (*Server, error) {
	t.Helper()
	cfg, err := ParseConfig(nil, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	cfg.Dir, cfg.AdminKey = dir, testKey
	m := &Server{Config: cfg, Out: io.Discard, Log: slog.New(slog.NewTextHandler(log, nil))}
	if err := m.Open(context.Background()); err != nil {
		m.Close()
		return nil, err
	}
	return m, nil
}

// mustOpenMain is openMain that fails the test on an error and closes the
// Server at the end.
func mustOpenMain(t *testing.T, dir string, env map[string]string, log io.Writer) *Server {
	t.Helper()
	m, err := openMain(t, dir, env, log)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// seedServer writes to every area of a server in dir: documents (enough
// for about 200 pages of data.db), a user, an uploaded image and a variant
// of it, a function, deployed twice and invoked (a log record), then
// closes it.
func seedServer(t *testing.T, dir string) {
	t.Helper()
	m, err := openMain(t, dir, nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	runSteps(t, m, []step{
		{name: "documents", method: "POST", path: "/v1/db/posts/insert", body: posts(750), status: 200},
		{name: "more documents", method: "POST", path: "/v1/db/posts/insert", body: posts(750), status: 200},
		{name: "a user", method: "POST", path: "/v1/auth/anonymous", key: "-", status: 200},
		{name: "a function", method: "PUT", path: "/v1/admin/functions/hello", body: `{"files":{"index.js":"exports.main=()=>1"}}`, status: 200},
		{name: "a new version", method: "PUT", path: "/v1/admin/functions/hello", body: `{"files":{"index.js":"exports.main=()=>2"}}`, status: 200},
		{name: "a call", method: "POST", path: "/v1/functions/hello/invoke", body: `{}`, status: 200, want: `{"result":2}`},
	})
	want(t, "upload", m.upload(t, testKey, "", "img/p.png", string(testPhoto(t, 64, 48, "png")), "image/png"), 200, "")
	if r := m.send(t, "GET", "/f/default/img/p.png?w=16", "", nil); r.status != 200 {
		t.Fatalf("image variant: %d %.200s", r.status, r.body)
	}
}

// posts is an insert body of n documents of ~500 bytes.
func posts(n int) string {
	var b strings.Builder
	b.WriteString(`{"data":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"n":` + strconv.Itoa(i) + `,"text":"` + strings.Repeat("p", 500) + `"}`)
	}
	b.WriteString(`]}`)
	return b.String()
}

// TestDataDirModes: whatever the umask, the data directory and everything
// minibase creates in it — databases and their -wal and -shm, keys, the
// disk reserve, stored files, resized images, function folders and their
// versions — is the server's alone: folders 0700, files 0600.
func TestDataDirModes(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	dir := filepath.Join(t.TempDir(), "data")
	seedServer(t, dir)
	m := mustOpenMain(t, dir, nil, io.Discard) // open: -wal and -shm exist
	runSteps(t, m, []step{{name: "a write", method: "POST", path: "/v1/db/posts/insert", body: `{"data":{"a":1}}`, status: 200}})
	seen := map[string]bool{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		want := fs.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
		}
		rel, _ := filepath.Rel(dir, path)
		seen[strings.SplitN(rel, string(filepath.Separator), 2)[0]] = true
		if fi.Mode().Perm() != want {
			t.Errorf("%s: mode %04o, want %04o", rel, fi.Mode().Perm(), want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{".", "data.db", "data.db-wal", "data.db-shm", "functions.db", "functions.db-wal",
		"jwt.key", "storage_sign.key", reserveFile, "storage", "image-cache", "functions"} {
		if !seen[name] {
			t.Errorf("%s was not there to check", name)
		}
	}
}

// TestDataDirTightened: a data directory from before (0755, databases
// 0644, an image cache 0755) is tightened at start, each change logged,
// and the server runs on it as before.
func TestDataDirTightened(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	seedServer(t, dir)
	loose := map[string]fs.FileMode{".": 0o755, "data.db": 0o644, "functions.db": 0o644, "jwt.key": 0o640, "image-cache": 0o755, "storage": 0o750}
	for name, mode := range loose {
		if err := os.Chmod(filepath.Join(dir, name), mode); err != nil {
			t.Fatal(err)
		}
	}
	var log syncBuffer
	m := mustOpenMain(t, dir, nil, &log)
	for name, mode := range loose {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if want := mode &^ 0o077; fi.Mode().Perm() != want {
			t.Errorf("%s: mode %04o after start, want %04o", name, fi.Mode().Perm(), want)
		}
		if !strings.Contains(log.String(), filepath.Join(dir, name)) && name != "." {
			t.Errorf("the change of %s is not in the log:\n%s", name, log.String())
		}
	}
	if n := strings.Count(log.String(), "removed group and other permissions"); n != len(loose) {
		t.Errorf("%d changes logged, want %d:\n%s", n, len(loose), log.String())
	}
	runSteps(t, m, []step{{name: "the data is served", method: "POST", path: "/v1/db/posts/count", body: `{}`, status: 200, want: `{"total":1500}`}})
}

// garble overwrites the pages from 40% to 60% of the database file at
// path with random bytes: damage inside, behind an intact header.
func garble(t *testing.T, path string) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	pages := fi.Size() / 4096
	if pages < 50 {
		t.Fatalf("%s has %d pages; too few to damage in the middle", path, pages)
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	junk := make([]byte, 4096)
	r := rand.NewChaCha8([32]byte{7})
	for p := pages * 4 / 10; p < pages*6/10; p++ {
		r.Read(junk)
		if _, err := f.WriteAt(junk, p*4096); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDamagedDatabaseRefused: a data.db that lost its data or is damaged
// inside is not served as if nothing happened: the server refuses to
// start (or, when the damage is found while it runs, refuses writes) with
// a message naming the file and saying what to do.
func TestDamagedDatabaseRefused(t *testing.T) {
	advice := []string{"data.db", "backup", "mv ", ".recover"}
	refused := func(t *testing.T, dir string, env map[string]string, why string) {
		t.Helper()
		m, err := openMain(t, dir, env, io.Discard)
		if err == nil {
			m.Close()
			t.Fatal("the server started on a lost or damaged database")
		}
		for _, s := range append(advice, why) {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("the error does not say %q:\n%v", s, err)
			}
		}
	}
	t.Run("zero-length data.db", func(t *testing.T) {
		dir := t.TempDir()
		seedServer(t, dir)
		if err := os.Truncate(filepath.Join(dir, "data.db"), 0); err != nil {
			t.Fatal(err)
		}
		refused(t, dir, nil, "empty (0 bytes)")
		if fi, _ := os.Stat(filepath.Join(dir, "data.db")); fi.Size() != 0 {
			t.Errorf("the refused start wrote %d bytes to data.db", fi.Size())
		}
	})
	t.Run("data.db missing", func(t *testing.T) {
		dir := t.TempDir()
		seedServer(t, dir)
		if err := os.Remove(filepath.Join(dir, "data.db")); err != nil {
			t.Fatal(err)
		}
		m, err := openMain(t, dir, nil, io.Discard)
		if err == nil {
			m.Close()
			t.Fatal("the server started empty over a lost database")
		}
		if s := err.Error(); !strings.Contains(s, "data.db is missing") || !strings.Contains(s, "jwt.key") {
			t.Errorf("error: %v", err)
		}
		if _, err := os.Stat(filepath.Join(dir, "data.db")); err == nil {
			t.Error("the refused start created data.db")
		}
	})
	t.Run("pages damaged, checked at start", func(t *testing.T) {
		dir := t.TempDir()
		seedServer(t, dir)
		garble(t, filepath.Join(dir, "data.db"))
		refused(t, dir, map[string]string{"MINIBASE_SQLITE_CHECK": "start"}, "quick_check")
	})
	t.Run("pages damaged, checked in the background", func(t *testing.T) {
		dir := t.TempDir()
		seedServer(t, dir)
		garble(t, filepath.Join(dir, "data.db"))
		var log syncBuffer
		m := mustOpenMain(t, dir, nil, &log)
		// The check runs beside the server: wait (bounded) until it has
		// stopped writes; on a healthy database that never happens.
		deadline := time.Now().Add(waitLimit)
		for {
			status, got := m.call(t, step{name: "insert", method: "POST", path: "/v1/db/other/insert", body: `{"data":{"a":1}}`})
			if status == 500 {
				if p, ok := subset(map[string]any{"code": "DATABASE_CORRUPTED", "errCode": float64(-502001)}, got); !ok {
					t.Errorf("refused write: at %s: %v", p, got)
				}
				break
			}
			if status != 200 || time.Now().After(deadline) {
				t.Fatalf("writes to a damaged database: %d %v (after %v)", status, got, time.Since(deadline.Add(-waitLimit)))
			}
			time.Sleep(10 * time.Millisecond)
		}
		runSteps(t, m, []step{
			{name: "removes are refused too", method: "POST", path: "/v1/db/posts/remove", body: `{"filter":{},"multi":true}`, status: 500, want: `{"code":"DATABASE_CORRUPTED"}`},
			{name: "the server answers", method: "GET", path: "/v1/health", status: 200},
		})
		if s := log.String(); strings.Count(s, "data.db is damaged") != 1 || !strings.Contains(s, ".recover") {
			t.Errorf("want the damage logged once, with what to do; log:\n%s", s)
		}
	})
}

// TestDamagedLogStore: a damaged functions.db (function logs only) does
// not keep the server from starting: it runs without the log store, says
// so in its log, and the log API says why; functions still deploy and run.
func TestDamagedLogStore(t *testing.T) {
	dir := t.TempDir()
	seedServer(t, dir)
	if err := os.WriteFile(filepath.Join(dir, "functions.db"), []byte(strings.Repeat("garbage ", 4096)), 0o600); err != nil {
		t.Fatal(err)
	}
	var log syncBuffer
	m, err := openMain(t, dir, nil, &log)
	if err != nil {
		t.Fatalf("the server did not start over a damaged log store: %v", err)
	}
	defer m.Close()
	runSteps(t, m, []step{
		{name: "the log API says why", method: "GET", path: "/v1/admin/functions/logs", status: 503,
			want: `{"code":"FUNCTIONS_LOG_STORE_OFF","errCode":-504001}`},
		{name: "not to end users", method: "GET", path: "/v1/admin/functions/logs/stats", key: "-", status: 403},
		{name: "functions run", method: "POST", path: "/v1/functions/hello/invoke", body: `{}`, status: 200, want: `{"result":2}`},
		{name: "and deploy", method: "PUT", path: "/v1/admin/functions/hello", body: `{"files":{"index.js":"exports.main=()=>3"}}`, status: 200},
		{name: "the new version runs", method: "POST", path: "/v1/functions/hello/invoke", body: `{}`, status: 200, want: `{"result":3}`},
		{name: "the data is served", method: "POST", path: "/v1/db/posts/count", body: `{}`, status: 200, want: `{"total":1500}`},
	})
	_, got := m.call(t, step{name: "logs", method: "GET", path: "/v1/admin/functions/logs"})
	if msg, _ := got.(map[string]any)["message"].(string); !strings.Contains(msg, "functions.db") || !strings.Contains(msg, "damaged") {
		t.Errorf("the log API's message does not say what is wrong: %q", msg)
	}
	if s := log.String(); !strings.Contains(s, "function log store off") || !strings.Contains(s, "functions.db") {
		t.Errorf("no warning in the server log:\n%s", s)
	}
}
