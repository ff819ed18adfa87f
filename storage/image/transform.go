package image

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	stdimage "image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"

	"golang.org/x/image/draw"
	"golang.org/x/image/webp"
)

// Limits bound the work one Transform may do. Zero fields take the
// defaults below.
type Limits struct {
	// MaxSourcePixels: a source whose header declares more pixels is
	// refused before decoding (image bombs). Default 50,000,000.
	MaxSourcePixels int64
	// MaxSourceBytes: a bigger source file is refused. Default 64 MiB.
	MaxSourceBytes int64
	// MaxOutputBytes: an encoded result bigger than this is refused.
	// Default 16 MiB.
	MaxOutputBytes int64
}

// Default limits.
const (
	DefaultMaxSourcePixels = 50_000_000
	DefaultMaxSourceBytes  = 64 << 20
	DefaultMaxOutputBytes  = 16 << 20
)

func (l Limits) withDefaults() Limits {
	if l.MaxSourcePixels <= 0 {
		l.MaxSourcePixels = DefaultMaxSourcePixels
	}
	if l.MaxSourceBytes <= 0 {
		l.MaxSourceBytes = DefaultMaxSourceBytes
	}
	if l.MaxOutputBytes <= 0 {
		l.MaxOutputBytes = DefaultMaxOutputBytes
	}
	return l
}

// Content types of the outputs.
const (
	TypeJPEG = "image/jpeg"
	TypePNG  = "image/png"
)

type decoder struct {
	config func(io.Reader) (stdimage.Config, error)
	decode func(io.Reader) (stdimage.Image, error)
}

// decoders by the name sniff returns. GIF decodes its first frame only.
var decoders = map[string]decoder{
	"jpeg": {jpeg.DecodeConfig, jpeg.Decode},
	"png":  {png.DecodeConfig, png.Decode},
	"gif":  {gif.DecodeConfig, gif.Decode},
	"webp": {webp.DecodeConfig, webp.Decode},
}

// sniff names the format from the first bytes of a file.
func sniff(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("\xFF\xD8\xFF")):
		return "jpeg"
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "png"
	case bytes.HasPrefix(b, []byte("GIF87a")), bytes.HasPrefix(b, []byte("GIF89a")):
		return "gif"
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return "webp"
	}
	return ""
}

// Transform makes the variant p of the image src (JPEG, PNG, GIF's first
// frame, or WebP) and returns it encoded, with its content type (TypeJPEG
// or TypePNG). A JPEG's EXIF orientation is applied, so the result is
// upright. Before decoding, the declared size is checked against lim, so an
// image bomb costs a header read. Errors wrap ErrNotImage (not an image,
// unsupported, corrupt), ErrLimit, or ctx's error; the messages are fit for
// clients.
func Transform(ctx context.Context, src io.ReadSeeker, p Params, lim Limits) ([]byte, string, error) {
	lim = lim.withDefaults()
	p = p.canonical() // Params built by hand get the defaults Parse gives
	format, cfg, orientation, err := inspect(src, lim)
	if err != nil {
		return nil, "", err
	}
	dw, dh := cfg.Width, cfg.Height
	if swapsAxes(orientation) {
		dw, dh = dh, dw
	}
	pl, err := planFor(dw, dh, p)
	if err != nil {
		return nil, "", err
	}
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
	if _, err := src.Seek(0, io.SeekStart); err != nil {
		return nil, "", fmt.Errorf("image: rewind source: %w", err)
	}
	img, err := decoders[format].decode(src)
	if err != nil {
		return nil, "", fmt.Errorf("%w: the %s data is corrupt (%v)", ErrNotImage, format, err)
	}
	if format == "gif" {
		img = onScreen(img, cfg)
	}
	if b := img.Bounds(); b.Dx() != cfg.Width || b.Dy() != cfg.Height {
		return nil, "", fmt.Errorf("%w: the %s decodes to %d×%d, not the %d×%d its header declares",
			ErrNotImage, format, b.Dx(), b.Dy(), cfg.Width, cfg.Height)
	}
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
	out := p.Format
	if out == FormatAuto {
		out = autoFormat(format, img)
	}
	dst := render(img, pl, orientation, dw, dh, out == FormatJPEG)
	return encode(dst, out, p.Quality, lim.MaxOutputBytes)
}

// inspect sniffs the format, reads the header's size and (for JPEG) the
// EXIF orientation, and applies the source limits.
func inspect(src io.ReadSeeker, lim Limits) (format string, cfg stdimage.Config, orientation int, err error) {
	size, err := src.Seek(0, io.SeekEnd)
	if err != nil {
		return "", cfg, 0, fmt.Errorf("image: size of source: %w", err)
	}
	if size > lim.MaxSourceBytes {
		return "", cfg, 0, fmt.Errorf("%w: the source is %d bytes, more than the %d allowed for resizing",
			ErrLimit, size, lim.MaxSourceBytes)
	}
	if _, err := src.Seek(0, io.SeekStart); err != nil {
		return "", cfg, 0, fmt.Errorf("image: rewind source: %w", err)
	}
	var head [16]byte
	n, _ := io.ReadFull(src, head[:])
	format = sniff(head[:n])
	if format == "" {
		return "", cfg, 0, fmt.Errorf("%w: the file is not a JPEG, PNG, GIF or WebP image", ErrNotImage)
	}
	if _, err := src.Seek(0, io.SeekStart); err != nil {
		return "", cfg, 0, fmt.Errorf("image: rewind source: %w", err)
	}
	cfg, err = decoders[format].config(src)
	if err != nil {
		return "", cfg, 0, fmt.Errorf("%w: the %s header is corrupt (%v)", ErrNotImage, format, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return "", cfg, 0, fmt.Errorf("%w: the %s declares an empty %d×%d image", ErrNotImage, format, cfg.Width, cfg.Height)
	}
	if px := int64(cfg.Width) * int64(cfg.Height); px > lim.MaxSourcePixels {
		return "", cfg, 0, fmt.Errorf("%w: the source is %d×%d (%s), more than the %s allowed for resizing",
			ErrLimit, cfg.Width, cfg.Height, pixels(px), pixels(lim.MaxSourcePixels))
	}
	orientation = 1
	if format == "jpeg" {
		if _, err := src.Seek(0, io.SeekStart); err != nil {
			return "", cfg, 0, fmt.Errorf("image: rewind source: %w", err)
		}
		orientation = jpegOrientation(src)
	}
	return format, cfg, orientation, nil
}

// onScreen places a GIF's first frame, which may be smaller than the
// logical screen and offset in it, on a transparent screen-sized canvas.
func onScreen(frame stdimage.Image, cfg stdimage.Config) stdimage.Image {
	screen := stdimage.Rect(0, 0, cfg.Width, cfg.Height)
	if frame.Bounds() == screen {
		return frame
	}
	canvas := stdimage.NewNRGBA(screen)
	draw.Draw(canvas, frame.Bounds().Intersect(screen), frame, frame.Bounds().Intersect(screen).Min, draw.Src)
	return canvas
}

// pixels names a pixel count: in megapixels from one million up.
func pixels(n int64) string {
	if n >= 1_000_000 {
		return fmt.Sprintf("%.1f megapixels", float64(n)/1e6)
	}
	return fmt.Sprintf("%d pixels", n)
}

// autoFormat keeps JPEG and PNG, and turns GIF and WebP into PNG when they
// have transparency, else JPEG.
func autoFormat(src string, img stdimage.Image) Format {
	switch src {
	case "jpeg":
		return FormatJPEG
	case "png":
		return FormatPNG
	}
	if o, ok := img.(interface{ Opaque() bool }); ok && o.Opaque() {
		return FormatJPEG
	}
	return FormatPNG
}

// render draws the plan: the crop of the (stored) image scaled to the
// planned size, turned upright, on its canvas. opaque composes onto white
// (for JPEG); otherwise transparency is kept.
func render(img stdimage.Image, pl plan, orientation, dw, dh int, opaque bool) *stdimage.RGBA {
	tw, th := pl.scaledW, pl.scaledH
	if swapsAxes(orientation) {
		tw, th = th, tw
	}
	scaled := stdimage.NewRGBA(stdimage.Rect(0, 0, tw, th))
	op := draw.Src
	if opaque {
		draw.Draw(scaled, scaled.Rect, stdimage.White, stdimage.Point{}, draw.Src)
		op = draw.Over
	}
	crop := rawRect(orientation, pl.crop, dw, dh).Add(img.Bounds().Min)
	if pl.resized {
		small, smallCrop := prefilter(img, crop, tw, th)
		draw.CatmullRom.Scale(scaled, scaled.Rect, small, smallCrop, op, nil)
	} else {
		draw.Draw(scaled, scaled.Rect, img, crop.Min, op)
	}
	upright := orient(scaled, orientation)
	if !pl.padded {
		return upright
	}
	canvas := stdimage.NewRGBA(stdimage.Rect(0, 0, pl.canvasW, pl.canvasH))
	if opaque {
		draw.Draw(canvas, canvas.Rect, stdimage.White, stdimage.Point{}, draw.Src)
	}
	at := stdimage.Rect(pl.offsetX, pl.offsetY, pl.offsetX+pl.scaledW, pl.offsetY+pl.scaledH)
	draw.Draw(canvas, at, upright, stdimage.Point{}, draw.Src)
	return canvas
}

var errOutputFull = errors.New("output limit reached")

// capped is a buffer that refuses to grow past max bytes.
type capped struct {
	buf bytes.Buffer
	max int64
}

func (c *capped) Write(b []byte) (int, error) {
	if int64(c.buf.Len()+len(b)) > c.max {
		return 0, errOutputFull
	}
	return c.buf.Write(b)
}

func encode(img *stdimage.RGBA, f Format, quality int, max int64) ([]byte, string, error) {
	w := &capped{max: max}
	var err error
	typ := TypePNG
	if f == FormatJPEG {
		typ = TypeJPEG
		// img is already composed onto white: the encoder ignores alpha.
		err = jpeg.Encode(w, img, &jpeg.Options{Quality: quality})
	} else {
		err = (&png.Encoder{CompressionLevel: png.DefaultCompression}).Encode(w, img)
	}
	if errors.Is(err, errOutputFull) {
		return nil, "", fmt.Errorf("%w: the %dx%d result is more than %d bytes encoded",
			ErrLimit, img.Rect.Dx(), img.Rect.Dy(), max)
	}
	if err != nil {
		return nil, "", fmt.Errorf("image: encode: %w", err)
	}
	return w.buf.Bytes(), typ, nil
}
