package storage

import (
	"context"
	"errors"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"minibase/auth"
)

// Transformer makes image variants — resized, cropped or re-encoded copies
// of an image — for /f/ URLs whose query asks for one (ImageQuery:
// CloudBase's ?imageView2/…, or w, h, fit, q, format). It is optional
// (Config.Transformer); without one such parameters are ignored and the
// original is served. The server adapts storage/image to it (server/images.go).
type Transformer interface {
	// Transform returns the variant of src that query (the raw URL query)
	// asks for, and its info: ContentType, Size, ModTime and an ETag that
	// differs from the source's and changes with it. The body is served
	// like a file (conditional requests, ranges) and then closed; an
	// *os.File is sent with sendfile. src.Open opens the original only when
	// it is needed (a cache miss). An *Error (CodeInvalidParam for bad
	// parameters or an image too large to resize, CodeBusy when too many
	// variants are being made) reaches the client as is.
	Transform(ctx context.Context, src Source, query string) (io.ReadSeekCloser, ObjectInfo, error)
}

// Source is the original of a variant.
type Source struct {
	File FileID
	Info ObjectInfo
	Open func(ctx context.Context) (io.ReadSeekCloser, error)
}

// imageParams are the query keys that ask for a variant.
var imageParams = map[string]bool{"w": true, "h": true, "fit": true, "q": true, "format": true}

// ImageQuery reports whether a raw URL query asks for an image variant.
func ImageQuery(rawQuery string) bool {
	for part := range strings.SplitSeq(rawQuery, "&") {
		key, _, _ := strings.Cut(part, "=")
		if k, err := url.QueryUnescape(key); err == nil {
			key = k // as image.ParseQuery reads it: ?imageView2%2F1%2Fw%2F100 is a thumbnail too
		}
		if imageParams[key] || strings.HasPrefix(key, "imageView2/") || strings.HasPrefix(key, "imageMogr2/") {
			return true
		}
	}
	return false
}

// Content is what a download answers with: a body and its info, or a
// redirect to the backend.
type Content struct {
	Info         ObjectInfo
	Body         io.ReadSeekCloser // the caller closes it; nil with Redirect, or for a HEAD
	Redirect     string            // a presigned backend URL
	CacheControl string
}

// Cache-Control values.
const (
	cacheImmutable = "public, max-age=31536000, immutable" // a public URL naming the current version
	cachePublic    = "public, max-age=300"                 // a public URL without (or with an old) version
	cacheNone      = "private, no-cache"                   // the download API, and URLs read by identity
)

// FetchRequest is a GET or HEAD of a CDN-style URL /f/<bucket>/<path>.
type FetchRequest struct {
	Bucket, Path string // from the URL path, percent-decoded
	Sign, T, V   string // the sign, t and v parameters
	Query        string // the raw query, for image parameters
	Head         bool   // only the info is needed
}

// Fetch answers a /f/ URL. A file in a public bucket needs nothing; any
// other needs a valid, unexpired signature (from TempURLs), or a caller the
// bucket's rule lets read it (an admin key, the owner's token).
func (s *Service) Fetch(ctx context.Context, r FetchRequest) (*Content, error) {
	if err := ValidPath(r.Path); err != nil {
		return nil, err
	}
	b, err := s.bucket(ctx, r.Bucket)
	if err != nil {
		return nil, err
	}
	f := FileID{Env: s.env, Bucket: r.Bucket, Path: r.Path}
	c := &Content{CacheControl: cachePublic}
	var info *ObjectInfo
	switch {
	case r.Sign != "" || r.T != "":
		t, sig, err := s.sig.parse(r.Sign, r.T, s.now())
		if err != nil {
			return nil, err
		}
		// The signature names the file's owner: the file is read first.
		st, err := s.be.Stat(ctx, f.key())
		switch {
		case errors.Is(err, ErrNotExist):
			return nil, errSignMismatch()
		case err != nil:
			return nil, clientError(err, "file "+f.String())
		case !s.sig.match(sig, r.Bucket, r.Path, st.Owner, t):
			return nil, errSignMismatch()
		}
		info = &st
		c.CacheControl = "private, max-age=" + strconv.FormatInt(signedCacheAge(s.now(), t), 10)
	case !b.Rule.public():
		// As access: a missing file answers as a private one, unless the
		// caller may read any file at that path.
		id := auth.FromContext(ctx)
		private := Errorf(CodePermissionDenied, "file %s is private (or does not exist): get a temporary URL for it (getTempFileURL)", f)
		st, err := s.be.Stat(ctx, f.key())
		switch {
		case errors.Is(err, ErrNotExist) && !b.Rule.anyOwner(ctx, id, opRead, f.Path, s.now()):
			return nil, private
		case err != nil:
			return nil, clientError(err, "file "+f.String())
		case !b.Rule.allows(ctx, id, opRead, resource{OpenID: st.Owner, Path: f.Path}, s.now()):
			return nil, private
		}
		info, c.CacheControl = &st, cacheNone
	}
	return s.content(ctx, f, info, r, c)
}

// Download answers GET /v1/storage/download: the file, if the caller may
// read it.
func (s *Service) Download(ctx context.Context, fileID string, head bool) (*Content, error) {
	f, _, info, err := s.access(ctx, fileID, opRead, "read")
	if err != nil {
		return nil, err
	}
	return s.content(ctx, f, &info, FetchRequest{Head: head}, &Content{CacheControl: cacheNone})
}

// Read opens a file the caller may read and returns its bytes and info,
// whatever the backend: unlike Download, it never answers with a redirect
// to a presigned URL. It is for code on the server that needs the bytes
// (cloud functions' downloadFile). The caller closes the reader. Errors:
// CodeInvalidParam (a malformed fileID), CodeFileNotExist,
// CodeBucketNotExist, CodePermissionDenied.
func (s *Service) Read(ctx context.Context, fileID string) (io.ReadCloser, ObjectInfo, error) {
	f, _, _, err := s.access(ctx, fileID, opRead, "read")
	if err != nil {
		return nil, ObjectInfo{}, err
	}
	rc, info, err := s.be.Open(ctx, f.key())
	if err != nil {
		return nil, ObjectInfo{}, clientError(err, "file "+f.String())
	}
	return rc, info, nil
}

// content fills c for a file the caller may read: a variant, a redirect,
// the info alone (HEAD) or the open file. info is the file's, when known.
func (s *Service) content(ctx context.Context, f FileID, info *ObjectInfo, r FetchRequest, c *Content) (*Content, error) {
	if s.tr != nil && ImageQuery(r.Query) {
		return s.variant(ctx, f, info, r, c)
	}
	if s.pre != nil {
		ttl := time.Hour
		if t, err := strconv.ParseInt(r.T, 10, 64); err == nil {
			ttl = min(ttl, max(time.Minute, time.Until(time.Unix(t, 0))))
		}
		u, err := s.pre.PresignGet(ctx, f.key(), ttl)
		if err != nil {
			return nil, clientError(err, "file "+f.String())
		}
		c.Redirect = u
		return c, nil
	}
	var err error
	if r.Head {
		if info == nil {
			st, err := s.be.Stat(ctx, f.key())
			if err != nil {
				return nil, clientError(err, "file "+f.String())
			}
			info = &st
		}
		c.Info = *info
	} else if c.Body, c.Info, err = s.be.Open(ctx, f.key()); err != nil {
		return nil, clientError(err, "file "+f.String())
	}
	if c.CacheControl == cachePublic && r.V != "" && r.V == version(c.Info.ETag) {
		c.CacheControl = cacheImmutable
	}
	return c, nil
}

// variant asks the Transformer for the image variant r.Query names.
func (s *Service) variant(ctx context.Context, f FileID, info *ObjectInfo, r FetchRequest, c *Content) (*Content, error) {
	if info == nil {
		st, err := s.be.Stat(ctx, f.key())
		if err != nil {
			return nil, clientError(err, "file "+f.String())
		}
		info = &st
	}
	src := Source{File: f, Info: *info, Open: func(ctx context.Context) (io.ReadSeekCloser, error) {
		rc, _, err := s.be.Open(ctx, f.key())
		return rc, err
	}}
	body, vi, err := s.tr.Transform(ctx, src, r.Query)
	if err != nil {
		return nil, clientError(err, "image "+f.String())
	}
	c.Body, c.Info = body, vi
	if r.Head {
		body.Close()
		c.Body = nil
	}
	if c.CacheControl == cachePublic && r.V != "" && r.V == version(info.ETag) {
		c.CacheControl = cacheImmutable
	}
	return c, nil
}

// signedCacheAge is how long a response to a signed URL may be cached:
// until the URL expires, and at most an hour.
func signedCacheAge(now time.Time, t int64) int64 {
	return max(0, min(t-now.Unix(), 3600))
}
