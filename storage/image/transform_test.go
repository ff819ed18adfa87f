package image

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	stdimage "image"
	"image/color"
	"image/color/palette"
	"image/png"
	"strings"
	"testing"
)

func mustParse(t testing.TB, q string) Params {
	t.Helper()
	p, ok, err := ParseQuery(q)
	if err != nil || !ok {
		t.Fatalf("ParseQuery(%q): %v %v", q, ok, err)
	}
	return p
}

func transform(t testing.TB, src []byte, q string) (stdimage.Image, string, []byte) {
	t.Helper()
	out, typ, err := Transform(context.Background(), bytes.NewReader(src), mustParse(t, q), Limits{})
	if err != nil {
		t.Fatalf("Transform(%s): %v", q, err)
	}
	img, format, err := stdimage.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("result of %s does not decode: %v", q, err)
	}
	if want := "image/" + format; want != typ {
		t.Errorf("content type %s, but the bytes are %s", typ, format)
	}
	return img, typ, out
}

// TestTransformSizes runs every mode on real JPEG and PNG files and checks
// the decoded result's size.
func TestTransformSizes(t *testing.T) {
	landscape := quadrants(400, 200)
	sources := map[string][]byte{"jpeg": encodeJPEG(t, landscape), "png": encodePNG(t, landscape)}
	tests := []struct {
		query        string
		wantW, wantH int
	}{
		{"imageView2/0/w/100/h/80", 100, 50},
		{"imageView2/0/h/40", 80, 40},
		{"imageView2/1/w/100/h/80", 100, 80},
		{"imageView2/1/w/60", 60, 60},
		{"imageView2/2/w/100/h/80", 100, 50},
		{"imageView2/3/w/100/h/80", 160, 80},
		{"imageView2/4/w/100/h/80", 160, 80},
		{"imageView2/5/w/100/h/80", 100, 80},
		{"w=100", 100, 50},
		{"w=100&h=100", 100, 100},
		{"w=100&h=100&fit=contain", 100, 100},
		{"w=100&h=100&fit=fill", 100, 100},
		{"w=100&h=100&fit=inside", 100, 50},
		{"w=800", 400, 200},                     // never enlarged
		{"w=800&h=100&fit=fill", 400, 50},       // the box shrinks into the source
		{"w=1000&h=1000&fit=contain", 400, 400}, // padded to the box's shape, not its size
		{"imageView2/1/w/1000", 200, 200},       // a square cover, as large as the source allows
		{"q=50", 400, 200},                      // re-encode only
	}
	for name, src := range sources {
		for _, tt := range tests {
			t.Run(name+"/"+tt.query, func(t *testing.T) {
				img, typ, _ := transform(t, src, tt.query)
				if b := img.Bounds(); b.Dx() != tt.wantW || b.Dy() != tt.wantH {
					t.Errorf("result %d×%d, want %d×%d", b.Dx(), b.Dy(), tt.wantW, tt.wantH)
				}
				if want := "image/" + name; typ != want { // FormatAuto keeps the format
					t.Errorf("content type %s, want %s", typ, want)
				}
			})
		}
	}
}

// TestTransformPixels checks what is in the result, not only its size:
// resizing keeps the quadrants, cover crops the centre band, contain pads.
func TestTransformPixels(t *testing.T) {
	t.Run("resize keeps the picture", func(t *testing.T) {
		img, _, _ := transform(t, encodePNG(t, quadrants(400, 200)), "w=100")
		for _, c := range []struct {
			x, y int
			want color.Color
		}{{10, 10, red}, {90, 10, green}, {10, 40, blue}, {90, 40, white}} {
			if got := img.At(c.x, c.y); !near(got, c.want, 8) {
				t.Errorf("pixel (%d,%d) = %v, want %v", c.x, c.y, got, c.want)
			}
		}
	})
	t.Run("cover crops the centre", func(t *testing.T) {
		// Bands red|green|blue across 400 px; a square cover of the 400×100
		// source keeps the middle 100 px: all green.
		img, _, _ := transform(t, encodePNG(t, bands(400, 100, true)), "imageView2/1/w/50")
		for _, x := range []int{0, 25, 49} {
			if got := img.At(x, 25); !near(got, green, 8) {
				t.Errorf("pixel (%d,25) = %v, want green", x, got)
			}
		}
	})
	t.Run("contain pads PNG with transparency", func(t *testing.T) {
		img, _, _ := transform(t, encodePNG(t, quadrants(200, 100)), "w=100&h=100&fit=contain")
		if _, _, _, a := img.At(50, 5).RGBA(); a != 0 {
			t.Errorf("padding is not transparent: %v", img.At(50, 5))
		}
		if got := img.At(10, 30); !near(got, red, 8) {
			t.Errorf("pixel (10,30) = %v, want red", got)
		}
	})
	t.Run("contain pads JPEG with white", func(t *testing.T) {
		img, _, _ := transform(t, encodeJPEG(t, quadrants(200, 100)), "w=100&h=100&fit=contain")
		if got := img.At(50, 5); !near(got, white, 8) {
			t.Errorf("padding %v, want white", got)
		}
	})
	t.Run("transparent PNG to JPEG becomes white", func(t *testing.T) {
		clear := stdimage.NewNRGBA(stdimage.Rect(0, 0, 40, 40)) // all transparent
		img, typ, _ := transform(t, encodePNG(t, clear), "w=20&format=jpeg")
		if typ != TypeJPEG || !near(img.At(10, 10), white, 4) {
			t.Errorf("got %s with pixel %v, want a white JPEG", typ, img.At(10, 10))
		}
	})
	t.Run("fill stretches", func(t *testing.T) {
		img, _, _ := transform(t, encodePNG(t, quadrants(400, 100)), "w=100&h=100&fit=fill")
		if !near(img.At(10, 10), red, 8) || !near(img.At(90, 90), white, 8) {
			t.Errorf("corners %v %v, want red and white", img.At(10, 10), img.At(90, 90))
		}
	})
}

// TestTransformOrientation: for each EXIF orientation, a JPEG stored
// turned or mirrored comes out upright. The stored image is built from the
// upright one with the TIFF specification's table ("row 0 is at the visual
// …, column 0 at the visual …"), independently of the code under test.
func TestTransformOrientation(t *testing.T) {
	upright := quadrants(120, 80) // displayed: red TL, green TR, blue BL, white BR
	// stored(x, y) = upright(f(x, y)) for a stored image of sw×sh.
	maps := map[uint16]func(x, y, dw, dh int) (int, int){
		1: func(x, y, dw, dh int) (int, int) { return x, y },          // row0 top, col0 left
		2: func(x, y, dw, dh int) (int, int) { return dw - 1 - x, y }, // row0 top, col0 right
		3: func(x, y, dw, dh int) (int, int) { return dw - 1 - x, dh - 1 - y },
		4: func(x, y, dw, dh int) (int, int) { return x, dh - 1 - y },          // row0 bottom, col0 left
		5: func(x, y, dw, dh int) (int, int) { return y, x },                   // row0 left, col0 top
		6: func(x, y, dw, dh int) (int, int) { return dw - 1 - y, x },          // row0 right, col0 top
		7: func(x, y, dw, dh int) (int, int) { return dw - 1 - y, dh - 1 - x }, // row0 right, col0 bottom
		8: func(x, y, dw, dh int) (int, int) { return y, dh - 1 - x },          // row0 left, col0 bottom
	}
	for o := uint16(1); o <= 8; o++ {
		for _, le := range []bool{false, true} {
			t.Run(fmt.Sprintf("orientation %d little-endian %v", o, le), func(t *testing.T) {
				dw, dh := 120, 80
				sw, sh := dw, dh
				if o >= 5 {
					sw, sh = dh, dw
				}
				stored := stdimage.NewNRGBA(stdimage.Rect(0, 0, sw, sh))
				for y := 0; y < sh; y++ {
					for x := 0; x < sw; x++ {
						ux, uy := maps[o](x, y, dw, dh)
						stored.Set(x, y, upright.At(ux, uy))
					}
				}
				src := withEXIF(encodeJPEG(t, stored), o, le)
				for _, q := range []string{"w=60", "w=40&h=40", "q=90"} {
					img, _, _ := transform(t, src, q)
					W, H := img.Bounds().Dx(), img.Bounds().Dy()
					for _, c := range []struct {
						fx, fy float64
						want   color.Color
					}{{0.15, 0.15, red}, {0.85, 0.15, green}, {0.15, 0.85, blue}, {0.85, 0.85, white}} {
						x, y := int(c.fx*float64(W)), int(c.fy*float64(H))
						if got := img.At(x, y); !near(got, c.want, 24) {
							t.Errorf("%s: pixel (%d,%d) of %d×%d = %v, want %v", q, x, y, W, H, got, c.want)
						}
					}
					if q == "w=60" && (W != 60 || H != 40) {
						t.Errorf("%s: result %d×%d, want 60×40 (upright)", q, W, H)
					}
				}
			})
		}
	}
}

func TestTransformFormats(t *testing.T) {
	t.Run("GIF first frame, opaque, becomes JPEG", func(t *testing.T) {
		f1 := stdimage.NewPaletted(stdimage.Rect(0, 0, 60, 30), palette.Plan9)
		f2 := stdimage.NewPaletted(stdimage.Rect(0, 0, 60, 30), palette.Plan9)
		for i := range f1.Pix {
			f1.Pix[i] = uint8(f1.Palette.Index(red))
			f2.Pix[i] = uint8(f2.Palette.Index(blue))
		}
		img, typ, _ := transform(t, encodeGIF(t, f1, f2), "w=30")
		if typ != TypeJPEG || img.Bounds().Dx() != 30 || img.Bounds().Dy() != 15 || !near(img.At(5, 5), red, 12) {
			t.Errorf("got %s %v pixel %v; want a 30×15 red JPEG (the first frame)", typ, img.Bounds(), img.At(5, 5))
		}
	})
	t.Run("GIF with transparency becomes PNG", func(t *testing.T) {
		pal := color.Palette{color.NRGBA{0, 0, 0, 0}, red}
		f := stdimage.NewPaletted(stdimage.Rect(0, 0, 20, 20), pal)
		_, typ, _ := transform(t, encodeGIF(t, f), "w=10")
		if typ != TypePNG {
			t.Errorf("content type %s, want PNG", typ)
		}
	})
	t.Run("WebP", func(t *testing.T) {
		img, typ, _ := transform(t, solidWebP(300, 150, color.NRGBA{0, 0, 255, 255}), "w=100")
		if typ != TypeJPEG || img.Bounds().Dx() != 100 || img.Bounds().Dy() != 50 || !near(img.At(50, 25), blue, 8) {
			t.Errorf("got %s %v pixel %v; want a 100×50 blue JPEG", typ, img.Bounds(), img.At(50, 25))
		}
		_, typ, _ = transform(t, solidWebP(30, 30, color.NRGBA{0, 0, 255, 128}), "w=10")
		if typ != TypePNG {
			t.Errorf("translucent WebP gave %s, want PNG", typ)
		}
	})
	t.Run("explicit formats and quality", func(t *testing.T) {
		src := encodePNG(t, quadrants(200, 200))
		if _, typ, _ := transform(t, src, "w=50&format=jpeg"); typ != TypeJPEG {
			t.Errorf("format=jpeg gave %s", typ)
		}
		if _, typ, _ := transform(t, encodeJPEG(t, quadrants(200, 200)), "imageView2/2/w/50/format/png"); typ != TypePNG {
			t.Errorf("format/png gave %s", typ)
		}
		_, _, low := transform(t, src, "format=jpeg&q=5")
		_, _, high := transform(t, src, "format=jpeg&q=100")
		if len(low) >= len(high) {
			t.Errorf("q=5 gave %d bytes, q=100 %d; want fewer", len(low), len(high))
		}
	})
}

// TestTransformRefuses: bombs, huge and corrupt files, and oversized
// results fail with clear errors, before decoding where possible.
func TestTransformRefuses(t *testing.T) {
	good := encodeJPEG(t, quadrants(64, 64))
	big := encodeJPEG(t, quadrants(512, 512))
	truncated := big[:len(big)*4/5] // past the header, inside the scan
	pngBody := encodePNG(t, quadrants(64, 64))
	corruptPNG := append([]byte{}, pngBody...)
	for i := 60; i < len(corruptPNG)-20; i++ {
		corruptPNG[i] ^= 0x5A // scramble the compressed data, keep the header
	}
	tests := []struct {
		name    string
		src     []byte
		query   string
		lim     Limits
		want    error
		wantMsg string
	}{
		{"PNG bomb", pngClaiming(t, 100000, 100000), "w=100", Limits{}, ErrLimit, "100000×100000 (10000.0 megapixels), more than the 50.0 megapixels"},
		{"PNG over a lowered limit", pngClaiming(t, 2000, 2000), "w=100", Limits{MaxSourcePixels: 1_000_000}, ErrLimit, "more than the 1.0 megapixels"},
		{"WebP bomb", solidWebP(16384, 16384, color.NRGBA{1, 2, 3, 255}), "w=100", Limits{}, ErrLimit, "16384×16384"},
		{"source bytes", good, "w=10", Limits{MaxSourceBytes: 100}, ErrLimit, "more than the 100 allowed"},
		{"output bytes", encodePNG(t, photo(300, 300)), "w=200&format=png", Limits{MaxOutputBytes: 1000}, ErrLimit, "more than 1000 bytes encoded"},
		{"result side", encodeJPEG(t, quadrants(5000, 8)), "q=80", Limits{}, ErrLimit, "more than 4096 on a side"},
		{"text file", []byte("hello, I am not an image"), "w=10", Limits{}, ErrNotImage, "not a JPEG, PNG, GIF or WebP"},
		{"empty file", nil, "w=10", Limits{}, ErrNotImage, "not a JPEG, PNG, GIF or WebP"},
		{"SVG", []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`), "w=10", Limits{}, ErrNotImage, "not a JPEG"},
		{"truncated JPEG", truncated, "w=10", Limits{}, ErrNotImage, "the jpeg data is corrupt"},
		{"JPEG header only", good[:20], "w=10", Limits{}, ErrNotImage, "the jpeg header is corrupt"},
		{"corrupt PNG data", corruptPNG, "w=10", Limits{}, ErrNotImage, "the png data is corrupt"},
		{"PNG of zero width", pngClaiming(t, 0, 10), "w=10", Limits{}, ErrNotImage, "png header is corrupt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, typ, err := Transform(context.Background(), bytes.NewReader(tt.src), mustParse(t, tt.query), tt.lim)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %d bytes %q, err %v; want %v", len(out), typ, err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q; want it to contain %q", err, tt.wantMsg)
			}
		})
	}
}

// TestTransformZeroParams: Params built by hand (not parsed) work, with
// Parse's defaults.
func TestTransformZeroParams(t *testing.T) {
	out, typ, err := Transform(context.Background(), bytes.NewReader(encodeJPEG(t, quadrants(40, 30))), Params{Width: 20}, Limits{})
	if err != nil || typ != TypeJPEG {
		t.Fatalf("Transform: %v %s", err, typ)
	}
	img, _, err := stdimage.Decode(bytes.NewReader(out))
	if err != nil || img.Bounds().Dx() != 20 || img.Bounds().Dy() != 15 {
		t.Errorf("result %v %v, want 20×15", err, img.Bounds())
	}
}

func TestTransformCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := Transform(ctx, bytes.NewReader(encodePNG(t, quadrants(50, 50))), mustParse(t, "w=10"), Limits{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err %v, want context.Canceled", err)
	}
}

// TestBlankPNGHelper keeps the hand-written zlib stream honest: the
// reference decoder reads the PNG back as zeros of the declared size.
func TestBlankPNGHelper(t *testing.T) {
	for _, tt := range []struct{ w, h, depth, colorType int }{{1, 1, 8, 6}, {37, 300, 16, 6}, {300, 7, 8, 3}, {5, 5, 1, 0}} {
		img, err := png.Decode(bytes.NewReader(blankPNG(t, tt.w, tt.h, tt.depth, tt.colorType)))
		if err != nil {
			t.Fatalf("%+v: %v", tt, err)
		}
		if b := img.Bounds(); b.Dx() != tt.w || b.Dy() != tt.h {
			t.Fatalf("%+v: decoded %v", tt, b)
		}
		if r, g, b, _ := img.At(tt.w-1, tt.h-1).RGBA(); r|g|b != 0 {
			t.Errorf("%+v: last pixel %v, want zeros", tt, img.At(tt.w-1, tt.h-1))
		}
	}
}

// TestSolidWebPHelper keeps the hand-written WebP encoder honest: the
// reference decoder reads it back.
func TestSolidWebPHelper(t *testing.T) {
	img, format, err := stdimage.Decode(bytes.NewReader(solidWebP(7, 5, color.NRGBA{10, 20, 30, 255})))
	if err != nil || format != "webp" || img.Bounds().Dx() != 7 || !near(img.At(3, 3), color.NRGBA{10, 20, 30, 255}, 0) {
		t.Fatalf("decode: %v %s %v", err, format, img)
	}
}
