package db

import (
	"context"
	"slices"
	"strings"
)

// stored is what the database held of a document read by id.
type stored struct {
	raw     []byte // nil: no document
	missing bool   // no collection either
}

// txnView is what one operation of a transaction reads and writes: the
// documents the transaction wrote, else the database through r, each read
// of which it records. Its own writes are staged, and become the
// transaction's (done) only when the whole operation succeeded.
type txnView struct {
	t *txnState
	r Reader
	// check is how many of t.reads (the earlier operations') are made again
	// in r before the operation's first read of the database; 0 when they
	// were, or need not be.
	check  int
	staged map[docKey]Doc
	order  []docKey
}

// done makes the operation's writes the transaction's.
func (v *txnView) done() {
	for _, k := range v.order {
		if _, ok := v.t.docs[k]; !ok {
			v.t.order = append(v.t.order, k)
		}
		v.t.docs[k] = v.staged[k]
	}
}

// written returns the document k as the transaction wrote it, if it did.
func (v *txnView) written(k docKey) (Doc, bool) {
	if d, ok := v.staged[k]; ok {
		return d, true
	}
	d, ok := v.t.docs[k]
	return d, ok
}

// stage writes doc (nil: removes it) as k; create says the write may
// create a missing collection.
func (v *txnView) stage(k docKey, doc Doc, create bool) error {
	if _, ok := v.written(k); !ok {
		if err := v.t.hold(1); err != nil {
			return err
		}
	}
	if v.staged == nil {
		v.staged = map[docKey]Doc{}
	}
	if _, ok := v.staged[k]; !ok {
		v.order = append(v.order, k)
	}
	v.staged[k] = doc
	if create {
		v.t.create[k.coll] = true
	}
	return nil
}

// snapshot checks, before the operation's first read of the database,
// that the earlier reads still hold in r.
func (v *txnView) snapshot(ctx context.Context) error {
	if v.check == 0 {
		return nil
	}
	reads := v.t.reads[:v.check]
	v.check = 0
	return validate(ctx, v.r, reads)
}

// doc returns the document id of coll as the transaction sees it (nil when
// there is none) and its extended JSON. A collection that does not exist
// is an *Error (DATABASE_COLLECTION_NOT_EXIST) unless the transaction
// creates it.
func (v *txnView) doc(ctx context.Context, coll, id string) (Doc, []byte, error) {
	k := docKey{coll, id}
	if d, ok := v.written(k); ok {
		if d == nil {
			return nil, nil, nil
		}
		return d, MarshalJSON(d), nil
	}
	got, ok := v.t.seen[k]
	if !ok {
		if err := v.snapshot(ctx); err != nil {
			return nil, nil, err
		}
		raw, err := v.r.Doc(ctx, coll, id)
		got = stored{raw: raw, missing: ErrorCode(err) == CodeCollectionNotExist}
		if err != nil && !got.missing {
			return nil, nil, err
		}
		v.t.reads = append(v.t.reads, txnRead{coll: coll, id: id, raws: [][]byte{raw}})
		v.t.seen[k] = got
		if err := v.t.read(raw); err != nil {
			return nil, nil, err
		}
	}
	if got.missing && !v.t.create[coll] {
		return nil, nil, Errorf(CodeCollectionNotExist, "collection %q does not exist", coll)
	}
	if got.raw == nil {
		return nil, nil, nil
	}
	d, err := decodeStored(got.raw)
	return d, got.raw, err
}

func decodeStored(raw []byte) (Doc, error) {
	x, err := DecodeJSON(raw, MaxDepth+1)
	if err != nil {
		return nil, err
	}
	d, ok := x.(Doc)
	if !ok {
		return nil, Errorf(CodeRequestFailed, "a stored document is not an object")
	}
	return d, nil
}

// match returns the documents of coll that f matches as the transaction
// sees them, in _id order: all of them (at most MaxTxnDocs), or only the
// first when first is set.
func (v *txnView) match(ctx context.Context, coll string, f *Filter, first bool) ([]Doc, error) {
	if id, ok := pinnedID(f); ok { // doc(id) writes: one document, read by id
		d, _, err := v.doc(ctx, coll, id)
		if err != nil || d == nil || !f.Match(d) {
			return nil, err
		}
		return []Doc{d}, nil
	}
	// The documents the transaction wrote in coll: the database's version of
	// each is hidden by the transaction's.
	var mine []Doc
	shadowed := 0
	for i, ks := range [][]docKey{v.t.order, v.order} {
		for _, k := range ks {
			if _, before := v.t.docs[k]; k.coll != coll || i == 1 && before {
				continue
			}
			shadowed++
			if d, _ := v.written(k); d != nil && f.Match(d) {
				mine = append(mine, d)
			}
		}
	}
	limit := MaxTxnDocs + 1
	if first {
		limit = shadowed + 1 // enough for one the transaction did not write
	}
	if err := v.snapshot(ctx); err != nil {
		return nil, err
	}
	raws, err := v.r.Match(ctx, coll, f, limit)
	missing := ErrorCode(err) == CodeCollectionNotExist
	if err != nil && !missing {
		return nil, err
	}
	v.t.reads = append(v.t.reads, txnRead{coll: coll, match: true, f: f, limit: limit, raws: raws})
	if missing && !v.t.create[coll] {
		return nil, err
	}
	if !first && len(raws) > MaxTxnDocs {
		return nil, Errorf(CodeInvalidParam, "a where-update or where-remove in a transaction matches at most %d documents", MaxTxnDocs)
	}
	if err := v.t.read(raws...); err != nil {
		return nil, err
	}
	out := mine
	for _, raw := range raws {
		d, err := decodeStored(raw)
		if err != nil {
			return nil, err
		}
		if _, ok := v.written(docKey{coll, d.ID()}); !ok {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(a, b Doc) int { return strings.Compare(a.ID(), b.ID()) })
	if first && len(out) > 1 {
		out = out[:1]
	}
	return out, nil
}

// pinnedID returns the _id that f requires with a string equality, at its
// root or in its top-level $and: the one document f can match (an _id is
// always a string).
func pinnedID(f *Filter) (string, bool) {
	nodes := []*Node{f.Root()}
	if nodes[0].Op == OpAnd {
		nodes = nodes[0].Children
	}
	for _, n := range nodes {
		if id, ok := n.Value.(string); ok && n.Op == OpEq && n.Path == "_id" {
			return id, true
		}
	}
	return "", false
}

// write runs op, built and authorized as for Driver.Write, on coll in the
// transaction, with Driver.Write's semantics (see sqlite's write.go): it
// reads what op matches, calls op.Check on each document it changes, and
// stages what it writes. Unique indexes other than _id are checked at
// commit.
func (v *txnView) write(ctx context.Context, coll string, op *WriteOp) (WriteResult, error) {
	switch op.Kind {
	case WriteInsert:
		return v.insert(ctx, coll, op)
	case WriteUpdate:
		return v.update(ctx, coll, op)
	case WriteReplace:
		return v.replace(ctx, coll, op)
	case WriteRemove:
		return v.remove(ctx, coll, op)
	}
	return WriteResult{}, Errorf(CodeInvalidParam, "unknown write kind %d", op.Kind)
}

// creating marks coll as created by the transaction when op may create it
// and it is missing, so reads see it empty; otherwise a missing collection
// is err.
func (v *txnView) creating(coll string, op *WriteOp, err error) error {
	if ErrorCode(err) != CodeCollectionNotExist || op.MustExist {
		return err
	}
	v.t.create[coll] = true
	return nil
}

func (v *txnView) insert(ctx context.Context, coll string, op *WriteOp) (WriteResult, error) {
	res := WriteResult{InsertedIDs: make([]string, 0, len(op.Docs))}
	for _, d := range op.Docs {
		old, _, err := v.doc(ctx, coll, d.ID())
		if err = v.creating(coll, op, err); err != nil {
			return WriteResult{}, err
		}
		if old != nil {
			return WriteResult{}, DuplicateID(coll)
		}
		if err := v.stage(docKey{coll, d.ID()}, Clone(d).(Doc), !op.MustExist); err != nil {
			return WriteResult{}, err
		}
		res.InsertedIDs = append(res.InsertedIDs, d.ID())
	}
	return res, nil
}

func (v *txnView) update(ctx context.Context, coll string, op *WriteOp) (WriteResult, error) {
	docs, err := v.match(ctx, coll, op.Filter, !op.Multi)
	if op.Upsert {
		err = v.creating(coll, op, err)
	}
	if err != nil {
		return WriteResult{}, err
	}
	var res WriteResult
	for _, d := range docs {
		res.Matched++
		next, changed, err := op.Update.Apply(d, op.Filter, op.Now)
		if err != nil {
			return WriteResult{}, err
		}
		if op.Check != nil {
			if err := op.Check(d, next); err != nil {
				return WriteResult{}, err
			}
		}
		if changed {
			if err := v.stage(docKey{coll, d.ID()}, next, false); err != nil {
				return WriteResult{}, err
			}
			res.Updated++
		}
	}
	if res.Matched == 0 && op.Upsert {
		d, err := UpsertDoc(op.Filter, op.Update, op.UpsertID, op.Now)
		if err != nil {
			return WriteResult{}, err
		}
		old, _, err := v.doc(ctx, coll, d.ID())
		if err != nil {
			return WriteResult{}, err
		}
		if old != nil {
			return WriteResult{}, DuplicateID(coll)
		}
		if err := v.stage(docKey{coll, d.ID()}, d, !op.MustExist); err != nil {
			return WriteResult{}, err
		}
		res.UpsertedID = d.ID()
	}
	return res, nil
}

func (v *txnView) replace(ctx context.Context, coll string, op *WriteOp) (WriteResult, error) {
	id := op.Doc.ID()
	old, _, err := v.doc(ctx, coll, id)
	if err = v.creating(coll, op, err); err != nil {
		return WriteResult{}, err
	}
	if old != nil && op.Filter != nil && !op.Filter.Match(old) {
		return WriteResult{}, Errorf(CodePermissionDenied, "permission denied: document %s belongs to another user", id)
	}
	if op.Check != nil {
		if err := op.Check(old, op.Doc); err != nil {
			return WriteResult{}, err
		}
	}
	if err := v.stage(docKey{coll, id}, Clone(op.Doc).(Doc), !op.MustExist); err != nil {
		return WriteResult{}, err
	}
	if old != nil {
		return WriteResult{Matched: 1, Updated: 1}, nil
	}
	return WriteResult{UpsertedID: id}, nil
}

func (v *txnView) remove(ctx context.Context, coll string, op *WriteOp) (WriteResult, error) {
	docs, err := v.match(ctx, coll, op.Filter, !op.Multi)
	if err != nil {
		return WriteResult{}, err
	}
	var res WriteResult
	for _, d := range docs {
		if op.Check != nil {
			if err := op.Check(d, nil); err != nil {
				return WriteResult{}, err
			}
		}
		if err := v.stage(docKey{coll, d.ID()}, nil, false); err != nil {
			return WriteResult{}, err
		}
		res.Removed++
	}
	return res, nil
}
