package image

import (
	"bytes"
	"context"
	stdimage "image"
	"image/color"
	"syscall"
	"testing"
	"time"

	"golang.org/x/image/draw"
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
// phone photo), of a 1-megapixel one, and of a 16-bit PNG, decode + resize
// + encode. cpu-ns/op is the process's CPU time per transform (garbage
// collection included), which stays meaningful on a busy machine.
func BenchmarkTransform(b *testing.B) {
	deep := stdimage.NewNRGBA64(stdimage.Rect(0, 0, 2000, 1500))
	draw.Draw(deep, deep.Rect, photo(2000, 1500), stdimage.Point{}, draw.Src)
	for _, tc := range []struct {
		name  string
		src   func() []byte
		query string
	}{
		{"12MP_to_w200", func() []byte { return encodeJPEG(b, photo(4000, 3000)) }, "w=200"},
		{"12MP_cover_200x200", func() []byte { return encodeJPEG(b, photo(4000, 3000)) }, "imageView2/1/w/200"},
		{"1MP_to_w200", func() []byte { return encodeJPEG(b, photo(1200, 900)) }, "w=200"},
		{"1MP_to_w800", func() []byte { return encodeJPEG(b, photo(1200, 900)) }, "w=800"},
		{"png16_3MP_to_w200", func() []byte { return encodePNG(b, deep) }, "w=200"},
	} {
		p := mustParse(b, tc.query)
		b.Run(tc.name, func(b *testing.B) {
			src := tc.src()
			b.SetBytes(int64(len(src)))
			b.ResetTimer()
			cpu0 := cpuTime()
			for b.Loop() {
				if _, _, err := Transform(context.Background(), bytes.NewReader(src), p, Limits{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
		})
	}
}

// cpuTime is the user and system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
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
