package cli

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// npmModules returns the node_modules/ folder of a real `npm ci` of the
// fixture folder functions/testdata/<name> (its package.json and
// package-lock.json), installed by scripts/npm-install.sh into the cache
// the first time (from the npm registry).
func npmModules(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("../scripts/npm-install.sh", "../functions/testdata/"+name).Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("scripts/npm-install.sh: %v\n%s", err, stderr)
	}
	return strings.TrimSpace(string(out))
}

// linkTree makes dst a copy of the folder src: files hard-linked (copied
// where links cannot be made), symbolic links recreated as they are.
func linkTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		switch {
		case de.IsDir():
			return os.MkdirAll(to, 0o700)
		case de.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(target, to)
		}
		if os.Link(p, to) == nil {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(to, b, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A CloudBase function folder as its developer has it after `npm
// install` (wx-server-sdk@4.0.2 and the 104 packages it pulls in, from
// the npm registry) deploys with the CLI, which leaves the SDK's copy out
// and says so, and runs; a folder over a function's limits is refused
// with its largest folders named.
func TestDeployCloudBaseFolder(t *testing.T) {
	modules := npmModules(t, "cloudbase-wxsdk")
	bin, addr := binary(t), freeAddr(t)
	s := startServer(t, bin, t.TempDir(), addr)
	env := []string{"MINIBASE_URL=http://" + addr, "MINIBASE_ADMIN_KEY=" + testKey}

	cf := t.TempDir()
	fn := filepath.Join(cf, "quickstartFunctions")
	copyDir(t, "../functions/testdata/cloudbase-wxsdk", fn)
	linkTree(t, modules, filepath.Join(fn, "node_modules"))
	n := -1 // the packages npm installed, wx-server-sdk aside
	filepath.WalkDir(modules, func(p string, de fs.DirEntry, err error) error {
		up := filepath.Dir(filepath.Dir(p))
		if de.Name() == "package.json" && (filepath.Base(up) == "node_modules" ||
			strings.HasPrefix(filepath.Base(up), "@") && filepath.Base(filepath.Dir(up)) == "node_modules") {
			n++
		}
		return err
	})
	_, stderr, code := cli(t, bin, env, "functions", "deploy", cf)
	want := fmt.Sprintf("quickstartFunctions  left out wx-server-sdk and %d packages only it needs (", n)
	if code != 0 || !strings.Contains(stderr, want) || !strings.Contains(stderr, "MiB): the runtime provides it\n") ||
		!strings.Contains(stderr, "deployed v1 (") {
		t.Fatalf("deploy: exit %d; want a line with %q:\n%s", code, want, stderr)
	}
	status, det, _ := s.do("GET", "/v1/admin/functions/quickstartFunctions", "")
	files, _ := json.Marshal(det["files"])
	if status != 200 || strings.Contains(string(files), "node_modules/wx-server-sdk") || strings.Contains(string(files), "node_modules/.bin") ||
		strings.Contains(string(files), "node_modules/@cloudbase") || !strings.Contains(string(files), `"package-lock.json"`) {
		t.Errorf("the function's files: %d %.500s", status, files)
	}
	for _, c := range []struct{ data, want string }{
		{`{"type":"createCollection"}`, `"result":{"success":true}`},
		{`{"type":"selectRecord"}`, `"city":"广州"`},
		{`{"type":"getOpenId"}`, `"result":{"appid":""`},
	} {
		if stdout, stderr, code := cli(t, bin, env, "functions", "invoke", "quickstartFunctions", "--data", c.data); code != 0 || !strings.Contains(stdout, c.want) {
			t.Errorf("invoke %s: exit %d, %q %q; want %s", c.data, code, stdout, stderr, c.want)
		}
	}

	// Over the limit: what to trim is named.
	big := filepath.Join(fn, "node_modules", "typescript", "lib")
	os.MkdirAll(big, 0o700)
	f, err := os.Create(filepath.Join(big, "typescript.js"))
	if err != nil {
		t.Fatal(err)
	}
	f.Truncate(51 << 20) // sparse: nothing is read before the refusal
	f.Close()
	os.WriteFile(filepath.Join(fn, "node_modules", "typescript", "package.json"), []byte(`{"name":"typescript"}`), 0o600)
	_, stderr, code = cli(t, bin, env, "functions", "deploy", fn)
	want = "FAILED: the folder holds 51.1 MiB, more than the 50.0 MiB a function may hold; the largest folders: node_modules/typescript (51.0 MiB, 2 files), "
	if code != 1 || !strings.Contains(stderr, want) {
		t.Errorf("a folder over the limit: exit %d; want %q in:\n%s", code, want, stderr)
	}
}
