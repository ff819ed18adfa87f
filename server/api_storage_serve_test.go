package server

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// newStorageMain is newAuthMain with the storage service on the same clock.
func newStorageMain(t *testing.T) (*Server, *clock) {
	t.Helper()
	return newAuthMain(t, func(c *Config) { c.Storage.Now = c.Auth.Now })
}

// TestStorageConditionalAndRange: the CDN URLs answer conditional and range
// requests as browsers and CDNs expect (RFC 9110).
func TestStorageConditionalAndRange(t *testing.T) {
	m := newTestMain(t, nil)
	data := strings.Repeat("0123456789", 100) // 1000 bytes
	want(t, "upload", m.upload(t, testKey, "", "r.bin", data, "application/x-test"), 200, "")
	full := m.send(t, "GET", "/f/default/r.bin", "", nil)
	etag, lastMod := full.header.Get("ETag"), full.header.Get("Last-Modified")
	later := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	earlier := time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat)

	tests := []struct {
		name    string
		method  string
		header  []string
		status  int
		body    string // "" with status 200/206: checked by length only
		headers map[string]string
	}{
		{"If-None-Match", "GET", []string{"If-None-Match", etag}, 304, "", map[string]string{"ETag": etag}},
		{"If-None-Match list", "GET", []string{"If-None-Match", `"other", ` + etag}, 304, "", nil},
		{"If-None-Match weak", "GET", []string{"If-None-Match", "W/" + etag}, 304, "", nil},
		{"If-None-Match *", "GET", []string{"If-None-Match", "*"}, 304, "", nil},
		{"If-None-Match other", "GET", []string{"If-None-Match", `"other"`}, 200, data, nil},
		{"If-Modified-Since later", "GET", []string{"If-Modified-Since", later}, 304, "", nil},
		{"If-Modified-Since same", "GET", []string{"If-Modified-Since", lastMod}, 304, "", nil},
		{"If-Modified-Since earlier", "GET", []string{"If-Modified-Since", earlier}, 200, data, nil},
		{"If-None-Match wins", "GET", []string{"If-None-Match", `"other"`, "If-Modified-Since", later}, 200, data, nil},
		{"HEAD 304", "HEAD", []string{"If-None-Match", etag}, 304, "", nil},
		{"range", "GET", []string{"Range", "bytes=10-19"}, 206, data[10:20], map[string]string{"Content-Range": "bytes 10-19/1000", "Content-Length": "10"}},
		{"open range", "GET", []string{"Range", "bytes=990-"}, 206, data[990:], map[string]string{"Content-Range": "bytes 990-999/1000"}},
		{"suffix range", "GET", []string{"Range", "bytes=-5"}, 206, data[995:], map[string]string{"Content-Range": "bytes 995-999/1000"}},
		{"range past the end is cut", "GET", []string{"Range", "bytes=900-5000"}, 206, data[900:], map[string]string{"Content-Range": "bytes 900-999/1000"}},
		{"suffix longer than the file", "GET", []string{"Range", "bytes=-5000"}, 206, data, map[string]string{"Content-Range": "bytes 0-999/1000"}},
		{"range from the end", "GET", []string{"Range", "bytes=1000-"}, 416, "", map[string]string{"Content-Range": "bytes */1000"}},
		{"range beyond", "GET", []string{"Range", "bytes=5000-6000"}, 416, "", map[string]string{"Content-Range": "bytes */1000"}},
		{"empty suffix", "GET", []string{"Range", "bytes=-0"}, 416, "", nil},
		{"several ranges: whole file", "GET", []string{"Range", "bytes=0-1,5-6"}, 200, data, nil},
		{"malformed range: whole file", "GET", []string{"Range", "bytes=x-y"}, 200, data, nil},
		{"backwards range: whole file", "GET", []string{"Range", "bytes=20-10"}, 200, data, nil},
		{"other unit: whole file", "GET", []string{"Range", "items=0-1"}, 200, data, nil},
		{"If-Range current", "GET", []string{"Range", "bytes=0-1", "If-Range", etag}, 206, data[:2], nil},
		{"If-Range stale", "GET", []string{"Range", "bytes=0-1", "If-Range", `"stale"`}, 200, data, nil},
		{"HEAD", "HEAD", nil, 200, "", map[string]string{"Content-Length": "1000", "Content-Type": "application/x-test", "ETag": etag}},
		{"HEAD range", "HEAD", []string{"Range", "bytes=0-99"}, 206, "", map[string]string{"Content-Length": "100", "Content-Range": "bytes 0-99/1000"}},
	}
	for _, tt := range tests {
		r := m.send(t, tt.method, "/f/default/r.bin", "", nil, tt.header...)
		if r.status != tt.status {
			t.Errorf("%s: status %d, want %d (%.100s)", tt.name, r.status, tt.status, r.body)
			continue
		}
		if tt.body != r.body && (tt.status != 416 || r.json()["code"] != "STORAGE_RANGE_NOT_SATISFIABLE") {
			t.Errorf("%s: body %.60q (%d bytes), want %.60q", tt.name, r.body, len(r.body), tt.body)
		}
		for k, v := range tt.headers {
			if r.header.Get(k) != v {
				t.Errorf("%s: %s = %q, want %q", tt.name, k, r.header.Get(k), v)
			}
		}
	}
	want(t, "empty file", m.upload(t, testKey, "", "empty", "", "text/plain"), 200, "")
	if r := m.send(t, "GET", "/f/default/empty", "", nil); r.status != 200 || r.body != "" || r.header.Get("Content-Length") != "0" {
		t.Errorf("empty file: %d %q %v", r.status, r.body, r.header)
	}
	if r := m.send(t, "GET", "/f/default/empty", "", nil, "Range", "bytes=0-"); r.status != 416 {
		t.Errorf("range of an empty file: %d", r.status)
	}
	big := strings.Repeat("x", 3<<20)
	want(t, "upload 3 MiB", m.upload(t, testKey, "", "big.bin", big, ""), 200, "")
	if r := m.send(t, "GET", "/f/default/big.bin", "", nil, "Range", "bytes=1048576-2097151"); r.status != 206 || r.body != big[1<<20:2<<20] {
		t.Errorf("range of a big file: %d, %d bytes", r.status, len(r.body))
	}
}

// TestStorageSignedURLs: files of a bucket that is not public are served
// only to a valid, unexpired signed URL from temp-urls (or to a caller the
// rule lets read), and the URL is tied to its bucket, path and expiry.
func TestStorageSignedURLs(t *testing.T) {
	m, clk := newStorageMain(t)
	want(t, "private bucket", m.send(t, "POST", "/v1/admin/storage/buckets", testKey, []byte(`{"name":"secret","rule":"PRIVATE"}`)), 200, "")
	owner := m.signIn(t, "/v1/auth/anonymous", "", `{}`).str("access_token")
	want(t, "owner uploads", m.upload(t, owner, "?bucket=secret", "me/diary.txt", "dear diary", "text/plain"), 200, "")
	want(t, "owner uploads another", m.upload(t, owner, "?bucket=secret", "me/other.txt", "other", "text/plain"), 200, "")

	want(t, "no signature", m.send(t, "GET", "/f/secret/me/diary.txt", "", nil), 403, `{"code":"STORAGE_EXCEED_AUTHORITY","errCode":-503002}`)
	if r := m.send(t, "GET", "/f/secret/me/diary.txt", owner, nil); r.status != 200 || r.header.Get("Cache-Control") != "private, no-cache" {
		t.Errorf("owner's token on the URL: %d %q", r.status, r.header.Get("Cache-Control"))
	}
	signed := m.tempURL(t, owner, "cloud://minibase.secret/me/diary.txt", 600)
	u, _ := url.Parse(signed)
	q := u.Query()
	if len(q.Get("sign")) != 32 || q.Get("t") != strconv.FormatInt(clk.Now().Unix()+600, 10) {
		t.Fatalf("signed URL %s: want sign (32 hex) and t = now+600", signed)
	}
	r := m.send(t, "GET", signed, "", nil)
	if r.status != 200 || r.body != "dear diary" || r.header.Get("Cache-Control") != "private, max-age=600" {
		t.Fatalf("signed URL: %d %q Cache-Control %q", r.status, r.body, r.header.Get("Cache-Control"))
	}
	alter := func(key, val string) string {
		v := u.Query()
		v.Set(key, val)
		return u.Path + "?" + v.Encode()
	}
	s := []byte(q.Get("sign"))
	s[0] ^= 1
	for name, target := range map[string]string{
		"altered sign":   alter("sign", string(s)),
		"later t":        alter("t", strconv.FormatInt(clk.Now().Unix()+6000, 10)),
		"no t":           u.Path + "?sign=" + q.Get("sign"),
		"other path":     "/f/secret/me/other.txt?" + u.RawQuery,
		"garbage sign":   alter("sign", "'; DROP TABLE files; --"),
		"t not a number": alter("t", "tomorrow"),
	} {
		want(t, name, m.send(t, "GET", target, "", nil), 403, `{"code":"STORAGE_SIGN_PARAM_INVALID","errCode":-503004}`)
	}
	clk.Add(599 * time.Second)
	want(t, "one second left", m.send(t, "GET", signed, "", nil), 200, "")
	clk.Add(2 * time.Second)
	want(t, "expired", m.send(t, "GET", signed, "", nil), 403, `{"code":"STORAGE_SIGN_PARAM_INVALID"}`)

	other := m.signIn(t, "/v1/auth/anonymous", "", `{}`).str("access_token")
	r = m.send(t, "POST", "/v1/storage/temp-urls", other, []byte(`{"fileList":["cloud://minibase.secret/me/diary.txt"]}`))
	want(t, "another user gets no URL", r, 200, `{"fileList":[{"status":-503002,"code":"STORAGE_EXCEED_AUTHORITY"}]}`)
	if _, ok := r.json()["fileList"].([]any)[0].(map[string]any)["tempFileURL"]; ok {
		t.Error("a denied item carries a tempFileURL")
	}
	want(t, "another user's token on the URL", m.send(t, "GET", "/f/secret/me/diary.txt", other, nil), 403, "")
}
