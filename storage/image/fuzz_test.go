package image

import (
	"bytes"
	"errors"
	stdimage "image"
	"testing"
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
