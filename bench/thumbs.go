package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"math/rand/v2"
	"net/http"
)

// thumbPath is the variant the thumbnail scenario asks for: CloudBase's
// square 200-px thumbnail of a 12-megapixel photo.
const thumbPath = "/f/default/bench/photo.jpg?imageView2/1/w/200"

// thumbSize is the variant's length, learnt by setupThumb's first GET.
var thumbSize int64

// thumbScenario: a thumbnail served from the image cache (the first
// request, in setup, makes it).
func thumbScenario() scenario {
	return scenario{name: "file-thumb", what: "GET a cached 200×200 thumbnail of a 12 MP photo (?imageView2/1/w/200)",
		op: opThumb, setup: setupThumb}
}

// photo is a 4000×3000 JPEG with gradients and texture, a phone photo's size.
func photo() ([]byte, error) {
	const w, h = 4000, 3000
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.SetNRGBA(x, y, color.NRGBA{uint8(x * 255 / w), uint8(y * 255 / h), uint8((x ^ y) & 0xFF), 255})
		}
	}
	var b bytes.Buffer
	err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90})
	return b.Bytes(), err
}

// setupThumb uploads the photo and makes its thumbnail once.
func setupThumb(ctx context.Context, e *env) error {
	p, err := photo()
	if err != nil {
		return err
	}
	if err := e.upload(ctx, "", "bench/photo.jpg", bytes.NewReader(p), int64(len(p))); err != nil {
		return err
	}
	n, err := e.thumb(ctx)
	thumbSize = n
	return err
}

func opThumb(ctx context.Context, e *env, _ *rand.Rand) error {
	n, err := e.thumb(ctx)
	if err == nil && n != thumbSize {
		err = fmt.Errorf("GET %s: %d bytes, want the %d of the first answer", thumbPath, n, thumbSize)
	}
	return err
}

// thumb GETs the thumbnail and checks it is a JPEG; it returns its length.
func (e *env) thumb(ctx context.Context) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", e.cl.base+thumbPath, nil)
	if err != nil {
		return 0, err
	}
	resp, err := e.cl.hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil {
		return 0, fmt.Errorf("GET %s: read body: %w", thumbPath, err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/jpeg" || n == 0 {
		return 0, fmt.Errorf("GET %s: HTTP %d %s, %d bytes; want a 200 JPEG", thumbPath, resp.StatusCode, resp.Header.Get("Content-Type"), n)
	}
	return n, nil
}
