package postgres

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"minibase/db"

	"github.com/jackc/pgx/v5"
)

// translator turns a filter into a SQL condition over one collection's
// table that every matching document satisfies (a superset): the Go
// matcher decides on each row it returns. It narrows only where that is
// certain:
//   - _id equality and $in with strings: the id column.
//   - equality, $in and number ranges on a path that a non-multikey index
//     covers (no document ever held an array there, so doc's value at the
//     path is the one value MongoDB compares): doc->'a'->'b' compared as
//     jsonb, which the index serves. jsonb orders numbers exactly (numeric)
//     and puts every other type outside a number range, so number ranges
//     only ever let through more; string ranges are left to Go, since
//     jsonb compares strings by the database's collation, not bytes.
//
// Where every node was translated exactly (exact stays true), the SQL
// condition selects exactly the matching documents: then Find pages in SQL
// (for the _id order) and Count counts there.
type translator struct {
	c     *coll
	args  []any
	loose bool // some node was translated as a superset (or not at all)
}

const sqlTrue = "true"

// superset marks the condition inexact and returns s.
func (t *translator) superset(s string) string {
	t.loose = true
	return s
}

func (t *translator) arg(v any) string {
	t.args = append(t.args, v)
	return "$" + strconv.Itoa(len(t.args))
}

func (t *translator) cond(n *db.Node) string {
	switch n.Op {
	case db.OpAnd:
		var parts []string
		for _, ch := range n.Children {
			if s := t.cond(ch); s != sqlTrue {
				parts = append(parts, s)
			}
		}
		if len(parts) == 0 {
			return sqlTrue
		}
		return "(" + strings.Join(parts, " AND ") + ")"
	case db.OpOr:
		var parts []string
		nargs := len(t.args)
		for _, ch := range n.Children {
			s := t.cond(ch)
			if s == sqlTrue {
				t.args = t.args[:nargs] // the other branches' arguments go unused
				return sqlTrue
			}
			parts = append(parts, s)
		}
		if len(parts) == 0 {
			return sqlTrue
		}
		return "(" + strings.Join(parts, " OR ") + ")"
	case db.OpEq, db.OpIn, db.OpGt, db.OpGte, db.OpLt, db.OpLte:
		if n.Regex != nil || n.Regexes != nil {
			return t.superset(sqlTrue)
		}
		if n.Path == "_id" {
			return t.idCond(n)
		}
		return t.fieldCond(n)
	case db.OpTrue:
		return sqlTrue
	}
	return t.superset(sqlTrue)
}

func (t *translator) idCond(n *db.Node) string {
	switch n.Op {
	case db.OpEq:
		if s, ok := n.Value.(string); ok {
			return "id = " + t.arg(s)
		}
	case db.OpIn:
		vals, _ := n.Value.([]any)
		ss := make([]string, 0, len(vals))
		for _, v := range vals {
			s, ok := v.(string)
			if !ok {
				return t.superset(sqlTrue)
			}
			ss = append(ss, s)
		}
		return "id = ANY(" + t.arg(ss) + "::text[])"
	case db.OpGt, db.OpGte, db.OpLt, db.OpLte:
		// _id is always a string: a string bound compares it in byte order
		// (the column's collation is "C"), as db.Compare does.
		if s, ok := n.Value.(string); ok {
			op := map[db.Op]string{db.OpGt: ">", db.OpGte: ">=", db.OpLt: "<", db.OpLte: "<="}[n.Op]
			return "id " + op + " " + t.arg(s)
		}
	}
	return t.superset(sqlTrue)
}

// exactPath returns the SQL expression of a path whose value is exactly
// what MongoDB compares: one that a non-multikey index has as a key.
func (t *translator) exactPath(path string) (string, bool) {
	for _, x := range t.c.indexes {
		if x.multikey || x.Geo() {
			continue
		}
		for _, k := range x.Keys {
			if k.Path == path {
				return pathExpr(path)
			}
		}
	}
	return "", false
}

// scalarJSON returns v as jsonb text when equality of jsonb values is
// MongoDB's equality for it: strings, booleans and finite numbers.
func scalarJSON(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		if strings.IndexByte(x, 0) >= 0 {
			return "", false // doc holds U+FFFD for it (see jsonText)
		}
		return string(db.MarshalJSON(v)), true
	case bool, int64:
		return string(db.MarshalJSON(v)), true
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "", false
		}
		return string(db.MarshalJSON(v)), true
	}
	return "", false
}

func (t *translator) fieldCond(n *db.Node) string {
	e, ok := t.exactPath(n.Path)
	if !ok {
		return t.superset(sqlTrue)
	}
	switch n.Op {
	case db.OpEq:
		j, ok := scalarJSON(n.Value)
		if !ok {
			return t.superset(sqlTrue)
		}
		t.fffd(n.Value)
		return e + " = " + t.arg(j) + "::jsonb"
	case db.OpIn:
		vals, _ := n.Value.([]any)
		js := make([]string, 0, len(vals))
		for _, v := range vals {
			j, ok := scalarJSON(v)
			if !ok {
				return t.superset(sqlTrue)
			}
			t.fffd(v)
			js = append(js, j)
		}
		return e + " = ANY(" + t.arg(js) + "::jsonb[])"
	default: // ranges: other types pass too (see translator)
		if !db.IsNumber(n.Value) {
			return t.superset(sqlTrue)
		}
		j, ok := scalarJSON(n.Value)
		if !ok {
			return t.superset(sqlTrue)
		}
		op := map[db.Op]string{db.OpGt: ">", db.OpGte: ">=", db.OpLt: "<", db.OpLte: "<="}[n.Op]
		return t.superset(e + " " + op + " " + t.arg(j) + "::jsonb")
	}
}

// fffd marks the condition inexact when v is a string holding U+FFFD: the
// doc column holds U+FFFD for U+0000 too (jsonText), so equality there
// also lets the U+0000 look-alike through.
func (t *translator) fffd(v any) {
	if s, ok := v.(string); ok && strings.ContainsRune(s, '\uFFFD') {
		t.loose = true
	}
}

// candidates returns the SQL that selects the raw documents of c the
// filter may match, in _id order, its arguments, and whether it selects
// exactly the matching ones.
func candidates(c *coll, f *db.Filter) (string, []any, bool) {
	t := &translator{c: c}
	where := t.cond(f.Root())
	return "SELECT raw FROM " + c.table + " WHERE " + where + " ORDER BY id", t.args, !t.loose
}

// match returns the documents of c that f matches, in _id order, as raw
// extended JSON and decoded; at most limit of them when limit > 0.
func match(ctx context.Context, q querier, c *coll, f *db.Filter, limit int) ([][]byte, []db.Doc, error) {
	var raws [][]byte
	var docs []db.Doc
	err := eachMatch(ctx, q, c, f, limit, func(raw []byte, doc db.Doc) bool {
		raws = append(raws, raw)
		docs = append(docs, doc)
		return limit <= 0 || len(docs) < limit
	})
	return raws, docs, err
}

// eachMatch calls fn with each document of c that f matches, in _id order,
// until fn returns false. limit > 0 tells SQL how many at most are wanted
// (where its condition is exact).
func eachMatch(ctx context.Context, q querier, c *coll, f *db.Filter, limit int, fn func(raw []byte, doc db.Doc) bool) error {
	sql, args, exact := candidates(c, f)
	if exact && limit > 0 {
		sql += " LIMIT " + strconv.Itoa(limit)
	}
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return pgErr(err, c.name)
	}
	defer rows.Close()
	for rows.Next() {
		var raw []byte
		if err := rows.Scan(&raw); err != nil {
			return err
		}
		doc, err := decodeDoc(raw)
		if err != nil {
			return err
		}
		if !exact && !f.Match(doc) {
			continue
		}
		if !fn(raw, doc) {
			break
		}
	}
	return pgErr(rows.Err(), c.name)
}

// eachDoc calls fn with every document of c, in _id order.
func eachDoc(ctx context.Context, q querier, c *coll, fn func(db.Doc) error) error {
	rows, err := q.Query(ctx, "SELECT raw FROM "+c.table+" ORDER BY id")
	if err != nil {
		return pgErr(err, c.name)
	}
	defer rows.Close()
	for rows.Next() {
		var raw []byte
		if err := rows.Scan(&raw); err != nil {
			return err
		}
		doc, err := decodeDoc(raw)
		if err != nil {
			return err
		}
		if err := fn(doc); err != nil {
			return err
		}
	}
	return pgErr(rows.Err(), c.name)
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

// find runs q on c inside tx: the candidates SQL gives, the Go matcher,
// then nearest-first order for a $nearSphere without a sort, q.Sort, skip
// and limit.
func find(ctx context.Context, q querier, c *coll, query *db.Query) ([][]byte, error) {
	if err := db.CheckGeoIndex(query.Filter, c.plainIndexes()); err != nil {
		return nil, err
	}
	if raws, ok, err := findPaged(ctx, q, c, query); ok || err != nil {
		return raws, err
	}
	nr := query.Filter.Near()
	if nr == nil && len(query.Sort) == 0 {
		// The _id order: skip and limit as the matches stream by.
		var out [][]byte
		skip := query.Skip
		err := eachMatch(ctx, q, c, query.Filter, 0, func(raw []byte, _ db.Doc) bool {
			if skip > 0 {
				skip--
				return true
			}
			out = append(out, raw)
			return query.Limit <= 0 || len(out) < query.Limit
		})
		return out, err
	}
	// Sorted in Go, holding at most 2(skip+limit) documents: whenever the
	// buffer reaches that, it is sorted and cut to the first skip+limit.
	// The sort is stable and documents come in _id order, so ties keep the
	// _id order, as db.CompareDocs' callers expect.
	type item struct {
		raw  []byte
		doc  db.Doc
		dist float64
	}
	var buf []item
	// By q.Sort, then (with a $nearSphere) nearest first: a $nearSphere
	// without a sort is nearest first, and with one it orders the ties.
	compare := func(a, b item) int {
		if c := db.CompareDocs(a.doc, b.doc, query.Sort); c != 0 || nr == nil {
			return c
		}
		return cmp.Compare(a.dist, b.dist)
	}
	keep := 0 // 0: all
	if query.Limit > 0 {
		keep = query.Skip + query.Limit
	}
	err := eachMatch(ctx, q, c, query.Filter, 0, func(raw []byte, doc db.Doc) bool {
		it := item{raw: raw, doc: doc}
		if nr != nil {
			it.dist, _ = nr.Distance(doc)
		}
		buf = append(buf, it)
		if keep > 0 && len(buf) >= 2*keep {
			slices.SortStableFunc(buf, compare)
			clear(buf[keep:])
			buf = buf[:keep]
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(buf, compare)
	buf = buf[min(query.Skip, len(buf)):]
	if query.Limit > 0 {
		buf = buf[:min(query.Limit, len(buf))]
	}
	out := make([][]byte, len(buf))
	for i, it := range buf {
		out[i] = it.raw
	}
	return out, nil
}

// findPaged runs query all in SQL when that gives exactly its result: an
// exact condition, and the _id order (or none). ok is false otherwise.
func findPaged(ctx context.Context, q querier, c *coll, query *db.Query) (raws [][]byte, ok bool, err error) {
	desc := false
	switch {
	case len(query.Sort) == 0:
	case len(query.Sort) == 1 && query.Sort[0].Path == "_id":
		desc = query.Sort[0].Desc
	default:
		return nil, false, nil
	}
	t := &translator{c: c}
	where := t.cond(query.Filter.Root())
	if t.loose {
		return nil, false, nil
	}
	sql := "SELECT raw FROM " + c.table + " WHERE " + where + " ORDER BY id"
	if desc {
		sql += " DESC"
	}
	if query.Limit > 0 {
		sql += " LIMIT " + strconv.Itoa(query.Limit)
	}
	if query.Skip > 0 {
		sql += " OFFSET " + strconv.Itoa(query.Skip)
	}
	rows, err := q.Query(ctx, sql, t.args...)
	if err != nil {
		return nil, true, pgErr(err, c.name)
	}
	raws, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) ([]byte, error) {
		var raw []byte
		err := r.Scan(&raw)
		return raw, err
	})
	return raws, true, pgErr(err, c.name)
}

// Find returns the documents matching q in q's order.
func (d *DB) Find(ctx context.Context, name string, q *db.Query) ([][]byte, error) {
	var out [][]byte
	err := d.read(ctx, func(tx pgx.Tx) error {
		c, err := mustLookup(ctx, tx, name)
		if err != nil {
			return err
		}
		out, err = find(ctx, tx, c, q)
		return err
	})
	return out, err
}

// Scan streams the matching documents from one REPEATABLE READ snapshot,
// held until the cursor is closed. It gives them in q's order with skip and
// limit applied (sorted) when that order is the _id order (or none): SQL
// pages an exact condition, the Go matcher filters the others as they
// stream. Otherwise (another sort, a $nearSphere) it gives every match in
// _id order, unsorted, and the caller sorts under its memory limit.
func (d *DB) Scan(ctx context.Context, name string, q *db.Query) (db.Cursor, bool, error) {
	tx, err := d.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, false, fmt.Errorf("begin read: %w", err)
	}
	cur := &cursor{tx: tx}
	fail := func(err error) (db.Cursor, bool, error) {
		cur.Close()
		return nil, false, err
	}
	c, err := mustLookup(ctx, tx, name)
	if err != nil {
		return fail(err)
	}
	if err := db.CheckGeoIndex(q.Filter, c.plainIndexes()); err != nil {
		return fail(err)
	}
	t := &translator{c: c}
	where := t.cond(q.Filter.Root())
	sql := "SELECT raw FROM " + c.table + " WHERE " + where + " ORDER BY id"
	idOrder := len(q.Sort) == 0 || len(q.Sort) == 1 && q.Sort[0].Path == "_id"
	sorted := idOrder && q.Filter.Near() == nil
	if sorted && len(q.Sort) == 1 && q.Sort[0].Desc {
		sql += " DESC"
	}
	switch {
	case sorted && !t.loose:
		if q.Limit > 0 {
			sql += " LIMIT " + strconv.Itoa(q.Limit)
		}
		if q.Skip > 0 {
			sql += " OFFSET " + strconv.Itoa(q.Skip)
		}
	case sorted:
		cur.skip, cur.limit = q.Skip, q.Limit
	}
	if t.loose {
		cur.filter = q.Filter
	}
	if cur.rows, err = tx.Query(ctx, sql, t.args...); err != nil {
		return fail(pgErr(err, name))
	}
	cur.name = name
	return cur, sorted, nil
}

// cursor streams what Scan selects: rows of its transaction, through the
// Go matcher when filter is set, skipping skip of them and ending after
// limit (0: no limit).
type cursor struct {
	tx          pgx.Tx
	rows        pgx.Rows
	name        string
	filter      *db.Filter
	skip, limit int
	n           int // documents given
	done        bool
}

func (c *cursor) Next() ([]byte, error) {
	for !c.done && (c.limit <= 0 || c.n < c.limit) && c.rows.Next() {
		var raw []byte
		if err := c.rows.Scan(&raw); err != nil {
			return nil, err
		}
		if c.filter != nil {
			doc, err := decodeDoc(raw)
			if err != nil {
				return nil, err
			}
			if !c.filter.Match(doc) {
				continue
			}
		}
		if c.skip > 0 {
			c.skip--
			continue
		}
		c.n++
		return raw, nil
	}
	c.done = true
	if err := c.rows.Err(); err != nil {
		return nil, pgErr(err, c.name)
	}
	return nil, nil
}

func (c *cursor) Close() error {
	c.done = true
	if c.rows != nil {
		c.rows.Close()
	}
	if c.tx != nil {
		c.tx.Rollback(context.Background())
		c.tx = nil
	}
	return nil
}

// Count returns how many documents f matches.
func (d *DB) Count(ctx context.Context, name string, f *db.Filter) (int64, error) {
	var n int64
	err := d.read(ctx, func(tx pgx.Tx) error {
		c, err := mustLookup(ctx, tx, name)
		if err != nil {
			return err
		}
		if err := db.CheckGeoIndex(f, c.plainIndexes()); err != nil {
			return err
		}
		t := &translator{c: c}
		if where := t.cond(f.Root()); !t.loose {
			return pgErr(tx.QueryRow(ctx, "SELECT count(*) FROM "+c.table+" WHERE "+where, t.args...).Scan(&n), name)
		}
		_, docs, err := match(ctx, tx, c, f, 0)
		n = int64(len(docs))
		return err
	})
	return n, err
}
