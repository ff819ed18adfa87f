package storage

import (
	"context"
	"errors"
	"io"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"minibase/auth"
)

// Config is what New needs.
type Config struct {
	Env     string // the env id in fileIDs (cloud://<Env>.<bucket>/…)
	Backend Bucket
	SignKey []byte // signs temporary URLs (LoadSignKey)
	// MaxSize is the max file size of buckets created without one,
	// including the default bucket when it is first created (default 100 MiB).
	MaxSize int64
	// Proxy makes downloads from a backend that can presign (S3) pass
	// through this server instead of redirecting to the backend.
	Proxy bool
	// Transformer, when set, makes image variants (see Transformer).
	Transformer Transformer
	// UploadIdle is how long an upload may send nothing before it is
	// abandoned (default UploadIdleTimeout). Uploads have no overall time
	// limit: a large file on a slow link takes long.
	UploadIdle time.Duration
	// PublicURL is this server's address as clients reach it
	// (https://api.example.com), the base of temporary URLs; empty: taken
	// from each request (scheme and Host).
	PublicURL string
	Now       func() time.Time // the clock; nil: time.Now
	// Space, when set, is asked before each upload whether the disk is
	// full (then the upload fails at once with CodeDiskFull), and told of
	// uploads that failed because it is. Deletes run regardless.
	Space Space
}

// Space is the disk the files live on, as the server sees it (its disk
// reserve).
type Space interface {
	// Full reports whether the disk is full: then uploads fail at once.
	Full() bool
	// Exhausted is told that a write failed because the disk is full.
	Exhausted()
}

// Defaults of Config.
const (
	DefaultMaxSize    = 100 << 20
	UploadIdleTimeout = time.Minute
)

// Service is object storage: buckets, uploads, temporary URLs, deletes and
// downloads, each checked against the bucket's rule for the caller in ctx
// (auth.FromContext). It is safe for concurrent use.
type Service struct {
	env string
	pub string
	// pubLive, once set (SetPublicURL), replaces pub.
	pubLive atomic.Pointer[string]
	be      Bucket
	pre     Presigner // nil unless the backend presigns and Proxy is off
	sig     signer
	tr      Transformer
	now     func() time.Time
	max     int64
	cat     catalog
	limit   int           // items per temp-urls or delete call
	idle    time.Duration // Config.UploadIdle
	space   Space         // nil: never full
}

// MaxBatch is the most fileIDs one temp-urls or delete call takes (as CloudBase).
const MaxBatch = 50

// New opens the service: it loads the bucket catalog from the backend,
// creating the default bucket the first time.
func New(ctx context.Context, cfg Config) (*Service, error) {
	if !ValidEnv(cfg.Env) {
		return nil, errors.New("storage: env id must be 1-64 lowercase letters, digits or '-'")
	}
	if len(cfg.SignKey) < 32 {
		return nil, errors.New("storage: sign key must be at least 32 bytes")
	}
	s := &Service{env: cfg.Env, pub: strings.TrimRight(cfg.PublicURL, "/"), be: cfg.Backend, sig: signer{cfg.SignKey}, tr: cfg.Transformer,
		now: cfg.Now, max: cfg.MaxSize, limit: MaxBatch, space: cfg.Space}
	if s.now == nil {
		s.now = time.Now
	}
	if s.max <= 0 {
		s.max = DefaultMaxSize
	}
	if s.idle = cfg.UploadIdle; s.idle <= 0 {
		s.idle = UploadIdleTimeout
	}
	if p, ok := cfg.Backend.(Presigner); ok && !cfg.Proxy {
		s.pre = p
	}
	s.cat = catalog{be: cfg.Backend, now: s.now}
	if err := s.cat.load(ctx, BucketSettings{MaxSize: s.max, AllowedTypes: []string{}, Rule: DefaultRule}); err != nil {
		return nil, err
	}
	return s, nil
}

// Backend returns the backend the service keeps its objects in, for
// those who keep objects of their own beside the buckets, under a key
// prefix no bucket can have (".minibase/…").
func (s *Service) Backend() Bucket { return s.be }

// Env returns the env id of this server's fileIDs.
func (s *Service) Env() string { return s.env }

// PublicURL returns the server's address as clients reach it
// (Config.PublicURL, without a trailing "/"), or "" when it is taken from
// each request.
func (s *Service) PublicURL() string {
	if p := s.pubLive.Load(); p != nil {
		return *p
	}
	return s.pub
}

// SetPublicURL changes PublicURL while the server runs (the admin
// console's app.publicURL); "" takes it from each request again.
func (s *Service) SetPublicURL(u string) {
	u = strings.TrimRight(u, "/")
	s.pubLive.Store(&u)
}

// bucket returns a bucket's settings or CodeBucketNotExist.
func (s *Service) bucket(ctx context.Context, name string) (*BucketSettings, error) {
	if !ValidBucketName(name) {
		return nil, Errorf(CodeInvalidParam, "invalid bucket name %.70q", name)
	}
	b, ok, err := s.cat.get(ctx, name)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, Errorf(CodeBucketNotExist, "bucket %q does not exist", name)
	}
	return b, nil
}

// parse checks a fileID from a client: well formed and of this env.
func (s *Service) parse(fileID string) (FileID, error) {
	f, err := ParseFileID(fileID)
	if err != nil {
		return f, err
	}
	if f.Env != s.env {
		return f, Errorf(CodeFileNotExist, "fileID %.100q belongs to env %q; this server is %q", fileID, f.Env, s.env)
	}
	return f, nil
}

// UploadRequest is one file to store.
type UploadRequest struct {
	Bucket      string // "" is DefaultBucket
	Path        string // the cloudPath
	ContentType string // "" is guessed from Path
	Body        io.Reader
	// Declared is the size the client announced for the whole request
	// body (Content-Length), or -1: a body declared far over the bucket's
	// max size is refused before any of it is read.
	Declared int64
}

// UploadOverhead is how much a request body may exceed the file it carries
// (multipart boundaries, headers, the cloudPath field).
const UploadOverhead = 64 << 10

// Upload stores a file, replacing the one at the same path (as CloudBase).
// Everything is checked before the body is read: the path, the bucket,
// its allowed types, the declared size, the rule (for an overwrite,
// against the existing file's owner), and that the disk is not full. Then
// the body is streamed to the backend; more than the bucket's max size is
// CodeFileTooLarge, a full disk CodeDiskFull, and nothing is stored.
func (s *Service) Upload(ctx context.Context, req UploadRequest) (FileID, ObjectInfo, error) {
	if req.Bucket == "" {
		req.Bucket = DefaultBucket
	}
	f := FileID{Env: s.env, Bucket: req.Bucket, Path: req.Path}
	if err := ValidPath(req.Path); err != nil {
		return f, ObjectInfo{}, err
	}
	b, err := s.bucket(ctx, req.Bucket)
	if err != nil {
		return f, ObjectInfo{}, err
	}
	typ := req.ContentType
	if typ == "" || typ == DefaultContentType {
		typ = TypeByName(req.Path)
	}
	if !b.allowsType(typ) {
		return f, ObjectInfo{}, Errorf(CodeTypeNotAllowed, "bucket %q does not take %s files (allowed: %s)", b.Name, typ, strings.Join(b.AllowedTypes, ", "))
	}
	if req.Declared > b.MaxSize+UploadOverhead {
		return f, ObjectInfo{}, tooLarge(b)
	}
	id := auth.FromContext(ctx)
	if !id.IsAdmin() {
		owner := id.OpenID
		if old, err := s.be.Stat(ctx, f.key()); err == nil {
			owner = old.Owner
		} else if !errors.Is(err, ErrNotExist) {
			return f, ObjectInfo{}, clientError(err, "file")
		}
		if !b.Rule.allows(ctx, id, opWrite, resource{OpenID: owner, Path: f.Path}, s.now()) {
			return f, ObjectInfo{}, denied(id, "upload to", f)
		}
	}
	owner := ""
	if !id.IsAdmin() {
		owner = id.OpenID
	}
	if s.space != nil && s.space.Full() {
		return f, ObjectInfo{}, diskFull("upload")
	}
	body := &limitReader{r: req.Body, left: b.MaxSize}
	info, err := s.be.Put(ctx, f.key(), body, PutOptions{ContentType: typ, Owner: owner, MaxSize: b.MaxSize})
	switch {
	case err == nil:
		return f, info, nil
	case errors.Is(err, ErrTooLarge):
		return f, ObjectInfo{}, tooLarge(b)
	case body.err != nil && ctx.Err() == nil: // the client's body broke off
		return f, ObjectInfo{}, Errorf(CodeInvalidParam, "upload body ended early or is malformed: %v", body.err)
	case DiskFull(err) && s.space != nil:
		s.space.Exhausted()
	}
	return f, ObjectInfo{}, clientError(err, "upload")
}

func tooLarge(b *BucketSettings) error {
	return Errorf(CodeFileTooLarge, "file is larger than bucket %q allows (%d bytes)", b.Name, b.MaxSize)
}

// limitReader passes at most left bytes and fails with ErrTooLarge when r
// has more. It keeps the first error r gave other than io.EOF, to tell a
// broken upload from a failing backend.
type limitReader struct {
	r    io.Reader
	left int64
	err  error
}

func (l *limitReader) Read(p []byte) (int, error) {
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.r.Read(p)
	if int64(n) > l.left {
		return 0, ErrTooLarge
	}
	l.left -= int64(n)
	if err != nil && err != io.EOF && l.err == nil {
		l.err = err
	}
	return n, err
}

// escapePath percent-encodes each segment of a path for a URL.
func escapePath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}
