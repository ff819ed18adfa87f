package image

import (
	"bytes"
	"context"
	"errors"
	stdimage "image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"testing"

	"golang.org/x/image/draw"
)

// FuzzParseQuery: any query either fails with ErrParams and no Params, or
// yields canonical Params within the limits, whose Key is stable.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{
		"", "w=100", "w=100&h=50&fit=contain&q=80&format=png", "imageView2/1/w/200/h/100/q/75/format/jpg",
		"imageView2/0/h/40", "imageView2/5/w/64", "sign=abc&t=1&imageView2/2/w/10", "w=%zz", "imageView2/9",
		"imageView2/1/w/10&w=5", "fit=fill&h=4096", "imageView2%2F3%2Fw%2F10",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		p, ok, err := ParseQuery(q)
		if err != nil {
			if !errors.Is(err, ErrParams) || ok || p != (Params{}) {
				t.Fatalf("ParseQuery(%q) = %+v, %v, %v", q, p, ok, err)
			}
			return
		}
		if !ok {
			if p != (Params{}) {
				t.Fatalf("ParseQuery(%q) not ok but returned %+v", q, p)
			}
			return
		}
		if p.Width < 0 || p.Width > MaxSide || p.Height < 0 || p.Height > MaxSide ||
			p.Quality < 1 || p.Quality > 100 || p.Fit > FitOutside || p.Format > FormatPNG {
			t.Fatalf("ParseQuery(%q) = %+v: out of range", q, p)
		}
		if c := p.canonical(); c != p {
			t.Fatalf("ParseQuery(%q) = %+v, not canonical (%+v)", q, p, c)
		}
		// Every canonical request plans on any source without panicking.
		for _, s := range [][2]int{{1, 1}, {1000, 3}, {3, 1000}, {4096, 4096}} {
			pl, err := planFor(s[0], s[1], p)
			if err != nil {
				continue
			}
			if pl.canvasW < 1 || pl.canvasH < 1 || pl.canvasW > MaxSide || pl.canvasH > MaxSide ||
				pl.crop.Empty() || !pl.crop.In(stdimage.Rect(0, 0, s[0], s[1])) ||
				pl.scaledW < 1 || pl.scaledH < 1 || pl.scaledW > pl.crop.Dx() || pl.scaledH > pl.crop.Dy() || // never enlarged
				pl.scaledW > pl.canvasW || pl.scaledH > pl.canvasH {
				t.Fatalf("plan of %+v on %v: %+v", p, s, pl)
			}
			// The cost counts at least the result, and its kernel part is
			// what render will be allowed to allocate.
			for o := 1; o <= 8; o++ {
				sw, sh := s[0], s[1]
				if swapsAxes(o) {
					sw, sh = sh, sw
				}
				cost, kernel := planCost(pngCost(pngInfo{depth: 8, colorType: 6}, sw, sh), 4, sw, sh, o, pl, DefaultMaxOutputBytes)
				if cost < 4*int64(pl.canvasW)*int64(pl.canvasH) || kernel < 0 || kernel > cost {
					t.Fatalf("cost %d, kernel %d of %+v on %v oriented %d", cost, kernel, pl, s, o)
				}
			}
		}
	})
}

// FuzzJPEGHeader: the marker scanner, which reads untrusted bytes, never
// panics, returns an orientation from 1 to 8 and sampling factors image/jpeg
// accepts, and its cost is at least the picture's samples.
func FuzzJPEGHeader(f *testing.F) {
	jpg := []byte{0xFF, 0xD8, 0xFF, 0xD9}
	for o := uint16(0); o <= 9; o++ {
		f.Add(withEXIF(jpg, o, o%2 == 0))
	}
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x02})
	f.Add(encodeJPEG(f, photo(20, 10)))
	f.Add(withEXIF(encodeJPEG(f, stdimage.NewGray(stdimage.Rect(0, 0, 9, 9))), 3, false))
	f.Fuzz(func(t *testing.T, b []byte) {
		info := scanJPEG(bytes.NewReader(b))
		if o := info.orientation; o < 1 || o > 8 {
			t.Fatalf("orientation %d", o)
		}
		if info.sof && (len(info.hv) != info.comps || info.hMax < 1 || info.hMax > 4 || info.vMax < 1 || info.vMax > 4) {
			t.Fatalf("frame %+v", info)
		}
		for _, comps := range []int{1, 3, 4} {
			if c := jpegCost(info, comps, 33, 17); c.decoded < 33*17 || c.normalize < 0 {
				t.Fatalf("cost %+v of %+v", c, info)
			}
		}
	})
}

// FuzzTransform: any file, with any parameters, either fails with a
// client error (ErrNotImage, ErrLimit) or makes a variant; never panics;
// and what the transform allocates stays within the cost estimated from
// the header before decoding, which the memory limit and budget rely on.
// Sources are held to 65,536 pixels to keep each run short.
func FuzzTransform(f *testing.F) {
	pic := photo(40, 30)
	pal := stdimage.NewPaletted(pic.Rect, palette.Plan9)
	draw.Draw(pal, pal.Rect, pic, stdimage.Point{}, draw.Src)
	var g bytes.Buffer
	if err := gif.Encode(&g, pal, nil); err != nil {
		f.Fatal(err)
	}
	deep := stdimage.NewNRGBA64(pic.Rect)
	draw.Draw(deep, deep.Rect, pic, stdimage.Point{}, draw.Src)
	for _, src := range [][]byte{
		encodeJPEG(f, pic), withEXIF(encodeJPEG(f, pic), 6, true), encodePNG(f, pic), encodePNG(f, pal),
		encodePNG(f, deep), g.Bytes(), solidWebP(40, 30, color.NRGBA{9, 8, 7, 100}), blankPNG(f, 1, 60000, 8, 6),
	} {
		for _, q := range []string{"w=10", "imageView2/1/w/4096", "w=30&h=5&fit=fill", "w=50&h=50&fit=contain", "q=5"} {
			f.Add(src, q)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte, query string) {
		p, ok, err := ParseQuery(query)
		if err != nil || !ok {
			return
		}
		lim := Limits{MaxSourcePixels: 1 << 16, MaxOutputBytes: 1 << 20}.withDefaults()
		j, err := prepare(bytes.NewReader(src), p, lim)
		if err != nil {
			if !errors.Is(err, ErrNotImage) && !errors.Is(err, ErrLimit) {
				t.Fatalf("prepare: %v", err)
			}
			return
		}
		if j.cost <= 0 || j.cost > lim.MaxMemory || j.kernel < 0 || j.kernel > j.cost {
			t.Fatalf("cost %d (kernel %d) of %+v", j.cost, j.kernel, j.pl)
		}
		before := heapAllocs()
		out, _, err := j.run(context.Background())
		alloc := int64(heapAllocs() - before)
		if err != nil && !errors.Is(err, ErrNotImage) && !errors.Is(err, ErrLimit) {
			t.Fatalf("run: %v", err)
		}
		if err == nil && len(out) == 0 {
			t.Fatal("no error and no result")
		}
		if alloc > j.cost {
			t.Fatalf("allocated %d bytes, more than the %d estimated (%s, %d×%d, %+v)", alloc, j.cost, j.format, j.cfg.Width, j.cfg.Height, j.pl)
		}
	})
}
