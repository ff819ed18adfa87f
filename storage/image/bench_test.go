package image

import (
	"bytes"
	"context"
	stdimage "image"
	"image/color"
	"testing"
)

// photo is a w×h image with smooth gradients and some texture, closer to a
// photograph than flat quadrants (which compress to nothing).
func photo(w, h int) *stdimage.NRGBA {
	img := stdimage.NewNRGBA(stdimage.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.SetNRGBA(x, y, color.NRGBA{uint8(x * 255 / w), uint8(y * 255 / h), uint8((x ^ y) & 0xFF), 255})
		}
	}
	return img
}

// BenchmarkTransform: a thumbnail of a 12-megapixel JPEG (4000×3000, a
// phone photo) and of a 1-megapixel one, decode + resize + encode.
func BenchmarkTransform(b *testing.B) {
	for _, tc := range []struct {
		name  string
		w, h  int
		query string
	}{
		{"12MP_to_w200", 4000, 3000, "w=200"},
		{"12MP_cover_200x200", 4000, 3000, "imageView2/1/w/200"},
		{"1MP_to_w200", 1200, 900, "w=200"},
		{"1MP_to_w800", 1200, 900, "w=800"},
	} {
		src := encodeJPEG(b, photo(tc.w, tc.h))
		p := mustParse(b, tc.query)
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				if _, _, err := Transform(context.Background(), bytes.NewReader(src), p, Limits{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkVariantsCached: a thumbnail served from the disk cache, in
// parallel (the path of every request after the first).
func BenchmarkVariantsCached(b *testing.B) {
	c, err := OpenCache(b.TempDir(), 64<<20)
	if err != nil {
		b.Fatal(err)
	}
	v := NewVariants(c, Options{})
	s := &countingSource{data: encodeJPEG(b, photo(1200, 900))}
	src := s.source("bucket/photo.jpg", "etag-1")
	p := mustParse(b, "imageView2/1/w/200")
	if vr, err := v.Get(context.Background(), src, p); err != nil {
		b.Fatal(err)
	} else {
		vr.Body.Close()
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			vr, err := v.Get(context.Background(), src, p)
			if err != nil || !vr.Cached {
				b.Fatal(err)
			}
			vr.Body.Close()
		}
	})
}
