package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"minibase/db"
)

func openTest(t testing.TB) *DB {
	t.Helper()
	d, err := Open(context.Background(), filepath.Join(t.TempDir(), "test.db"), Options{Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func mustJSON(t testing.TB, s string) any {
	t.Helper()
	v, err := db.DecodeJSON([]byte(s), db.MaxDepth)
	if err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	return v
}

func mustFilter(t testing.TB, s string) *db.Filter {
	t.Helper()
	f, err := db.ParseFilter(mustJSON(t, s))
	if err != nil {
		t.Fatalf("filter %s: %v", s, err)
	}
	return f
}

var lorem = strings.Repeat("Lorem ipsum dolor sit amet, consectetur adipiscing elit. ", 9)

// seedPosts writes docs shaped like the benchmark's posts (~640 bytes).
func seedPosts(t testing.TB, d *DB, n int) {
	t.Helper()
	docs := make([]db.Doc, n)
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range docs {
		docs[i] = db.Doc{
			{Key: "_id", Value: fmt.Sprintf("%032d", i)},
			{Key: "title", Value: fmt.Sprintf("post %d", i)},
			{Key: "description", Value: lorem},
			{Key: "author", Value: fmt.Sprintf("u%d", i%100)},
			{Key: "score", Value: int64(i % 1000)},
			{Key: "created", Value: base.Add(time.Duration(i) * time.Second)},
			{Key: "type", Value: []any{"a", "b"}},
		}
	}
	if _, err := d.Write(context.Background(), "posts", &db.WriteOp{Kind: db.WriteInsert, Docs: docs}); err != nil {
		t.Fatal(err)
	}
}

// TestIndexesAreUsed: every documented query shape on an indexed field
// runs as an index search, never a table scan, and sorts come from the index
// (no temporary B-tree). This keeps the translator and CREATE INDEX spelling
// paths identically: SQLite uses an index on an expression only for a query
// that spells the same expression (https://sqlite.org/expridx.html).
func TestIndexesAreUsed(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	seedPosts(t, d, 200)
	for _, idx := range []string{`{"author":1}`, `{"score":1}`, `{"created":-1}`, `{"title":1}`, `{"author":1,"created":-1}`} {
		var keys []db.IndexKey
		for _, f := range mustJSON(t, idx).(db.Doc) {
			keys = append(keys, db.IndexKey{Path: f.Key, Desc: f.Value.(int64) == -1})
		}
		if err := d.CreateIndex(ctx, "posts", db.Index{Keys: keys}); err != nil {
			t.Fatal(err)
		}
	}
	c := d.lookup("posts")
	sh, _ := c.shape.load()
	cases := []struct {
		name, filter, sort string
	}{
		{"string equality", `{"author":"u1"}`, ``},
		{"number equality", `{"score":5}`, ``},
		{"range", `{"score":{"$gt":5}}`, ``},
		{"two-sided range", `{"score":{"$gte":5,"$lt":50}}`, ``},
		{"lt", `{"score":{"$lt":5}}`, ``},
		{"in", `{"author":{"$in":["u1","u2"]}}`, ``},
		{"date range", `{"created":{"$gte":{"$date":"2026-01-01T00:01:00Z"}}}`, ``},
		{"date equality", `{"created":{"$date":"2026-01-01T00:01:00Z"}}`, ``},
		{"prefix regex", `{"title":{"$regex":"^post 1"}}`, ``},
		{"newest first", `{}`, `[["created",-1]]`},
		{"oldest first", `{}`, `[["created",1]]`},
		{"equality + sort", `{"author":"u3"}`, `[["created",-1]]`},
		{"sort by number", `{}`, `[["score",1]]`},
		{"_id equality", `{"_id":"00000000000000000000000000000001"}`, ``},
		{"_id in", `{"_id":{"$in":["a","b"]}}`, ``},
		{"_id range", `{"_id":{"$gt":"a"}}`, `[["_id",1]]`},
		{"equality and unindexed", `{"author":"u3","title":"x"}`, ``},
	}
	for _, tc := range cases {
		q := &db.Query{Filter: mustFilter(t, tc.filter), Limit: 20}
		if tc.sort != "" {
			keys, err := db.ParseSort(mustJSON(t, tc.sort))
			if err != nil {
				t.Fatal(err)
			}
			q.Sort = keys
		}
		q.Sort = tieBreak(q.Sort)
		p := planFind(c, sh, q)
		plan := explain(t, d, p)
		if strings.Contains(plan, "SCAN "+strings.Trim(c.table, `"`)) && !strings.Contains(plan, "USING") {
			t.Errorf("%s: table scan: %s\n  sql: %s", tc.name, plan, p.sql)
		}
		if !strings.Contains(plan, "USING INDEX") && !strings.Contains(plan, "USING COVERING INDEX") && !strings.Contains(plan, "PRIMARY KEY") && !strings.Contains(plan, "sqlite_autoindex") {
			t.Errorf("%s: no index used: %s\n  sql: %s", tc.name, plan, p.sql)
		}
		if tc.sort != "" && strings.Contains(plan, "TEMP B-TREE") {
			t.Errorf("%s: sort not from the index: %s\n  sql: %s", tc.name, plan, p.sql)
		}
		if !p.exact && tc.name != "prefix regex" {
			t.Errorf("%s: translation not exact; the Go matcher would run: %s", tc.name, p.sql)
		}
	}
}

func explain(t *testing.T, d *DB, p plan) string {
	t.Helper()
	rows, err := d.r.Query("EXPLAIN QUERY PLAN "+p.sql, p.args...)
	if err != nil {
		t.Fatalf("explain %s: %v", p.sql, err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, detail)
	}
	return strings.Join(lines, " | ")
}

// tieBreak mirrors db.Service: _id last, in the last key's direction.
func tieBreak(keys []db.SortKey) []db.SortKey {
	desc := false
	for _, k := range keys {
		if k.Path == "_id" {
			return keys
		}
		desc = k.Desc
	}
	return append(keys, db.SortKey{Path: "_id", Desc: desc})
}

// TestNoArrayStaysExact: a client's query narrowed to the documents without
// an array on some paths (db.WithoutArrays, under a custom rule) stays one
// exact SQL query on its index: the narrowing costs nothing where the
// collection never held an array, and one json_type test where it did.
func TestNoArrayStaysExact(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	seedPosts(t, d, 200) // type is always an array
	if err := d.CreateIndex(ctx, "posts", db.Index{Keys: []db.IndexKey{{Path: "author"}}}); err != nil {
		t.Fatal(err)
	}
	c := d.lookup("posts")
	sh, _ := c.shape.load()
	for _, paths := range [][]string{{"author"}, {"author", "title"}, {"type"}} {
		q := &db.Query{Filter: db.WithoutArrays(mustFilter(t, `{"author":"u1"}`), paths), Limit: 20}
		p := planFind(c, sh, q)
		if !p.exact {
			t.Errorf("without arrays at %v: translation not exact: %s", paths, p.sql)
		}
		if plan := explain(t, d, p); !strings.Contains(plan, "USING INDEX") {
			t.Errorf("without arrays at %v: no index used: %s\n  sql: %s", paths, plan, p.sql)
		}
		if tested := strings.Contains(p.sql, "json_type"); tested != (paths[0] == "type") {
			t.Errorf("without arrays at %v: sql %s", paths, p.sql)
		}
		got, err := d.Find(ctx, "posts", q)
		if want := map[string]int{"author": 2, "type": 0}[paths[0]]; err != nil || len(got) != want {
			t.Errorf("without arrays at %v: %d documents, %v; want %d", paths, len(got), err, want)
		}
	}
}
