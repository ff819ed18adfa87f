package local

import (
	"encoding/binary"
	"encoding/hex"
	"hash/fnv"
	"sync"
	"time"
)

// metaCache keeps the metadata of recently used objects, so serving a hot
// file does not read its metadata file each time. Entries are checked
// against the data file before use (Bucket.info), so a stale one is never
// served. It is bounded: when full it starts over.
type metaCache struct {
	mu  sync.RWMutex
	m   map[string]sidecar
	max int
}

func newMetaCache(max int) metaCache { return metaCache{m: make(map[string]sidecar), max: max} }

func (c *metaCache) get(key string) (sidecar, bool) {
	c.mu.RLock()
	sc, ok := c.m[key]
	c.mu.RUnlock()
	return sc, ok
}

func (c *metaCache) put(key string, sc sidecar) {
	c.mu.Lock()
	if len(c.m) >= c.max {
		clear(c.m)
	}
	c.m[key] = sc
	c.mu.Unlock()
}

func (c *metaCache) remove(key string) {
	c.mu.Lock()
	delete(c.m, key)
	c.mu.Unlock()
}

// etag is a strong validator for one version of an object: every Put makes
// a new file, and (inode, mtime in ns, size) tells files apart.
func etag(ino uint64, mtime, size int64) string {
	var b [24]byte
	binary.LittleEndian.PutUint64(b[0:], ino)
	binary.LittleEndian.PutUint64(b[8:], uint64(mtime))
	binary.LittleEndian.PutUint64(b[16:], uint64(size))
	h := fnv.New128a()
	h.Write(b[:])
	return `"` + hex.EncodeToString(h.Sum(nil)) + `"`
}

func timeFromNanos(ns int64) time.Time { return time.Unix(0, ns).UTC() }
