package cli

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGeneratedAdminKey: without MINIBASE_ADMIN_KEY the first serve prints
// a key once and stores only its hash; the key works; the next start
// prints nothing.
func TestGeneratedAdminKey(t *testing.T) {
	bin, dir, addr := binary(t), t.TempDir(), freeAddr(t)
	os.Unsetenv("MINIBASE_ADMIN_KEY")
	s := startServerEnv(t, bin, dir, addr, nil)
	var key string
	for _, f := range strings.Fields(s.out.String()) {
		if strings.HasPrefix(f, "mbk_") {
			key = f
		}
	}
	if key == "" {
		t.Fatalf("no key printed:\n%s", s.out)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "admin_key.sha256"))
	if err != nil || strings.Contains(string(raw), key) {
		t.Fatalf("hash file: %q %v", raw, err)
	}
	if fi, _ := os.Stat(filepath.Join(dir, "admin_key.sha256")); fi.Mode().Perm() != 0o600 {
		t.Errorf("hash file mode %v, want 0600", fi.Mode().Perm())
	}
	s.key = key
	if code, _, _ := s.post("/v1/db/c/insert", `{"data":{}}`); code != 200 {
		t.Errorf("generated key refused: %d", code)
	}
	s.cmd.Process.Kill()
	s.cmd.Wait()
	s2 := startServerEnv(t, bin, dir, addr, nil)
	// A key would be printed before "serving on", through the same pipe, and
	// startServerEnv returns once that line is here.
	if strings.Contains(s2.out.String(), "mbk_") {
		t.Errorf("key printed again on the second start:\n%s", s2.out)
	}
}

// `minibase serve` on an address in use fails, saying so, and never says
// it serves.
func TestServePortInUse(t *testing.T) {
	taken, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	stdout, stderr, code := cli(t, binary(t), []string{"MINIBASE_ADMIN_KEY=" + testKey},
		"serve", "--dir", t.TempDir(), "--http", taken.Addr().String())
	if code != 1 || !strings.Contains(stderr, "address already in use") || strings.Contains(stdout+stderr, "serving on") {
		t.Errorf("serve on a taken port: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
}
