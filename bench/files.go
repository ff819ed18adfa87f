package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"strings"
	"sync"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// File scenario sizes.
const (
	size4k   = 4 << 10
	size1m   = 1 << 20
	size1g   = 1 << 30
	numSmall = 64 // distinct 4 KiB files, picked at random
	numLarge = 8  // distinct 1 MiB files
	numPuts  = 64 // distinct upload paths, so concurrent uploads rarely share one
)

// fileScenarios are the object-storage scenarios. They are not in the
// default list: run them with -scenarios (and -docs 1), see `make bench-files`.
func fileScenarios() []scenario {
	return []scenario{
		{name: "file-get-4k", what: "GET a public 4 KiB file (/f/…, sendfile)", op: opGet4k, setup: setupFiles, bytes: size4k},
		{name: "file-get-1m", what: "GET a public 1 MiB file (/f/…, sendfile)", op: opGet1m, setup: setupFiles, bytes: size1m},
		{name: "file-put-1m", what: "upload 1 MiB (multipart, streamed to the store)", op: opPut1m, bytes: size1m},
		{name: "file-put-1g", what: "upload 1 GiB, 1 client (server memory must stay flat)", serial: true, op: opPut1g, setup: setupBig, bytes: size1g},
		{name: "s3-raw-put-1m", what: "minio-go PUT of 1 MiB straight to MinIO (baseline; -storage s3)", op: opRawPut, setup: setupRaw, bytes: size1m},
		thumbScenario(),
	}
}

// fill is the content of the bench files: n reproducible pseudo-random
// bytes, like compressed media (a pattern without '\r' would make every
// multipart boundary scan walk whole buffers, which real files do not).
func fill(n int) []byte {
	b := make([]byte, n)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

var (
	data4k = fill(size4k)
	data1m = fill(size1m)
)

// setupFiles uploads the files the download scenarios read.
func setupFiles(ctx context.Context, e *env) error {
	for i := range numSmall {
		if err := e.upload(ctx, "", fmt.Sprintf("bench/4k/%d.bin", i), bytes.NewReader(data4k), size4k); err != nil {
			return err
		}
	}
	for i := range numLarge {
		if err := e.upload(ctx, "", fmt.Sprintf("bench/1m/%d.bin", i), bytes.NewReader(data1m), size1m); err != nil {
			return err
		}
	}
	return nil
}

// setupBig makes the bucket the 1 GiB uploads go to.
func setupBig(ctx context.Context, e *env) error {
	err := e.cl.call(ctx, "POST", "/v1/admin/storage/buckets", map[string]any{"name": "big", "maxSize": 2 << 30}, nil)
	var ae *apiError
	if errors.As(err, &ae) && ae.Status == http.StatusConflict {
		return nil
	}
	return err
}

func opGet4k(ctx context.Context, e *env, rng *rand.Rand) error {
	return e.download(ctx, fmt.Sprintf("/f/default/bench/4k/%d.bin", rng.IntN(numSmall)), size4k)
}

func opGet1m(ctx context.Context, e *env, rng *rand.Rand) error {
	return e.download(ctx, fmt.Sprintf("/f/default/bench/1m/%d.bin", rng.IntN(numLarge)), size1m)
}

func opPut1m(ctx context.Context, e *env, rng *rand.Rand) error {
	return e.upload(ctx, "", fmt.Sprintf("bench/put/%d.bin", rng.IntN(numPuts)), bytes.NewReader(data1m), size1m)
}

func opPut1g(ctx context.Context, e *env, _ *rand.Rand) error {
	return e.upload(ctx, "big", "bench/1g.bin", &repeatReader{n: size1g}, size1g)
}

// repeatReader yields n bytes of the bench pattern without holding them.
type repeatReader struct{ n, off int64 }

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.off >= r.n {
		return 0, io.EOF
	}
	k := 0
	for k < len(p) && r.off < r.n {
		c := copy(p[k:min(len(p), k+int(r.n-r.off))], data1m[r.off%size1m:])
		k += c
		r.off += int64(c)
	}
	return k, nil
}

// download GETs path without credentials and checks the status and length.
func (e *env) download(ctx context.Context, path string, size int64) error {
	req, err := http.NewRequestWithContext(ctx, "GET", e.cl.base+path, nil)
	if err != nil {
		return err
	}
	resp, err := e.cl.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil {
		return fmt.Errorf("GET %s: read body: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK || n != size {
		return fmt.Errorf("GET %s: HTTP %d, %d bytes; want 200, %d bytes", path, resp.StatusCode, n, size)
	}
	return nil
}

// upload posts a multipart form (cloudPath, then the file from r, size
// bytes) with the admin key, streaming r, and checks the fileID.
func (e *env) upload(ctx context.Context, bucket, cloudPath string, r io.Reader, size int64) error {
	var head bytes.Buffer
	w := multipart.NewWriter(&head)
	w.WriteField("cloudPath", cloudPath)
	if _, err := w.CreateFormFile("file", "blob"); err != nil {
		return err
	}
	tail := "\r\n--" + w.Boundary() + "--\r\n"
	body := io.MultiReader(bytes.NewReader(head.Bytes()), r, strings.NewReader(tail))
	url := e.cl.base + "/v1/storage/upload"
	if bucket != "" {
		url += "?bucket=" + bucket
	}
	req, err := http.NewRequestWithContext(ctx, "POST", url, body)
	if err != nil {
		return err
	}
	req.ContentLength = int64(head.Len()) + size + int64(len(tail))
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+e.cl.key)
	resp, err := e.cl.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode != http.StatusOK || !bytes.Contains(raw, []byte(`"fileID":"cloud://`)) {
		return fmt.Errorf("upload %s: HTTP %d %.200q", cloudPath, resp.StatusCode, raw)
	}
	return nil
}

// rawS3 is the MinIO server of -storage s3, for the baseline scenario.
type rawS3 struct {
	endpoint, access, secret string
	once                     sync.Once
	cl                       *minio.Client
	err                      error
}

// rawBucket is the MinIO bucket the baseline writes to (not minibase's).
const rawBucket = "rawbench"

// setupRaw connects minio-go to the MinIO server and creates its bucket.
// The baseline is the bare client measured by the same closed-loop driver
// at the same concurrency as file-put-1m, with the settings storage/s3
// uses (a CRC32C trailer instead of per-chunk SHA-256 signing), so the
// ratio is minibase's own overhead; this is the one place outside
// storage/s3 that uses minio-go, as a measuring stick.
func setupRaw(ctx context.Context, e *env) error {
	s := e.s3
	if s == nil {
		return errors.New("s3-raw-put-1m needs -storage s3")
	}
	s.once.Do(func() {
		s.cl, s.err = minio.New(strings.TrimPrefix(s.endpoint, "http://"), &minio.Options{
			Creds: credentials.NewStaticV4(s.access, s.secret, ""), Region: "us-east-1", BucketLookup: minio.BucketLookupPath,
			TrailingHeaders: true})
		if s.err == nil {
			s.err = s.cl.MakeBucket(ctx, rawBucket, minio.MakeBucketOptions{Region: "us-east-1"})
		}
	})
	return s.err
}

func opRawPut(ctx context.Context, e *env, rng *rand.Rand) error {
	_, err := e.s3.cl.PutObject(ctx, rawBucket, fmt.Sprintf("bench/put/%d.bin", rng.IntN(numPuts)), bytes.NewReader(data1m), size1m,
		minio.PutObjectOptions{ContentType: "application/octet-stream", DisableContentSha256: true})
	return err
}
