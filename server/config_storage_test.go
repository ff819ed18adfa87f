package server

import (
	"testing"
	"time"

	"minibase/storage"
)

func TestParseStorage(t *testing.T) {
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	c, err := parseStorage(getenv)
	if err != nil || c.Env != "minibase" || c.Backend != "local" || c.Dir != "" || c.MaxSize != storage.DefaultMaxSize || c.S3Proxy || !c.S3.PathStyle {
		t.Fatalf("defaults: %+v %v", c, err)
	}
	env = map[string]string{"MINIBASE_ENV": "prod-1", "MINIBASE_STORAGE": "s3", "MINIBASE_S3_ENDPOINT": "https://s3.example.com",
		"MINIBASE_S3_BUCKET": "b", "MINIBASE_S3_ACCESS_KEY": "a", "MINIBASE_S3_SECRET_KEY": "s", "MINIBASE_S3_PATH_STYLE": "false",
		"MINIBASE_S3_DOWNLOAD": "proxy", "MINIBASE_STORAGE_MAX_SIZE": "2GiB", "MINIBASE_UPLOAD_IDLE_TIMEOUT": "90s"}
	c, err = parseStorage(getenv)
	if err != nil || c.Env != "prod-1" || c.Backend != "s3" || c.S3.PathStyle || !c.S3Proxy || c.MaxSize != 2<<30 ||
		c.S3.Endpoint != "https://s3.example.com" || c.Idle != 90*time.Second {
		t.Fatalf("s3: %+v %v", c, err)
	}
	for _, bad := range []map[string]string{
		{"MINIBASE_ENV": "Prod"}, {"MINIBASE_ENV": "a.b"}, {"MINIBASE_STORAGE": "ftp"}, {"MINIBASE_STORAGE": "s3"},
		{"MINIBASE_STORAGE_MAX_SIZE": "lots"}, {"MINIBASE_STORAGE_MAX_SIZE": "0"}, {"MINIBASE_STORAGE_MAX_SIZE": "-5MiB"},
		{"MINIBASE_STORAGE_MAX_SIZE": "99999999GiB"}, {"MINIBASE_S3_DOWNLOAD": "stream"}, {"MINIBASE_S3_PATH_STYLE": "maybe"},
		{"MINIBASE_UPLOAD_IDLE_TIMEOUT": "0s"}, {"MINIBASE_UPLOAD_IDLE_TIMEOUT": "soon"},
	} {
		if _, err := parseStorage(func(k string) string { return bad[k] }); err == nil {
			t.Errorf("%v: want an error", bad)
		}
	}
	for in, want := range map[string]int64{"5000": 5000, "64KiB": 64 << 10, "100 MiB": 100 << 20, "1GB": 1 << 30} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
}

// TestParseImages: the image settings, their defaults and their bounds;
// parseStorage reports a bad one.
func TestParseImages(t *testing.T) {
	c, err := parseImages(func(string) string { return "" })
	if err != nil || c != (ImageConfig{CacheSize: 1 << 30, MaxPixels: 50_000_000, Memory: 512 << 20, Queue: 32}) {
		t.Fatalf("defaults: %+v %v", c, err)
	}
	env := map[string]string{"MINIBASE_IMAGE_CACHE_DIR": "/var/cache/mb", "MINIBASE_IMAGE_CACHE_SIZE": "256MiB", "MINIBASE_IMAGE_MAX_PIXELS": "12000000",
		"MINIBASE_IMAGE_MEMORY": "1GiB", "MINIBASE_IMAGE_CONCURRENCY": "2", "MINIBASE_IMAGE_QUEUE": "8"}
	c, err = parseImages(func(k string) string { return env[k] })
	if err != nil || c != (ImageConfig{CacheDir: "/var/cache/mb", CacheSize: 256 << 20, MaxPixels: 12_000_000, Memory: 1 << 30, Concurrency: 2, Queue: 8}) {
		t.Fatalf("set: %+v %v", c, err)
	}
	for _, bad := range []map[string]string{
		{"MINIBASE_IMAGE_CACHE_SIZE": "lots"}, {"MINIBASE_IMAGE_CACHE_SIZE": "100KiB"}, {"MINIBASE_IMAGE_CACHE_SIZE": "0"},
		{"MINIBASE_IMAGE_MAX_PIXELS": "0"}, {"MINIBASE_IMAGE_MAX_PIXELS": "50MP"}, {"MINIBASE_IMAGE_MAX_PIXELS": "2000000000"},
		{"MINIBASE_IMAGE_MEMORY": "1MiB"}, {"MINIBASE_IMAGE_MEMORY": "much"}, {"MINIBASE_IMAGE_CONCURRENCY": "0"},
		{"MINIBASE_IMAGE_CONCURRENCY": "two"}, {"MINIBASE_IMAGE_QUEUE": "-1"}, {"MINIBASE_IMAGE_QUEUE": "100000"},
	} {
		if _, err := parseImages(func(k string) string { return bad[k] }); err == nil {
			t.Errorf("%v: want an error", bad)
		}
	}
	if _, err := parseStorage(func(k string) string { return map[string]string{"MINIBASE_IMAGE_CACHE_SIZE": "x"}[k] }); err == nil {
		t.Error("parseStorage ignored a bad MINIBASE_IMAGE_CACHE_SIZE")
	}
}
