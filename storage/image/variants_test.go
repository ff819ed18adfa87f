package image

import (
	"bytes"
	"context"
	"errors"
	stdimage "image"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
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
	return NewVariants(c, Options{}), c
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
	stays := make(chan Variant)
	go func() {
		vr, err := v.Get(context.Background(), src.source("k", "1"), p)
		if err != nil {
			t.Error(err)
		}
		stays <- vr
	}()
	waitFor(t, "the second caller to join", func() bool { return waiters(v, "k", "1", p) == 2 })
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled caller got %v", err)
	}
	close(src.gate)
	if got := <-stays; got.Body == nil || len(read(t, got)) == 0 {
		t.Fatal("the caller that stayed got no variant")
	}
	if opens := src.opens.Load(); opens != 1 {
		t.Errorf("source opened %d times, want 1 (one transform for both callers)", opens)
	}
	if _, entries := c.Size(); entries != 1 {
		t.Errorf("cache entries %d, want 1", entries)
	}
}

// TestVariantsLastWaiterCancels: when every caller of a variant has gone
// (a closed connection, a timeout), its transform stops: it frees its slot
// and its memory, caches nothing, and the next request starts afresh.
func TestVariantsLastWaiterCancels(t *testing.T) {
	v, c := newVariants(t)
	src := &countingSource{data: encodePNG(t, quadrants(100, 100)), gate: make(chan struct{})}
	p := mustParse(t, "w=10")
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error)
	go func() {
		_, err := v.Get(ctx, src.source("k", "1"), p)
		errc <- err
	}()
	for src.opens.Load() == 0 { // the transform has its slot and is opening the source
		runtime.Gosched()
	}
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled caller got %v", err)
	}
	close(src.gate) // the source opens; the transform finds its context canceled
	waitFor(t, "the transform to stop", func() bool { return v.Stats() == Stats{Canceled: 1} })
	if _, entries := c.Size(); entries != 0 {
		t.Errorf("a canceled transform cached %d entries", entries)
	}
	got, err := v.Get(context.Background(), src.source("k", "1"), p)
	if err != nil || got.Cached {
		t.Fatalf("next request: cached=%v %v; want a new transform", got.Cached, err)
	}
	read(t, got)
	if opens := src.opens.Load(); opens != 2 {
		t.Errorf("source opened %d times, want 2", opens)
	}
}

// blockingSource is a PNG whose reads past its header (the first 64
// bytes) wait until release is closed: a transform that is decoding,
// holding its slot and its memory.
type blockingSource struct {
	data    []byte
	release chan struct{}
	blocked atomic.Int32
}

func (s *blockingSource) source(key string) Source {
	return Source{Key: key, Version: "1", Open: func(ctx context.Context) (io.ReadSeekCloser, error) {
		return &blockingReader{Reader: bytes.NewReader(s.data), s: s, ctx: ctx}, nil
	}}
}

type blockingReader struct {
	*bytes.Reader
	s   *blockingSource
	ctx context.Context
}

func (r *blockingReader) Read(p []byte) (int, error) {
	if pos, _ := r.Seek(0, io.SeekCurrent); pos+int64(len(p)) > 64 {
		r.s.blocked.Add(1)
		select {
		case <-r.s.release:
		case <-r.ctx.Done():
			return 0, r.ctx.Err()
		}
	}
	return r.Reader.Read(p)
}

func (r *blockingReader) Close() error { return nil }

// TestVariantsBusy: with one slot and a queue of one, the third distinct
// variant asked for is refused at once (ErrBusy), and one that waits
// longer than Wait is refused too, instead of piling up.
func TestVariantsBusy(t *testing.T) {
	v := NewVariants(nil, Options{Concurrency: 1, Queue: 1, Wait: time.Minute})
	src := &blockingSource{data: encodePNG(t, quadrants(200, 200)), release: make(chan struct{})}
	ctx := context.Background()
	results := make(chan error, 2)
	go func() { _, err := v.Get(ctx, src.source("a"), mustParse(t, "w=10")); results <- err }()
	waitFor(t, "the first transform to be decoding", func() bool { return src.blocked.Load() == 1 })
	go func() { _, err := v.Get(ctx, src.source("b"), mustParse(t, "w=10")); results <- err }()
	waitFor(t, "the second to queue", func() bool { return v.Stats().Waiting == 1 })
	// A third would wait a minute in the queue: it is refused instead.
	_, err := v.Get(ctx, src.source("c"), mustParse(t, "w=10"))
	if !errors.Is(err, ErrBusy) || !strings.Contains(err.Error(), "all 1 resizing slots are taken and 1 more requests are waiting") {
		t.Fatalf("third: %v, want ErrBusy at once", err)
	}
	close(src.release)
	for range 2 {
		if err := <-results; err != nil {
			t.Errorf("queued transform: %v", err)
		}
	}

	short := NewVariants(nil, Options{Concurrency: 1, Wait: 50 * time.Millisecond})
	held := &blockingSource{data: src.data, release: make(chan struct{})}
	go func() { _, err := short.Get(ctx, held.source("a"), mustParse(t, "w=10")); results <- err }()
	waitFor(t, "the first transform to be decoding", func() bool { return held.blocked.Load() == 1 })
	if _, err := short.Get(ctx, held.source("b"), mustParse(t, "w=10")); !errors.Is(err, ErrBusy) || !strings.Contains(err.Error(), "for 50ms") {
		t.Errorf("waiting past Wait: %v, want ErrBusy", err)
	}
	close(held.release)
	if err := <-results; err != nil {
		t.Error(err)
	}
}

// TestVariantsMemoryBudget: two transforms whose costs add up to more than
// MaxMemory do not run together, though there are slots for both: the
// second waits for the first's memory (or, past Wait, is refused).
func TestVariantsMemoryBudget(t *testing.T) {
	data := encodePNG(t, photo(300, 300))
	p := mustParse(t, "w=250")
	j, err := prepare(bytes.NewReader(data), p, Limits{}.withDefaults())
	if err != nil {
		t.Fatal(err)
	}
	budget := j.cost * 3 / 2 // room for one at a time
	v := NewVariants(nil, Options{Limits: Limits{MaxMemory: budget}, Concurrency: 2, Wait: time.Minute})
	first := &blockingSource{data: data, release: make(chan struct{})}
	second := &blockingSource{data: data, release: make(chan struct{})}
	close(second.release) // the second would decode at once, if it got its memory
	ctx := context.Background()
	results := make(chan error, 2)
	go func() { _, err := v.Get(ctx, first.source("a"), p); results <- err }()
	waitFor(t, "the first transform to be decoding", func() bool { return first.blocked.Load() == 1 })
	go func() { _, err := v.Get(ctx, second.source("b"), p); results <- err }()
	waitFor(t, "the second to hold a slot", func() bool { return v.Stats().Running == 2 })
	if st := v.Stats(); st.Memory != j.cost || second.blocked.Load() != 0 {
		t.Fatalf("stats %+v, second decoding %v: want only the first's %d bytes held", st, second.blocked.Load() != 0, j.cost)
	}
	select {
	case err := <-results:
		t.Fatalf("a transform finished (%v) while the first holds the memory the second needs", err)
	default:
	}
	close(first.release)
	for range 2 {
		if err := <-results; err != nil {
			t.Errorf("transform: %v", err)
		}
	}
	if st := v.Stats(); st.Memory != 0 || st.Running != 0 {
		t.Errorf("after both: %+v", st)
	}

	short := NewVariants(nil, Options{Limits: Limits{MaxMemory: budget}, Concurrency: 2, Wait: 50 * time.Millisecond})
	held := &blockingSource{data: data, release: make(chan struct{})}
	go func() { _, err := short.Get(ctx, held.source("a"), p); results <- err }()
	waitFor(t, "the first transform to be decoding", func() bool { return held.blocked.Load() == 1 })
	if _, err := short.Get(ctx, second.source("b"), p); !errors.Is(err, ErrBusy) || !strings.Contains(err.Error(), "hold the memory this one needs") {
		t.Errorf("waiting for memory past Wait: %v, want ErrBusy", err)
	}
	close(held.release)
	if err := <-results; err != nil {
		t.Error(err)
	}
}

// waiters is how many callers wait for the variant p of key's version.
func waiters(v *Variants, key, version string, p Params) int {
	v.mu.Lock()
	defer v.mu.Unlock()
	if f := v.flights[Name(key+"\x00"+version+"\x00"+p.Key())]; f != nil {
		return f.waiters
	}
	return 0
}

// waitFor waits until cond holds, failing after a minute: far more than
// anything takes, even on a loaded machine.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
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
	v := NewVariants(nil, Options{Concurrency: 1})
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
