//go:build !minibase_fuzz

package db_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"minibase/auth"
	"minibase/db"
	"minibase/db/sqlite"
)

var adminCtx = auth.NewContext(context.Background(), &auth.Identity{Role: auth.Admin})

// txnService is a Service on a SQLite database of its own, with the
// collections and documents of setup (collection → documents as JSON).
func txnService(t testing.TB, setup map[string][]string) *db.Service {
	t.Helper()
	drv, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"), sqlite.Options{Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { drv.Close() })
	s := db.NewService(drv, db.Limits{})
	for coll, docs := range setup {
		if _, err := s.CreateCollection(adminCtx, db.Doc{{Key: "name", Value: coll}}); err != nil {
			t.Fatal(err)
		}
		for len(docs) > 0 {
			n := min(len(docs), 500)
			batch := make([]any, n)
			for i, d := range docs[:n] {
				batch[i] = doc(t, d)
			}
			if _, _, err := s.Insert(adminCtx, coll, db.Doc{{Key: "data", Value: batch}}); err != nil {
				t.Fatal(err)
			}
			docs = docs[n:]
		}
	}
	return s
}

// txnDo runs one operation of x (JSON) and returns its answer's JSON.
func txnDo(t testing.TB, x *db.Txn, op string) (string, error) {
	t.Helper()
	v, err := db.DecodeJSON([]byte(op), db.MaxDepth+4)
	if err != nil {
		t.Fatal(err)
	}
	a, err := x.Do(adminCtx, v.(db.Doc))
	if err != nil {
		return "", err
	}
	return string(a.AppendJSON(nil)), nil
}

// mustDo is do that fails the test on an error, or on an answer other than want.
func mustDo(t testing.TB, x *db.Txn, op, want string) {
	t.Helper()
	got, err := txnDo(t, x, op)
	if err != nil {
		t.Fatalf("%s: %v", op, err)
	}
	if want != "" && got != want {
		t.Fatalf("%s: got %s, want %s", op, got, want)
	}
}

// stored is the document as an admin reads it ("" when there is none).
func stored(t testing.TB, s *db.Service, coll, id string) string {
	t.Helper()
	raw, err := s.GetDoc(adminCtx, coll, id, nil)
	if c := db.ErrorCode(err); c == db.CodeDocumentNotExist || c == db.CodeCollectionNotExist {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

func wantStored(t testing.TB, s *db.Service, coll, id, want string) {
	t.Helper()
	if got := stored(t, s, coll, id); got != want {
		t.Errorf("%s/%s: got %s, want %s", coll, id, orNone(got), orNone(want))
	}
}

func orNone(s string) string {
	if s == "" {
		return "no document"
	}
	return s
}

// balance reads an account's balance inside x.
func balance(t testing.TB, x *db.Txn, id string) (int64, error) {
	got, err := txnDo(t, x, `{"op":"getDoc","coll":"acc","id":"`+id+`"}`)
	if err != nil {
		return 0, err
	}
	v, err := db.DecodeJSON([]byte(got), db.MaxDepth)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := v.(db.Doc).Get("data")
	n, _ := d.(db.Doc).Get("balance")
	return n.(int64), nil
}

// transfer moves n from one account to the other in one transaction, run
// again on a conflict as runTransaction does; it returns how many runs
// conflicted. The new balances are computed from the ones read ($set, not
// $inc): an update lost between two transfers would show in the sum.
func transfer(t testing.TB, s *db.Service, from, to string, n int64) (conflicts int, err error) {
	for {
		x := s.Begin()
		err := func() error {
			a, err := balance(t, x, from)
			if err != nil {
				return err
			}
			b, err := balance(t, x, to)
			if err != nil {
				return err
			}
			if _, err := txnDo(t, x, fmt.Sprintf(`{"op":"updateDoc","coll":"acc","id":%q,"update":{"$set":{"balance":%d}}}`, from, a-n)); err != nil {
				return err
			}
			if _, err := txnDo(t, x, fmt.Sprintf(`{"op":"updateDoc","coll":"acc","id":%q,"update":{"$set":{"balance":%d}}}`, to, b+n)); err != nil {
				return err
			}
			return x.Commit(context.Background())
		}()
		if db.ErrorCode(err) != db.CodeTransactionConflict {
			return conflicts, err
		}
		conflicts++
	}
}

// Two goroutines transfer between the same accounts a thousand times, in
// opposite directions: every transfer is applied once, so the balances
// always sum to the start and end where the transfers say.
func TestTxnConcurrentTransfers(t *testing.T) {
	s := txnService(t, map[string][]string{"acc": {`{"_id":"a","balance":1000}`, `{"_id":"b","balance":1000}`}})
	const each = 500
	var wg sync.WaitGroup
	conflicts := make([]int, 2)
	errs := make([]error, 2)
	for w, dir := range [][2]string{{"a", "b"}, {"b", "a"}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				n, err := transfer(t, s, dir[0], dir[1], int64(1+w)) // a→b moves 1, b→a moves 2
				conflicts[w] += n
				if err != nil {
					errs[w] = fmt.Errorf("transfer %d: %w", i, err)
					return
				}
			}
		}()
	}
	// Meanwhile a reader checks that every transaction sees balances that
	// sum to the start: its reads are one snapshot.
	done := make(chan struct{})
	var reads, readConflicts int
	go func() {
		defer close(done)
		for range 200 {
			x := s.Begin()
			a, err := balance(t, x, "a")
			if err == nil {
				var b int64
				if b, err = balance(t, x, "b"); err == nil && a+b != 2000 {
					t.Errorf("a transaction read a=%d b=%d: sum %d, want 2000", a, b, a+b)
				}
			}
			x.Rollback()
			switch {
			case db.ErrorCode(err) == db.CodeTransactionConflict:
				readConflicts++
			case err != nil:
				t.Error(err)
				return
			default:
				reads++
			}
		}
	}()
	wg.Wait()
	<-done
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	wantStored(t, s, "acc", "a", fmt.Sprintf(`{"_id":"a","balance":%d}`, 1000-each+2*each))
	wantStored(t, s, "acc", "b", fmt.Sprintf(`{"_id":"b","balance":%d}`, 1000+each-2*each))
	t.Logf("%d transfers; runs that conflicted and ran again: %d and %d; snapshot reads: %d whole, %d conflicted",
		2*each, conflicts[0], conflicts[1], reads, readConflicts)
}

// A write that commits between a transaction's read and its commit is a
// conflict: the transaction writes nothing and, run again, sees the write.
func TestTxnConflict(t *testing.T) {
	s := txnService(t, map[string][]string{"acc": {`{"_id":"a","balance":10}`}})
	x := s.Begin()
	mustDo(t, x, `{"op":"getDoc","coll":"acc","id":"a"}`, `{"data":{"_id":"a","balance":10}}`)
	mustDo(t, x, `{"op":"updateDoc","coll":"acc","id":"a","update":{"$set":{"balance":0}}}`, `{"stats":{"updated":1}}`)
	if _, err := s.UpdateDoc(adminCtx, "acc", "a", doc(t, `{"update":{"$inc":{"balance":5}}}`)); err != nil {
		t.Fatal(err)
	}
	err := x.Commit(context.Background())
	if db.ErrorCode(err) != db.CodeTransactionConflict {
		t.Fatalf("commit after a concurrent write: %v, want DATABASE_TRANSACTION_CONFLICT", err)
	}
	var e *db.Error
	if errors.As(err, &e); e.ErrCode != -502001 {
		t.Errorf("conflict errCode %d, want -502001", e.ErrCode)
	}
	wantStored(t, s, "acc", "a", `{"_id":"a","balance":15}`)
	if _, err := txnDo(t, x, `{"op":"getDoc","coll":"acc","id":"a"}`); db.ErrorCode(err) != db.CodeTransactionConflict {
		t.Errorf("an operation after the conflict: %v, want the conflict again", err)
	}

	// Run again: the write is seen, and the transaction commits.
	x = s.Begin()
	mustDo(t, x, `{"op":"getDoc","coll":"acc","id":"a"}`, `{"data":{"_id":"a","balance":15}}`)
	mustDo(t, x, `{"op":"updateDoc","coll":"acc","id":"a","update":{"$set":{"balance":0}}}`, `{"stats":{"updated":1}}`)
	if err := x.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantStored(t, s, "acc", "a", `{"_id":"a","balance":0}`)

	// A write between two operations: the second works on the snapshot
	// the first read, and the commit conflicts; a read of another
	// document conflicts at once.
	x = s.Begin()
	mustDo(t, x, `{"op":"getDoc","coll":"acc","id":"a"}`, `{"data":{"_id":"a","balance":0}}`)
	if _, err := s.UpdateDoc(adminCtx, "acc", "a", doc(t, `{"update":{"$inc":{"balance":1}}}`)); err != nil {
		t.Fatal(err)
	}
	mustDo(t, x, `{"op":"updateDoc","coll":"acc","id":"a","update":{"$inc":{"balance":100}}}`, `{"stats":{"updated":1}}`)
	mustDo(t, x, `{"op":"getDoc","coll":"acc","id":"a"}`, `{"data":{"_id":"a","balance":100}}`)
	if _, err := txnDo(t, x, `{"op":"getDoc","coll":"acc","id":"b"}`); db.ErrorCode(err) != db.CodeTransactionConflict {
		t.Errorf("a read of the database after a document read changed: %v, want DATABASE_TRANSACTION_CONFLICT", err)
	}
	if err := x.Commit(context.Background()); db.ErrorCode(err) != db.CodeTransactionConflict {
		t.Errorf("commit: %v, want DATABASE_TRANSACTION_CONFLICT", err)
	}
	wantStored(t, s, "acc", "a", `{"_id":"a","balance":1}`)
}

// Reads are one snapshot: once a document a transaction read has changed,
// its next read of the database is a conflict, so it never sees a mix of
// before and after.
func TestTxnSnapshotReads(t *testing.T) {
	s := txnService(t, map[string][]string{"acc": {`{"_id":"a","balance":10}`, `{"_id":"b","balance":10}`}})
	x := s.Begin()
	mustDo(t, x, `{"op":"getDoc","coll":"acc","id":"a"}`, `{"data":{"_id":"a","balance":10}}`)
	mustDo(t, x, `{"op":"getDoc","coll":"acc","id":"a"}`, `{"data":{"_id":"a","balance":10}}`)
	if _, err := s.Update(adminCtx, "acc", doc(t, `{"filter":{},"update":{"$inc":{"balance":-5}},"multi":true}`)); err != nil {
		t.Fatal(err)
	}
	mustDo(t, x, `{"op":"getDoc","coll":"acc","id":"a"}`, `{"data":{"_id":"a","balance":10}}`) // read before: as it was
	if _, err := txnDo(t, x, `{"op":"getDoc","coll":"acc","id":"b"}`); db.ErrorCode(err) != db.CodeTransactionConflict {
		t.Errorf("a read after a read document changed: %v, want DATABASE_TRANSACTION_CONFLICT", err)
	}
}

// A rolled back transaction, or one never committed, leaves nothing.
func TestTxnRollback(t *testing.T) {
	s := txnService(t, map[string][]string{"acc": {`{"_id":"a","balance":10}`}})
	x := s.Begin()
	mustDo(t, x, `{"op":"updateDoc","coll":"acc","id":"a","update":{"$inc":{"balance":-10}}}`, `{"stats":{"updated":1}}`)
	mustDo(t, x, `{"op":"insert","coll":"acc","data":{"_id":"c","balance":10}}`, `{"_id":"c"}`)
	mustDo(t, x, `{"op":"insert","coll":"log","data":{"_id":"l1"}}`, `{"_id":"l1"}`)
	x.Rollback()
	if _, err := txnDo(t, x, `{"op":"getDoc","coll":"acc","id":"a"}`); db.ErrorCode(err) != db.CodeInvalidParam || !strings.Contains(err.Error(), "rolled back") {
		t.Errorf("an operation after rollback: %v, want an error saying it was rolled back", err)
	}
	if err := x.Commit(context.Background()); err == nil {
		t.Error("commit after rollback succeeded")
	}
	wantStored(t, s, "acc", "a", `{"_id":"a","balance":10}`)
	wantStored(t, s, "acc", "c", "")
	if cs, _ := s.Collections(adminCtx); len(cs) != 1 {
		t.Errorf("collections %v, want acc alone", cs)
	}
}

// One transaction writes to several collections, creating one, and reads
// its own writes: inserts, updates, removes, where-updates.
func TestTxnAcrossCollections(t *testing.T) {
	s := txnService(t, map[string][]string{
		"acc":   {`{"_id":"a","balance":10}`, `{"_id":"b","balance":0}`},
		"seats": {`{"_id":"s1","row":1,"free":true}`, `{"_id":"s2","row":1,"free":true}`, `{"_id":"s3","row":2,"free":true}`},
	})
	x := s.Begin()
	for _, c := range []struct{ op, want string }{
		{`{"op":"updateDoc","coll":"acc","id":"a","update":{"$inc":{"balance":-10}}}`, `{"stats":{"updated":1}}`},
		{`{"op":"getDoc","coll":"acc","id":"a"}`, `{"data":{"_id":"a","balance":0}}`},
		{`{"op":"insert","coll":"orders","data":{"_id":"o1","seats":2}}`, `{"_id":"o1"}`},
		{`{"op":"getDoc","coll":"orders","id":"o1"}`, `{"data":{"_id":"o1","seats":2}}`},
		{`{"op":"getDoc","coll":"orders","id":"o2"}`, `{"data":null}`},
		{`{"op":"update","coll":"seats","filter":{"row":1,"free":true},"update":{"$set":{"free":false,"order":"o1"}},"multi":true}`, `{"stats":{"matched":2,"updated":2}}`},
		{`{"op":"update","coll":"seats","filter":{"free":true},"update":{"$set":{"hold":true}},"multi":true}`, `{"stats":{"matched":1,"updated":1}}`},
		{`{"op":"getDoc","coll":"seats","id":"s2","projection":{"order":1}}`, `{"data":{"_id":"s2","order":"o1"}}`},
		{`{"op":"removeDoc","coll":"acc","id":"b"}`, `{"stats":{"removed":1}}`},
		{`{"op":"getDoc","coll":"acc","id":"b"}`, `{"data":null}`},
		{`{"op":"removeDoc","coll":"acc","id":"b"}`, `{"stats":{"removed":0}}`},
		{`{"op":"setDoc","coll":"acc","id":"b","data":{"balance":10}}`, `{"_id":"b","stats":{"created":1,"updated":0}}`},
		{`{"op":"updateDoc","coll":"acc","id":"zz","update":{"$set":{"x":1}}}`, `{"stats":{"updated":0}}`},
		{`{"op":"remove","coll":"seats","filter":{"hold":true},"multi":true}`, `{"stats":{"removed":1}}`},
		{`{"op":"insert","coll":"acc","data":{"_id":"a"}}`, ""},
	} {
		got, err := txnDo(t, x, c.op)
		if c.want == "" {
			if db.ErrorCode(err) != db.CodeDuplicateKey {
				t.Errorf("%s: %s %v, want DATABASE_DUPLICATE_KEY", c.op, got, err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s: got %s %v, want %s", c.op, got, err, c.want)
		}
	}
	wantStored(t, s, "orders", "o1", "") // nothing before the commit
	if err := x.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantStored(t, s, "acc", "a", `{"_id":"a","balance":0}`)
	wantStored(t, s, "acc", "b", `{"_id":"b","balance":10}`)
	wantStored(t, s, "orders", "o1", `{"_id":"o1","seats":2}`)
	wantStored(t, s, "seats", "s1", `{"_id":"s1","row":1,"free":false,"order":"o1"}`)
	wantStored(t, s, "seats", "s3", "")
}

// A where-update's matches are a read: a document that starts to match
// before the commit (a phantom) is a conflict.
func TestTxnWherePhantom(t *testing.T) {
	s := txnService(t, map[string][]string{"seats": {`{"_id":"s1","free":true}`, `{"_id":"s2","free":false}`}})
	x := s.Begin()
	mustDo(t, x, `{"op":"update","coll":"seats","filter":{"free":true},"update":{"$set":{"free":false}},"multi":true}`, `{"stats":{"matched":1,"updated":1}}`)
	if _, err := s.UpdateDoc(adminCtx, "seats", "s2", doc(t, `{"update":{"$set":{"free":true}}}`)); err != nil {
		t.Fatal(err)
	}
	if err := x.Commit(context.Background()); db.ErrorCode(err) != db.CodeTransactionConflict {
		t.Fatalf("commit after a document came to match: %v, want a conflict", err)
	}
	wantStored(t, s, "seats", "s1", `{"_id":"s1","free":true}`)
}

// Limits and bad operations: a clear error, and nothing changes.
func TestTxnLimits(t *testing.T) {
	var many []string
	for i := range db.MaxTxnDocs + 1 {
		many = append(many, fmt.Sprintf(`{"_id":"d%04d","n":1}`, i))
	}
	s := txnService(t, map[string][]string{"big": many, "acc": {`{"_id":"a","balance":1}`}})
	x := s.Begin()
	if _, err := txnDo(t, x, `{"op":"update","coll":"big","filter":{"n":1},"update":{"$set":{"n":2}},"multi":true}`); db.ErrorCode(err) != db.CodeInvalidParam || !strings.Contains(err.Error(), "1000") {
		t.Errorf("a where-update of %d documents: %v, want INVALID_PARAM naming the limit", db.MaxTxnDocs+1, err)
	}
	// One (non-multi) needs only one.
	mustDo(t, x, `{"op":"update","coll":"big","filter":{"n":1},"update":{"$set":{"n":2}}}`, `{"stats":{"matched":1,"updated":1}}`)
	mustDo(t, x, `{"op":"getDoc","coll":"big","id":"d0000"}`, `{"data":{"_id":"d0000","n":2}}`)
	mustDo(t, x, `{"op":"update","coll":"big","filter":{"n":1},"update":{"$set":{"n":3}}}`, `{"stats":{"matched":1,"updated":1}}`)
	mustDo(t, x, `{"op":"getDoc","coll":"big","id":"d0001"}`, `{"data":{"_id":"d0001","n":3}}`)

	for _, c := range []struct{ op, code, says string }{
		{`{"op":"drop","coll":"acc"}`, db.CodeInvalidParam, "unknown operation"},
		{`{"op":"getDoc","coll":"acc"}`, db.CodeInvalidParam, "id"},
		{`{"op":"insert","coll":"acc"}`, db.CodeInvalidParam, "data"},
		{`{"op":"insert","coll":"acc","id":"a","data":{}}`, db.CodeInvalidParam, "no id"},
		{`{"op":"updateDoc","coll":"acc","id":"a","update":{"$bad":{"x":1}}}`, db.CodeInvalidOperator, ""},
		{`{"op":"updateDoc","coll":"acc","id":"a","update":{"$set":{"x":1}},"extra":1}`, db.CodeInvalidParam, "extra"},
		{`{"op":"getDoc","coll":"no such","id":"a"}`, db.CodeInvalidParam, "collection name"},
		{`{"op":"getDoc","coll":"nosuch","id":"a"}`, db.CodeCollectionNotExist, ""},
		{`{"op":"remove","coll":"nosuch","filter":{}}`, db.CodeCollectionNotExist, ""},
		{`{"op":"getDoc","coll":"acc","id":"a","rev":5}`, db.CodeInvalidParam, "rev"},
		{`{"op":"getDoc","coll":"acc","id":true}`, db.CodeInvalidParam, "id"},
	} {
		_, err := txnDo(t, x, c.op)
		if db.ErrorCode(err) != c.code || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: %v, want %s saying %q", c.op, err, c.code, c.says)
		}
	}
	if err := x.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantStored(t, s, "big", "d0000", `{"_id":"d0000","n":2}`)
	wantStored(t, s, "big", "d0001", `{"_id":"d0001","n":3}`)
	wantStored(t, s, "big", "d0002", `{"_id":"d0002","n":1}`)

	x = s.Begin()
	for range db.MaxTxnOps {
		mustDo(t, x, `{"op":"updateDoc","coll":"acc","id":"a","update":{"$inc":{"balance":1}}}`, "")
	}
	if _, err := txnDo(t, x, `{"op":"getDoc","coll":"acc","id":"a"}`); db.ErrorCode(err) != db.CodeInvalidParam || !strings.Contains(err.Error(), "100") {
		t.Errorf("operation %d: %v, want INVALID_PARAM naming the limit", db.MaxTxnOps+1, err)
	}
	if err := x.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantStored(t, s, "acc", "a", fmt.Sprintf(`{"_id":"a","balance":%d}`, 1+db.MaxTxnOps))

	// What a transaction reads is bounded in bytes too.
	fat := strings.Repeat("x", 4<<20)
	for i := range db.MaxTxnBytes/len(fat) + 1 {
		if _, _, err := s.Insert(adminCtx, "fat", db.Doc{{Key: "data", Value: db.Doc{{Key: "_id", Value: fmt.Sprint(i)}, {Key: "s", Value: fat}}}}); err != nil {
			t.Fatal(err)
		}
	}
	x = s.Begin()
	var err error
	for i := 0; err == nil && i <= db.MaxTxnBytes/len(fat); i++ {
		_, err = txnDo(t, x, fmt.Sprintf(`{"op":"getDoc","coll":"fat","id":"%d"}`, i))
	}
	if db.ErrorCode(err) != db.CodeInvalidParam || !strings.Contains(fmt.Sprint(err), "32 MiB") {
		t.Errorf("reading %d MiB in a transaction: %v, want INVALID_PARAM naming the limit", db.MaxTxnBytes>>20+4, err)
	}
}

// A transaction's answers' JSON, byte for byte (README "Transactions"):
// getDoc's data may be null; a dry run's answers carry their rev.
func TestTxnAnswers(t *testing.T) {
	upd := db.UpdateDocAnswer{Result: db.WriteResult{Matched: 1, Updated: 1}}
	for _, c := range []struct {
		name string
		a    db.Answer
		want string
	}{
		{"a document", db.TxnDocAnswer{Doc: []byte(`{"_id":"a"}`)}, `{"data":{"_id":"a"}}`},
		{"no document", db.TxnDocAnswer{}, `{"data":null}`},
		{"results", db.TxnAnswer{Results: []db.Answer{db.TxnDocAnswer{}, upd}}, `{"results":[{"data":null},{"stats":{"updated":1}}]}`},
		{"results with revs", db.TxnAnswer{Results: []db.Answer{db.TxnDocAnswer{}, upd}, Revs: true},
			`{"results":[{"data":null,"rev":"` + db.Rev(db.TxnDocAnswer{}) + `"},{"stats":{"updated":1},"rev":"` + db.Rev(upd) + `"}]}`},
		{"no results", db.TxnAnswer{}, `{"results":[]}`},
	} {
		if got := string(c.a.AppendJSON([]byte("prefix:"))); got != "prefix:"+c.want {
			t.Errorf("%s: %s, want prefix:%s", c.name, got, c.want)
		}
	}
	if a, b := db.Rev(db.TxnDocAnswer{}), db.Rev(db.TxnDocAnswer{Doc: []byte(`{}`)}); len(a) != 16 || a == b {
		t.Errorf("revs %q and %q: want 16 characters, different for different answers", a, b)
	}
}

// A document a transaction read changed, but not what its operations
// answered: the operations run again on the new state and the transaction
// commits, without running its code again. They run again as their caller
// (an admin here), whoever commits (no one: context.Background()).
func TestTxnReplay(t *testing.T) {
	s := txnService(t, map[string][]string{
		"acc":   {`{"_id":"a","balance":100}`, `{"_id":"b","balance":0}`},
		"seats": {`{"_id":"s1","free":true}`, `{"_id":"s2","free":true}`, `{"_id":"s3","free":false}`},
	})
	outside := func(coll, id, update string) {
		t.Helper()
		if _, err := s.UpdateDoc(adminCtx, coll, id, doc(t, `{"update":`+update+`}`)); err != nil {
			t.Fatal(err)
		}
	}

	// Increments over others' increments: between the operations, and
	// before the commit.
	x := s.Begin()
	mustDo(t, x, `{"op":"updateDoc","coll":"acc","id":"a","update":{"$inc":{"balance":-10}}}`, `{"stats":{"updated":1}}`)
	outside("acc", "a", `{"$inc":{"balance":5}}`)
	mustDo(t, x, `{"op":"updateDoc","coll":"acc","id":"b","update":{"$inc":{"balance":10}}}`, `{"stats":{"updated":1}}`)
	mustDo(t, x, `{"op":"getDoc","coll":"acc","id":"a"}`, `{"data":{"_id":"a","balance":95}}`)
	outside("acc", "b", `{"$inc":{"balance":1}}`)
	if err := x.Commit(context.Background()); err != nil {
		t.Fatalf("commit of increments over others' increments: %v", err)
	}
	wantStored(t, s, "acc", "a", `{"_id":"a","balance":95}`)
	wantStored(t, s, "acc", "b", `{"_id":"b","balance":11}`)

	// But once the transaction has shown a document, a change to it is a
	// conflict (the getDoc above answered 95).
	x = s.Begin()
	mustDo(t, x, `{"op":"getDoc","coll":"acc","id":"a"}`, `{"data":{"_id":"a","balance":95}}`)
	mustDo(t, x, `{"op":"updateDoc","coll":"acc","id":"a","update":{"$inc":{"balance":-95}}}`, `{"stats":{"updated":1}}`)
	outside("acc", "a", `{"$inc":{"balance":1}}`)
	if err := x.Commit(context.Background()); db.ErrorCode(err) != db.CodeTransactionConflict {
		t.Fatalf("commit after a document read changed: %v, want DATABASE_TRANSACTION_CONFLICT", err)
	}
	wantStored(t, s, "acc", "a", `{"_id":"a","balance":96}`)

	// An insert keeps the _id it answered when it runs again.
	x = s.Begin()
	got, err := txnDo(t, x, `{"op":"insert","coll":"log","data":[{"n":1},{"_id":"l2","n":2}]}`)
	if err != nil {
		t.Fatal(err)
	}
	var ids struct {
		IDs []string `json:"_ids"`
	}
	if err := json.Unmarshal([]byte(got), &ids); err != nil || len(ids.IDs) != 2 || ids.IDs[1] != "l2" {
		t.Fatalf("insert answered %s (%v)", got, err)
	}
	mustDo(t, x, `{"op":"updateDoc","coll":"acc","id":"a","update":{"$inc":{"balance":-1}}}`, `{"stats":{"updated":1}}`)
	outside("acc", "a", `{"$inc":{"balance":1}}`)
	if err := x.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantStored(t, s, "log", ids.IDs[0], `{"_id":"`+ids.IDs[0]+`","n":1}`)
	wantStored(t, s, "log", "l2", `{"_id":"l2","n":2}`)
	wantStored(t, s, "acc", "a", `{"_id":"a","balance":96}`)

	// A where-update whose counts hold commits over a change to what it
	// matched; one whose counts change conflicts.
	x = s.Begin()
	mustDo(t, x, `{"op":"update","coll":"seats","filter":{"free":true},"update":{"$set":{"free":false,"order":"o1"}},"multi":true}`, `{"stats":{"matched":2,"updated":2}}`)
	outside("seats", "s1", `{"$set":{"row":1}}`)
	if err := x.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantStored(t, s, "seats", "s1", `{"_id":"s1","free":false,"row":1,"order":"o1"}`)
	x = s.Begin()
	mustDo(t, x, `{"op":"update","coll":"seats","filter":{"free":false},"update":{"$set":{"free":true}},"multi":true}`, `{"stats":{"matched":3,"updated":3}}`)
	outside("seats", "s3", `{"$set":{"free":true}}`)
	if err := x.Commit(context.Background()); db.ErrorCode(err) != db.CodeTransactionConflict {
		t.Fatalf("commit after a where-update's count changed: %v, want DATABASE_TRANSACTION_CONFLICT", err)
	}

	// An operation that failed fails again, or the transaction conflicts:
	// here the duplicate it met is gone.
	x = s.Begin()
	if _, err := txnDo(t, x, `{"op":"insert","coll":"acc","data":{"_id":"b"}}`); db.ErrorCode(err) != db.CodeDuplicateKey {
		t.Fatalf("insert of a taken _id: %v, want DATABASE_DUPLICATE_KEY", err)
	}
	if _, err := s.DeleteDoc(adminCtx, "acc", "b"); err != nil {
		t.Fatal(err)
	}
	if _, err := txnDo(t, x, `{"op":"updateDoc","coll":"acc","id":"a","update":{"$inc":{"balance":1}}}`); db.ErrorCode(err) != db.CodeTransactionConflict {
		t.Fatalf("an operation after the failed one's outcome changed: %v, want DATABASE_TRANSACTION_CONFLICT", err)
	}
	wantStored(t, s, "acc", "a", `{"_id":"a","balance":96}`)
}

// Two goroutines transfer with increments between the same accounts, a
// transfer's updates blind to the balances: none conflicts, and every one
// is applied once.
func TestTxnConcurrentIncrements(t *testing.T) {
	s := txnService(t, map[string][]string{"acc": {`{"_id":"a","balance":1000}`, `{"_id":"b","balance":1000}`}})
	const each = 250
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for w, dir := range [][2]string{{"a", "b"}, {"b", "a"}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				x := s.Begin()
				for _, c := range []struct {
					id string
					n  int
				}{{dir[0], -(1 + w)}, {dir[1], 1 + w}} {
					if _, err := txnDo(t, x, fmt.Sprintf(`{"op":"updateDoc","coll":"acc","id":%q,"update":{"$inc":{"balance":%d}}}`, c.id, c.n)); err != nil {
						errs[w] = fmt.Errorf("transfer %d: %w", i, err)
						return
					}
				}
				if err := x.Commit(context.Background()); err != nil {
					errs[w] = fmt.Errorf("transfer %d: %w", i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	wantStored(t, s, "acc", "a", fmt.Sprintf(`{"_id":"a","balance":%d}`, 1000-each+2*each))
	wantStored(t, s, "acc", "b", fmt.Sprintf(`{"_id":"b","balance":%d}`, 1000+each-2*each))
}
