package server

import (
	"bytes"
	"fmt"
	stdimage "image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"minibase/storage/image"

	"github.com/gofiber/fiber/v2"
)

// testPhoto is a w×h image with a gradient, encoded as JPEG or PNG.
func testPhoto(t *testing.T, w, h int, format string) []byte {
	t.Helper()
	img := stdimage.NewNRGBA(stdimage.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.SetNRGBA(x, y, color.NRGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	var b bytes.Buffer
	var err error
	if format == "png" {
		err = png.Encode(&b, img)
	} else {
		err = jpeg.Encode(&b, img, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestImageBusyAnswer: a resize refused for want of a slot is a 503 with
// CloudBase's concurrency code and a Retry-After, through the app's one
// error handler.
func TestImageBusyAnswer(t *testing.T) {
	m := &Server{log: discardLogger()}
	app := fiber.New(fiber.Config{ErrorHandler: m.writeError})
	app.Get("/", func(*fiber.Ctx) error {
		return imageError(fmt.Errorf("image: open: %w", fmt.Errorf("%w: all 4 resizing slots are taken", image.ErrBusy)))
	})
	r, err := app.Test(httptest.NewRequest("GET", "/", nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	body, _ := io.ReadAll(r.Body)
	if r.StatusCode != 503 || r.Header.Get("Retry-After") != "2" ||
		!strings.Contains(string(body), `"code":"EXCEED_CONCURRENT_REQUEST_LIMIT","errCode":-501004`) || !strings.Contains(string(body), "slots are taken") {
		t.Errorf("busy: %d Retry-After %q %s", r.StatusCode, r.Header.Get("Retry-After"), body)
	}
}
