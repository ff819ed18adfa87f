package image

import (
	"context"
	stdimage "image"
	"image/color"

	"golang.org/x/image/draw"
)

// Large reductions are done in two steps, as libvips and Pillow do: halve
// the image with a box filter while it stays at least four times the
// target size, then let Catmull-Rom do the rest. The kernel scaler's cost
// grows with the source's area times the reduction factor, and its buffer
// is target width × source height × 32 bytes; halving costs one pass over
// the pixels, so a 12-megapixel photo's thumbnail takes a fraction of the
// time, and a box filter ahead of a ≥2× Catmull-Rom reduction looks the
// same. Each axis is halved on its own, so a source that is reduced a lot
// in one direction only (a 1×60000 strip) does not reach the kernel with
// its full height. Neither image/jpeg nor golang.org/x/image decodes a
// JPEG at a reduced scale (libjpeg's DCT scaling), so the whole picture is
// decoded first; the halving then runs on its YCbCr planes, before any
// colour conversion.

// halveAxes says which axes of a cw×ch crop prefilter halves for a tw×th
// target: those at least four times the target.
func halveAxes(cw, ch, tw, th int) (x, y bool) {
	return cw >= 4*tw, ch >= 4*th
}

// prefilter halves img (and crop with it) on each axis while crop stays at
// least four times the target size tw×th on that axis, for the types
// normalize returns (YCbCr, Gray, RGBA, NRGBA). Other types come back
// unchanged, as do images not anchored at (0, 0) (the decoders used here
// return them anchored). It stops with ctx's error between passes.
func prefilter(ctx context.Context, img stdimage.Image, crop stdimage.Rectangle, tw, th int) (stdimage.Image, stdimage.Rectangle, error) {
	if img.Bounds().Min != (stdimage.Point{}) {
		return img, crop, nil
	}
	for {
		hx, hy := halveAxes(crop.Dx(), crop.Dy(), tw, th)
		if !hx && !hy {
			return img, crop, nil
		}
		if err := ctx.Err(); err != nil {
			return nil, crop, err
		}
		fx, fy := 1, 1
		if hx {
			fx = 2
		}
		if hy {
			fy = 2
		}
		half := halve(img, fx, fy)
		if half == nil {
			return img, crop, nil
		}
		img = half
		crop = stdimage.Rect(crop.Min.X/fx, crop.Min.Y/fy, ceilDiv(crop.Max.X, fx), ceilDiv(crop.Max.Y, fy)).Intersect(img.Bounds())
	}
}

// halve box-filters img by fx×fy (each 1 or 2); nil for a type it does
// not know.
func halve(img stdimage.Image, fx, fy int) stdimage.Image {
	switch m := img.(type) {
	case *stdimage.YCbCr:
		return halveYCbCr(m, fx, fy)
	case *stdimage.Gray:
		w, h := m.Rect.Dx(), m.Rect.Dy()
		pix, stride := halvePlane(m.Pix, m.Stride, w, h, fx, fy)
		return &stdimage.Gray{Pix: pix, Stride: stride, Rect: stdimage.Rect(0, 0, ceilDiv(w, fx), ceilDiv(h, fy))}
	case *stdimage.RGBA:
		pix, r := halve4(m.Pix, m.Stride, m.Rect, fx, fy, false)
		return &stdimage.RGBA{Pix: pix, Stride: 4 * r.Dx(), Rect: r}
	case *stdimage.NRGBA:
		pix, r := halve4(m.Pix, m.Stride, m.Rect, fx, fy, true)
		return &stdimage.NRGBA{Pix: pix, Stride: 4 * r.Dx(), Rect: r}
	}
	return nil
}

func ceilDiv(n, d int) int { return (n + d - 1) / d }

// halvePlane box-filters a w×h plane of bytes (rows stride apart) to
// ceil(w/fx)×ceil(h/fy) (fx, fy each 1 or 2); an odd last row or column
// averages with itself.
func halvePlane(src []byte, stride, w, h, fx, fy int) ([]byte, int) {
	hw, hh := ceilDiv(w, fx), ceilDiv(h, fy)
	dst := make([]byte, hw*hh)
	for y := 0; y < hh; y++ {
		r0 := src[fy*y*stride:]
		r1 := r0
		if fy == 2 && 2*y+1 < h {
			r1 = src[(2*y+1)*stride:]
		}
		out := dst[y*hw : (y+1)*hw]
		if fx == 1 {
			for x := range out {
				out[x] = uint8((uint(r0[x]) + uint(r1[x]) + 1) / 2)
			}
			continue
		}
		for x := range out {
			x0, x1 := 2*x, 2*x+1
			if x1 >= w {
				x1 = x0
			}
			out[x] = uint8((uint(r0[x0]) + uint(r0[x1]) + uint(r1[x0]) + uint(r1[x1]) + 2) / 4)
		}
	}
	return dst, hw
}

// halveYCbCr halves each plane; the subsampling ratio stays the same (a
// chroma plane of ceil(w/k) columns halves to ceil(ceil(w/k)/2) =
// ceil(ceil(w/2)/k), which is what the halved image needs). nil when the
// planes do not hold the image they claim.
func halveYCbCr(m *stdimage.YCbCr, fx, fy int) *stdimage.YCbCr {
	w, h := m.Rect.Dx(), m.Rect.Dy()
	cw, ch := chromaSize(m.SubsampleRatio, w, h)
	if (h-1)*m.YStride+w > len(m.Y) || (ch-1)*m.CStride+cw > min(len(m.Cb), len(m.Cr)) {
		return nil
	}
	y, ys := halvePlane(m.Y, m.YStride, w, h, fx, fy)
	cb, cs := halvePlane(m.Cb, m.CStride, cw, ch, fx, fy)
	cr, _ := halvePlane(m.Cr, m.CStride, cw, ch, fx, fy)
	hw, hh := ceilDiv(w, fx), ceilDiv(h, fy)
	if ncw, nch := chromaSize(m.SubsampleRatio, hw, hh); ncw > cs || nch*cs > len(cb) {
		return nil // cannot happen (see above); leave it to the kernel rather than read past a plane
	}
	return &stdimage.YCbCr{Y: y, Cb: cb, Cr: cr, YStride: ys, CStride: cs, SubsampleRatio: m.SubsampleRatio,
		Rect: stdimage.Rect(0, 0, hw, hh)}
}

// chromaSize is the chroma plane size of a w×h YCbCr.
func chromaSize(r stdimage.YCbCrSubsampleRatio, w, h int) (int, int) {
	switch r {
	case stdimage.YCbCrSubsampleRatio422:
		return ceilDiv(w, 2), h
	case stdimage.YCbCrSubsampleRatio420:
		return ceilDiv(w, 2), ceilDiv(h, 2)
	case stdimage.YCbCrSubsampleRatio440:
		return w, ceilDiv(h, 2)
	case stdimage.YCbCrSubsampleRatio411:
		return ceilDiv(w, 4), h
	case stdimage.YCbCrSubsampleRatio410:
		return ceilDiv(w, 4), ceilDiv(h, 2)
	}
	return w, h
}

// halve4 box-filters 4-byte pixels by fx×fy (each 1 or 2).
// nonPremultiplied (NRGBA) weights each colour by its alpha, so hidden
// colours of transparent pixels do not bleed into their neighbours.
func halve4(src []byte, stride int, r stdimage.Rectangle, fx, fy int, nonPremultiplied bool) ([]byte, stdimage.Rectangle) {
	w, h := r.Dx(), r.Dy()
	hw, hh := ceilDiv(w, fx), ceilDiv(h, fy)
	dst := make([]byte, 4*hw*hh)
	for y := 0; y < hh; y++ {
		r0 := src[fy*y*stride:]
		r1 := r0
		if fy == 2 && 2*y+1 < h {
			r1 = src[(2*y+1)*stride:]
		}
		for x := 0; x < hw; x++ {
			x0, x1 := 4*fx*x, 4*fx*x+4
			if fx == 1 || fx*x+1 >= w {
				x1 = x0
			}
			px := [4][]byte{r0[x0 : x0+4], r0[x1 : x1+4], r1[x0 : x0+4], r1[x1 : x1+4]}
			out := dst[4*(y*hw+x) : 4*(y*hw+x)+4]
			if !nonPremultiplied {
				for c := 0; c < 4; c++ {
					out[c] = uint8((uint(px[0][c]) + uint(px[1][c]) + uint(px[2][c]) + uint(px[3][c]) + 2) / 4)
				}
				continue
			}
			var sa uint
			var s [3]uint
			for _, p := range px {
				a := uint(p[3])
				sa += a
				for c := 0; c < 3; c++ {
					s[c] += uint(p[c]) * a
				}
			}
			if sa == 0 {
				continue // fully transparent: zero
			}
			for c := 0; c < 3; c++ {
				out[c] = uint8((s[c] + sa/2) / sa)
			}
			out[3] = uint8((sa + 2) / 4)
		}
	}
	return dst, stdimage.Rect(0, 0, hw, hh)
}

// normalize returns img as one of the types prefilter halves and the
// kernel scaler reads fast (YCbCr, Gray, RGBA, NRGBA), 8 bits a channel:
// 16-bit pictures are narrowed in place (no new memory), palettes, CMYK
// and YCbCr with alpha are converted to a 4-byte copy. Without this a
// 16-bit PNG went to the kernel scaler unhalved, through its slow generic
// path. The result is anchored at (0, 0).
func normalize(img stdimage.Image) stdimage.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	switch m := img.(type) {
	case *stdimage.YCbCr, *stdimage.Gray, *stdimage.RGBA, *stdimage.NRGBA:
		if b.Min == (stdimage.Point{}) {
			return img
		}
	case *stdimage.NRGBA64:
		if b.Min == (stdimage.Point{}) && m.Stride == 8*w {
			return &stdimage.NRGBA{Pix: narrow(m.Pix), Stride: 4 * w, Rect: b}
		}
	case *stdimage.RGBA64:
		if b.Min == (stdimage.Point{}) && m.Stride == 8*w {
			return &stdimage.RGBA{Pix: narrow(m.Pix), Stride: 4 * w, Rect: b}
		}
	case *stdimage.Gray16:
		if b.Min == (stdimage.Point{}) && m.Stride == 2*w {
			return &stdimage.Gray{Pix: narrow(m.Pix), Stride: w, Rect: b}
		}
	case *stdimage.Paletted:
		return fromPalette(m)
	case *stdimage.CMYK:
		return fromCMYK(m)
	case *stdimage.NYCbCrA:
		return fromNYCbCrA(m)
	}
	dst := stdimage.NewNRGBA(stdimage.Rect(0, 0, w, h))
	draw.Draw(dst, dst.Rect, img, b.Min, draw.Src)
	return dst
}

// narrow keeps the high byte of each big-endian 16-bit sample, writing
// over the front half of pix: sample i is read at 2i before it is written
// at i.
func narrow(pix []byte) []byte {
	n := len(pix) / 2
	for i := 0; i < n; i++ {
		pix[i] = pix[2*i]
	}
	return pix[:n:n]
}

func fromPalette(m *stdimage.Paletted) *stdimage.NRGBA {
	var lut [256][4]byte
	for i, c := range m.Palette {
		if i == len(lut) {
			break
		}
		n := color.NRGBAModel.Convert(c).(color.NRGBA)
		lut[i] = [4]byte{n.R, n.G, n.B, n.A}
	}
	b := m.Rect
	dst := stdimage.NewNRGBA(stdimage.Rect(0, 0, b.Dx(), b.Dy()))
	for y := 0; y < b.Dy(); y++ {
		row := m.Pix[y*m.Stride : y*m.Stride+b.Dx()]
		out := dst.Pix[y*dst.Stride:]
		for x, ix := range row {
			copy(out[4*x:4*x+4], lut[ix][:]) // an index past the palette is transparent black, as At says
		}
	}
	return dst
}

func fromCMYK(m *stdimage.CMYK) *stdimage.RGBA {
	b := m.Rect
	dst := stdimage.NewRGBA(stdimage.Rect(0, 0, b.Dx(), b.Dy()))
	for y := 0; y < b.Dy(); y++ {
		row := m.Pix[y*m.Stride : y*m.Stride+4*b.Dx()]
		out := dst.Pix[y*dst.Stride:]
		for x := 0; x < b.Dx(); x++ {
			c := row[4*x : 4*x+4]
			o := out[4*x : 4*x+4]
			o[0], o[1], o[2] = color.CMYKToRGB(c[0], c[1], c[2], c[3])
			o[3] = 255
		}
	}
	return dst
}

func fromNYCbCrA(m *stdimage.NYCbCrA) *stdimage.NRGBA {
	b := m.Rect
	dst := stdimage.NewNRGBA(stdimage.Rect(0, 0, b.Dx(), b.Dy()))
	for y := b.Min.Y; y < b.Max.Y; y++ {
		out := dst.Pix[(y-b.Min.Y)*dst.Stride:]
		for x := b.Min.X; x < b.Max.X; x++ {
			yi, ci := m.YOffset(x, y), m.COffset(x, y)
			o := out[4*(x-b.Min.X) : 4*(x-b.Min.X)+4]
			o[0], o[1], o[2] = color.YCbCrToRGB(m.Y[yi], m.Cb[ci], m.Cr[ci])
			o[3] = m.A[m.AOffset(x, y)]
		}
	}
	return dst
}
