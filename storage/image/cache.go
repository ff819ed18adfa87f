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

// Cache keeps encoded variants in a directory, at most a given number of
// bytes: when a Put goes over, the least recently used entries are removed
// until the total is 90% of the cap. Writes are atomic (temp file, fsync,
// rename), so a reader never sees half a file, even after a crash. Recency
// lives in memory; after a restart it starts from the files' modification
// times. Safe for concurrent use; one Cache per directory.
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
	used uint64 // Cache.tick at the last Get or Put
}

// OpenCache opens (creating it if needed) the cache directory dir, holding
// at most maxBytes (> 0). It indexes the files already there, removes
// unfinished temp files, and trims the cache to maxBytes.
func OpenCache(dir string, maxBytes int64) (*Cache, error) {
	if maxBytes <= 0 {
		return nil, fmt.Errorf("image cache: size cap must be positive, got %d", maxBytes)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("image cache: %w", err)
	}
	c := &Cache{dir: dir, max: maxBytes, entries: map[string]*cacheEntry{}}
	type found struct {
		name string
		size int64
		mod  int64
	}
	var files []found
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if strings.HasPrefix(d.Name(), tmpPrefix) {
			return os.Remove(path)
		}
		if !validName(d.Name()) {
			return nil // not ours: left alone, not counted
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		files = append(files, found{d.Name(), info.Size(), info.ModTime().UnixNano()})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("image cache: index %s: %w", dir, err)
	}
	slices.SortFunc(files, func(a, b found) int { return cmp.Compare(a.mod, b.mod) })
	for _, f := range files {
		c.tick++
		c.entries[f.name] = &cacheEntry{size: f.size, used: c.tick}
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

func (c *Cache) path(name string) string {
	return filepath.Join(c.dir, name[:2], name)
}

// Get returns the bytes stored under name (from Name), and whether there
// were any. A missing file is a miss, not an error.
func (c *Cache) Get(name string) ([]byte, bool, error) {
	data, err := os.ReadFile(c.path(name))
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entries[name]
	if errors.Is(err, fs.ErrNotExist) {
		if e != nil { // evicted or removed behind our back
			c.total -= e.size
			delete(c.entries, name)
		}
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("image cache: read: %w", err)
	}
	c.tick++
	if e == nil { // written before a crash lost track of it, or by an earlier Cache
		e = &cacheEntry{size: int64(len(data))}
		c.entries[name] = e
		c.total += e.size
	}
	e.used = c.tick
	return data, true, nil
}

// Put stores data under name (from Name), replacing what was there, then
// evicts least recently used entries if the cache is over its cap. Data
// larger than the whole cap is not stored.
func (c *Cache) Put(name string, data []byte) error {
	if !validName(name) {
		return fmt.Errorf("image cache: %q is not a name from Name", name)
	}
	if int64(len(data)) > c.max {
		return nil
	}
	final := c.path(name)
	if err := writeAtomic(final, data); err != nil {
		return fmt.Errorf("image cache: %w", err)
	}
	c.mu.Lock()
	c.tick++
	if e := c.entries[name]; e != nil {
		c.total -= e.size
	}
	c.entries[name] = &cacheEntry{size: int64(len(data)), used: c.tick}
	c.total += int64(len(data))
	victims := c.evictLocked()
	c.mu.Unlock()
	return removeAll(c, victims)
}

// writeAtomic writes data to path through a synced temp file in the same
// directory and a rename.
func writeAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
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
	removeAll(c, victims)
}

// evictLocked drops the least recently used entries from the index until
// the total is at most 90% of the cap, and returns their names for
// deletion outside the lock. Nothing when the total is within the cap.
func (c *Cache) evictLocked() []string {
	if c.total <= c.max {
		return nil
	}
	names := make([]string, 0, len(c.entries))
	for n := range c.entries {
		names = append(names, n)
	}
	slices.SortFunc(names, func(a, b string) int { return cmp.Compare(c.entries[a].used, c.entries[b].used) })
	target := c.max - c.max/10
	var victims []string
	for _, n := range names {
		if c.total <= target {
			break
		}
		c.total -= c.entries[n].size
		delete(c.entries, n)
		victims = append(victims, n)
	}
	return victims
}

func removeAll(c *Cache, names []string) error {
	var first error
	for _, n := range names {
		if err := os.Remove(c.path(n)); err != nil && !errors.Is(err, fs.ErrNotExist) && first == nil {
			first = fmt.Errorf("image cache: evict: %w", err)
		}
	}
	return first
}
