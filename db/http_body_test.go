package db

import (
	"context"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
)

// TestBodyBudget: large bodies reserve what their decoded form may take
// from Limits.BodyMemory before they are decoded; when other requests hold
// it, one waits (at most BodyWait) and is then refused with 503
// EXCEED_CONCURRENT_REQUEST_LIMIT rather than adding its memory to
// theirs; small bodies never wait; the reservation is given back once the
// request is answered.
func TestBodyBudget(t *testing.T) {
	s := NewService(nil, Limits{BodyMemory: MaxBodyMemory, BodyWait: 50 * time.Millisecond})
	app := fiber.New(fiber.Config{BodyLimit: 32 << 20, ErrorHandler: func(c *fiber.Ctx, err error) error {
		status, code, _, msg := err.(*Error).Answer()
		return c.Status(status).SendString(code + ": " + msg)
	}})
	app.Post("/", func(c *fiber.Ctx) error {
		d, release, err := s.body(c)
		defer release()
		if err != nil {
			return err
		}
		return c.SendString(d[0].Key)
	})
	post := func(body string) (int, string) {
		t.Helper()
		res, err := app.Test(httptest.NewRequest("POST", "/", strings.NewReader(body)), -1)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	large := `{"large":"` + strings.Repeat("x", 6<<20) + `"}` // reserves MaxBodyMemory
	small := `{"small":"` + strings.Repeat("x", smallBody-20) + `"}`

	if st, body := post(large); st != 200 || body != "large" {
		t.Fatalf("a large body alone: %d %s", st, body)
	}
	if err := s.bodies.Acquire(context.Background(), 1); err != nil { // another request holds a byte
		t.Fatal(err)
	}
	if st, body := post(large); st != 503 || !strings.HasPrefix(body, "EXCEED_CONCURRENT_REQUEST_LIMIT: ") {
		t.Errorf("a large body while the budget is taken: %d %s, want 503 EXCEED_CONCURRENT_REQUEST_LIMIT", st, body)
	}
	if st, body := post(small); st != 200 || body != "small" {
		t.Errorf("a small body meanwhile: %d %s, want it decoded at once", st, body)
	}
	s.bodies.Release(1)
	if st, body := post(large); st != 200 || body != "large" {
		t.Errorf("a large body once the budget is free: %d %s", st, body)
	}
	if !s.bodies.TryAcquire(MaxBodyMemory) {
		t.Error("the budget is not whole after the requests: a reservation was not given back")
	}
}
