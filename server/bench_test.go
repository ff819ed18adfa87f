package server

import (
	"io"
	"log/slog"
	"net"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// BenchmarkGetByID is the whole app (middlewares, routing, auth, the
// database, the answer) for the hottest request, GET …/docs/{id} with an
// admin key, without a socket: what the server adds per request. Metrics
// are always on; the sub-benchmarks add the request log (MINIBASE_REQUEST_LOG,
// JSON lines to io.Discard): its cost beside the default (off).
//
//	go test ./server -run '^$' -bench GetByID -benchmem -count 6
func BenchmarkGetByID(b *testing.B) {
	for _, mode := range []string{"off", "sampled:100", "all"} {
		b.Run("log="+mode, func(b *testing.B) { benchGetByID(b, mode) })
	}
}

func benchGetByID(b *testing.B, logMode string) {
	rl, err := ParseRequestLog(logMode)
	if err != nil {
		b.Fatal(err)
	}
	m := newTestMainLog(b, func(c *Config) { c.Obs.RequestLog = rl }, slog.New(slog.NewJSONHandler(io.Discard, nil)))
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

// BenchmarkGetByIDRateLimited is BenchmarkGetByID as a visitor (whom the
// rate limits count, unlike the admin) on a READONLY collection, with the
// database group's limits at their default (high enough never to refuse
// here) and off: the limits' cost per request.
//
//	go test ./server -run '^$' -bench GetByIDRateLimited -benchmem -count 6
func BenchmarkGetByIDRateLimited(b *testing.B) {
	for _, limits := range []string{"default", "off"} {
		b.Run(limits, func(b *testing.B) {
			m := newTestMain(b, func(c *Config) {
				if limits == "off" {
					c.Rate.DB = GroupRate{}
				} else {
					c.Rate.DB.IP.N, c.Rate.DB.IPBurst = 1_000_000, 1_000_000 // counted, never refused
				}
			})
			h := m.app.Handler()
			var ctx fasthttp.RequestCtx
			ctx.Init(&fasthttp.Request{}, &net.TCPAddr{IP: net.IPv4(203, 0, 113, 9), Port: 1234}, nil)
			send := func(method, uri, body string, admin bool) int {
				ctx.Request.Reset()
				ctx.Response.Reset()
				ctx.Request.Header.SetMethod(method)
				ctx.Request.SetRequestURI(uri)
				if admin {
					ctx.Request.Header.Set("Authorization", "Bearer "+testKey)
				}
				if body != "" {
					ctx.Request.Header.SetContentType("application/json")
					ctx.Request.SetBodyString(body)
				}
				h(&ctx)
				return ctx.Response.StatusCode()
			}
			send("POST", "/v1/admin/collections", `{"name":"posts"}`, true)
			send("PUT", "/v1/admin/collections/posts/rules", `{"preset":"READONLY"}`, true)
			send("POST", "/v1/db/posts/insert", `{"data":{"_id":"p1","title":"hello","n":1}}`, true)
			if status := send("GET", "/v1/db/posts/docs/p1", "", false); status != 200 {
				b.Fatalf("get: %d %s", status, ctx.Response.Body())
			}
			b.ReportAllocs()
			for b.Loop() {
				if status := send("GET", "/v1/db/posts/docs/p1", "", false); status != 200 {
					b.Fatalf("get: %d %s", status, ctx.Response.Body())
				}
			}
		})
	}
}

// BenchmarkObserve is what observe (metrics, and the request log as set)
// adds to a request, against the same app without it: a route that
// answers a constant, so that the difference is observe's alone.
//
//	go test ./server -run '^$' -bench Observe -benchmem -count 6
func BenchmarkObserve(b *testing.B) {
	for _, mode := range []string{"none", "off", "sampled:100", "all"} {
		b.Run("observe="+mode, func(b *testing.B) {
			s := &Server{metrics: newMetrics(), log: slog.New(slog.NewJSONHandler(io.Discard, nil))}
			app := fiber.New(fiber.Config{ErrorHandler: s.writeError})
			if mode != "none" {
				rl, err := ParseRequestLog(mode)
				if err != nil {
					b.Fatal(err)
				}
				s.reqLog = requestLog{log: s.log, cfg: rl}
				app.Use(s.observe)
			}
			app.Get("/v1/db/:coll/docs/:id", func(c *fiber.Ctx) error { return c.SendString(`{"data":{"_id":"p1"}}`) })
			h := app.Handler()
			var ctx fasthttp.RequestCtx
			ctx.Init(&fasthttp.Request{}, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1234}, nil)
			b.ReportAllocs()
			for b.Loop() {
				ctx.Request.Reset()
				ctx.Response.Reset()
				ctx.Request.Header.SetMethod("GET")
				ctx.Request.SetRequestURI("/v1/db/posts/docs/p1")
				h(&ctx)
			}
		})
	}
}
