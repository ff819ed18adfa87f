package storage

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
)

// Temporary URL lifetimes.
const (
	DefaultMaxAge = 86400 // seconds, when a request names none
	MaxMaxAge     = 86400 // the longest a signed URL lives (as CloudBase: one day)
)

// TempURLItem asks for one file's URL. In JSON it is a fileID string or
// {"fileID", "maxAge"}.
type TempURLItem struct {
	FileID string `json:"fileID"`
	MaxAge int64  `json:"maxAge"` // seconds; 0: DefaultMaxAge; capped at MaxMaxAge
}

// Result is the outcome of one item of a batch, in CloudBase's shape:
// Status 0 and ErrMsg "ok", or the errCode and "<code>: <message>".
type Result struct {
	FileID      string `json:"fileID"`
	TempFileURL string `json:"tempFileURL,omitempty"`
	MaxAge      int64  `json:"maxAge,omitempty"`
	Status      int    `json:"status"`
	Code        string `json:"code,omitempty"`
	ErrMsg      string `json:"errMsg"`
}

// TempURLs returns a URL for each file the caller may read, under base
// (scheme://host of this server). Files of public buckets get a plain
// /f/ URL with a version parameter (cacheable for a year, changing when
// the file does); others a signed URL that expires after maxAge. Failures
// are per item; an internal failure fails the call.
func (s *Service) TempURLs(ctx context.Context, items []TempURLItem, base string) ([]Result, error) {
	if err := s.checkBatch(len(items)); err != nil {
		return nil, err
	}
	base = strings.TrimRight(base, "/")
	return s.each(ctx, len(items), func(i int) (Result, error) {
		it := items[i]
		res := Result{FileID: it.FileID, MaxAge: it.MaxAge}
		if res.MaxAge <= 0 {
			res.MaxAge = DefaultMaxAge
		}
		res.MaxAge = min(res.MaxAge, MaxMaxAge)
		f, b, info, err := s.access(ctx, it.FileID, opRead, "read")
		if err != nil {
			return res, err
		}
		u := base + "/f/" + f.Bucket + "/" + escapePath(f.Path)
		if b.Rule.public() {
			u += "?v=" + version(info.ETag)
		} else {
			t := s.now().Unix() + res.MaxAge
			u += "?sign=" + s.sig.sign(f.Bucket, f.Path, info.Owner, t) + "&t=" + strconv.FormatInt(t, 10)
		}
		res.TempFileURL = u
		return res, nil
	})
}

// Delete removes the files the caller may write. Failures (a missing file,
// a rule that says no) are per item.
func (s *Service) Delete(ctx context.Context, fileIDs []string) ([]Result, error) {
	if err := s.checkBatch(len(fileIDs)); err != nil {
		return nil, err
	}
	return s.each(ctx, len(fileIDs), func(i int) (Result, error) {
		res := Result{FileID: fileIDs[i]}
		f, _, _, err := s.access(ctx, fileIDs[i], opWrite, "delete")
		if err != nil {
			return res, err
		}
		return res, clientError(s.be.Delete(ctx, f.key()), "delete")
	})
}

func (s *Service) checkBatch(n int) error {
	if n == 0 {
		return Errorf(CodeInvalidParam, "fileList is empty")
	}
	if n > s.limit {
		return Errorf(CodeInvalidParam, "fileList has %d items; at most %d per call", n, s.limit)
	}
	return nil
}

// batchWorkers bounds how many items of a batch run at once (each is a
// round trip to S3 with that backend).
const batchWorkers = 8

// each runs one(i) for every item, a few at a time, and collects results:
// an *Error becomes the item's status; any other error fails the batch.
func (s *Service) each(ctx context.Context, n int, one func(i int) (Result, error)) ([]Result, error) {
	out := make([]Result, n)
	errs := make([]error, n)
	sem := make(chan struct{}, batchWorkers)
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			res, err := one(i)
			var e *Error
			switch {
			case err == nil:
				res.ErrMsg = "ok"
			case errors.As(err, &e):
				res.TempFileURL, res.Status, res.Code, res.ErrMsg = "", e.ErrCode, e.Code, e.Code+": "+e.Message
			default:
				errs[i] = err
			}
			out[i] = res
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, ctx.Err()
}

// version is the v parameter of a public URL: a short form of the ETag.
func version(etag string) string {
	v := strings.Trim(etag, `"`)
	if len(v) > 16 {
		v = v[:16]
	}
	return v
}
