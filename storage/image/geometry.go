package image

import (
	"fmt"
	stdimage "image"
)

// plan is how a source of a given size becomes a variant: the part of the
// source to use (crop), the size it is scaled to, and the canvas it is
// placed on (bigger than the scaled size only for FitContain). All in the
// displayed orientation.
type plan struct {
	crop    stdimage.Rectangle
	scaledW int
	scaledH int
	canvasW int
	canvasH int
	offsetX int
	offsetY int
	resized bool // false: the source at its own size, unchanged
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
		pl.resized = true
		switch {
		case w == 0 || h == 0 || p.Fit == FitInside:
			pl.scaledW, pl.scaledH = scaleInside(sw, sh, w, h)
		case p.Fit == FitOutside:
			pl.scaledW, pl.scaledH = scaleOutside(sw, sh, w, h)
		case p.Fit == FitFill:
			pl.scaledW, pl.scaledH = w, h
		case p.Fit == FitContain:
			pl.scaledW, pl.scaledH = scaleInside(sw, sh, w, h)
		case p.Fit == FitCover:
			pl.crop = coverCrop(sw, sh, w, h)
			pl.scaledW, pl.scaledH = w, h
		}
	}
	pl.canvasW, pl.canvasH = pl.scaledW, pl.scaledH
	if p.Fit == FitContain && w != 0 && h != 0 {
		pl.canvasW, pl.canvasH = w, h
		pl.offsetX, pl.offsetY = (w-pl.scaledW)/2, (h-pl.scaledH)/2
		pl.padded = pl.scaledW != w || pl.scaledH != h
	}
	if pl.canvasW > MaxSide || pl.canvasH > MaxSide {
		return plan{}, fmt.Errorf("%w: the result would be %d×%d pixels, more than %d on a side",
			ErrLimit, pl.canvasW, pl.canvasH, MaxSide)
	}
	return pl, nil
}

// scaleInside is the largest sw×sh-proportioned size within w×h (a 0 side
// does not constrain; at least one is not 0). The constraining side is
// exact, the other rounded, and neither is below 1.
func scaleInside(sw, sh, w, h int) (int, int) {
	// Width constrains when w/sw ≤ h/sh, i.e. w·sh ≤ h·sw.
	if h == 0 || (w != 0 && int64(w)*int64(sh) <= int64(h)*int64(sw)) {
		return w, proportional(sh, w, sw)
	}
	return proportional(sw, h, sh), h
}

// scaleOutside is the smallest sw×sh-proportioned size covering w×h (both
// not 0).
func scaleOutside(sw, sh, w, h int) (int, int) {
	if int64(w)*int64(sh) >= int64(h)*int64(sw) {
		return w, proportional(sh, w, sw)
	}
	return proportional(sw, h, sh), h
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
