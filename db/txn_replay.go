package db

import (
	"bytes"
	"context"
	"errors"
)

// When a document a Txn read has changed, the transaction conflicts only
// if that change shows in what its caller saw. A Txn keeps each operation
// it ran with its outcome (the answer, or the error); on a changed read it
// runs them all again, in order, on a new state over the current database
// (replay), and when every one has the same outcome, byte for byte, the
// new state becomes the transaction's: its caller's code, which saw only
// those outcomes, would have done the same had it run now, so the
// transaction stays serializable. Updates that only change what they find
// (_.inc, a where-update's documents, whose answers are counts) so commit
// over each other's writes instead of running the callback again, as
// POST /v1/db/transaction's revs let a client's transaction do.

// txnDone is an operation a Txn ran: o, with the _ids its insert generated
// pinned, as the caller in as (its values: the caller's identity), and
// what it answered (a) or failed with (err).
type txnDone struct {
	o   txnOp
	as  context.Context
	a   Answer
	err error
}

// asCaller is a Context with the deadline and cancellation of one and the
// values of another (as): an operation run again, as its caller, in a
// later call.
type asCaller struct {
	context.Context
	as context.Context
}

func (c asCaller) Value(key any) any { return c.as.Value(key) }

// replay runs ops again, each as its caller, on a new state over r. It
// returns the state, or nil when an operation's outcome differs; an error
// only when r fails.
func (s *Service) replay(ctx context.Context, r Reader, ops []txnDone) (*txnState, error) {
	t := newTxnState()
	for _, d := range ops {
		v := &txnView{t: t, r: r}
		a, err := s.runTxnOp(asCaller{ctx, d.as}, v, d.o)
		var e *Error
		switch {
		case err != nil && !errors.As(err, &e):
			return nil, err // the database failed, not the operation
		case err != nil || d.err != nil:
			if err == nil || d.err == nil || err.Error() != d.err.Error() {
				return nil, nil
			}
		case !bytes.Equal(a.AppendJSON(nil), d.a.AppendJSON(nil)):
			return nil, nil
		default:
			v.done()
		}
	}
	return t, nil
}

// pinIDs returns the body of an insert whose documents got ids: the same
// documents with their _ids, so that run again it inserts them again as
// they were (and answers the same).
func pinIDs(body Doc, ids []string) Doc {
	out := make(Doc, len(body))
	copy(out, body)
	for i, f := range out {
		if f.Key != "data" {
			continue
		}
		switch x := f.Value.(type) {
		case Doc:
			if len(ids) == 1 {
				out[i].Value = withID(x, ids[0])
			}
		case []any:
			if len(ids) != len(x) {
				break
			}
			docs := make([]any, len(x))
			for j, d := range x {
				docs[j] = d
				if d, ok := d.(Doc); ok {
					docs[j] = withID(d, ids[j])
				}
			}
			out[i].Value = docs
		}
	}
	return out
}

// withID is d with _id id, first.
func withID(d Doc, id string) Doc {
	out := make(Doc, 0, len(d)+1)
	out = append(out, Field{"_id", id})
	for _, f := range d {
		if f.Key != "_id" {
			out = append(out, f)
		}
	}
	return out
}
