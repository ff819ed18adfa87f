//go:build !minibase_fuzz

package storage_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"minibase/server/servertest"
)

// TestStorageConditionalAndRange: the CDN URLs answer conditional and range
// requests as browsers and CDNs expect (RFC 9110).
func TestStorageConditionalAndRange(t *testing.T) {
	data := strings.Repeat("0123456789", 100) // 1000 bytes
	// The requests only read: they share one server and its file.
	s := servertest.New(t, servertest.Options{})
	s.Do(t, upload(asAdmin, "", "r.bin", data, "application/x-test")).Expect(t, 200, "")
	full := s.Do(t, servertest.Request{URL: "/f/default/r.bin"})
	etag, lastMod := full.Header.Get("ETag"), full.Header.Get("Last-Modified")
	later := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	earlier := time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat)

	h := func(kv ...string) map[string]string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	for _, tt := range []struct {
		name    string
		method  string
		header  map[string]string
		status  int
		body    string // the whole body; a 416's is its JSON error
		headers map[string]string
	}{
		{"If-None-Match", "GET", h("If-None-Match", etag), 304, "", h("ETag", etag)},
		{"If-None-Match list", "GET", h("If-None-Match", `"other", `+etag), 304, "", nil},
		{"If-None-Match weak", "GET", h("If-None-Match", "W/"+etag), 304, "", nil},
		{"If-None-Match *", "GET", h("If-None-Match", "*"), 304, "", nil},
		{"If-None-Match other", "GET", h("If-None-Match", `"other"`), 200, data, nil},
		{"If-Modified-Since later", "GET", h("If-Modified-Since", later), 304, "", nil},
		{"If-Modified-Since same", "GET", h("If-Modified-Since", lastMod), 304, "", nil},
		{"If-Modified-Since earlier", "GET", h("If-Modified-Since", earlier), 200, data, nil},
		{"If-None-Match wins", "GET", h("If-None-Match", `"other"`, "If-Modified-Since", later), 200, data, nil},
		{"HEAD 304", "HEAD", h("If-None-Match", etag), 304, "", nil},
		{"range", "GET", h("Range", "bytes=10-19"), 206, data[10:20], h("Content-Range", "bytes 10-19/1000", "Content-Length", "10")},
		{"open range", "GET", h("Range", "bytes=990-"), 206, data[990:], h("Content-Range", "bytes 990-999/1000")},
		{"suffix range", "GET", h("Range", "bytes=-5"), 206, data[995:], h("Content-Range", "bytes 995-999/1000")},
		{"range past the end is cut", "GET", h("Range", "bytes=900-5000"), 206, data[900:], h("Content-Range", "bytes 900-999/1000")},
		{"suffix longer than the file", "GET", h("Range", "bytes=-5000"), 206, data, h("Content-Range", "bytes 0-999/1000")},
		{"range from the end", "GET", h("Range", "bytes=1000-"), 416, "", h("Content-Range", "bytes */1000")},
		{"range beyond", "GET", h("Range", "bytes=5000-6000"), 416, "", h("Content-Range", "bytes */1000")},
		{"empty suffix", "GET", h("Range", "bytes=-0"), 416, "", nil},
		{"several ranges: whole file", "GET", h("Range", "bytes=0-1,5-6"), 200, data, nil},
		{"malformed range: whole file", "GET", h("Range", "bytes=x-y"), 200, data, nil},
		{"backwards range: whole file", "GET", h("Range", "bytes=20-10"), 200, data, nil},
		{"other unit: whole file", "GET", h("Range", "items=0-1"), 200, data, nil},
		{"If-Range current", "GET", h("Range", "bytes=0-1", "If-Range", etag), 206, data[:2], nil},
		{"If-Range stale", "GET", h("Range", "bytes=0-1", "If-Range", `"stale"`), 200, data, nil},
		{"HEAD", "HEAD", nil, 200, "", h("Content-Length", "1000", "Content-Type", "application/x-test", "ETag", etag)},
		{"HEAD range", "HEAD", h("Range", "bytes=0-99"), 206, "", h("Content-Length", "100", "Content-Range", "bytes 0-99/1000")},
	} {
		sc := servertest.Scenario{Name: tt.name, Method: tt.method, URL: "/f/default/r.bin", Header: tt.header,
			Status: tt.status, WantHeader: tt.headers, After: bodyIs(tt.body)}
		if tt.status == 416 {
			sc.Want, sc.After = `{"code":"STORAGE_RANGE_NOT_SATISFIABLE"}`, nil
		}
		t.Run(tt.name, func(t *testing.T) { s.Run(t, sc) })
	}
	servertest.Run(t, []servertest.Scenario{
		{Name: "an empty file", Setup: []servertest.Request{upload(asAdmin, "", "empty", "", "text/plain")}, URL: "/f/default/empty",
			Status: 200, WantHeader: map[string]string{"Content-Length": "0"}, After: bodyIs("")},
		{Name: "a range of an empty file", Setup: []servertest.Request{upload(asAdmin, "", "empty", "", "text/plain")}, URL: "/f/default/empty",
			Header: map[string]string{"Range": "bytes=0-"}, Status: 416},
		{Name: "a range of a big file", Setup: []servertest.Request{upload(asAdmin, "", "big.bin", strings.Repeat("x", 3<<20), "")},
			URL: "/f/default/big.bin", Header: map[string]string{"Range": "bytes=1048576-2097151"}, Status: 206,
			After: bodyIs(strings.Repeat("x", 1<<20))},
	})
}

// TestStorageSignedURLs: files of a bucket that is not public are served
// only to a valid, unexpired signed URL from temp-urls (or to a caller the
// rule lets read), and the URL is tied to its bucket, path and expiry.
func TestStorageSignedURLs(t *testing.T) {
	const diary = "cloud://minibase.secret/me/diary.txt"
	secret := []servertest.Request{newBucket(`{"name":"secret","rule":"PRIVATE"}`),
		upload(alice, "?bucket=secret", "me/diary.txt", "dear diary", "text/plain"),
		upload(alice, "?bucket=secret", "me/other.txt", "other", "text/plain")}
	clock := servertest.NewClock(time.Now())
	servertest.Run(t, []servertest.Scenario{
		{Name: "no signature", Setup: secret, URL: "/f/secret/me/diary.txt", Status: 403,
			Want: `{"code":"STORAGE_EXCEED_AUTHORITY","errCode":-503002}`},
		{Name: "the owner's token on the URL", Setup: secret, URL: "/f/secret/me/diary.txt", As: alice, Status: 200,
			WantHeader: map[string]string{"Cache-Control": "private, no-cache"}},
		{Name: "a signed URL", Options: servertest.Options{Clock: clock}, Setup: secret, Status: 200,
			Before: func(tb testing.TB, s *servertest.Server, r *servertest.Request) {
				r.URL = tempURL(tb, s, alice, diary, 600)
				u, _ := url.Parse(r.URL)
				if q := u.Query(); len(q.Get("sign")) != 32 || q.Get("t") != strconv.FormatInt(clock.Now().Unix()+600, 10) {
					tb.Errorf("signed URL %s: want sign (32 hex) and t = now+600", r.URL)
				}
			},
			WantHeader: map[string]string{"Cache-Control": "private, max-age=600"}, After: bodyIs("dear diary")},
		{Name: "another user gets no URL", Setup: secret, Method: "POST", URL: "/v1/storage/temp-urls", Body: fileList(diary), As: bob,
			Status: 200, Want: `{"fileList":[{"status":-503002,"code":"STORAGE_EXCEED_AUTHORITY"}]}`, Absent: []string{"tempFileURL"}},
		{Name: "another user's token on the URL", Setup: secret, URL: "/f/secret/me/diary.txt", As: bob, Status: 403},
	})

	t.Run("altered", func(t *testing.T) {
		// The requests only read: they share one server and its URL.
		clock := servertest.NewClock(time.Now())
		s := servertest.New(t, servertest.Options{Clock: clock})
		for _, r := range secret {
			s.Do(t, r).Expect(t, 200, "")
		}
		u, _ := url.Parse(tempURL(t, s, alice, diary, 600))
		q := u.Query()
		alter := func(key, val string) string {
			v := u.Query()
			v.Set(key, val)
			return u.Path + "?" + v.Encode()
		}
		sign := []byte(q.Get("sign"))
		sign[0] ^= 1
		for name, target := range map[string]string{
			"altered sign":   alter("sign", string(sign)),
			"later t":        alter("t", strconv.FormatInt(clock.Now().Unix()+6000, 10)),
			"no t":           u.Path + "?sign=" + q.Get("sign"),
			"other path":     "/f/secret/me/other.txt?" + u.RawQuery,
			"garbage sign":   alter("sign", "'; DROP TABLE files; --"),
			"t not a number": alter("t", "tomorrow"),
		} {
			t.Run(name, func(t *testing.T) {
				s.Run(t, servertest.Scenario{Name: name, URL: target, Status: 403,
					Want: `{"code":"STORAGE_SIGN_PARAM_INVALID","errCode":-503004}`})
			})
		}
	})

	// A URL names its file's owner: it keeps working across the owner's
	// overwrites (a re-uploaded avatar keeps its cached URLs), and a file
	// deleted and uploaded again at the path by another user does not
	// answer it.
	t.Run("owner", func(t *testing.T) {
		s := servertest.New(t, servertest.Options{})
		for _, r := range secret {
			s.Do(t, r).Expect(t, 200, "")
		}
		signed := tempURL(t, s, alice, diary, 600)
		s.Do(t, upload(alice, "?bucket=secret", "me/diary.txt", "dear diary, again", "text/plain")).Expect(t, 200, "")
		s.Run(t, servertest.Scenario{Name: "after the owner's overwrite", URL: signed, Status: 200, After: bodyIs("dear diary, again")})

		s.Do(t, servertest.Request{Method: "POST", URL: "/v1/storage/delete", Body: fileList(diary), As: alice}).
			Expect(t, 200, `{"fileList":[{"status":0}]}`)
		s.Run(t, servertest.Scenario{Name: "after a delete", URL: signed, Status: 403,
			Want: `{"code":"STORAGE_SIGN_PARAM_INVALID","errCode":-503004}`})
		s.Do(t, upload(bob, "?bucket=secret", "me/diary.txt", "bob's secret", "text/plain")).Expect(t, 200, "")
		s.Run(t, servertest.Scenario{Name: "another user's file at the path", URL: signed, Status: 403,
			Want: `{"code":"STORAGE_SIGN_PARAM_INVALID","errCode":-503004}`, Absent: []string{"bob's secret"}})
		s.Run(t, servertest.Scenario{Name: "bob's own URL", URL: tempURL(t, s, bob, diary, 600), Status: 200, After: bodyIs("bob's secret")})
	})

	t.Run("expiry", func(t *testing.T) {
		clock := servertest.NewClock(time.Now())
		s := servertest.New(t, servertest.Options{Clock: clock})
		for _, r := range secret {
			s.Do(t, r).Expect(t, 200, "")
		}
		signed := tempURL(t, s, alice, diary, 600)
		clock.Add(599 * time.Second)
		s.Do(t, servertest.Request{URL: signed}).Expect(t, 200, "")
		clock.Add(2 * time.Second)
		s.Do(t, servertest.Request{URL: signed}).Expect(t, 403, `{"code":"STORAGE_SIGN_PARAM_INVALID"}`)
	})
}
