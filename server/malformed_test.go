package server

import (
	"strings"
	"testing"

	"github.com/google/uuid"
)

// TestMalformedRequestsAnswerJSON: a request fasthttp cannot read, and a
// method no route can take, are answered with the documented JSON error and
// a request id, and nothing of the request (its Authorization header, what
// a proxy added) is quoted back.
func TestMalformedRequestsAnswerJSON(t *testing.T) {
	addr := listen(t, newTestMain(t, nil))
	for _, tc := range []struct{ what, request, want string }{
		{"an unknown transfer coding", "POST /v1/db/x/query HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer secret-token-1\r\nX-Real-IP: 10.1.2.3\r\nTransfer-Encoding: xchunked\r\n\r\n",
			`malformed request: unsupported transfer-encoding`},
		{"a bad header line", "GET /v1/health HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer secret-token-1\r\nno colon here\r\n\r\n", `malformed request`},
		{"a method no route knows", "PURGE /v1/health HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer secret-token-1\r\n\r\n", `unsupported HTTP method \"PURGE\"`},
	} {
		t.Run(tc.what, func(t *testing.T) {
			c := dialRaw(t, addr)
			c.send(tc.request)
			resp, body := c.next()
			if resp == nil {
				t.Fatal("the connection closed without an answer")
			}
			if resp.StatusCode != 400 || resp.Header.Get("Content-Type") != "application/json" || resp.Header.Get("X-Request-Id") == "" ||
				!strings.Contains(body, `"code":"INVALID_PARAM"`) || !strings.Contains(body, tc.want) {
				t.Errorf("got %d %q (X-Request-Id %q) %s; want 400 JSON INVALID_PARAM with %s and a request id",
					resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("X-Request-Id"), body, tc.want)
			}
			for _, secret := range []string{"secret-token-1", "10.1.2.3", "Authorization"} {
				if strings.Contains(body, secret) {
					t.Errorf("the answer quotes the request (%q): %s", secret, body)
				}
			}
		})
	}
}

// TestRequestIDsAreRandom: generated request ids are version 4 UUIDs with
// nothing in common from one to the next (fiber's were a counter, which
// told anyone the server's request rate).
func TestRequestIDsAreRandom(t *testing.T) {
	m := newTestMain(t, nil)
	var prev string
	for i := 0; i < 50; i++ {
		id := m.do(t, "GET", "/v1/health", "", "").header.Get("X-Request-Id")
		u, err := uuid.Parse(id)
		if err != nil || u.Version() != 4 || u.Variant() != uuid.RFC4122 || id != u.String() {
			t.Fatalf("request id %q: %v, version %d; want a version 4 UUID", id, err, u.Version())
		}
		if prev != "" {
			same := 0
			for j := range id {
				if id[j] == prev[j] {
					same++
				}
			}
			if same > 20 { // 32 random hex digits share ~2 by chance
				t.Fatalf("ids %s and %s share %d characters: not random", prev, id, same)
			}
		}
		prev = id
	}
}
