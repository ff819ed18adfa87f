// Package storagetest is the conformance suite every storage.Bucket passes:
// what storage.Service relies on, checked against a real backend (a
// directory for storage/local, a MinIO server for storage/s3).
package storagetest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"minibase/storage"
)

// Options describe where backends may differ.
type Options struct {
	// FolderConflicts: the backend refuses a key that needs a folder where
	// an object is, or the other way round ("a" and "a/b"), with
	// storage.ErrConflict (a file system). Otherwise it holds both (S3).
	FolderConflicts bool
}

// Run runs the suite. newBucket returns an empty Bucket for one subtest
// (a fresh directory, or a fresh prefix of an S3 bucket).
func Run(t *testing.T, newBucket func(t *testing.T) storage.Bucket, opts Options) {
	tests := []struct {
		name string
		fn   func(t *testing.T, b storage.Bucket)
	}{
		{"PutOpenStat", testPutOpenStat},
		{"Empty", testEmpty},
		{"Overwrite", testOverwrite},
		{"Range", testRange},
		{"Missing", testMissing},
		{"Delete", testDelete},
		{"FailedPut", testFailedPut},
		{"Canceled", testCanceled},
		{"Large", testLarge},
		{"Names", testNames},
		{"BadKeys", testBadKeys},
		{"List", testList},
		{"ListFolders", testListFolders},
		{"Concurrent", testConcurrent},
		{"Conflicts", func(t *testing.T, b storage.Bucket) { testConflicts(t, b, opts.FolderConflicts) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, newBucket(t)) })
	}
}

var ctx = context.Background()

// put stores data under key and fails the test on error.
func put(t *testing.T, b storage.Bucket, key, data, typ string) storage.ObjectInfo {
	t.Helper()
	info, err := b.Put(ctx, key, strings.NewReader(data), storage.PutOptions{ContentType: typ, Owner: "owner-1"})
	if err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
	return info
}

// read opens key and returns its content and info.
func read(t *testing.T, b storage.Bucket, key string) (string, storage.ObjectInfo) {
	t.Helper()
	rc, info, err := b.Open(ctx, key)
	if err != nil {
		t.Fatalf("Open(%q): %v", key, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %q: %v", key, err)
	}
	return string(data), info
}

func testPutOpenStat(t *testing.T, b storage.Bucket) {
	before := time.Now().Add(-2 * time.Second)
	info := put(t, b, "docs/hello.txt", "hello, world", "text/plain; charset=utf-8")
	want := storage.ObjectInfo{Key: "docs/hello.txt", Size: 12, ContentType: "text/plain; charset=utf-8", Owner: "owner-1"}
	check := func(where string, got storage.ObjectInfo) {
		t.Helper()
		if got.Key != want.Key || got.Size != want.Size || got.ContentType != want.ContentType || got.Owner != want.Owner {
			t.Errorf("%s = %+v, want key, size, type, owner of %+v", where, got, want)
		}
		if len(got.ETag) < 3 || got.ETag[0] != '"' || got.ETag[len(got.ETag)-1] != '"' {
			t.Errorf("%s: ETag %q is not a quoted string", where, got.ETag)
		}
		if got.ModTime.Before(before) || got.ModTime.After(time.Now().Add(2*time.Second)) {
			t.Errorf("%s: ModTime %v is not about now", where, got.ModTime)
		}
	}
	check("Put", info)
	st, err := b.Stat(ctx, "docs/hello.txt")
	if err != nil {
		t.Fatal(err)
	}
	check("Stat", st)
	data, oi := read(t, b, "docs/hello.txt")
	check("Open", oi)
	if data != "hello, world" {
		t.Errorf("content = %q", data)
	}
	if st.ETag != info.ETag || oi.ETag != info.ETag || !st.ModTime.Equal(oi.ModTime) {
		t.Errorf("ETag/ModTime differ between Put %v, Stat %v and Open %v", info, st, oi)
	}
}

func testEmpty(t *testing.T, b storage.Bucket) {
	info, err := b.Put(ctx, "empty", strings.NewReader(""), storage.PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if info.Size != 0 || info.ContentType != storage.DefaultContentType || info.Owner != "" {
		t.Errorf("empty object info = %+v, want size 0, %s, no owner", info, storage.DefaultContentType)
	}
	if data, _ := read(t, b, "empty"); data != "" {
		t.Errorf("content = %q", data)
	}
}

func testOverwrite(t *testing.T, b storage.Bucket) {
	first := put(t, b, "a.png", "first version", "image/png")
	second, err := b.Put(ctx, "a.png", strings.NewReader("second"), storage.PutOptions{ContentType: "image/jpeg", Owner: "owner-2"})
	if err != nil {
		t.Fatal(err)
	}
	data, info := read(t, b, "a.png")
	if data != "second" || info.Size != 6 || info.ContentType != "image/jpeg" || info.Owner != "owner-2" {
		t.Errorf("after overwrite: %q %+v", data, info)
	}
	if first.ETag == second.ETag || info.ETag != second.ETag {
		t.Errorf("ETags: first %s, second %s, now %s: want a new one", first.ETag, second.ETag, info.ETag)
	}
}

func testRange(t *testing.T, b storage.Bucket) {
	data := strings.Repeat("0123456789", 1000)
	put(t, b, "r.bin", data, "")
	rc, _, err := b.Open(ctx, "r.bin")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	for _, r := range []struct{ off, n int }{{5000, 100}, {0, 10}, {9990, 10}, {1234, 1}} {
		if _, err := rc.Seek(int64(r.off), io.SeekStart); err != nil {
			t.Fatalf("Seek(%d): %v", r.off, err)
		}
		got := make([]byte, r.n)
		if _, err := io.ReadFull(rc, got); err != nil || string(got) != data[r.off:r.off+r.n] {
			t.Errorf("bytes %d+%d = %q, %v; want %q", r.off, r.n, got, err, data[r.off:r.off+r.n])
		}
	}
	if end, err := rc.Seek(0, io.SeekEnd); err != nil || end != int64(len(data)) {
		t.Errorf("Seek(end) = %d, %v; want %d", end, err, len(data))
	}
}

func testMissing(t *testing.T, b storage.Bucket) {
	put(t, b, "dir/file", "x", "")
	for _, key := range []string{"nope", "dir", "dir/nope", "dir/file/deeper"} {
		if _, _, err := b.Open(ctx, key); !errors.Is(err, storage.ErrNotExist) {
			t.Errorf("Open(%q) = %v, want ErrNotExist", key, err)
		}
		if _, err := b.Stat(ctx, key); !errors.Is(err, storage.ErrNotExist) {
			t.Errorf("Stat(%q) = %v, want ErrNotExist", key, err)
		}
		if err := b.Delete(ctx, key); err != nil {
			t.Errorf("Delete(%q) = %v, want nil (nothing to delete)", key, err)
		}
	}
	if data, _ := read(t, b, "dir/file"); data != "x" {
		t.Errorf("dir/file = %q after deleting missing keys", data)
	}
}

func testDelete(t *testing.T, b storage.Bucket) {
	put(t, b, "x/y/z.txt", "z", "")
	put(t, b, "x/keep.txt", "k", "")
	if err := b.Delete(ctx, "x/y/z.txt"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Stat(ctx, "x/y/z.txt"); !errors.Is(err, storage.ErrNotExist) {
		t.Errorf("Stat after Delete = %v, want ErrNotExist", err)
	}
	page, err := b.List(ctx, storage.ListOptions{Prefix: "x/"})
	if err != nil {
		t.Fatal(err)
	}
	if got := keys(page); !slices.Equal(got, []string{"x/keep.txt"}) {
		t.Errorf("List after Delete = %v", got)
	}
	put(t, b, "x/y", "a file where the folder was", "") // the emptied folder is gone
}

// failingReader yields n bytes, then err.
type failingReader struct {
	n   int
	err error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, r.err
	}
	k := min(len(p), r.n)
	for i := range k {
		p[i] = 'f'
	}
	r.n -= k
	return k, nil
}

func testFailedPut(t *testing.T, b storage.Bucket) {
	cut := errors.New("connection cut")
	for _, tc := range []struct {
		name string
		err  error
	}{{"cut", cut}, {"too large", storage.ErrTooLarge}, {"truncated", io.ErrUnexpectedEOF}} {
		_, err := b.Put(ctx, "new.bin", &failingReader{n: 300 << 10, err: tc.err}, storage.PutOptions{})
		if !errors.Is(err, tc.err) {
			t.Errorf("%s: Put = %v, want %v", tc.name, err, tc.err)
		}
		if _, err := b.Stat(ctx, "new.bin"); !errors.Is(err, storage.ErrNotExist) {
			t.Errorf("%s: failed Put left an object: Stat = %v", tc.name, err)
		}
		// Past the first part (S3: 8 MiB for MaxSize 1 MiB), so in a
		// multipart upload: a body cut short there is not a complete file.
		if _, err := b.Put(ctx, "big.bin", &failingReader{n: 9 << 20, err: tc.err}, storage.PutOptions{MaxSize: 1 << 20}); !errors.Is(err, tc.err) {
			t.Errorf("%s: Put of 9 MiB = %v, want %v", tc.name, err, tc.err)
		}
		if _, err := b.Stat(ctx, "big.bin"); !errors.Is(err, storage.ErrNotExist) {
			t.Errorf("%s: failed Put of 9 MiB left an object: Stat = %v", tc.name, err)
		}
		old := put(t, b, "old.bin", "the old version", "text/plain")
		if _, err := b.Put(ctx, "old.bin", &failingReader{n: 100, err: tc.err}, storage.PutOptions{}); !errors.Is(err, tc.err) {
			t.Errorf("%s: overwrite = %v, want %v", tc.name, err, tc.err)
		}
		if data, info := read(t, b, "old.bin"); data != "the old version" || info.ETag != old.ETag || info.ContentType != "text/plain" {
			t.Errorf("%s: failed overwrite changed the object: %q %+v", tc.name, data, info)
		}
	}
	if page, err := b.List(ctx, storage.ListOptions{}); err != nil || !slices.Equal(keys(page), []string{"old.bin"}) {
		t.Errorf("List after failed puts = %v, %v; want only old.bin", keys(page), err)
	}
}

func testCanceled(t *testing.T, b storage.Bucket) {
	c, cancel := context.WithCancel(ctx)
	r := &cancelingReader{n: 1 << 20, cancel: cancel}
	if _, err := b.Put(c, "c.bin", r, storage.PutOptions{}); err == nil {
		t.Fatal("Put went on after its context was canceled")
	}
	if _, err := b.Stat(ctx, "c.bin"); !errors.Is(err, storage.ErrNotExist) {
		t.Errorf("canceled Put left an object: Stat = %v", err)
	}
}

// cancelingReader yields n bytes and cancels its context half way.
type cancelingReader struct {
	n, read int
	cancel  func()
}

func (r *cancelingReader) Read(p []byte) (int, error) {
	if r.read >= r.n {
		return 0, io.EOF
	}
	k := min(len(p), r.n-r.read)
	r.read += k
	if r.read >= r.n/2 {
		r.cancel()
	}
	return k, nil
}

func keys(p storage.ListPage) []string {
	var out []string
	for _, o := range p.Objects {
		out = append(out, o.Key)
	}
	return out
}

// pattern is a reproducible stream of n bytes that is not all one value.
type pattern struct{ off, n int64 }

func (p *pattern) Read(b []byte) (int, error) {
	if p.off >= p.n {
		return 0, io.EOF
	}
	k := int(min(int64(len(b)), p.n-p.off))
	for i := range k {
		x := p.off + int64(i)
		b[i] = byte(x ^ x>>8 ^ x>>16)
	}
	p.off += int64(k)
	return k, nil
}

func testLarge(t *testing.T, b storage.Bucket) {
	const size = 17<<20 + 12345 // three S3 parts of 8 MiB
	info, err := b.Put(ctx, "big/blob", &pattern{n: size}, storage.PutOptions{ContentType: "application/x-test", MaxSize: 20 << 20})
	if err != nil {
		t.Fatal(err)
	}
	if info.Size != size {
		t.Errorf("size = %d, want %d", info.Size, size)
	}
	rc, _, err := b.Open(ctx, "big/blob")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	want := &pattern{n: size}
	got, wbuf := make([]byte, 1<<20), make([]byte, 1<<20)
	var n int64
	for {
		k, err := io.ReadFull(rc, got)
		if k > 0 {
			want.Read(wbuf[:k])
			if !bytes.Equal(got[:k], wbuf[:k]) {
				t.Fatalf("content differs in the MiB at offset %d", n)
			}
			n += int64(k)
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if n != size {
		t.Errorf("read %d bytes, want %d", n, size)
	}
}
