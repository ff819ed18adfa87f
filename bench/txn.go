package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
)

// The transaction scenarios: a transfer of 1 between two accounts, the two
// updates of one transaction, picked at random among a pool of accounts.
// In a cloud function (runTransaction, optimistic: a conflict runs the
// callback again) and as one POST /v1/db/transaction (applied in one job of
// the write path: it never conflicts). After the runs the balances must sum
// to what they were, and the report says how many runs conflicted.

// txnFunction is the fn-txn scenarios' function: two _.inc updates in
// runTransaction, retried until they commit; it answers how many runs
// that took.
const txnFunction = `const cloud = require('wx-server-sdk');
cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
const db = cloud.database();
const _ = db.command;
exports.main = async (event) => {
  let runs = 0;
  await db.runTransaction(async (t) => {
    runs++;
    const acc = t.collection(event.coll);
    await acc.doc(event.from).update({ data: { balance: _.inc(-1) } });
    await acc.doc(event.to).update({ data: { balance: _.inc(1) } });
  }, 1000000);
  return { runs };
};`

// txnReadFunction is fn-txn-read's: the same transfer computed from the
// balances it reads ($set, not _.inc), so that a transfer between its read
// and its commit is a conflict.
const txnReadFunction = `const cloud = require('wx-server-sdk');
cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
const db = cloud.database();
exports.main = async (event) => {
  let runs = 0;
  await db.runTransaction(async (t) => {
    runs++;
    const acc = t.collection(event.coll);
    const from = (await acc.doc(event.from).get()).data;
    const to = (await acc.doc(event.to).get()).data;
    await acc.doc(event.from).update({ data: { balance: from.balance - 1 } });
    await acc.doc(event.to).update({ data: { balance: to.balance + 1 } });
  }, 1000000);
  return { runs };
};`

// startBalance is every account's balance before a scenario.
const startBalance = 1_000_000

func txnScenarios() []scenario {
	return []scenario{
		txnScenario("fn-txn", "a function's runTransaction: 2 updates (a transfer, _.inc) among 1000 accounts", 1000, opFnTxn("txn")),
		txnScenario("fn-txn-hot", "the same among 10 accounts", 10, opFnTxn("txn")),
		txnScenario("fn-txn-read", "the transfer computed from the 2 balances it reads, among 10 accounts: most transactions conflict", 10, opFnTxn("txnread")),
		txnScenario("db-txn", "the same 2 updates as one POST /v1/db/transaction, among 10 accounts", 10, opDBTxn),
	}
}

// txnState is what a transaction scenario counts across its runs.
type txnState struct {
	accounts int
	commits  atomic.Int64 // transactions committed
	runs     atomic.Int64 // callback runs: commits plus conflicts
}

func (e *env) accColl() string { return e.coll + "_acc" }

// txnScenario is a transaction scenario over accounts accounts, which its
// setup (re)creates with startBalance each.
func txnScenario(name, what string, accounts int, o op) scenario {
	return scenario{name: name, what: what, op: o,
		setup: func(ctx context.Context, e *env) error {
			if err := setupFunctions(ctx, e); err != nil {
				return err
			}
			e.txn = &txnState{accounts: accounts}
			return resetAccounts(ctx, e, accounts)
		},
		notes: txnNotes,
	}
}

// resetAccounts recreates the accounts collection with n accounts.
func resetAccounts(ctx context.Context, e *env, n int) error {
	err := e.cl.call(ctx, "DELETE", "/v1/admin/collections/"+e.accColl(), nil, nil)
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("drop %s: %w", e.accColl(), err)
	}
	docs := make([]map[string]any, n)
	for i := range docs {
		docs[i] = map[string]any{"_id": accountID(i), "balance": startBalance}
	}
	return e.cl.call(ctx, "POST", "/v1/db/"+e.accColl()+"/insert", map[string]any{"data": docs}, nil)
}

func accountID(i int) string { return fmt.Sprintf("acc%04d", i) }

// pair picks two different accounts.
func (t *txnState) pair(rng *rand.Rand) (from, to string) {
	i := rng.IntN(t.accounts)
	j := rng.IntN(t.accounts - 1)
	if j >= i {
		j++
	}
	return accountID(i), accountID(j)
}

// opFnTxn invokes the transfer function fn.
func opFnTxn(fn string) op {
	return func(ctx context.Context, e *env, rng *rand.Rand) error {
		from, to := e.txn.pair(rng)
		var out struct {
			Result struct{ Runs int64 } `json:"result"`
		}
		event := map[string]any{"coll": e.accColl(), "from": from, "to": to}
		if err := e.cl.call(ctx, "POST", "/v1/functions/"+fn+"/invoke", map[string]any{"data": event}, &out); err != nil {
			return err
		}
		if out.Result.Runs < 1 {
			return fmt.Errorf("%s answered %+v, want the runs it took", fn, out.Result)
		}
		e.txn.commits.Add(1)
		e.txn.runs.Add(out.Result.Runs)
		return nil
	}
}

func opDBTxn(ctx context.Context, e *env, rng *rand.Rand) error {
	from, to := e.txn.pair(rng)
	inc := func(id string, n int) map[string]any {
		return map[string]any{"op": "updateDoc", "coll": e.accColl(), "id": id, "update": map[string]any{"$inc": map[string]any{"balance": n}}}
	}
	var out struct {
		Results []struct {
			Stats struct{ Updated int } `json:"stats"`
		} `json:"results"`
	}
	if err := e.cl.call(ctx, "POST", "/v1/db/transaction", map[string]any{"ops": []any{inc(from, -1), inc(to, 1)}}, &out); err != nil {
		return err
	}
	if len(out.Results) != 2 || out.Results[0].Stats.Updated != 1 || out.Results[1].Stats.Updated != 1 {
		return fmt.Errorf("transaction answered %+v, want two updates", out.Results)
	}
	e.txn.commits.Add(1)
	e.txn.runs.Add(1)
	return nil
}

// txnNotes checks that the balances still sum to the start (no transfer
// lost or applied twice) and reports the conflict rate.
func txnNotes(ctx context.Context, e *env) ([]string, error) {
	var out struct {
		Data []struct{ Balance int64 } `json:"data"`
	}
	q := map[string]any{"filter": map[string]any{}, "limit": e.txn.accounts}
	if err := e.cl.call(ctx, "POST", "/v1/db/"+e.accColl()+"/query", q, &out); err != nil {
		return nil, err
	}
	var sum int64
	for _, d := range out.Data {
		sum += d.Balance
	}
	if want := int64(e.txn.accounts) * startBalance; len(out.Data) != e.txn.accounts || sum != want {
		return nil, fmt.Errorf("%d accounts sum to %d after the transfers, want %d accounts summing to %d", len(out.Data), sum, e.txn.accounts, want)
	}
	commits, runs := e.txn.commits.Load(), e.txn.runs.Load()
	conflicts := runs - commits
	rate := 0.0
	if runs > 0 {
		rate = float64(conflicts) / float64(runs)
	}
	return []string{fmt.Sprintf("%d transactions committed in %d runs: %d conflicts (%.1f%% of runs, %.2f per transaction); balances sum to the start",
		commits, runs, conflicts, 100*rate, float64(conflicts)/float64(max(commits, 1)))}, nil
}
