package functions

import (
	"context"

	"minibase/db"

	"github.com/dop251/goja"
)

// txnNative is natives.db.transaction(): a new transaction (db.Txn) as
// wx-server-sdk's transaction transport (TxnOps in
// sdk/src/database/transaction.ts): run(api, op) → Promise of the
// operation's answer, commit(api) → Promise of {requestId},
// rollback(api) → Promise of {requestId}, rejected as db's operations are
// (dbCall). The transaction holds nothing in the database between calls:
// one the function never commits is dropped with it.
func (in *instance) txnNative(natives *goja.Object) func(goja.FunctionCall) goja.Value {
	return func(goja.FunctionCall) goja.Value {
		x := in.rt.db.Begin()
		o := in.vm.NewObject()
		o.Set("run", func(call goja.FunctionCall) goja.Value {
			return in.dbCall(natives, call.Argument(0).String(), in.dbBodyArg(call.Argument(1)), func(ctx context.Context, op db.Doc) (answer, error) {
				a, err := x.Do(ctx, op)
				if d, ok := a.(db.TxnDocAnswer); ok && d.Doc != nil {
					return db.DocAnswer{Doc: d.Doc}, err // a document, converted lazily (dbValue)
				}
				return a, err
			})
		})
		o.Set("commit", func(call goja.FunctionCall) goja.Value {
			id := in.requestIDAnswer()
			return in.dbCall(natives, call.Argument(0).String(), nil, func(ctx context.Context, _ db.Doc) (answer, error) {
				return id, x.Commit(ctx)
			})
		})
		o.Set("rollback", func(call goja.FunctionCall) goja.Value {
			id := in.requestIDAnswer()
			return in.dbCall(natives, call.Argument(0).String(), nil, func(context.Context, db.Doc) (answer, error) {
				x.Rollback()
				return id, nil
			})
		})
		return o
	}
}

// requestIDAnswer is {requestId} of the current invocation (read on the
// loop), the answer of a transaction's commit and rollback in
// wx-server-sdk.
func (in *instance) requestIDAnswer() answer {
	id := ""
	if c := in.cur; c != nil {
		id = c.requestID
	}
	return requestIDAnswer(id)
}

type requestIDAnswer string

func (a requestIDAnswer) AppendJSON(b []byte) []byte {
	b = append(b, `{"requestId":`...)
	b = append(b, db.MarshalJSON(string(a))...)
	return append(b, '}')
}
