package functions

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"minibase/db"
)

// seedAccounts stores accounts a (balance a) and b (0) in acc, and an
// empty log.
func seedAccounts(t *testing.T, svc *db.Service, a int) {
	t.Helper()
	body, _ := db.DecodeJSON([]byte(fmt.Sprintf(`{"data":[{"_id":"a","balance":%d},{"_id":"b","balance":0}]}`, a)), db.MaxDepth)
	if _, _, err := svc.Insert(adminCtx, "acc", body.(db.Doc)); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateCollection(adminCtx, doc("name", "log")); err != nil {
		t.Fatal(err)
	}
}

// balances reads the balances of accounts a and b.
func balances(t *testing.T, svc *db.Service) (a, b int64) {
	t.Helper()
	for _, x := range []struct {
		id string
		n  *int64
	}{{"a", &a}, {"b", &b}} {
		raw, err := svc.GetDoc(adminCtx, "acc", x.id, nil)
		if err != nil {
			t.Fatal(err)
		}
		var d struct{ Balance int64 }
		json.Unmarshal(raw, &d)
		*x.n = d.Balance
	}
	return a, b
}

// wx-server-sdk's transactions: answers in its shapes, rollback with a
// reason, errors, a conflict retried and one that retries run out.
func TestTransactions(t *testing.T) {
	rt, svc := newTestRuntime(t, Options{})
	seedAccounts(t, svc, 100)
	runCases(t, rt, []fcase{
		{name: "every operation's answer", fn: "txn", event: `{"action":"shapes"}`, ctx: adminCtx, want: `{
			"get": {"data": {"_id": "a", "balance": 100}, "errMsg": "document.get:ok"},
			"missing": {"data": null, "errMsg": "document.get:ok"},
			"field": {"data": {"_id": "a", "balance": 100}, "errMsg": "document.get:ok"},
			"add": {"_id": "l1", "errMsg": "collection.add:ok"},
			"addMany": {"errMsg": "collection.add:ok"},
			"set": {"_id": "c", "stats": {"created": 1, "updated": 0}, "errMsg": "document.set:ok"},
			"update": {"stats": {"updated": 1}, "errMsg": "document.update:ok"},
			"after": {"_id": "a", "balance": 90, "seen": true},
			"whereUpdate": {"stats": {"updated": 2}, "errMsg": "collection.update:ok"},
			"removed": {"stats": {"removed": 1}, "errMsg": "document.remove:ok"},
			"whereRemove": {"stats": {"removed": 2}, "errMsg": "collection.remove:ok"},
			"gone": null,
			"outside": 100,
			"logDate": true,
			"commit": ["requestId"],
			"committed": {"_id": "a", "balance": 90, "seen": true, "vip": true},
			"vip": 2,
			"afterCommit": {"errCode": -501007, "errMsg": "document.get:fail -501007 invalid parameters. the transaction was committed: start another one"}}`},
	})
	if _, err := svc.GetDoc(adminCtx, "acc", "b", nil); db.ErrorCode(err) != db.CodeDocumentNotExist {
		t.Errorf("b after the commit: %v, want removed", err)
	}
	if n, err := svc.Count(adminCtx, "log", nil); err != nil || n != 1 {
		t.Errorf("log holds %d documents (%v), want l1 alone", n, err)
	}

	rt, svc = newTestRuntime(t, Options{})
	seedAccounts(t, svc, 100)
	runCases(t, rt, []fcase{
		{name: "rollback(reason) rejects with the reason", fn: "txn", event: `{"action":"rollback"}`, ctx: adminCtx,
			want: `{"rejected": {"code": "NO_MONEY"}, "balance": 100}`},
		{name: "rollback() rejects with undefined", fn: "txn", event: `{"action":"rollbackBare"}`, ctx: adminCtx, want: `{"thrown": "undefined"}`},
		{name: "what the callback throws", fn: "txn", event: `{"action":"throws"}`, ctx: adminCtx, want: `{"message": "boom", "balance": 100}`},
		{name: "a conflict is run again", fn: "txn", event: `{"action":"retried"}`, ctx: adminCtx, want: `{"result": "done", "runs": 2, "balance": 202}`},
		{name: "retries run out: DATABASE_TRANSACTION_CONFLICT", fn: "txn", event: `{"action":"exhausted","times":2}`, ctx: adminCtx,
			want: `{"runs": 3, "code": "DATABASE_TRANSACTION_CONFLICT", "errCode": -502001, "b": 0}`},
		{name: "increments over another writer's: no conflict", fn: "txn", event: `{"action":"increments"}`, ctx: adminCtx,
			want: `{"runs": 1, "a": 9, "b": 11}`},
		{name: "times defaults to 3", fn: "txn", event: `{"action":"exhausted"}`, ctx: adminCtx, want: `{"runs": 4, "code": "DATABASE_TRANSACTION_CONFLICT"}`},
		{name: "queries are not in a transaction", fn: "txn", event: `{"action":"query"}`, ctx: adminCtx, want: `{
			"get": {"errCode": -501007, "errMsg": "collection.get:fail not in a transaction: read documents by id in it (doc(id).get()), and query outside it"},
			"count": {"errCode": -501007}}`},
		{name: "a failed operation writes nothing; the transaction goes on", fn: "txn", event: `{"action":"failedOp"}`, ctx: adminCtx,
			want: `{"add": {"code": "DATABASE_DUPLICATE_KEY"}, "update": {"stats": {"updated": 1}}, "b": 7}`},
		{name: "insufficient funds: rolled back", fn: "transfer", event: `{"from":"b","to":"a","n":1000}`, ctx: adminCtx,
			want: `{"result": {"rejected": "insufficient funds"}, "runs": 1}`},
	})
}

// Two functions, one with runTransaction and one with startTransaction,
// transfer between the same accounts a thousand times at once, in
// opposite directions: every transfer is applied exactly once.
func TestTransactionsConcurrent(t *testing.T) {
	rt, svc := newTestRuntime(t, Options{})
	seedAccounts(t, svc, 1000) // enough for a to pay all its transfers first
	const each = 500
	var wg sync.WaitGroup
	runs := make([]int, 2)
	errs := make([]error, 2)
	for w, c := range []struct{ fn, event string }{
		{"transfer", `{"from":"a","to":"b","n":1}`},
		{"exchange", `{"from":"b","to":"a","n":2}`},
	} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				res, err := rt.Invoke(adminCtx, c.fn, []byte(c.event), Invocation{})
				if err != nil {
					errs[w] = fmt.Errorf("%s %d: %w", c.fn, i, err)
					return
				}
				var v struct{ Runs int }
				json.Unmarshal(res.Value, &v)
				runs[w] += v.Runs
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	a, b := balances(t, svc)
	if a+b != 1000 {
		t.Fatalf("balances a=%d b=%d sum to %d, want 1000", a, b, a+b)
	}
	if a != 1000-each+2*each || b != each-2*each {
		t.Errorf("balances a=%d b=%d, want a=%d b=%d: every transfer applied once", a, b, 1000-each+2*each, each-2*each)
	}
	t.Logf("%d transfers by two functions took %d and %d runs: %d conflicts run again",
		2*each, runs[0], runs[1], runs[0]+runs[1]-2*each)
}
