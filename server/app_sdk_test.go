package server

import (
	"bytes"
	"io"
	"net/http/httptest"
	"os"
	"testing"
)

// TestSDKServed checks that /sdk/ serves the committed SDK build byte for
// byte, with JavaScript content types and ETag revalidation.
func TestSDKServed(t *testing.T) {
	m := newTestMain(t, nil)
	get := func(path, inm string) (int, map[string]string, []byte) {
		t.Helper()
		req := httptest.NewRequest("GET", path, nil)
		if inm != "" {
			req.Header.Set("If-None-Match", inm)
		}
		resp, err := m.app.Test(req, -1)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		h := map[string]string{}
		for _, k := range []string{"Content-Type", "ETag", "Cache-Control"} {
			h[k] = resp.Header.Get(k)
		}
		return resp.StatusCode, h, body
	}
	for _, tc := range []struct{ path, file, ctype string }{
		{"/sdk/minibase.mjs", "../sdk/dist/minibase.mjs", "text/javascript; charset=utf-8"},
		{"/sdk/minibase.cjs", "../sdk/dist/minibase.cjs", "text/javascript; charset=utf-8"},
		{"/sdk/types/index.d.ts", "../sdk/dist/types/index.d.ts", "text/plain; charset=utf-8"},
	} {
		want, err := os.ReadFile(tc.file)
		if err != nil {
			t.Fatal(err)
		}
		status, h, body := get(tc.path, "")
		if status != 200 || !bytes.Equal(body, want) {
			t.Fatalf("GET %s: status %d, %d bytes; want 200 and %s (%d bytes)", tc.path, status, len(body), tc.file, len(want))
		}
		if h["Content-Type"] != tc.ctype || h["ETag"] == "" || h["Cache-Control"] != "no-cache" {
			t.Errorf("GET %s: headers %v, want Content-Type %q, an ETag, Cache-Control no-cache", tc.path, h, tc.ctype)
		}
		if status, _, body := get(tc.path, h["ETag"]); status != 304 || len(body) != 0 {
			t.Errorf("GET %s with If-None-Match: status %d, %d bytes; want 304, empty", tc.path, status, len(body))
		}
	}
	for _, p := range []string{"/sdk/nope.mjs", "/sdk/../go.mod"} {
		if status, _, _ := get(p, ""); status != 404 {
			t.Errorf("GET %s: status %d, want 404", p, status)
		}
	}
}
