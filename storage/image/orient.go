package image

import (
	"encoding/binary"
	stdimage "image"
)

// tiffOrientation reads tag 0x0112 of IFD0 in a TIFF block.
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:4]) {
	case "II*\x00":
		bo = binary.LittleEndian
	case "MM\x00*":
		bo = binary.BigEndian
	default:
		return 1
	}
	ifd := int64(bo.Uint32(t[4:]))
	if ifd < 8 || ifd+2 > int64(len(t)) {
		return 1
	}
	count := int64(bo.Uint16(t[ifd:]))
	for e := ifd + 2; e+12 <= int64(len(t)) && e < ifd+2+count*12; e += 12 {
		if bo.Uint16(t[e:]) != 0x0112 {
			continue
		}
		if bo.Uint16(t[e+2:]) != 3 || bo.Uint32(t[e+4:]) != 1 { // SHORT, one value
			return 1
		}
		if o := int(bo.Uint16(t[e+8:])); o >= 1 && o <= 8 {
			return o
		}
		return 1
	}
	return 1
}

// swapsAxes reports whether orientation o turns the stored image by a
// quarter (5–8): its displayed width is the stored height.
func swapsAxes(o int) bool { return o >= 5 && o <= 8 }

// rawPoint maps a displayed position (x, y) in a dw×dh display to the
// stored image's coordinates under EXIF orientation o. Positions are
// between pixels (0..dw, 0..dh), so rectangles map by their corners.
func rawPoint(o, x, y, dw, dh int) (int, int) {
	switch o {
	case 2: // mirrored horizontally
		return dw - x, y
	case 3: // turned 180°
		return dw - x, dh - y
	case 4: // mirrored vertically
		return x, dh - y
	case 5: // transposed
		return y, x
	case 6: // stored turned 90° counter-clockwise: display turns it clockwise
		return y, dw - x
	case 7: // transversed
		return dh - y, dw - x
	case 8: // stored turned 90° clockwise
		return dh - y, x
	}
	return x, y
}

// rawRect maps a displayed rectangle to stored coordinates.
func rawRect(o int, r stdimage.Rectangle, dw, dh int) stdimage.Rectangle {
	x0, y0 := rawPoint(o, r.Min.X, r.Min.Y, dw, dh)
	x1, y1 := rawPoint(o, r.Max.X, r.Max.Y, dw, dh)
	return stdimage.Rect(x0, y0, x1, y1) // Rect sorts the corners
}

// orient returns src (stored orientation) as displayed under EXIF
// orientation o; src itself when o is 1.
func orient(src *stdimage.RGBA, o int) *stdimage.RGBA {
	if o < 2 || o > 8 {
		return src
	}
	sw, sh := src.Rect.Dx(), src.Rect.Dy()
	dw, dh := sw, sh
	if swapsAxes(o) {
		dw, dh = sh, sw
	}
	dst := stdimage.NewRGBA(stdimage.Rect(0, 0, dw, dh))
	for y := 0; y < dh; y++ {
		for x := 0; x < dw; x++ {
			// The pixel whose top-left corner is (x, y) in the display has
			// its stored corners at rawPoint of (x, y) and (x+1, y+1).
			ax, ay := rawPoint(o, x, y, dw, dh)
			bx, by := rawPoint(o, x+1, y+1, dw, dh)
			rx, ry := min(ax, bx), min(ay, by)
			si := src.PixOffset(src.Rect.Min.X+rx, src.Rect.Min.Y+ry)
			di := dst.PixOffset(x, y)
			copy(dst.Pix[di:di+4], src.Pix[si:si+4])
		}
	}
	return dst
}
