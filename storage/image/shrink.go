package image

import (
	stdimage "image"
)

// Large reductions are done in two steps, as libvips and Pillow do: halve
// the image with a 2×2 box filter while it stays at least twice the target
// size, then let Catmull-Rom do the rest. The kernel scaler's cost grows
// with the source's area times the reduction factor; halving costs one
// pass over the pixels, so a 12-megapixel photo's thumbnail takes a
// fraction of the time, and a box filter ahead of a ≥2× Catmull-Rom
// reduction looks the same.

// prefilter halves img (and crop with it) while crop stays at least four
// times the target size tw×th on both axes, for the types it knows
// (YCbCr, which JPEG decodes to; RGBA and NRGBA, most PNGs). Other types
// come back unchanged, as do images not anchored at (0, 0) (the decoders
// used here return them anchored).
func prefilter(img stdimage.Image, crop stdimage.Rectangle, tw, th int) (stdimage.Image, stdimage.Rectangle) {
	if img.Bounds().Min != (stdimage.Point{}) {
		return img, crop
	}
	for crop.Dx() >= 4*tw && crop.Dy() >= 4*th {
		var half stdimage.Image
		switch m := img.(type) {
		case *stdimage.YCbCr:
			y := halveYCbCr(m)
			if y == nil {
				return img, crop
			}
			half = y
		case *stdimage.RGBA:
			pix, r := halve4(m.Pix, m.Stride, m.Rect, false)
			half = &stdimage.RGBA{Pix: pix, Stride: 4 * r.Dx(), Rect: r}
		case *stdimage.NRGBA:
			pix, r := halve4(m.Pix, m.Stride, m.Rect, true)
			half = &stdimage.NRGBA{Pix: pix, Stride: 4 * r.Dx(), Rect: r}
		default:
			return img, crop
		}
		img = half
		b := img.Bounds()
		crop = stdimage.Rect(crop.Min.X/2, crop.Min.Y/2, (crop.Max.X+1)/2, (crop.Max.Y+1)/2).Intersect(b)
	}
	return img, crop
}

func halfLen(n int) int { return (n + 1) / 2 }

// halvePlane box-filters a w×h plane of bytes (rows stride apart) to
// ceil(w/2)×ceil(h/2); an odd last row or column averages with itself.
func halvePlane(src []byte, stride, w, h int) ([]byte, int) {
	hw, hh := halfLen(w), halfLen(h)
	dst := make([]byte, hw*hh)
	for y := 0; y < hh; y++ {
		r0 := src[2*y*stride:]
		r1 := r0
		if 2*y+1 < h {
			r1 = src[(2*y+1)*stride:]
		}
		out := dst[y*hw : (y+1)*hw]
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

// halveYCbCr halves each plane; the subsampling ratio stays the same. nil
// when the halved chroma planes would not cover the halved image.
func halveYCbCr(m *stdimage.YCbCr) *stdimage.YCbCr {
	w, h := m.Rect.Dx(), m.Rect.Dy()
	y, ys := halvePlane(m.Y, m.YStride, w, h)
	cw, ch := chromaSize(m.SubsampleRatio, w, h)
	cb, cs := halvePlane(m.Cb, m.CStride, cw, ch)
	cr, _ := halvePlane(m.Cr, m.CStride, cw, ch)
	hw, hh := halfLen(w), halfLen(h)
	if ncw, nch := chromaSize(m.SubsampleRatio, hw, hh); ncw > cs || nch*cs > len(cb) {
		return nil // a ratio whose halved planes do not line up: leave it to the kernel
	}
	return &stdimage.YCbCr{Y: y, Cb: cb, Cr: cr, YStride: ys, CStride: cs, SubsampleRatio: m.SubsampleRatio,
		Rect: stdimage.Rect(0, 0, hw, hh)}
}

// chromaSize is the chroma plane size of a w×h YCbCr.
func chromaSize(r stdimage.YCbCrSubsampleRatio, w, h int) (int, int) {
	switch r {
	case stdimage.YCbCrSubsampleRatio422:
		return halfLen(w), h
	case stdimage.YCbCrSubsampleRatio420:
		return halfLen(w), halfLen(h)
	case stdimage.YCbCrSubsampleRatio440:
		return w, halfLen(h)
	case stdimage.YCbCrSubsampleRatio411:
		return (w + 3) / 4, h
	case stdimage.YCbCrSubsampleRatio410:
		return (w + 3) / 4, halfLen(h)
	}
	return w, h
}

// halve4 box-filters 4-byte pixels. nonPremultiplied (NRGBA) weights each
// colour by its alpha, so hidden colours of transparent pixels do not
// bleed into their neighbours.
func halve4(src []byte, stride int, r stdimage.Rectangle, nonPremultiplied bool) ([]byte, stdimage.Rectangle) {
	w, h := r.Dx(), r.Dy()
	hw, hh := halfLen(w), halfLen(h)
	dst := make([]byte, 4*hw*hh)
	for y := 0; y < hh; y++ {
		r0 := src[2*y*stride:]
		r1 := r0
		if 2*y+1 < h {
			r1 = src[(2*y+1)*stride:]
		}
		for x := 0; x < hw; x++ {
			x0, x1 := 8*x, 8*x+4
			if 2*x+1 >= w {
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
