package s3

import (
	"context"
	"errors"
	"io"

	"github.com/minio/minio-go/v7"
)

// object reads one version of an S3 object: the body of the GET that Open
// made and, after a Seek, a ranged GET of the same version (If-Match its
// ETag, so an overwrite in between is an error, never a mix of versions).
//
// It keeps a context because it is read after Open returns — an HTTP
// server sends a body after its handler is done — so that context is
// detached from the request's cancellation (context.WithoutCancel).
type object struct {
	ctx  context.Context
	core minio.Core
	bkt  string
	name string // full S3 key
	etag string // as minio-go reports it, unquoted
	size int64
	body io.ReadCloser // nil after a Seek, until the next Read
	off  int64         // where body is
	pos  int64         // where the next Read reads
}

func (o *object) Read(p []byte) (int, error) {
	if o.pos >= o.size {
		return 0, io.EOF
	}
	if o.body == nil || o.off != o.pos {
		if o.body != nil {
			o.body.Close()
			o.body = nil
		}
		opts := minio.GetObjectOptions{}
		if err := opts.SetMatchETag(o.etag); err != nil {
			return 0, err
		}
		if o.pos > 0 { // SetRange(0, 0) would ask for one byte
			if err := opts.SetRange(o.pos, 0); err != nil {
				return 0, err
			}
		}
		body, _, _, err := o.core.GetObject(o.ctx, o.bkt, o.name, opts)
		if err != nil {
			return 0, err
		}
		o.body, o.off = body, o.pos
	}
	n, err := o.body.Read(p)
	o.off += int64(n)
	o.pos += int64(n)
	if err == io.EOF && o.pos < o.size {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

func (o *object) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		offset += o.pos
	case io.SeekEnd:
		offset += o.size
	}
	if offset < 0 {
		return 0, errors.New("s3 object: seek before the start")
	}
	o.pos = offset
	return offset, nil
}

func (o *object) Close() error {
	if o.body == nil {
		return nil
	}
	err := o.body.Close()
	o.body = nil
	return err
}
