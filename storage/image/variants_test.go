package image

import (
	"bytes"
	"context"
	"errors"
	stdimage "image"
	"io"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

// countingSource serves data and counts how often it is opened; gate, when
// set, holds every Open until closed.
type countingSource struct {
	data  []byte
	opens atomic.Int32
	gate  chan struct{}
}

func (s *countingSource) source(key, version string) Source {
	return Source{Key: key, Version: version, Open: func(ctx context.Context) (io.ReadSeekCloser, error) {
		s.opens.Add(1)
		if s.gate != nil {
			<-s.gate
		}
		return bytesBody{bytes.NewReader(s.data)}, nil
	}}
}

// read takes a Variant's bytes and closes its body.
func read(t *testing.T, v Variant) []byte {
	t.Helper()
	defer v.Body.Close()
	data, err := io.ReadAll(v.Body)
	if err != nil || int64(len(data)) != v.Size {
		t.Fatalf("read variant: %v (%d bytes, Size %d)", err, len(data), v.Size)
	}
	return data
}

func newVariants(t *testing.T) (*Variants, *Cache) {
	t.Helper()
	c := openCache(t, t.TempDir(), 1<<20)
	return NewVariants(c, Limits{}, 0), c
}

func TestVariantsCache(t *testing.T) {
	v, c := newVariants(t)
	src := &countingSource{data: encodeJPEG(t, quadrants(300, 200))}
	ctx := context.Background()
	p := mustParse(t, "w=100")
	first, err := v.Get(ctx, src.source("b/photo.jpg", "v1"), p)
	if err != nil {
		t.Fatal(err)
	}
	if first.Cached || first.ContentType != TypeJPEG || len(first.ETag) != 34 {
		t.Errorf("first Get: cached=%v type=%s etag=%s", first.Cached, first.ContentType, first.ETag)
	}
	firstData := read(t, first)
	img, _, err := stdimage.Decode(bytes.NewReader(firstData))
	if err != nil || img.Bounds().Dx() != 100 {
		t.Fatalf("variant: %v %v", err, img.Bounds())
	}
	second, err := v.Get(ctx, src.source("b/photo.jpg", "v1"), p)
	if err != nil {
		t.Fatal(err)
	}
	if _, isFile := second.Body.(*os.File); !isFile {
		t.Errorf("a cached variant's body is a %T, want an *os.File (for sendfile)", second.Body)
	}
	if data := read(t, second); !second.Cached || !bytes.Equal(data, firstData) || second.ETag != first.ETag || second.ContentType != TypeJPEG {
		t.Errorf("second Get: cached=%v same bytes=%v etag %s vs %s", second.Cached, bytes.Equal(data, firstData), second.ETag, first.ETag)
	}
	if n := src.opens.Load(); n != 1 {
		t.Errorf("source opened %d times, want 1", n)
	}
	// A new version of the file, or other parameters, make a new variant.
	third, err := v.Get(ctx, src.source("b/photo.jpg", "v2"), p)
	if err != nil || third.Cached || third.ETag == first.ETag {
		t.Fatalf("new version: cached=%v etag=%s err=%v", third.Cached, third.ETag, err)
	}
	read(t, third)
	fourth, err := v.Get(ctx, src.source("b/photo.jpg", "v2"), mustParse(t, "w=100&format=png"))
	if err != nil || fourth.Cached || fourth.ContentType != TypePNG {
		t.Fatalf("png: cached=%v type=%s err=%v", fourth.Cached, fourth.ContentType, err)
	}
	read(t, fourth)
	if _, entries := c.Size(); entries != 3 {
		t.Errorf("cache holds %d entries, want 3", entries)
	}
}

// TestVariantsOnceUnderConcurrency: 50 simultaneous requests for one
// variant decode the source once and all get the same bytes.
func TestVariantsOnceUnderConcurrency(t *testing.T) {
	v, _ := newVariants(t)
	src := &countingSource{data: encodePNG(t, quadrants(400, 400)), gate: make(chan struct{})}
	p := mustParse(t, "imageView2/1/w/64")
	const n = 50
	results := make([][]byte, n)
	errs := make([]error, n)
	var started, done sync.WaitGroup
	started.Add(n)
	done.Add(n)
	for i := 0; i < n; i++ {
		go func() {
			defer done.Done()
			started.Done()
			vr, err := v.Get(context.Background(), src.source("k", "1"), p)
			if errs[i] = err; err == nil {
				defer vr.Body.Close()
				results[i], errs[i] = io.ReadAll(vr.Body)
			}
		}()
	}
	started.Wait()
	close(src.gate) // let the one Open proceed
	done.Wait()
	for i := range results {
		if errs[i] != nil || len(results[i]) == 0 || !bytes.Equal(results[i], results[0]) {
			t.Fatalf("request %d: %v", i, errs[i])
		}
	}
	if got := src.opens.Load(); got != 1 {
		t.Errorf("source opened %d times for %d concurrent requests, want 1", got, n)
	}
}

// TestVariantsWaiterGivesUp: a caller whose context ends gets its error at
// once, and the work still completes for the others (and the cache).
func TestVariantsWaiterGivesUp(t *testing.T) {
	v, c := newVariants(t)
	src := &countingSource{data: encodePNG(t, quadrants(100, 100)), gate: make(chan struct{})}
	p := mustParse(t, "w=10")
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error)
	go func() {
		_, err := v.Get(ctx, src.source("k", "1"), p)
		errc <- err
	}()
	for src.opens.Load() == 0 { // wait until the work is under way
		runtime.Gosched()
	}
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled caller got %v", err)
	}
	close(src.gate)
	got, err := v.Get(context.Background(), src.source("k", "1"), p)
	if err != nil {
		t.Fatal(err)
	}
	if opens := src.opens.Load(); opens != 1 {
		t.Errorf("source opened %d times, want 1 (the abandoned work finished and was shared or cached)", opens)
	}
	if _, entries := c.Size(); entries != 1 || len(read(t, got)) == 0 {
		t.Errorf("cache entries %d", entries)
	}
}

// TestVariantsErrorsNotCached: a failed variant is not stored, and the
// error reaches every caller.
func TestVariantsErrorsNotCached(t *testing.T) {
	v, c := newVariants(t)
	src := &countingSource{data: []byte("not an image")}
	for i := 0; i < 2; i++ {
		if _, err := v.Get(context.Background(), src.source("k", "1"), mustParse(t, "w=10")); !errors.Is(err, ErrNotImage) {
			t.Fatalf("Get %d: %v, want ErrNotImage", i, err)
		}
	}
	if _, entries := c.Size(); entries != 0 {
		t.Errorf("cache holds %d entries after failures", entries)
	}
	if n := src.opens.Load(); n != 2 {
		t.Errorf("opened %d times, want 2 (failures are retried)", n)
	}
	openErr := errors.New("backend down")
	bad := Source{Key: "k", Version: "1", Open: func(context.Context) (io.ReadSeekCloser, error) { return nil, openErr }}
	if _, err := v.Get(context.Background(), bad, mustParse(t, "w=10")); !errors.Is(err, openErr) {
		t.Errorf("Open error: got %v", err)
	}
}

func TestVariantsWithoutCache(t *testing.T) {
	v := NewVariants(nil, Limits{}, 1)
	src := &countingSource{data: encodePNG(t, quadrants(40, 40))}
	for i := 0; i < 2; i++ {
		got, err := v.Get(context.Background(), src.source("k", "1"), mustParse(t, "w=10"))
		if err != nil || got.Cached || got.ContentType != TypePNG || len(read(t, got)) == 0 {
			t.Fatalf("Get %d: %+v %v", i, got.Cached, err)
		}
	}
	if n := src.opens.Load(); n != 2 {
		t.Errorf("opened %d times without a cache, want 2", n)
	}
}
