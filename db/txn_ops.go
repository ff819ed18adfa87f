package db

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
)

// The operations of a transaction, each as {op, coll, id, …}: op names it
// as the builder's operations are named (DbOps in sdk/src/database/ops.ts),
// and the other fields are its endpoint's body, so that a transaction's
// operation is checked, rules included, exactly as the operation alone:
//
//	getDoc     {coll, id, projection?}            → {data: doc | null}
//	insert     {coll, data: doc | [docs]}         → {_id} | {_ids}
//	setDoc     {coll, id, data}                   → {_id, stats: {created, updated}}
//	updateDoc  {coll, id, update}                 → {stats: {updated}}
//	removeDoc  {coll, id}                         → {stats: {removed}}
//	update     {coll, filter, update, multi?, upsert?} → {stats: {matched, updated}}
//	remove     {coll, filter, multi?}             → {stats: {removed}}
//
// Any operation may carry rev: the rev of its answer in an earlier run of
// the same operations (Service.Transaction with commit false); when its
// answer now differs, the transaction fails with a conflict.
var txnKinds = map[string]bool{ // the kinds, and whether they name a document (id)
	"getDoc": true, "insert": false, "setDoc": true, "updateDoc": true, "removeDoc": true, "update": false, "remove": false,
}

// maxRev is the longest rev accepted (revs are 16 characters).
const maxRev = 64

// txnOp is one parsed operation of a transaction.
type txnOp struct {
	kind string
	coll string
	id   string
	body Doc // its other fields: the body of its endpoint
	rev  string
}

// parseTxnOp parses an operation; what its body holds is checked when it
// runs, as its endpoint checks it.
func parseTxnOp(v any) (txnOp, error) {
	d, ok := v.(Doc)
	if !ok {
		return txnOp{}, Errorf(CodeInvalidParam, "an operation must be an object {op, coll, …}")
	}
	var o txnOp
	o.body = make(Doc, 0, len(d))
	var hasID bool
	for _, f := range d {
		var ok bool
		switch f.Key {
		case "op":
			o.kind, ok = f.Value.(string)
		case "coll":
			o.coll, ok = f.Value.(string)
		case "id":
			hasID = true
			switch x := f.Value.(type) {
			case string:
				o.id, ok = x, true
			case int64:
				o.id, ok = strconv.FormatInt(x, 10), true
			}
		case "rev":
			o.rev, ok = f.Value.(string)
			ok = ok && o.rev != "" && len(o.rev) <= maxRev
		default:
			o.body, ok = append(o.body, f), true
		}
		if !ok {
			return txnOp{}, badTxnField(f.Key)
		}
	}
	byID, known := txnKinds[o.kind]
	switch {
	case !known:
		return txnOp{}, Errorf(CodeInvalidParam, "unknown operation %q: a transaction runs getDoc, insert, setDoc, updateDoc, removeDoc, update and remove", o.kind)
	case o.coll == "":
		return txnOp{}, Errorf(CodeInvalidParam, "%s: coll (the collection) is required", o.kind)
	case byID && !hasID:
		return txnOp{}, Errorf(CodeInvalidParam, "%s: id (the document's _id) is required", o.kind)
	case !byID && hasID:
		return txnOp{}, Errorf(CodeInvalidParam, "%s takes no id: it acts on the documents its filter or data names", o.kind)
	}
	return o, nil
}

func badTxnField(key string) error {
	switch key {
	case "id":
		return Errorf(CodeInvalidParam, "an operation's id must be a string or an integer")
	case "rev":
		return Errorf(CodeInvalidParam, "an operation's rev must be a string of 1 to %d characters", maxRev)
	}
	return Errorf(CodeInvalidParam, "an operation's %s must be a string", key)
}

// runTxnOp runs o through v as the caller in ctx, authorized as its
// endpoint authorizes it, and returns its answer.
func (s *Service) runTxnOp(ctx context.Context, v *txnView, o txnOp) (Answer, error) {
	switch o.kind {
	case "getDoc":
		return s.txnGetDoc(ctx, v, o)
	case "insert":
		g, err := s.admit(ctx, o.coll, opCreate)
		if err != nil {
			return nil, err
		}
		op, many, err := s.insertOp(ctx, g, o.body)
		if err != nil {
			return nil, err
		}
		res, err := v.write(ctx, g.coll, op)
		return InsertAnswer{IDs: res.InsertedIDs, Many: many}, err
	case "setDoc":
		g, err := s.admitSet(ctx, o.coll)
		if err != nil {
			return nil, err
		}
		op, err := s.setOp(ctx, g, o.id, o.body)
		if err != nil {
			return nil, err
		}
		res, err := v.write(ctx, g.coll, op)
		return SetAnswer{ID: o.id, Result: res}, err
	}
	var g grant
	var op *WriteOp
	var err error
	switch o.kind {
	case "updateDoc":
		if g, err = s.admit(ctx, o.coll, opUpdate); err == nil {
			op, err = s.docUpdateOp(ctx, g, o.id, o.body)
		}
	case "update":
		if g, err = s.admit(ctx, o.coll, opUpdate); err == nil {
			op, err = s.whereUpdateOp(ctx, g, o.body)
		}
	case "removeDoc":
		if len(o.body) > 0 {
			return nil, Errorf(CodeInvalidParam, "removeDoc takes no field %q", o.body[0].Key)
		}
		if g, err = s.authorize(ctx, o.coll, ActionDelete); err == nil {
			op, err = s.docRemoveOp(ctx, g, o.id)
		}
	case "remove":
		if g, err = s.admit(ctx, o.coll, opDelete); err == nil {
			op, err = s.whereRemoveOp(ctx, g, o.body)
		}
	}
	if err != nil {
		return nil, err
	}
	res, err := written(v.write(ctx, g.coll, op))
	switch o.kind {
	case "updateDoc":
		return UpdateDocAnswer{Result: res}, err
	case "update":
		return UpdateAnswer{Result: res}, err
	}
	return RemoveAnswer{Removed: res.Removed}, err
}

// txnGetDoc reads a document as doc(id).get() does (GetDoc), with
// projection, through the transaction; a document that does not exist, or
// that the caller may not see, is data null.
func (s *Service) txnGetDoc(ctx context.Context, v *txnView, o txnOp) (Answer, error) {
	g, err := s.authorize(ctx, o.coll, ActionRead)
	if err != nil {
		return nil, err
	}
	if err := checkID(o.id); err != nil {
		return nil, err
	}
	m, err := fields(o.body, "projection")
	if err != nil {
		return nil, err
	}
	p, err := ParseProjection(m["projection"])
	if err != nil {
		return nil, err
	}
	raw, err := s.readDocFrom(ctx, g, o.id, func(f *Filter) ([][]byte, error) {
		d, raw, err := v.doc(ctx, g.coll, o.id)
		if err != nil || d == nil || !f.Match(d) {
			return nil, err
		}
		return [][]byte{raw}, nil
	})
	if ErrorCode(err) == CodeDocumentNotExist {
		return TxnDocAnswer{}, nil
	}
	if err != nil {
		return nil, err
	}
	if p != nil {
		d, err := decodeStored(raw)
		if err != nil {
			return nil, err
		}
		raw = MarshalJSON(p.Apply(d))
	}
	return TxnDocAnswer{Doc: raw}, nil
}

// decodeTxnBody decodes a transaction's request body as DecodeBody does,
// two levels deeper: a document sits in {ops: [{data: …}]}.
func decodeTxnBody(data []byte) (Doc, error) {
	v, err := decodeLimited(data, limits{depth: MaxDepth + 6, fields: MaxFields})
	if err != nil {
		return nil, err
	}
	d, ok := v.(Doc)
	if !ok {
		return nil, Errorf(CodeInvalidParam, "request body must be a JSON object")
	}
	return d, nil
}

// Transaction runs body {ops: [op, …], commit} as one transaction, as the
// caller in ctx, each operation authorized as its endpoint authorizes it,
// and returns their answers, in order. With commit (the default) it runs
// in one job of the write path and applies the operations' writes, all or
// none: the first operation that fails fails the whole transaction, with
// its error (which names the operation), and nothing is written. With
// commit false it writes nothing: it runs the operations on one snapshot,
// and every answer carries a rev that a later run of the same operations
// (one more, say) may send back with the operation, to fail with a
// conflict when its answer changed: how a client runs a transaction
// across round trips without holding anything in the server.
func (s *Service) Transaction(ctx context.Context, body Doc) (TxnAnswer, error) {
	m, err := fields(body, "ops", "commit")
	if err != nil {
		return TxnAnswer{}, err
	}
	list, ok := m["ops"].([]any)
	if !ok || len(list) == 0 || len(list) > MaxTxnOps {
		return TxnAnswer{}, Errorf(CodeInvalidParam, "ops must be an array of 1 to %d operations", MaxTxnOps)
	}
	commit := true
	if m["commit"] != nil {
		if commit, err = boolField(m["commit"], "commit"); err != nil {
			return TxnAnswer{}, err
		}
	}
	ops := make([]txnOp, len(list))
	for i, v := range list {
		if ops[i], err = parseTxnOp(v); err != nil {
			return TxnAnswer{}, opFailed(i, "", err)
		}
	}
	a := TxnAnswer{Results: make([]Answer, len(ops)), Revs: !commit}
	run := func(r Reader) (*txnState, error) {
		t := newTxnState()
		for i, o := range ops {
			v := &txnView{t: t, r: r}
			res, err := s.runTxnOp(ctx, v, o)
			if err != nil {
				return nil, opFailed(i, o.kind, err)
			}
			v.done()
			if o.rev != "" && o.rev != Rev(res) {
				return nil, opFailed(i, o.kind, Errorf(CodeTransactionConflict,
					"transaction conflict: the answer changed since the run whose rev this operation carries; nothing was written, run the transaction again"))
			}
			a.Results[i] = res
		}
		return t, nil
	}
	if !commit {
		err = s.drv.View(ctx, func(r Reader) error {
			_, err := run(r)
			return err
		})
	} else {
		err = s.drv.Update(ctx, func(r Reader) ([]Put, error) {
			t, err := run(r)
			if err != nil {
				return nil, err
			}
			return t.puts(), nil
		})
	}
	if err != nil {
		return TxnAnswer{}, err
	}
	return a, nil
}

// opFailed names operation i (of kind) in its error.
func opFailed(i int, kind string, err error) error {
	var e *Error
	if !errors.As(err, &e) {
		return err
	}
	name := "ops[" + strconv.Itoa(i) + "]"
	if kind != "" {
		name += " (" + kind + ")"
	}
	return &Error{Code: e.Code, ErrCode: e.ErrCode, Message: name + ": " + e.Message}
}

// Rev is the rev of an operation's answer: 16 characters that change when
// the answer does. It is the answer's hash, so it tells no more than the
// answer itself.
func Rev(a Answer) string { return revOf(a.AppendJSON(nil)) }

func revOf(answer []byte) string {
	sum := sha256.Sum256(answer)
	return base64.RawURLEncoding.EncodeToString(sum[:12])
}
