package transfer

import (
	"fmt"
	"slices"
	"strings"

	"minibase/db"
)

// flush writes the batch as one atomic write. When the driver refuses it
// for a line's sake (a taken _id or unique key, a document over a limit
// only the driver checks), it writes the lines one by one to find the bad
// ones: each good line is written, each bad one reported.
func (im *importer) flush() error {
	if len(im.batch) == 0 {
		return nil
	}
	defer func() {
		clear(im.batch)
		im.batch, im.size = im.batch[:0], 0
		if im.opt.Progress != nil {
			im.opt.Progress(im.rep)
		}
	}()
	ins, upd, err := im.write(im.batch)
	if err == nil {
		im.rep.Inserted += ins
		im.rep.Updated += upd
		return nil
	}
	if !lineFault(err) {
		return err
	}
	for _, p := range im.batch {
		ins, upd, err := im.write([]pending{p})
		if err == nil {
			im.rep.Inserted += ins
			im.rep.Updated += upd
			continue
		}
		if !lineFault(err) {
			return err
		}
		im.bad(p.line, im.explain(p.doc, err))
		if im.stop {
			return nil
		}
	}
	return nil
}

// lineFault reports whether err is the fault of a document (and so of its
// line) rather than of the database.
func lineFault(err error) bool {
	switch db.ErrorCode(err) {
	case db.CodeInvalidParam, db.CodeDuplicateKey, db.CodeInvalidOperator:
		return true
	}
	return false
}

// explain words a document's write error for its line.
func (im *importer) explain(doc db.Doc, err error) error {
	if db.ErrorCode(err) == db.CodeDuplicateKey && strings.HasPrefix(message(err), "duplicate _id") {
		return db.Errorf(db.CodeDuplicateKey, "_id %q is taken in collection %q (mode insert keeps the stored document: use mode upsert or replace to overwrite it)", doc.ID(), im.coll)
	}
	return err
}

// write writes docs as one atomic write and says how many it inserted and
// updated.
func (im *importer) write(ps []pending) (ins, upd int64, err error) {
	if im.opt.Mode == Insert {
		docs := make([]db.Doc, len(ps))
		for i, p := range ps {
			docs[i] = p.doc
		}
		_, err := im.drv.Write(im.ctx, im.coll, &db.WriteOp{Kind: db.WriteInsert, Docs: docs, Now: im.now})
		if err != nil {
			return 0, 0, err
		}
		return int64(len(docs)), 0, nil
	}
	err = im.drv.Update(im.ctx, func(r db.Reader) ([]db.Put, error) {
		ins, upd = 0, 0 // fn may run again
		puts := make([]db.Put, 0, len(ps))
		seen := make(map[string]db.Doc, len(ps))
		for _, p := range ps {
			doc, existed, err := im.merge(r, seen, p.doc)
			if err != nil {
				return nil, err
			}
			if existed {
				upd++
			} else {
				ins++
			}
			seen[doc.ID()] = doc
			puts = append(puts, db.Put{Coll: im.coll, ID: doc.ID(), Doc: doc, Create: true})
		}
		return puts, nil
	})
	return ins, upd, err
}

// merge is the document to store for doc under Upsert or Replace, and
// whether one with its _id was stored already (by an earlier line of the
// batch, in seen, or in the database).
func (im *importer) merge(r db.Reader, seen map[string]db.Doc, doc db.Doc) (db.Doc, bool, error) {
	old, ok := seen[doc.ID()]
	if !ok {
		raw, err := r.Doc(im.ctx, im.coll, doc.ID())
		if err != nil {
			return nil, false, err
		}
		if raw == nil {
			return doc, false, nil
		}
		if im.opt.Mode == Replace {
			return doc, true, nil
		}
		v, err := db.DecodeJSON(raw, db.MaxDepth+1)
		if err != nil {
			return nil, false, fmt.Errorf("read stored %q: %w", doc.ID(), err)
		}
		old = v.(db.Doc)
	} else if im.opt.Mode == Replace {
		return doc, true, nil
	}
	out := slices.Clone(old)
	for _, f := range doc[1:] {
		if i := slices.IndexFunc(out, func(o db.Field) bool { return o.Key == f.Key }); i >= 0 {
			out[i].Value = f.Value
		} else {
			out = append(out, f)
		}
	}
	return out, true, nil
}
