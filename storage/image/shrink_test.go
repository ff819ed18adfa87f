package image

import (
	"context"
	"errors"
	"fmt"
	stdimage "image"
	"image/color"
	"image/color/palette"
	"testing"

	"golang.org/x/image/draw"
)

// meanDiff is the mean absolute difference per channel (0–255) of two
// images of the same size.
func meanDiff(a, b *stdimage.RGBA) float64 {
	var sum int
	for i := range a.Pix {
		d := int(a.Pix[i]) - int(b.Pix[i])
		if d < 0 {
			d = -d
		}
		sum += d
	}
	return float64(sum) / float64(len(a.Pix))
}

func scaleTo(src stdimage.Image, crop stdimage.Rectangle, w, h int) *stdimage.RGBA {
	dst := stdimage.NewRGBA(stdimage.Rect(0, 0, w, h))
	draw.CatmullRom.Scale(dst, dst.Rect, src, crop, draw.Src, nil)
	return dst
}

// toYCbCr converts img to a YCbCr with the given subsampling, as a JPEG
// decoder would return it.
func toYCbCr(img stdimage.Image, r stdimage.YCbCrSubsampleRatio) *stdimage.YCbCr {
	b := img.Bounds()
	m := stdimage.NewYCbCr(b, r)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.YCbCrModel.Convert(img.At(x, y)).(color.YCbCr)
			m.Y[m.YOffset(x, y)] = c.Y
			ci := m.COffset(x, y)
			m.Cb[ci], m.Cr[ci] = c.Cb, c.Cr
		}
	}
	return m
}

// TestPrefilterMatchesDirect: halving before Catmull-Rom gives (nearly) the
// picture Catmull-Rom alone gives, for every pixel type and subsampling
// the prefilter handles, odd sizes and crops included.
func TestPrefilterMatchesDirect(t *testing.T) {
	src := photo(401, 313)
	crops := []stdimage.Rectangle{src.Rect, stdimage.Rect(53, 0, 350, 313)}
	types := map[string]stdimage.Image{"NRGBA": src, "RGBA": toRGBA(src)}
	for _, r := range []stdimage.YCbCrSubsampleRatio{
		stdimage.YCbCrSubsampleRatio444, stdimage.YCbCrSubsampleRatio422, stdimage.YCbCrSubsampleRatio420,
		stdimage.YCbCrSubsampleRatio440, stdimage.YCbCrSubsampleRatio411, stdimage.YCbCrSubsampleRatio410,
	} {
		types["YCbCr"+r.String()] = toYCbCr(src, r)
	}
	for name, img := range types {
		for _, crop := range crops {
			t.Run(fmt.Sprintf("%s_%v", name, crop), func(t *testing.T) {
				tw, th := 37, 23
				small, smallCrop, err := prefilter(context.Background(), img, crop, tw, th)
				if err != nil {
					t.Fatal(err)
				}
				if small == img && name != "YCbCrYCbCrSubsampleRatio411" && name != "YCbCrYCbCrSubsampleRatio410" {
					t.Fatalf("no prefiltering happened for %s", name)
				}
				if !smallCrop.In(small.Bounds()) || smallCrop.Empty() {
					t.Fatalf("crop %v outside the halved image %v", smallCrop, small.Bounds())
				}
				if d := meanDiff(scaleTo(small, smallCrop, tw, th), scaleTo(img, crop, tw, th)); d > 2.5 {
					t.Errorf("mean difference %.2f/255 from the direct reduction, want ≤ 2.5", d)
				}
			})
		}
	}
}

func toRGBA(img stdimage.Image) *stdimage.RGBA {
	m := stdimage.NewRGBA(img.Bounds())
	draw.Draw(m, m.Rect, img, img.Bounds().Min, draw.Src)
	return m
}

// TestPrefilterTransparency: halving an NRGBA weights colours by alpha, so
// a transparent pixel's hidden colour (black here) does not darken an
// opaque neighbour.
func TestPrefilterTransparency(t *testing.T) {
	img := stdimage.NewNRGBA(stdimage.Rect(0, 0, 64, 64))
	for y := 0; y < 64; y++ {
		for x := 0; x < 64; x += 2 {
			img.SetNRGBA(x, y, color.NRGBA{255, 0, 0, 255}) // every other column red, the rest transparent black
		}
	}
	small, _, _ := prefilter(context.Background(), img, img.Rect, 8, 8)
	c := small.At(3, 3).(color.NRGBA)
	if c.R != 255 || c.G != 0 || c.A < 126 || c.A > 129 {
		t.Errorf("halved pixel %v, want half-transparent pure red", c)
	}
}

// TestPrefilterStops: an axis is halved only while it is at least 4× the
// target; nothing is halved when neither is; unknown pixel types are left
// alone.
func TestPrefilterStops(t *testing.T) {
	ctx := context.Background()
	img := photo(400, 300)
	if small, _, _ := prefilter(ctx, img, img.Rect, 101, 76); small != stdimage.Image(img) {
		t.Error("halved although both sides are within 4× of the target")
	}
	pal := stdimage.NewPaletted(stdimage.Rect(0, 0, 400, 400), palette.Plan9)
	if small, _, _ := prefilter(ctx, pal, pal.Rect, 10, 10); small != stdimage.Image(pal) {
		t.Error("halved a type it does not know")
	}
	for _, tt := range []struct {
		tw, th int
		want   stdimage.Rectangle
	}{
		{10, 10, stdimage.Rect(0, 0, 25, 38)},   // 400×300 → 200×150 → 100×75 → 50×38 → 25×38
		{101, 10, stdimage.Rect(0, 0, 400, 38)}, // the height only
		{10, 76, stdimage.Rect(0, 0, 25, 300)},  // the width only
	} {
		small, crop, err := prefilter(ctx, img, img.Rect, tt.tw, tt.th)
		if b := small.Bounds(); err != nil || b != tt.want || crop != b {
			t.Errorf("400×300 for %d×%d halved to %v (crop %v, %v), want %v", tt.tw, tt.th, b, crop, err, tt.want)
		}
	}
	gray := stdimage.NewGray(stdimage.Rect(0, 0, 400, 400))
	if small, _, _ := prefilter(ctx, gray, gray.Rect, 10, 10); small.Bounds() != stdimage.Rect(0, 0, 25, 25) {
		t.Errorf("grey 400×400 for 10×10 halved to %v, want 25×25", small.Bounds())
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := prefilter(canceled, img, img.Rect, 10, 10); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled prefilter: %v", err)
	}
}
