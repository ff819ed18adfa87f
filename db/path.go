package db

import (
	"strconv"
	"strings"
)

// MaxPathDepth bounds the number of segments in a dot path.
const MaxPathDepth = 100

// Segments splits a dot path ("a.b.0.c") into its segments.
func Segments(path string) []string { return strings.Split(path, ".") }

// ArrayIndex parses a path segment as an array index (a non-negative decimal
// integer without sign or leading zeros).
func ArrayIndex(seg string) (int, bool) {
	if seg == "" || len(seg) > 9 || (len(seg) > 1 && seg[0] == '0') {
		return 0, false
	}
	n, err := strconv.Atoi(seg)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

// GetPath follows a dot path through documents and, with numeric segments,
// array elements. It does not fan out over arrays: use it where MongoDB reads
// a single value (updates, projections of a plain path).
func GetPath(v any, path string) (any, bool) { return getSegs(v, Segments(path)) }
