package image

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"io"
)

// What a decoder will hold, read from a file's header before decoding it:
// the decoders used here (image/jpeg, image/png, image/gif,
// golang.org/x/image/webp) allocate the whole picture, and some more (a
// progressive JPEG's coefficients, a PNG's interlace passes, a lossless
// WebP's transform buffer), so these bytes are known before the first
// pixel is decoded. The numbers follow those decoders' allocations and err
// on the high side where the header does not tell (a PNG's transparency
// chunk comes after the header: grey PNGs are counted at 4 bytes a pixel).

// decodeCost is the memory one decode holds at its peak (decoded is the
// picture plus the decoder's own buffers), and the extra copy normalize
// makes when the decoded type is not one prefilter halves in place.
type decodeCost struct {
	decoded   int64
	normalize int64
}

// jpegInfo is what scanJPEG reads from the markers before the first scan.
type jpegInfo struct {
	orientation int   // EXIF orientation, 1–8 (1 when absent or malformed)
	sof         bool  // a frame header was found
	progressive bool  // SOF2: coefficients are kept for the whole image
	comps       int   // 1, 3 or 4
	hv          []int // each component's horizontal × vertical sampling factor
	hMax, vMax  int   // the largest factors
	rgb         bool  // the decoder will convert to RGBA (Adobe transform 0, or R, G, B ids without JFIF)
}

// jpegScanLimit bounds how much of a JPEG scanJPEG reads looking for the
// EXIF segment and the frame header (both sit right after SOI in practice).
const jpegScanLimit = 256 << 10

// scanJPEG reads the segments of the JPEG r reads up to the first scan
// (at most jpegScanLimit bytes, keeping only the segments it looks into)
// and returns what it found. It never fails: a malformed or missing
// segment leaves the fields at their zero values (orientation 1), and the
// caller assumes the worst for what it lacks.
func scanJPEG(r io.Reader) jpegInfo {
	info := jpegInfo{orientation: 1}
	br := bufio.NewReaderSize(io.LimitReader(r, jpegScanLimit), 4096)
	var head [4]byte
	if _, err := io.ReadFull(br, head[:2]); err != nil || head[0] != 0xFF || head[1] != 0xD8 {
		return info
	}
	var jfif bool
	adobe := -1
	var ids []byte
	for {
		if _, err := io.ReadFull(br, head[:2]); err != nil || head[0] != 0xFF {
			break
		}
		marker := head[1]
		if marker == 0xFF { // a fill byte: the marker is the next byte
			if err := br.UnreadByte(); err != nil {
				break
			}
			continue
		}
		if marker == 0xDA || marker == 0xD9 { // start of scan, end of image
			break
		}
		if _, err := io.ReadFull(br, head[2:4]); err != nil {
			break
		}
		n := int(binary.BigEndian.Uint16(head[2:4])) - 2
		if n < 0 {
			break
		}
		if marker != 0xE0 && marker != 0xE1 && marker != 0xEE && !isSOF(marker) {
			if _, err := br.Discard(n); err != nil {
				break
			}
			continue
		}
		seg := make([]byte, n)
		if _, err := io.ReadFull(br, seg); err != nil {
			break
		}
		switch {
		case marker == 0xE0 && bytes.HasPrefix(seg, []byte("JFIF\x00")):
			jfif = true
		case marker == 0xE1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) && info.orientation == 1:
			info.orientation = tiffOrientation(seg[6:])
		case marker == 0xEE && len(seg) >= 12 && bytes.HasPrefix(seg, []byte("Adobe")):
			adobe = int(seg[11])
		case isSOF(marker) && !info.sof:
			ids = info.readSOF(marker, seg)
		}
	}
	if info.comps == 3 && !jfif {
		info.rgb = adobe == 0 || (adobe < 0 && bytes.Equal(ids, []byte("RGB")))
	}
	return info
}

// isSOF reports whether marker starts a frame (SOF0–SOF15, less DHT, JPG
// and DAC, which share the range).
func isSOF(marker byte) bool {
	return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC
}

// readSOF reads a frame header's components and returns their ids. A
// header that is malformed is ignored (the decoder refuses it anyway).
func (info *jpegInfo) readSOF(marker byte, seg []byte) []byte {
	if len(seg) < 6 {
		return nil
	}
	n := int(seg[5])
	if (n != 1 && n != 3 && n != 4) || len(seg) < 6+3*n {
		return nil
	}
	info.sof, info.comps, info.progressive = true, n, marker == 0xC2 || marker == 0xC6 || marker == 0xCA || marker == 0xCE
	info.hMax, info.vMax = 1, 1
	ids := make([]byte, n)
	for c := 0; c < n; c++ {
		ids[c] = seg[6+3*c]
		h, v := int(seg[7+3*c]>>4), int(seg[7+3*c]&0x0F)
		h, v = min(max(h, 1), 4), min(max(v, 1), 4)
		if n == 1 {
			h, v = 1, 1 // one component is never interleaved (image/jpeg does the same)
		}
		info.hv = append(info.hv, h*v)
		info.hMax, info.vMax = max(info.hMax, h), max(info.vMax, v)
	}
	return ids
}

// jpegCost is what image/jpeg holds decoding a w×h JPEG: the component
// planes, padded to whole MCUs; for a progressive JPEG, 4 bytes of
// coefficients per sample as well; for CMYK and RGB JPEGs the converted
// picture (4 bytes a pixel), which normalize turns into RGBA for CMYK.
// Without a frame header in the scanned part, it assumes the worst of
// what the colour model allows (comps from DecodeConfig's model).
func jpegCost(info jpegInfo, comps, w, h int) decodeCost {
	if !info.sof {
		info = jpegInfo{progressive: true, comps: comps, hMax: 4, vMax: 4, rgb: comps == 3}
		for range comps {
			info.hv = append(info.hv, 16)
		}
	}
	mcuW, mcuH := 8*info.hMax, 8*info.vMax
	padded := int64((w+mcuW-1)/mcuW*mcuW) * int64((h+mcuH-1)/mcuH*mcuH)
	var samples int64
	for _, hv := range info.hv {
		samples += padded * int64(hv) / int64(info.hMax*info.vMax)
	}
	if info.comps == 4 {
		samples = 4 * padded // the black plane is kept whole
	}
	c := decodeCost{decoded: samples}
	if info.progressive {
		c.decoded += 4 * samples
	}
	px := int64(w) * int64(h)
	if info.comps == 4 || info.rgb {
		c.decoded += 4 * px
	}
	if info.comps == 4 {
		c.normalize = 4 * px // CMYK → RGBA
	}
	return c
}

// pngInfo is a PNG's IHDR fields past the size.
type pngInfo struct {
	depth, colorType int
	interlaced       bool
}

// readPNGHeader reads the IHDR of the PNG r reads (the 33 bytes after
// which image/png's DecodeConfig stops).
func readPNGHeader(r io.Reader) (pngInfo, bool) {
	var b [33]byte
	if _, err := io.ReadFull(r, b[:]); err != nil || string(b[12:16]) != "IHDR" {
		return pngInfo{}, false
	}
	return pngInfo{depth: int(b[24]), colorType: int(b[25]), interlaced: b[28] == 1}, true
}

// pngCost is what image/png holds decoding a w×h PNG: 8 bytes a pixel at
// 16 bits (normalize converts those in place), 1 for a palette (normalize
// makes a 4-byte copy), else 4 (grey is 1 unless a tRNS chunk makes it
// NRGBA); twice the picture when interlaced (the passes are decoded apart,
// then merged); and two rows of filter buffers.
func pngCost(info pngInfo, w, h int) decodeCost {
	px := int64(w) * int64(h)
	bpp := int64(4)
	switch {
	case info.depth == 16:
		bpp = 8
	case info.colorType == 3:
		bpp = 1
	}
	c := decodeCost{decoded: bpp * px}
	if info.interlaced {
		c.decoded *= 2
	}
	c.decoded += 2 * (int64(w)*8 + 1) // current and previous row, at most 8 bytes a pixel
	if info.colorType == 3 {
		c.normalize = 4 * px
	}
	return c
}

// gifCost: the first frame (1 byte a pixel, at most the screen), and a
// 4-byte picture of the screen (the canvas a smaller frame is placed on,
// or normalize's copy).
func gifCost(w, h int) decodeCost {
	px := int64(w) * int64(h)
	return decodeCost{decoded: px, normalize: 4 * px}
}

// webpCost is what golang.org/x/image/webp holds: the file's partitions
// (up to its size); lossy, 4:2:0 planes padded to 16-pixel macroblocks,
// and with alpha a lossless alpha picture decoded as NRGBA with its
// transform buffer (9 bytes a pixel), then a 4-byte NRGBA from
// normalize; lossless, an NRGBA and its colour-indexing buffer (8).
func webpCost(lossy, alpha bool, w, h int, size int64) decodeCost {
	px := int64(w) * int64(h)
	if !lossy {
		return decodeCost{decoded: size + 8*px}
	}
	mb := int64((w+15)/16*16) * int64((h+15)/16*16)
	c := decodeCost{decoded: size + mb*3/2}
	if alpha {
		c.decoded += 9 * px
		c.normalize = 4 * px
	}
	return c
}
