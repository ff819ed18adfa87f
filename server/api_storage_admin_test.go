package server

import (
	"net/url"
	"testing"
)

// TestStorageAdminAPI: buckets (create, settings, delete) and browsing files
// by prefix, for admins only.
func TestStorageAdminAPI(t *testing.T) {
	m, _ := newStorageMain(t)
	user := m.signIn(t, "/v1/auth/anonymous", "", `{}`).str("access_token")
	adm := func(method, path, body string) resp { return m.send(t, method, path, testKey, []byte(body)) }

	want(t, "default bucket", adm("GET", "/v1/admin/storage/buckets", ""), 200,
		`{"data":[{"name":"default","maxSize":104857600,"allowedTypes":[],"rule":"READONLY"}]}`)
	want(t, "create", adm("POST", "/v1/admin/storage/buckets", `{"name":"photos","maxSize":5000,"allowedTypes":["image/*"],"rule":"PRIVATE"}`), 200,
		`{"bucket":{"name":"photos","maxSize":5000,"allowedTypes":["image/*"],"rule":"PRIVATE"}}`)
	for name, c := range map[string]struct {
		body   string
		status int
		code   string
	}{
		"duplicate":     {`{"name":"photos"}`, 409, "STORAGE_BUCKET_EXISTS"},
		"bad name":      {`{"name":"Photos!"}`, 400, "INVALID_PARAM"},
		"dotted name":   {`{"name":".minibase"}`, 400, "INVALID_PARAM"},
		"negative size": {`{"name":"neg","maxSize":-1}`, 400, "INVALID_PARAM"},
		"bad type":      {`{"name":"bt","allowedTypes":["png"]}`, 400, "INVALID_PARAM"},
		"bad preset":    {`{"name":"bp","rule":"EVERYONE"}`, 400, "INVALID_PARAM"},
		"rule syntax":   {`{"name":"re","rule":{"read":"auth != ","write":false}}`, 400, "INVALID_PARAM"},
		"rule variable": {`{"name":"re","rule":{"read":"doc.x == 1"}}`, 400, "INVALID_PARAM"},
		"not JSON":      {`{`, 400, "INVALID_PARAM"},
	} {
		want(t, name, adm("POST", "/v1/admin/storage/buckets", c.body), c.status, `{"code":"`+c.code+`"}`)
	}
	want(t, "custom rule", adm("POST", "/v1/admin/storage/buckets", `{"name":"pub","rule":{"read":true,"write":false}}`), 200,
		`{"bucket":{"rule":{"read":true,"write":false}}}`)
	want(t, "expression rule", adm("POST", "/v1/admin/storage/buckets", `{"name":"expr","rule":{"read":"auth != null","write":"resource.openid == auth.openid"}}`), 200,
		`{"bucket":{"rule":{"read":"auth != null","write":"resource.openid == auth.openid"}}}`)
	want(t, "get", adm("GET", "/v1/admin/storage/buckets/photos", ""), 200, `{"bucket":{"name":"photos","rule":"PRIVATE"}}`)
	want(t, "patch", adm("PATCH", "/v1/admin/storage/buckets/photos", `{"maxSize":9000,"allowedTypes":[]}`), 200,
		`{"bucket":{"name":"photos","maxSize":9000,"allowedTypes":[],"rule":"PRIVATE"}}`)
	want(t, "patch bad", adm("PATCH", "/v1/admin/storage/buckets/photos", `{"maxSize":0}`), 400, `{"code":"INVALID_PARAM"}`)
	want(t, "patch missing", adm("PATCH", "/v1/admin/storage/buckets/nope", `{}`), 404, `{"code":"STORAGE_BUCKET_NONEXIST"}`)
	want(t, "unchanged by the bad patch", adm("GET", "/v1/admin/storage/buckets/photos", ""), 200, `{"bucket":{"maxSize":9000}}`)

	for _, p := range []string{"2024/a.jpg", "2024/b.jpg", "2024/may/c.jpg", "2025/d.jpg", "top.jpg"} {
		want(t, "upload "+p, m.upload(t, testKey, "?bucket=photos", p, "img "+p, "image/jpeg"), 200, "")
	}
	want(t, "files by prefix", adm("GET", "/v1/admin/storage/buckets/photos/files?prefix=2024/", ""), 200,
		`{"files":[{"path":"2024/a.jpg","fileID":"cloud://minibase.photos/2024/a.jpg","size":14,"contentType":"image/jpeg"},
		{"path":"2024/b.jpg"},{"path":"2024/may/c.jpg"}]}`)
	want(t, "folders", adm("GET", "/v1/admin/storage/buckets/photos/files?folders=true", ""), 200,
		`{"files":[{"path":"top.jpg"}],"folders":["2024/","2025/"]}`)
	page := adm("GET", "/v1/admin/storage/buckets/photos/files?limit=2", "")
	want(t, "page 1", page, 200, `{"files":[{"path":"2024/a.jpg"},{"path":"2024/b.jpg"}],"next":"2024/b.jpg"}`)
	want(t, "page 2", adm("GET", "/v1/admin/storage/buckets/photos/files?limit=2&after=2024/b.jpg", ""), 200,
		`{"files":[{"path":"2024/may/c.jpg"},{"path":"2025/d.jpg"}],"next":"2025/d.jpg"}`)
	if p := adm("GET", "/v1/admin/storage/buckets/photos/files?limit=2&after=2025/d.jpg", "").json(); p["next"] != nil || len(p["files"].([]any)) != 1 {
		t.Errorf("last page: %v", p)
	}
	want(t, "bad prefix", adm("GET", "/v1/admin/storage/buckets/photos/files?prefix=../", ""), 400, `{"code":"INVALID_PARAM"}`)
	want(t, "bad limit", adm("GET", "/v1/admin/storage/buckets/photos/files?limit=x", ""), 400, `{"code":"INVALID_PARAM"}`)

	id := url.QueryEscape("cloud://minibase.photos/top.jpg")
	want(t, "stat", adm("GET", "/v1/admin/storage/file?fileID="+id, ""), 200,
		`{"file":{"fileID":"cloud://minibase.photos/top.jpg","path":"top.jpg","size":11,"contentType":"image/jpeg"}}`)
	want(t, "delete file", adm("DELETE", "/v1/admin/storage/file?fileID="+id, ""), 200, `{"ok":true}`)
	want(t, "deleted", adm("GET", "/v1/admin/storage/file?fileID="+id, ""), 404, `{"code":"STORAGE_FILE_NONEXIST"}`)
	want(t, "delete again", adm("DELETE", "/v1/admin/storage/file?fileID="+id, ""), 404, `{"code":"STORAGE_FILE_NONEXIST"}`)

	want(t, "not empty", adm("DELETE", "/v1/admin/storage/buckets/photos", ""), 409, `{"code":"STORAGE_BUCKET_NOT_EMPTY"}`)
	want(t, "force", adm("DELETE", "/v1/admin/storage/buckets/photos?force=true", ""), 200, `{"ok":true}`)
	want(t, "gone", adm("GET", "/v1/admin/storage/buckets/photos", ""), 404, `{"code":"STORAGE_BUCKET_NONEXIST"}`)
	want(t, "its files are gone", m.send(t, "GET", "/v1/storage/download?fileID="+url.QueryEscape("cloud://minibase.photos/2024/a.jpg"), testKey, nil), 404, "")
	want(t, "default stays", adm("DELETE", "/v1/admin/storage/buckets/default?force=true", ""), 400, `{"code":"INVALID_PARAM"}`)
	if files := storageFiles(t, m); len(files) != 0 {
		t.Errorf("files on disk after deleting the bucket: %v", files)
	}

	for _, c := range [][2]string{{"GET", "/v1/admin/storage/buckets"}, {"POST", "/v1/admin/storage/buckets"},
		{"GET", "/v1/admin/storage/buckets/default"}, {"PATCH", "/v1/admin/storage/buckets/default"},
		{"DELETE", "/v1/admin/storage/buckets/pub"}, {"GET", "/v1/admin/storage/buckets/default/files"},
		{"GET", "/v1/admin/storage/file?fileID=x"}, {"DELETE", "/v1/admin/storage/file?fileID=x"}} {
		for _, tok := range []string{user, ""} {
			want(t, c[0]+" "+c[1], m.send(t, c[0], c[1], tok, []byte(`{"name":"evil","rule":"READONLY"}`)), 403, `{"code":"STORAGE_EXCEED_AUTHORITY"}`)
		}
	}
	want(t, "pub still there", adm("GET", "/v1/admin/storage/buckets/pub", ""), 200, "")
}

// TestStorageSettingsPersist: buckets survive a restart (they live in the
// store itself, so servers sharing an S3 bucket share them).
func TestStorageSettingsPersist(t *testing.T) {
	m := newTestMain(t, nil)
	want(t, "create", m.send(t, "POST", "/v1/admin/storage/buckets", testKey, []byte(`{"name":"kept","maxSize":1234,"rule":"ADMINONLY"}`)), 200, "")
	want(t, "upload", m.upload(t, testKey, "?bucket=kept", "a.txt", "a", ""), 200, "")
	dir := m.Config.Dir
	m.Close()
	m2 := newTestMain(t, func(c *Config) { c.Dir = dir })
	want(t, "after restart", m2.send(t, "GET", "/v1/admin/storage/buckets/kept", testKey, nil), 200, `{"bucket":{"maxSize":1234,"rule":"ADMINONLY"}}`)
	if r := m2.send(t, "GET", "/v1/storage/download?fileID=cloud://minibase.kept/a.txt", testKey, nil); r.body != "a" {
		t.Errorf("file after restart: %d %q", r.status, r.body)
	}
}
