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
		p := planFind(c, sh, c.indexList(), q)
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
	ctx := context.Background()
	conn, err := d.r.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// A statement that reads checks the schema first; EXPLAIN does not, and
	// would show the plan for the schema this connection saw last, before
	// the test's indexes.
	if _, err := conn.ExecContext(ctx, "SELECT count(*) FROM sqlite_schema"); err != nil {
		t.Fatal(err)
	}
	rows, err := conn.QueryContext(ctx, "EXPLAIN QUERY PLAN "+p.sql, p.args...)
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
		p := planFind(c, sh, c.indexList(), q)
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

// TestGeoQueriesUseTheIndex: every geo condition on a path with a 2dsphere
// index reads its candidates from the index table's B-tree by key range and
// the documents by _id, never by a scan of the collection; $nearSphere's
// rings too.
func TestGeoQueriesUseTheIndex(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	docs := make([]db.Doc, 2000)
	for i := range docs {
		loc := db.Doc{{Key: "type", Value: "Point"}, {Key: "coordinates", Value: []any{113 + float64(i%50)/100, 23 + float64(i/50)/100}}}
		docs[i] = db.Doc{{Key: "_id", Value: fmt.Sprintf("s%04d", i)}, {Key: "kind", Value: fmt.Sprintf("k%d", i%7)}, {Key: "loc", Value: loc}}
	}
	if _, err := d.Write(ctx, "shops", &db.WriteOp{Kind: db.WriteInsert, Docs: docs}); err != nil {
		t.Fatal(err)
	}
	for _, idx := range []db.Index{{Keys: []db.IndexKey{{Path: "loc", Type: db.Geo2DSphere}}}, {Keys: []db.IndexKey{{Path: "kind"}}}} {
		if err := d.CreateIndex(ctx, "shops", idx); err != nil {
			t.Fatal(err)
		}
	}
	c := d.lookup("shops")
	sh, _ := c.shape.load()
	idx := c.indexList()
	table := strings.Trim(c.table, `"`)
	gx, _ := geoIndexFor(idx, "loc")
	geo := strings.Trim(gx.geoTable(), `"`)
	check := func(name string, p plan) {
		t.Helper()
		plan := explain(t, d, p)
		if !strings.Contains(plan, "SEARCH g USING PRIMARY KEY (cell>? AND cell<?)") {
			t.Errorf("%s: the index table %s is not searched by key range: %s\n  sql: %s", name, geo, plan, p.sql)
		}
		if strings.Contains(plan, "SCAN "+table) {
			t.Errorf("%s: scans the collection: %s\n  sql: %s", name, plan, p.sql)
		}
	}
	for name, filter := range map[string]string{
		"geoWithin polygon":         `{"loc": {"$geoWithin": {"$geometry": {"type": "Polygon", "coordinates": [[[113.1, 23.1], [113.2, 23.1], [113.2, 23.2], [113.1, 23.2], [113.1, 23.1]]]}}}}`,
		"geoWithin centerSphere":    `{"loc": {"$geoWithin": {"$centerSphere": [[113.2, 23.2], 0.0002]}}}`,
		"geoIntersects point":       `{"loc": {"$geoIntersects": {"$geometry": {"type": "Point", "coordinates": [113.2, 23.2]}}}}`,
		"nearSphere with a maximum": `{"loc": {"$nearSphere": {"$geometry": {"type": "Point", "coordinates": [113.2, 23.2]}, "$maxDistance": 500}}}`,
	} {
		check(name, planFind(c, sh, idx, &db.Query{Filter: mustFilter(t, filter), Limit: 20}))
	}
	q := &db.Query{Filter: mustFilter(t, `{"kind": "k3", "loc": {"$nearSphere": {"$geometry": {"type": "Point", "coordinates": [113.2, 23.2]}}}}`), Limit: 20}
	ranges, _, _ := q.Filter.Near().Scan(false).Next(0, 20)
	ring := planNear(c, sh, idx, q, q.Filter.Near())
	if !ring.locOnly {
		t.Errorf("a nearSphere ring reads whole documents where SQL decides the other conditions: %s", ring.sql)
	}
	check("a nearSphere ring", plan{sql: ring.sql, args: append(ring.args, rangesJSON(ranges))})
	got, err := d.Find(ctx, "shops", q)
	if err != nil || len(got) != 20 {
		t.Fatalf("Find near: %d documents, %v", len(got), err)
	}
}

// TestPlannerPicksTheSelectiveIndex: with an index on author and another
// on created, one author's newest 20 reads the author index and sorts
// when the author has few posts, and walks the created index when the
// author has many (two authors, or a prolific one among many), whatever
// SQLite would guess; a compound index (author, created) serves both,
// and then SQLite is left to use it. Every answer is the newest 20.
func TestPlannerPicksTheSelectiveIndex(t *testing.T) {
	const n = 4000
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	populations := map[string]func(i int) string{
		"1000 authors": func(i int) string { return fmt.Sprintf("u%d", i%1000) },
		"2 authors":    func(i int) string { return fmt.Sprintf("u%d", i%2) },
		"one prolific author among many": func(i int) string {
			if i%2 == 0 {
				return "star"
			}
			return fmt.Sprintf("u%d", i%1000)
		},
	}
	cases := []struct {
		population, author string
		compound           bool
		want               string // the index read: "author", "created" or "compound"
	}{
		{"1000 authors", "u3", false, "author"},
		{"2 authors", "u1", false, "created"},
		{"one prolific author among many", "star", false, "created"},
		{"one prolific author among many", "u3", false, "author"},
		{"2 authors", "u1", true, "compound"},
		{"1000 authors", "u3", true, "compound"},
	}
	for _, tc := range cases {
		name := fmt.Sprintf("%s, %s, compound %v", tc.population, tc.author, tc.compound)
		t.Run(name, func(t *testing.T) {
			d := openTest(t)
			ctx := context.Background()
			docs := make([]db.Doc, n)
			var want []string
			for i := range docs {
				a := populations[tc.population](i)
				docs[i] = db.Doc{{Key: "_id", Value: fmt.Sprintf("%08d", i)}, {Key: "author", Value: a}, {Key: "created", Value: base.Add(time.Duration(i) * time.Second)}}
				if a == tc.author {
					want = append([]string{fmt.Sprintf(`{"_id":"%08d"`, i)}, want...)
				}
			}
			if _, err := d.Write(ctx, "posts", &db.WriteOp{Kind: db.WriteInsert, Docs: docs}); err != nil {
				t.Fatal(err)
			}
			idxs := map[string]db.Index{
				"author":  {Keys: []db.IndexKey{{Path: "author"}}},
				"created": {Keys: []db.IndexKey{{Path: "created", Desc: true}}},
			}
			if tc.compound {
				idxs["compound"] = db.Index{Keys: []db.IndexKey{{Path: "author"}, {Path: "created", Desc: true}}}
			}
			names := map[string]string{} // SQLite index name → ours
			for _, key := range []string{"author", "created", "compound"} {
				idx, ok := idxs[key]
				if !ok {
					continue
				}
				if err := d.CreateIndex(ctx, "posts", idx); err != nil {
					t.Fatal(err)
				}
				names[fmt.Sprintf("i%d", len(names)+1)] = key
			}
			c := d.lookup("posts")
			sh, _ := c.shape.load()
			q := &db.Query{Filter: mustFilter(t, `{"author":"`+tc.author+`"}`), Sort: tieBreak([]db.SortKey{{Path: "created", Desc: true}}), Limit: 20}
			p, err := d.planQuery(ctx, c, sh, c.indexList(), q)
			if err != nil {
				t.Fatal(err)
			}
			plan := explain(t, d, p)
			used := ""
			for sqliteName, ours := range names {
				if strings.Contains(plan, "INDEX "+sqliteName+" ") || strings.HasSuffix(plan, "INDEX "+sqliteName) {
					used = ours
				}
			}
			if used != tc.want {
				t.Errorf("reads the %q index, want %q: %s\n  sql: %s", used, tc.want, plan, p.sql)
			}
			if sorts := strings.Contains(plan, "TEMP B-TREE"); sorts != (tc.want == "author") {
				t.Errorf("sorts with a temporary B-tree: %v, want %v: %s", sorts, tc.want == "author", plan)
			}
			got, err := d.Find(ctx, "posts", q)
			if err != nil {
				t.Fatal(err)
			}
			for i, raw := range got {
				if i >= len(want) || !strings.HasPrefix(string(raw), want[i]) {
					t.Fatalf("result %d is %s, want %s…", i, raw, want[i])
				}
			}
			if len(got) != min(20, len(want)) {
				t.Errorf("%d results, want %d", len(got), min(20, len(want)))
			}
		})
	}
}

// TestPlanCache: a decision is kept for its key, and a full cache starts
// over rather than growing.
func TestPlanCache(t *testing.T) {
	var pc planCache
	if _, ok := pc.get("a"); ok {
		t.Fatal("an empty cache has a decision")
	}
	pc.put("a", sortIndex)
	if use, ok := pc.get("a"); !ok || use != sortIndex {
		t.Fatalf("get(a) = %v, %v; want sortIndex", use, ok)
	}
	for i := range maxPlanKeys {
		pc.put(fmt.Sprint(i), filterIndex)
	}
	if len(pc.m) > maxPlanKeys {
		t.Errorf("the cache holds %d decisions, more than %d", len(pc.m), maxPlanKeys)
	}
	if _, ok := pc.get("a"); ok {
		t.Error("a full cache kept its oldest decision: it should have started over")
	}
}
