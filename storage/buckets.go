package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultBucket is the bucket every server has: uploads without a bucket
// go there, and it cannot be deleted.
const DefaultBucket = "default"

// Limits on bucket settings.
const (
	MaxFileSize     = 5 << 40 // the largest max size a bucket may have (5 TiB)
	maxAllowedTypes = 100
	maxBuckets      = 1000
)

// BucketSettings are a bucket's settings.
type BucketSettings struct {
	Name    string `json:"name"`
	MaxSize int64  `json:"maxSize"` // largest file in bytes
	// AllowedTypes limits uploads to these content types ("image/png", or
	// "image/*" for a family); empty allows any.
	AllowedTypes []string  `json:"allowedTypes"`
	Rule         Rule      `json:"rule"`
	Created      time.Time `json:"created"`
}

// check validates settings from an admin.
func (b *BucketSettings) check() error {
	if !ValidBucketName(b.Name) {
		return Errorf(CodeInvalidParam, "invalid bucket name %.70q: use 2-63 lowercase letters, digits and '-', starting and ending with a letter or digit", b.Name)
	}
	if b.MaxSize < 1 || b.MaxSize > MaxFileSize {
		return Errorf(CodeInvalidParam, "maxSize must be from 1 to %d bytes", int64(MaxFileSize))
	}
	if len(b.AllowedTypes) > maxAllowedTypes {
		return Errorf(CodeInvalidParam, "allowedTypes: at most %d", maxAllowedTypes)
	}
	for i, t := range b.AllowedTypes {
		t = strings.ToLower(strings.TrimSpace(t))
		typ, sub, ok := strings.Cut(t, "/")
		if !ok || typ == "" || sub == "" || len(t) > 100 || strings.ContainsAny(t, " ;,\"") || typ == "*" {
			return Errorf(CodeInvalidParam, "allowedTypes: %.60q is not a content type like image/png or image/*", t)
		}
		b.AllowedTypes[i] = t
	}
	if b.AllowedTypes == nil {
		b.AllowedTypes = []string{}
	}
	return nil
}

// allowsType reports whether an upload of content type typ may go in.
func (b *BucketSettings) allowsType(typ string) bool {
	if len(b.AllowedTypes) == 0 {
		return true
	}
	typ, _, _ = strings.Cut(strings.ToLower(typ), ";")
	typ = strings.TrimSpace(typ)
	family, _, _ := strings.Cut(typ, "/")
	for _, a := range b.AllowedTypes {
		if a == typ || strings.HasSuffix(a, "/*") && a[:len(a)-2] == family {
			return true
		}
	}
	return false
}

// catalogKey is where the bucket settings are kept in the backend itself,
// so every server on the same S3 bucket sees the same buckets. Bucket
// names cannot start with '.', so no file can be there.
const catalogKey = ".minibase/buckets.json"

// catalogRefresh is how stale a server's copy of the catalog may get
// before it checks the backend for changes made by another server.
const catalogRefresh = 5 * time.Second

// catalog holds the bucket settings: read lock-free, written whole to the
// backend under a mutex (the last writer wins between servers).
type catalog struct {
	be      Bucket
	now     func() time.Time
	mu      sync.Mutex // serializes writes and refreshes
	cur     atomic.Pointer[catalogState]
	checked atomic.Int64 // when the backend was last checked, Unix ns
}

type catalogState struct {
	etag    string
	buckets map[string]*BucketSettings
}

type catalogFile struct {
	Buckets []*BucketSettings `json:"buckets"`
}

// load reads the catalog, creating it with the default bucket when missing.
func (c *catalog) load(ctx context.Context, defaults BucketSettings) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.reload(ctx); err != nil && !errors.Is(err, ErrNotExist) {
		return err
	}
	if _, ok := c.cur.Load().buckets[DefaultBucket]; ok {
		return nil
	}
	defaults.Name, defaults.Created = DefaultBucket, c.now().UTC()
	return c.write(ctx, func(m map[string]*BucketSettings) error { m[DefaultBucket] = &defaults; return nil })
}

// reload reads the catalog from the backend (c.mu held).
func (c *catalog) reload(ctx context.Context) error {
	c.checked.Store(c.now().UnixNano())
	rc, info, err := c.be.Open(ctx, catalogKey)
	if err != nil {
		if errors.Is(err, ErrNotExist) {
			c.cur.Store(&catalogState{buckets: map[string]*BucketSettings{}})
		}
		return err
	}
	defer rc.Close()
	var f catalogFile
	if err := json.NewDecoder(rc).Decode(&f); err != nil {
		return fmt.Errorf("read bucket catalog: %w", err)
	}
	st := &catalogState{etag: info.ETag, buckets: make(map[string]*BucketSettings, len(f.Buckets))}
	for _, b := range f.Buckets {
		st.buckets[b.Name] = b
	}
	c.cur.Store(st)
	return nil
}

// get returns a bucket's settings (not to be modified), checking the
// backend for changes when the copy is older than catalogRefresh.
func (c *catalog) get(ctx context.Context, name string) (*BucketSettings, bool, error) {
	if c.now().UnixNano()-c.checked.Load() > int64(catalogRefresh) && c.mu.TryLock() {
		err := c.refresh(ctx)
		c.mu.Unlock()
		if err != nil {
			return nil, false, err
		}
	}
	b, ok := c.cur.Load().buckets[name]
	return b, ok, nil
}

// refresh reloads the catalog if its ETag changed (c.mu held).
func (c *catalog) refresh(ctx context.Context) error {
	c.checked.Store(c.now().UnixNano())
	info, err := c.be.Stat(ctx, catalogKey)
	if err != nil || info.ETag == c.cur.Load().etag {
		return err
	}
	return c.reload(ctx)
}

// list returns every bucket's settings, sorted by name.
func (c *catalog) list() []*BucketSettings {
	m := c.cur.Load().buckets
	out := make([]*BucketSettings, 0, len(m))
	for _, b := range m {
		out = append(out, b)
	}
	slices.SortFunc(out, func(a, b *BucketSettings) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// update applies change to a copy of the buckets and stores the result.
func (c *catalog) update(ctx context.Context, change func(map[string]*BucketSettings) error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.refresh(ctx); err != nil {
		return err
	}
	return c.write(ctx, change)
}

// write stores a changed copy of the catalog (c.mu held).
func (c *catalog) write(ctx context.Context, change func(map[string]*BucketSettings) error) error {
	m := make(map[string]*BucketSettings, len(c.cur.Load().buckets)+1)
	for k, v := range c.cur.Load().buckets {
		m[k] = v
	}
	if err := change(m); err != nil {
		return err
	}
	f := catalogFile{Buckets: make([]*BucketSettings, 0, len(m))}
	for _, b := range m {
		f.Buckets = append(f.Buckets, b)
	}
	slices.SortFunc(f.Buckets, func(a, b *BucketSettings) int { return strings.Compare(a.Name, b.Name) })
	raw, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return fmt.Errorf("encode bucket catalog: %w", err)
	}
	info, err := c.be.Put(ctx, catalogKey, bytes.NewReader(raw), PutOptions{ContentType: "application/json"})
	if err != nil {
		return fmt.Errorf("store bucket catalog: %w", err)
	}
	c.cur.Store(&catalogState{etag: info.ETag, buckets: m})
	return nil
}
