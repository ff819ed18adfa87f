package sqlite

import (
	"encoding/json"
	"strings"
	"sync"
	"time"

	"minibase/db"
)

// A shape summarises, per field path, which kinds of value a collection has
// ever held there. It only grows (removing documents does not shrink it), so
// it is always a superset of the truth. The translator uses it to know when
// json_extract(data, path) describes a value exactly: no array on the path,
// and no types that SQLite would confuse (JSON true is the integer 1;
// objects, arrays and dates all come back as text).
//
// This is MongoDB's "multikey" tracking, extended to types.
type shape struct {
	Paths    map[string]kind `json:"p"`
	Overflow bool            `json:"o,omitempty"` // too many paths: every unknown path may hold anything
}

// kind is a bit set of value kinds seen at a path.
type kind uint16

const (
	kNull kind = 1 << iota
	kBool
	kNumber
	kString
	kDoc
	kDate
	kRegex
	kArray      // the value at the path was an array
	kUnderArray // the path was reached through an array element
	kAll        = kNull | kBool | kNumber | kString | kDoc | kDate | kRegex | kArray | kUnderArray
)

const (
	maxShapePaths = 1000
	maxShapeDepth = 16
	maxShapePath  = 256
)

func kindOf(v any) kind {
	switch v.(type) {
	case nil:
		return kNull
	case bool:
		return kBool
	case int64, float64:
		return kNumber
	case string:
		return kString
	case db.Doc:
		return kDoc
	case []any:
		return kArray
	case time.Time:
		return kDate
	case db.Regex:
		return kRegex
	}
	return kAll
}

// lookup returns the kinds a path may hold.
func (s *shape) lookup(path string) kind {
	if strings.Count(path, ".") >= maxShapeDepth || len(parent(path)) > maxShapePath {
		return kAll // deeper than adds looks: never recorded
	}
	k, ok := s.Paths[path]
	if !ok && s.Overflow {
		return kAll
	}
	// A path below an array of scalars was never recorded: still under an array.
	for i := strings.IndexByte(path, '.'); i >= 0; i = nextDot(path, i) {
		if s.Paths[path[:i]]&kArray != 0 {
			k |= kUnderArray
		}
	}
	return k
}

// parent is the path above p ("" for a top-level field).
func parent(p string) string {
	if i := strings.LastIndexByte(p, '.'); i >= 0 {
		return p[:i]
	}
	return ""
}

func nextDot(s string, i int) int {
	j := strings.IndexByte(s[i+1:], '.')
	if j < 0 {
		return -1
	}
	return i + 1 + j
}

// adds returns the kinds doc would add to s (nil when it adds nothing).
func (s *shape) adds(doc db.Doc) map[string]kind {
	var add map[string]kind
	var walk func(v any, path string, depth int, under bool)
	note := func(path string, k kind) {
		if s.Paths[path]&k != k || (add != nil && add[path]&k != k) {
			if add == nil {
				add = map[string]kind{}
			}
			add[path] |= k | s.Paths[path]
		}
	}
	walk = func(v any, path string, depth int, under bool) {
		k := kindOf(v)
		if under {
			k |= kUnderArray
		}
		if path != "" {
			note(path, k)
		}
		if depth >= maxShapeDepth || len(path) > maxShapePath {
			return
		}
		switch x := v.(type) {
		case db.Doc:
			for _, f := range x {
				walk(f.Value, joinPath(path, f.Key), depth+1, under)
			}
		case []any:
			for _, e := range x {
				note(path, kindOf(e)|kArray)
				if d, ok := e.(db.Doc); ok {
					for _, f := range d {
						walk(f.Value, joinPath(path, f.Key), depth+1, true)
					}
				}
			}
		}
	}
	walk(doc, "", 0, false)
	return add
}

func joinPath(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}

// shapeBox holds a collection's shape, replaced copy-on-write. gen counts
// changes so that readers can detect that a writer widened the shape while
// their query ran (see DB.find).
type shapeBox struct {
	mu  sync.Mutex
	cur *shape
	gen uint64
}

func (b *shapeBox) load() (*shape, uint64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.cur, b.gen
}

// widen merges add into the shape, publishing it before the data that needs
// it can commit, and returns the JSON to persist.
func (b *shapeBox) widen(add map[string]kind) []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	next := &shape{Paths: make(map[string]kind, len(b.cur.Paths)+len(add)), Overflow: b.cur.Overflow}
	for p, k := range b.cur.Paths {
		next.Paths[p] = k
	}
	for p, k := range add {
		if _, ok := next.Paths[p]; !ok && len(next.Paths) >= maxShapePaths {
			next.Overflow = true
			continue
		}
		next.Paths[p] |= k
	}
	b.cur = next
	b.gen++
	out, _ := json.Marshal(next)
	return out
}
