package server

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"io/fs"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"minibase/functions"
)

// zipFolder zips a folder's files under prefix ("" for none).
func zipFolder(t *testing.T, dir, prefix string) []byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, de fs.DirEntry, err error) error {
		if err != nil || de.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[prefix+filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := functions.WriteZip(&buf, files); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// sendRaw makes a request with any body and content type; the answer is JSON
// when it parses, else raw.
func (m *Server) sendRaw(t *testing.T, method, path, bearer, contentType string, body []byte) answer {
	t.Helper()
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := m.app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, raw: string(raw), header: resp.Header}
	json.Unmarshal(raw, &a.body) // a file's content is not JSON
	return a
}

// Deploy from a zip (as CloudBase's console uploads), manage versions,
// read files, roll back, delete: the admin API end to end.
func TestFunctionsManage(t *testing.T) {
	m, _ := newAuthMain(t, nil)
	user := m.signIn(t, "/v1/auth/anonymous", "", "").str("access_token")
	zipped := zipFolder(t, "../functions/testdata/bundle-esm", "bundle-esm/")
	a := m.sendRaw(t, "PUT", "/v1/admin/functions/sum", testKey, "application/zip", zipped)
	expect(t, "a zip with one top folder, bundled", a, 200, `{"name":"sum","number":1,"origin":"deploy","bundled":true,"files":5}`)
	expect(t, "the bundle runs", m.do(t, "POST", "/v1/functions/sum/invoke", user, `{"data":{"a":2,"b":40}}`), 200, `{"result":{"sum":42}}`)
	expect(t, "an end user may not deploy", m.sendRaw(t, "PUT", "/v1/admin/functions/sum", user, "application/zip", zipped), 403, `{"code":"PERMISSION_DENIED"}`)
	expect(t, "not a zip", m.sendRaw(t, "PUT", "/v1/admin/functions/sum", testKey, "application/zip", []byte("PK nope")), 400, `{"code":"INVALID_PARAM"}`)
	var evil bytes.Buffer
	zw := zip.NewWriter(&evil)
	w, _ := zw.Create("../../evil.js")
	w.Write([]byte("x"))
	zw.Close()
	expect(t, "a path out of the folder", m.sendRaw(t, "PUT", "/v1/admin/functions/sum", testKey, "application/x-zip-compressed", evil.Bytes()), 400,
		`{"code":"INVALID_PARAM"}`)
	expect(t, "a TypeScript syntax error", m.sendRaw(t, "PUT", "/v1/admin/functions/bad", testKey, "application/zip", zipFolder(t, "../functions/testdata/bundle-syntax", "")),
		400, `{"code":"INVALID_PARAM","errCode":-501007}`)

	m.deploy(t, "hello", `exports.main = () => 'v1'`, `{"timeout": 3, "http": [{"path": "/hello", "methods": ["GET"]}]}`)
	m.deploy(t, "hello", `exports.main = () => 'v2'`, `{"timeout": 4, "http": [{"path": "/hello", "methods": ["GET"]}]}`)
	expect(t, "a path another function serves", m.do(t, "PUT", "/v1/admin/functions/other", testKey,
		`{"files":{"index.js":"exports.main=()=>1"},"config":{"http":[{"path":"/hello"}]}}`), 400, `{"code":"INVALID_PARAM"}`)
	if a := m.do(t, "PUT", "/v1/admin/functions/other", testKey, `{"files":{"index.js":""},"config":{"http":[{"path":"/hello"}]}}`); !strings.Contains(a.str("message"), "function hello") {
		t.Errorf("the refusal does not name the other function: %s", a.raw)
	}

	list := m.do(t, "GET", "/v1/admin/functions", testKey, "")
	items, _ := list.body["data"].([]any)
	for i, want := range []string{`{"name":"hello","number":2,"timeout":4,"memorySize":256,"http":[{"path":"/hello","methods":["GET"]}],"bundled":false}`,
		`{"name":"sum","number":1,"bundled":true}`} {
		var w any
		json.Unmarshal([]byte(want), &w)
		if len(items) != 2 {
			t.Fatalf("list: %s", list.raw)
		}
		if p, ok := subset(w, items[i]); !ok {
			t.Errorf("list item %d: at %s: %v, want %s", i, p, items[i], want)
		}
	}
	a = m.do(t, "GET", "/v1/admin/functions/hello", testKey, "")
	expect(t, "get", a, 200, `{"name":"hello","number":2,"config":{"timeout":4}}`)
	if files, _ := a.body["files"].([]any); len(files) != 2 || files[1].(map[string]any)["size"] != float64(25) {
		t.Errorf("files: %s", a.raw)
	}
	if a := m.sendRaw(t, "GET", "/v1/admin/functions/sum/files/node_modules/tiny-esm/lib/sum.js", testKey, "", nil); a.status != 200 ||
		!strings.HasPrefix(a.raw, "export function sum") || !strings.HasPrefix(a.header.Get("Content-Type"), "text/plain") {
		t.Errorf("a file's content: %d %q %v", a.status, a.raw, a.header)
	}
	if a := m.sendRaw(t, "GET", "/v1/admin/functions/hello/files/index.js?version=1", testKey, "", nil); a.raw != `exports.main = () => 'v1'` {
		t.Errorf("version 1's index.js: %d %q", a.status, a.raw)
	}
	expect(t, "no such file", m.do(t, "GET", "/v1/admin/functions/hello/files/nope.js", testKey, ""), 404, "")
	a = m.do(t, "GET", "/v1/admin/functions/hello/versions", testKey, "")
	if vs, _ := a.body["data"].([]any); a.status != 200 || len(vs) != 2 || vs[0].(map[string]any)["number"] != float64(2) ||
		vs[1].(map[string]any)["origin"] != "deploy" {
		t.Errorf("versions: %d %s, want 2 then 1", a.status, a.raw)
	}

	expect(t, "rollback", m.do(t, "POST", "/v1/admin/functions/hello/rollback", testKey, `{"version":1}`), 200,
		`{"name":"hello","number":3,"origin":"rollback","from":1}`)
	expect(t, "v1 runs again", m.do(t, "POST", "/v1/functions/hello/invoke", user, `{}`), 200, `{"result":"v1"}`)
	expect(t, "with v1's config", m.do(t, "GET", "/v1/admin/functions/hello", testKey, ""), 200, `{"timeout":3}`)
	for _, body := range []string{`{}`, `{"version":0}`, `{"version":1.5}`, `{"version":[1]}`, `{"version":""}`, `{"v":1}`} {
		expect(t, "rollback "+body, m.do(t, "POST", "/v1/admin/functions/hello/rollback", testKey, body), 400, `{"code":"INVALID_PARAM"}`)
	}
	expect(t, "rollback to a version never made", m.do(t, "POST", "/v1/admin/functions/hello/rollback", testKey, `{"version":9}`), 400, "")

	status, _, _ := m.httpAccess(t, "GET", "/fn/hello", "", "", "")
	if status != 200 {
		t.Fatalf("the route before delete: %d", status)
	}
	expect(t, "delete", m.do(t, "DELETE", "/v1/admin/functions/hello", testKey, ""), 200, `{"name":"hello","deleted":true}`)
	status, _, body := m.httpAccess(t, "GET", "/fn/hello", "", "", "")
	if status != 404 {
		t.Errorf("the route after delete: %d %s, want 404", status, body)
	}
	expect(t, "not invocable", m.do(t, "POST", "/v1/functions/hello/invoke", user, `{}`), 404, `{"code":"FUNCTION_NOT_FOUND"}`)
	expect(t, "no versions", m.do(t, "GET", "/v1/admin/functions/hello/versions", testKey, ""), 404, `{"code":"FUNCTION_NOT_FOUND"}`)
	expect(t, "delete again", m.do(t, "DELETE", "/v1/admin/functions/hello", testKey, ""), 404, `{"code":"FUNCTION_NOT_FOUND"}`)
	expect(t, "the path is free again", m.do(t, "PUT", "/v1/admin/functions/other", testKey,
		`{"files":{"index.js":"exports.main=()=>1"},"config":{"http":[{"path":"/hello"}]}}`), 200, "")

	for _, r := range [][2]string{{"GET", "/v1/admin/functions"}, {"GET", "/v1/admin/functions/sum"}, {"GET", "/v1/admin/functions/sum/versions"},
		{"GET", "/v1/admin/functions/sum/files/index.js"}, {"POST", "/v1/admin/functions/sum/rollback"}, {"DELETE", "/v1/admin/functions/sum"}} {
		expect(t, "an end user: "+r[0]+" "+r[1], m.do(t, r[0], r[1], user, `{"version":1}`), 403, `{"code":"PERMISSION_DENIED"}`)
	}
	// /v1/admin/functions/logs… belongs to the log API, not to a function.
	if r := m.do(t, "GET", "/v1/admin/functions/logs?function=sum", testKey, ""); r.status != 200 || r.body["data"] == nil {
		t.Errorf("logs is the log API's: %d %s", r.status, r.raw)
	}
	expect(t, "no function called logs", m.do(t, "PUT", "/v1/admin/functions/logs", testKey, `{"files":{"index.js":""}}`), 400, `{"code":"INVALID_PARAM"}`)
}
