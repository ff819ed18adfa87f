package cli

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// `minibase export` and `minibase import` move every collection, with its
// indexes and rules, from one running server to another, as JSON Lines and
// as CSV; a WeChat console export with a bad line is imported up to it and
// the command fails naming the line.
func TestExportImportCLI(t *testing.T) {
	bin := binary(t)
	src := startServer(t, bin, t.TempDir(), freeAddr(t))
	for _, r := range [][2]string{
		{"/v1/admin/collections", `{"name":"todos"}`},
		{"/v1/admin/collections/todos/indexes", `{"keys":{"title":1},"unique":true}`},
		{"/v1/db/todos/insert", `{"data":[{"_id":"t1","title":"牛奶, \"2L\"\nline","due":{"$date":"2026-12-24T08:00:00Z"},"tags":["a"]},{"_id":"t2","title":"007","n":-9223372036854775808}]}`},
		{"/v1/db/shops/insert", `{"data":{"_id":"s1","loc":{"type":"Point","coordinates":[113.9,22.5]}}}`},
	} {
		if status, body, err := src.post(r[0], r[1]); status != 200 || err != nil {
			t.Fatalf("POST %s: %d %v %v", r[0], status, body, err)
		}
	}
	if status, _, _ := src.do("PUT", "/v1/admin/collections/todos/rules", `{"preset":"READONLY"}`); status != 200 {
		t.Fatalf("set rules: %d", status)
	}
	srcEnv := []string{"MINIBASE_URL=http://" + src.addr, "MINIBASE_ADMIN_KEY=" + testKey}
	for _, format := range []string{"jsonl", "csv"} {
		t.Run(format, func(t *testing.T) {
			dir := t.TempDir()
			stdout, stderr, code := cli(t, bin, srcEnv, "export", "--format", format, "--out", dir)
			if code != 0 || !strings.Contains(stdout, "exported todos to ") || !strings.Contains(stdout, "exported shops to ") {
				t.Fatalf("export: exit %d\n%s\n%s", code, stdout, stderr)
			}
			entries, _ := os.ReadDir(dir)
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			want := "shops.jsonl todos.jsonl"
			if format == "csv" {
				want = "shops.csv shops.meta.json todos.csv todos.meta.json"
			}
			if strings.Join(names, " ") != want {
				t.Errorf("files %v, want %s", names, want)
			}
			dst := startServer(t, bin, t.TempDir(), freeAddr(t))
			dstEnv := []string{"MINIBASE_URL=http://" + dst.addr, "MINIBASE_ADMIN_KEY=" + testKey}
			stdout, stderr, code = cli(t, bin, dstEnv, "import", dir)
			if code != 0 || !strings.Contains(stdout, "→ todos: 2 inserted, 0 updated, 0 bad lines, indexes and rules applied") {
				t.Fatalf("import: exit %d\n%s\n%s", code, stdout, stderr)
			}
			for _, path := range []string{"/v1/admin/collections/todos/export", "/v1/admin/collections/shops/export"} {
				a, b := get(t, src, path), get(t, dst, path)
				if a != b {
					t.Errorf("%s differs after the move:\n%s\nwant:\n%s", path, b, a)
				}
			}
		})
	}

	// A WeChat console export with a bad line in the middle.
	dst := startServer(t, bin, t.TempDir(), freeAddr(t))
	dstEnv := []string{"MINIBASE_URL=http://" + dst.addr, "MINIBASE_ADMIN_KEY=" + testKey}
	fixture, err := os.ReadFile("../db/transfer/testdata/wechat-todos.json")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(fixture), "\n")
	file := filepath.Join(t.TempDir(), "todos.json")
	os.WriteFile(file, []byte(lines[0]+lines[1]+`{"_id":"x","due":{"$date":"yesterday"}}`+"\n"+strings.Join(lines[2:], "")), 0o600)
	stdout, stderr, code := cli(t, bin, dstEnv, "import", file)
	if code == 0 || !strings.Contains(stdout, "→ todos: 2 inserted, 0 updated, 1 bad lines") ||
		!strings.Contains(stdout, `line 3: invalid $date "yesterday"`) || !strings.Contains(stdout, "stopped at line 3") {
		t.Errorf("import with a bad line: exit %d\n%s\n%s", code, stdout, stderr)
	}
	stdout, stderr, code = cli(t, bin, dstEnv, "import", file, "--on-error", "skip", "--mode", "upsert")
	if code == 0 || !strings.Contains(stdout, "→ todos: 2 inserted, 2 updated, 1 bad lines") {
		t.Errorf("import with skip: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

func get(t *testing.T, s *serverProc, path string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", "http://"+s.addr+path, nil)
	req.Header.Set("Authorization", "Bearer "+s.key)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s %v", path, resp.StatusCode, b, err)
	}
	return string(b)
}
