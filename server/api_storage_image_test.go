package server

import (
	"bytes"
	bin "encoding/binary"
	"fmt"
	"hash/crc32"
	stdimage "image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime/metrics"
	"strings"
	"testing"

	"minibase/storage/image"

	"github.com/gofiber/fiber/v2"
)

// testPhoto is a w×h image with a gradient, encoded as JPEG or PNG.
func testPhoto(t *testing.T, w, h int, format string) []byte {
	t.Helper()
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
		t.Fatal(err)
	}
	return b.Bytes()
}

// decodedSize decodes an image body and returns its format and size.
func decodedSize(t *testing.T, body string) (string, int, int) {
	t.Helper()
	img, format, err := stdimage.Decode(strings.NewReader(body))
	if err != nil {
		t.Fatalf("the variant does not decode: %v (%.80q)", err, body)
	}
	return format, img.Bounds().Dx(), img.Bounds().Dy()
}

// pngBomb is a small PNG whose header claims w×h pixels.
func pngBomb(t *testing.T, w, h uint32) []byte {
	b := testPhoto(t, 4, 4, "png")
	bin.BigEndian.PutUint32(b[16:], w)
	bin.BigEndian.PutUint32(b[20:], h)
	bin.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}

func cachedVariants(t *testing.T, m *Server) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(m.Config.Dir, "image-cache", "*", "*.*"))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestStorageImageVariants: /f/ URLs with image parameters serve resized
// variants, made once and then served from the cache, with the usual
// conditional requests; bad parameters, non-images and image bombs are
// clear 400s.
func TestStorageImageVariants(t *testing.T) {
	m := newTestMain(t, nil)
	want(t, "upload", m.upload(t, testKey, "", "photos/p.jpg", string(testPhoto(t, 400, 300, "jpeg")), "image/jpeg"), 200, "")
	orig := m.send(t, "GET", "/f/default/photos/p.jpg", "", nil)

	first := m.send(t, "GET", "/f/default/photos/p.jpg?w=100", "", nil)
	if first.status != 200 || first.header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("?w=100: %d %s %.200s", first.status, first.header.Get("Content-Type"), first.body)
	}
	if f, w, h := decodedSize(t, first.body); f != "jpeg" || w != 100 || h != 75 {
		t.Errorf("?w=100 gave a %s of %d×%d, want a 100×75 jpeg", f, w, h)
	}
	etag := first.header.Get("ETag")
	if etag == "" || etag == orig.header.Get("ETag") {
		t.Errorf("variant ETag %q, original %q: want its own", etag, orig.header.Get("ETag"))
	}

	// The variant is cached: one file, and the next request is served from
	// it (a marker written into the cached file comes back).
	files := cachedVariants(t, m)
	if len(files) != 1 || filepath.Ext(files[0]) != ".jpg" {
		t.Fatalf("cache holds %v, want one .jpg", files)
	}
	if err := os.WriteFile(files[0], []byte("from the cache"), 0o644); err != nil {
		t.Fatal(err)
	}
	second := m.send(t, "GET", "/f/default/photos/p.jpg?w=100", "", nil)
	if second.status != 200 || second.body != "from the cache" || second.header.Get("ETag") != etag {
		t.Errorf("second request: %d %q ETag %s; want the cached file with ETag %s", second.status, second.body, second.header.Get("ETag"), etag)
	}
	if r := m.send(t, "GET", "/f/default/photos/p.jpg?w=100", "", nil, "If-None-Match", etag); r.status != 304 {
		t.Errorf("If-None-Match on the variant: %d, want 304", r.status)
	}

	// Other parameters, the imageView2 form, another format.
	for _, tt := range []struct {
		query, format string
		w, h          int
	}{
		{"imageView2/1/w/50", "jpeg", 50, 50},
		{"imageView2/2/w/80/h/80", "jpeg", 80, 60},
		{"w=60&h=60&fit=contain&format=png", "png", 60, 60},
		{"h=30&q=50", "jpeg", 40, 30},
	} {
		r := m.send(t, "GET", "/f/default/photos/p.jpg?"+tt.query, "", nil)
		if r.status != 200 {
			t.Fatalf("?%s: %d %.200s", tt.query, r.status, r.body)
		}
		if f, w, h := decodedSize(t, r.body); f != tt.format || w != tt.w || h != tt.h {
			t.Errorf("?%s gave a %s of %d×%d, want a %s of %d×%d", tt.query, f, w, h, tt.format, tt.w, tt.h)
		}
	}

	// A new upload to the same path is a new version: a new variant.
	want(t, "overwrite", m.upload(t, testKey, "", "photos/p.jpg", string(testPhoto(t, 200, 200, "jpeg")), "image/jpeg"), 200, "")
	third := m.send(t, "GET", "/f/default/photos/p.jpg?w=100", "", nil)
	if f, w, h := decodedSize(t, third.body); third.header.Get("ETag") == etag || f != "jpeg" || w != 100 || h != 100 {
		t.Errorf("after overwrite: ETag %s (was %s), %s %d×%d, want a fresh 100×100", third.header.Get("ETag"), etag, f, w, h)
	}

	// Refusals.
	want(t, "text", m.upload(t, testKey, "", "notes.txt", "just words", "text/plain"), 200, "")
	want(t, "bomb", m.upload(t, testKey, "", "bomb.png", string(pngBomb(t, 60000, 60000)), "image/png"), 200, "")
	for _, tt := range []struct{ path, msg string }{
		{"/f/default/photos/p.jpg?w=99999", "w must be an integer from 1 to 4096"},
		{"/f/default/photos/p.jpg?imageView2/9/w/10", "imageView2 mode must be 0–5"},
		{"/f/default/photos/p.jpg?w=10&format=webp", "format webp is not supported for output"},
		{"/f/default/photos/p.jpg?imageMogr2/thumbnail/10x", "imageMogr2 is not supported"},
		{"/f/default/notes.txt?w=10", "the file is not a JPEG, PNG, GIF or WebP image"},
		{"/f/default/bomb.png?w=10", "60000×60000 (3600.0 megapixels), more than the 50.0 megapixels allowed"},
	} {
		r := m.send(t, "GET", tt.path, "", nil)
		body := r.json()
		if r.status != 400 || body["code"] != "INVALID_PARAM" || !strings.Contains(r.body, tt.msg) {
			t.Errorf("%s: %d %.300s; want 400 INVALID_PARAM saying %q", tt.path, r.status, r.body, tt.msg)
		}
	}
	if n := len(cachedVariants(t, m)); n != 6 {
		t.Errorf("cache holds %d variants, want 6 (refusals cache nothing)", n)
	}
	// The server is fine afterwards, and the original is served without parameters.
	if r := m.send(t, "GET", "/f/default/bomb.png", "", nil); r.status != 200 || !strings.HasPrefix(r.body, "\x89PNG") {
		t.Errorf("original of the bomb: %d", r.status)
	}
}

// TestStorageImageSignedAndPrivate: a private file's variant needs the
// same signature as the file.
func TestStorageImageSignedAndPrivate(t *testing.T) {
	m := newTestMain(t, nil)
	want(t, "bucket", m.send(t, "POST", "/v1/admin/storage/buckets", testKey,
		[]byte(`{"name":"private","rule":"ADMINONLY"}`), "Content-Type", "application/json"), 200, "")
	want(t, "upload", m.upload(t, testKey, "?bucket=private", "p.png", string(testPhoto(t, 120, 80, "png")), "image/png"), 200, "")
	if r := m.send(t, "GET", "/f/private/p.png?w=60", "", nil); r.status != 403 {
		t.Errorf("unsigned variant of a private file: %d, want 403", r.status)
	}
	u := m.tempURL(t, testKey, "cloud://minibase.private/p.png", 600)
	r := m.send(t, "GET", u+"&w=60", "", nil)
	if r.status != 200 {
		t.Fatalf("signed variant: %d %.200s", r.status, r.body)
	}
	if f, w, h := decodedSize(t, r.body); f != "png" || w != 60 || h != 40 {
		t.Errorf("signed variant: %s %d×%d, want png 60×40", f, w, h)
	}
}

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

// TestStorageImageLimitsFromConfig: MINIBASE_IMAGE_MAX_PIXELS reaches the
// transformer, and the cache lives where MINIBASE_IMAGE_CACHE_DIR says.
func TestStorageImageLimitsFromConfig(t *testing.T) {
	cacheDir := t.TempDir()
	m := newTestMain(t, func(c *Config) { c.Storage.Images.MaxPixels = 10_000; c.Storage.Images.CacheDir = cacheDir })
	want(t, "upload", m.upload(t, testKey, "", "p.png", string(testPhoto(t, 200, 100, "png")), "image/png"), 200, "")
	if r := m.send(t, "GET", "/f/default/p.png?w=10", "", nil); r.status != 400 || !strings.Contains(r.body, "200×100 (20000 pixels), more than the 10000 pixels allowed") {
		t.Errorf("20,000-pixel source over a 10,000-pixel limit: %d %.200s", r.status, r.body)
	}
	want(t, "upload small", m.upload(t, testKey, "", "s.png", string(testPhoto(t, 100, 50, "png")), "image/png"), 200, "")
	if r := m.send(t, "GET", "/f/default/s.png?w=10", "", nil); r.status != 200 {
		t.Fatalf("5,000-pixel source: %d %.200s", r.status, r.body)
	}
	if files, _ := filepath.Glob(filepath.Join(cacheDir, "*", "*.png")); len(files) != 1 {
		t.Errorf("cache dir holds %v, want one variant", files)
	}
}

// TestStorageImageHostile: the attack of the security report, end to end.
// An anonymous user uploads a small PNG of 1×60000 pixels to the default
// bucket and anyone asks for it stretched to 4096×4096, which used to run
// the server out of memory: now the variant is never larger than the
// source (here 1×1) and the request allocates little. A variant whose
// buffers would pass MINIBASE_IMAGE_MEMORY is a 400 naming the limit.
func TestStorageImageHostile(t *testing.T) {
	m := newTestMain(t, func(c *Config) { c.Storage.Images.Memory = 16 << 20 })
	anon := m.signIn(t, "/v1/auth/anonymous", "", `{}`).str("access_token")
	var strip bytes.Buffer
	if err := png.Encode(&strip, stdimage.NewNRGBA(stdimage.Rect(0, 0, 1, 60000))); err != nil {
		t.Fatal(err)
	}
	want(t, "upload by a visitor", m.upload(t, anon, "", "tall.png", strip.String(), "image/png"), 200, "")
	for _, tt := range []struct {
		query string
		w, h  int
	}{
		{"w=4096&h=4096&fit=fill", 1, 1},
		{"imageView2/2/w/4096/h/4096", 1, 4096},
		{"imageView2/1/w/4096", 1, 1},
	} {
		before := heapAllocs()
		r := m.send(t, "GET", "/f/default/tall.png?"+tt.query, "", nil)
		if alloc := heapAllocs() - before; alloc > 64<<20 {
			t.Errorf("?%s allocated %d MiB", tt.query, alloc>>20)
		}
		if r.status != 200 {
			t.Fatalf("?%s: %d %.300s", tt.query, r.status, r.body)
		}
		if f, w, h := decodedSize(t, r.body); f != "png" || w != tt.w || h != tt.h {
			t.Errorf("?%s gave a %s of %d×%d, want a png of %d×%d", tt.query, f, w, h, tt.w, tt.h)
		}
	}
	want(t, "upload a photo", m.upload(t, anon, "", "photo.jpg", string(testPhoto(t, 1000, 750, "jpeg")), "image/jpeg"), 200, "")
	r := m.send(t, "GET", "/f/default/photo.jpg?w=750", "", nil)
	if r.status != 400 || r.json()["code"] != "INVALID_PARAM" || !strings.Contains(r.body, "of memory to make, more than the 16 MiB allowed: ask for a smaller size") {
		t.Errorf("variant over MINIBASE_IMAGE_MEMORY: %d %.300s", r.status, r.body)
	}
	if r := m.send(t, "GET", "/f/default/photo.jpg?w=100", "", nil); r.status != 200 {
		t.Errorf("thumbnail within MINIBASE_IMAGE_MEMORY: %d %.300s", r.status, r.body)
	}
}

// TestImageBusyAnswer: a resize refused for want of a slot is a 503 with
// CloudBase's concurrency code and a Retry-After, through the app's one
// error handler.
func TestImageBusyAnswer(t *testing.T) {
	m := &Server{log: discardLogger()}
	app := fiber.New(fiber.Config{ErrorHandler: m.writeError})
	app.Get("/", func(*fiber.Ctx) error {
		return imageError(fmt.Errorf("image: open: %w", fmt.Errorf("%w: all 4 resizing slots are taken", image.ErrBusy)))
	})
	r, err := app.Test(httptest.NewRequest("GET", "/", nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	body, _ := io.ReadAll(r.Body)
	if r.StatusCode != 503 || r.Header.Get("Retry-After") != "2" ||
		!strings.Contains(string(body), `"code":"EXCEED_CONCURRENT_REQUEST_LIMIT","errCode":-501004`) || !strings.Contains(string(body), "slots are taken") {
		t.Errorf("busy: %d Retry-After %q %s", r.StatusCode, r.Header.Get("Retry-After"), body)
	}
}

// heapAllocs is the bytes allocated on the heap since the program started.
func heapAllocs() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
