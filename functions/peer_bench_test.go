package functions

import (
	"strings"
	"testing"
	"time"

	"minibase/db"
)

// What bench/'s comparison with PocketBase (-peer pocketbase) calls, in the
// process, without HTTP: an async hello invoked and through HTTP access,
// and a read of one ~600-byte post by _id through wx-server-sdk, invoked
// and through HTTP access.
func BenchmarkPeer(b *testing.B) {
	rt, svc := newTestRuntime(b, Options{})
	dir, err := OpenDir("testdata")
	if err != nil {
		b.Fatal(err)
	}
	tr := NewTriggers(rt, dir, dir, time.UTC)
	if err := tr.Refresh(adminCtx, time.Now()); err != nil {
		b.Fatal(err)
	}
	post := doc("_id", "01a2505f565d7047b43a1c626f1f0d90", "title", "post 573", "description", strings.Repeat("Lorem ipsum dolor sit amet. ", 18),
		"author", "u7", "type", []any{"a", "b"}, "public", true, "created", time.Unix(1767225600, 0).UTC())
	if _, _, err := svc.Insert(adminCtx, "posts", doc("data", post)); err != nil {
		b.Fatal(err)
	}
	header := [][2]string{{"Host", "127.0.0.1:8090"}, {"User-Agent", "Go-http-client/1.1"}, {"Accept-Encoding", "gzip"}}
	cases := []struct {
		name string
		call func() (string, error)
	}{
		{"hello", func() (string, error) {
			res, err := rt.Invoke(adminCtx, "peerhello", []byte(`{}`), Invocation{})
			return string(resValue(res)), err
		}},
		{"hello-http", func() (string, error) {
			res, err := tr.ServeHTTP(adminCtx, &HTTPRequest{Method: "GET", Path: "/peerhello", Header: header, ClientIP: "127.0.0.1"})
			return string(httpBody(res)), err
		}},
		{"get", func() (string, error) {
			res, err := rt.Invoke(adminCtx, "getpost", []byte(`{"id":"01a2505f565d7047b43a1c626f1f0d90"}`), Invocation{})
			return string(resValue(res)), err
		}},
		{"get-http", func() (string, error) {
			res, err := tr.ServeHTTP(adminCtx, &HTTPRequest{Method: "GET", Path: "/posts/01a2505f565d7047b43a1c626f1f0d90", Header: header, ClientIP: "127.0.0.1"})
			return string(httpBody(res)), err
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			out, err := c.call()
			if err != nil || !strings.Contains(out, `"Hello, World!"`) && !strings.Contains(out, `"post 573"`) {
				b.Fatalf("answered %s, %v", out, err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.call(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func resValue(r *Result) []byte {
	if r == nil {
		return nil
	}
	return r.Value
}

func httpBody(r *HTTPResponse) []byte {
	if r == nil {
		return nil
	}
	return r.Body
}

var _ = db.Doc{}
