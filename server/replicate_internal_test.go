package server

import (
	"strings"
	"testing"
	"time"
)

// TestParseReplicaConfig: continuous backup is off by default; its
// settings parse with their limits, and a bucket without the S3 server's
// settings is refused.
func TestParseReplicaConfig(t *testing.T) {
	def, err := ParseConfig(nil, func(string) string { return "" })
	want := ReplicaConfig{S3Prefix: "replica/", Interval: time.Second, SnapshotEvery: 24 * time.Hour, Retain: 72 * time.Hour, MaxWAL: 1 << 30}
	if err != nil || def.Backup.Replica != want {
		t.Fatalf("defaults: %+v, %v; want %+v", def.Backup.Replica, err, want)
	}
	s3 := map[string]string{"MINIBASE_S3_ENDPOINT": "127.0.0.1:9000", "MINIBASE_S3_ACCESS_KEY": "a", "MINIBASE_S3_SECRET_KEY": "b"}
	env := map[string]string{"MINIBASE_REPLICATE_S3_BUCKET": "rep", "MINIBASE_REPLICATE_S3_PREFIX": "/prod/db", "MINIBASE_REPLICATE_INTERVAL": "250ms",
		"MINIBASE_REPLICATE_SNAPSHOT_EVERY": "6h", "MINIBASE_REPLICATE_RETAIN": "7d", "MINIBASE_REPLICATE_MAX_WAL": "256MiB"}
	for k, v := range s3 {
		env[k] = v
	}
	cfg, err := ParseConfig(nil, func(k string) string { return env[k] })
	want = ReplicaConfig{S3Bucket: "rep", S3Prefix: "prod/db/", Interval: 250 * time.Millisecond, SnapshotEvery: 6 * time.Hour, Retain: 7 * 24 * time.Hour, MaxWAL: 256 << 20}
	if err != nil || cfg.Backup.Replica != want {
		t.Errorf("parsed %+v, %v; want %+v", cfg.Backup.Replica, err, want)
	}
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"MINIBASE_REPLICATE_INTERVAL": "10ms"}, "MINIBASE_REPLICATE_INTERVAL"},
		{map[string]string{"MINIBASE_REPLICATE_MAX_WAL": "1MiB"}, "MINIBASE_REPLICATE_MAX_WAL"},
		{map[string]string{"MINIBASE_REPLICATE_S3_PREFIX": "a/../b"}, "MINIBASE_REPLICATE_S3_PREFIX"},
		{map[string]string{"MINIBASE_REPLICATE_S3_BUCKET": "rep"}, "needs MINIBASE_S3_ENDPOINT"},
	} {
		_, err := ParseConfig(nil, func(k string) string { return tc.env[k] })
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v; want an error naming %s", tc.env, err, tc.want)
		}
	}
}

// TestParseReplicaURL: --from is s3://bucket/prefix/; anything else is
// refused with the form to use.
func TestParseReplicaURL(t *testing.T) {
	for _, tc := range []struct{ from, bucket, prefix, err string }{
		{from: "s3://rep/replica/", bucket: "rep", prefix: "replica/"},
		{from: "s3://rep/prod/db", bucket: "rep", prefix: "prod/db/"},
		{from: "s3://rep", bucket: "rep", prefix: "default/"},
		{from: "https://rep/x", err: "must be s3://"},
		{from: "s3:///x", err: "must be s3://"},
		{from: "s3://rep/a/../b", err: "bad prefix"},
		{from: "s3://rep/x?versionId=1", err: "must be s3://"},
	} {
		b, p, err := ParseReplicaURL(tc.from, "default/")
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: %v; want an error with %q", tc.from, err, tc.err)
			}
			continue
		}
		if err != nil || b != tc.bucket || p != tc.prefix {
			t.Errorf("%s: %q %q %v; want %q %q", tc.from, b, p, err, tc.bucket, tc.prefix)
		}
	}
}
