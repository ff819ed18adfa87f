package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The backup commands as a user runs them, beside a running server: create
// and list work; restore refuses the server's directory and a cut archive,
// and restores into a fresh directory a server then serves.
func TestBackupCLI(t *testing.T) {
	bin, addr := binary(t), freeAddr(t)
	dir := t.TempDir()
	s := startServer(t, bin, dir, addr)
	if code, _, err := s.post("/v1/db/notes/insert", `{"data":{"_id":"n1","text":"kept"}}`); err != nil || code != 200 {
		t.Fatalf("insert: %d %v", code, err)
	}
	out, stderr, code := cli(t, bin, nil, "backup", "create", "--dir", dir)
	if code != 0 || !strings.Contains(out, "backup written: "+filepath.Join(dir, "backups", "minibase-")) {
		t.Fatalf("create: %d %q %q", code, out, stderr)
	}
	archive := strings.Fields(strings.TrimPrefix(out, "backup written: "))[0]
	if out, _, code := cli(t, bin, nil, "backup", "list", "--dir", dir); code != 0 || !strings.Contains(out, filepath.Base(archive)) || !strings.Contains(out, "local") {
		t.Errorf("list: %d %q", code, out)
	}
	if _, stderr, code := cli(t, bin, nil, "backup", "restore", archive, "--dir", dir); code == 0 || !strings.Contains(stderr, "Stop the server first") {
		t.Errorf("restore over the running server: %d %q", code, stderr)
	}
	b, _ := os.ReadFile(archive)
	cut := filepath.Join(t.TempDir(), "cut.tar.gz")
	os.WriteFile(cut, b[:len(b)/2], 0o600)
	fresh := filepath.Join(t.TempDir(), "fresh")
	if _, stderr, code := cli(t, bin, nil, "backup", "restore", cut, "--dir", fresh); code == 0 || !strings.Contains(stderr, "damaged, incomplete") {
		t.Errorf("restore of a cut archive: %d %q", code, stderr)
	}
	if _, err := os.Stat(fresh); err == nil {
		t.Errorf("the refused restore created %s", fresh)
	}
	if out, stderr, code := cli(t, bin, nil, "backup", "restore", archive, "--dir", fresh); code != 0 || !strings.Contains(out, "restored") {
		t.Fatalf("restore: %d %q %q", code, out, stderr)
	}
	r := startServer(t, bin, fresh, freeAddr(t))
	if code, body, err := r.do("GET", "/v1/db/notes/docs/n1", ""); err != nil || code != 200 || fmt.Sprint(body["data"]) != "map[_id:n1 text:kept]" {
		t.Errorf("restored server: %d %v %v", code, body, err)
	}
}
