package dbtest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"

	"minibase/db"
)

// testSnapshot: ChangeLog.Snapshot reads a query's documents at one point
// of the feed, so a consumer that applies the changes after it misses
// nothing and applies nothing twice (realtime watch's initial documents).
func testSnapshot(t *testing.T, open func(t *testing.T) db.Driver) {
	t.Run("what Find returns, and the newest Seq", func(t *testing.T) {
		d := open(t)
		insert(t, d, "a", `{"_id": "1", "n": 3}`, `{"_id": "2", "n": 1}`, `{"_id": "3", "n": 2}`)
		q := &db.Query{Filter: parseFilter(t, `{"n": {"$gte": 2}}`), Sort: []db.SortKey{{Path: "n"}, {Path: "_id"}}, Limit: 10}
		docs, seq, err := d.Snapshot(t.Context(), "a", q)
		if err != nil {
			t.Fatal(err)
		}
		find, err := d.Find(t.Context(), "a", q)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := rawIDs(t, docs), rawIDs(t, find); !slices.Equal(got, want) || !slices.Equal(got, []string{"3", "1"}) {
			t.Errorf("Snapshot gave %v, Find %v; want [3 1]", got, want)
		}
		subscribe(t, d, "w", "a")
		insert(t, d, "a", `{"_id": "4", "n": 5}`)
		cs := changes(t, d, "w", 0)
		if len(cs) != 1 || cs[0].Seq <= seq {
			t.Fatalf("the change after the snapshot: %v, want one with a Seq above %d", seqs(cs), seq)
		}
		_, seq2, err := d.Snapshot(t.Context(), "a", q)
		if err != nil || seq2 != cs[0].Seq {
			t.Errorf("Snapshot after it: seq %d, %v; want %d", seq2, err, cs[0].Seq)
		}
	})
	t.Run("a missing collection", func(t *testing.T) {
		_, _, err := open(t).Snapshot(t.Context(), "nope", &db.Query{Limit: 1})
		wantCode(t, "Snapshot of a missing collection", err, db.CodeCollectionNotExist)
	})
	t.Run("consistent with concurrent writes", func(t *testing.T) {
		d := open(t)
		subscribe(t, d, "w", "a")
		insert(t, d, "a", `{"_id": "seed"}`)
		ctx, cancel := context.WithCancel(t.Context())
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { // inserts and removes while snapshots are read
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				doc := db.Doc{{Key: "_id", Value: fmt.Sprint(i)}}
				if _, err := d.Write(ctx, "a", &db.WriteOp{Kind: db.WriteInsert, Docs: []db.Doc{doc}, Now: writeTime}); err != nil && ctx.Err() == nil {
					t.Errorf("insert: %v", err)
					return
				}
				if i%3 == 0 {
					f, _ := db.ParseFilter(db.Doc{{Key: "_id", Value: fmt.Sprint(i / 2)}})
					if _, err := d.Write(ctx, "a", &db.WriteOp{Kind: db.WriteRemove, Filter: f, Now: writeTime}); err != nil && ctx.Err() == nil {
						t.Errorf("remove: %v", err)
						return
					}
				}
			}
		}()
		type snap struct {
			ids []string
			seq int64
		}
		var snaps []snap
		for range 30 {
			docs, seq, err := d.Snapshot(t.Context(), "a", &db.Query{Limit: 1 << 20})
			if err != nil {
				t.Fatal(err)
			}
			snaps = append(snaps, snap{rawIDs(t, docs), seq})
		}
		cancel()
		wg.Wait()
		// Replaying the feed up to each snapshot's seq gives its documents.
		all := changes(t, d, "w", 0)
		for len(all) > 0 {
			more := changes(t, d, "w", all[len(all)-1].Seq)
			if len(more) == 0 {
				break
			}
			all = append(all, more...)
		}
		for i, s := range snaps {
			have := map[string]bool{"seed": true}
			for _, c := range all {
				if c.Seq > s.seq || c.ID == "seed" {
					continue
				}
				have[c.ID] = c.Op != db.ChangeDelete
			}
			var want []string
			for id, ok := range have {
				if ok {
					want = append(want, id)
				}
			}
			got := sortedIDs(s.ids)
			if want = sortedIDs(want); !slices.Equal(got, want) {
				t.Fatalf("snapshot %d (seq %d): %d documents, the feed up to its seq says %d", i, s.seq, len(got), len(want))
			}
		}
	})
}

// rawIDs returns the _id of each extended JSON document.
func rawIDs(t *testing.T, docs [][]byte) []string {
	t.Helper()
	out := make([]string, len(docs))
	for i, raw := range docs {
		var d struct {
			ID string `json:"_id"`
		}
		if err := json.Unmarshal(raw, &d); err != nil {
			t.Fatal(err)
		}
		out[i] = d.ID
	}
	return out
}
