package image

import (
	"fmt"
	stdimage "image"
)

// The cost of a transform is the memory it holds at its peak, estimated
// from the source's header and the plan before anything is decoded:
//
//	the decoder's        the picture and the decoder's buffers (header.go)
//	normalize's          a 4-byte copy of palette, CMYK and alpha-YCbCr pictures
//	prefilter's          each halving of the picture (halving never keeps
//	                     more than the picture: ½, ¼, … of it)
//	the kernel's         Catmull-Rom's buffer: target width × cropped source
//	                     height × 32 bytes (golang.org/x/image/draw keeps four
//	                     float64 per pixel between its two passes), and its
//	                     weights
//	render's             the scaled picture, its upright copy and the canvas,
//	                     4 bytes a pixel each
//	the encoder's        the encoded bytes (at most twice
//	                     Limits.MaxOutputBytes while the buffer grows)
//	the codecs' state    zlib, Huffman tables, buffers (codecState)
//
// The parts are added as if all were alive at once, which overstates the
// peak a little (the garbage collector may free a buffer before the next
// is allocated) in exchange for a bound that holds. The work is linear in
// these bytes: decoding and halving touch each source pixel a fixed number
// of times, and after halving the kernel reduces by less than 4× on each
// axis, so each buffer element costs at most a few dozen multiply-adds.
// Limits.MaxSourcePixels and this memory bound thus bound the time too.

// workBytesPerPixel is the bytes a pixel of the picture prefilter halves:
// YCbCr planes for JPEG and lossy WebP (by their subsampling), 4 for the
// rest (grey PNGs are 1, counted as 4 since the header does not say).
func workBytesPerPixel(format string, info jpegInfo, cfg stdimage.Config, webpLossy, webpAlpha bool) float64 {
	switch {
	case format == "jpeg" && info.sof && info.comps == 1:
		return 1
	case format == "jpeg" && info.sof && info.comps == 3 && !info.rgb:
		var s float64
		for _, hv := range info.hv {
			s += float64(hv) / float64(info.hMax*info.vMax)
		}
		return s
	case format == "webp" && webpLossy && !webpAlpha:
		return 1.5
	}
	return 4
}

// planCost estimates the peak memory of rendering pl from a sw×sh stored
// picture (before orientation) whose decode costs dec, halved at bpp bytes
// a pixel, and encoding it into at most maxOut bytes. kernel is the part of
// it that is the Catmull-Rom buffer, which render checks against what it
// is about to allocate.
func planCost(dec decodeCost, bpp float64, sw, sh, orientation int, pl plan, maxOut int64) (total, kernel int64) {
	sum := float64(dec.decoded + dec.normalize)
	tw, th := pl.scaledW, pl.scaledH
	dw, dh := sw, sh
	if swapsAxes(orientation) {
		tw, th = th, tw
		dw, dh = dh, dw
	}
	if pl.resized {
		img := stdimage.Rect(0, 0, sw, sh)
		crop := rawRect(orientation, pl.crop, dw, dh)
		for {
			hx, hy := halveAxes(crop.Dx(), crop.Dy(), tw, th)
			if !hx && !hy {
				break
			}
			fx, fy := 1, 1
			if hx {
				fx = 2
			}
			if hy {
				fy = 2
			}
			img = stdimage.Rect(0, 0, ceilDiv(img.Dx(), fx), ceilDiv(img.Dy(), fy))
			crop = stdimage.Rect(crop.Min.X/fx, crop.Min.Y/fy, ceilDiv(crop.Max.X, fx), ceilDiv(crop.Max.Y, fy)).Intersect(img)
			sum += bpp * float64(img.Dx()) * float64(img.Dy())
		}
		if crop.Dx() != tw || crop.Dy() != th {
			kernel = kernelBytes(crop.Dx(), crop.Dy(), tw, th)
			sum += float64(kernel)
		}
	}
	out := 4 * float64(tw) * float64(th)
	sum += out // the scaled picture
	if orientation >= 2 && orientation <= 8 {
		sum += out // its upright copy
	}
	canvas := 4 * float64(pl.canvasW) * float64(pl.canvasH)
	if pl.padded {
		sum += canvas
	}
	sum += 2 * min(float64(maxOut), canvas+64<<10) // the encoded bytes, as the buffer grows
	sum += codecState
	return int64(sum), kernel
}

// codecState is what the codecs allocate besides pictures: a zlib reader
// and writer (the deflate compressor's tables are most of it), Huffman
// tables, buffered readers and writers.
const codecState = 2 << 20

// kernelBytes is what golang.org/x/image/draw's Catmull-Rom Scale of a
// cw×ch crop to tw×th allocates: the buffer between its passes, and the
// weights of each pass (a source record per target column or row, and 16
// bytes per contribution, 4·scale + 2 of them when reducing).
func kernelBytes(cw, ch, tw, th int) int64 {
	weights := func(src, dst int) int64 {
		taps := 4*max(float64(src)/float64(dst), 1) + 2
		return int64(float64(dst) * (24 + 16*taps))
	}
	return 32*int64(tw)*int64(ch) + weights(cw, tw) + weights(ch, th)
}

// bytesText names a byte count in MiB (or KiB below one MiB).
func bytesText(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d KiB", (n+1023)>>10)
	}
	return fmt.Sprintf("%d MiB", (n+(1<<20)-1)>>20)
}
