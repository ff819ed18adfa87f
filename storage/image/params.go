// Package image makes resized variants of stored images: thumbnails asked
// for in a file URL's query, either Tencent COS / CloudBase style
// (`?imageView2/1/w/200/h/200/q/80/format/jpg`) or the simple form
// (`?w=200&h=200&fit=cover&q=80&format=jpeg`).
//
// ParseQuery reads the parameters, Transform makes one variant within
// limits on its source and on the memory it may take (estimated from the
// header, before decoding), and Variants puts a size-capped disk Cache,
// per-variant deduplication and a gate (a few transforms at once, a
// bounded queue, a memory budget for all of them) in front of Transform. The package imports no
// project package: the storage HTTP layer calls it through a small interface
// of its own.
package image

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// Errors callers branch on (errors.Is); the wrapped message says what was
// wrong in words fit for the client.
var (
	// ErrParams: the image parameters are malformed or out of range.
	ErrParams = errors.New("invalid image parameters")
	// ErrNotImage: the source is not an image this package decodes (JPEG,
	// PNG, GIF, WebP), or it is corrupt.
	ErrNotImage = errors.New("not a processable image")
	// ErrLimit: the source or the result exceeds a Limits value (an image
	// bomb, a huge file, an output bigger than allowed, a variant that
	// would take more memory than allowed).
	ErrLimit = errors.New("image exceeds a limit")
	// ErrBusy: Variants is running and queueing as many transforms as it
	// may, or their memory budget stayed taken for its whole wait; the
	// request may succeed later.
	ErrBusy = errors.New("image resizing is busy")
)

// MaxSide is the largest width or height a request may ask for, and the
// largest side a result may have.
const MaxSide = 4096

// DefaultQuality is the JPEG quality when the request names none.
const DefaultQuality = 85

// Fit says how the source is fitted to the requested box.
type Fit uint8

const (
	// FitInside scales, keeping the aspect ratio, to the largest size that
	// fits inside the box. A side given as 0 does not constrain.
	FitInside Fit = iota
	// FitCover scales to the smallest size that covers the box, then crops
	// the centre to exactly the box.
	FitCover
	// FitContain fits inside the box and pads to exactly the box (white
	// for JPEG, transparent for PNG).
	FitContain
	// FitFill stretches to exactly the box, ignoring the aspect ratio.
	FitFill
	// FitOutside scales to the smallest size that covers the box, without
	// cropping (imageView2 modes 3 and 4).
	FitOutside
)

var fitNames = [...]string{"inside", "cover", "contain", "fill", "outside"}

// String is the fit's name in the simple query form.
func (f Fit) String() string {
	if int(f) < len(fitNames) {
		return fitNames[f]
	}
	return "fit(" + strconv.Itoa(int(f)) + ")"
}

// Format is the output encoding.
type Format uint8

const (
	// FormatAuto keeps the source's format: JPEG stays JPEG, PNG stays PNG;
	// GIF and WebP sources become PNG when they have transparency, else
	// JPEG.
	FormatAuto Format = iota
	// FormatJPEG encodes JPEG at Params.Quality.
	FormatJPEG
	// FormatPNG encodes PNG (lossless; Quality is ignored).
	FormatPNG
)

var formatNames = [...]string{"auto", "jpeg", "png"}

// String is the format's canonical name.
func (f Format) String() string {
	if int(f) < len(formatNames) {
		return formatNames[f]
	}
	return "format(" + strconv.Itoa(int(f)) + ")"
}

// Params is one requested variant. The zero value asks for the source
// re-encoded at its own size. Parse functions return canonical Params: two
// requests that produce the same image have equal Params, so Key can name
// the cached result.
type Params struct {
	// Width and Height of the box in pixels, 0..MaxSide; 0 leaves that side
	// free. When both are 0 the image is not resized.
	Width, Height int
	// Edges: Width is the limit on the long edge and Height on the short
	// edge, whichever way the image is oriented (imageView2 modes 0, 4, 5).
	Edges bool
	// Fit applies when the box has both sides; with one side, every fit
	// scales to that side and Parse stores FitInside.
	Fit Fit
	// Quality is the JPEG quality, 1..100; Parse stores DefaultQuality when
	// the request names none.
	Quality int
	// Format of the output.
	Format Format
}

// Key is the canonical text of p, for cache keys and logs.
func (p Params) Key() string {
	return fmt.Sprintf("w=%d&h=%d&edges=%t&fit=%s&q=%d&format=%s", p.Width, p.Height, p.Edges, p.Fit, p.Quality, p.Format)
}

// maxQueryLen bounds the query text ParseQuery reads.
const maxQueryLen = 1024

// simpleKeys are the parameters of the simple form.
var simpleKeys = [...]string{"w", "h", "fit", "q", "format"}

// ParseQuery reads the image parameters in a URL's raw query (without the
// '?'). ok is false when the query asks for no variant; other keys (sign,
// t, cache busters) are ignored. The imageView2 form is a key of its own
// (`imageView2/<mode>/w/…`); mixing it with the simple keys, or giving a
// key twice, is an error. Errors wrap ErrParams.
func ParseQuery(rawQuery string) (p Params, ok bool, err error) {
	if rawQuery == "" {
		return Params{}, false, nil
	}
	if len(rawQuery) > maxQueryLen {
		return Params{}, false, paramErr("the query is longer than %d bytes", maxQueryLen)
	}
	var view string
	simple := map[string]string{}
	for _, part := range strings.Split(rawQuery, "&") {
		k, v, _ := strings.Cut(part, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			return Params{}, false, paramErr("query is not valid URL encoding: %q", k)
		}
		switch {
		case key == "imageMogr2" || strings.HasPrefix(key, "imageMogr2/"):
			return Params{}, false, paramErr("imageMogr2 is not supported: use imageView2/<mode>/w/<w>/h/<h> or w=&h=&fit=")
		case key == "imageView2" || strings.HasPrefix(key, "imageView2/"):
			if strings.Contains(key, "|") {
				return Params{}, false, paramErr("chained processing (imageView2/…|…) is not supported")
			}
			if view != "" {
				return Params{}, false, paramErr("imageView2 given twice")
			}
			if v != "" {
				// imageView2/1/w/100=… is not a form anyone writes.
				return Params{}, false, paramErr("imageView2 takes no '=' value: write ?imageView2/<mode>/w/<w>/h/<h>")
			}
			view = key
		case isSimpleKey(key):
			if _, dup := simple[key]; dup {
				return Params{}, false, paramErr("%s given twice", key)
			}
			val, err := url.QueryUnescape(v)
			if err != nil {
				return Params{}, false, paramErr("%s is not valid URL encoding: %q", key, v)
			}
			simple[key] = val
		}
	}
	switch {
	case view != "" && len(simple) > 0:
		return Params{}, false, paramErr("use either imageView2/… or w=&h=&fit=&q=&format=, not both")
	case view != "":
		p, err = ParseImageView2(view)
		return p, err == nil, err
	case len(simple) > 0:
		p, err = parseSimple(simple)
		return p, err == nil, err
	}
	return Params{}, false, nil
}

func isSimpleKey(k string) bool {
	for _, s := range simpleKeys {
		if k == s {
			return true
		}
	}
	return false
}

// parseSimple reads the w=&h=&fit=&q=&format= form. fit defaults to cover.
func parseSimple(kv map[string]string) (Params, error) {
	p := Params{Fit: FitCover}
	var err error
	if v, ok := kv["w"]; ok {
		if p.Width, err = parseSide("w", v); err != nil {
			return Params{}, err
		}
	}
	if v, ok := kv["h"]; ok {
		if p.Height, err = parseSide("h", v); err != nil {
			return Params{}, err
		}
	}
	if v, ok := kv["fit"]; ok {
		if p.Fit, err = parseFit(v); err != nil {
			return Params{}, err
		}
	}
	if v, ok := kv["q"]; ok {
		if p.Quality, err = parseQuality(v); err != nil {
			return Params{}, err
		}
	}
	if v, ok := kv["format"]; ok {
		if p.Format, err = parseFormat(v); err != nil {
			return Params{}, err
		}
	}
	return p.canonical(), nil
}

// ParseImageView2 reads `imageView2/<mode>/w/<W>/h/<H>/q/<Q>/format/<F>`
// (keys in any order after the mode, each at most once) with the modes of
// Tencent COS's quick thumbnail template:
//
//	0  long edge ≤ w, short edge ≤ h, no crop (w alone: long edge; h alone: short edge)
//	1  cover w×h and crop the centre (one side given: a square)
//	2  width ≤ w, height ≤ h, no crop (one side given: the other is free)
//	3  width ≥ w, height ≥ h, no crop (one side given: both the same)
//	4  long edge ≥ w, short edge ≥ h, no crop (one side given: both the same)
//	5  long edge ≥ w, short edge ≥ h, crop the centre to that (one side: a square)
//
// Errors wrap ErrParams.
func ParseImageView2(s string) (Params, error) {
	parts := strings.Split(s, "/")
	if parts[0] != "imageView2" {
		return Params{}, paramErr("expected imageView2/<mode>/…, got %q", s)
	}
	if len(parts) < 2 || parts[1] == "" {
		return Params{}, paramErr("imageView2 needs a mode 0–5: imageView2/<mode>/w/<w>/h/<h>")
	}
	mode, err := strconv.Atoi(parts[1])
	if err != nil || mode < 0 || mode > 5 || len(parts[1]) != 1 {
		return Params{}, paramErr("imageView2 mode must be 0–5, got %q", parts[1])
	}
	rest := parts[2:]
	if len(rest)%2 != 0 {
		return Params{}, paramErr("imageView2 parameters come in pairs (/w/200/h/100); %q has no value", rest[len(rest)-1])
	}
	var p Params
	seen := map[string]bool{}
	for i := 0; i < len(rest); i += 2 {
		k, v := rest[i], rest[i+1]
		if seen[k] {
			return Params{}, paramErr("imageView2 %s given twice", k)
		}
		seen[k] = true
		switch k {
		case "w":
			p.Width, err = parseSide("w", v)
		case "h":
			p.Height, err = parseSide("h", v)
		case "q":
			p.Quality, err = parseQuality(v)
		case "format":
			p.Format, err = parseFormat(v)
		default:
			err = paramErr("imageView2 parameter %q is not supported (supported: w, h, q, format)", k)
		}
		if err != nil {
			return Params{}, err
		}
	}
	return fromMode(mode, p).canonical(), nil
}

// fromMode sets Fit and Edges for an imageView2 mode and fills the side a
// mode copies when only one is given.
func fromMode(mode int, p Params) Params {
	square := func() {
		if p.Width == 0 {
			p.Width = p.Height
		}
		if p.Height == 0 {
			p.Height = p.Width
		}
	}
	switch mode {
	case 0:
		p.Fit, p.Edges = FitInside, true
	case 1:
		p.Fit = FitCover
		square()
	case 2:
		p.Fit = FitInside
	case 3:
		p.Fit = FitOutside
		square()
	case 4:
		p.Fit, p.Edges = FitOutside, true
		square()
	case 5:
		p.Fit, p.Edges = FitCover, true
		square()
	}
	return p
}

// canonical gives equal Params to requests that produce the same image.
func (p Params) canonical() Params {
	if p.Width == 0 || p.Height == 0 {
		// One side (or none): every fit scales to that side.
		p.Fit = FitInside
	}
	if p.Edges && p.Width != 0 && p.Height != 0 && p.Width < p.Height {
		switch p.Fit {
		case FitInside: // long ≤ 100 and short ≤ 200 is both ≤ 100
			p.Height = p.Width
		case FitOutside: // long ≥ 100 and short ≥ 200 is both ≥ 200
			p.Width = p.Height
		}
	}
	if p.Width == p.Height {
		// A square box (or none) has no long or short edge.
		p.Edges = false
	}
	if p.Quality == 0 {
		p.Quality = DefaultQuality
	}
	if p.Format == FormatPNG {
		p.Quality = DefaultQuality // PNG is lossless: quality changes nothing
	}
	return p
}

func parseSide(name, v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > MaxSide || v != strconv.Itoa(n) {
		return 0, paramErr("%s must be an integer from 1 to %d, got %q", name, MaxSide, v)
	}
	return n, nil
}

func parseQuality(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 100 || v != strconv.Itoa(n) {
		return 0, paramErr("q must be an integer from 1 to 100, got %q", v)
	}
	return n, nil
}

func parseFit(v string) (Fit, error) {
	for i, n := range fitNames {
		if v == n {
			return Fit(i), nil
		}
	}
	return 0, paramErr("fit must be cover, contain, fill, inside or outside, got %q", v)
}

func parseFormat(v string) (Format, error) {
	switch strings.ToLower(v) {
	case "jpg", "jpeg":
		return FormatJPEG, nil
	case "png":
		return FormatPNG, nil
	case "webp":
		return 0, paramErr("format webp is not supported for output (no pure-Go WebP encoder is trusted here yet): use jpeg or png")
	case "gif", "bmp", "heif", "heic", "avif", "tpg", "yjpeg", "src":
		return 0, paramErr("format %s is not supported for output: use jpeg or png", v)
	}
	return 0, paramErr("format must be jpeg or png, got %q", v)
}

func paramErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrParams, fmt.Sprintf(format, args...))
}
