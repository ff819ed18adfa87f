//go:build !minibase_fuzz

package storage_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"minibase/server/servertest"
	"minibase/storage/s3/miniotest"
)

// TestStorageS3 runs the API on the S3 backend against a real MinIO:
// downloads redirect to presigned MinIO URLs (or, configured so, pass
// through minibase with ranges), and servers sharing the bucket and prefix
// share the bucket settings; another prefix is another deployment.
func TestStorageS3(t *testing.T) {
	srv := miniotest.Start(t)
	// on is a server on srv under prefix, its downloads proxied or not.
	on := func(prefix string, proxy bool) servertest.Options {
		env := map[string]string{"MINIBASE_S3_PREFIX": prefix}
		if proxy {
			env["MINIBASE_S3_DOWNLOAD"] = "proxy"
		}
		return servertest.Options{MinIO: srv, Env: env}
	}
	const catID = "cloud://minibase.default/pics/cat.txt"
	cat := upload(asAdmin, "", "pics/cat.txt", "meow", "text/plain")

	t.Run("redirects", func(t *testing.T) {
		opts := on("app1", false)
		// presigned is an After requiring a redirect to a presigned MinIO
		// URL that serves the file.
		presigned := func(tb testing.TB, _ *servertest.Server, r *servertest.Response) {
			loc := r.Header.Get("Location")
			if !strings.HasPrefix(loc, srv.Endpoint+"/files/app1/default/pics/cat.txt?") || !strings.Contains(loc, "X-Amz-Signature=") {
				tb.Fatalf("%s: Location %q, want a presigned MinIO URL", r.Req, loc)
			}
			resp, err := (&http.Client{Timeout: servertest.RequestTimeout}).Get(loc)
			if err != nil {
				tb.Fatalf("GET %s: %v", loc, err)
			}
			defer resp.Body.Close()
			if b, _ := io.ReadAll(resp.Body); resp.StatusCode != 200 || string(b) != "meow" {
				tb.Errorf("the presigned URL: %d %q", resp.StatusCode, b)
			}
		}
		servertest.Run(t, []servertest.Scenario{
			sends(cat, servertest.Scenario{Name: "upload", Options: opts, Status: 200, Want: `{"fileID":"` + catID + `"}`}),
			{Name: "the /f/ URL", Options: opts, Setup: []servertest.Request{cat}, URL: "/f/default/pics/cat.txt", As: asAdmin,
				Status: 302, After: presigned},
			{Name: "download", Options: opts, Setup: []servertest.Request{cat}, URL: download(catID), As: asAdmin,
				Status: 302, After: presigned},
			{Name: "the temporary URL", Options: opts, Setup: []servertest.Request{cat}, Before: toTempURL(catID, ""), As: asAdmin,
				Status: 302, After: presigned},
			{Name: "a missing file", Options: opts, URL: download("cloud://minibase.default/nope"), As: asAdmin, Status: 404},
		})
	})

	t.Run("a second server proxies", func(t *testing.T) {
		s1 := servertest.New(t, on("app2", false))
		clock := servertest.NewClock(time.Now())
		opts := on("app2", true)
		opts.Clock = clock
		s2 := servertest.New(t, opts)
		s1.Do(t, cat).Expect(t, 200, "")
		if r := s2.Do(t, servertest.Request{URL: "/f/default/pics/cat.txt"}); r.Status != 200 || r.Body != "meow" ||
			r.Header.Get("Content-Type") != "text/plain" {
			t.Errorf("proxied: %d %q %q", r.Status, r.Body, r.Header.Get("Content-Type"))
		}
		r := s2.Do(t, servertest.Request{URL: "/f/default/pics/cat.txt", Header: map[string]string{"Range": "bytes=1-2"}})
		if r.Status != 206 || r.Body != "eo" {
			t.Errorf("proxied range: %d %q", r.Status, r.Body)
		}
		s1.Do(t, newBucket(`{"name":"shared","rule":"ADMINONLY"}`)).Expect(t, 200, "")
		shared := servertest.Request{URL: "/v1/admin/storage/buckets/shared", As: asAdmin}
		s2.Do(t, shared).Expect(t, 404, "") // server 2 has not looked yet
		clock.Add(6 * time.Second)
		s2.Do(t, shared).Expect(t, 200, `{"bucket":{"rule":"ADMINONLY"}}`)
	})

	t.Run("another prefix is another deployment", func(t *testing.T) {
		s1 := servertest.New(t, on("app3", false))
		s1.Do(t, cat).Expect(t, 200, "")
		s1.Do(t, newBucket(`{"name":"shared","rule":"ADMINONLY"}`)).Expect(t, 200, "")
		s3 := servertest.New(t, on("app4", false))
		s3.Do(t, servertest.Request{URL: "/v1/admin/storage/buckets/shared", As: asAdmin}).Expect(t, 404, "")
		s3.Do(t, servertest.Request{URL: download(catID), As: asAdmin}).Expect(t, 404, "")
	})
}
