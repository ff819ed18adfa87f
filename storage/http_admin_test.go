//go:build !minibase_fuzz

package storage_test

import (
	"net/url"
	"strings"
	"testing"

	"minibase/server/servertest"
)

// TestStorageAdminAPI: buckets (create, settings, delete) and browsing files
// by prefix, for admins only.
func TestStorageAdminAPI(t *testing.T) {
	photos := newBucket(`{"name":"photos","maxSize":5000,"allowedTypes":["image/*"],"rule":"PRIVATE"}`)
	// Only the default bucket and photos: a refused request made none.
	twoBuckets := servertest.Then(servertest.Scenario{Name: "the buckets are as they were", URL: "/v1/admin/storage/buckets",
		As: asAdmin, Status: 200, Want: `{"data":[{"name":"default"},{"name":"photos","maxSize":5000}]}`})
	var refused []servertest.Scenario
	for _, c := range []struct {
		name, body string
		status     int
		code       string
	}{
		{"duplicate", `{"name":"photos"}`, 409, "STORAGE_BUCKET_EXISTS"},
		{"bad name", `{"name":"Photos!"}`, 400, "INVALID_PARAM"},
		{"dotted name", `{"name":".minibase"}`, 400, "INVALID_PARAM"},
		{"negative size", `{"name":"neg","maxSize":-1}`, 400, "INVALID_PARAM"},
		{"bad type", `{"name":"bt","allowedTypes":["png"]}`, 400, "INVALID_PARAM"},
		{"bad preset", `{"name":"bp","rule":"EVERYONE"}`, 400, "INVALID_PARAM"},
		{"rule syntax", `{"name":"re","rule":{"read":"auth != ","write":false}}`, 400, "INVALID_PARAM"},
		{"rule variable", `{"name":"re","rule":{"read":"doc.x == 1"}}`, 400, "INVALID_PARAM"},
		{"not JSON", `{`, 400, "INVALID_PARAM"},
	} {
		refused = append(refused, sends(newBucket(c.body), servertest.Scenario{Name: c.name,
			Status: c.status, Want: `{"code":"` + c.code + `"}`, After: twoBuckets}))
	}
	t.Run("create, refused", func(t *testing.T) { runOnOne(t, servertest.Options{}, []servertest.Request{photos}, refused) })
	servertest.Run(t, []servertest.Scenario{
		{Name: "the default bucket", URL: "/v1/admin/storage/buckets", As: asAdmin, Status: 200,
			Want: `{"data":[{"name":"default","maxSize":104857600,"allowedTypes":[],"rule":"READONLY"}]}`},
		sends(photos, servertest.Scenario{Name: "create", Status: 200,
			Want: `{"bucket":{"name":"photos","maxSize":5000,"allowedTypes":["image/*"],"rule":"PRIVATE"}}`}),
		sends(newBucket(`{"name":"pub","rule":{"read":true,"write":false}}`), servertest.Scenario{Name: "a custom rule", Status: 200,
			Want: `{"bucket":{"rule":{"read":true,"write":false}}}`}),
		sends(newBucket(`{"name":"expr","rule":{"read":"auth != null","write":"resource.openid == auth.openid"}}`),
			servertest.Scenario{Name: "an expression rule", Status: 200,
				Want: `{"bucket":{"rule":{"read":"auth != null","write":"resource.openid == auth.openid"}}}`}),
		{Name: "get", Setup: []servertest.Request{photos}, URL: "/v1/admin/storage/buckets/photos", As: asAdmin,
			Status: 200, Want: `{"bucket":{"name":"photos","rule":"PRIVATE"}}`},
		{Name: "patch", Setup: []servertest.Request{photos}, Method: "PATCH", URL: "/v1/admin/storage/buckets/photos",
			Body: `{"maxSize":9000,"allowedTypes":[]}`, As: asAdmin, Status: 200,
			Want: `{"bucket":{"name":"photos","maxSize":9000,"allowedTypes":[],"rule":"PRIVATE"}}`},
		{Name: "a bad patch", Method: "PATCH", URL: "/v1/admin/storage/buckets/photos", Body: `{"maxSize":0}`, As: asAdmin,
			Setup:  []servertest.Request{photos, byAdmin("PATCH", "/v1/admin/storage/buckets/photos", `{"maxSize":9000,"allowedTypes":[]}`)},
			Status: 400, Want: `{"code":"INVALID_PARAM"}`,
			After: servertest.Then(servertest.Scenario{Name: "unchanged by the bad patch", URL: "/v1/admin/storage/buckets/photos",
				As: asAdmin, Status: 200, Want: `{"bucket":{"maxSize":9000}}`})},
		{Name: "patch a missing bucket", Method: "PATCH", URL: "/v1/admin/storage/buckets/nope", Body: `{}`, As: asAdmin,
			Status: 404, Want: `{"code":"STORAGE_BUCKET_NONEXIST"}`},
		{Name: "the default bucket stays", Method: "DELETE", URL: "/v1/admin/storage/buckets/default?force=true",
			As: asAdmin, Status: 400, Want: `{"code":"INVALID_PARAM"}`},
	})
}

// TestStorageAdminFiles: the admin browses a bucket's files by prefix, by
// folder and by page, looks at one, deletes one, and deletes the bucket
// with its files.
func TestStorageAdminFiles(t *testing.T) {
	photos := []servertest.Request{newBucket(`{"name":"photos","maxSize":5000,"allowedTypes":["image/*"],"rule":"PRIVATE"}`)}
	for _, p := range []string{"2024/a.jpg", "2024/b.jpg", "2024/may/c.jpg", "2025/d.jpg", "top.jpg"} {
		photos = append(photos, upload(asAdmin, "?bucket=photos", p, "img "+p, "image/jpeg"))
	}
	files := func(name, query string, status int, want string) servertest.Scenario {
		return servertest.Scenario{Name: name, URL: "/v1/admin/storage/buckets/photos/files" + query, As: asAdmin,
			Status: status, Want: want}
	}
	top := url.QueryEscape("cloud://minibase.photos/top.jpg")
	lastPage := files("the last page", "?limit=2&after=2025/d.jpg", 200, `{"files":[{"path":"top.jpg"}]}`)
	lastPage.Absent = []string{`"next"`}
	// Looking changes nothing: one server.
	t.Run("look", func(t *testing.T) {
		runOnOne(t, servertest.Options{}, photos, []servertest.Scenario{
			files("by prefix", "?prefix=2024/", 200,
				`{"files":[{"path":"2024/a.jpg","fileID":"cloud://minibase.photos/2024/a.jpg","size":14,"contentType":"image/jpeg"},
			{"path":"2024/b.jpg"},{"path":"2024/may/c.jpg"}]}`),
			files("folders", "?folders=true", 200, `{"files":[{"path":"top.jpg"}],"folders":["2024/","2025/"]}`),
			files("page 1", "?limit=2", 200, `{"files":[{"path":"2024/a.jpg"},{"path":"2024/b.jpg"}],"next":"2024/b.jpg"}`),
			files("page 2", "?limit=2&after=2024/b.jpg", 200, `{"files":[{"path":"2024/may/c.jpg"},{"path":"2025/d.jpg"}],"next":"2025/d.jpg"}`),
			lastPage,
			files("a bad prefix", "?prefix=../", 400, `{"code":"INVALID_PARAM"}`),
			files("a bad limit", "?limit=x", 400, `{"code":"INVALID_PARAM"}`),
			{Name: "stat", URL: "/v1/admin/storage/file?fileID=" + top, As: asAdmin, Status: 200,
				Want: `{"file":{"fileID":"cloud://minibase.photos/top.jpg","path":"top.jpg","size":11,"contentType":"image/jpeg"}}`},
		})
	})
	servertest.Run(t, []servertest.Scenario{
		{Name: "delete a file", Setup: photos, Method: "DELETE", URL: "/v1/admin/storage/file?fileID=" + top, As: asAdmin,
			Status: 200, Want: `{"ok":true}`,
			After: servertest.Then(
				servertest.Scenario{Name: "deleted", URL: "/v1/admin/storage/file?fileID=" + top, As: asAdmin, Status: 404,
					Want: `{"code":"STORAGE_FILE_NONEXIST"}`},
				servertest.Scenario{Name: "delete again", Method: "DELETE", URL: "/v1/admin/storage/file?fileID=" + top, As: asAdmin,
					Status: 404, Want: `{"code":"STORAGE_FILE_NONEXIST"}`})},
		{Name: "delete a bucket that is not empty", Setup: photos, Method: "DELETE", URL: "/v1/admin/storage/buckets/photos",
			As: asAdmin, Status: 409, Want: `{"code":"STORAGE_BUCKET_NOT_EMPTY"}`,
			After: downloadIs("cloud://minibase.photos/2024/a.jpg", "img 2024/a.jpg")},
		{Name: "force", Setup: photos, Method: "DELETE", URL: "/v1/admin/storage/buckets/photos?force=true", As: asAdmin,
			Status: 200, Want: `{"ok":true}`,
			After: all(servertest.Then(
				servertest.Scenario{Name: "gone", URL: "/v1/admin/storage/buckets/photos", As: asAdmin, Status: 404,
					Want: `{"code":"STORAGE_BUCKET_NONEXIST"}`},
				servertest.Scenario{Name: "its files are gone", URL: download("cloud://minibase.photos/2024/a.jpg"), As: asAdmin,
					Status: 404}),
				filesAre())},
	})
}

// TestStorageAdminOnly: the admin API refuses end users and visitors, and
// what they sent changes nothing.
func TestStorageAdminOnly(t *testing.T) {
	pub := []servertest.Request{newBucket(`{"name":"pub","rule":{"read":true,"write":false}}`)}
	unchanged := servertest.Then(
		servertest.Scenario{Name: "pub is still there", URL: "/v1/admin/storage/buckets/pub", As: asAdmin, Status: 200},
		servertest.Scenario{Name: "no bucket made", URL: "/v1/admin/storage/buckets", As: asAdmin, Status: 200,
			Want: `{"data":[{"name":"default","rule":"READONLY"},{"name":"pub"}]}`})
	var refused []servertest.Scenario
	for _, c := range [][2]string{{"GET", "/v1/admin/storage/buckets"}, {"POST", "/v1/admin/storage/buckets"},
		{"GET", "/v1/admin/storage/buckets/default"}, {"PATCH", "/v1/admin/storage/buckets/default"},
		{"DELETE", "/v1/admin/storage/buckets/pub"}, {"GET", "/v1/admin/storage/buckets/default/files"},
		{"GET", "/v1/admin/storage/file?fileID=x"}, {"DELETE", "/v1/admin/storage/file?fileID=x"}} {
		for _, who := range []servertest.Identity{alice, servertest.Visitor} {
			refused = append(refused, servertest.Scenario{Name: c[0] + " " + c[1] + " as " + who.String(),
				Method: c[0], URL: c[1], Body: `{"name":"evil","rule":"READONLY"}`, As: who,
				Status: 403, Want: `{"code":"STORAGE_EXCEED_AUTHORITY"}`, After: unchanged})
		}
	}
	runOnOne(t, servertest.Options{}, pub, refused)
}

// TestStorageSettingsPersist: buckets survive a restart (they live in the
// store itself, so servers sharing an S3 bucket share them).
func TestStorageSettingsPersist(t *testing.T) {
	s := servertest.New(t, servertest.Options{})
	s.Do(t, newBucket(`{"name":"kept","maxSize":1234,"rule":"ADMINONLY"}`)).Expect(t, 200, "")
	s.Do(t, upload(asAdmin, "?bucket=kept", "a.txt", "a", "")).Expect(t, 200, "")
	s.Restart(t)
	s.Do(t, servertest.Request{URL: "/v1/admin/storage/buckets/kept", As: asAdmin}).
		Expect(t, 200, `{"bucket":{"maxSize":1234,"rule":"ADMINONLY"}}`)
	if r := s.Do(t, servertest.Request{URL: download("cloud://minibase.kept/a.txt"), As: asAdmin}); r.Status != 200 || r.Body != "a" {
		t.Errorf("the file after the restart: %d %q", r.Status, r.Body)
	}
}

// TestStorageRuleValidateAPI: POST /v1/admin/storage/rules/validate checks
// a bucket rule as creating a bucket would, saving nothing: {"ok":true}, or
// the same status and message the create answers (the side and the
// character position). Admins only.
func TestStorageRuleValidateAPI(t *testing.T) {
	const url = "/v1/admin/storage/rules/validate"
	oneBucket := servertest.Then(servertest.Scenario{Name: "no bucket was made", URL: "/v1/admin/storage/buckets",
		As: asAdmin, Status: 200, Want: `{"data":[{"name":"default","rule":"READONLY"}]}`})
	// sameCreate checks that creating a bucket with rule answers as
	// validate did.
	sameCreate := func(rule string) func(testing.TB, *servertest.Server, *servertest.Response) {
		return func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
			tb.Helper()
			c := s.Do(tb, newBucket(`{"name":"b1","rule":`+rule+`}`))
			if c.Status != r.Status || c.Body != r.Body {
				tb.Errorf("validate answered %d %s; creating a bucket answers %d %s", r.Status, r.Body, c.Status, c.Body)
			}
			oneBucket(tb, s, r)
		}
	}
	invalid := `{"code":"INVALID_PARAM"}`
	cases := []servertest.Scenario{
		{Name: "an expression rule", Body: `{"rule":{"read":"auth != null","write":"resource.openid == auth.openid"}}`,
			Status: 200, Equal: `{"ok":true}`, After: oneBucket},
		{Name: "a preset", Body: `{"rule":"PRIVATE"}`, Status: 200, Equal: `{"ok":true}`},
		{Name: "a syntax error", Body: `{"rule":{"read":"auth != ","write":false}}`, Status: 400, Want: invalid,
			After: func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
				if !strings.Contains(r.Body, `rule read: at character 8: unexpected end`) {
					tb.Errorf("message %s: want the side and the position", r.Body)
				}
				sameCreate(`{"read":"auth != ","write":false}`)(tb, s, r)
			}},
		{Name: "a database variable", Body: `{"rule":{"read":"doc.x == 1"}}`, Status: 400, Want: invalid,
			After: sameCreate(`{"read":"doc.x == 1"}`)},
		{Name: "get() in a storage rule", Body: `{"rule":{"read":"get('/a/b').x == 1"}}`, Status: 400, Want: invalid,
			After: sameCreate(`{"read":"get('/a/b').x == 1"}`)},
		{Name: "an unknown key", Body: `{"rule":{"read":true,"delete":true}}`, Status: 400, Want: invalid,
			After: sameCreate(`{"read":true,"delete":true}`)},
		{Name: "an unknown preset", Body: `{"rule":"EVERYONE"}`, Status: 400, Want: invalid, After: sameCreate(`"EVERYONE"`)},
		{Name: "a side that is a number", Body: `{"rule":{"read":1}}`, Status: 400, Want: invalid, After: sameCreate(`{"read":1}`)},
		{Name: "no rule", Body: `{}`, Status: 400, Want: invalid},
		{Name: "not JSON", Body: `{"rule":`, Status: 400, Want: invalid},
		{Name: "oversized body", Body: `{"rule":{"read":"` + strings.Repeat("x", 2<<20) + `"}}`, Status: 413, Want: invalid,
			After: func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
				if !strings.Contains(r.Body, "larger than") {
					tb.Errorf("message %s: want the body limit", r.Body)
				}
				oneBucket(tb, s, r)
			}},
		{Name: "a client cannot validate", Body: `{"rule":"PRIVATE"}`, As: alice, Status: 403,
			Want: `{"code":"STORAGE_EXCEED_AUTHORITY"}`},
	}
	for k := range cases {
		cases[k].Method, cases[k].URL = "POST", url
		if cases[k].As == (servertest.Identity{}) {
			cases[k].As = asAdmin
		}
	}
	runOnOne(t, servertest.Options{}, nil, cases)
}
