package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"minibase/storage"
	"minibase/storage/image"
)

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
