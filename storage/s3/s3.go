// Package s3 is the storage backend for MinIO or any S3-compatible service,
// through minio-go (the MinIO project's S3 client: signing, multipart
// uploads, retries, presigning, which we would otherwise write ourselves).
// Objects live in one S3 bucket under an optional key prefix; the owner is
// kept as user metadata (x-amz-meta-owner).
package s3

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"minibase/storage"
)

// Config says where the objects are.
type Config struct {
	Endpoint  string // host:port, or a URL: https:// turns TLS on
	Bucket    string // the S3 bucket; created when missing
	AccessKey string
	SecretKey string
	Region    string // default us-east-1; set, so presigning needs no request
	PathStyle bool   // path-style URLs (MinIO); else virtual-host style
	Prefix    string // key prefix inside the bucket, e.g. "minibase/"; may be empty
	// Transport overrides the HTTP transport (tests); nil: minio-go's default.
	Transport http.RoundTripper
}

// Bucket is a storage.Bucket on an S3 bucket.
type Bucket struct {
	cl     *minio.Client
	bucket string
	prefix string
}

var (
	_ storage.Bucket    = (*Bucket)(nil)
	_ storage.Presigner = (*Bucket)(nil)
)

// Part sizes of multipart uploads. A large upload holds two parts in
// memory at once (the first, read to decide between one PUT and a
// multipart upload, and minio-go's part buffer), and S3 allows 10,000
// parts: the part size follows the largest object the caller expects
// (PutOptions.MaxSize), from 8 MiB (objects to 80 GiB) up to 5 GiB.
const (
	minPartSize     = 8 << 20
	maxPartSize     = 5 << 30
	unknownPartSize = 16 << 20 // when PutOptions.MaxSize is 0
	maxParts        = 9000     // below S3's 10,000, for headroom
)

// partSize returns the part size for objects of at most maxSize bytes.
func partSize(maxSize int64) int64 {
	if maxSize <= 0 {
		return unknownPartSize
	}
	p := (maxSize + maxParts - 1) / maxParts
	p = (p + 1<<20 - 1) &^ (1<<20 - 1) // whole MiB
	return min(maxPartSize, max(minPartSize, p))
}

// Open connects to the service and creates the bucket when missing.
func Open(ctx context.Context, cfg Config) (*Bucket, error) {
	endpoint, secure := cfg.Endpoint, false
	if u, err := url.Parse(cfg.Endpoint); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		endpoint, secure = u.Host, u.Scheme == "https"
	}
	region := cfg.Region
	if region == "" {
		region = "us-east-1"
	}
	lookup := minio.BucketLookupDNS
	if cfg.PathStyle {
		lookup = minio.BucketLookupPath
	}
	cl, err := minio.New(endpoint, &minio.Options{
		Creds:        credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:       secure,
		Region:       region,
		BucketLookup: lookup,
		Transport:    cfg.Transport,
		// With DisableContentSha256 below: a CRC32C checksum of the whole
		// object sent as a trailer (UNSIGNED-PAYLOAD-TRAILER), which the
		// server checks, instead of a SHA-256 signature over every 64 KiB
		// chunk (minio-go's default without TLS).
		TrailingHeaders: true,
	})
	if err != nil {
		return nil, fmt.Errorf("s3 client: %w", err)
	}
	prefix := cfg.Prefix
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	b := &Bucket{cl: cl, bucket: cfg.Bucket, prefix: prefix}
	ok, err := cl.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		return nil, fmt.Errorf("s3 bucket %s: %w", cfg.Bucket, err)
	}
	if !ok {
		if err := cl.MakeBucket(ctx, cfg.Bucket, minio.MakeBucketOptions{Region: region}); err != nil {
			return nil, fmt.Errorf("create s3 bucket %s: %w", cfg.Bucket, err)
		}
	}
	return b, nil
}

// Put implements storage.Bucket. Up to a part's worth of bytes is read
// first: a smaller object goes up in one PUT, a larger one as a multipart
// upload that minio-go aborts if r fails.
func (b *Bucket) Put(ctx context.Context, key string, r io.Reader, opts storage.PutOptions) (storage.ObjectInfo, error) {
	if !storage.ValidKey(key) {
		return storage.ObjectInfo{}, storage.ErrBadKey
	}
	typ := opts.ContentType
	if typ == "" {
		typ = storage.DefaultContentType
	}
	part := partSize(opts.MaxSize)
	po := minio.PutObjectOptions{ContentType: typ, PartSize: uint64(part), DisableContentSha256: true}
	if opts.Owner != "" {
		po.UserMetadata = map[string]string{"Owner": url.PathEscape(opts.Owner)} // x-amz-meta-owner
	}
	bufp := heads.Get().(*[]byte)
	defer heads.Put(bufp)
	head, eof, err := readHead(r, bufp, part)
	if err != nil {
		return storage.ObjectInfo{}, err
	}
	var body io.Reader = bytes.NewReader(head)
	size := int64(len(head))
	if !eof {
		body, size = io.MultiReader(body, &failReader{r: r}), -1
	}
	if err := ctx.Err(); err != nil {
		return storage.ObjectInfo{}, err
	}
	up, err := b.cl.PutObject(ctx, b.bucket, b.prefix+key, body, size, po)
	if err != nil {
		return storage.ObjectInfo{}, fmt.Errorf("s3 put: %w", err)
	}
	mod := up.LastModified // set for multipart uploads only
	if mod.IsZero() {
		mod = time.Now()
	}
	return b.info(minio.ObjectInfo{Key: b.prefix + key, Size: up.Size, ETag: up.ETag, LastModified: mod, ContentType: typ,
		UserMetadata: po.UserMetadata}), nil
}

// failReader keeps r's errors from being taken for the end of the body:
// minio-go's multipart upload reads parts with its own readFull, which
// takes io.ErrUnexpectedEOF (what a cut multipart form part returns) for
// io.EOF and completes the upload with the truncated body, and drops an
// error that comes with the bytes filling a part. Wrapped, and held back
// to the next Read when it comes with bytes, the error fails and aborts
// the upload; errors.Is still finds it.
type failReader struct {
	r   io.Reader
	err error
}

func (f *failReader) Read(p []byte) (int, error) {
	if f.err != nil {
		return 0, f.err
	}
	n, err := f.r.Read(p)
	if err != nil && err != io.EOF {
		f.err = fmt.Errorf("read body: %w", err)
		if n > 0 {
			return n, nil
		}
		return 0, f.err
	}
	return n, err
}

// heads are the buffers Put reads an object's first part into; they grow
// as needed, up to a part.
var heads = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

// readHead reads r into *bufp until EOF (eof) or limit bytes, growing the
// buffer by doubling but never past limit, and returns what it read.
func readHead(r io.Reader, bufp *[]byte, limit int64) (head []byte, eof bool, err error) {
	b := (*bufp)[:0]
	defer func() { *bufp = b[:0] }()
	for {
		if len(b) == cap(b) {
			if int64(len(b)) >= limit {
				return b, false, nil
			}
			nb := make([]byte, len(b), min(int64(2*cap(b)), limit))
			copy(nb, b)
			b = nb
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, true, nil
		}
		if err != nil {
			return nil, false, err
		}
	}
}

// Open implements storage.Bucket with one GET; its body is read as the
// reader is. The reader does not end with ctx (see object).
func (b *Bucket) Open(ctx context.Context, key string) (io.ReadSeekCloser, storage.ObjectInfo, error) {
	if !storage.ValidKey(key) {
		return nil, storage.ObjectInfo{}, storage.ErrBadKey
	}
	ctx = context.WithoutCancel(ctx)
	core := minio.Core{Client: b.cl}
	body, oi, _, err := core.GetObject(ctx, b.bucket, b.prefix+key, minio.GetObjectOptions{})
	if err != nil {
		return nil, storage.ObjectInfo{}, b.err(err, "open")
	}
	oi.Key = b.prefix + key
	obj := &object{ctx: ctx, core: core, bkt: b.bucket, name: b.prefix + key, etag: oi.ETag, size: oi.Size, body: body}
	return obj, b.info(oi), nil
}

// Stat implements storage.Bucket.
func (b *Bucket) Stat(ctx context.Context, key string) (storage.ObjectInfo, error) {
	if !storage.ValidKey(key) {
		return storage.ObjectInfo{}, storage.ErrBadKey
	}
	oi, err := b.cl.StatObject(ctx, b.bucket, b.prefix+key, minio.StatObjectOptions{})
	if err != nil {
		return storage.ObjectInfo{}, b.err(err, "stat")
	}
	return b.info(oi), nil
}

// Delete implements storage.Bucket.
func (b *Bucket) Delete(ctx context.Context, key string) error {
	if !storage.ValidKey(key) {
		return storage.ErrBadKey
	}
	if err := b.cl.RemoveObject(ctx, b.bucket, b.prefix+key, minio.RemoveObjectOptions{}); err != nil {
		if errors.Is(b.err(err, "delete"), storage.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("s3 delete: %w", err)
	}
	return nil
}

// List implements storage.Bucket. minio-go sends a page's objects before
// its folders; entries are collected (one more than fits, to know whether
// there is a next page) and put in key order.
func (b *Bucket) List(ctx context.Context, opts storage.ListOptions) (storage.ListPage, error) {
	if i := strings.LastIndex(opts.Prefix, "/"); i >= 0 && !storage.ValidKey(opts.Prefix[:i]) {
		return storage.ListPage{}, storage.ErrBadKey
	}
	limit := opts.Limit
	if limit <= 0 || limit > storage.MaxList {
		limit = storage.MaxList
	}
	after := opts.After
	if opts.Folders && strings.HasSuffix(after, "/") {
		after += "\U0010FFFF" // past every key in that folder, which S3 would roll up again
	}
	lo := minio.ListObjectsOptions{Prefix: b.prefix + opts.Prefix, Recursive: !opts.Folders, MaxKeys: min(limit+1, storage.MaxList)}
	if after != "" {
		lo.StartAfter = b.prefix + after
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops minio-go's listing goroutine once the page is full
	var got []minio.ObjectInfo
	for oi := range b.cl.ListObjects(ctx, b.bucket, lo) {
		if oi.Err != nil {
			return storage.ListPage{}, fmt.Errorf("s3 list: %w", oi.Err)
		}
		if got = append(got, oi); len(got) > limit {
			break
		}
	}
	slices.SortFunc(got, func(x, y minio.ObjectInfo) int { return strings.Compare(x.Key, y.Key) })
	page := storage.ListPage{Objects: []storage.ObjectInfo{}}
	if len(got) > limit {
		got = got[:limit]
		page.Next = strings.TrimPrefix(got[limit-1].Key, b.prefix)
	}
	for _, oi := range got {
		if strings.HasSuffix(oi.Key, "/") && oi.ETag == "" { // a folder (keys never end in "/")
			page.Prefixes = append(page.Prefixes, strings.TrimPrefix(oi.Key, b.prefix))
			continue
		}
		page.Objects = append(page.Objects, b.info(oi))
	}
	return page, nil
}

// PresignGet implements storage.Presigner.
func (b *Bucket) PresignGet(ctx context.Context, key string, ttl time.Duration) (string, error) {
	if !storage.ValidKey(key) {
		return "", storage.ErrBadKey
	}
	u, err := b.cl.PresignedGetObject(ctx, b.bucket, b.prefix+key, ttl, nil)
	if err != nil {
		return "", fmt.Errorf("s3 presign: %w", err)
	}
	return u.String(), nil
}

func (b *Bucket) info(oi minio.ObjectInfo) storage.ObjectInfo {
	owner, err := url.PathUnescape(oi.UserMetadata["Owner"])
	if err != nil {
		owner = ""
	}
	etag := oi.ETag
	if etag != "" && !strings.HasPrefix(etag, `"`) {
		etag = `"` + etag + `"`
	}
	return storage.ObjectInfo{
		Key:         strings.TrimPrefix(oi.Key, b.prefix),
		Size:        oi.Size,
		ContentType: oi.ContentType,
		ETag:        etag,
		ModTime:     oi.LastModified.UTC(),
		Owner:       owner,
	}
}

// err maps S3's "no such key" to storage.ErrNotExist.
func (b *Bucket) err(err error, op string) error {
	switch minio.ToErrorResponse(err).Code {
	case minio.NoSuchKey, "NotFound":
		return storage.ErrNotExist
	}
	return fmt.Errorf("s3 %s: %w", op, err)
}

// Ping checks that the bucket answers (a HEAD of the bucket) and exists.
func (b *Bucket) Ping(ctx context.Context) error {
	ok, err := b.cl.BucketExists(ctx, b.bucket)
	if err != nil {
		return fmt.Errorf("S3 bucket %q not reachable: %w", b.bucket, err)
	}
	if !ok {
		return fmt.Errorf("S3 bucket %q does not exist", b.bucket)
	}
	return nil
}
