package sqlite

import (
	"container/heap"
	"context"
	"database/sql"
	"fmt"
	"sync"

	"minibase/db"
)

// maxSortBuffer bounds the documents held for a sort SQL cannot do (no
// suitable path kinds): skip+limit beyond it is refused, as MongoDB refuses
// in-memory sorts over its memory limit.
const maxSortBuffer = 100_000

// stmtCache keeps prepared read statements by SQL text. A statement is
// closed when it has been evicted and no caller holds it: closing one that
// another goroutine is about to run would fail that query with "statement
// is closed". (Rows already open keep working after Close: database/sql
// finalizes a statement only when its last rows are done.)
type stmtCache struct {
	db *sql.DB
	mu sync.Mutex
	m  map[string]*cachedStmt
}

type cachedStmt struct {
	st      *sql.Stmt
	refs    int  // callers between get and release
	evicted bool // out of the map; closed when refs drops to 0
}

const maxStmts = 512

// use runs fn with the prepared statement for q; fn must start its query
// before returning (what it returns, Rows or Row, may outlive it).
func (c *stmtCache) use(ctx context.Context, q string, fn func(*sql.Stmt) error) error {
	e, err := c.get(ctx, q)
	if err != nil {
		return err
	}
	defer c.release(e)
	return fn(e.st)
}

func (c *stmtCache) get(ctx context.Context, q string) (*cachedStmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[q]; ok {
		e.refs++
		return e, nil
	}
	s, err := c.db.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if c.m == nil {
		c.m = map[string]*cachedStmt{}
	}
	if len(c.m) >= maxStmts {
		for k, old := range c.m { // evict one at random
			delete(c.m, k)
			old.evicted = true
			if old.refs == 0 {
				old.st.Close()
			}
			break
		}
	}
	e := &cachedStmt{st: s, refs: 1}
	c.m[q] = e
	return e, nil
}

func (c *stmtCache) release(e *cachedStmt) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e.refs--; e.refs == 0 && e.evicted {
		e.st.Close()
	}
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range c.m {
		e.st.Close()
	}
	c.m = nil
}

// Find returns the documents matching q in q's order.
func (d *DB) Find(ctx context.Context, coll string, q *db.Query) ([][]byte, error) {
	c := d.lookup(coll)
	if c == nil {
		return nil, notExist(coll)
	}
	if id, ok := pointID(q); ok {
		out, err := d.readID(ctx, c, id)
		if err != nil {
			return nil, d.fault(sqlErr(err, coll))
		}
		return out, nil
	}
	for {
		sh, gen := c.shape.load()
		idx := c.indexes.Load()
		out, err := d.find(ctx, d.query, c, sh, deref(idx), q)
		if err != nil {
			if c.indexes.Load() != idx {
				continue // an index went while we read: plan again
			}
			return nil, d.fault(sqlErr(err, coll))
		}
		if _, now := c.shape.load(); now == gen {
			return out, nil
		}
		// A write widened the shape while we read: our SQL may have relied
		// on the old one. Shapes change rarely; read again.
	}
}

// deref returns *p, or nil.
func deref[T any](p *[]T) []T {
	if p == nil {
		return nil
	}
	return *p
}

// plan is how a find runs: exact SQL with ORDER BY and LIMIT, SQL order
// with Go matching, or a Go sort over SQL candidates.
type plan struct {
	sql     string
	args    []any
	exact   bool // the WHERE clause decides alone
	sqlSort bool // ORDER BY gives MongoDB's order
}

// planQuery is how q runs: planFind, with the index to read chosen where
// two compete (choosePlan).
func (d *DB) planQuery(ctx context.Context, c *collection, sh *shape, idx []catIndex, q *db.Query) (plan, error) {
	p := planFind(c, sh, idx, q)
	if eq := competing(idx, q); eq != nil && p.exact && p.sqlSort {
		use, err := d.choosePlan(ctx, c, sh, q, eq)
		if err != nil {
			return plan{}, err
		}
		p = planWith(c, sh, idx, q, use)
	}
	return p, nil
}

// planFind is the plan SQLite's own choice of index runs.
func planFind(c *collection, sh *shape, idx []catIndex, q *db.Query) plan {
	return planWith(c, sh, idx, q, eitherIndex)
}

// planWith is the plan that reads the index use says (see choosePlan).
func planWith(c *collection, sh *shape, idx []catIndex, q *db.Query, use indexUse) plan {
	t := &translator{sh: sh, idx: idx, unindexed: use == sortIndex}
	where, exact := t.cond(q.Filter.Root())
	order, sqlSort := orderBy(sh, q.Sort, use == filterIndex)
	p := plan{sql: "SELECT json(data) FROM " + c.table + " WHERE " + where, exact: exact, sqlSort: sqlSort}
	if sqlSort && order != "" {
		p.sql += " ORDER BY " + order
	}
	p.args = t.args
	if exact && sqlSort {
		// Bound, not spelled out: each page would otherwise be a new SQL
		// text, prepared anew and crowding the statement cache.
		p.sql += " LIMIT ? OFFSET ?"
		p.args = append(p.args, q.Limit, q.Skip)
	}
	return p
}

// reader runs a read statement: DB.query on the read pool, or a statement
// of one read transaction (Snapshot).
type reader func(ctx context.Context, q string, args []any) (*sql.Rows, error)

func (d *DB) find(ctx context.Context, read reader, c *collection, sh *shape, idx []catIndex, q *db.Query) ([][]byte, error) {
	if err := db.CheckGeoIndex(q.Filter, plainIndexes(idx)); err != nil {
		return nil, err
	}
	if nr := q.Filter.Near(); nr != nil && len(q.Sort) == 0 {
		return d.findNear(ctx, c, sh, idx, q, nr)
	}
	p, err := d.planQuery(ctx, c, sh, idx, q)
	if err != nil {
		return nil, err
	}
	switch {
	case p.exact && p.sqlSort:
		return collect(ctx, read, p.sql, p.args, nil, q.Limit)
	case p.sqlSort:
		return collectMatching(ctx, read, p.sql, p.args, q)
	}
	if q.Skip+q.Limit > maxSortBuffer {
		return nil, db.Errorf(db.CodeInvalidParam, "sort needs skip+limit of at most %d here: add an index on the sort fields or page with a filter", maxSortBuffer)
	}
	var f *db.Filter
	if !p.exact {
		f = q.Filter
	}
	return sortInMemory(ctx, read, p.sql, p.args, f, q)
}

// query runs a cached prepared read statement.
func (d *DB) query(ctx context.Context, q string, args []any) (*sql.Rows, error) {
	return d.queryIn(ctx, nil, q, args)
}

// queryIn runs a cached prepared read statement in tx (nil: on its own).
func (d *DB) queryIn(ctx context.Context, tx *sql.Tx, q string, args []any) (*sql.Rows, error) {
	var rows *sql.Rows
	err := d.stmts.use(ctx, q, func(st *sql.Stmt) (err error) {
		if tx != nil {
			st = tx.StmtContext(ctx, st)
		}
		rows, err = st.QueryContext(ctx, args...)
		return err
	})
	return rows, err
}

// collect reads up to limit raw documents; match, when set, filters them.
func collect(ctx context.Context, read reader, q string, args []any, match func([]byte) (bool, error), limit int) ([][]byte, error) {
	rows, err := read(ctx, q, args)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([][]byte, 0, min(limit, 64))
	for rows.Next() && len(out) < limit {
		var raw []byte
		if err := rows.Scan(&raw); err != nil {
			return nil, err
		}
		if match != nil {
			ok, err := match(raw)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
		}
		out = append(out, raw)
	}
	return out, rows.Err()
}

func decodeDoc(raw []byte) (db.Doc, error) {
	v, err := db.DecodeJSON(raw, db.MaxDepth+1)
	if err != nil {
		return nil, fmt.Errorf("stored document is unreadable: %w", err)
	}
	doc, ok := v.(db.Doc)
	if !ok {
		return nil, fmt.Errorf("stored document is not an object")
	}
	return doc, nil
}

// collectMatching streams rows in SQL order, keeps those the Go matcher
// accepts, and applies skip and limit itself.
func collectMatching(ctx context.Context, read reader, q string, args []any, query *db.Query) ([][]byte, error) {
	skip := query.Skip
	return collect(ctx, read, q, args, func(raw []byte) (bool, error) {
		doc, err := decodeDoc(raw)
		if err != nil {
			return false, err
		}
		if !query.Filter.Match(doc) {
			return false, nil
		}
		if skip > 0 {
			skip--
			return false, nil
		}
		return true, nil
	}, query.Limit)
}

// sortInMemory keeps the best skip+limit matching documents in a heap.
func sortInMemory(ctx context.Context, read reader, q string, args []any, f *db.Filter, query *db.Query) ([][]byte, error) {
	rows, err := read(ctx, q, args)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	keep := query.Skip + query.Limit
	h := &docHeap{keys: query.Sort}
	for rows.Next() {
		var raw []byte
		if err := rows.Scan(&raw); err != nil {
			return nil, err
		}
		doc, err := decodeDoc(raw)
		if err != nil {
			return nil, err
		}
		if f != nil && !f.Match(doc) {
			continue
		}
		if h.Len() < keep {
			heap.Push(h, sorted{doc, raw})
		} else if db.CompareDocs(doc, h.items[0].doc, query.Sort) < 0 {
			h.items[0] = sorted{doc, raw}
			heap.Fix(h, 0)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([][]byte, h.Len())
	for i := len(out) - 1; i >= 0; i-- {
		out[i] = heap.Pop(h).(sorted).raw
	}
	if query.Skip >= len(out) {
		return [][]byte{}, nil
	}
	return out[query.Skip:], nil
}

type sorted struct {
	doc db.Doc
	raw []byte
}

// docHeap is a max-heap on the sort order: the root is the worst kept doc.
type docHeap struct {
	keys  []db.SortKey
	items []sorted
}

func (h *docHeap) Len() int { return len(h.items) }
func (h *docHeap) Less(i, j int) bool {
	return db.CompareDocs(h.items[i].doc, h.items[j].doc, h.keys) > 0
}
func (h *docHeap) Swap(i, j int) { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *docHeap) Push(x any)    { h.items = append(h.items, x.(sorted)) }
func (h *docHeap) Pop() any {
	n := len(h.items) - 1
	x := h.items[n]
	h.items = h.items[:n]
	return x
}

// Count returns how many documents match f.
func (d *DB) Count(ctx context.Context, coll string, f *db.Filter) (int64, error) {
	c := d.lookup(coll)
	if c == nil {
		return 0, notExist(coll)
	}
	for {
		sh, gen := c.shape.load()
		idx := c.indexes.Load()
		n, err := d.count(ctx, c, sh, deref(idx), f)
		if err != nil {
			if c.indexes.Load() != idx {
				continue
			}
			return 0, d.fault(sqlErr(err, coll))
		}
		if _, now := c.shape.load(); now == gen {
			return n, nil
		}
	}
}

func (d *DB) count(ctx context.Context, c *collection, sh *shape, idx []catIndex, f *db.Filter) (int64, error) {
	if err := db.CheckGeoIndex(f, plainIndexes(idx)); err != nil {
		return 0, err
	}
	t := &translator{sh: sh, idx: idx}
	where, exact := t.cond(f.Root())
	if exact {
		var n int64
		err := d.stmts.use(ctx, "SELECT count(*) FROM "+c.table+" WHERE "+where, func(st *sql.Stmt) error {
			return st.QueryRowContext(ctx, t.args...).Scan(&n)
		})
		return n, err
	}
	var n int64
	_, err := collect(ctx, d.query, "SELECT json(data) FROM "+c.table+" WHERE "+where, t.args, func(raw []byte) (bool, error) {
		doc, err := decodeDoc(raw)
		if err == nil && f.Match(doc) {
			n++
		}
		return false, err
	}, 1)
	return n, err
}
