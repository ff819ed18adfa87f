package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"minibase/storage"
	"minibase/storage/local"
	"minibase/storage/s3"
)

// StorageConfig is object storage's part of Config.
type StorageConfig struct {
	Env       string        // MINIBASE_ENV: the env id in fileIDs (default minibase)
	Backend   string        // MINIBASE_STORAGE: local (default) or s3
	Dir       string        // MINIBASE_STORAGE_DIR: local files; empty: <dir>/storage
	MaxSize   int64         // MINIBASE_STORAGE_MAX_SIZE: default max file size of new buckets
	SignKey   string        // MINIBASE_STORAGE_SIGN_KEY: shared URL signing key; default generated into <dir>
	PublicURL string        // MINIBASE_PUBLIC_URL: base of temporary URLs; default from each request
	Idle      time.Duration // MINIBASE_UPLOAD_IDLE_TIMEOUT: an upload sending nothing this long is dropped
	S3        s3.Config
	S3Proxy   bool             // MINIBASE_S3_DOWNLOAD=proxy: downloads pass through minibase
	Now       func() time.Time // the clock; nil: time.Now (tests move it)
	Images    ImageConfig
}

const storageUsage = `  MINIBASE_ENV               env id in fileIDs cloud://<env>.<bucket>/<path>,
                             and functions' getWXContext().ENV (default minibase)
  MINIBASE_STORAGE           local (default: files in <dir>/storage) or s3
  MINIBASE_STORAGE_DIR       where local files go (default <dir>/storage)
  MINIBASE_STORAGE_MAX_SIZE  largest file of a new bucket, e.g. 100MiB (the
                             default; also the default bucket's, when created)
  MINIBASE_STORAGE_SIGN_KEY  key (32+ characters) signing temporary URLs, for
                             several servers; default generated into <dir>
  MINIBASE_UPLOAD_IDLE_TIMEOUT  an upload that sends nothing this long is
                             dropped (default 1m; uploads have no total limit)
  MINIBASE_PUBLIC_URL        this server as clients reach it, e.g.
                             https://api.example.com (default: from the request)
  MINIBASE_S3_ENDPOINT       with MINIBASE_STORAGE=s3: host:port or URL (https://
                             turns on TLS); MINIBASE_S3_BUCKET, MINIBASE_S3_ACCESS_KEY,
                             MINIBASE_S3_SECRET_KEY, MINIBASE_S3_REGION (us-east-1),
                             MINIBASE_S3_PATH_STYLE (true), MINIBASE_S3_PREFIX
  MINIBASE_S3_DOWNLOAD       redirect (default: to a presigned URL) or proxy
` + imageUsage

func parseStorage(getenv func(string) string) (StorageConfig, error) {
	c := StorageConfig{
		Env:       envOr(getenv, "MINIBASE_ENV", "minibase"),
		Backend:   envOr(getenv, "MINIBASE_STORAGE", "local"),
		Dir:       getenv("MINIBASE_STORAGE_DIR"),
		MaxSize:   storage.DefaultMaxSize,
		SignKey:   getenv("MINIBASE_STORAGE_SIGN_KEY"),
		PublicURL: getenv("MINIBASE_PUBLIC_URL"),
		S3: s3.Config{
			Endpoint: getenv("MINIBASE_S3_ENDPOINT"), Bucket: getenv("MINIBASE_S3_BUCKET"),
			AccessKey: getenv("MINIBASE_S3_ACCESS_KEY"), SecretKey: getenv("MINIBASE_S3_SECRET_KEY"),
			Region: getenv("MINIBASE_S3_REGION"), Prefix: getenv("MINIBASE_S3_PREFIX"), PathStyle: true,
		},
	}
	if !storage.ValidEnv(c.Env) {
		return c, fmt.Errorf("MINIBASE_ENV must be 1-64 lowercase letters, digits or '-', got %q", c.Env)
	}
	if v := getenv("MINIBASE_STORAGE_MAX_SIZE"); v != "" {
		n, err := parseSize(v)
		if err != nil || n < 1 || n > storage.MaxFileSize {
			return c, fmt.Errorf("MINIBASE_STORAGE_MAX_SIZE must be a size like 100MiB or 5000000 (bytes), got %q", v)
		}
		c.MaxSize = n
	}
	if v := getenv("MINIBASE_UPLOAD_IDLE_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return c, fmt.Errorf("MINIBASE_UPLOAD_IDLE_TIMEOUT must be a duration like 1m, got %q", v)
		}
		c.Idle = d
	}
	if v := getenv("MINIBASE_S3_PATH_STYLE"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return c, fmt.Errorf("MINIBASE_S3_PATH_STYLE must be true or false, got %q", v)
		}
		c.S3.PathStyle = b
	}
	switch v := envOr(getenv, "MINIBASE_S3_DOWNLOAD", "redirect"); v {
	case "redirect", "proxy":
		c.S3Proxy = v == "proxy"
	default:
		return c, fmt.Errorf("MINIBASE_S3_DOWNLOAD must be redirect or proxy, got %q", v)
	}
	var err error
	if c.Images, err = parseImages(getenv); err != nil {
		return c, err
	}
	switch c.Backend {
	case "local":
	case "s3":
		if c.S3.Endpoint == "" || c.S3.Bucket == "" || c.S3.AccessKey == "" || c.S3.SecretKey == "" {
			return c, fmt.Errorf("MINIBASE_STORAGE=s3 needs MINIBASE_S3_ENDPOINT, _BUCKET, _ACCESS_KEY and _SECRET_KEY")
		}
	default:
		return c, fmt.Errorf("MINIBASE_STORAGE must be local or s3, got %q", c.Backend)
	}
	return c, nil
}

// parseSize reads a byte count: a number, optionally followed by KiB, MiB,
// GiB (or KB, MB, GB, also powers of 1024).
func parseSize(v string) (int64, error) {
	num, unit := strings.TrimSpace(v), int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30}} {
		if s, ok := strings.CutSuffix(num, u.suffix); ok {
			num, unit = strings.TrimSpace(s), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n > (1<<62)/unit {
		return 0, fmt.Errorf("invalid size %q", v)
	}
	return n * unit, nil
}

// openStorage opens the configured backend and the storage service on it;
// space is the local disk's state (S3's disk is not ours to watch). The
// returned closer releases the backend.
func openStorage(ctx context.Context, cfg Config, space storage.Space) (*storage.Service, io.Closer, error) {
	sc := cfg.Storage
	key, err := storage.LoadSignKey(cfg.Dir, sc.SignKey)
	if err != nil {
		return nil, nil, err
	}
	var be storage.Bucket
	var closer io.Closer = io.NopCloser(nil)
	switch sc.Backend {
	case "s3":
		b, err := s3.Open(ctx, sc.S3)
		if err != nil {
			return nil, nil, err
		}
		be, space = b, nil
	default:
		dir := sc.Dir
		if dir == "" {
			dir = filepath.Join(cfg.Dir, "storage")
		}
		b, err := local.Open(dir)
		if err != nil {
			return nil, nil, err
		}
		be, closer = b, b
	}
	tr, err := openImages(cfg.Dir, sc.Images)
	if err != nil {
		closer.Close()
		return nil, nil, err
	}
	svc, err := storage.New(ctx, storage.Config{Env: sc.Env, Backend: be, SignKey: key, MaxSize: sc.MaxSize,
		Proxy: sc.S3Proxy, PublicURL: sc.PublicURL, UploadIdle: sc.Idle, Now: sc.Now, Transformer: tr, Space: space})
	if err != nil {
		closer.Close()
		return nil, nil, err
	}
	return svc, closer, nil
}
