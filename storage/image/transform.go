package image

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	stdimage "image"
	"image/color"
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
	// MaxMemory: a transform whose estimated peak memory (decoder, working
	// buffers, result; see cost.go) is more is refused before decoding.
	// Variants also holds all the transforms it runs together to this
	// much. Default 512 MiB.
	MaxMemory int64
}

// Default limits.
const (
	DefaultMaxSourcePixels = 50_000_000
	DefaultMaxSourceBytes  = 64 << 20
	DefaultMaxOutputBytes  = 16 << 20
	DefaultMaxMemory       = 512 << 20
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
	if l.MaxMemory <= 0 {
		l.MaxMemory = DefaultMaxMemory
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
// upright. Before decoding, the declared size and the memory the whole
// transform will need are checked against lim, so an image bomb, or a
// request whose buffers would not fit, costs a header read. ctx is
// checked while the source is read and between the steps after it
// (halving passes, scaling, encoding): a canceled transform stops there
// and drops its buffers. Errors wrap ErrNotImage (not an image,
// unsupported, corrupt), ErrLimit, or ctx's error; the messages are fit for
// clients.
func Transform(ctx context.Context, src io.ReadSeeker, p Params, lim Limits) ([]byte, string, error) {
	j, err := prepare(src, p, lim.withDefaults())
	if err != nil {
		return nil, "", err
	}
	return j.run(ctx)
}

// job is one transform, planned and costed from the source's header, not
// yet decoded.
type job struct {
	src         io.ReadSeeker
	format      string
	cfg         stdimage.Config
	orientation int
	dw, dh      int // the displayed size
	p           Params
	pl          plan
	maxOut      int64
	cost        int64 // estimated peak memory (planCost)
	kernel      int64 // of which Catmull-Rom's buffers
}

// prepare reads src's header, plans p on it and estimates the cost,
// refusing (ErrLimit, ErrNotImage) what lim does not allow. lim has its
// defaults.
func prepare(src io.ReadSeeker, p Params, lim Limits) (*job, error) {
	j, dec, bpp, err := inspect(src, lim)
	if err != nil {
		return nil, err
	}
	j.p, j.maxOut = p.canonical(), lim.MaxOutputBytes // Params built by hand get the defaults Parse gives
	j.dw, j.dh = j.cfg.Width, j.cfg.Height
	if swapsAxes(j.orientation) {
		j.dw, j.dh = j.dh, j.dw
	}
	if j.pl, err = planFor(j.dw, j.dh, j.p); err != nil {
		return nil, err
	}
	j.cost, j.kernel = planCost(dec, bpp, j.cfg.Width, j.cfg.Height, j.orientation, j.pl, lim.MaxOutputBytes)
	if j.cost <= lim.MaxMemory {
		return j, nil
	}
	if d := dec.decoded + dec.normalize; d > lim.MaxMemory {
		return nil, fmt.Errorf("%w: decoding this %d×%d %s takes about %s of memory, more than the %s allowed for resizing",
			ErrLimit, j.dw, j.dh, j.format, bytesText(d), bytesText(lim.MaxMemory))
	}
	return nil, fmt.Errorf("%w: a %d×%d variant of this %d×%d %s takes about %s of memory to make, more than the %s allowed: ask for a smaller size",
		ErrLimit, j.pl.canvasW, j.pl.canvasH, j.dw, j.dh, j.format, bytesText(j.cost), bytesText(lim.MaxMemory))
}

// run decodes, renders and encodes the planned variant.
func (j *job) run(ctx context.Context) ([]byte, string, error) {
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
	if _, err := j.src.Seek(0, io.SeekStart); err != nil {
		return nil, "", fmt.Errorf("image: rewind source: %w", err)
	}
	img, err := decode(j.format, ctxReader{ctx, j.src})
	if err != nil {
		if ctx.Err() != nil {
			return nil, "", ctx.Err()
		}
		return nil, "", fmt.Errorf("%w: the %s data is corrupt (%v)", ErrNotImage, j.format, err)
	}
	if j.format == "gif" {
		img = onScreen(img, j.cfg)
	}
	if b := img.Bounds(); b.Dx() != j.cfg.Width || b.Dy() != j.cfg.Height {
		return nil, "", fmt.Errorf("%w: the %s decodes to %d×%d, not the %d×%d its header declares",
			ErrNotImage, j.format, b.Dx(), b.Dy(), j.cfg.Width, j.cfg.Height)
	}
	out := j.p.Format
	if out == FormatAuto {
		out = autoFormat(j.format, img)
	}
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
	dst, err := j.render(ctx, normalize(img), out == FormatJPEG)
	if err != nil {
		return nil, "", err
	}
	return encode(ctx, dst, out, j.p.Quality, j.maxOut)
}

// decode runs the format's decoder. A decoder that panics on hostile data
// (the standard ones are fuzzed; this is the backstop) fails the transform
// instead of the server.
func decode(format string, r io.Reader) (img stdimage.Image, err error) {
	defer func() {
		if p := recover(); p != nil {
			img, err = nil, fmt.Errorf("the decoder failed: %v", p)
		}
	}()
	return decoders[format].decode(r)
}

// ctxReader fails its reads once ctx is done, which stops a decoder that
// is still reading its source.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// inspect sniffs the format, reads the header's size and (for JPEG) the
// EXIF orientation, applies the source limits, and returns what decoding
// will cost (dec) and the bytes a pixel of the picture prefilter halves.
func inspect(src io.ReadSeeker, lim Limits) (j *job, dec decodeCost, bpp float64, err error) {
	fail := func(err error) (*job, decodeCost, float64, error) { return nil, decodeCost{}, 0, err }
	size, err := src.Seek(0, io.SeekEnd)
	if err != nil {
		return fail(fmt.Errorf("image: size of source: %w", err))
	}
	if size > lim.MaxSourceBytes {
		return fail(fmt.Errorf("%w: the source is %d bytes, more than the %d allowed for resizing",
			ErrLimit, size, lim.MaxSourceBytes))
	}
	rewind := func() error {
		if _, err := src.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("image: rewind source: %w", err)
		}
		return nil
	}
	if err := rewind(); err != nil {
		return fail(err)
	}
	var head [33]byte // enough to sniff, and a PNG's IHDR
	n, _ := io.ReadFull(src, head[:])
	j = &job{src: src, format: sniff(head[:n]), orientation: 1}
	if j.format == "" {
		return fail(fmt.Errorf("%w: the file is not a JPEG, PNG, GIF or WebP image", ErrNotImage))
	}
	if err := rewind(); err != nil {
		return fail(err)
	}
	cfg, err := decoders[j.format].config(src)
	if err != nil {
		return fail(fmt.Errorf("%w: the %s header is corrupt (%v)", ErrNotImage, j.format, err))
	}
	w, h := cfg.Width, cfg.Height
	if w <= 0 || h <= 0 {
		return fail(fmt.Errorf("%w: the %s declares an empty %d×%d image", ErrNotImage, j.format, w, h))
	}
	if px := int64(w) * int64(h); px > lim.MaxSourcePixels {
		return fail(fmt.Errorf("%w: the source is %d×%d (%s), more than the %s allowed for resizing",
			ErrLimit, w, h, pixels(px), pixels(lim.MaxSourcePixels)))
	}
	j.cfg = cfg
	bpp = 4
	switch j.format {
	case "jpeg":
		if err := rewind(); err != nil {
			return fail(err)
		}
		info := scanJPEG(src)
		j.orientation = info.orientation
		comps := 3
		switch cfg.ColorModel {
		case color.GrayModel:
			comps = 1
		case color.CMYKModel:
			comps = 4
		}
		dec = jpegCost(info, comps, w, h)
		bpp = workBytesPerPixel(j.format, info, cfg, false, false)
	case "png":
		info, ok := readPNGHeader(bytes.NewReader(head[:n]))
		if !ok {
			info = pngInfo{depth: 16, interlaced: true} // cannot happen after DecodeConfig; assume the worst
		}
		dec = pngCost(info, w, h)
	case "gif":
		dec = gifCost(w, h)
	case "webp":
		lossy, alpha := cfg.ColorModel != color.NRGBAModel, cfg.ColorModel == color.NYCbCrAModel
		dec = webpCost(lossy, alpha, w, h, size)
		bpp = workBytesPerPixel(j.format, jpegInfo{}, cfg, lossy, alpha)
	}
	return j, dec, bpp, nil
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
// (for JPEG); otherwise transparency is kept. img is normalized.
func (j *job) render(ctx context.Context, img stdimage.Image, opaque bool) (*stdimage.RGBA, error) {
	pl := j.pl
	tw, th := pl.scaledW, pl.scaledH
	if swapsAxes(j.orientation) {
		tw, th = th, tw
	}
	scaled := stdimage.NewRGBA(stdimage.Rect(0, 0, tw, th))
	op := draw.Src
	if opaque {
		draw.Draw(scaled, scaled.Rect, stdimage.White, stdimage.Point{}, draw.Src)
		op = draw.Over
	}
	crop := rawRect(j.orientation, pl.crop, j.dw, j.dh).Add(img.Bounds().Min)
	if pl.resized {
		small, smallCrop, err := prefilter(ctx, img, crop, tw, th)
		if err != nil {
			return nil, err
		}
		img, crop = small, smallCrop
	}
	if crop.Dx() == tw && crop.Dy() == th {
		draw.Draw(scaled, scaled.Rect, img, crop.Min, op)
	} else {
		// The cost model planned the halving; should a picture reach the
		// kernel bigger than planned, its buffer is refused, not allocated.
		if k := kernelBytes(crop.Dx(), crop.Dy(), tw, th); k > j.kernel {
			return nil, fmt.Errorf("%w: scaling %d×%d pixels to %d×%d takes %s, more than the %s planned",
				ErrLimit, crop.Dx(), crop.Dy(), tw, th, bytesText(k), bytesText(j.kernel))
		}
		draw.CatmullRom.Scale(scaled, scaled.Rect, img, crop, op, nil)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	upright := orient(scaled, j.orientation)
	if !pl.padded {
		return upright, nil
	}
	canvas := stdimage.NewRGBA(stdimage.Rect(0, 0, pl.canvasW, pl.canvasH))
	if opaque {
		draw.Draw(canvas, canvas.Rect, stdimage.White, stdimage.Point{}, draw.Src)
	}
	at := stdimage.Rect(pl.offsetX, pl.offsetY, pl.offsetX+pl.scaledW, pl.offsetY+pl.scaledH)
	draw.Draw(canvas, at, upright, stdimage.Point{}, draw.Src)
	return canvas, nil
}

var errOutputFull = errors.New("output limit reached")

// capped is a buffer that refuses to grow past max bytes, and fails once
// ctx is done (the encoders write as they go, so that stops them).
type capped struct {
	ctx context.Context
	buf bytes.Buffer
	max int64
}

func (c *capped) Write(b []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	if int64(c.buf.Len()+len(b)) > c.max {
		return 0, errOutputFull
	}
	return c.buf.Write(b)
}

func encode(ctx context.Context, img *stdimage.RGBA, f Format, quality int, max int64) ([]byte, string, error) {
	w := &capped{ctx: ctx, max: max}
	var err error
	typ := TypePNG
	if f == FormatJPEG {
		typ = TypeJPEG
		// img is already composed onto white: the encoder ignores alpha.
		err = jpeg.Encode(w, img, &jpeg.Options{Quality: quality})
	} else {
		err = (&png.Encoder{CompressionLevel: png.DefaultCompression}).Encode(w, img)
	}
	if ctx.Err() != nil {
		return nil, "", ctx.Err()
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
