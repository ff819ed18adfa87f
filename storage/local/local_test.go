package local_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"minibase/storage"
	"minibase/storage/local"
	"minibase/storage/storagetest"
)

func newBucket(t *testing.T) *local.Bucket {
	t.Helper()
	b, err := local.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Bucket { return newBucket(t) }, storagetest.Options{FolderConflicts: true})
}

var ctx = context.Background()

// TestNoEscape: symlinks planted in the tree cannot lead reads or writes
// outside it (os.Root refuses to follow them out).
func TestNoEscape(t *testing.T) {
	dir, outside := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret"), []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	b, err := local.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for _, link := range []struct{ name, target string }{
		{"objects/evil-dir", outside},
		{"objects/evil-file", filepath.Join(outside, "secret")},
		{"objects/rel", "../../" + filepath.Base(outside)},
	} {
		if err := os.Symlink(link.target, filepath.Join(dir, link.name)); err != nil {
			t.Fatal(err)
		}
	}
	for _, key := range []string{"evil-dir/secret", "evil-file", "rel/secret"} {
		if rc, _, err := b.Open(ctx, key); err == nil {
			data, _ := io.ReadAll(rc)
			rc.Close()
			t.Errorf("Open(%q) read %q from outside the tree", key, data)
		}
		// A Put may fail or replace the link itself; it must not write outside.
		b.Put(ctx, key, strings.NewReader("overwritten"), storage.PutOptions{})
	}
	if data, _ := os.ReadFile(filepath.Join(outside, "secret")); string(data) != "secret" {
		t.Errorf("file outside the tree changed: %q", data)
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 1 {
		t.Errorf("files appeared outside the tree: %v", entries)
	}
}

// TestLayout: objects are plain files under objects/, nothing is left in
// tmp/, and deleting the last file of a folder removes the folder.
func TestLayout(t *testing.T) {
	dir := t.TempDir()
	b, err := local.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := b.Put(ctx, "a/b/c.txt", strings.NewReader("plain"), storage.PutOptions{ContentType: "text/plain"}); err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile(filepath.Join(dir, "objects/a/b/c.txt")); err != nil || string(data) != "plain" {
		t.Errorf("objects/a/b/c.txt = %q, %v", data, err)
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "tmp")); len(entries) != 0 {
		t.Errorf("tmp/ holds %d leftovers", len(entries))
	}
	if err := b.Delete(ctx, "a/b/c.txt"); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"objects/a", "meta/a"} {
		if _, err := os.Stat(filepath.Join(dir, d)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s still there after its last file was deleted: %v", d, err)
		}
	}
}

// TestTornWrite: when the data file and its metadata disagree (a crash
// between the two renames), the data file wins: its size and a new ETag,
// and a content type guessed from the name.
func TestTornWrite(t *testing.T) {
	dir := t.TempDir()
	b, err := local.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	old, err := b.Put(ctx, "pic.png", strings.NewReader("old bytes"), storage.PutOptions{ContentType: "application/x-old", Owner: "u1"})
	if err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(dir, "tmp", "new")
	if err := os.WriteFile(tmp, []byte("new, longer bytes"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, "objects", "pic.png")); err != nil {
		t.Fatal(err)
	}
	info, err := b.Stat(ctx, "pic.png")
	if err != nil {
		t.Fatal(err)
	}
	if info.Size != 17 || info.ContentType != "image/png" || info.ETag == old.ETag || info.Owner != "u1" {
		t.Errorf("after a torn write: %+v (old ETag %s)", info, old.ETag)
	}
}

// TestUnfinishedUploads: files left in tmp/ by a crash are removed when the
// bucket is opened again.
func TestUnfinishedUploads(t *testing.T) {
	dir := t.TempDir()
	b, err := local.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	b.Close()
	if err := os.WriteFile(filepath.Join(dir, "tmp", "half-written"), []byte("partial"), 0o600); err != nil {
		t.Fatal(err)
	}
	b, err = local.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if entries, _ := os.ReadDir(filepath.Join(dir, "tmp")); len(entries) != 0 {
		t.Errorf("tmp/ still holds %d files after reopening", len(entries))
	}
}

// BenchmarkPut1M stores 1 MiB objects (written, fsynced, renamed), from
// several goroutines: the disk's share of an upload.
func BenchmarkPut1M(b *testing.B) {
	bkt, err := local.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer bkt.Close()
	data := strings.Repeat("x", 1<<20)
	b.SetBytes(1 << 20)
	var n atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		key := fmt.Sprintf("bench/%d.bin", n.Add(1))
		for pb.Next() {
			if _, err := bkt.Put(ctx, key, strings.NewReader(data), storage.PutOptions{}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkOpen4K opens and reads a 4 KiB object: the store's share of
// serving a small file.
func BenchmarkOpen4K(b *testing.B) {
	bkt, err := local.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer bkt.Close()
	if _, err := bkt.Put(ctx, "a/b/4k.bin", strings.NewReader(strings.Repeat("x", 4096)), storage.PutOptions{}); err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 8192)
	b.ReportAllocs()
	for b.Loop() {
		rc, _, err := bkt.Open(ctx, "a/b/4k.bin")
		if err != nil {
			b.Fatal(err)
		}
		rc.Read(buf)
		rc.Close()
	}
}
