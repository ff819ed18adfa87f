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

// TestStorageEnvID: fileIDs carry the configured env id, and fileIDs of
// another env are not this server's files.
func TestStorageEnvID(t *testing.T) {
	m := newTestMain(t, func(c *Config) { c.Storage.Env = "shop-prod" })
	want(t, "upload", m.upload(t, testKey, "", "a.txt", "a", ""), 200, `{"fileID":"cloud://shop-prod.default/a.txt"}`)
	want(t, "other env", m.send(t, "POST", "/v1/storage/temp-urls", testKey, []byte(`{"fileList":["cloud://minibase.default/a.txt"]}`)), 200,
		`{"fileList":[{"status":-503003,"code":"STORAGE_FILE_NONEXIST"}]}`)
}
