package db

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"sync"
)

// Transactions are optimistic. An operation of a transaction reads the
// database through Driver.View and keeps what it writes in the transaction
// (later operations read through those writes); at commit, Driver.Update
// reads again what the transaction read and, when none of it changed,
// applies the writes, all or none, as one job of the write path. Nothing is
// held between operations, so code that runs between them (a cloud
// function's callback) holds up no other writer.
//
// Reads are snapshot reads: before an operation first reads the database,
// the reads of the operations before it are made again in the same
// snapshot. So everything one transaction reads is one state of the
// database, as of its last read.
//
// When a read changed (there, or at commit), a Txn runs its operations
// again on the current state (txn_replay.go): if each answers as it did,
// the transaction goes on from there, since its caller saw nothing that
// changed; otherwise it fails with DATABASE_TRANSACTION_CONFLICT, having
// written nothing, and is run again from the start (runTransaction does
// that).

// Limits of one transaction.
const (
	// MaxTxnOps is the most operations a transaction runs.
	MaxTxnOps = 100
	// MaxTxnDocs is the most documents a transaction reads and writes,
	// where-updates and where-removes included.
	MaxTxnDocs = 1000
	// MaxTxnBytes is the most bytes of documents (extended JSON) a
	// transaction reads: what it keeps to check at commit.
	MaxTxnBytes = 32 << 20
)

// docKey names a document of a transaction.
type docKey struct{ coll, id string }

// txnRead is one read a transaction made of the database, kept to be made
// again: a document by id, or the documents a filter matched (match).
// raws is what it found (a Doc read: one element, nil for no document).
type txnRead struct {
	coll  string
	id    string
	match bool
	f     *Filter
	limit int
	raws  [][]byte
}

// txnState is a transaction's writes and reads.
type txnState struct {
	docs   map[docKey]Doc  // what it wrote; a nil Doc is a removal
	order  []docKey        // docs' keys in the order first written
	create map[string]bool // collections its writes create when missing (an admin's)
	reads  []txnRead
	seen   map[docKey]stored // documents read by id: what the database held
	held   int               // documents read from the database and written
	bytes  int               // bytes of the documents read
}

func newTxnState() *txnState {
	return &txnState{docs: map[docKey]Doc{}, create: map[string]bool{}, seen: map[docKey]stored{}}
}

// puts are the writes for Driver.Update.
func (t *txnState) puts() []Put {
	out := make([]Put, len(t.order))
	for i, k := range t.order {
		out[i] = Put{Coll: k.coll, ID: k.id, Doc: t.docs[k], Create: t.create[k.coll]}
	}
	return out
}

// hold counts n more documents against MaxTxnDocs.
func (t *txnState) hold(n int) error {
	t.held += n
	if t.held > MaxTxnDocs {
		return Errorf(CodeInvalidParam, "a transaction reads and writes at most %d documents", MaxTxnDocs)
	}
	return nil
}

// read counts documents read from the database against MaxTxnDocs and
// MaxTxnBytes.
func (t *txnState) read(raws ...[]byte) error {
	for _, raw := range raws {
		t.bytes += len(raw)
	}
	if t.bytes > MaxTxnBytes {
		return Errorf(CodeInvalidParam, "a transaction reads at most %d MiB of documents", MaxTxnBytes>>20)
	}
	return t.hold(len(raws))
}

// validate makes reads again in r and fails with a conflict at the first
// whose result changed. A missing collection reads as an empty one.
func validate(ctx context.Context, r Reader, reads []txnRead) error {
	for _, rd := range reads {
		var now [][]byte
		var err error
		if rd.match {
			now, err = r.Match(ctx, rd.coll, rd.f, rd.limit)
		} else {
			var raw []byte
			raw, err = r.Doc(ctx, rd.coll, rd.id)
			now = [][]byte{raw}
		}
		if ErrorCode(err) == CodeCollectionNotExist {
			now, err = nil, nil
			if !rd.match {
				now = [][]byte{nil}
			}
		}
		if err != nil {
			return err
		}
		if !sameRaws(now, rd.raws) {
			return conflict(rd)
		}
	}
	return nil
}

func sameRaws(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

func conflict(rd txnRead) error {
	what := "document " + rd.coll + "/" + rd.id
	if rd.match {
		what = "the documents of " + rd.coll + " a filter matches"
	}
	return Errorf(CodeTransactionConflict, "transaction conflict: %s changed after the transaction read it; nothing was written, run the transaction again", what)
}

// Txn is a transaction whose operations come one at a time, from code that
// runs between them: wx-server-sdk's startTransaction and runTransaction in
// cloud functions. Its methods are safe for concurrent use (an operation
// waits for the one before it to finish). A Txn holds nothing in the
// database: one that is dropped without Commit is rolled back.
type Txn struct {
	s    *Service
	mu   sync.Mutex
	st   *txnState
	done []txnDone // the operations run, to replay (txn_replay.go)
	ops  int
	end  error // why it runs no more operations; nil while it is open
}

// Begin starts a transaction.
func (s *Service) Begin() *Txn { return &Txn{s: s, st: newTxnState()} }

// Do runs one operation of the transaction as the caller in ctx: op is
// {op, coll, id, …} as in a batch (Service.Transaction), and the answer is
// that of the operation's own endpoint, except getDoc's, TxnDocAnswer.
// An operation that fails writes nothing; the transaction stays open,
// unless the failure is a conflict, which ends it: its Commit fails with
// the same conflict. Each operation is kept, as the caller in ctx, to be
// run again (replay) when something the transaction read changes.
func (x *Txn) Do(ctx context.Context, op Doc) (Answer, error) {
	o, err := parseTxnOp(op)
	if err != nil {
		return nil, err
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.end != nil {
		return nil, x.end
	}
	if x.ops++; x.ops > MaxTxnOps {
		return nil, Errorf(CodeInvalidParam, "a transaction runs at most %d operations", MaxTxnOps)
	}
	var a Answer
	err = x.s.drv.View(ctx, func(r Reader) error {
		v := &txnView{t: x.st, r: r, check: len(x.st.reads)}
		a, err = x.s.runTxnOp(ctx, v, o)
		if ErrorCode(err) == CodeTransactionConflict {
			// What the transaction read changed: the operations before
			// this one run again in this snapshot, and if their outcomes
			// are the same, this one runs on the state they make.
			st, rerr := x.s.replay(ctx, r, x.done)
			if rerr != nil || st == nil {
				return cmp.Or(rerr, err)
			}
			x.st = st
			v = &txnView{t: st, r: r}
			a, err = x.s.runTxnOp(ctx, v, o)
		}
		var e *Error
		if err != nil && !errors.As(err, &e) {
			return err // the database failed, not the operation
		}
		if err == nil {
			v.done()
			if ins, ok := a.(InsertAnswer); ok {
				o.body = pinIDs(o.body, ins.IDs)
			}
		}
		if ErrorCode(err) != CodeTransactionConflict {
			x.done = append(x.done, txnDone{o: o, as: context.WithoutCancel(ctx), a: a, err: err})
		}
		return err
	})
	if ErrorCode(err) == CodeTransactionConflict {
		x.end = err
	}
	return a, err
}

// Commit applies the transaction's writes if nothing it read has changed,
// or its operations, run again, answer as they did (then it applies what
// they write now), all of them or, on error, none, and ends the
// transaction. A conflict is
// an *Error with code DATABASE_TRANSACTION_CONFLICT.
func (x *Txn) Commit(ctx context.Context) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.end != nil {
		return x.end
	}
	x.end = Errorf(CodeInvalidParam, "the transaction was committed: start another one")
	if len(x.st.order) == 0 {
		return nil // its reads were one snapshot already
	}
	err := x.s.drv.Update(ctx, func(r Reader) ([]Put, error) {
		err := validate(ctx, r, x.st.reads)
		if ErrorCode(err) == CodeTransactionConflict {
			st, rerr := x.s.replay(ctx, r, x.done)
			if rerr != nil || st == nil {
				return nil, cmp.Or(rerr, err)
			}
			return st.puts(), nil
		}
		if err != nil {
			return nil, err
		}
		return x.st.puts(), nil
	})
	if err != nil {
		x.end = err
		if ErrorCode(err) != CodeTransactionConflict {
			x.end = Errorf(CodeInvalidParam, "the transaction failed to commit: start another one")
		}
	}
	return err
}

// Rollback ends the transaction, dropping its writes. Rolling back an
// ended transaction does nothing.
func (x *Txn) Rollback() {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.end == nil {
		x.end = Errorf(CodeInvalidParam, "the transaction was rolled back: start another one")
	}
}
