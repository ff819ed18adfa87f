package cli

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// writeConfig writes a config file and returns its path.
func writeConfig(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "minibase.toml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// row finds the line of key in `minibase config`'s output: key, value,
// source in columns.
func row(t *testing.T, out, key string) (value, source string) {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + key + `  +(.*?)  +(.*)$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no row for %s in:\n%s", key, out)
	}
	return m[1], m[2]
}

// `minibase serve --config F` runs with the file's settings: its address,
// its data directory, its admin key.
func TestServeWithConfigFile(t *testing.T) {
	bin, dir, addr := binary(t), t.TempDir(), freeAddr(t)
	path := writeConfig(t, fmt.Sprintf("dir = %q\nhttp = %q\nadmin_key = %q\nwatch_max_docs = 7\n", dir, addr, testKey))
	s := &serverProc{addr: addr, key: testKey, out: &syncBuffer{}}
	s.cmd = exec.Command(bin, "serve", "--config", path)
	s.cmd.Env = append(os.Environ(), "MINIBASE_ADMIN_KEY=", "MINIBASE_DIR=", "MINIBASE_HTTP=")
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.cmd.Process.Kill(); s.cmd.Wait() })
	deadline := time.Now().Add(startTimeout)
	for !strings.Contains(s.out.String(), "serving on") || !healthy(addr) {
		if time.Now().After(deadline) || s.cmd.ProcessState != nil {
			t.Fatalf("server did not start from its config file; output:\n%s", s.out)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if !strings.Contains(s.out.String(), "(data in "+dir+")") {
		t.Errorf("not serving from the file's data directory:\n%s", s.out)
	}
	if code, _, err := s.post("/v1/db/c/insert", `{"data":{"n":1}}`); code != 200 || err != nil {
		t.Errorf("the file's admin key refused: %d %v", code, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "data.db")); err != nil {
		t.Errorf("no database in the file's data directory: %v", err)
	}
}

// `minibase config` shows each value and its source (flag over env over
// file over default), secrets masked; the console's saved settings win,
// read while the server runs.
func TestConfigCommand(t *testing.T) {
	bin, dir, addr := binary(t), t.TempDir(), freeAddr(t)
	path := writeConfig(t, fmt.Sprintf(`dir = %q
admin_key = "file-admin-key-0123456789-WXYZ"
watch_max_docs = 20
body_limit = "2MiB"
fetch_allow = ["api.weixin.qq.com", "*.example.com"]
`, dir))
	env := []string{"MINIBASE_WATCH_MAX_DOCS=30", "MINIBASE_ADMIN_KEY=", "MINIBASE_DIR="}
	out, errOut, code := cli(t, bin, env, "config", "--config", path, "--https-addr", ":8443")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, errOut)
	}
	for _, want := range []struct{ key, value, source string }{
		{"dir", dir, "file (line 1)"},
		{"admin_key", "set, …WXYZ", "file (line 2)"},
		{"watch_max_docs", "30", "env MINIBASE_WATCH_MAX_DOCS"},
		{"body_limit", "2MiB", "file (line 4)"},
		{"fetch_allow", "api.weixin.qq.com,*.example.com", "file (line 5)"},
		{"https_addr", ":8443", "flag --https-addr"},
		{"request_timeout", "30s", "default"},
		{"http", "127.0.0.1:8090", "default"},
	} {
		if v, s := row(t, out, want.key); v != want.value || s != want.source {
			t.Errorf("%s: %q from %q, want %q from %q", want.key, v, s, want.value, want.source)
		}
	}
	if strings.Contains(out+errOut, "file-admin-key-0123456789") {
		t.Errorf("the admin key is shown:\n%s", out)
	}

	// Settings saved in the console win, and are read while the server
	// runs on the directory.
	s := startServer(t, bin, dir, addr)
	if code, body, err := s.do("PATCH", "/v1/admin/settings", `{"auth.accessTokenMinutes":45,"auth.anonymous":false}`); code != 200 || err != nil {
		t.Fatalf("saving settings: %d %v %v", code, body, err)
	}
	out, errOut, code = cli(t, bin, env, "config", "--config", path)
	if code != 0 {
		t.Fatalf("with a server running: exit %d:\n%s", code, errOut)
	}
	if v, s := row(t, out, "access_ttl"); v != "45" || s != "console (auth.accessTokenMinutes; over default)" {
		t.Errorf("access_ttl saved in the console: %q from %q", v, s)
	}
	if v, s := row(t, out, `auth\.anonymous`); v != "false" || s != "console" {
		t.Errorf("auth.anonymous saved in the console: %q from %q", v, s)
	}
	if !healthy(addr) {
		t.Error("the server stopped answering after minibase config read its database")
	}
}

// `minibase config --check` exits 0 on a valid configuration and 1 with
// every problem (file, line, key) on a bad one; `--example` prints a file
// that --check takes.
func TestConfigCheck(t *testing.T) {
	bin := binary(t)
	env := []string{"MINIBASE_ADMIN_KEY="}
	good := writeConfig(t, "dir = \""+t.TempDir()+"\"\nwatch_max_docs = 20\n")
	if out, errOut, code := cli(t, bin, env, "config", "--check", "--config", good); code != 0 || !strings.Contains(out, "configuration OK") {
		t.Errorf("a good file: exit %d\n%s%s", code, out, errOut)
	}
	bad := writeConfig(t, "dir = \"d\"\nbody_limt = \"1MiB\"\n[s3]\naccess_key = \"k\"\nwatch_max_docs = 0\n")
	_, errOut, code := cli(t, bin, env, "config", "--check", "--config", bad)
	for _, want := range []string{bad + `:2: unknown key "body_limt" (did you mean body_limit?)`, bad + `:4: unknown key "s3.access_key"`} {
		if code != 1 || !strings.Contains(errOut, want) {
			t.Errorf("a bad file: exit %d, stderr:\n%s\nwant %q", code, errOut, want)
		}
	}
	_, errOut, code = cli(t, bin, append(env, "MINIBASE_CONFIG="+writeConfig(t, "sqlite_sync = \"OFF\"\n")), "config", "--check")
	if code != 1 || !strings.Contains(errOut, `:1: sqlite_sync must be FULL or NORMAL, got "OFF"`) {
		t.Errorf("MINIBASE_CONFIG's bad file: exit %d, stderr:\n%s", code, errOut)
	}
	// A bad file stops serve too, before it touches the data directory.
	dataDir := filepath.Join(t.TempDir(), "data")
	_, errOut, code = cli(t, bin, env, "serve", "--config", bad, "--dir", dataDir)
	if _, err := os.Stat(dataDir); code != 1 || !strings.Contains(errOut, "body_limt") || err == nil {
		t.Errorf("serve with a bad file: exit %d, data dir made: %v, stderr:\n%s", code, err == nil, errOut)
	}

	ex, _, code := cli(t, bin, nil, "config", "--example")
	if code != 0 || !strings.Contains(ex, "# body_limit = \"16MiB\"") {
		t.Fatalf("--example: exit %d\n%s", code, ex)
	}
	if out, errOut, code := cli(t, bin, env, "config", "--check", "--config", writeConfig(t, ex)); code != 0 {
		t.Errorf("--check of the example: exit %d\n%s%s", code, out, errOut)
	}
}

// The commands on a data directory read serve's config file too
// (--config, MINIBASE_CONFIG): its data directory.
func TestDataCommandsReadConfigFile(t *testing.T) {
	bin, dir := binary(t), t.TempDir()
	path := writeConfig(t, fmt.Sprintf("dir = %q\n", dir))
	env := []string{"MINIBASE_DIR=", "MINIBASE_ADMIN_KEY=" + testKey}
	out, errOut, code := cli(t, bin, append(env, "MINIBASE_ADMIN_PASSWORD=a long enough password"), "admin", "create", "ops@example.com", "--config", path)
	if _, err := os.Stat(filepath.Join(dir, "data.db")); code != 0 || err != nil {
		t.Fatalf("admin create --config: exit %d, database in the file's dir: %v\n%s%s", code, err, out, errOut)
	}
	out, errOut, code = cli(t, bin, env, "backup", "create", "--config", path)
	if code != 0 || !strings.Contains(out, "backup written: "+filepath.Join(dir, "backups", "minibase-")) {
		t.Fatalf("backup create --config: exit %d\n%s%s", code, out, errOut)
	}
	archive := filepath.Base(strings.Fields(strings.TrimPrefix(out, "backup written: "))[0])
	if out, errOut, code := cli(t, bin, append(env, "MINIBASE_CONFIG="+path), "backup", "list"); code != 0 || !strings.Contains(out, archive) {
		t.Errorf("backup list with MINIBASE_CONFIG: exit %d\n%s%s", code, out, errOut)
	}
	if _, errOut, code := cli(t, bin, env, "backup", "list", "--config"); code != 1 || !strings.Contains(errOut, "--config needs a file") {
		t.Errorf("--config without a file: exit %d\n%s", code, errOut)
	}
}

// A config file holding a secret that other users may read is warned
// about, by config and by serve; at 0600 it is not.
func TestConfigFileSecretWarning(t *testing.T) {
	bin := binary(t)
	path := writeConfig(t, "dir = \""+t.TempDir()+"\"\nadmin_key = \"file-admin-key-0123456789\"\n")
	if _, errOut, code := cli(t, bin, nil, "config", "--config", path); code != 0 || strings.Contains(errOut, "warning") {
		t.Errorf("a 0600 file: exit %d, stderr:\n%s", code, errOut)
	}
	os.Chmod(path, 0o644)
	if _, errOut, code := cli(t, bin, nil, "config", "--config", path); code != 0 ||
		!strings.Contains(errOut, "gives secrets (admin_key) and other users can read it (mode 0644): chmod 600") {
		t.Errorf("a 0644 file: exit %d, stderr:\n%s", code, errOut)
	}
}
