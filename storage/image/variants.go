package image

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"runtime"

	"golang.org/x/sync/singleflight"
)

// Source is one stored object a variant is made from.
type Source struct {
	// Key names the object (for example "bucket/path/to/file.jpg").
	Key string
	// Version changes whenever the object's content does (its ETag): a
	// variant cached for an older version is never served for a newer one.
	Version string
	// Open returns the object's content. It is called at most once per
	// variant being made, and not at all when the variant is cached.
	Open func(ctx context.Context) (io.ReadSeekCloser, error)
}

// Variant is a made or cached variant.
type Variant struct {
	// Body is the encoded image: an *os.File from the cache (servable with
	// sendfile), or bytes in memory when it was just made. The caller
	// closes it.
	Body io.ReadSeekCloser
	// Size of Body in bytes.
	Size int64
	// ContentType is TypeJPEG or TypePNG.
	ContentType string
	// ETag is a strong, quoted entity tag naming this variant of this
	// source version.
	ETag string
	// Cached: Body came from the cache (no decoding happened).
	Cached bool
}

// Variants makes image variants and caches them: each (source version,
// params) is computed once, however many requests for it arrive together,
// and at most a fixed number of variants are computed at a time, so
// concurrent decodes of large images cannot exhaust memory.
type Variants struct {
	cache  *Cache
	limits Limits
	group  singleflight.Group
	slots  chan struct{}
}

// NewVariants returns Variants over cache (nil: nothing is cached) with
// limits lim. concurrency bounds the transforms running at once; 0 means
// GOMAXPROCS, at most 4.
func NewVariants(cache *Cache, lim Limits, concurrency int) *Variants {
	if concurrency <= 0 {
		concurrency = min(runtime.GOMAXPROCS(0), 4)
	}
	return &Variants{cache: cache, limits: lim.withDefaults(), slots: make(chan struct{}, concurrency)}
}

// Get returns the variant p of src, from the cache or made now. When
// several callers ask for the same variant at once, one makes it and all
// get it; a caller whose ctx ends stops waiting (with ctx's error) without
// stopping the work for the others. Errors are Transform's, or the
// source's Open error wrapped.
func (v *Variants) Get(ctx context.Context, src Source, p Params) (Variant, error) {
	p = p.canonical()
	name := Name(src.Key + "\x00" + src.Version + "\x00" + p.Key())
	if vr, ok := v.cached(name); ok {
		return vr, nil
	}
	ch := v.group.DoChan(name, func() (any, error) {
		// The work outlives a caller that gives up: others may wait on it.
		return v.make(context.WithoutCancel(ctx), name, src, p)
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return Variant{}, r.Err
		}
		m := r.Val.(made)
		return Variant{Body: bytesBody{bytes.NewReader(m.data)}, Size: int64(len(m.data)), ContentType: m.typ,
			ETag: etag(name), Cached: m.cached}, nil
	case <-ctx.Done():
		return Variant{}, ctx.Err()
	}
}

// made is what one flight produces, shared by its callers: the encoded
// bytes, and whether they came from the cache.
type made struct {
	data   []byte
	typ    string
	cached bool
}

// bytesBody is a Variant body in memory.
type bytesBody struct{ *bytes.Reader }

func (bytesBody) Close() error { return nil }

func (v *Variants) cached(name string) (Variant, bool) {
	if v.cache == nil {
		return Variant{}, false
	}
	e, ok, err := v.cache.Open(name)
	if err != nil || !ok {
		// An unreadable entry is remade (and rewritten) rather than failing.
		return Variant{}, false
	}
	return Variant{Body: e.File, Size: e.Size, ContentType: e.ContentType, ETag: etag(name), Cached: true}, true
}

// make computes one variant under a concurrency slot and caches it.
func (v *Variants) make(ctx context.Context, name string, src Source, p Params) (made, error) {
	// A flight that started just after another finished finds its result
	// (read into memory: an open file cannot be shared by the callers).
	if vr, ok := v.cached(name); ok {
		defer vr.Body.Close()
		data, err := io.ReadAll(vr.Body)
		if err == nil {
			return made{data: data, typ: vr.ContentType, cached: true}, nil
		}
	}
	v.slots <- struct{}{}
	defer func() { <-v.slots }()
	r, err := src.Open(ctx)
	if err != nil {
		return made{}, fmt.Errorf("image: open source: %w", err)
	}
	defer r.Close()
	data, typ, err := Transform(ctx, r, p, v.limits)
	if err != nil {
		return made{}, err
	}
	if v.cache != nil {
		// A cache that cannot write (disk full) costs speed, not the answer.
		_ = v.cache.Put(name, typ, data)
	}
	return made{data: data, typ: typ}, nil
}

func etag(name string) string { return `"` + name[:32] + `"` }
