package server

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"minibase/storage/s3"
	"minibase/storage/s3/miniotest"
)

// s3Config points a server at srv's bucket "files" under prefix.
func s3Config(srv *miniotest.Server, prefix string, proxy bool) func(*Config) {
	return func(c *Config) {
		c.Storage.Backend, c.Storage.S3Proxy = "s3", proxy
		c.Storage.S3 = s3.Config{Endpoint: srv.Endpoint, Bucket: "files", AccessKey: srv.AccessKey, SecretKey: srv.SecretKey,
			PathStyle: true, Prefix: prefix}
	}
}

// TestStorageS3 runs the API on the S3 backend against a real MinIO:
// downloads redirect to presigned MinIO URLs (or, configured so, pass
// through minibase with ranges), and servers sharing the bucket share the
// bucket settings.
func TestStorageS3(t *testing.T) {
	srv := miniotest.Start(t)
	m := newTestMain(t, s3Config(srv, "app1", false))
	want(t, "upload", m.upload(t, testKey, "", "pics/cat.txt", "meow", "text/plain"), 200, `{"fileID":"cloud://minibase.default/pics/cat.txt"}`)

	noRedirect := &http.Client{Timeout: 10 * time.Second}
	fetch := func(u string) (int, string) {
		resp, err := noRedirect.Get(u)
		if err != nil {
			t.Fatalf("GET %s: %v", u, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, target := range []string{"/f/default/pics/cat.txt", "/v1/storage/download?fileID=" + url.QueryEscape("cloud://minibase.default/pics/cat.txt"),
		m.tempURL(t, testKey, "cloud://minibase.default/pics/cat.txt", 60)} {
		r := m.send(t, "GET", target, testKey, nil)
		loc := r.header.Get("Location")
		if r.status != 302 || !strings.HasPrefix(loc, srv.Endpoint+"/files/app1/default/pics/cat.txt?") || !strings.Contains(loc, "X-Amz-Signature=") {
			t.Fatalf("GET %s: %d Location %q, want a presigned MinIO URL", target, r.status, loc)
		}
		if code, body := fetch(loc); code != 200 || body != "meow" {
			t.Errorf("presigned URL: %d %q", code, body)
		}
	}
	want(t, "missing file", m.send(t, "GET", "/v1/storage/download?fileID="+url.QueryEscape("cloud://minibase.default/nope"), testKey, nil), 404, "")

	// A second server on the same bucket and prefix, proxying downloads.
	clk := &clock{t: time.Now()}
	m2 := newTestMain(t, func(c *Config) { s3Config(srv, "app1", true)(c); c.Storage.Now = clk.Now })
	if r := m2.send(t, "GET", "/f/default/pics/cat.txt", "", nil); r.status != 200 || r.body != "meow" || r.header.Get("Content-Type") != "text/plain" {
		t.Errorf("proxied: %d %q %q", r.status, r.body, r.header.Get("Content-Type"))
	}
	if r := m2.send(t, "GET", "/f/default/pics/cat.txt", "", nil, "Range", "bytes=1-2"); r.status != 206 || r.body != "eo" {
		t.Errorf("proxied range: %d %q", r.status, r.body)
	}
	want(t, "bucket made on server 1", m.send(t, "POST", "/v1/admin/storage/buckets", testKey, []byte(`{"name":"shared","rule":"ADMINONLY"}`)), 200, "")
	want(t, "server 2 has not looked yet", m2.send(t, "GET", "/v1/admin/storage/buckets/shared", testKey, nil), 404, "")
	clk.Add(6 * time.Second)
	want(t, "server 2 sees it", m2.send(t, "GET", "/v1/admin/storage/buckets/shared", testKey, nil), 200, `{"bucket":{"rule":"ADMINONLY"}}`)

	// Another prefix is another deployment: its own buckets and files.
	m3 := newTestMain(t, s3Config(srv, "app2", false))
	want(t, "separate deployments", m3.send(t, "GET", "/v1/admin/storage/buckets/shared", testKey, nil), 404, "")
	want(t, "separate files", m3.send(t, "GET", "/v1/storage/download?fileID="+url.QueryEscape("cloud://minibase.default/pics/cat.txt"), testKey, nil), 404, "")
}
