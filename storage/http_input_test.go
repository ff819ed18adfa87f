//go:build !minibase_fuzz

package storage_test

import (
	"fmt"
	"strings"
	"testing"

	"minibase/server/servertest"
)

// keep is a file bad input must leave as it is.
var keep = upload(asAdmin, "", "keep.txt", "original", "text/plain")

// keptAlone is an After requiring keep.txt as it was and the only file in
// the store's directory: nothing written beside it, no partial file, no
// half-done overwrite.
var keptAlone = all(fileIs("/f/default/keep.txt", "original"), filesAre("objects/default/keep.txt"))

// TestStorageBadInput: every malformed or hostile upload is a clear error
// and changes nothing.
func TestStorageBadInput(t *testing.T) {
	t.Run("traversal in cloudPath", func(t *testing.T) {
		var scenarios []servertest.Scenario
		for _, p := range []string{"../escape.txt", "a/../../escape.txt", "%2e%2e/escape.txt", "%2E%2E%2Fescape.txt", "a/%2e%2e/%2e%2e/x",
			"/etc/passwd", "a\\..\\..\\x", "..\\x", "a//b", "a/./b", "./a", "a/", "a\x00b", "a\x1bb", strings.Repeat("x", 851), ""} {
			scenarios = append(scenarios, sends(upload(asAdmin, "", p, "attack", "text/plain"), servertest.Scenario{
				Name: fmt.Sprintf("%.40q", p), Status: 400, Want: `{"code":"INVALID_PARAM","errCode":-501007}`, After: keptAlone}))
		}
		runOnOne(t, servertest.Options{}, []servertest.Request{keep}, scenarios)
	})
	t.Run("oversized upload", func(t *testing.T) {
		tiny := newBucket(`{"name":"tiny","maxSize":1000}`)
		okBin := upload(asAdmin, "?bucket=tiny", "ok.bin", strings.Repeat("x", 1000), "")
		nothingStored := all(servertest.Then(servertest.Scenario{Name: "nothing stored", URL: "/f/tiny/big.bin", Status: 404}), filesAre())
		servertest.Run(t, []servertest.Scenario{
			sends(okBin, servertest.Scenario{Name: "1000 bytes fit", Setup: []servertest.Request{tiny}, Status: 200,
				After: fileIs("/f/tiny/ok.bin", strings.Repeat("x", 1000))}),
			sends(upload(asAdmin, "?bucket=tiny", "big.bin", strings.Repeat("x", 1001), ""), servertest.Scenario{Name: "1001 do not",
				Setup: []servertest.Request{tiny}, Status: 413, Want: `{"code":"STORAGE_FILE_TOO_LARGE","errCode":-503001}`,
				After: nothingStored}),
			sends(upload(asAdmin, "?bucket=tiny", "big.bin", strings.Repeat("x", 200<<10), ""), servertest.Scenario{
				Name: "declared far too large", Setup: []servertest.Request{tiny}, Status: 413, After: nothingStored}),
			sends(upload(asAdmin, "?bucket=tiny", "ok.bin", strings.Repeat("y", 5000), ""), servertest.Scenario{
				Name: "nor as an overwrite", Setup: []servertest.Request{tiny, okBin}, Status: 413,
				After: all(fileIs("/f/tiny/ok.bin", strings.Repeat("x", 1000)), filesAre("objects/tiny/ok.bin"))}),
		})
	})
	t.Run("content types", func(t *testing.T) {
		imgs := []servertest.Request{newBucket(`{"name":"imgs","allowedTypes":["image/*"]}`)}
		refused := func(name, cloudPath, content, ctype, want string) servertest.Scenario {
			return sends(upload(asAdmin, "?bucket=imgs", cloudPath, content, ctype), servertest.Scenario{Name: name, Setup: imgs,
				Status: 415, Want: want, After: filesAre()})
		}
		servertest.Run(t, []servertest.Scenario{
			refused("text into images", "a.txt", "text", "text/plain", `{"code":"STORAGE_TYPE_NOT_ALLOWED","errCode":-503001}`),
			refused("html named png", "a.png", "<script>", "text/html", ""),
			refused("no type, .txt name", "b.txt", "x", "", ""),
			sends(upload(asAdmin, "?bucket=imgs", "a.png", "\x89PNG", "image/png"), servertest.Scenario{Name: "png", Setup: imgs,
				Status: 200, After: filesAre("objects/imgs/a.png")}),
			sends(upload(asAdmin, "?bucket=imgs", "b.jpg", "\xff\xd8", "application/octet-stream"), servertest.Scenario{
				Name: "no type, .jpg name", Setup: imgs, Status: 200, After: filesAre("objects/imgs/b.jpg")}),
		})
	})
	t.Run("truncated and malformed forms", func(t *testing.T) {
		var scenarios []servertest.Scenario
		raw := func(name string, body []byte, ct string) {
			scenarios = append(scenarios, servertest.Scenario{Name: name, Method: "POST", URL: "/v1/storage/upload", Body: body,
				Header: map[string]string{"Content-Type": ct}, As: asAdmin, Status: 400, Want: `{"code":"INVALID_PARAM"}`, After: keptAlone})
		}
		body, ct := servertest.Form(servertest.Part{Name: "cloudPath", Value: "keep.txt"},
			servertest.Part{Name: "file", Filename: "blob", Type: "text/plain", Value: strings.Repeat("z", 100<<10)})
		for _, cut := range []int{len(body) / 2, len(body) - 10, 150} {
			raw(fmt.Sprintf("cut at %d", cut), body[:cut], ct)
		}
		noFile, ct2 := servertest.Form(servertest.Part{Name: "cloudPath", Value: "x.txt"})
		fileFirst, ct3 := servertest.Form(servertest.Part{Name: "file", Filename: "f", Value: "x"}, servertest.Part{Name: "cloudPath", Value: "x.txt"})
		longField, ct4 := servertest.Form(servertest.Part{Name: "cloudPath", Value: strings.Repeat("a", 2000)},
			servertest.Part{Name: "file", Filename: "f", Value: "x"})
		bigHead, ct5 := servertest.Form(servertest.Part{Name: "junk", Value: strings.Repeat("j", 100<<10)},
			servertest.Part{Name: "cloudPath", Value: "x.txt"}, servertest.Part{Name: "file", Filename: "f", Value: "x"})
		raw("no file", noFile, ct2)
		raw("file before cloudPath", fileFirst, ct3)
		raw("long cloudPath", longField, ct4)
		raw("huge fields before the file", bigHead, ct5)
		raw("not multipart", []byte(`{"cloudPath":"x.txt"}`), "application/json")
		raw("no boundary", noFile, "multipart/form-data")
		raw("wrong boundary", noFile, "multipart/form-data; boundary=nope")
		scenarios = append(scenarios, sends(upload(asAdmin, "?bucket=nope", "x.txt", "x", ""), servertest.Scenario{Name: "unknown bucket",
			Status: 404, Want: `{"code":"STORAGE_BUCKET_NONEXIST","errCode":-503003}`, After: keptAlone}))
		runOnOne(t, servertest.Options{}, []servertest.Request{keep}, scenarios)
	})
}

// TestStorageBadURLs: paths and fileIDs that try to leave the store, or
// reach its own files, are refused and reveal nothing.
func TestStorageBadURLs(t *testing.T) {
	s := servertest.New(t, servertest.Options{})
	s.Do(t, keep).Expect(t, 200, "")
	for _, target := range []string{"/f/default/../../../etc/passwd", "/f/default/%2e%2e/%2e%2e/etc/passwd", "/f/default/..%2f..%2fetc%2fpasswd",
		"/f/default/..%5c..%5cx", "/f/default/a%00b", "/f/default/%2fetc%2fpasswd", "/f/default//etc/passwd",
		"/f/default/", "/f/..%2fstorage/keep.txt", "/f/.minibase/buckets.json", "/f/default/%252e%252e/keep.txt"} {
		r := s.Do(t, servertest.Request{URL: target})
		if r.Status != 400 && r.Status != 404 || strings.Contains(r.Body, "root:") || strings.Contains(r.Body, "original") {
			t.Errorf("GET %s: %d %.100s, want 400 or 404", target, r.Status, r.Body)
		}
	}
	var scenarios []servertest.Scenario
	for _, id := range []string{"cloud://minibase.default/../../etc/passwd", "cloud://minibase.default/%2e%2e/keep.txt",
		"cloud://minibase.default/a\\..\\keep.txt", "cloud://minibase.default//keep.txt", "cloud://minibase..minibase/buckets.json"} {
		scenarios = append(scenarios,
			servertest.Scenario{Name: "download " + id, URL: download(id), As: asAdmin, Status: 400, Want: `{"code":"INVALID_PARAM"}`},
			servertest.Scenario{Name: "temp-urls " + id, Method: "POST", URL: "/v1/storage/temp-urls",
				Body: fileList(strings.ReplaceAll(id, `\`, `\\`)), As: asAdmin, Status: 200,
				Want: `{"fileList":[{"status":-501007,"code":"INVALID_PARAM"}]}`})
	}
	for _, sc := range scenarios {
		t.Run(sc.Name, func(t *testing.T) { s.Run(t, sc) })
	}
	keptAlone(t, s, nil)
}

// TestStorageBatchLimits: temp-urls and delete take 1 to 50 fileIDs, in
// a list; anything else is INVALID_PARAM and deletes nothing.
func TestStorageBatchLimits(t *testing.T) {
	ids := make([]string, 51)
	for i := range ids {
		ids[i] = "cloud://minibase.default/f" + fmt.Sprint(i)
	}
	var scenarios []servertest.Scenario
	for _, ep := range []string{"temp-urls", "delete"} {
		batch := func(name, body string, status int, want string) {
			scenarios = append(scenarios, servertest.Scenario{Name: ep + " " + name, Method: "POST", URL: "/v1/storage/" + ep,
				Body: body, As: asAdmin, Status: status, Want: want, After: keptAlone})
		}
		batch("51 items", fileList(ids...), 400, `{"code":"INVALID_PARAM","errCode":-501007}`)
		batch("50 items", fileList(ids[:50]...), 200, "")
		for _, body := range []string{`{"fileList":[]}`, `{}`, `not json`, `{"fileList":"cloud://minibase.default/keep.txt"}`,
			`{"fileList":[42]}`, `{"fileList":[{"maxAge":5}]}`} {
			batch(body, body, 400, `{"code":"INVALID_PARAM"}`)
		}
	}
	runOnOne(t, servertest.Options{}, []servertest.Request{keep}, scenarios)
}
