package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"minibase/db"
	"minibase/db/postgres/pgtest"
)

func mustFilter(t testing.TB, s string) *db.Filter {
	t.Helper()
	v, err := db.DecodeJSON([]byte(s), db.MaxDepth)
	if err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	f, err := db.ParseFilter(v)
	if err != nil {
		t.Fatalf("filter %s: %v", s, err)
	}
	return f
}

func mustDoc(t testing.TB, s string) db.Doc {
	t.Helper()
	v, err := db.DecodeJSON([]byte(s), db.MaxDepth)
	if err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	return v.(db.Doc)
}

// explain returns PostgreSQL's plan (EXPLAIN, JSON format) of the query
// Find runs for filter on coll.
func explain(t *testing.T, d *DB, coll, filter string) string {
	t.Helper()
	ctx := context.Background()
	c, err := mustLookup(ctx, d.pool, coll)
	if err != nil {
		t.Fatal(err)
	}
	sql, args, _ := candidates(c, mustFilter(t, filter))
	var plan []byte
	if err := d.pool.QueryRow(ctx, "EXPLAIN (FORMAT JSON) "+sql, args...).Scan(&plan); err != nil {
		t.Fatalf("EXPLAIN %s: %v", sql, err)
	}
	return string(plan)
}

// findIDs runs filter on coll and returns the _ids found, in _id order.
func findIDs(t *testing.T, d *DB, coll, filter string) []string {
	t.Helper()
	raws, err := d.Find(context.Background(), coll, &db.Query{Filter: mustFilter(t, filter), Sort: []db.SortKey{{Path: "_id"}}, Limit: 1000})
	if err != nil {
		t.Fatalf("Find(%s): %v", filter, err)
	}
	var ids []string
	for _, raw := range raws {
		doc, err := decodeDoc(raw)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, doc.ID())
	}
	return ids
}

// TestIndexesAreUsed: a query on an indexed field reads the expression
// index CreateIndex made (EXPLAIN shows it, no sequential scan of the
// table), as long as no document holds an array there; from the first
// array on, the index no longer narrows (multikey) and the query still
// finds every match, the array's too.
func TestIndexesAreUsed(t *testing.T) {
	d := open(t)
	ctx := context.Background()
	docs := make([]db.Doc, 5000)
	for i := range docs {
		docs[i] = db.Doc{
			{Key: "_id", Value: fmt.Sprintf("%06d", i)},
			{Key: "author", Value: fmt.Sprintf("u%d", i%500)},
			{Key: "score", Value: int64(i)},
			{Key: "meta", Value: db.Doc{{Key: "lang", Value: fmt.Sprintf("l%d", i%1000)}}},
		}
	}
	if _, err := d.Write(ctx, "posts", &db.WriteOp{Kind: db.WriteInsert, Docs: docs}); err != nil {
		t.Fatal(err)
	}
	for _, keys := range [][]db.IndexKey{{{Path: "author"}}, {{Path: "score", Desc: true}}, {{Path: "meta.lang"}}} {
		if err := d.CreateIndex(ctx, "posts", db.Index{Keys: keys}); err != nil {
			t.Fatal(err)
		}
	}
	c, err := mustLookup(ctx, d.pool, "posts")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.pool.Exec(ctx, "ANALYZE "+c.table); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		filter string
		index  string // the catalog index the plan reads
		want   int    // matches
	}{
		{`{"author": "u7"}`, "author_1", 10},
		{`{"author": {"$in": ["u7", "u8"]}}`, "author_1", 20},
		{`{"score": {"$gte": 4990}}`, "score_-1", 10},
		{`{"score": {"$gt": 10, "$lt": 15}}`, "score_-1", 4},
		{`{"meta.lang": "l3"}`, "meta.lang_1", 5},
		{`{"author": "u7", "title": {"$exists": false}}`, "author_1", 10},
	}
	pgName := map[string]string{}
	for _, x := range c.indexes {
		pgName[x.Name] = pgIndexName(c, x.id)
	}
	for _, tc := range cases {
		plan := explain(t, d, "posts", tc.filter)
		if pgName[tc.index] == "" {
			t.Fatalf("no index %s: %v", tc.index, pgName)
		}
		if !strings.Contains(plan, `"Index Name": "`+pgName[tc.index]+`"`) || strings.Contains(plan, "Seq Scan") {
			t.Errorf("%s: the plan does not read index %s (%s):\n%s", tc.filter, tc.index, pgName[tc.index], plan)
		}
		if got := findIDs(t, d, "posts", tc.filter); len(got) != tc.want {
			t.Errorf("%s: %d documents, want %d", tc.filter, len(got), tc.want)
		}
	}

	// A document with an array under author: the index is multikey from
	// its write on, and {author: "u7"} matches the array's element too.
	op := &db.WriteOp{Kind: db.WriteInsert, Docs: []db.Doc{mustDoc(t, `{"_id": "zz", "author": ["u7", "x"]}`)}}
	if _, err := d.Write(ctx, "posts", op); err != nil {
		t.Fatal(err)
	}
	if got := findIDs(t, d, "posts", `{"author": "u7"}`); len(got) != 11 || got[10] != "zz" {
		t.Errorf(`{"author": "u7"} after an array was written there: got %d documents (last %v), want 11 ending with zz`, len(got), got[len(got)-1:])
	}
	if plan := explain(t, d, "posts", `{"author": "u7"}`); strings.Contains(plan, pgName["author_1"]) {
		t.Errorf("a multikey index still narrows the query:\n%s", plan)
	}
	// The other indexes still narrow.
	if plan := explain(t, d, "posts", `{"meta.lang": "l3"}`); !strings.Contains(plan, pgName["meta.lang_1"]) {
		t.Errorf("an index without arrays stopped narrowing:\n%s", plan)
	}
}

// TestArrayBeforeIndex: an index created over documents that already hold
// arrays at (or above) its path starts multikey: nothing is lost.
func TestArrayBeforeIndex(t *testing.T) {
	d := open(t)
	ctx := context.Background()
	docs := []db.Doc{
		mustDoc(t, `{"_id": "1", "a": {"b": 1}}`),
		mustDoc(t, `{"_id": "2", "a": [{"b": 1}, {"b": 2}]}`),
		mustDoc(t, `{"_id": "3", "a": {"b": [0, 1]}}`),
		mustDoc(t, `{"_id": "4", "a": {"b": 2}}`),
	}
	if _, err := d.Write(ctx, "c", &db.WriteOp{Kind: db.WriteInsert, Docs: docs}); err != nil {
		t.Fatal(err)
	}
	if err := d.CreateIndex(ctx, "c", db.Index{Keys: []db.IndexKey{{Path: "a.b"}}}); err != nil {
		t.Fatal(err)
	}
	for filter, want := range map[string][]string{
		`{"a.b": 1}`:                  {"1", "2", "3"},
		`{"a.b": {"$gte": 2}}`:        {"2", "4"},
		`{"a.b": {"$in": [0, 2]}}`:    {"2", "3", "4"},
		`{"a.b": {"$lt": 1}}`:         {"3"},
		`{"$or": [{"a.b": 0}, {}]}`:   {"1", "2", "3", "4"},
		`{"a.b": {"$exists": false}}`: nil,
	} {
		if got := findIDs(t, d, "c", filter); !slices.Equal(got, want) {
			t.Errorf("%s: got %v, want %v", filter, got, want)
		}
	}
}

// TestNULCharacter: jsonb cannot hold U+0000, so the doc column holds
// U+FFFD in its place: the document still comes back exactly as written,
// queries on the string find it, and the look-alike with U+FFFD is not
// taken for it.
func TestNULCharacter(t *testing.T) {
	d := open(t)
	ctx := context.Background()
	if err := d.CreateCollection(ctx, "c"); err != nil {
		t.Fatal(err)
	}
	if err := d.CreateIndex(ctx, "c", db.Index{Keys: []db.IndexKey{{Path: "s"}}}); err != nil {
		t.Fatal(err)
	}
	docs := []db.Doc{
		{{Key: "_id", Value: "nul"}, {Key: "s", Value: "a\x00b"}, {Key: "t", Value: `back\u0000slash`}},
		{{Key: "_id", Value: "fffd"}, {Key: "s", Value: "a\uFFFDb"}},
	}
	if _, err := d.Write(ctx, "c", &db.WriteOp{Kind: db.WriteInsert, Docs: docs}); err != nil {
		t.Fatal(err)
	}
	raws, err := d.Find(ctx, "c", &db.Query{Filter: mustFilter(t, `{"_id": "nul"}`), Limit: 1})
	if err != nil || len(raws) != 1 {
		t.Fatalf("Find: %v, %d documents", err, len(raws))
	}
	if got, want := string(raws[0]), string(db.MarshalJSON(docs[0])); got != want {
		t.Errorf("round trip: got %s, want %s", got, want)
	}
	for filter, want := range map[string][]string{
		`{"s": "a\u0000b"}`:                 {"nul"},
		`{"s": "a\ufffdb"}`:                 {"fffd"},
		`{"s": {"$in": ["a\u0000b", "x"]}}`: {"nul"},
		`{"t": "back\\u0000slash"}`:         {"nul"},
	} {
		if got := findIDs(t, d, "c", filter); !slices.Equal(got, want) {
			t.Errorf("%s: got %v, want %v", filter, got, want)
		}
	}
}

// TestTwoNodes: two drivers on one database, as two minibase nodes: a
// write through one wakes the other's Changed (NOTIFY) and is in its feed;
// concurrent transactions through both lose no update (the write lock).
func TestTwoNodes(t *testing.T) {
	url := pgtest.Database(t)
	ctx := context.Background()
	nodes := make([]*DB, 2)
	for i := range nodes {
		d, err := Open(ctx, url, Options{MaxConns: 4})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		nodes[i] = d
	}
	a, b := nodes[0], nodes[1]
	if err := b.Subscribe(ctx, "trigger", []string{"orders"}); err != nil {
		t.Fatal(err)
	}
	wake := b.Changed()
	if _, err := a.Write(ctx, "orders", &db.WriteOp{Kind: db.WriteInsert, Docs: []db.Doc{mustDoc(t, `{"_id": "o1", "n": 0}`)}}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-wake:
	case <-time.After(30 * time.Second):
		t.Fatal("a write through node A did not wake node B's Changed within 30s")
	}
	changes, err := b.Changes(ctx, "trigger", 0, 10)
	if err != nil || len(changes) != 1 || changes[0].ID != "o1" || changes[0].Op != db.ChangeInsert {
		t.Fatalf("node B's feed after node A's insert: %v, %+v", err, changes)
	}

	// 2 nodes x 4 goroutines x 10 read-modify-write transactions.
	var wg sync.WaitGroup
	errs := make(chan error, 80)
	for _, d := range nodes {
		for range 4 {
			wg.Go(func() {
				for range 10 {
					errs <- d.Update(ctx, func(r db.Reader) ([]db.Put, error) {
						raw, err := r.Doc(ctx, "orders", "o1")
						if err != nil {
							return nil, err
						}
						doc, err := decodeDoc(raw)
						if err != nil {
							return nil, err
						}
						n, _ := doc.Get("n")
						doc.Set("n", n.(int64)+1)
						return []db.Put{{Coll: "orders", ID: "o1", Doc: doc}}, nil
					})
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	raws, err := b.Find(ctx, "orders", &db.Query{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	var got struct{ N int }
	json.Unmarshal(raws[0], &got)
	if got.N != 80 {
		t.Errorf("after 80 increments through two nodes: n = %d", got.N)
	}
	// Every increment is in the feed, in commit order: n goes 1..80.
	changes, err = b.Changes(ctx, "trigger", changes[0].Seq, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range changes {
		if n, _ := c.Doc.Get("n"); n != int64(i+1) {
			t.Fatalf("change %d (seq %d) has n = %v, want %d: the feed is not in commit order", i, c.Seq, n, i+1)
		}
	}
	if len(changes) != 80 {
		t.Errorf("%d changes recorded, want 80", len(changes))
	}
}

// TestFailedWriteLeavesNothing: a write refused halfway (the third of
// four inserts takes a unique value) stores none of its documents, records
// no change and leaves no catalog entry behind for the collection it would
// have created.
func TestFailedWriteLeavesNothing(t *testing.T) {
	d := open(t)
	ctx := context.Background()
	if err := d.Subscribe(ctx, "c", []string{"fresh", "users"}); err != nil {
		t.Fatal(err)
	}
	docs := []db.Doc{mustDoc(t, `{"_id": "1"}`), mustDoc(t, `{"_id": "2"}`), mustDoc(t, `{"_id": "1"}`)}
	_, err := d.Write(ctx, "fresh", &db.WriteOp{Kind: db.WriteInsert, Docs: docs})
	if db.ErrorCode(err) != db.CodeDuplicateKey {
		t.Fatalf("insert of a duplicate _id: got %v, want %s", err, db.CodeDuplicateKey)
	}
	if _, err := d.Count(ctx, "fresh", nil); db.ErrorCode(err) != db.CodeCollectionNotExist {
		t.Errorf("the collection the failed insert would have created: Count gives %v, want %s", err, db.CodeCollectionNotExist)
	}
	big := db.Doc{{Key: "_id", Value: "big"}, {Key: "s", Value: strings.Repeat("x", db.MaxDocSize)}}
	_, err = d.Write(ctx, "users", &db.WriteOp{Kind: db.WriteInsert, Docs: []db.Doc{mustDoc(t, `{"_id": "ok"}`), big}})
	if db.ErrorCode(err) != db.CodeInvalidParam {
		t.Fatalf("insert of a document over the size limit: got %v, want %s", err, db.CodeInvalidParam)
	}
	if n, err := d.Count(ctx, "users", nil); db.ErrorCode(err) != db.CodeCollectionNotExist {
		t.Errorf("users after the refused insert: %d documents, %v", n, err)
	}
	if changes, err := d.Changes(ctx, "c", 0, 10); err != nil || len(changes) != 0 {
		t.Errorf("changes recorded by failed writes: %v %v", changes, err)
	}
	var tables int
	if err := d.pool.QueryRow(ctx, "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'c\\_%'").Scan(&tables); err != nil || tables != 0 {
		t.Errorf("collection tables left by failed writes: %d (%v)", tables, err)
	}
}

// FuzzJSONText: the doc column's text for any document reads as JSON, and
// as the document with U+0000 replaced by U+FFFD in its strings.
func FuzzJSONText(f *testing.F) {
	for _, s := range []string{`{"a":"x\u0000y"}`, `{"a":"\\u0000"}`, `{"\u0000":["\\\u0000",1]}`, `{"a":"\\\\u0000"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := db.DecodeJSON([]byte(s), db.MaxDepth)
		if err != nil {
			return
		}
		raw := db.MarshalJSON(v)
		j, ok := jsonText(raw)
		if !ok {
			j = raw
		}
		w, err := db.DecodeJSON(j, db.MaxDepth+1)
		if err != nil {
			t.Fatalf("jsonText(%s) = %s: not JSON: %v", raw, j, err)
		}
		if got, want := string(db.MarshalJSON(w)), string(db.MarshalJSON(replaceNUL(v))); got != want {
			t.Fatalf("jsonText(%s) = %s reads as %s, want %s", raw, j, got, want)
		}
	})
}

// replaceNUL returns v with U+0000 replaced by U+FFFD in every string and key.
func replaceNUL(v any) any {
	switch x := v.(type) {
	case string:
		return strings.ReplaceAll(x, "\x00", "\uFFFD")
	case db.Doc:
		out := make(db.Doc, len(x))
		for i, f := range x {
			out[i] = db.Field{Key: strings.ReplaceAll(f.Key, "\x00", "\uFFFD"), Value: replaceNUL(f.Value)}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = replaceNUL(e)
		}
		return out
	}
	return v
}

// TestScanStreams: Scan pages in the _id order itself (sorted), leaves
// other sorts to the caller with every match (unsorted), and a cursor
// closed early gives its connection back: with a pool of 2, ten scans
// closed after one document each leave the pool usable.
func TestScanStreams(t *testing.T) {
	d, err := Open(context.Background(), pgtest.Database(t), Options{MaxConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	ctx := context.Background()
	docs := make([]db.Doc, 50)
	for i := range docs {
		docs[i] = db.Doc{{Key: "_id", Value: fmt.Sprintf("%02d", i)}, {Key: "n", Value: int64(i % 5)}}
	}
	if _, err := d.Write(ctx, "c", &db.WriteOp{Kind: db.WriteInsert, Docs: docs}); err != nil {
		t.Fatal(err)
	}
	read := func(q *db.Query) ([]string, bool) {
		t.Helper()
		cur, sorted, err := d.Scan(ctx, "c", q)
		if err != nil {
			t.Fatal(err)
		}
		defer cur.Close()
		var ids []string
		for {
			raw, err := cur.Next()
			if err != nil {
				t.Fatal(err)
			}
			if raw == nil {
				return ids, sorted
			}
			doc, _ := decodeDoc(raw)
			ids = append(ids, doc.ID())
		}
	}
	cases := []struct {
		q      *db.Query
		want   []string
		sorted bool
	}{
		{&db.Query{Filter: mustFilter(t, `{"n": 3}`), Skip: 2, Limit: 3}, []string{"13", "18", "23"}, true},
		{&db.Query{Sort: []db.SortKey{{Path: "_id", Desc: true}}, Skip: 1, Limit: 2}, []string{"48", "47"}, true},
		{&db.Query{Filter: mustFilter(t, `{"_id": {"$gte": "45"}}`), Sort: []db.SortKey{{Path: "n", Desc: true}}, Limit: 2}, []string{"45", "46", "47", "48", "49"}, false},
	}
	for _, c := range cases {
		got, sorted := read(c.q)
		if !slices.Equal(got, c.want) || sorted != c.sorted {
			t.Errorf("Scan(%+v): got %v sorted=%v, want %v sorted=%v", c.q, got, sorted, c.want, c.sorted)
		}
	}
	for range 10 {
		cur, _, err := d.Scan(ctx, "c", &db.Query{})
		if err != nil {
			t.Fatal(err)
		}
		if raw, err := cur.Next(); raw == nil || err != nil {
			t.Fatalf("first document: %s %v", raw, err)
		}
		cur.Close()
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if n, err := d.Count(wctx, "c", nil); err != nil || n != 50 {
		t.Fatalf("Count after ten closed scans: %d, %v (a cursor kept its connection?)", n, err)
	}
}

// TestWritesWaitWithoutConnections: while a transaction holds the write
// lock, this node's other writes wait for it without holding connections,
// so reads still get one: with a pool of 2, one held transaction and five
// waiting writes, a Find answers.
func TestWritesWaitWithoutConnections(t *testing.T) {
	d, err := Open(context.Background(), pgtest.Database(t), Options{MaxConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	ctx := context.Background()
	if _, err := d.Write(ctx, "c", &db.WriteOp{Kind: db.WriteInsert, Docs: []db.Doc{mustDoc(t, `{"_id": "a"}`)}}); err != nil {
		t.Fatal(err)
	}
	inside, release := make(chan struct{}), make(chan struct{})
	held := make(chan error, 1)
	go func() {
		held <- d.Update(ctx, func(r db.Reader) ([]db.Put, error) {
			close(inside)
			<-release
			return nil, nil
		})
	}()
	<-inside
	var wg sync.WaitGroup
	for i := range 5 {
		wg.Go(func() {
			doc := db.Doc{{Key: "_id", Value: fmt.Sprint("w", i)}}
			if _, err := d.Write(ctx, "c", &db.WriteOp{Kind: db.WriteInsert, Docs: []db.Doc{doc}}); err != nil {
				t.Error(err)
			}
		})
	}
	// Give the writers the chance to take the pool's last connection, as
	// they would without the driver's queue: up to 2 s, ended early if one
	// did (then the Find below cannot answer and the test fails).
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline) && d.pool.Stat().AcquiredConns() < 2; {
		time.Sleep(10 * time.Millisecond)
	}
	fctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	raws, err := d.Find(fctx, "c", &db.Query{Limit: 10})
	close(release)
	if err != nil || len(raws) != 1 {
		t.Errorf("Find while writes wait: %d documents, %v", len(raws), err)
	}
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if n, err := d.Count(ctx, "c", nil); err != nil || n != 6 {
		t.Errorf("after the waiting writes: %d documents, %v", n, err)
	}
}

// TestPostgresRestart: while PostgreSQL is down, reads and writes fail
// with an error instead of hanging, and a failed write is not applied;
// once it is back, the same driver serves again without being reopened,
// with every acknowledged write, and its change feed wakes its waiters
// again for writes made through another node.
func TestPostgresRestart(t *testing.T) {
	url := pgtest.Database(t)
	ctx := context.Background()
	var nodes [2]*DB
	for i := range nodes {
		d, err := Open(ctx, url, Options{MaxConns: 4})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		nodes[i] = d
	}
	d, other := nodes[0], nodes[1]
	if err := d.Subscribe(ctx, "feed", []string{"c"}); err != nil {
		t.Fatal(err)
	}
	insert := func(d *DB, id string) error {
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		_, err := d.Write(wctx, "c", &db.WriteOp{Kind: db.WriteInsert, Docs: []db.Doc{{{Key: "_id", Value: id}}}})
		return err
	}
	if err := insert(d, "before"); err != nil {
		t.Fatal(err)
	}
	wake := d.Changed()
	pgtest.Restart(t, func() {
		if err := insert(d, "during"); err == nil {
			t.Error("a write while PostgreSQL is down reported success")
		}
		fctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if _, err := d.Find(fctx, "c", &db.Query{Limit: 10}); err == nil {
			t.Error("a read while PostgreSQL is down reported success")
		}
	})
	select {
	case <-wake:
	case <-time.After(30 * time.Second):
		t.Fatal("Changed's waiters were not woken after the listening connection was lost")
	}
	// Back: the pool replaces its dead connections; a request may fail
	// once on one, then succeed.
	var err error
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
		if err = insert(d, "after"); err == nil || db.ErrorCode(err) == db.CodeDuplicateKey {
			err = nil
			break
		}
	}
	if err != nil {
		t.Fatalf("writes did not recover after the restart: %v", err)
	}
	if got := findIDs(t, d, "c", `{}`); !slices.Equal(got, []string{"after", "before"}) {
		t.Errorf("after the restart: %v, want [after before] (the write that failed while down must not be there)", got)
	}
	// The listener is back: a write through the other node wakes d (or
	// its reconnection does, once; then it reads the feed and waits again).
	inserted := false
	for deadline := time.Now().Add(30 * time.Second); ; {
		w := d.Changed()
		changes, err := d.Changes(ctx, "feed", 0, 100)
		if err == nil && slices.ContainsFunc(changes, func(c db.Change) bool { return c.ID == "other" }) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a write through the other node after the restart did not reach this node's feed within 30s")
		}
		if !inserted {
			err := insert(other, "other")
			inserted = err == nil || db.ErrorCode(err) == db.CodeDuplicateKey
			if !inserted {
				continue // the other node's pool met a dead connection: again
			}
		}
		select {
		case <-w:
		case <-time.After(time.Until(deadline)):
			t.Fatal("a write through the other node after the restart did not wake this node within 30s")
		}
	}
}
