package server

import (
	"net"
	"testing"

	"github.com/valyala/fasthttp"
)

// BenchmarkGetByID is the whole app (middlewares, routing, auth, the
// database, the answer) for the hottest request, GET …/docs/{id} with an
// admin key, without a socket: what the server adds per request.
//
//	go test ./server -run '^$' -bench GetByID -benchmem -count 6
func BenchmarkGetByID(b *testing.B) {
	m := newTestMain(b, nil)
	h := m.app.Handler()
	var ctx fasthttp.RequestCtx
	ctx.Init(&fasthttp.Request{}, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1234}, nil)
	send := func(method, uri, body string) int {
		ctx.Request.Reset()
		ctx.Response.Reset()
		ctx.Request.Header.SetMethod(method)
		ctx.Request.SetRequestURI(uri)
		ctx.Request.Header.Set("Authorization", "Bearer "+testKey)
		if body != "" {
			ctx.Request.Header.SetContentType("application/json")
			ctx.Request.SetBodyString(body)
		}
		h(&ctx)
		return ctx.Response.StatusCode()
	}
	if status := send("POST", "/v1/db/posts/insert", `{"data":{"_id":"p1","title":"hello","n":1}}`); status != 200 {
		b.Fatalf("insert: %d %s", status, ctx.Response.Body())
	}
	if status := send("GET", "/v1/db/posts/docs/p1", ""); status != 200 {
		b.Fatalf("get: %d %s", status, ctx.Response.Body())
	}
	b.ReportAllocs()
	for b.Loop() {
		send("GET", "/v1/db/posts/docs/p1", "")
	}
}
