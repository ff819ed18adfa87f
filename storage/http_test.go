//go:build !minibase_fuzz

package storage_test

// The storage area's HTTP contract (storage/http*.go as the server mounts
// them): each scenario runs on a server of its own (server/servertest), so
// that a case states the files and buckets it needs in Setup and one
// failure never cascades.

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"minibase/server/servertest"
)

var (
	asAdmin = servertest.Admin
	alice   = servertest.Anonymous("alice")
	bob     = servertest.Anonymous("bob")
)

// host is the Host of the requests that make URLs: a temporary URL is
// made from it (MINIBASE_PUBLIC_URL is not set).
const host = "files.test"

// byAdmin is a request of the admin's.
func byAdmin(method, url, body string) servertest.Request {
	return servertest.Request{Method: method, URL: url, Body: body, As: asAdmin}
}

// newBucket is the admin's request creating a bucket (settings: its JSON).
func newBucket(settings string) servertest.Request {
	return byAdmin("POST", "/v1/admin/storage/buckets", settings)
}

// upload is id's upload of content to cloudPath (query may add
// "?bucket=…") in the usual form: cloudPath, then the file, of type ctype
// ("" sends none).
func upload(id servertest.Identity, query, cloudPath, content, ctype string) servertest.Request {
	return uploadForm(id, query, servertest.Part{Name: "cloudPath", Value: cloudPath},
		servertest.Part{Name: "file", Filename: "blob", Type: ctype, Value: content})
}

// uploadForm is id's upload of the form parts.
func uploadForm(id servertest.Identity, query string, parts ...servertest.Part) servertest.Request {
	body, ct := servertest.Form(parts...)
	return servertest.Request{Method: "POST", URL: "/v1/storage/upload" + query, Body: body,
		Header: map[string]string{"Content-Type": ct}, As: id}
}

// sends is sc with r as its request.
func sends(r servertest.Request, sc servertest.Scenario) servertest.Scenario {
	sc.Method, sc.URL, sc.Body, sc.Header, sc.As = r.Method, r.URL, r.Body, r.Header, r.As
	return sc
}

// runOnOne runs scenarios as subtests of t on one server, opened with
// opts and given setup (their own Options are not applied). A server costs
// 100-250 ms under -race; the cases stay as independent as on servers of
// their own, for each either changes nothing (a refusal, whose After shows
// it) or first resets, in its own Setup, what it uses.
func runOnOne(t *testing.T, opts servertest.Options, setup []servertest.Request, scenarios []servertest.Scenario) {
	t.Helper()
	s := servertest.New(t, opts)
	for _, r := range setup {
		s.Do(t, r).Expect(t, 200, "")
	}
	for _, sc := range scenarios {
		t.Run(sc.Name, func(t *testing.T) { s.Run(t, sc) })
	}
}

// download is the URL of fileID's download.
func download(fileID string) string {
	return "/v1/storage/download?fileID=" + url.QueryEscape(fileID)
}

// fileList is the body of a temp-urls or delete request of fileIDs.
func fileList(fileIDs ...string) string {
	return `{"fileList":["` + strings.Join(fileIDs, `","`) + `"]}`
}

type after = func(testing.TB, *servertest.Server, *servertest.Response)

// all is an After running each of afters in turn (nil ones do nothing).
func all(afters ...after) after {
	return func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
		tb.Helper()
		for _, a := range afters {
			if a != nil {
				a(tb, s, r)
			}
		}
	}
}

// bodyIs is an After requiring the body to be want, byte for byte.
func bodyIs(want string) after {
	return func(tb testing.TB, _ *servertest.Server, r *servertest.Response) {
		tb.Helper()
		if r.Body != want {
			tb.Errorf("%s: body %.80q (%d bytes), want %.80q (%d bytes)", r.Req, r.Body, len(r.Body), want, len(want))
		}
	}
}

// messageHas is an After requiring part in the error's message.
func messageHas(part string) after {
	return func(tb testing.TB, _ *servertest.Server, r *servertest.Response) {
		tb.Helper()
		if msg := r.Str("message"); !strings.Contains(msg, part) {
			tb.Errorf("%s: message %q, want it to say %q", r.Req, msg, part)
		}
	}
}

// fileIs is an After requiring the visitor's GET of target to answer 200
// with content.
func fileIs(target, content string) after {
	return func(tb testing.TB, s *servertest.Server, _ *servertest.Response) {
		tb.Helper()
		r := s.Do(tb, servertest.Request{URL: target})
		if r.Status != 200 || r.Body != content {
			tb.Errorf("then %s: %d %.80q, want 200 %.80q", r.Req, r.Status, r.Body, content)
		}
	}
}

// downloadIs is an After requiring the admin's download of fileID to be
// content: what a refused write must leave as it was.
func downloadIs(fileID, content string) after {
	return func(tb testing.TB, s *servertest.Server, _ *servertest.Response) {
		tb.Helper()
		if r := s.Do(tb, servertest.Request{URL: download(fileID), As: asAdmin}); r.Status != 200 || r.Body != content {
			tb.Errorf("then the admin's download of %s: %d %.80q, want %.80q", fileID, r.Status, r.Body, content)
		}
	}
}

// filesAre is an After requiring the local backend to hold exactly files
// on disk (objects and unfinished uploads, relative to its directory): no
// partial upload, nothing left of a deleted file.
func filesAre(files ...string) after {
	return func(tb testing.TB, s *servertest.Server, _ *servertest.Response) {
		tb.Helper()
		if got := storageFiles(tb, s); !slices.Equal(got, files) {
			tb.Errorf("files on disk: %q, want %q", got, files)
		}
	}
}

// storageFiles lists what the local backend holds on disk (objects and
// unfinished uploads), relative to its directory, in order.
func storageFiles(tb testing.TB, s *servertest.Server) []string {
	tb.Helper()
	var out []string
	root := filepath.Join(s.Server.Config.Dir, "storage")
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.HasPrefix(p, filepath.Join(root, "meta")) && !strings.Contains(p, ".minibase") {
			rel, _ := filepath.Rel(root, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		tb.Fatalf("list the files on disk: %v", err)
	}
	slices.Sort(out)
	return out
}

// tempURL asks, as id, for fileID's temporary URL (maxAge 0: the default)
// and returns its path and query.
func tempURL(tb testing.TB, s *servertest.Server, id servertest.Identity, fileID string, maxAge int) string {
	tb.Helper()
	item := fmt.Sprintf("%q", fileID)
	if maxAge != 0 {
		item = fmt.Sprintf(`{"fileID":%q,"maxAge":%d}`, fileID, maxAge)
	}
	r := s.Do(tb, servertest.Request{Method: "POST", URL: "/v1/storage/temp-urls", Body: `{"fileList":[` + item + `]}`,
		Header: map[string]string{"Host": host}, As: id})
	r.Expect(tb, 200, `{"fileList":[{"status":0,"errMsg":"ok"}]}`)
	u, err := url.Parse(r.Str("fileList.0.tempFileURL"))
	if err != nil || u.Host != host {
		tb.Fatalf("tempFileURL %v: %v, want one on %s", u, err, host)
	}
	return u.RequestURI()
}

// toTempURL is a Before sending the request to fileID's temporary URL (the
// admin's, default maxAge) with query added.
func toTempURL(fileID, query string) func(testing.TB, *servertest.Server, *servertest.Request) {
	return func(tb testing.TB, s *servertest.Server, r *servertest.Request) {
		r.URL = tempURL(tb, s, asAdmin, fileID, 0) + query
	}
}

// TestStorageFlow: the client calls, each on its own: upload, temporary
// URLs, the CDN URL, download, overwrite, delete — the shapes wx.cloud's
// storage API returns (reference/wxcloud-api.md §2.1, §4.2).
func TestStorageFlow(t *testing.T) {
	const id = "cloud://minibase.default/docs/hello.txt"
	hello := []servertest.Request{upload(asAdmin, "", "docs/hello.txt", "hello, world", "text/plain; charset=utf-8")}
	servertest.Run(t, []servertest.Scenario{
		sends(hello[0], servertest.Scenario{Name: "upload", Status: 200,
			Want:  `{"fileID":"` + id + `","statusCode":200}`,
			After: fileIs("/f/default/docs/hello.txt", "hello, world")}),
		{Name: "temp-urls", Setup: hello, Method: "POST", URL: "/v1/storage/temp-urls", Header: map[string]string{"Host": host}, As: asAdmin,
			Body: `{"fileList":["` + id + `",{"fileID":"` + id + `","maxAge":60},{"fileID":"` + id + `","maxAge":999999}]}`, Status: 200,
			Want: `{"fileList":[{"fileID":"` + id + `","maxAge":86400,"status":0,"errMsg":"ok"},{"maxAge":60,"status":0},{"maxAge":86400,"status":0}]}`,
			After: func(tb testing.TB, _ *servertest.Server, r *servertest.Response) {
				if u := r.Str("fileList.0.tempFileURL"); !strings.HasPrefix(u, "http://"+host+"/f/default/docs/hello.txt?v=") {
					tb.Errorf("a public file's tempFileURL = %q", u)
				}
			}},
		{Name: "the temporary URL of a public file", Setup: hello, Before: toTempURL(id, ""), Status: 200,
			WantHeader: map[string]string{"Content-Type": "text/plain; charset=utf-8", "Content-Length": "12",
				"Cache-Control": "public, max-age=31536000, immutable", "Accept-Ranges": "bytes", "X-Content-Type-Options": "nosniff"},
			After: all(bodyIs("hello, world"), func(tb testing.TB, _ *servertest.Server, r *servertest.Response) {
				lm, err := http.ParseTime(r.Header.Get("Last-Modified"))
				if err != nil || time.Since(lm) > time.Minute || r.Header.Get("ETag") == "" {
					tb.Errorf("Last-Modified %q, ETag %q", r.Header.Get("Last-Modified"), r.Header.Get("ETag"))
				}
			})},
		{Name: "the URL without a version", Setup: hello, URL: "/f/default/docs/hello.txt", Status: 200,
			WantHeader: map[string]string{"Cache-Control": "public, max-age=300"}, After: bodyIs("hello, world")},
		{Name: "download", Setup: hello, URL: download(id), As: asAdmin, Status: 200,
			WantHeader: map[string]string{"Cache-Control": "private, no-cache"}, After: bodyIs("hello, world")},
		overwrite(id, hello),
		{Name: "delete", Setup: hello, Method: "POST", URL: "/v1/storage/delete",
			Body: fileList(id, "cloud://minibase.default/nope", "cloud://other-env.default/docs/hello.txt", "not a fileID"), As: asAdmin,
			Status: 200, Want: `{"fileList":[{"fileID":"` + id + `","status":0,"errMsg":"ok"},
				{"status":-503003,"code":"STORAGE_FILE_NONEXIST"},{"status":-503003,"code":"STORAGE_FILE_NONEXIST"},
				{"status":-501007,"code":"INVALID_PARAM"}]}`,
			After: all(servertest.Then(
				servertest.Scenario{Name: "its URL", URL: "/f/default/docs/hello.txt", Status: 404,
					Want: `{"code":"STORAGE_FILE_NONEXIST","errCode":-503003}`},
				servertest.Scenario{Name: "its download", URL: download(id), As: asAdmin, Status: 404,
					Want: `{"code":"STORAGE_FILE_NONEXIST"}`}),
				filesAre())},
	})
}

// overwrite is the scenario of an upload over a file whose versioned URL a
// client holds: that URL then serves the new content, with a new ETag,
// and is no longer cached for good.
func overwrite(id string, setup []servertest.Request) servertest.Scenario {
	var oldURL, oldETag string
	return sends(upload(asAdmin, "", "docs/hello.txt", "second version", "text/plain"), servertest.Scenario{
		Name: "overwrite", Setup: setup, Status: 200, Want: `{"fileID":"` + id + `"}`,
		Before: func(tb testing.TB, s *servertest.Server, _ *servertest.Request) {
			oldURL = tempURL(tb, s, asAdmin, id, 0)
			oldETag = s.Do(tb, servertest.Request{URL: oldURL}).Header.Get("ETag")
		},
		After: func(tb testing.TB, s *servertest.Server, _ *servertest.Response) {
			r := s.Do(tb, servertest.Request{URL: oldURL})
			if r.Body != "second version" || r.Header.Get("ETag") == oldETag || r.Header.Get("Cache-Control") != "public, max-age=300" {
				tb.Errorf("after the overwrite, the old URL gives %q, ETag %s (was %s), Cache-Control %q",
					r.Body, r.Header.Get("ETag"), oldETag, r.Header.Get("Cache-Control"))
			}
		}})
}

// TestStorageUploadForms: the form may name the bucket, put cloudPath in
// the query, carry extra fields, and leave the content type to the name.
func TestStorageUploadForms(t *testing.T) {
	avatars := []servertest.Request{newBucket(`{"name":"avatars"}`)}
	chinese := "相册/2024/猫 咪.jpg"
	servertest.Run(t, []servertest.Scenario{
		sends(uploadForm(asAdmin, "", servertest.Part{Name: "bucket", Value: "avatars"}, servertest.Part{Name: "extra", Value: "ignored"},
			servertest.Part{Name: "cloudPath", Value: "u/1.png"}, servertest.Part{Name: "file", Filename: "x", Value: "\x89PNG..."}),
			servertest.Scenario{Name: "the bucket as a field, the type from the name", Setup: avatars, Status: 200,
				Want: `{"fileID":"cloud://minibase.avatars/u/1.png"}`,
				After: func(tb testing.TB, s *servertest.Server, _ *servertest.Response) {
					if r := s.Do(tb, servertest.Request{URL: "/f/avatars/u/1.png"}); r.Header.Get("Content-Type") != "image/png" || r.Body != "\x89PNG..." {
						tb.Errorf("type from the name: %q %q", r.Header.Get("Content-Type"), r.Body)
					}
				}}),
		sends(uploadForm(asAdmin, "?cloudPath=q%2Fa.txt&bucket=avatars", servertest.Part{Name: "file", Filename: "x", Type: "text/plain", Value: "q"}),
			servertest.Scenario{Name: "cloudPath in the query", Setup: avatars, Status: 200,
				Want: `{"fileID":"cloud://minibase.avatars/q/a.txt"}`, After: fileIs("/f/avatars/q/a.txt", "q")}),
		sends(upload(asAdmin, "", chinese, "meow", "image/jpeg"), servertest.Scenario{Name: "a unicode path", Status: 200,
			Want:  `{"fileID":"cloud://minibase.default/` + chinese + `"}`,
			After: fileIs("/f/default/"+(&url.URL{Path: chinese}).EscapedPath(), "meow")}),
	})
}

// TestStorageEnvID: fileIDs carry the env id of MINIBASE_ENV, and fileIDs
// of another env are not this server's files.
func TestStorageEnvID(t *testing.T) {
	opts := servertest.Options{Env: map[string]string{"MINIBASE_ENV": "shop-prod"}}
	a := upload(asAdmin, "", "a.txt", "a", "")
	servertest.Run(t, []servertest.Scenario{
		sends(a, servertest.Scenario{Name: "upload", Options: opts, Status: 200, Want: `{"fileID":"cloud://shop-prod.default/a.txt"}`}),
		{Name: "another env's fileID", Options: opts, Setup: []servertest.Request{a}, Method: "POST", URL: "/v1/storage/temp-urls",
			Body: fileList("cloud://minibase.default/a.txt"), As: asAdmin, Status: 200,
			Want: `{"fileList":[{"status":-503003,"code":"STORAGE_FILE_NONEXIST"}]}`},
	})
}
