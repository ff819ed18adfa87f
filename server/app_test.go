package server

import (
	"bytes"
	"strings"
	"testing"

	"minibase/functions"
)

// A route's body limit is its group's, whichever way the path is spelled:
// the router matches paths without regard to case or a trailing slash, and
// so do the limits now that they belong to the routes (they used to be
// middlewares comparing paths, which another spelling of an upload or a
// deployment passed by into the API's body limit).
func TestRouteGroupLimitsFollowTheRoute(t *testing.T) {
	m := newTestMain(t, func(c *Config) { c.BodyLimit = 64 << 10 })
	big := strings.Repeat("x", 100<<10)
	for i, path := range []string{"/v1/storage/upload", "/v1/storage/upload/", "/v1/Storage/Upload"} {
		body, ct := fileForm("big-"+string(rune('a'+i))+".txt", big, "text/plain")
		want(t, "upload over the API's body limit to "+path, m.send(t, "POST", path, testKey, body, "Content-Type", ct), 200, "")
	}
	var zipped bytes.Buffer
	if err := functions.WriteZip(&zipped, map[string][]byte{"index.js": []byte("exports.main = () => 1"), "blob.bin": randomBytes(t, 100<<10)}); err != nil {
		t.Fatal(err)
	}
	if zipped.Len() <= 64<<10 {
		t.Fatalf("the zip is %d bytes, want more than the body limit", zipped.Len())
	}
	for _, path := range []string{"/v1/admin/functions/big", "/v1/admin/functions/big/", "/v1/Admin/Functions/big"} {
		if r := m.send(t, "PUT", path, testKey, zipped.Bytes(), "Content-Type", "application/zip"); r.status != 200 {
			t.Errorf("deployment over the API's body limit to %s: %d %s", path, r.status, r.body)
		}
	}
	for _, path := range []string{"/v1/db/c/insert", "/v1/DB/c/insert/", "/v1/admin/functions/big/rollback"} {
		r := m.send(t, "POST", path, testKey, []byte(`{"data":{"s":"`+big+`"}}`), "Content-Type", "application/json")
		want(t, "JSON over the API's body limit to "+path, r, 413, `{"code":"INVALID_PARAM"}`)
	}
}

// What no route takes is a 404 naming the method and path, whatever the
// method, under /v1 or not, with a token or without; the router's own
// answer (a 405 for a path another method takes) is one of them.
func TestUnknownEndpoints(t *testing.T) {
	m := newTestMain(t, nil)
	for _, r := range [][2]string{
		{"GET", "/v1/nope"}, {"POST", "/v1/health"}, {"DELETE", "/v1/db/c/query"}, {"GET", "/nope"},
		{"GET", "/sdk/nope.mjs"}, {"PUT", "/sdk/minibase.mjs"},
	} {
		for _, key := range []string{testKey, "-"} {
			status, got := m.call(t, step{name: r[0] + " " + r[1], method: r[0], path: r[1], key: key})
			if msg, _ := got.(map[string]any)["message"].(string); status != 404 || msg != "no such endpoint: "+r[0]+" "+r[1] {
				t.Errorf("%s %s: %d %v, want 404 no such endpoint", r[0], r[1], status, got)
			}
		}
	}
}
