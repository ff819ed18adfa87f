package postgres

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"minibase/db"

	"github.com/jackc/pgx/v5"
)

// Write applies one write atomically, in one write transaction.
func (d *DB) Write(ctx context.Context, name string, op *db.WriteOp) (db.WriteResult, error) {
	var res db.WriteResult
	err := d.write(ctx, func(tx pgx.Tx, w *wstate) error {
		creates := op.Kind == db.WriteInsert || op.Kind == db.WriteReplace || (op.Kind == db.WriteUpdate && op.Upsert)
		c, err := collTx(ctx, tx, name, creates && !op.MustExist)
		if err != nil {
			return err
		}
		s := &writer{ctx: ctx, tx: tx, w: w, c: c, hop: db.HopFrom(ctx)}
		switch op.Kind {
		case db.WriteInsert:
			res, err = s.insert(op)
		case db.WriteUpdate:
			res, err = s.update(op)
		case db.WriteReplace:
			res, err = s.replace(op)
		case db.WriteRemove:
			res, err = s.remove(op)
		default:
			err = fmt.Errorf("unknown write kind %d", op.Kind)
		}
		return err
	})
	if err != nil {
		return db.WriteResult{}, pgErr(err, name)
	}
	return res, nil
}

// writer applies one write's documents to one collection inside a write
// transaction.
type writer struct {
	ctx context.Context
	tx  pgx.Tx
	w   *wstate
	c   *coll
	hop int
}

// encode validates doc for storage and returns its extended JSON.
func (s *writer) encode(doc db.Doc) ([]byte, error) {
	if err := db.ValidateDoc(doc); err != nil {
		return nil, err
	}
	raw := db.MarshalJSON(doc)
	if len(raw) > db.MaxDocSize {
		return nil, db.Errorf(db.CodeInvalidParam, "document %q is %d bytes, over the %d-byte limit", doc.ID(), len(raw), db.MaxDocSize)
	}
	for _, x := range s.c.indexes {
		if x.Geo() {
			if _, err := db.GeoKeys(doc, x.Keys[0].Path); err != nil {
				return nil, err
			}
		}
	}
	return raw, markMultikey(s.ctx, s.tx, s.c, doc)
}

// load reads the stored document id, or nil.
func (s *writer) load(id string) (db.Doc, []byte, error) {
	var raw []byte
	err := s.tx.QueryRow(s.ctx, "SELECT raw FROM "+s.c.table+" WHERE id = $1", id).Scan(&raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	doc, err := decodeDoc(raw)
	return doc, raw, err
}

// put stores doc: an insert when insert is set (a taken _id fails), else
// an overwrite of the stored document with its _id. It returns doc's
// extended JSON.
func (s *writer) put(doc db.Doc, insert bool) ([]byte, error) {
	raw, err := s.encode(doc)
	if err != nil {
		return nil, err
	}
	// doc is raw read as jsonb, unless raw holds a U+0000 (see jsonText).
	var alt any
	if j, ok := jsonText(raw); ok {
		alt = string(j)
	}
	if insert {
		_, err = s.tx.Exec(s.ctx, "INSERT INTO "+s.c.table+" (id, raw, doc) VALUES ($1, $2, coalesce($3, $2)::jsonb)", doc.ID(), string(raw), alt)
	} else {
		_, err = s.tx.Exec(s.ctx, "UPDATE "+s.c.table+" SET raw = $2, doc = coalesce($3, $2)::jsonb WHERE id = $1", doc.ID(), string(raw), alt)
	}
	if err != nil {
		return nil, pgErr(err, s.c.name)
	}
	return raw, nil
}

func (s *writer) change(op int, id string, doc, before []byte) {
	s.w.record(s.c.name, op, id, doc, before, s.hop)
}

func (s *writer) insert(op *db.WriteOp) (db.WriteResult, error) {
	var res db.WriteResult
	for _, doc := range op.Docs {
		raw, err := s.put(doc, true)
		if err != nil {
			return res, err
		}
		s.change(int(db.ChangeInsert), doc.ID(), raw, nil)
		res.InsertedIDs = append(res.InsertedIDs, doc.ID())
	}
	return res, nil
}

func (s *writer) update(op *db.WriteOp) (db.WriteResult, error) {
	var res db.WriteResult
	limit := 0
	if !op.Multi {
		limit = 1
	}
	raws, docs, err := match(s.ctx, s.tx, s.c, op.Filter, limit)
	if err != nil {
		return res, err
	}
	for i, doc := range docs {
		next, changed, err := op.Update.Apply(db.Clone(doc).(db.Doc), op.Filter, op.Now)
		if err != nil {
			return res, err
		}
		if op.Check != nil {
			if err := op.Check(doc, next); err != nil {
				return res, err
			}
		}
		res.Matched++
		if !changed {
			continue
		}
		if next.ID() != doc.ID() {
			return res, db.Errorf(db.CodeInvalidParam, "an update cannot change _id")
		}
		raw, err := s.put(next, false)
		if err != nil {
			return res, err
		}
		s.change(int(db.ChangeUpdate), doc.ID(), raw, raws[i])
		res.Updated++
	}
	if res.Matched == 0 && op.Upsert {
		doc, err := db.UpsertDoc(op.Filter, op.Update, op.UpsertID, op.Now)
		if err != nil {
			return res, err
		}
		raw, err := s.put(doc, true)
		if err != nil {
			return res, err
		}
		s.change(int(db.ChangeInsert), doc.ID(), raw, nil)
		res.UpsertedID = doc.ID()
	}
	return res, nil
}

func (s *writer) replace(op *db.WriteOp) (db.WriteResult, error) {
	id := op.Doc.ID()
	old, before, err := s.load(id)
	if err != nil {
		return db.WriteResult{}, err
	}
	if old != nil && op.Filter != nil && !op.Filter.Match(old) {
		return db.WriteResult{}, db.Errorf(db.CodePermissionDenied, "permission denied: document %s belongs to another user", id)
	}
	if op.Check != nil {
		if err := op.Check(old, op.Doc); err != nil { // old is nil when there is none
			return db.WriteResult{}, err
		}
	}
	raw, err := s.put(op.Doc, old == nil)
	if err != nil {
		return db.WriteResult{}, err
	}
	if old == nil {
		s.change(int(db.ChangeInsert), id, raw, nil)
		return db.WriteResult{UpsertedID: id}, nil
	}
	s.change(opReplace, id, raw, before)
	return db.WriteResult{Matched: 1, Updated: 1}, nil
}

func (s *writer) remove(op *db.WriteOp) (db.WriteResult, error) {
	var res db.WriteResult
	limit := 0
	if !op.Multi {
		limit = 1
	}
	raws, docs, err := match(s.ctx, s.tx, s.c, op.Filter, limit)
	if err != nil {
		return res, err
	}
	ids := make([]string, 0, len(docs))
	for i, doc := range docs {
		if op.Check != nil {
			if err := op.Check(doc, nil); err != nil {
				return res, err
			}
		}
		ids = append(ids, doc.ID())
		s.change(int(db.ChangeDelete), doc.ID(), nil, raws[i])
	}
	if len(ids) > 0 {
		if _, err := s.tx.Exec(s.ctx, "DELETE FROM "+s.c.table+" WHERE id = ANY($1::text[])", ids); err != nil {
			return res, pgErr(err, s.c.name)
		}
	}
	res.Removed = int64(len(ids))
	return res, nil
}

// jsonText returns the text of the doc column for a document whose
// extended JSON raw holds the escape \u0000, which jsonb cannot store: raw
// with every U+0000 written U+FFFD instead. ok is false when raw has none
// (the common case: doc is raw). The translator never narrows on a string
// holding U+0000 (scalarJSON), so the doc column stays a superset for every
// condition it writes.
func jsonText(raw []byte) (out []byte, ok bool) {
	if !bytes.Contains(raw, []byte(`\u0000`)) {
		return nil, false
	}
	out = make([]byte, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' || i+1 >= len(raw) {
			out = append(out, raw[i])
			continue
		}
		// An escape: \uXXXX or a two-character one (\\ among them, so a
		// backslash followed by "u0000" as text is not taken for one).
		if raw[i+1] == 'u' && i+6 <= len(raw) && string(raw[i+2:i+6]) == "0000" {
			out = append(out, `\ufffd`...)
			i += 5
			continue
		}
		out = append(out, raw[i], raw[i+1])
		i++
	}
	return out, true
}
