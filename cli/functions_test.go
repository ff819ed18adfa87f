package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// copyDir copies the folder src to dst.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, de os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if de.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o700)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// cli runs the minibase binary with args and env; it returns stdout,
// stderr and the exit code.
func cli(t *testing.T, bin string, env []string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	return out.String(), errb.String(), cmd.ProcessState.ExitCode()
}

// The CLI deploys a cloudfunctions/ folder to a running server, calls
// functions, lists them and rolls one back: the real binary on both ends.
func TestFunctionsCLI(t *testing.T) {
	bin, addr := binary(t), freeAddr(t)
	s := startServer(t, bin, t.TempDir(), addr)
	cf := t.TempDir()
	copyDir(t, "../functions/testdata/bundle-esm", filepath.Join(cf, "sum"))
	copyDir(t, "../functions/testdata/bundle-syntax", filepath.Join(cf, "bad"))
	os.MkdirAll(filepath.Join(cf, "common"), 0o700) // no index.js: not a function
	os.MkdirAll(filepath.Join(cf, "sum", ".git"), 0o700)
	os.WriteFile(filepath.Join(cf, "sum", ".git", "HEAD"), []byte("ref: main"), 0o600)
	os.WriteFile(filepath.Join(cf, "sum", ".DS_Store"), []byte("junk"), 0o600)
	os.MkdirAll(filepath.Join(cf, "hello"), 0o700)
	os.WriteFile(filepath.Join(cf, "hello", "index.js"), []byte(`exports.main = async (e) => { if (e.fail) throw new Error('asked to'); return 'v1' }`), 0o600)
	env := []string{"MINIBASE_URL=http://" + addr, "MINIBASE_ADMIN_KEY=" + testKey}

	_, stderr, code := cli(t, bin, env, "functions", "deploy", cf)
	if code != 1 {
		t.Errorf("deploy with one bad function: exit %d, want 1", code)
	}
	for _, want := range []string{"skipping common/", "bad ", "FAILED: INVALID_PARAM: bundling index.ts failed", "index.ts:4:",
		"hello  ", "deployed v1 (", "sum  ", ", bundled)", "2 deployed, 0 unchanged, 1 failed", "minibase: 1 of 3 functions failed"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("deploy's output lacks %q:\n%s", want, stderr)
		}
	}
	if !strings.Contains(stderr, "B / ") {
		t.Errorf("no bytes sent / total in:\n%s", stderr)
	}
	status, det, _ := s.do("GET", "/v1/admin/functions/sum", "")
	files, _ := json.Marshal(det["files"])
	if status != 200 || strings.Contains(string(files), ".git") || strings.Contains(string(files), ".DS_Store") ||
		!strings.Contains(string(files), "node_modules/tiny-esm/lib/sum.js") {
		t.Errorf("sum's files: %d %s; want node_modules, no .git or .DS_Store", status, files)
	}

	stdout, stderr, code := cli(t, bin, env, "functions", "invoke", "sum", "--data", `{"a":20,"b":22}`)
	var got struct {
		Result    struct{ Sum int }
		RequestID string
	}
	if err := json.Unmarshal([]byte(stdout), &got); code != 0 || err != nil || got.Result.Sum != 42 || len(got.RequestID) != 36 {
		t.Errorf("invoke: exit %d, %q %q", code, stdout, stderr)
	}
	stdout, stderr, code = cli(t, bin, env, "functions", "invoke", "hello", "--data", `{"fail":true}`)
	if code == 0 || stdout != "" || !strings.Contains(stderr, "FUNCTIONS_EXECUTE_FAIL: Error: asked to") || !strings.Contains(stderr, "requestId") {
		t.Errorf("a failing invocation: exit %d, %q %q", code, stdout, stderr)
	}
	if _, stderr, code = cli(t, bin, env, "functions", "invoke", "hello", "--data", `[1]`); code == 0 || !strings.Contains(stderr, "JSON object") {
		t.Errorf("--data not an object: exit %d, %q", code, stderr)
	}

	// One folder, under another name; flags win over the environment.
	os.WriteFile(filepath.Join(cf, "hello", "index.js"), []byte(`exports.main = () => 'v2'`), 0o600)
	bad := []string{"MINIBASE_URL=http://127.0.0.1:1", "MINIBASE_ADMIN_KEY=wrong-key-0123456789"}
	_, stderr, code = cli(t, bin, bad, "functions", "deploy", filepath.Join(cf, "hello"), "--server", "http://"+addr, "--key", testKey)
	if code != 0 || !strings.Contains(stderr, "hello  ") || !strings.Contains(stderr, "deployed v2") {
		t.Errorf("deploy one folder: exit %d\n%s", code, stderr)
	}
	if _, stderr, code = cli(t, bin, env, "functions", "deploy", "--name", "hello2", filepath.Join(cf, "hello")); code != 0 || !strings.Contains(stderr, "hello2  ") {
		t.Errorf("--name: exit %d\n%s", code, stderr)
	}
	stdout, _, code = cli(t, bin, env, "functions", "list")
	for _, want := range []string{"NAME", "hello ", "v2", "hello2", "sum ", "v1 (bundled)"} {
		if code != 0 || !strings.Contains(stdout, want) {
			t.Errorf("list lacks %q: exit %d\n%s", want, code, stdout)
		}
	}
	stdout, _, code = cli(t, bin, env, "functions", "rollback", "hello", "1")
	if code != 0 || !strings.Contains(stdout, "rolled back to v1, now live as v3") {
		t.Errorf("rollback: exit %d %q", code, stdout)
	}
	if stdout, _, _ := cli(t, bin, env, "functions", "invoke", "hello"); !strings.Contains(stdout, `"result":"v1"`) {
		t.Errorf("after the rollback: %q", stdout)
	}

	for _, c := range []struct {
		env  []string
		args []string
		want string
	}{
		{env, []string{"functions", "deploy", filepath.Join(cf, "common")}, "no index.js or index.ts"},
		{env, []string{"functions", "deploy", cf, "--name", "x"}, "--name names one function"},
		{env, []string{"functions", "rollback", "hello", "99"}, "has no version"},
		{env, []string{"functions", "frobnicate"}, "usage:"},
		{env, []string{"functions", "invoke"}, "usage:"},
		{[]string{"MINIBASE_URL=http://" + addr, "MINIBASE_ADMIN_KEY="}, []string{"functions", "list"}, "no admin key"},
		{bad, []string{"functions", "list", "--server", "http://" + addr}, "INVALID_ACCESS_TOKEN"},
		{env, []string{"functions", "list", "--server", "ftp://x"}, "--server must be a URL"},
	} {
		if _, stderr, code := cli(t, bin, c.env, c.args...); code == 0 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, %q; want a failure saying %q", c.args, code, stderr, c.want)
		}
	}
}
