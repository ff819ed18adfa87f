//go:build !minibase_fuzz

package db_test

import (
	"context"
	"testing"

	"minibase/db"
)

// BenchmarkTxnTransfer: a transfer of 1 between two accounts, without
// HTTP: two $inc updates by id in a transaction (Begin, Do, Do, Commit),
// as one batch (Service.Transaction), and as two plain updates, for
// comparison.
//
//	go test ./db -run '^$' -bench TxnTransfer -benchmem
func BenchmarkTxnTransfer(b *testing.B) {
	s := txnService(b, nil)
	if _, _, err := s.Insert(adminCtx, "acc", doc(b, `{"data":[{"_id":"a","balance":0},{"_id":"b","balance":0}]}`)); err != nil {
		b.Fatal(err)
	}
	from := doc(b, `{"op":"updateDoc","coll":"acc","id":"a","update":{"$inc":{"balance":-1}}}`)
	to := doc(b, `{"op":"updateDoc","coll":"acc","id":"b","update":{"$inc":{"balance":1}}}`)
	b.Run("txn", func(b *testing.B) {
		for b.Loop() {
			x := s.Begin()
			if _, err := x.Do(adminCtx, from); err != nil {
				b.Fatal(err)
			}
			if _, err := x.Do(adminCtx, to); err != nil {
				b.Fatal(err)
			}
			if err := x.Commit(context.Background()); err != nil {
				b.Fatal(err)
			}
		}
	})
	batch := db.Doc{{Key: "ops", Value: []any{from, to}}}
	b.Run("batch", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.Transaction(adminCtx, batch); err != nil {
				b.Fatal(err)
			}
		}
	})
	inc := func(n string) db.Doc { return doc(b, `{"update":{"$inc":{"balance":`+n+`}}}`) }
	b.Run("plain", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.UpdateDoc(adminCtx, "acc", "a", inc("1")); err != nil {
				b.Fatal(err)
			}
			if _, err := s.UpdateDoc(adminCtx, "acc", "b", inc("1")); err != nil {
				b.Fatal(err)
			}
		}
	})
}
