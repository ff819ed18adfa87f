package image

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// tmpPrefix starts the names of files being written; OpenCache removes
// leftovers of a crash.
const tmpPrefix = ".tmp-"

// Cache keeps encoded variants in a directory (<dir>/<ab>/<name>.jpg or
// .png), at most a given number of bytes: when a Put goes over, the least recently used entries are removed
// until the total is 90% of the cap. Writes are atomic (temp file, fsync,
// rename), so a reader never sees half a file, even after a crash. Recency
// lives in memory; after a restart it starts from the files' modification
// times. The index in memory is the truth: a file that appears in the
// directory while the Cache is open is not seen until the next OpenCache.
// Safe for concurrent use; one Cache per directory.
type Cache struct {
	dir string
	max int64

	mu      sync.Mutex
	entries map[string]*cacheEntry
	total   int64
	tick    uint64
}

type cacheEntry struct {
	size int64
	used uint64 // Cache.tick at the last Open or Put
	ext  string // "jpg" or "png": the file is <name>.<ext>
}

// Entry is an open cache entry. The caller closes File.
type Entry struct {
	File        *os.File
	Size        int64
	ContentType string // TypeJPEG or TypePNG
}

// cacheExts are the file extensions of the content types a Cache holds.
var cacheExts = map[string]string{TypeJPEG: "jpg", TypePNG: "png"}

func typeOfExt(ext string) string {
	for t, e := range cacheExts {
		if e == ext {
			return t
		}
	}
	return ""
}

// OpenCache opens (creating it if needed, mode 0700; its files are 0600)
// the cache directory dir, holding at most maxBytes (> 0). It indexes the files already there, removes
// unfinished temp files, and trims the cache to maxBytes.
func OpenCache(dir string, maxBytes int64) (*Cache, error) {
	if maxBytes <= 0 {
		return nil, fmt.Errorf("image cache: size cap must be positive, got %d", maxBytes)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("image cache: %w", err)
	}
	c := &Cache{dir: dir, max: maxBytes, entries: map[string]*cacheEntry{}}
	type found struct {
		name, ext string
		size      int64
		mod       int64
	}
	var files []found
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if strings.HasPrefix(d.Name(), tmpPrefix) {
			return os.Remove(path)
		}
		name, ext, _ := strings.Cut(d.Name(), ".")
		if !validName(name) || typeOfExt(ext) == "" {
			return nil // not ours: left alone, not counted
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		files = append(files, found{name, ext, info.Size(), info.ModTime().UnixNano()})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("image cache: index %s: %w", dir, err)
	}
	slices.SortFunc(files, func(a, b found) int { return cmp.Compare(a.mod, b.mod) })
	for _, f := range files {
		c.tick++
		c.entries[f.name] = &cacheEntry{size: f.size, used: c.tick, ext: f.ext}
		c.total += f.size
	}
	c.evict()
	return c, nil
}

// Name is the file name (and ETag body) under which key is stored: the
// hex SHA-256 of key.
func Name(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

func validName(n string) bool {
	if len(n) != 64 {
		return false
	}
	_, err := hex.DecodeString(n)
	return err == nil
}

func (c *Cache) path(name, ext string) string {
	return filepath.Join(c.dir, name[:2], name+"."+ext)
}

// Open returns the entry stored under name (from Name), open for reading,
// and whether there is one. A file removed behind the cache's back is a
// miss, not an error.
func (c *Cache) Open(name string) (Entry, bool, error) {
	c.mu.Lock()
	e := c.entries[name]
	var ext string
	if e != nil {
		c.tick++
		e.used = c.tick
		ext = e.ext
	}
	c.mu.Unlock()
	if e == nil {
		return Entry{}, false, nil
	}
	f, err := os.Open(c.path(name, ext))
	if errors.Is(err, fs.ErrNotExist) {
		c.forget(name, e)
		return Entry{}, false, nil
	}
	if err != nil {
		return Entry{}, false, fmt.Errorf("image cache: %w", err)
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return Entry{}, false, fmt.Errorf("image cache: %w", err)
	}
	return Entry{File: f, Size: info.Size(), ContentType: typeOfExt(ext)}, true, nil
}

// forget drops name from the index if it still maps to e.
func (c *Cache) forget(name string, e *cacheEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries[name] == e {
		c.total -= e.size
		delete(c.entries, name)
	}
}

// Put stores data of contentType (TypeJPEG or TypePNG) under name (from
// Name), replacing what was there, then evicts least recently used entries
// if the cache is over its cap. Data larger than the whole cap is not
// stored.
func (c *Cache) Put(name, contentType string, data []byte) error {
	ext := cacheExts[contentType]
	if !validName(name) || ext == "" {
		return fmt.Errorf("image cache: cannot store %q of type %q", name, contentType)
	}
	if int64(len(data)) > c.max {
		return nil
	}
	if err := writeAtomic(c.path(name, ext), data); err != nil {
		return fmt.Errorf("image cache: %w", err)
	}
	c.mu.Lock()
	c.tick++
	var stale []victim
	if e := c.entries[name]; e != nil {
		c.total -= e.size
		if e.ext != ext { // the same variant in another format: remove the old file
			stale = append(stale, victim{name, e.ext})
		}
	}
	c.entries[name] = &cacheEntry{size: int64(len(data)), used: c.tick, ext: ext}
	c.total += int64(len(data))
	victims := append(stale, c.evictLocked()...)
	c.mu.Unlock()
	return c.remove(victims)
}

// writeAtomic writes data to path through a synced temp file in the same
// directory and a rename.
func writeAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, tmpPrefix+"*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// Size returns the bytes and number of entries the cache holds.
func (c *Cache) Size() (bytes int64, entries int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.total, len(c.entries)
}

func (c *Cache) evict() {
	c.mu.Lock()
	victims := c.evictLocked()
	c.mu.Unlock()
	c.remove(victims)
}

// victim is a file to remove.
type victim struct{ name, ext string }

// evictLocked drops the least recently used entries from the index until
// the total is at most 90% of the cap, and returns their names for
// deletion outside the lock. Nothing when the total is within the cap.
func (c *Cache) evictLocked() []victim {
	if c.total <= c.max {
		return nil
	}
	names := make([]string, 0, len(c.entries))
	for n := range c.entries {
		names = append(names, n)
	}
	slices.SortFunc(names, func(a, b string) int { return cmp.Compare(c.entries[a].used, c.entries[b].used) })
	target := c.max - c.max/10
	var victims []victim
	for _, n := range names {
		if c.total <= target {
			break
		}
		e := c.entries[n]
		c.total -= e.size
		delete(c.entries, n)
		victims = append(victims, victim{n, e.ext})
	}
	return victims
}

// remove deletes the victims' files. A Put of the same name racing with
// this may lose its file; Open then reports a miss and the variant is made
// again.
func (c *Cache) remove(victims []victim) error {
	var first error
	for _, v := range victims {
		if err := os.Remove(c.path(v.name, v.ext)); err != nil && !errors.Is(err, fs.ErrNotExist) && first == nil {
			first = fmt.Errorf("image cache: evict: %w", err)
		}
	}
	return first
}
