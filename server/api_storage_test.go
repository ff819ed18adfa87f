package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// part is one field of a multipart upload form: a file when filename is set.
type part struct{ name, filename, ctype, value string }

// form encodes parts, in order, as multipart/form-data.
func form(parts ...part) ([]byte, string) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		disp := fmt.Sprintf(`form-data; name=%q`, p.name)
		if p.filename != "" {
			disp += fmt.Sprintf(`; filename=%q`, p.filename)
		}
		h.Set("Content-Disposition", disp)
		if p.ctype != "" {
			h.Set("Content-Type", p.ctype)
		}
		pw, _ := w.CreatePart(h)
		pw.Write([]byte(p.value))
	}
	w.Close()
	return buf.Bytes(), w.FormDataContentType()
}

// fileForm is the usual upload: cloudPath, then the file.
func fileForm(cloudPath, content, ctype string) ([]byte, string) {
	return form(part{name: "cloudPath", value: cloudPath}, part{name: "file", filename: "blob", ctype: ctype, value: content})
}

// resp is a raw response.
type resp struct {
	status int
	header http.Header
	body   string
}

// json decodes the body as an object (an empty map when it is not one).
func (r resp) json() map[string]any {
	var m map[string]any
	json.Unmarshal([]byte(r.body), &m)
	return m
}

// send makes a request with a raw body and headers; bearer "" sends none.
func (m *Server) send(t *testing.T, method, target, bearer string, body []byte, header ...string) resp {
	t.Helper()
	req := httptest.NewRequest(method, target, bytes.NewReader(body))
	req.Host = "files.test" // as a Host header: an absolute URL in the request line would go without one
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	r, err := m.app.Test(req, -1)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	return resp{status: r.StatusCode, header: r.Header, body: string(b)}
}

// upload posts a file to /v1/storage/upload (query may add ?bucket=…).
func (m *Server) upload(t *testing.T, bearer, query, cloudPath, content, ctype string) resp {
	t.Helper()
	body, ct := fileForm(cloudPath, content, ctype)
	return m.send(t, "POST", "/v1/storage/upload"+query, bearer, body, "Content-Type", ct)
}

// want fails unless r has status and (when set) the JSON body contains w.
func want(t *testing.T, what string, r resp, status int, w string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: status %d, want %d; body %.300s", what, r.status, status, r.body)
	}
	if w == "" {
		return
	}
	var wv any
	if err := json.Unmarshal([]byte(w), &wv); err != nil {
		t.Fatalf("%s: bad want: %v", what, err)
	}
	if path, ok := contains(wv, any(r.json())); !ok {
		t.Fatalf("%s: at %s: got %.600s, want subset %s", what, path, r.body, w)
	}
}

// contains is subset with arrays compared element by element (same
// length, each element a subset).
func contains(want, got any) (string, bool) {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return "", false
		}
		for k, wv := range w {
			if p, ok := contains(wv, g[k]); !ok {
				return k + "." + p, false
			}
		}
		return "", true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return fmt.Sprintf("(%d items)", len(w)), false
		}
		for i := range w {
			if p, ok := contains(w[i], g[i]); !ok {
				return fmt.Sprintf("%d.%s", i, p), false
			}
		}
		return "", true
	}
	return subset(want, got)
}

// tempURL asks for fileID's URL and returns its path and query, for m.send.
func (m *Server) tempURL(t *testing.T, bearer, fileID string, maxAge int) string {
	t.Helper()
	r := m.send(t, "POST", "/v1/storage/temp-urls", bearer, fmt.Appendf(nil, `{"fileList":[{"fileID":%q,"maxAge":%d}]}`, fileID, maxAge))
	want(t, "temp-urls "+fileID, r, 200, `{"fileList":[{"status":0,"errMsg":"ok"}]}`)
	u, err := url.Parse(r.json()["fileList"].([]any)[0].(map[string]any)["tempFileURL"].(string))
	if err != nil || u.Host != "files.test" {
		t.Fatalf("tempFileURL %v: %v", u, err)
	}
	return u.RequestURI()
}

// storageFiles lists what the local backend holds on disk (objects and
// unfinished uploads), relative to its directory.
func storageFiles(t *testing.T, m *Server) []string {
	t.Helper()
	var out []string
	root := filepath.Join(m.Config.Dir, "storage")
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.HasPrefix(p, filepath.Join(root, "meta")) && !strings.Contains(p, ".minibase") {
			rel, _ := filepath.Rel(root, p)
			out = append(out, rel)
		}
		return nil
	})
	return out
}

// TestStorageFlow walks the client calls: upload, temporary URLs, the CDN
// URL, download, overwrite, delete — the shapes wx.cloud's storage API
// returns (reference/wxcloud-api.md §2.1, §4.2).
func TestStorageFlow(t *testing.T) {
	m := newTestMain(t, nil)
	want(t, "upload", m.upload(t, testKey, "", "docs/hello.txt", "hello, world", "text/plain; charset=utf-8"), 200,
		`{"fileID":"cloud://minibase.default/docs/hello.txt","statusCode":200}`)
	const id = "cloud://minibase.default/docs/hello.txt"

	r := m.send(t, "POST", "/v1/storage/temp-urls", testKey, []byte(`{"fileList":["`+id+`",{"fileID":"`+id+`","maxAge":60},{"fileID":"`+id+`","maxAge":999999}]}`))
	want(t, "temp-urls", r, 200, `{"fileList":[{"fileID":"`+id+`","maxAge":86400,"status":0,"errMsg":"ok"},{"maxAge":60,"status":0},{"maxAge":86400,"status":0}]}`)
	tempURL := r.json()["fileList"].([]any)[0].(map[string]any)["tempFileURL"].(string)
	if !strings.HasPrefix(tempURL, "http://files.test/f/default/docs/hello.txt?v=") {
		t.Fatalf("public file's tempFileURL = %q", tempURL)
	}
	u, _ := url.Parse(tempURL)

	got := m.send(t, "GET", u.RequestURI(), "", nil)
	if got.status != 200 || got.body != "hello, world" || got.header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Fatalf("GET %s = %d %q %v", u.RequestURI(), got.status, got.body, got.header)
	}
	etag := got.header.Get("ETag")
	for k, v := range map[string]string{"Cache-Control": "public, max-age=31536000, immutable", "Accept-Ranges": "bytes",
		"X-Content-Type-Options": "nosniff", "Content-Length": "12"} {
		if got.header.Get(k) != v {
			t.Errorf("%s: %q, want %q", k, got.header.Get(k), v)
		}
	}
	if lm, err := http.ParseTime(got.header.Get("Last-Modified")); err != nil || time.Since(lm) > time.Minute || etag == "" {
		t.Errorf("Last-Modified %q, ETag %q", got.header.Get("Last-Modified"), etag)
	}
	plain := m.send(t, "GET", "/f/default/docs/hello.txt", "", nil)
	if plain.status != 200 || plain.header.Get("Cache-Control") != "public, max-age=300" {
		t.Errorf("unversioned public URL: %d, Cache-Control %q", plain.status, plain.header.Get("Cache-Control"))
	}
	dl := m.send(t, "GET", "/v1/storage/download?fileID="+url.QueryEscape(id), testKey, nil)
	if dl.status != 200 || dl.body != "hello, world" || dl.header.Get("Cache-Control") != "private, no-cache" {
		t.Errorf("download = %d %q, Cache-Control %q", dl.status, dl.body, dl.header.Get("Cache-Control"))
	}

	want(t, "overwrite", m.upload(t, testKey, "", "docs/hello.txt", "second version", "text/plain"), 200, `{"fileID":"`+id+`"}`)
	again := m.send(t, "GET", u.RequestURI(), "", nil)
	if again.body != "second version" || again.header.Get("ETag") == etag || again.header.Get("Cache-Control") != "public, max-age=300" {
		t.Errorf("after overwrite, the old URL gives %q, ETag %s (was %s), Cache-Control %q",
			again.body, again.header.Get("ETag"), etag, again.header.Get("Cache-Control"))
	}

	r = m.send(t, "POST", "/v1/storage/delete", testKey, []byte(`{"fileList":["`+id+`","cloud://minibase.default/nope","cloud://other-env.default/docs/hello.txt","not a fileID"]}`))
	want(t, "delete", r, 200, `{"fileList":[{"fileID":"`+id+`","status":0,"errMsg":"ok"},
		{"status":-503003,"code":"STORAGE_FILE_NONEXIST"},{"status":-503003,"code":"STORAGE_FILE_NONEXIST"},{"status":-501007,"code":"INVALID_PARAM"}]}`)
	want(t, "gone", m.send(t, "GET", "/f/default/docs/hello.txt", "", nil), 404, `{"code":"STORAGE_FILE_NONEXIST","errCode":-503003}`)
	want(t, "download gone", m.send(t, "GET", "/v1/storage/download?fileID="+url.QueryEscape(id), testKey, nil), 404, `{"code":"STORAGE_FILE_NONEXIST"}`)
	if files := storageFiles(t, m); len(files) != 0 {
		t.Errorf("files left on disk: %v", files)
	}
}

// TestStorageUploadForms: the form may name the bucket, put cloudPath in
// the query, carry extra fields, and leave the content type to the name.
func TestStorageUploadForms(t *testing.T) {
	m := newTestMain(t, nil)
	want(t, "bucket", m.send(t, "POST", "/v1/admin/storage/buckets", testKey, []byte(`{"name":"avatars"}`)), 200, "")
	body, ct := form(part{name: "bucket", value: "avatars"}, part{name: "extra", value: "ignored"},
		part{name: "cloudPath", value: "u/1.png"}, part{name: "file", filename: "x", value: "\x89PNG..."})
	want(t, "bucket field", m.send(t, "POST", "/v1/storage/upload", testKey, body, "Content-Type", ct), 200,
		`{"fileID":"cloud://minibase.avatars/u/1.png"}`)
	if r := m.send(t, "GET", "/f/avatars/u/1.png", "", nil); r.header.Get("Content-Type") != "image/png" || r.body != "\x89PNG..." {
		t.Errorf("type from the name: %q %q", r.header.Get("Content-Type"), r.body)
	}
	body, ct = form(part{name: "file", filename: "x", ctype: "text/plain", value: "q"})
	want(t, "cloudPath in the query", m.send(t, "POST", "/v1/storage/upload?cloudPath=q%2Fa.txt&bucket=avatars", testKey, body, "Content-Type", ct), 200,
		`{"fileID":"cloud://minibase.avatars/q/a.txt"}`)
	chinese := "相册/2024/猫 咪.jpg"
	want(t, "unicode path", m.upload(t, testKey, "", chinese, "meow", "image/jpeg"), 200, `{"fileID":"cloud://minibase.default/`+chinese+`"}`)
	if r := m.send(t, "GET", "/f/default/"+(&url.URL{Path: chinese}).EscapedPath(), "", nil); r.status != 200 || r.body != "meow" {
		t.Errorf("GET of a percent-encoded unicode path: %d %q", r.status, r.body)
	}
}
