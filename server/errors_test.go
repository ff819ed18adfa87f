package server

import (
	"bytes"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
)

// A panic in a handler answers that request with a 500 that tells nothing
// of the panic, logs it once with its stack, and the server goes on.
func TestHandlerPanicIsA500(t *testing.T) {
	var logged bytes.Buffer
	m := newTestMainLog(t, nil, slog.New(slog.NewTextHandler(&logged, nil)))
	app := fiber.New(fiber.Config{ErrorHandler: m.handleError})
	app.Use(m.recoverPanic)
	app.Get("/boom", func(c *fiber.Ctx) error { panic("secret detail") })
	app.Get("/ok", func(c *fiber.Ctx) error { return c.SendString("fine") })
	for _, path := range []string{"/boom", "/ok"} {
		resp, err := app.Test(httptest.NewRequest("GET", path, nil), -1)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		switch path {
		case "/boom":
			if resp.StatusCode != 500 || strings.Contains(string(body), "secret") || !strings.Contains(string(body), `"SYS_ERR"`) {
				t.Errorf("panicking handler: %d %s, want 500 SYS_ERR without the panic's text", resp.StatusCode, body)
			}
		case "/ok":
			if resp.StatusCode != 200 || string(body) != "fine" {
				t.Errorf("after the panic: %d %s, want 200 fine", resp.StatusCode, body)
			}
		}
	}
	if n := strings.Count(logged.String(), "request panicked"); n != 1 || !strings.Contains(logged.String(), "secret detail") {
		t.Errorf("server log has %d panic lines, want 1 with the panic value:\n%s", n, logged.String())
	}
}
