package image

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	stdimage "image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"io"
	"strings"
	"testing"
)

// TestTransformHostileImages: the images of the security report (issue
// 11), each a small file anyone may upload to a public bucket, asked for
// with the queries that took the server down: a strip 1 pixel wide
// stretched to 4096×4096 made golang.org/x/image/draw allocate 4096 ×
// 60000 × 32 bytes (7.8 GB, out of memory), and a 16-bit 7000×7000 PNG
// held a core for seconds per variant. Each is now made small (never
// enlarged, halved per axis before the kernel) or refused before decoding,
// and the heap allocated for it stays bounded.
func TestTransformHostileImages(t *testing.T) {
	strip60 := blankPNG(t, 1, 60000, 8, 6)
	strip40 := blankPNG(t, 1, 40000, 8, 6)
	wide60 := blankPNG(t, 60000, 1, 8, 6)
	deep := blankPNG(t, 7000, 7000, 16, 6)
	if len(strip60) > 4<<10 || len(deep) > 4<<20 {
		t.Fatalf("fixtures of %d and %d bytes: the attack is a small file", len(strip60), len(deep))
	}
	tests := []struct {
		name         string
		src          []byte
		query        string
		wantW, wantH int    // the result, when one is made
		wantErr      string // else the refusal (ErrLimit) says this
		maxAlloc     uint64
	}{
		{"1×60000 filled to 4096×4096", strip60, "w=4096&h=4096&fit=fill", 1, 1, "", 16 << 20},
		{"1×40000 filled to 4096×4096", strip40, "w=4096&h=4096&fit=fill", 1, 1, "", 16 << 20},
		{"1×60000 covering 4096×4096", strip60, "w=4096&h=4096", 1, 1, "", 16 << 20},
		{"1×60000 to 4096 high", strip60, "h=4096", 1, 4096, "", 16 << 20},
		{"1×60000 within imageView2/2 4096", strip60, "imageView2/2/w/4096/h/4096", 1, 4096, "", 16 << 20},
		{"1×60000 at its own size", strip60, "w=4096", 0, 0, "the result would be 1×60000 pixels, more than 4096 on a side", 1 << 20},
		{"60000×1 filled to 4096×4096", wide60, "w=4096&h=4096&fit=fill", 1, 1, "", 16 << 20},
		{"60000×1 to 4096 wide", wide60, "w=4096", 4096, 1, "", 16 << 20},
		{"16-bit 7000×7000 to 1080", deep, "w=1080", 0, 0,
			"a 1080×1080 variant of this 7000×7000 png takes about 553 MiB of memory to make, more than the 512 MiB allowed", 1 << 20},
		{"16-bit 7000×7000 covering 4096", deep, "imageView2/1/w/4096", 0, 0, "more than the 512 MiB allowed", 1 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := heapAllocs()
			out, _, err := Transform(context.Background(), bytes.NewReader(tt.src), mustParse(t, tt.query), Limits{})
			alloc := heapAllocs() - before
			if tt.wantErr != "" {
				if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %d bytes, err %v; want ErrLimit saying %q", len(out), err, tt.wantErr)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				cfg, _, err := stdimage.DecodeConfig(bytes.NewReader(out))
				if err != nil || cfg.Width != tt.wantW || cfg.Height != tt.wantH {
					t.Errorf("result %d×%d (%v), want %d×%d", cfg.Width, cfg.Height, err, tt.wantW, tt.wantH)
				}
			}
			if alloc > tt.maxAlloc {
				t.Errorf("allocated %d MiB, want at most %d MiB", alloc>>20, tt.maxAlloc>>20)
			}
		})
	}
}

// TestTransformMemoryLimit: MaxMemory refuses, before decoding, a source
// whose decoding alone needs more, and a variant whose buffers do; the
// message names the limit.
func TestTransformMemoryLimit(t *testing.T) {
	deep := blankPNG(t, 7000, 7000, 16, 6)
	for _, tt := range []struct {
		src   []byte
		query string
		lim   Limits
		want  string
	}{
		{deep, "w=200", Limits{MaxMemory: 256 << 20}, "decoding this 7000×7000 png takes about 374 MiB of memory, more than the 256 MiB allowed for resizing"},
		{encodeJPEG(t, photo(1000, 750)), "w=750", Limits{MaxMemory: 16 << 20},
			"a 750×563 variant of this 1000×750 jpeg takes about 26 MiB of memory to make, more than the 16 MiB allowed: ask for a smaller size"},
	} {
		before := heapAllocs()
		_, _, err := Transform(context.Background(), bytes.NewReader(tt.src), mustParse(t, tt.query), tt.lim)
		if alloc := heapAllocs() - before; alloc > 1<<20 {
			t.Errorf("%s: allocated %d KiB before refusing, want a header's worth", tt.query, alloc>>10)
		}
		if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v; want ErrLimit saying %q", tt.query, err, tt.want)
		}
	}
	// The same photo to a thumbnail is well within 16 MiB.
	if _, _, err := Transform(context.Background(), bytes.NewReader(encodeJPEG(t, photo(1000, 750))), mustParse(t, "w=100"), Limits{MaxMemory: 16 << 20}); err != nil {
		t.Errorf("thumbnail under a 16 MiB limit: %v", err)
	}
}

// TestCostCoversAllocations: for each kind of source and each kind of
// request, what a transform allocates stays within the cost estimated
// from the header (the estimate the memory limit and budget rely on), and
// is not wildly above it either.
func TestCostCoversAllocations(t *testing.T) {
	pic := photo(320, 240)
	gray := stdimage.NewGray(pic.Rect)
	draw16 := stdimage.NewNRGBA64(pic.Rect)
	pal := stdimage.NewPaletted(pic.Rect, palette.Plan9)
	for y := 0; y < 240; y++ {
		for x := 0; x < 320; x++ {
			c := pic.NRGBAAt(x, y)
			gray.SetGray(x, y, color.Gray{c.G})
			draw16.Set(x, y, c)
			pal.Set(x, y, c)
		}
	}
	var gifBytes bytes.Buffer
	if err := gif.Encode(&gifBytes, pal, nil); err != nil {
		t.Fatal(err)
	}
	sources := map[string][]byte{
		"jpeg 4:2:0":        encodeJPEG(t, pic),
		"jpeg grey":         encodeJPEG(t, gray),
		"jpeg turned":       withEXIF(encodeJPEG(t, pic), 6, false),
		"png rgba":          encodePNG(t, pic),
		"png grey":          encodePNG(t, gray),
		"png 16-bit":        encodePNG(t, draw16),
		"png palette":       encodePNG(t, pal),
		"gif":               gifBytes.Bytes(),
		"webp lossless":     solidWebP(320, 240, color.NRGBA{1, 2, 3, 255}),
		"webp translucent":  solidWebP(320, 240, color.NRGBA{1, 2, 3, 100}),
		"png 1×20000 strip": blankPNG(t, 1, 20000, 8, 6),
	}
	queries := []string{"w=50", "imageView2/1/w/70", "w=300&h=50&fit=fill", "w=250&h=250&fit=contain",
		"imageView2/2/w/310/h/230", "format=png", "w=1000&h=1000&fit=cover"}
	for name, src := range sources {
		for _, q := range queries {
			t.Run(name+"/"+q, func(t *testing.T) {
				j, err := prepare(bytes.NewReader(src), mustParse(t, q), Limits{}.withDefaults())
				if err != nil {
					if errors.Is(err, ErrLimit) && strings.Contains(err.Error(), "more than 4096 on a side") {
						return // the strip at its own size
					}
					t.Fatal(err)
				}
				before := heapAllocs()
				if _, _, err := j.run(context.Background()); err != nil {
					t.Fatal(err)
				}
				alloc := int64(heapAllocs() - before)
				if alloc > j.cost {
					t.Errorf("allocated %s, more than the %s estimated", bytesText(alloc), bytesText(j.cost))
				}
				if j.cost > 8*alloc+(4<<20) {
					t.Errorf("estimated %s for %s allocated: too pessimistic", bytesText(j.cost), bytesText(alloc))
				}
			})
		}
	}
}

// cancelingReader cancels its context once more than after bytes have
// been read, and remembers how far reading got.
type cancelingReader struct {
	*bytes.Reader
	after  int64
	cancel context.CancelFunc
	read   int64
}

func (r *cancelingReader) Read(p []byte) (int, error) {
	n, err := r.Reader.Read(p)
	r.read += int64(n)
	if r.read > r.after {
		r.cancel()
	}
	return n, err
}

// TestTransformCancelStopsDecoding: a request that goes away while its
// source is being decoded stops the decoder at its next read, instead of
// decoding (and resizing, and encoding) an image nobody will get.
func TestTransformCancelStopsDecoding(t *testing.T) {
	src := encodePNG(t, photo(800, 800))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := &cancelingReader{Reader: bytes.NewReader(src), after: int64(len(src) / 4), cancel: cancel}
	_, _, err := Transform(ctx, r, mustParse(t, "w=100"), Limits{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	if r.read >= int64(len(src)) {
		t.Errorf("read all %d bytes of the source after the cancel at %d", r.read, r.after)
	}
}

// TestNormalize: every pixel type the decoders return becomes one that is
// halved and scaled on a fast path, with the same colours, and 16-bit
// pictures are narrowed in place.
func TestNormalize(t *testing.T) {
	pic := photo(33, 17)
	types := map[string]stdimage.Image{}
	for name, m := range map[string]interface {
		stdimage.Image
		Set(x, y int, c color.Color)
	}{
		"NRGBA64": stdimage.NewNRGBA64(pic.Rect), "RGBA64": stdimage.NewRGBA64(pic.Rect),
		"Gray16": stdimage.NewGray16(pic.Rect), "CMYK": stdimage.NewCMYK(pic.Rect),
		"Paletted": stdimage.NewPaletted(pic.Rect, palette.WebSafe),
	} {
		for y := 0; y < 17; y++ {
			for x := 0; x < 33; x++ {
				m.Set(x, y, pic.At(x, y))
			}
		}
		types[name] = m
	}
	nycc := stdimage.NewNYCbCrA(pic.Rect, stdimage.YCbCrSubsampleRatio420)
	for y := 0; y < 17; y++ {
		for x := 0; x < 33; x++ {
			c := color.NYCbCrAModel.Convert(color.NRGBA{uint8(8 * x), uint8(15 * y), 99, uint8(7 * x)}).(color.NYCbCrA)
			nycc.Y[nycc.YOffset(x, y)], nycc.A[nycc.AOffset(x, y)] = c.Y, c.A
			nycc.Cb[nycc.COffset(x, y)], nycc.Cr[nycc.COffset(x, y)] = c.Cb, c.Cr
		}
	}
	types["NYCbCrA"] = nycc
	for name, img := range types {
		t.Run(name, func(t *testing.T) {
			var pix *byte
			if m, ok := img.(*stdimage.NRGBA64); ok {
				pix = &m.Pix[0]
			}
			was := make([]color.Color, 0, 33*17) // normalize may write over img
			for y := 0; y < 17; y++ {
				for x := 0; x < 33; x++ {
					was = append(was, img.At(x, y))
				}
			}
			n := normalize(img)
			switch m := n.(type) {
			case *stdimage.NRGBA:
				if pix != nil && &m.Pix[0] != pix {
					t.Error("a 16-bit picture was copied, not narrowed in place")
				}
			case *stdimage.RGBA, *stdimage.Gray:
			default:
				t.Fatalf("normalized to %T", n)
			}
			if n.Bounds() != img.Bounds() {
				t.Fatalf("bounds %v, want %v", n.Bounds(), img.Bounds())
			}
			for y := 0; y < 17; y++ {
				for x := 0; x < 33; x++ {
					if !near(n.At(x, y), was[33*y+x], 1) {
						t.Fatalf("pixel (%d,%d) = %v, was %v", x, y, n.At(x, y), was[33*y+x])
					}
				}
			}
		})
	}
}

// TestScanJPEG: the frame header and EXIF are read from real files.
func TestScanJPEG(t *testing.T) {
	for _, tt := range []struct {
		name  string
		img   stdimage.Image
		comps int
		hv    []int
	}{
		{"colour", photo(40, 30), 3, []int{4, 1, 1}}, // image/jpeg writes 4:2:0
		{"grey", stdimage.NewGray(stdimage.Rect(0, 0, 40, 30)), 1, []int{1}},
	} {
		info := scanJPEG(bytes.NewReader(withEXIF(encodeJPEG(t, tt.img), 8, true)))
		if !info.sof || info.progressive || info.comps != tt.comps || fmt.Sprint(info.hv) != fmt.Sprint(tt.hv) || info.rgb || info.orientation != 8 {
			t.Errorf("%s: %+v", tt.name, info)
		}
	}
	if info := scanJPEG(io.MultiReader(bytes.NewReader([]byte{0xFF, 0xD8}), bytes.NewReader(make([]byte, 1<<20)))); info.sof || info.orientation != 1 {
		t.Errorf("garbage: %+v", info)
	}
}
