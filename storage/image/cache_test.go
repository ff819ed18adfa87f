package image

import (
	"bytes"
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

func TestCacheGetPut(t *testing.T) {
	c := openCache(t, t.TempDir(), 1<<20)
	n := Name("a")
	if _, ok, err := c.Get(n); ok || err != nil {
		t.Fatalf("empty cache: ok=%v err=%v", ok, err)
	}
	if err := c.Put(n, []byte("first")); err != nil {
		t.Fatal(err)
	}
	if err := c.Put(n, []byte("second!")); err != nil { // replaces
		t.Fatal(err)
	}
	got, ok, err := c.Get(n)
	if err != nil || !ok || string(got) != "second!" {
		t.Fatalf("Get = %q %v %v; want second!", got, ok, err)
	}
	if b, e := c.Size(); b != 7 || e != 1 {
		t.Errorf("Size = %d bytes, %d entries; want 7, 1", b, e)
	}
	if err := c.Put("../../etc/passwd", []byte("x")); err == nil {
		t.Error("Put accepted a name that is not from Name")
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
		if err := c.Put(names[i], blob); err != nil {
			t.Fatal(err)
		}
	}
	if b, e := c.Size(); b != 1000 || e != 10 {
		t.Fatalf("full cache: %d bytes, %d entries", b, e)
	}
	if _, ok, _ := c.Get(names[0]); !ok { // a is now the most recently used
		t.Fatal("a missing")
	}
	if err := c.Put(Name("k"), blob); err != nil { // 1100 > 1000: evict to ≤ 900
		t.Fatal(err)
	}
	if b, e := c.Size(); b != 900 || e != 9 {
		t.Errorf("after eviction: %d bytes, %d entries; want 900, 9", b, e)
	}
	for i, n := range names {
		_, ok, err := c.Get(n)
		if err != nil {
			t.Fatal(err)
		}
		evicted := i == 1 || i == 2 // b and c: the least recently used
		if ok == evicted {
			t.Errorf("entry %c present=%v, want %v", 'a'+i, ok, !evicted)
		}
		if _, err := os.Stat(c.path(n)); (err == nil) == evicted {
			t.Errorf("file of %c exists=%v after eviction", 'a'+i, err == nil)
		}
	}
	if err := c.Put(Name("huge"), bytes.Repeat([]byte("x"), 2000)); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := c.Get(Name("huge")); ok {
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
		if err := c.Put(Name(k), []byte(strings.Repeat(k, 100))); err != nil {
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
	c2 := openCache(t, dir, 1<<20)
	if b, e := c2.Size(); b != 300 || e != 3 {
		t.Errorf("reopened: %d bytes, %d entries; want 300, 3", b, e)
	}
	if got, ok, _ := c2.Get(Name("b")); !ok || string(got) != strings.Repeat("b", 100) {
		t.Errorf("reopened Get(b) = %q, %v", got, ok)
	}
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Errorf("temp file survived OpenCache: %v", err)
	}
	if _, err := os.Stat(foreign); err != nil {
		t.Errorf("foreign file removed: %v", err)
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
	if err := c.Put(n, []byte("data")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(c.path(n)); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := c.Get(n); ok || err != nil {
		t.Errorf("Get of a removed file: ok=%v err=%v", ok, err)
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
