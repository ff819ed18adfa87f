package image

import (
	"fmt"
	stdimage "image"
)

// plan is how a source of a given size becomes a variant: the part of the
// source to use (crop), the size it is scaled to, and the canvas it is
// placed on (bigger than the scaled size only for FitContain). All in the
// displayed orientation.
//
// A variant is never scaled up: an enlarged image carries no more detail,
// costs more to make and to send, and the client scales it for display
// anyway (Qiniu's imageView2, which COS's copies, says the same: "新图的宽/高/
// 长边/短边，不会比原图大"). When the box asks for more than the source has,
// the scale stops at 1: inside and outside keep the source's size, cover
// and fill shrink the box (keeping its aspect ratio) until it fits in the
// source, and contain pads the source to the box's aspect ratio.
type plan struct {
	crop    stdimage.Rectangle
	scaledW int
	scaledH int
	canvasW int
	canvasH int
	offsetX int
	offsetY int
	resized bool // the crop is scaled (its size differs from scaledW×scaledH)
	padded  bool // the canvas is bigger than the scaled image
}

// planFor computes the plan for a sw×sh source. Errors wrap ErrLimit when
// the result would be bigger than MaxSide on a side.
func planFor(sw, sh int, p Params) (plan, error) {
	pl := plan{crop: stdimage.Rect(0, 0, sw, sh), scaledW: sw, scaledH: sh}
	w, h := p.Width, p.Height
	if p.Edges && sw < sh {
		w, h = h, w // portrait: the long edge is the height
	}
	if w != 0 || h != 0 {
		switch {
		case w == 0 || h == 0 || p.Fit == FitInside || p.Fit == FitContain:
			pl.scaledW, pl.scaledH = scaleInside(sw, sh, w, h)
		case p.Fit == FitOutside:
			pl.scaledW, pl.scaledH = scaleOutside(sw, sh, w, h)
		case p.Fit == FitFill:
			pl.scaledW, pl.scaledH = boxWithin(sw, sh, w, h)
		case p.Fit == FitCover:
			bw, bh := boxWithin(sw, sh, w, h)
			pl.crop = coverCrop(sw, sh, bw, bh)
			pl.scaledW, pl.scaledH = bw, bh
		}
	}
	pl.resized = pl.scaledW != pl.crop.Dx() || pl.scaledH != pl.crop.Dy()
	pl.canvasW, pl.canvasH = pl.scaledW, pl.scaledH
	if p.Fit == FitContain && w != 0 && h != 0 {
		pl.canvasW, pl.canvasH = boxAround(sw, sh, w, h)
		pl.offsetX, pl.offsetY = (pl.canvasW-pl.scaledW)/2, (pl.canvasH-pl.scaledH)/2
		pl.padded = pl.scaledW != pl.canvasW || pl.scaledH != pl.canvasH
	}
	if pl.canvasW > MaxSide || pl.canvasH > MaxSide {
		return plan{}, fmt.Errorf("%w: the result would be %d×%d pixels, more than %d on a side",
			ErrLimit, pl.canvasW, pl.canvasH, MaxSide)
	}
	return pl, nil
}

// scaleInside is the largest sw×sh-proportioned size within w×h (a 0 side
// does not constrain; at least one is not 0), and no larger than sw×sh.
// The constraining side is exact, the other rounded, and neither is below 1.
func scaleInside(sw, sh, w, h int) (int, int) {
	if (w == 0 || w >= sw) && (h == 0 || h >= sh) {
		return sw, sh // the source fits: not enlarged
	}
	// Width constrains when w/sw ≤ h/sh, i.e. w·sh ≤ h·sw.
	if h == 0 || (w != 0 && int64(w)*int64(sh) <= int64(h)*int64(sw)) {
		return w, proportional(sh, w, sw)
	}
	return proportional(sw, h, sh), h
}

// scaleOutside is the smallest sw×sh-proportioned size covering w×h (both
// not 0), and no larger than sw×sh.
func scaleOutside(sw, sh, w, h int) (int, int) {
	if w >= sw || h >= sh {
		return sw, sh // covering would enlarge
	}
	if int64(w)*int64(sh) >= int64(h)*int64(sw) {
		return w, proportional(sh, w, sw)
	}
	return proportional(sw, h, sh), h
}

// boxWithin is the box w×h (both not 0), shrunk keeping its aspect ratio
// until it fits in sw×sh: the size cover and fill make, so neither
// enlarges.
func boxWithin(sw, sh, w, h int) (int, int) {
	if w <= sw && h <= sh {
		return w, h
	}
	// The box's side that overshoots most (sw/w ≤ sh/h) becomes the source's.
	if int64(sw)*int64(h) <= int64(sh)*int64(w) {
		return sw, proportional(h, sw, w)
	}
	return proportional(w, sh, h), sh
}

// boxAround is contain's canvas: the box w×h (both not 0), or, when the
// source is smaller than the box on both sides (it is then not scaled),
// the smallest box of w×h's aspect ratio around sw×sh.
func boxAround(sw, sh, w, h int) (int, int) {
	if sw >= w || sh >= h {
		return w, h
	}
	if int64(sw)*int64(h) >= int64(sh)*int64(w) {
		return sw, proportional(h, sw, w)
	}
	return proportional(w, sh, h), sh
}

// coverCrop is the centred part of an sw×sh source with w×h's aspect
// ratio, as large as the source allows.
func coverCrop(sw, sh, w, h int) stdimage.Rectangle {
	if int64(w)*int64(sh) >= int64(h)*int64(sw) {
		// Wider box than source: use the full width, crop the height.
		ch := proportional(h, sw, w)
		if ch > sh {
			ch = sh
		}
		y := (sh - ch) / 2
		return stdimage.Rect(0, y, sw, y+ch)
	}
	cw := proportional(w, sh, h)
	if cw > sw {
		cw = sw
	}
	x := (sw - cw) / 2
	return stdimage.Rect(x, 0, x+cw, sh)
}

// proportional is round(a·b/c), at least 1.
func proportional(a, b, c int) int {
	n := int((int64(a)*int64(b) + int64(c)/2) / int64(c))
	if n < 1 {
		return 1
	}
	return n
}
