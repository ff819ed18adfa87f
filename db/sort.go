package db

import "errors"

// ParseSort parses a sort specification: [[path, 1|-1], …] (or "asc"/"desc").
func ParseSort(v any) ([]SortKey, error) { return nil, errors.New("TODO(update helper)") }

// CompareDocs orders two documents by keys with MongoDB's semantics.
func CompareDocs(a, b Doc, keys []SortKey) int { return 0 }
