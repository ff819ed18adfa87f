package sqlite

import (
	"context"
	"fmt"
)

// Usage returns the bytes of the database's pages that hold data: the
// file's pages less those on SQLite's free list. Deleting rows frees pages
// for reuse without shrinking the file, so Usage falls when data is
// deleted while the file keeps its size (and does not grow again until the
// free pages are used up). Pages still only in the write-ahead log count.
func (d *DB) Usage(ctx context.Context) (int64, error) {
	var pages, free, size int64
	err := d.r.QueryRowContext(ctx, "SELECT p.page_count, f.freelist_count, s.page_size FROM pragma_page_count() p, pragma_freelist_count() f, pragma_page_size() s").
		Scan(&pages, &free, &size)
	if err != nil {
		return 0, fmt.Errorf("database usage: %w", err)
	}
	return (pages - free) * size, nil
}
