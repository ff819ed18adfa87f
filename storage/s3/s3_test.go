package s3_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"minibase/storage"
	"minibase/storage/s3"
	"minibase/storage/s3/miniotest"
	"minibase/storage/storagetest"
)

// TestConformance runs the suite against a real MinIO server, one key
// prefix per subtest.
func TestConformance(t *testing.T) {
	srv := miniotest.Start(t)
	var n atomic.Int64
	storagetest.Run(t, func(t *testing.T) storage.Bucket {
		b, err := s3.Open(context.Background(), s3.Config{Endpoint: srv.Endpoint, Bucket: "conformance",
			AccessKey: srv.AccessKey, SecretKey: srv.SecretKey, PathStyle: true, Prefix: fmt.Sprintf("t%d", n.Add(1))})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}, storagetest.Options{})
}
