package transfer

import (
	"fmt"
	"slices"
	"strings"

	"minibase/db"
)

// The importer decodes the next batch while the driver writes the last:
// submit hands the batch to a goroutine, and wait takes its outcome into
// the report. At most one batch is in flight, and the batches are written
// in order; under Stop, a bad line in one ends the import before the next
// is written.

// outcome is what writing one batch did.
type outcome struct {
	ins, upd int64
	bad      []badLine
	err      error // not a line's fault: the import fails
}

type badLine struct {
	line int64
	err  error
}

// submit starts writing the batch, once the one before it is written.
func (im *importer) submit() error {
	if err := im.wait(); err != nil || im.stop || len(im.batch) == 0 {
		return err
	}
	batch := im.batch
	im.batch, im.size = make([]pending, 0, len(batch)), 0
	done := make(chan outcome, 1)
	im.inflight = done
	go func() { done <- im.writeBatch(batch) }()
	return nil
}

// wait waits for the batch in flight and adds its outcome to the report.
func (im *importer) wait() error {
	if im.inflight == nil {
		return nil
	}
	o := <-im.inflight
	im.inflight = nil
	im.rep.Inserted += o.ins
	im.rep.Updated += o.upd
	for _, b := range o.bad {
		im.bad(b.line, b.err)
	}
	if im.opt.Progress != nil {
		im.opt.Progress(im.rep)
	}
	return o.err
}

// flush writes the batch and waits until it is written.
func (im *importer) flush() error {
	if err := im.submit(); err != nil {
		return err
	}
	return im.wait()
}

// writeBatch writes a batch as one atomic write. When the driver refuses
// it for a line's sake (a taken _id or unique key, a document over a limit
// only the driver checks), it writes the lines one by one to find the bad
// ones: each good line is written, each bad one reported (under Stop, up
// to the first bad one). It runs beside the importer: it reads only what
// does not change during an import.
func (im *importer) writeBatch(batch []pending) (o outcome) {
	ins, upd, err := im.write(batch)
	if err == nil {
		return outcome{ins: ins, upd: upd}
	}
	if !lineFault(err) {
		return outcome{err: err}
	}
	for _, p := range batch {
		ins, upd, err := im.write([]pending{p})
		if err == nil {
			o.ins += ins
			o.upd += upd
			continue
		}
		if !lineFault(err) {
			o.err = err
			return o
		}
		o.bad = append(o.bad, badLine{p.line, im.explain(p.doc, err)})
		if im.opt.OnError == Stop {
			return o
		}
	}
	return o
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
		if err != nil && db.ErrorCode(err) != db.CodeCollectionNotExist { // the batch's puts create it
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
