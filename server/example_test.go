package server_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"

	"minibase/auth"
	"minibase/server"

	"github.com/gofiber/fiber/v2"
)

// minibase inside another Go program, with a route of its own: it runs
// behind the same chain as the API (body limit, time limit, the caller's
// identity), answers errors as the API does, and unknown paths are still
// the API's 404.
func Example() {
	dir, err := os.MkdirTemp("", "minibase-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	// Settings as `minibase serve` reads them (flags, MINIBASE_* variables),
	// here with none but the data directory and an admin key.
	cfg, err := server.ParseConfig([]string{"--dir", dir}, func(string) string { return "" })
	if err != nil {
		panic(err)
	}
	cfg.AdminKey = "example-admin-key-0123456789"
	srv := &server.Server{Config: cfg, Out: io.Discard, Log: slog.New(slog.DiscardHandler)}
	if err := srv.Open(context.Background()); err != nil {
		panic(err)
	}
	defer srv.Close()

	srv.Router().Get("/hello", func(c *fiber.Ctx) error {
		who := auth.FromContext(c.UserContext())
		if !who.IsAdmin() {
			return auth.Errorf(auth.CodePermissionDenied, "hello is for admins")
		}
		return c.JSON(fiber.Map{"hello": "admin"})
	})

	// A program serves it with srv.Run(ctx), which listens on cfg.HTTP until
	// ctx ends; here the requests go to the app directly.
	for _, key := range []string{cfg.AdminKey, ""} {
		req := httptest.NewRequest("GET", "/hello", nil)
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		show(srv.App().Test(req, -1))
	}
	show(srv.App().Test(httptest.NewRequest("GET", "/x", nil), -1))
	// Output:
	// 200 {"hello":"admin"}
	// 403 {"code":"PERMISSION_DENIED","errCode":-501007,"message":"hello is for admins"}
	// 404 {"code":"INVALID_PARAM","errCode":-501007,"message":"no such endpoint: GET /x"}
}

func show(resp *http.Response, err error) {
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, string(body))
}
