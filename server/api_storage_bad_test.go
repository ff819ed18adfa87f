package server

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// TestStorageBadInput: every malformed or hostile request is a clear error
// and changes nothing — no file outside the store, no partial file, no
// half-done overwrite.
func TestStorageBadInput(t *testing.T) {
	m := newTestMain(t, nil)
	want(t, "a file to protect", m.upload(t, testKey, "", "keep.txt", "original", "text/plain"), 200, "")
	want(t, "tiny bucket", m.send(t, "POST", "/v1/admin/storage/buckets", testKey, []byte(`{"name":"tiny","maxSize":1000}`)), 200, "")
	want(t, "image bucket", m.send(t, "POST", "/v1/admin/storage/buckets", testKey, []byte(`{"name":"imgs","allowedTypes":["image/*"]}`)), 200, "")

	t.Run("traversal in cloudPath", func(t *testing.T) {
		for _, p := range []string{"../escape.txt", "a/../../escape.txt", "%2e%2e/escape.txt", "%2E%2E%2Fescape.txt", "a/%2e%2e/%2e%2e/x",
			"/etc/passwd", "a\\..\\..\\x", "..\\x", "a//b", "a/./b", "./a", "a/", "a\x00b", "a\x1bb", strings.Repeat("x", 851), ""} {
			r := m.upload(t, testKey, "", p, "attack", "text/plain")
			if r.status != 400 || r.json()["code"] != "INVALID_PARAM" || r.json()["errCode"] != -501007.0 {
				t.Errorf("cloudPath %.40q: %d %.100s, want 400 INVALID_PARAM", p, r.status, r.body)
			}
		}
	})
	t.Run("traversal in URLs", func(t *testing.T) {
		for _, target := range []string{"/f/default/../../../etc/passwd", "/f/default/%2e%2e/%2e%2e/etc/passwd", "/f/default/..%2f..%2fetc%2fpasswd",
			"/f/default/..%5c..%5cx", "/f/default/a%00b", "/f/default/%2fetc%2fpasswd", "/f/default//etc/passwd",
			"/f/default/", "/f/..%2fstorage/keep.txt", "/f/.minibase/buckets.json", "/f/default/%252e%252e/keep.txt"} {
			r := m.send(t, "GET", target, "", nil)
			if r.status != 400 && r.status != 404 || strings.Contains(r.body, "root:") || strings.Contains(r.body, "original") {
				t.Errorf("GET %s: %d %.100s, want 400 or 404", target, r.status, r.body)
			}
		}
		for _, id := range []string{"cloud://minibase.default/../../etc/passwd", "cloud://minibase.default/%2e%2e/keep.txt",
			"cloud://minibase.default/a\\..\\keep.txt", "cloud://minibase.default//keep.txt", "cloud://minibase..minibase/buckets.json"} {
			want(t, "download "+id, m.send(t, "GET", "/v1/storage/download?fileID="+url.QueryEscape(id), testKey, nil), 400, `{"code":"INVALID_PARAM"}`)
			want(t, "temp-urls "+id, m.send(t, "POST", "/v1/storage/temp-urls", testKey, []byte(`{"fileList":["`+strings.ReplaceAll(id, `\`, `\\`)+`"]}`)),
				200, `{"fileList":[{"status":-501007,"code":"INVALID_PARAM"}]}`)
		}
	})
	t.Run("oversized upload", func(t *testing.T) {
		want(t, "1000 bytes fit", m.upload(t, testKey, "?bucket=tiny", "ok.bin", strings.Repeat("x", 1000), ""), 200, "")
		want(t, "1001 do not", m.upload(t, testKey, "?bucket=tiny", "big.bin", strings.Repeat("x", 1001), ""), 413,
			`{"code":"STORAGE_FILE_TOO_LARGE","errCode":-503001}`)
		want(t, "declared far too large", m.upload(t, testKey, "?bucket=tiny", "big.bin", strings.Repeat("x", 200<<10), ""), 413, "")
		want(t, "nor as an overwrite", m.upload(t, testKey, "?bucket=tiny", "ok.bin", strings.Repeat("y", 5000), ""), 413, "")
		if r := m.send(t, "GET", "/f/tiny/ok.bin", "", nil); r.body != strings.Repeat("x", 1000) {
			t.Errorf("oversized overwrite changed the file (%d bytes)", len(r.body))
		}
		want(t, "nothing stored", m.send(t, "GET", "/f/tiny/big.bin", "", nil), 404, "")
	})
	t.Run("content types", func(t *testing.T) {
		want(t, "text into images", m.upload(t, testKey, "?bucket=imgs", "a.txt", "text", "text/plain"), 415,
			`{"code":"STORAGE_TYPE_NOT_ALLOWED","errCode":-503001}`)
		want(t, "html named png", m.upload(t, testKey, "?bucket=imgs", "a.png", "<script>", "text/html"), 415, "")
		want(t, "no type, .txt name", m.upload(t, testKey, "?bucket=imgs", "b.txt", "x", ""), 415, "")
		want(t, "png", m.upload(t, testKey, "?bucket=imgs", "a.png", "\x89PNG", "image/png"), 200, "")
		want(t, "no type, .jpg name", m.upload(t, testKey, "?bucket=imgs", "b.jpg", "\xff\xd8", "application/octet-stream"), 200, "")
	})
	t.Run("truncated and malformed forms", func(t *testing.T) {
		body, ct := fileForm("keep.txt", strings.Repeat("z", 100<<10), "text/plain")
		for _, cut := range []int{len(body) / 2, len(body) - 10, 150} {
			r := m.send(t, "POST", "/v1/storage/upload", testKey, body[:cut], "Content-Type", ct)
			want(t, fmt.Sprintf("cut at %d", cut), r, 400, `{"code":"INVALID_PARAM"}`)
		}
		noFile, ct2 := form(part{name: "cloudPath", value: "x.txt"})
		fileFirst, ct3 := form(part{name: "file", filename: "f", value: "x"}, part{name: "cloudPath", value: "x.txt"})
		longField, ct4 := form(part{name: "cloudPath", value: strings.Repeat("a", 2000)}, part{name: "file", filename: "f", value: "x"})
		bigHead, ct5 := form(part{name: "junk", value: strings.Repeat("j", 100<<10)}, part{name: "cloudPath", value: "x.txt"}, part{name: "file", filename: "f", value: "x"})
		for name, c := range map[string][2]string{
			"no file": {string(noFile), ct2}, "file before cloudPath": {string(fileFirst), ct3}, "long cloudPath": {string(longField), ct4},
			"huge fields before the file": {string(bigHead), ct5}, "not multipart": {`{"cloudPath":"x.txt"}`, "application/json"},
			"no boundary": {string(noFile), "multipart/form-data"}, "wrong boundary": {string(noFile), "multipart/form-data; boundary=nope"},
		} {
			want(t, name, m.send(t, "POST", "/v1/storage/upload", testKey, []byte(c[0]), "Content-Type", c[1]), 400, `{"code":"INVALID_PARAM"}`)
		}
		want(t, "unknown bucket", m.upload(t, testKey, "?bucket=nope", "x.txt", "x", ""), 404, `{"code":"STORAGE_BUCKET_NONEXIST","errCode":-503003}`)
		if r := m.send(t, "GET", "/f/default/keep.txt", "", nil); r.body != "original" {
			t.Errorf("a failed upload changed keep.txt to %.40q", r.body)
		}
	})
	t.Run("batches", func(t *testing.T) {
		ids := make([]string, 51)
		for i := range ids {
			ids[i] = `"cloud://minibase.default/f` + fmt.Sprint(i) + `"`
		}
		for _, ep := range []string{"temp-urls", "delete"} {
			path := "/v1/storage/" + ep
			want(t, ep+" 51 items", m.send(t, "POST", path, testKey, []byte(`{"fileList":[`+strings.Join(ids, ",")+`]}`)), 400,
				`{"code":"INVALID_PARAM","errCode":-501007}`)
			want(t, ep+" 50 items", m.send(t, "POST", path, testKey, []byte(`{"fileList":[`+strings.Join(ids[:50], ",")+`]}`)), 200, "")
			for _, body := range []string{`{"fileList":[]}`, `{}`, `not json`, `{"fileList":"cloud://minibase.default/keep.txt"}`, `{"fileList":[42]}`, `{"fileList":[{"maxAge":5}]}`} {
				want(t, ep+" "+body, m.send(t, "POST", path, testKey, []byte(body)), 400, `{"code":"INVALID_PARAM"}`)
			}
		}
	})
	files := storageFiles(t, m)
	slices.Sort(files)
	if exp := []string{"objects/default/keep.txt", "objects/imgs/a.png", "objects/imgs/b.jpg", "objects/tiny/ok.bin"}; !slices.Equal(files, exp) {
		t.Errorf("files on disk after bad input = %v, want %v (no partial uploads)", files, exp)
	}
}
