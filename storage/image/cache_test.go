package image

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func openCache(t *testing.T, dir string, max int64) *Cache {
	t.Helper()
	c, err := OpenCache(dir, max)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// get reads the entry stored under name.
func get(t *testing.T, c *Cache, name string) ([]byte, bool) {
	t.Helper()
	e, ok, err := c.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		return nil, false
	}
	defer e.File.Close()
	data, err := io.ReadAll(e.File)
	if err != nil || int64(len(data)) != e.Size {
		t.Fatalf("read entry: %v (%d bytes, Size %d)", err, len(data), e.Size)
	}
	return data, true
}

func TestCacheOpenPut(t *testing.T) {
	c := openCache(t, t.TempDir(), 1<<20)
	n := Name("a")
	if _, ok := get(t, c, n); ok {
		t.Fatal("empty cache has an entry")
	}
	if err := c.Put(n, TypeJPEG, []byte("first")); err != nil {
		t.Fatal(err)
	}
	if err := c.Put(n, TypePNG, []byte("second!")); err != nil { // replaces, in another format
		t.Fatal(err)
	}
	if got, ok := get(t, c, n); !ok || string(got) != "second!" {
		t.Fatalf("Open = %q %v; want second!", got, ok)
	}
	e, _, _ := c.Open(n)
	e.File.Close()
	if e.ContentType != TypePNG || filepath.Ext(e.File.Name()) != ".png" {
		t.Errorf("entry %s of type %s, want a .png of %s", e.File.Name(), e.ContentType, TypePNG)
	}
	if _, err := os.Stat(c.path(n, "jpg")); !os.IsNotExist(err) {
		t.Errorf("the replaced .jpg is still there: %v", err)
	}
	if b, e := c.Size(); b != 7 || e != 1 {
		t.Errorf("Size = %d bytes, %d entries; want 7, 1", b, e)
	}
	if err := c.Put("../../etc/passwd", TypePNG, []byte("x")); err == nil {
		t.Error("Put accepted a name that is not from Name")
	}
	if err := c.Put(Name("x"), "text/html", []byte("x")); err == nil {
		t.Error("Put accepted a content type it cannot name")
	}
}

// TestCacheEvictsLeastRecentlyUsed: over the cap, the entries used longest
// ago go first, down to 90% of the cap; a recent Get protects an entry.
func TestCacheEvictsLeastRecentlyUsed(t *testing.T) {
	c := openCache(t, t.TempDir(), 1000)
	blob := bytes.Repeat([]byte("x"), 100)
	names := make([]string, 10)
	for i := range names {
		names[i] = Name(string(rune('a' + i)))
		if err := c.Put(names[i], TypeJPEG, blob); err != nil {
			t.Fatal(err)
		}
	}
	if b, e := c.Size(); b != 1000 || e != 10 {
		t.Fatalf("full cache: %d bytes, %d entries", b, e)
	}
	if _, ok := get(t, c, names[0]); !ok { // a is now the most recently used
		t.Fatal("a missing")
	}
	if err := c.Put(Name("k"), TypeJPEG, blob); err != nil { // 1100 > 1000: evict to ≤ 900
		t.Fatal(err)
	}
	if b, e := c.Size(); b != 900 || e != 9 {
		t.Errorf("after eviction: %d bytes, %d entries; want 900, 9", b, e)
	}
	for i, n := range names {
		_, ok := get(t, c, n)
		evicted := i == 1 || i == 2 // b and c: the least recently used
		if ok == evicted {
			t.Errorf("entry %c present=%v, want %v", 'a'+i, ok, !evicted)
		}
		if _, err := os.Stat(c.path(n, "jpg")); (err == nil) == evicted {
			t.Errorf("file of %c exists=%v after eviction", 'a'+i, err == nil)
		}
	}
	if err := c.Put(Name("huge"), TypeJPEG, bytes.Repeat([]byte("x"), 2000)); err != nil {
		t.Fatal(err)
	}
	if _, ok := get(t, c, Name("huge")); ok {
		t.Error("an entry bigger than the whole cache was stored")
	}
}

// TestCacheReopen: a new Cache over the same directory finds the entries,
// orders them by modification time, removes a crash's temp files and
// leaves foreign files alone.
func TestCacheReopen(t *testing.T) {
	dir := t.TempDir()
	c := openCache(t, dir, 1<<20)
	for _, k := range []string{"a", "b", "c"} {
		if err := c.Put(Name(k), TypePNG, []byte(strings.Repeat(k, 100))); err != nil {
			t.Fatal(err)
		}
	}
	tmp := filepath.Join(dir, Name("a")[:2], tmpPrefix+"123")
	if err := os.WriteFile(tmp, []byte("half a file"), 0o644); err != nil {
		t.Fatal(err)
	}
	foreign := filepath.Join(dir, "README")
	if err := os.WriteFile(foreign, []byte("not an entry"), 0o644); err != nil {
		t.Fatal(err)
	}
	odd := filepath.Join(dir, Name("a")[:2], Name("z")+".gif")
	if err := os.WriteFile(odd, []byte("not ours either"), 0o644); err != nil {
		t.Fatal(err)
	}
	c2 := openCache(t, dir, 1<<20)
	if b, e := c2.Size(); b != 300 || e != 3 {
		t.Errorf("reopened: %d bytes, %d entries; want 300, 3", b, e)
	}
	if got, ok := get(t, c2, Name("b")); !ok || string(got) != strings.Repeat("b", 100) {
		t.Errorf("reopened Open(b) = %q, %v", got, ok)
	}
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Errorf("temp file survived OpenCache: %v", err)
	}
	for _, f := range []string{foreign, odd} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("foreign file removed: %v", err)
		}
	}
	// Reopening with a smaller cap trims at once.
	c3 := openCache(t, dir, 150)
	if b, e := c3.Size(); b > 150 || e != 1 {
		t.Errorf("reopened with cap 150: %d bytes, %d entries; want ≤ 150, 1", b, e)
	}
}

// TestCacheFileRemovedBehindItsBack: a missing file is a miss, and the
// index forgets it.
func TestCacheFileRemovedBehindItsBack(t *testing.T) {
	c := openCache(t, t.TempDir(), 1<<20)
	n := Name("gone")
	if err := c.Put(n, TypeJPEG, []byte("data")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(c.path(n, "jpg")); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := c.Open(n); ok || err != nil {
		t.Errorf("Open of a removed file: ok=%v err=%v", ok, err)
	}
	if b, e := c.Size(); b != 0 || e != 0 {
		t.Errorf("index still counts the removed file: %d bytes, %d entries", b, e)
	}
}

func TestOpenCacheRejectsZeroCap(t *testing.T) {
	if _, err := OpenCache(t.TempDir(), 0); err == nil {
		t.Error("OpenCache with cap 0 succeeded")
	}
}
