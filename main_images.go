package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"time"

	"minibase/storage"
	"minibase/storage/image"
)

// ImageConfig is image variants' part of Config: thumbnails asked for in
// /f/ URLs (?imageView2/… or ?w=&h=&fit=&q=&format=), made by
// storage/image and cached on disk.
type ImageConfig struct {
	CacheDir    string // MINIBASE_IMAGE_CACHE_DIR; empty: <dir>/image-cache
	CacheSize   int64  // MINIBASE_IMAGE_CACHE_SIZE: bytes of variants kept (default 1GiB)
	MaxPixels   int64  // MINIBASE_IMAGE_MAX_PIXELS: largest source resized (default 50,000,000)
	Memory      int64  // MINIBASE_IMAGE_MEMORY: estimated bytes all transforms may hold together (default 512MiB)
	Concurrency int    // MINIBASE_IMAGE_CONCURRENCY: transforms at once (0: GOMAXPROCS, at most 4)
	Queue       int    // MINIBASE_IMAGE_QUEUE: transforms waiting for a slot (default 32); beyond, 503
}

const imageUsage = `  MINIBASE_IMAGE_CACHE_DIR   where resized images are cached (default <dir>/image-cache)
  MINIBASE_IMAGE_CACHE_SIZE  bytes of resized images kept, e.g. 1GiB (the default);
                             least recently used ones go first
  MINIBASE_IMAGE_MAX_PIXELS  largest source image resized, in pixels (default
                             50000000); bigger ones are refused before decoding
  MINIBASE_IMAGE_MEMORY      memory all image resizing may use together, e.g.
                             512MiB (the default); a variant that alone needs
                             more (estimated before decoding) is refused
  MINIBASE_IMAGE_CONCURRENCY images resized at once (default: the CPU count, at most 4)
  MINIBASE_IMAGE_QUEUE       resizes waiting for their turn (default 32); beyond
                             that, or after 10s of waiting, 503 with Retry-After
`

func parseImages(getenv func(string) string) (ImageConfig, error) {
	c := ImageConfig{CacheDir: getenv("MINIBASE_IMAGE_CACHE_DIR"), CacheSize: 1 << 30, MaxPixels: image.DefaultMaxSourcePixels,
		Memory: image.DefaultMaxMemory, Queue: image.DefaultQueue}
	if v := getenv("MINIBASE_IMAGE_CACHE_SIZE"); v != "" {
		n, err := parseSize(v)
		if err != nil || n < 1<<20 {
			return c, fmt.Errorf("MINIBASE_IMAGE_CACHE_SIZE must be a size of at least 1MiB, like 1GiB, got %q", v)
		}
		c.CacheSize = n
	}
	if v := getenv("MINIBASE_IMAGE_MAX_PIXELS"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 || n > 1_000_000_000 {
			return c, fmt.Errorf("MINIBASE_IMAGE_MAX_PIXELS must be a number of pixels from 1 to 1000000000, got %q", v)
		}
		c.MaxPixels = n
	}
	if v := getenv("MINIBASE_IMAGE_MEMORY"); v != "" {
		n, err := parseSize(v)
		if err != nil || n < 16<<20 {
			return c, fmt.Errorf("MINIBASE_IMAGE_MEMORY must be a size of at least 16MiB, like 512MiB, got %q", v)
		}
		c.Memory = n
	}
	for _, n := range []struct {
		name string
		dst  *int
	}{{"MINIBASE_IMAGE_CONCURRENCY", &c.Concurrency}, {"MINIBASE_IMAGE_QUEUE", &c.Queue}} {
		if v := getenv(n.name); v != "" {
			i, err := strconv.Atoi(v)
			if err != nil || i < 1 || i > 1024 {
				return c, fmt.Errorf("%s must be a number from 1 to 1024, got %q", n.name, v)
			}
			*n.dst = i
		}
	}
	return c, nil
}

// openImages opens the variant cache and returns the storage service's
// Transformer.
func openImages(dir string, c ImageConfig) (storage.Transformer, error) {
	cacheDir := c.CacheDir
	if cacheDir == "" {
		cacheDir = filepath.Join(dir, "image-cache")
	}
	cache, err := image.OpenCache(cacheDir, c.CacheSize)
	if err != nil {
		return nil, err
	}
	return imageVariants{image.NewVariants(cache, image.Options{
		Limits:      image.Limits{MaxSourcePixels: c.MaxPixels, MaxMemory: c.Memory},
		Concurrency: c.Concurrency,
		Queue:       c.Queue,
	})}, nil
}

// imageVariants adapts image.Variants to storage.Transformer.
type imageVariants struct{ v *image.Variants }

var _ storage.Transformer = imageVariants{}

// Transform makes (or finds in the cache) the variant query names. Bad
// parameters, files that are not images and images over the limits are
// INVALID_PARAM (400) with the reason; a full queue is CodeBusy (503).
func (t imageVariants) Transform(ctx context.Context, src storage.Source, query string) (io.ReadSeekCloser, storage.ObjectInfo, error) {
	p, ok, err := image.ParseQuery(query)
	if err == nil && !ok {
		err = fmt.Errorf("%w: no image parameters in %q", image.ErrParams, query)
	}
	if err != nil {
		return nil, storage.ObjectInfo{}, imageError(err)
	}
	v, err := t.v.Get(ctx, image.Source{Key: src.File.String(), Version: src.Info.ETag, Open: src.Open}, p)
	if err != nil {
		return nil, storage.ObjectInfo{}, imageError(err)
	}
	return v.Body, storage.ObjectInfo{
		Key: src.Info.Key, Size: v.Size, ContentType: v.ContentType, ETag: v.ETag,
		ModTime: src.Info.ModTime, Owner: src.Info.Owner,
	}, nil
}

// imageBusyRetry is the Retry-After of a busy answer: resizes take a
// fraction of a second to a few seconds, and the variant is cached once
// made.
const imageBusyRetry = 2 * time.Second

// imageError turns storage/image's client errors into storage's; others
// stay internal.
func imageError(err error) error {
	switch {
	case errors.Is(err, image.ErrParams) || errors.Is(err, image.ErrNotImage) || errors.Is(err, image.ErrLimit):
		return storage.Errorf(storage.CodeInvalidParam, "%s", err.Error())
	case errors.Is(err, image.ErrBusy):
		e := storage.Errorf(storage.CodeBusy, "%s", err.Error())
		e.RetryAfter = imageBusyRetry
		return e
	}
	return err
}
