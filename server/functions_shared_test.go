package server

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"minibase/auth"
	"minibase/db"
)

// With Config.Functions.Shared (a cluster's setting, here on SQLite and
// local storage: shared mode is the same on any driver) deployments go
// through the registry: the record is in minibase_functions, and a
// function already in the folder is published at start, as origin disk.
func TestFunctionsShared(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "functions", "old"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "functions", "old", "index.js"), []byte(`exports.main = () => "old"`), 0o600); err != nil {
		t.Fatal(err)
	}
	m := newTestMain(t, func(c *Config) { c.Dir, c.Functions.Shared = dir, true })
	if a := m.do(t, "GET", "/v1/admin/functions/old/versions", testKey, ""); a.status != 200 || !strings.Contains(a.raw, `[{"number":1,`) ||
		!strings.Contains(a.raw, `"origin":"disk"`) || strings.Count(a.raw, `"number"`) != 1 {
		t.Errorf("the versions of the folder's function, published at start: %d %s; want one, of origin disk", a.status, a.raw)
	}
	expect(t, "deploy", m.do(t, "PUT", "/v1/admin/functions/hello", testKey, `{"files":{"index.js":"exports.main = () => 'hi'"}}`), 200,
		`{"name":"hello","number":1,"origin":"deploy"}`)
	expect(t, "invoke", m.do(t, "POST", "/v1/functions/hello/invoke", testKey, `{}`), 200, `{"result":"hi"}`)
	if _, err := m.db.Query(auth.NewContext(context.Background(), &auth.Identity{Role: auth.User, UID: "u1"}), "minibase_functions", db.Doc{}); db.ErrorCode(err) != db.CodePermissionDenied {
		t.Errorf("a user reads the registry: %v, want %s", err, db.CodePermissionDenied)
	}
	docs, err := m.db.Query(auth.NewContext(context.Background(), &auth.Identity{Role: auth.Admin}), "minibase_functions", db.Doc{})
	all := string(bytes.Join(docs, nil))
	if err != nil || len(docs) != 2 || !strings.Contains(all, `"_id":"hello"`) || !strings.Contains(all, `"_id":"old"`) {
		t.Errorf("the registry holds %q, %v; want the records of hello and old", docs, err)
	}
	expect(t, "delete", m.do(t, "DELETE", "/v1/admin/functions/hello", testKey, ""), 200, `{"deleted":true}`)
	expect(t, "invoke a deleted function", m.do(t, "POST", "/v1/functions/hello/invoke", testKey, `{}`), 404, `{"code":"FUNCTION_NOT_FOUND"}`)
}
