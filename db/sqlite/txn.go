package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"minibase/db"
)

// Transactions (db.Transactions). View is a read transaction on a reader
// connection: in WAL mode its snapshot is fixed at its first read and
// never blocks the writer. Update is one job of the group commit, like any
// write: its reads and puts run in the writer's transaction, in a savepoint
// of its own, so it holds the write path for as long as its own work takes
// and no longer.

// View calls fn with a Reader over one snapshot of the committed state.
func (d *DB) View(ctx context.Context, fn func(db.Reader) error) error {
	tx, err := d.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return d.fault(fmt.Errorf("begin read transaction: %w", err))
	}
	defer tx.Rollback()
	return fn(&txReader{d: d, tx: tx})
}

// Update runs fn and its puts as one write.
func (d *DB) Update(ctx context.Context, fn func(db.Reader) ([]db.Put, error)) error {
	_, err := d.do(ctx, func(tx *sql.Tx, e *effects) (any, error) {
		puts, err := fn(&txReader{d: d, tx: tx, e: e})
		if err != nil {
			return nil, err
		}
		for _, p := range puts {
			if err := d.putTx(tx, e, p); err != nil {
				return nil, err
			}
		}
		return nil, nil
	})
	return err
}

// putTx writes one document of a transaction.
func (d *DB) putTx(tx *sql.Tx, e *effects, p db.Put) error {
	c, err := d.collTx(tx, e, p.Coll, p.Create && p.Doc != nil)
	if err != nil {
		if p.Doc == nil && db.ErrorCode(err) == db.CodeCollectionNotExist {
			return nil // nothing to remove
		}
		return err
	}
	rec := d.recorder(tx, e, p.Coll)
	var before []byte
	if rec != nil {
		_, raw, err := load(tx, c, p.ID)
		if err != nil && err != sql.ErrNoRows {
			return err
		}
		before = raw
	}
	if p.Doc == nil {
		r, err := tx.Exec("DELETE FROM "+c.table+" WHERE id = ?", p.ID)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 1 {
			return rec.add(db.ChangeDelete, p.ID, nil, before)
		}
		return nil
	}
	if p.Doc.ID() != p.ID {
		return fmt.Errorf("put %s/%s: the document's _id is %q", p.Coll, p.ID, p.Doc.ID())
	}
	if err := db.ValidateDoc(p.Doc); err != nil {
		return err
	}
	enc, err := encode(p.Doc)
	if err != nil {
		return err
	}
	if err := widen(tx, c, p.Doc); err != nil {
		return err
	}
	r, err := tx.Exec("UPDATE "+c.table+" SET data = jsonb(?) WHERE id = ?", enc.raw, enc.id)
	if err != nil {
		return sqlErr(err, p.Coll)
	}
	if n, _ := r.RowsAffected(); n == 1 {
		return rec.add(db.ChangeUpdate, p.ID, []byte(enc.raw), before)
	}
	if _, err := tx.Exec(fmt.Sprintf(insertSQL, c.table), enc.id, enc.raw); err != nil {
		return sqlErr(err, p.Coll)
	}
	return rec.add(db.ChangeInsert, p.ID, []byte(enc.raw), nil)
}

// txReader reads inside a View (e nil: the committed catalog) or an
// Update (e: the catalog as the write transaction sees it).
type txReader struct {
	d  *DB
	tx *sql.Tx
	e  *effects
}

func (r *txReader) coll(name string) *collection {
	if r.e != nil {
		return r.d.lookupTx(r.e, name)
	}
	return r.d.lookup(name)
}

// Doc reads one document by id.
func (r *txReader) Doc(ctx context.Context, coll, id string) ([]byte, error) {
	c := r.coll(coll)
	if c == nil {
		return nil, notExist(coll)
	}
	var raw []byte
	err := r.tx.QueryRowContext(ctx, "SELECT json(data) FROM "+c.table+" WHERE id = ?", id).Scan(&raw)
	switch {
	case err == sql.ErrNoRows:
		return nil, nil
	case err != nil:
		return nil, r.d.fault(sqlErr(err, coll))
	}
	return raw, nil
}

// Match reads the documents f matches, in _id order. In a View a write
// may widen the collection's shape while the SQL runs, as for Find: then
// it runs again with the new shape (in the same snapshot). In an Update
// only this goroutine widens shapes.
func (r *txReader) Match(ctx context.Context, coll string, f *db.Filter, limit int) ([][]byte, error) {
	c := r.coll(coll)
	if c == nil {
		return nil, notExist(coll)
	}
	for {
		sh, gen := c.shape.load()
		out, err := r.match(ctx, c, sh, f, limit)
		if err != nil {
			return nil, r.d.fault(sqlErr(err, coll))
		}
		if _, now := c.shape.load(); r.e != nil || now == gen {
			return out, nil
		}
	}
}

func (r *txReader) match(ctx context.Context, c *collection, sh *shape, f *db.Filter, limit int) ([][]byte, error) {
	t := &translator{sh: sh}
	where, exact := t.cond(f.Root())
	q := "SELECT json(data) FROM " + c.table + " WHERE " + where + " ORDER BY id"
	args := t.args
	if exact {
		q += " LIMIT ?"
		args = append(args, limit)
	}
	rows, err := r.tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]byte
	for len(out) < limit && rows.Next() {
		var raw []byte
		if err := rows.Scan(&raw); err != nil {
			return nil, err
		}
		if !exact {
			doc, err := decodeDoc(raw)
			if err != nil {
				return nil, err
			}
			if !f.Match(doc) {
				continue
			}
		}
		out = append(out, raw)
	}
	return out, rows.Err()
}
