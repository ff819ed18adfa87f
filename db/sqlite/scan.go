package sqlite

import (
	"context"
	"database/sql"
	"strings"

	"minibase/db"
)

// Scan streams the documents matching q (db.Driver): in SQL order when the
// sort has an index to follow (or there is no sort), else unsorted, for the
// caller to sort. The cursor holds one read connection until it is closed.
func (d *DB) Scan(ctx context.Context, coll string, q *db.Query) (db.Cursor, bool, error) {
	c := d.lookup(coll)
	if c == nil {
		return nil, false, notExist(coll)
	}
	if q.Filter.Near() != nil && len(q.Sort) == 0 {
		return d.scanNear(ctx, c, coll, q)
	}
	return d.scanShape(ctx, c, coll, q)
}

// scanNear streams the documents of a $nearSphere without a sort: nearest
// first, as Find finds them, when the query has a limit Find can keep;
// otherwise every matching document, unsorted, for the caller to order.
func (d *DB) scanNear(ctx context.Context, c *collection, coll string, q *db.Query) (db.Cursor, bool, error) {
	if err := db.CheckGeoIndex(q.Filter, plainIndexes(c.indexList())); err != nil {
		return nil, false, err
	}
	if q.Limit > 0 && q.Skip+q.Limit <= maxSortBuffer {
		raws, err := d.Find(ctx, coll, q)
		if err != nil {
			return nil, false, err
		}
		return &rawsCursor{raws: raws}, true, nil
	}
	all := *q
	all.Skip, all.Limit = 0, 0
	cur, _, err := d.scanShape(ctx, c, coll, &all)
	return cur, false, err
}

// rawsCursor streams documents already read.
type rawsCursor struct{ raws [][]byte }

func (r *rawsCursor) Next() ([]byte, error) {
	if len(r.raws) == 0 {
		return nil, nil
	}
	raw := r.raws[0]
	r.raws = r.raws[1:]
	return raw, nil
}

func (r *rawsCursor) Close() error {
	r.raws = nil
	return nil
}

// scanShape plans q on the collection's shape, again when a write widens
// it before the read starts.
func (d *DB) scanShape(ctx context.Context, c *collection, coll string, q *db.Query) (db.Cursor, bool, error) {
	for {
		sh, gen := c.shape.load()
		cur, sorted, err := d.scan(ctx, c, sh, q)
		if err != nil {
			return nil, false, d.fault(sqlErr(err, coll))
		}
		// The statement's read snapshot starts with its first step, which
		// scan took: a write that widened the shape before that is seen
		// here, and one after it is not in the snapshot.
		if _, now := c.shape.load(); now == gen {
			cur.coll, cur.d = coll, d
			return cur, sorted, nil
		}
		cur.Close()
	}
}

// scan plans q and takes the first row.
func (d *DB) scan(ctx context.Context, c *collection, sh *shape, q *db.Query) (*cursor, bool, error) {
	t := &translator{sh: sh, idx: c.indexList()} // a geo condition reads its 2dsphere index
	where, exact := t.cond(q.Filter.Root())
	order, sorted := orderBy(sh, q.Sort, false)
	cur := &cursor{}
	columns := "json(data)"
	if exact && q.Fields != nil {
		// The caller reads only some fields: they are found in the JSONB
		// here (jsonb.go), which spares SQLite turning whole documents
		// into text.
		columns, cur.fields = "id, data", q.Fields
	} else if !exact {
		cur.match = q.Filter
	}
	query := "SELECT " + columns + " FROM " + c.table + " WHERE " + where
	args := t.args
	byIndex := true
	if sorted && order != "" && (q.Limit == 0 || exact) {
		var err error
		if byIndex, err = d.ordersByIndex(ctx, query+" ORDER BY "+order, args); err != nil {
			return nil, false, err
		}
	}
	switch {
	case !byIndex && q.Limit == 0:
		// Without a limit, a sort no index gives would hold every
		// document in SQLite's sorter, outside the caller's memory limit.
		sorted = false
	case !byIndex && exact:
		// SQLite's sorter would carry every row's result, document and
		// all, to keep the first few: sort the row ids, then read those.
		query = "SELECT " + columns + " FROM " + c.table + " WHERE rowid IN (SELECT rowid FROM " + c.table +
			" WHERE " + where + " ORDER BY " + order + " LIMIT ? OFFSET ?) ORDER BY " + order
		rows, err := d.query(ctx, query, append(args, q.Limit, q.Skip))
		if err != nil {
			return nil, false, err
		}
		return cur.start(rows)
	}
	if sorted {
		if order != "" {
			query += " ORDER BY " + order
		}
		if exact {
			limit := q.Limit
			if limit == 0 {
				limit = -1
			}
			query += " LIMIT ? OFFSET ?"
			args = append(args, limit, q.Skip)
		} else {
			cur.skip, cur.limit = q.Skip, q.Limit
		}
	}
	rows, err := d.query(ctx, query, args)
	if err != nil {
		return nil, false, err
	}
	cur, _, err = cur.start(rows)
	return cur, sorted, err
}

// start takes rows' first row: the statement's read snapshot starts there.
func (c *cursor) start(rows *sql.Rows) (*cursor, bool, error) {
	c.rows = rows
	if c.more = rows.Next(); !c.more {
		if err := rows.Err(); err != nil {
			rows.Close()
			return nil, false, err
		}
	}
	return c, true, nil
}

// ordersByIndex reports whether SQLite reads query's rows in its ORDER BY
// order from an index, rather than sorting them.
func (d *DB) ordersByIndex(ctx context.Context, query string, args []any) (bool, error) {
	rows, err := d.r.QueryContext(ctx, "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	byIndex := true
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return false, err
		}
		if strings.Contains(detail, "TEMP B-TREE") {
			byIndex = false
		}
	}
	return byIndex, rows.Err()
}

// cursor reads a scan's rows; match, skip and limit are what SQL could not
// do; fields are the fields of its rows' columns after the id, when it
// reads only some.
type cursor struct {
	rows     *sql.Rows
	fields   []string
	id, data sql.RawBytes // the row's columns, when it reads only fields
	more     bool         // rows is on a row not read yet
	match    *db.Filter
	skip     int
	limit    int // 0: none
	n        int // documents given
	d        *DB
	coll     string
}

// Next returns the next matching document, or nil at the end.
func (c *cursor) Next() ([]byte, error) {
	for c.more {
		if c.limit > 0 && c.n >= c.limit {
			break
		}
		raw, err := c.row()
		if err != nil {
			return nil, c.fail(err)
		}
		c.more = c.rows.Next()
		if c.match != nil {
			doc, err := decodeDoc(raw)
			if err != nil {
				return nil, c.fail(err)
			}
			if !c.match.Match(doc) {
				continue
			}
			if c.skip > 0 {
				c.skip--
				continue
			}
		}
		c.n++
		return raw, nil
	}
	if err := c.rows.Err(); err != nil {
		return nil, c.fail(err)
	}
	c.Close()
	return nil, nil
}

// row reads the current row as a document: the whole one, or _id and the
// fields it has of c.fields.
func (c *cursor) row() ([]byte, error) {
	if c.fields == nil {
		var raw []byte
		err := c.rows.Scan(&raw)
		return raw, err
	}
	if err := c.rows.Scan(&c.id, &c.data); err != nil {
		return nil, err
	}
	return jsonbFields(make([]byte, 0, 64), string(c.id), c.data, c.wants)
}

// wants reports whether name (a key's text) is one of c.fields.
func (c *cursor) wants(name []byte) bool {
	for _, f := range c.fields {
		if f != "_id" && f == string(name) {
			return true
		}
	}
	return false
}

func (c *cursor) fail(err error) error {
	c.Close()
	return c.d.fault(sqlErr(err, c.coll))
}

// Close releases the cursor's connection.
func (c *cursor) Close() error {
	c.more = false
	return c.rows.Close()
}
