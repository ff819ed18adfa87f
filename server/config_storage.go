package server

import (
	"errors"
	"time"

	"minibase/storage"
	"minibase/storage/s3"
)

// StorageConfig is object storage's part of Config.
type StorageConfig struct {
	Env       string        // the env id in fileIDs (and functions' ENV)
	Backend   string        // local or s3
	Dir       string        // local files; empty: <dir>/storage
	MaxSize   int64         // default max file size of new buckets
	SignKey   string        // shared URL signing key; empty: generated into <dir>
	PublicURL string        // base of temporary URLs; empty: from each request
	Idle      time.Duration // an upload sending nothing this long is dropped; 0: storage's default
	S3        s3.Config
	S3Proxy   bool             // downloads pass through minibase instead of a redirect
	Now       func() time.Time // the clock; nil: time.Now (tests move it)
	Images    ImageConfig
}

// ImageConfig is image variants' part of Config: thumbnails asked for in
// /f/ URLs (?imageView2/… or ?w=&h=&fit=&q=&format=), made by
// storage/image and cached on disk.
type ImageConfig struct {
	CacheDir    string // empty: <dir>/image-cache
	CacheSize   int64  // bytes of variants kept
	MaxPixels   int64  // largest source resized
	Memory      int64  // estimated bytes all transforms may hold together
	Concurrency int    // transforms at once (0: GOMAXPROCS, at most 4)
	Queue       int    // transforms waiting for a slot; beyond, 503
}

func (c *StorageConfig) settings() []setting {
	im := &c.Images
	return []setting{
		{env: "MINIBASE_ENV", def: "minibase", usage: "env id in fileIDs cloud://<env>.<bucket>/<path>, and functions' getWXContext().ENV",
			set: func(v string) error {
				if !storage.ValidEnv(v) {
					return errors.New("must be 1-64 lowercase letters, digits or '-'")
				}
				c.Env = v
				return nil
			}},
		{env: "MINIBASE_STORAGE", def: "local", usage: "local (files in MINIBASE_STORAGE_DIR) or s3", set: oneOf(&c.Backend, "local", "s3")},
		{env: "MINIBASE_STORAGE_DIR", usage: "where local files go (default <dir>/storage)", set: text(&c.Dir)},
		{env: "MINIBASE_STORAGE_MAX_SIZE", def: "100MiB", usage: "largest file of a new bucket (also the default bucket's, when created)",
			set: size(&c.MaxSize, 1, storage.MaxFileSize)},
		{env: "MINIBASE_STORAGE_SIGN_KEY", secret: true, usage: "key (32+ characters) signing temporary URLs, for several servers; default generated into <dir>",
			set: text(&c.SignKey)},
		{env: "MINIBASE_UPLOAD_IDLE_TIMEOUT", usage: "an upload that sends nothing this long is dropped (default 1m; uploads have no total limit)",
			set: duration(&c.Idle, time.Millisecond, 24*time.Hour)},
		{env: "MINIBASE_PUBLIC_URL", usage: "this server as clients reach it, e.g. https://api.example.com (default: from the request)",
			set: httpURL(&c.PublicURL)},
		{env: "MINIBASE_S3_ENDPOINT", usage: "with MINIBASE_STORAGE=s3: host:port or URL (https:// turns on TLS)", set: text(&c.S3.Endpoint)},
		{env: "MINIBASE_S3_BUCKET", usage: "the bucket (created when missing)", set: text(&c.S3.Bucket)},
		{env: "MINIBASE_S3_ACCESS_KEY", usage: "S3 access key", set: text(&c.S3.AccessKey)},
		{env: "MINIBASE_S3_SECRET_KEY", secret: true, usage: "S3 secret key", set: text(&c.S3.SecretKey)},
		{env: "MINIBASE_S3_REGION", usage: "S3 region (default us-east-1)", set: text(&c.S3.Region)},
		{env: "MINIBASE_S3_PATH_STYLE", def: "true", usage: "path-style URLs (MinIO); false: virtual-host style", set: boolean(&c.S3.PathStyle)},
		{env: "MINIBASE_S3_PREFIX", usage: "key prefix inside the bucket, e.g. minibase/", set: text(&c.S3.Prefix)},
		{env: "MINIBASE_S3_DOWNLOAD", def: "redirect", usage: "redirect (to a presigned URL) or proxy (through minibase)",
			set: func(v string) error {
				if v != "redirect" && v != "proxy" {
					return errors.New("must be redirect or proxy")
				}
				c.S3Proxy = v == "proxy"
				return nil
			}},
		{env: "MINIBASE_IMAGE_CACHE_DIR", usage: "where resized images are cached (default <dir>/image-cache)", set: text(&im.CacheDir)},
		{env: "MINIBASE_IMAGE_CACHE_SIZE", def: "1GiB", usage: "bytes of resized images kept; least recently used ones go first",
			set: size(&im.CacheSize, 1<<20, 1<<50)},
		{env: "MINIBASE_IMAGE_MAX_PIXELS", def: "50000000", usage: "largest source image resized, in pixels; bigger ones are refused before decoding",
			set: integer64(&im.MaxPixels, 1, 1_000_000_000)},
		{env: "MINIBASE_IMAGE_MEMORY", def: "512MiB", usage: "memory all image resizing may use together; " +
			"a variant that alone needs more (estimated before decoding) is refused", set: size(&im.Memory, 16<<20, 1<<50)},
		{env: "MINIBASE_IMAGE_CONCURRENCY", usage: "images resized at once (default: the CPU count, at most 4)", set: integer(&im.Concurrency, 1, 1024)},
		{env: "MINIBASE_IMAGE_QUEUE", def: "32", usage: "resizes waiting for their turn; beyond that, or after 10s of waiting, 503 with Retry-After",
			set: integer(&im.Queue, 1, 1024)},
	}
}

func (c *StorageConfig) check() error {
	if c.Backend == "s3" && (c.S3.Endpoint == "" || c.S3.Bucket == "" || c.S3.AccessKey == "" || c.S3.SecretKey == "") {
		return errors.New("MINIBASE_STORAGE=s3 needs MINIBASE_S3_ENDPOINT, _BUCKET, _ACCESS_KEY and _SECRET_KEY")
	}
	return nil
}
