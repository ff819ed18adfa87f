package rules

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// ErrTooManyDocs is what a Cache returns for the (MaxDocs+1)th distinct
// document of a request. Eval treats it as a failure of the rule (a
// denial), not as an I/O error.
var ErrTooManyDocs = fmt.Errorf("a request may read at most %d documents with get()", MaxDocs)

// Cache is a Getter for the evaluations of one request: it asks the
// underlying Getter for each path once and remembers the answer, so every
// get() of the request sees the same document; it refuses more than MaxDocs
// distinct paths. It is safe for concurrent use. Make one per request.
type Cache struct {
	g    Getter
	mu   sync.Mutex
	docs map[string]any
}

var _ Getter = (*Cache)(nil)

// NewCache returns an empty Cache over g.
func NewCache(g Getter) *Cache { return &Cache{g: g, docs: map[string]any{}} }

// Get returns the document at path, fetching it on first use. Errors are
// not cached.
func (c *Cache) Get(ctx context.Context, path string) (any, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.docs[path]; ok {
		return v, nil
	}
	if len(c.docs) >= MaxDocs {
		return nil, ErrTooManyDocs
	}
	v, err := c.g.Get(ctx, path)
	if err != nil {
		return nil, err
	}
	c.docs[path] = v
	return v, nil
}

// Fetched returns how many distinct documents the cache holds.
func (c *Cache) Fetched() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.docs)
}

// isDenial reports whether a Getter's error denies rather than fails.
func isDenial(err error) bool { return errors.Is(err, ErrTooManyDocs) }
