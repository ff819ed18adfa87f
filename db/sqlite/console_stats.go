package sqlite

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"minibase/db"
)

// Collections' counts and sizes. Counting a table's rows and summing its
// pages (dbstat) both read every page of it: cheap for the collections a
// console lists many times a minute, not for millions of documents. So
// the figures are kept with the number of commits they saw: while no
// write has committed since, they are exact and free; after one, they are
// read again, except that figures which took more than statsSlow to read
// for statsBig documents or more are kept up to statsTTL (a large database is read at most every few
// seconds however often the console asks; a small one is always exact).

const (
	statsSlow = 250 * time.Millisecond
	statsTTL  = 10 * time.Second
	statsBig  = 100_000 // documents: below, the figures are always exact
)

type statsCache struct {
	mu      sync.Mutex // held while reading: concurrent callers wait for one read
	commits int64
	at      time.Time
	took    time.Duration
	list    []db.CollectionInfo
	docs    int64 // in list
}

// Collections lists the collections by name with their document counts
// and sizes (the bytes of the pages of their tables and indexes).
func (d *DB) Collections(ctx context.Context) ([]db.CollectionInfo, error) {
	st := &d.stats
	st.mu.Lock()
	defer st.mu.Unlock()
	commits := d.commits.Load()
	if st.list != nil && (st.commits == commits || (st.took > statsSlow && st.docs >= statsBig && time.Since(st.at) < statsTTL)) {
		if d.sameCatalog(st.list) {
			return slices.Clone(st.list), nil
		}
	}
	start := time.Now()
	list, err := d.readStats(ctx)
	if err != nil {
		return nil, err
	}
	st.commits, st.at, st.took, st.list, st.docs = commits, start, time.Since(start), list, 0
	for _, c := range list {
		st.docs += c.Count
	}
	return slices.Clone(list), nil
}

// sameCatalog reports whether list names the committed collections
// (a collection created or dropped changes the answer at once).
func (d *DB) sameCatalog(list []db.CollectionInfo) bool {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if len(list) != len(d.colls) {
		return false
	}
	for _, c := range list {
		if d.colls[c.Name] == nil {
			return false
		}
	}
	return true
}

// readStats counts each collection and sums the pages of its table and
// its indexes.
func (d *DB) readStats(ctx context.Context) ([]db.CollectionInfo, error) {
	d.mu.RLock()
	cs := make([]*collection, 0, len(d.colls))
	for _, c := range d.colls {
		cs = append(cs, c)
	}
	d.mu.RUnlock()
	sort.Slice(cs, func(i, j int) bool { return cs[i].name < cs[j].name })
	sizes, err := d.tableSizes(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]db.CollectionInfo, 0, len(cs))
	for _, c := range cs {
		var n int64
		err := d.r.QueryRowContext(ctx, "SELECT count(*) FROM "+c.table).Scan(&n)
		if err != nil {
			if db.ErrorCode(sqlErr(err, c.name)) == db.CodeCollectionNotExist {
				continue // dropped meanwhile
			}
			return nil, fmt.Errorf("count %s: %w", c.name, err)
		}
		out = append(out, db.CollectionInfo{Name: c.name, Count: n, Size: sizes[strings.Trim(c.table, `"`)]})
	}
	return out, nil
}

// tableSizes is the bytes of the pages of each table with its indexes,
// by table name (SQLite's dbstat, one row per B-tree).
func (d *DB) tableSizes(ctx context.Context) (map[string]int64, error) {
	rows, err := d.r.QueryContext(ctx, "SELECT s.tbl_name, sum(t.pgsize) FROM dbstat('main', 1) t JOIN sqlite_schema s ON s.name = t.name GROUP BY s.tbl_name")
	if err != nil {
		return nil, fmt.Errorf("collection sizes: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var name string
		var n int64
		if err := rows.Scan(&name, &n); err != nil {
			return nil, fmt.Errorf("collection sizes: %w", err)
		}
		out[name] = n
	}
	return out, rows.Err()
}
