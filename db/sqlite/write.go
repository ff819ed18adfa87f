package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"minibase/db"
)

// encoded is a document ready to store.
type encoded struct {
	id  string
	raw string // extended JSON text, stored as JSONB
}

func encode(doc db.Doc) (encoded, error) {
	raw := db.MarshalJSON(doc)
	if len(raw) > db.MaxDocSize {
		return encoded{}, db.Errorf(db.CodeInvalidParam, "document %q is %d bytes, over the %d-byte limit", doc.ID(), len(raw), db.MaxDocSize)
	}
	return encoded{id: doc.ID(), raw: string(raw)}, nil
}

// Write applies one write atomically.
func (d *DB) Write(ctx context.Context, coll string, op *db.WriteOp) (db.WriteResult, error) {
	var fn func(tx *sql.Tx, e *effects) (any, error)
	switch op.Kind {
	case db.WriteInsert:
		encs := make([]encoded, len(op.Docs))
		for i, doc := range op.Docs {
			enc, err := encode(doc)
			if err != nil {
				return db.WriteResult{}, err
			}
			encs[i] = enc
		}
		fn = func(tx *sql.Tx, e *effects) (any, error) { return d.insertTx(tx, e, coll, op, encs) }
	case db.WriteUpdate:
		fn = func(tx *sql.Tx, e *effects) (any, error) { return d.updateTx(tx, e, coll, op) }
	case db.WriteReplace:
		enc, err := encode(op.Doc)
		if err != nil {
			return db.WriteResult{}, err
		}
		fn = func(tx *sql.Tx, e *effects) (any, error) { return d.replaceTx(tx, e, coll, op, enc) }
	case db.WriteRemove:
		fn = func(tx *sql.Tx, e *effects) (any, error) { return d.removeTx(tx, e, coll, op) }
	default:
		return db.WriteResult{}, fmt.Errorf("unknown write kind %d", op.Kind)
	}
	var res any
	var err error
	if op.Kind == db.WriteRemove {
		res, err = d.free(ctx, fn) // removes run on a full disk too, to free space
	} else {
		res, err = d.do(ctx, fn)
	}
	if err != nil {
		return db.WriteResult{}, sqlErr(err, coll)
	}
	return res.(db.WriteResult), nil
}

// collTx finds the collection for a write, creating it when create is set.
func (d *DB) collTx(tx *sql.Tx, e *effects, name string, create bool) (*collection, error) {
	if c := d.lookupTx(e, name); c != nil {
		return c, nil
	}
	if !create {
		return nil, notExist(name)
	}
	return d.createTx(tx, e, name)
}

// widen records the kinds docs add to the collection's shape, before the
// rows that need them are written.
func widen(tx *sql.Tx, c *collection, docs ...db.Doc) error {
	sh, _ := c.shape.load()
	var add map[string]kind
	for _, doc := range docs {
		for p, k := range sh.adds(doc) {
			if add == nil {
				add = map[string]kind{}
			}
			add[p] |= k
		}
	}
	if len(add) == 0 {
		return nil
	}
	js := c.shape.widen(add)
	_, err := tx.Exec("UPDATE _collections SET shape = ? WHERE id = ?", string(js), c.id)
	return err
}

func (d *DB) insertTx(tx *sql.Tx, e *effects, coll string, op *db.WriteOp, encs []encoded) (any, error) {
	c, err := d.collTx(tx, e, coll, !op.MustExist)
	if err != nil {
		return nil, err
	}
	if err := widen(tx, c, op.Docs...); err != nil {
		return nil, err
	}
	var st *sql.Stmt
	if c.insert != nil {
		st = tx.Stmt(c.insert)
	} else if st, err = tx.Prepare(fmt.Sprintf(insertSQL, c.table)); err != nil {
		return nil, err
	}
	defer st.Close()
	rec := d.recorder(tx, e, coll)
	idx := d.indexesTx(e, c)
	res := db.WriteResult{InsertedIDs: make([]string, len(encs))}
	for i, enc := range encs {
		if _, err := st.Exec(enc.id, enc.raw); err != nil {
			return nil, sqlErr(err, coll)
		}
		if err := refile(tx, idx, enc.id, op.Docs[i], true); err != nil {
			return nil, err
		}
		if rec != nil {
			if err := rec.add(db.ChangeInsert, enc.id, []byte(enc.raw), nil); err != nil {
				return nil, err
			}
		}
		res.InsertedIDs[i] = enc.id
	}
	return res, nil
}

// candidates returns the ids of documents that may match f, in _id order.
func candidates(tx *sql.Tx, c *collection, idx []catIndex, f *db.Filter, first bool) (ids []string, exact bool, err error) {
	sh, _ := c.shape.load()
	t := &translator{sh: sh, idx: idx}
	where, exact := t.cond(f.Root())
	q := "SELECT id FROM " + c.table + " WHERE " + where + " ORDER BY id"
	if first && exact {
		q += " LIMIT 1"
	}
	rows, err := tx.Query(q, t.args...)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, false, err
		}
		ids = append(ids, id)
	}
	return ids, exact, rows.Err()
}

// load reads one stored document, decoded and as extended JSON.
func load(tx *sql.Tx, c *collection, id string) (db.Doc, []byte, error) {
	var raw []byte
	if err := tx.QueryRow("SELECT json(data) FROM "+c.table+" WHERE id = ?", id).Scan(&raw); err != nil {
		return nil, nil, err
	}
	doc, err := decodeDoc(raw)
	return doc, raw, err
}

func (d *DB) updateTx(tx *sql.Tx, e *effects, coll string, op *db.WriteOp) (any, error) {
	c, err := d.collTx(tx, e, coll, op.Upsert && !op.MustExist)
	if err != nil {
		return nil, err
	}
	ids, _, err := candidates(tx, c, d.indexesTx(e, c), op.Filter, !op.Multi)
	if err != nil {
		return nil, err
	}
	rec := d.recorder(tx, e, coll)
	var res db.WriteResult
	for _, id := range ids {
		doc, raw, err := load(tx, c, id)
		if err != nil {
			return nil, err
		}
		if !op.Filter.Match(doc) {
			continue
		}
		res.Matched++
		next, changed, err := op.Update.Apply(doc, op.Filter, op.Now)
		if err != nil {
			return nil, err
		}
		if op.Check != nil {
			if err := op.Check(doc, next); err != nil {
				return nil, err
			}
		}
		if changed {
			after, err := d.store(tx, e, c, next, false)
			if err != nil {
				return nil, err
			}
			if err := rec.add(db.ChangeUpdate, id, after, raw); err != nil {
				return nil, err
			}
			res.Updated++
		}
		if !op.Multi {
			break
		}
	}
	if res.Matched == 0 && op.Upsert {
		doc, err := db.UpsertDoc(op.Filter, op.Update, op.UpsertID, op.Now)
		if err != nil {
			return nil, err
		}
		after, err := d.store(tx, e, c, doc, true)
		if err != nil {
			return nil, err
		}
		if err := rec.add(db.ChangeInsert, doc.ID(), after, nil); err != nil {
			return nil, err
		}
		res.UpsertedID = doc.ID()
	}
	return res, nil
}

// store validates and writes one document (insert or overwrite by _id)
// and returns it as extended JSON.
func (d *DB) store(tx *sql.Tx, e *effects, c *collection, doc db.Doc, insert bool) ([]byte, error) {
	if err := db.ValidateDoc(doc); err != nil {
		return nil, err
	}
	raw := db.MarshalJSON(doc)
	if len(raw) > db.MaxDocSize {
		return nil, db.Errorf(db.CodeInvalidParam, "document %q is %d bytes, over the %d-byte limit", doc.ID(), len(raw), db.MaxDocSize)
	}
	if err := widen(tx, c, doc); err != nil {
		return nil, err
	}
	var err error
	text := string(raw) // jsonb() reads a TEXT argument as JSON, a BLOB as JSONB
	if insert {
		_, err = tx.Exec(fmt.Sprintf(insertSQL, c.table), doc.ID(), text)
	} else {
		_, err = tx.Exec("UPDATE "+c.table+" SET data = jsonb(?) WHERE id = ?", text, doc.ID())
	}
	if err != nil {
		return nil, sqlErr(err, c.name)
	}
	return raw, refile(tx, d.indexesTx(e, c), doc.ID(), doc, insert)
}

func (d *DB) replaceTx(tx *sql.Tx, e *effects, coll string, op *db.WriteOp, enc encoded) (any, error) {
	c, err := d.collTx(tx, e, coll, !op.MustExist)
	if err != nil {
		return nil, err
	}
	rec := d.recorder(tx, e, coll)
	var before []byte // the stored document, read when needed
	if op.Filter != nil || op.Check != nil || rec != nil {
		old, raw, err := load(tx, c, enc.id)
		if err != nil && err != sql.ErrNoRows {
			return nil, err
		}
		before = raw
		if err == nil && op.Filter != nil && !op.Filter.Match(old) {
			return nil, db.Errorf(db.CodePermissionDenied, "permission denied: document %s belongs to another user", enc.id)
		}
		if op.Check != nil {
			if err := op.Check(old, op.Doc); err != nil { // old is nil when there is none
				return nil, err
			}
		}
	}
	if err := widen(tx, c, op.Doc); err != nil {
		return nil, err
	}
	r, err := tx.Exec("UPDATE "+c.table+" SET data = jsonb(?) WHERE id = ?", enc.raw, enc.id)
	if err != nil {
		return nil, sqlErr(err, coll)
	}
	n, _ := r.RowsAffected()
	if err := refile(tx, d.indexesTx(e, c), enc.id, op.Doc, n == 0); err != nil {
		return nil, err
	}
	if n == 1 {
		if rec != nil {
			if err := rec.replaced(enc.id, []byte(enc.raw), before); err != nil {
				return nil, err
			}
		}
		return db.WriteResult{Matched: 1, Updated: 1}, nil
	}
	if _, err := tx.Exec(fmt.Sprintf(insertSQL, c.table), enc.id, enc.raw); err != nil {
		return nil, sqlErr(err, coll)
	}
	if rec != nil {
		if err := rec.add(db.ChangeInsert, enc.id, []byte(enc.raw), nil); err != nil {
			return nil, err
		}
	}
	return db.WriteResult{UpsertedID: enc.id}, nil
}

func (d *DB) removeTx(tx *sql.Tx, e *effects, coll string, op *db.WriteOp) (any, error) {
	c, err := d.collTx(tx, e, coll, false)
	if err != nil {
		return nil, err
	}
	ids, exact, err := candidates(tx, c, d.indexesTx(e, c), op.Filter, !op.Multi)
	if err != nil {
		return nil, err
	}
	rec := d.recorder(tx, e, coll)
	idx := d.indexesTx(e, c)
	var res db.WriteResult
	for _, id := range ids {
		var before []byte
		if !exact || op.Check != nil || rec != nil {
			doc, raw, err := load(tx, c, id)
			if err != nil {
				return nil, err
			}
			before = raw
			if !op.Filter.Match(doc) {
				continue
			}
			if op.Check != nil {
				if err := op.Check(doc, nil); err != nil {
					return nil, err
				}
			}
		}
		if _, err := tx.Exec("DELETE FROM "+c.table+" WHERE id = ?", id); err != nil {
			return nil, err
		}
		if err := refile(tx, idx, id, nil, false); err != nil {
			return nil, err
		}
		if err := rec.add(db.ChangeDelete, id, nil, before); err != nil {
			return nil, err
		}
		res.Removed++
		if !op.Multi {
			break
		}
	}
	return res, nil
}
