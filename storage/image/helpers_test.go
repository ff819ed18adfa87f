package image

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	stdimage "image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"runtime/metrics"
	"testing"
)

// Quadrant colours of the test pattern: far apart, so JPEG noise and
// resampling never confuse them.
var (
	red   = color.NRGBA{255, 0, 0, 255}
	green = color.NRGBA{0, 255, 0, 255}
	blue  = color.NRGBA{0, 0, 255, 255}
	white = color.NRGBA{255, 255, 255, 255}
)

// quadrants is a w×h image: red top-left, green top-right, blue
// bottom-left, white bottom-right.
func quadrants(w, h int) *stdimage.NRGBA {
	img := stdimage.NewNRGBA(stdimage.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := red
			switch {
			case x >= w/2 && y < h/2:
				c = green
			case x < w/2 && y >= h/2:
				c = blue
			case x >= w/2 && y >= h/2:
				c = white
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

// bands is a w×h image of three vertical bands (red, green, blue) when
// vertical, else horizontal bands: a centre crop keeps only green.
func bands(w, h int, vertical bool) *stdimage.NRGBA {
	img := stdimage.NewNRGBA(stdimage.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			pos, n := y, h
			if vertical {
				pos, n = x, w
			}
			c := green
			switch {
			case pos < n/4:
				c = red
			case pos >= n-n/4:
				c = blue
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

func encodePNG(t testing.TB, img stdimage.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeJPEG(t testing.TB, img stdimage.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeGIF(t testing.TB, frames ...*stdimage.Paletted) []byte {
	t.Helper()
	var b bytes.Buffer
	g := &gif.GIF{Image: frames, Delay: make([]int, len(frames))}
	if err := gif.EncodeAll(&b, g); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// withEXIF inserts an APP1 EXIF segment holding Orientation o right after
// the SOI marker of jpg, as cameras write it (big-endian TIFF here;
// littleEndian for the Intel byte order).
func withEXIF(jpg []byte, o uint16, littleEndian bool) []byte {
	var bo binary.AppendByteOrder = binary.BigEndian
	tiff := []byte("MM\x00*")
	if littleEndian {
		bo, tiff = binary.LittleEndian, []byte("II*\x00")
	}
	tiff = bo.AppendUint32(tiff, 8)      // IFD0 at offset 8
	tiff = bo.AppendUint16(tiff, 2)      // two entries
	tiff = bo.AppendUint16(tiff, 0x010F) // Make, ASCII: an entry to skip
	tiff = bo.AppendUint16(tiff, 2)
	tiff = bo.AppendUint32(tiff, 4)
	tiff = append(tiff, 'G', 'o', 0, 0)
	tiff = bo.AppendUint16(tiff, 0x0112) // Orientation, SHORT, 1
	tiff = bo.AppendUint16(tiff, 3)
	tiff = bo.AppendUint32(tiff, 1)
	tiff = bo.AppendUint16(tiff, o)
	tiff = bo.AppendUint16(tiff, 0)
	tiff = bo.AppendUint32(tiff, 0) // no next IFD
	seg := append([]byte("Exif\x00\x00"), tiff...)
	out := append([]byte{}, jpg[:2]...)
	out = append(out, 0xFF, 0xE1)
	out = binary.BigEndian.AppendUint16(out, uint16(len(seg)+2))
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

// pngClaiming is a valid small PNG whose IHDR is rewritten (with a correct
// CRC) to declare w×h: a decompression bomb's header.
func pngClaiming(t testing.TB, w, h uint32) []byte {
	t.Helper()
	b := encodePNG(t, quadrants(4, 4))
	// Signature (8), IHDR length (4), "IHDR" (4), then width and height.
	binary.BigEndian.PutUint32(b[16:], w)
	binary.BigEndian.PutUint32(b[20:], h)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}

// bitWriter writes the least significant bit first, as VP8L reads.
type bitWriter struct {
	buf  []byte
	acc  uint64
	nacc uint
}

func (w *bitWriter) bits(v uint64, n uint) {
	w.acc |= v << w.nacc
	w.nacc += n
	for w.nacc >= 8 {
		w.buf = append(w.buf, byte(w.acc))
		w.acc >>= 8
		w.nacc -= 8
	}
}

func (w *bitWriter) bytes() []byte {
	if w.nacc > 0 {
		w.buf = append(w.buf, byte(w.acc))
		w.acc, w.nacc = 0, 0
	}
	return w.buf
}

// solidWebP is a lossless (VP8L) WebP of one colour, w×h (each 1..16384):
// no transforms, no colour cache, and five prefix codes of one symbol each,
// so every pixel costs zero bits. Small enough to write by hand, and a
// real WebP that golang.org/x/image/webp decodes.
func solidWebP(w, h int, c color.NRGBA) []byte {
	bw := &bitWriter{}
	bw.bits(0x2f, 8) // VP8L signature
	bw.bits(uint64(w-1), 14)
	bw.bits(uint64(h-1), 14)
	alpha := uint64(0)
	if c.A != 255 {
		alpha = 1
	}
	bw.bits(alpha, 1)
	bw.bits(0, 3) // version
	bw.bits(0, 1) // no transform
	bw.bits(0, 1) // no colour cache
	bw.bits(0, 1) // no meta prefix codes
	// green, red, blue, alpha, distance: "simple" codes of one 8-bit symbol.
	for _, sym := range []uint8{c.G, c.R, c.B, c.A, 0} {
		bw.bits(1, 1) // simple code
		bw.bits(0, 1) // one symbol
		bw.bits(1, 1) // of 8 bits
		bw.bits(uint64(sym), 8)
	}
	data := bw.bytes()
	if len(data)%2 == 1 {
		data = append(data, 0)
	}
	chunk := append([]byte("VP8L"), binary.LittleEndian.AppendUint32(nil, uint32(len(bw.buf)))...)
	chunk = append(chunk, data...)
	out := append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(4+len(chunk)))...)
	out = append(out, "WEBP"...)
	return append(out, chunk...)
}

// near reports whether two colours differ by at most tol in each channel.
func near(a, b color.Color, tol int) bool {
	ar, ag, ab, aa := a.RGBA()
	br, bg, bb, ba := b.RGBA()
	d := func(x, y uint32) bool {
		v := int(x>>8) - int(y>>8)
		return v <= tol && v >= -tol
	}
	return d(ar, br) && d(ag, bg) && d(ab, bb) && d(aa, ba)
}

// blankPNG is a w×h PNG of zeros at the given bit depth and colour type
// (0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA): a 7000×7000 16-bit
// RGBA picture (392 MB decoded) is a file of 2.5 MB, made in an instant.
func blankPNG(t testing.TB, w, h, depth, colorType int) []byte {
	t.Helper()
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		out.Write(binary.BigEndian.AppendUint32(nil, uint32(len(data))))
		out.WriteString(typ)
		out.Write(data)
		out.Write(binary.BigEndian.AppendUint32(nil, crc32.Update(crc32.ChecksumIEEE([]byte(typ)), crc32.IEEETable, data)))
	}
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(w))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(h))
	chunk("IHDR", append(ihdr, byte(depth), byte(colorType), 0, 0, 0))
	if colorType == 3 {
		chunk("PLTE", []byte{0, 0, 0, 255, 255, 255})
	}
	channels := map[int]int{0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colorType]
	rowBytes := 1 + (w*channels*depth+7)/8 // filter type 0 (none), then the samples
	chunk("IDAT", zeroZlib(int64(h)*int64(rowBytes)))
	chunk("IEND", nil)
	return out.Bytes()
}

// zeroZlib is a zlib stream of n zero bytes (n ≥ 1), written directly: one
// fixed-Huffman deflate block of a literal 0 and then copies of 258 bytes
// at distance 1 (13 bits each), so even hundreds of megabytes take no
// compressing. Huffman codes go into the stream most significant bit
// first, hence reversed for the least-significant-first bitWriter.
func zeroZlib(n int64) []byte {
	bw := &bitWriter{buf: []byte{0x78, 0x01}} // deflate, 32 KiB window, no dictionary
	bw.bits(1, 1)                             // the final block
	bw.bits(1, 2)                             // fixed Huffman codes
	bw.bits(0x0C, 8)                          // literal 0: code 00110000
	for i := int64(0); i < (n-1)/258; i++ {
		bw.bits(0xA3, 8) // length 258: code 285, 11000101
		bw.bits(0, 5)    // distance 1: code 0
	}
	for i := int64(0); i < (n-1)%258; i++ {
		bw.bits(0x0C, 8)
	}
	bw.bits(0, 7) // end of block: code 256, 0000000
	// Adler-32 of n zeros: a = 1, b = the sum of a after each byte = n.
	return binary.BigEndian.AppendUint32(bw.bytes(), uint32(n%65521)<<16|1)
}

// heapAllocs is the bytes allocated on the heap since the program
// started: the difference across a call is what the call allocated (and
// bounds what it held at once), as long as nothing else runs.
func heapAllocs() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
