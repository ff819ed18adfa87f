//go:build !minibase_fuzz

package storage_test

import (
	"bytes"
	bin "encoding/binary"
	"hash/crc32"
	stdimage "image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"runtime/metrics"
	"strings"
	"testing"

	"minibase/server/servertest"
)

// testPhoto is a w×h image with a gradient, encoded as JPEG or PNG.
func testPhoto(tb testing.TB, w, h int, format string) string {
	tb.Helper()
	img := stdimage.NewNRGBA(stdimage.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.SetNRGBA(x, y, color.NRGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	var b bytes.Buffer
	var err error
	if format == "png" {
		err = png.Encode(&b, img)
	} else {
		err = jpeg.Encode(&b, img, nil)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return b.String()
}

// pngBomb is a small PNG whose header claims w×h pixels.
func pngBomb(tb testing.TB, w, h uint32) string {
	b := []byte(testPhoto(tb, 4, 4, "png"))
	bin.BigEndian.PutUint32(b[16:], w)
	bin.BigEndian.PutUint32(b[20:], h)
	bin.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return string(b)
}

// imageIs is an After requiring the body to be an image of format ("jpeg",
// "png") and w×h pixels.
func imageIs(format string, w, h int) after {
	return func(tb testing.TB, _ *servertest.Server, r *servertest.Response) {
		tb.Helper()
		img, f, err := stdimage.Decode(strings.NewReader(r.Body))
		if err != nil {
			tb.Errorf("%s: the variant does not decode: %v (%.80q)", r.Req, err, r.Body)
			return
		}
		if f != format || img.Bounds().Dx() != w || img.Bounds().Dy() != h {
			tb.Errorf("%s gave a %s of %d×%d, want a %s of %d×%d", r.Req, f, img.Bounds().Dx(), img.Bounds().Dy(), format, w, h)
		}
	}
}

// cachedVariants lists the variants in the server's image cache (dir; ""
// is the default, under the data directory).
func cachedVariants(tb testing.TB, s *servertest.Server, dir string) []string {
	tb.Helper()
	if dir == "" {
		dir = filepath.Join(s.Server.Config.Dir, "image-cache")
	}
	files, err := filepath.Glob(filepath.Join(dir, "*", "*.*"))
	if err != nil {
		tb.Fatal(err)
	}
	return files
}

// cacheHolds is an After requiring n variants in the default cache.
func cacheHolds(n int) after {
	return func(tb testing.TB, s *servertest.Server, _ *servertest.Response) {
		tb.Helper()
		if files := cachedVariants(tb, s, ""); len(files) != n {
			tb.Errorf("the cache holds %q, want %d variants", files, n)
		}
	}
}

// TestStorageImageVariants: /f/ URLs with image parameters serve resized
// variants, made once and then served from the cache, with the usual
// conditional requests; bad parameters, non-images and image bombs are
// clear 400s.
func TestStorageImageVariants(t *testing.T) {
	photo := []servertest.Request{upload(asAdmin, "", "photos/p.jpg", testPhoto(t, 400, 300, "jpeg"), "image/jpeg")}
	const variant = "/f/default/photos/p.jpg?w=100"
	// firstVariant is a Before asking for the variant once, before the
	// request: its ETag goes to *etag.
	firstVariant := func(etag *string) func(testing.TB, *servertest.Server, *servertest.Request) {
		return func(tb testing.TB, s *servertest.Server, _ *servertest.Request) {
			r := s.Do(tb, servertest.Request{URL: variant})
			r.Expect(tb, 200, "")
			*etag = r.Header.Get("ETag")
		}
	}
	var cachedETag, renewedETag string
	scenarios := []servertest.Scenario{
		{Name: "a variant", Setup: photo, URL: variant, Status: 200, WantHeader: map[string]string{"Content-Type": "image/jpeg"},
			After: all(imageIs("jpeg", 100, 75), func(tb testing.TB, s *servertest.Server, r *servertest.Response) {
				orig := s.Do(tb, servertest.Request{URL: "/f/default/photos/p.jpg"}).Header.Get("ETag")
				if etag := r.Header.Get("ETag"); etag == "" || etag == orig {
					tb.Errorf("the variant's ETag %q, the original's %q: want its own", etag, orig)
				}
				if files := cachedVariants(tb, s, ""); len(files) != 1 || filepath.Ext(files[0]) != ".jpg" {
					tb.Errorf("the cache holds %v, want one .jpg", files)
				}
			})},
		// The next request is served from the cache: a marker written into
		// the cached file comes back.
		{Name: "a variant again, from the cache", Setup: photo, URL: variant, Status: 200,
			Before: func(tb testing.TB, s *servertest.Server, r *servertest.Request) {
				firstVariant(&cachedETag)(tb, s, r)
				if err := os.WriteFile(cachedVariants(tb, s, "")[0], []byte("from the cache"), 0o644); err != nil {
					tb.Fatal(err)
				}
			},
			After: all(bodyIs("from the cache"), func(tb testing.TB, _ *servertest.Server, r *servertest.Response) {
				if r.Header.Get("ETag") != cachedETag {
					tb.Errorf("ETag %s, want the first answer's %s", r.Header.Get("ETag"), cachedETag)
				}
			})},
		{Name: "a variant, if none matches", Setup: photo, URL: variant, Status: 304,
			Before: func(tb testing.TB, s *servertest.Server, r *servertest.Request) {
				var etag string
				firstVariant(&etag)(tb, s, r)
				r.Header = map[string]string{"If-None-Match": etag}
			}},
		// A new upload to the same path is a new version: a new variant.
		{Name: "a variant of a new version", Setup: photo, URL: variant, Status: 200,
			Before: func(tb testing.TB, s *servertest.Server, r *servertest.Request) {
				firstVariant(&renewedETag)(tb, s, r)
				s.Do(tb, upload(asAdmin, "", "photos/p.jpg", testPhoto(tb, 200, 200, "jpeg"), "image/jpeg")).Expect(tb, 200, "")
			},
			After: all(imageIs("jpeg", 100, 100), func(tb testing.TB, _ *servertest.Server, r *servertest.Response) {
				if r.Header.Get("ETag") == renewedETag {
					tb.Errorf("the new version's variant has the old one's ETag %s", renewedETag)
				}
			})},
	}
	servertest.Run(t, scenarios)

	// Other parameters, the imageView2 form, another format: each makes a
	// variant of its own (one server).
	var params []servertest.Scenario
	for _, tt := range []struct {
		query, format string
		w, h          int
	}{
		{"imageView2/1/w/50", "jpeg", 50, 50},
		{"imageView2/2/w/80/h/80", "jpeg", 80, 60},
		{"w=60&h=60&fit=contain&format=png", "png", 60, 60},
		{"h=30&q=50", "jpeg", 40, 30},
	} {
		params = append(params, servertest.Scenario{Name: "?" + tt.query, URL: "/f/default/photos/p.jpg?" + tt.query,
			Status: 200, After: imageIs(tt.format, tt.w, tt.h)})
	}
	t.Run("parameters", func(t *testing.T) { runOnOne(t, servertest.Options{}, photo, params) })

	// Refusals (one server): they cache nothing, and the server is fine
	// afterwards.
	files := []servertest.Request{photo[0], upload(asAdmin, "", "notes.txt", "just words", "text/plain"),
		upload(asAdmin, "", "bomb.png", pngBomb(t, 60000, 60000), "image/png")}
	originalBomb := func(tb testing.TB, s *servertest.Server, _ *servertest.Response) {
		if r := s.Do(tb, servertest.Request{URL: "/f/default/bomb.png"}); r.Status != 200 || !strings.HasPrefix(r.Body, "\x89PNG") {
			tb.Errorf("the original of the bomb, without parameters: %d", r.Status)
		}
	}
	var refused []servertest.Scenario
	for _, tt := range []struct{ path, msg string }{
		{"/f/default/photos/p.jpg?w=99999", "w must be an integer from 1 to 4096"},
		{"/f/default/photos/p.jpg?imageView2/9/w/10", "imageView2 mode must be 0–5"},
		{"/f/default/photos/p.jpg?w=10&format=webp", "format webp is not supported for output"},
		{"/f/default/photos/p.jpg?imageMogr2/thumbnail/10x", "imageMogr2 is not supported"},
		{"/f/default/notes.txt?w=10", "the file is not a JPEG, PNG, GIF or WebP image"},
		{"/f/default/bomb.png?w=10", "60000×60000 (3600.0 megapixels), more than the 50.0 megapixels allowed"},
	} {
		refused = append(refused, servertest.Scenario{Name: strings.TrimPrefix(tt.path, "/f/default/"), URL: tt.path,
			Status: 400, Want: `{"code":"INVALID_PARAM"}`, After: all(messageHas(tt.msg), cacheHolds(0), originalBomb)})
	}
	t.Run("refused", func(t *testing.T) { runOnOne(t, servertest.Options{}, files, refused) })
}

// TestStorageImageSignedAndPrivate: a private file's variant needs the
// same signature as the file.
func TestStorageImageSignedAndPrivate(t *testing.T) {
	private := []servertest.Request{newBucket(`{"name":"private","rule":"ADMINONLY"}`),
		upload(asAdmin, "?bucket=private", "p.png", testPhoto(t, 120, 80, "png"), "image/png")}
	servertest.Run(t, []servertest.Scenario{
		{Name: "unsigned", Setup: private, URL: "/f/private/p.png?w=60", Status: 403},
		{Name: "signed", Setup: private, Before: toTempURL("cloud://minibase.private/p.png", "&w=60"), Status: 200,
			After: imageIs("png", 60, 40)},
	})
}

// TestStorageImageLimitsFromConfig: MINIBASE_IMAGE_MAX_PIXELS reaches the
// transformer, and the cache lives where MINIBASE_IMAGE_CACHE_DIR says.
func TestStorageImageLimitsFromConfig(t *testing.T) {
	limited := func(cacheDir string) servertest.Options {
		return servertest.Options{Env: map[string]string{"MINIBASE_IMAGE_MAX_PIXELS": "10000", "MINIBASE_IMAGE_CACHE_DIR": cacheDir}}
	}
	cacheDir := t.TempDir()
	servertest.Run(t, []servertest.Scenario{
		{Name: "a 20,000-pixel source over a 10,000-pixel limit", Options: limited(t.TempDir()),
			Setup: []servertest.Request{upload(asAdmin, "", "p.png", testPhoto(t, 200, 100, "png"), "image/png")},
			URL:   "/f/default/p.png?w=10", Status: 400, After: messageHas("200×100 (20000 pixels), more than the 10000 pixels allowed")},
		{Name: "a 5,000-pixel source", Options: limited(cacheDir),
			Setup: []servertest.Request{upload(asAdmin, "", "s.png", testPhoto(t, 100, 50, "png"), "image/png")},
			URL:   "/f/default/s.png?w=10", Status: 200,
			After: func(tb testing.TB, s *servertest.Server, _ *servertest.Response) {
				if files := cachedVariants(tb, s, cacheDir); len(files) != 1 || filepath.Ext(files[0]) != ".png" {
					tb.Errorf("%s holds %v, want one variant", cacheDir, files)
				}
			}},
	})
}

// TestStorageImageHostile: the attack of the security report, end to end.
// An anonymous user uploads a small PNG of 1×60000 pixels to the default
// bucket and anyone asks for it stretched to 4096×4096, which used to run
// the server out of memory: now the variant is never larger than the
// source (here 1×1) and the request allocates little. A variant whose
// buffers would pass MINIBASE_IMAGE_MEMORY is a 400 naming the limit.
func TestStorageImageHostile(t *testing.T) {
	opts := servertest.Options{Env: map[string]string{"MINIBASE_IMAGE_MEMORY": "16MiB"}}
	var strip bytes.Buffer
	if err := png.Encode(&strip, stdimage.NewNRGBA(stdimage.Rect(0, 0, 1, 60000))); err != nil {
		t.Fatal(err)
	}
	tall := []servertest.Request{upload(alice, "", "tall.png", strip.String(), "image/png")}
	var stretched []servertest.Scenario
	for _, tt := range []struct {
		query string
		w, h  int
	}{
		{"w=4096&h=4096&fit=fill", 1, 1},
		{"imageView2/2/w/4096/h/4096", 1, 4096},
		{"imageView2/1/w/4096", 1, 1},
	} {
		var before uint64
		stretched = append(stretched, servertest.Scenario{Name: "?" + tt.query, URL: "/f/default/tall.png?" + tt.query, Status: 200,
			Before: func(testing.TB, *servertest.Server, *servertest.Request) { before = heapAllocs() },
			After: all(func(tb testing.TB, _ *servertest.Server, _ *servertest.Response) {
				if alloc := heapAllocs() - before; alloc > 64<<20 {
					tb.Errorf("?%s allocated %d MiB", tt.query, alloc>>20)
				}
			}, imageIs("png", tt.w, tt.h))})
	}
	t.Run("stretched", func(t *testing.T) { runOnOne(t, opts, tall, stretched) })
	photo := []servertest.Request{upload(alice, "", "photo.jpg", testPhoto(t, 1000, 750, "jpeg"), "image/jpeg")}
	servertest.Run(t, []servertest.Scenario{
		{Name: "a variant over MINIBASE_IMAGE_MEMORY", Options: opts, Setup: photo, URL: "/f/default/photo.jpg?w=750",
			Status: 400, Want: `{"code":"INVALID_PARAM"}`,
			After: messageHas("of memory to make, more than the 16 MiB allowed: ask for a smaller size")},
		{Name: "a thumbnail within MINIBASE_IMAGE_MEMORY", Options: opts, Setup: photo, URL: "/f/default/photo.jpg?w=100",
			Status: 200},
	})
}

// heapAllocs is the bytes allocated on the heap since the program started.
func heapAllocs() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
