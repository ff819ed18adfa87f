//go:build !minibase_fuzz

package db_test

import (
	"context"
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

// aggEnv is a Service on SQLite with a collection of n documents
// {_id, k: i, g: i%10, pad}.
type aggEnv struct {
	s     *db.Service
	drv   *scanRecorder
	admin context.Context
	user  context.Context
}

func newAggEnv(t *testing.T, limits db.Limits, n int) *aggEnv {
	t.Helper()
	ctx := context.Background()
	drv, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "a.db"), sqlite.Options{Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { drv.Close() })
	rec := &scanRecorder{Driver: drv}
	e := &aggEnv{s: db.NewService(rec, limits), drv: rec,
		admin: auth.NewContext(ctx, &auth.Identity{Role: auth.Admin}),
		user:  auth.NewContext(ctx, &auth.Identity{Role: auth.User, UID: "u", OpenID: "o"})}
	docs := make([]any, n)
	for i := range docs {
		docs[i] = db.Doc{{Key: "_id", Value: fmt.Sprintf("%06d", i)}, {Key: "k", Value: int64(i)}, {Key: "g", Value: int64(i % 10)},
			{Key: "pad", Value: strings.Repeat("x", 100)}}
	}
	if _, err := e.s.CreateCollection(e.admin, db.Doc{{Key: "name", Value: "c"}}); err != nil {
		t.Fatal(err)
	}
	for len(docs) > 0 {
		batch := docs[:min(len(docs), 1000)]
		docs = docs[len(batch):]
		if _, _, err := e.s.Insert(e.admin, "c", db.Doc{{Key: "data", Value: batch}}); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

func (e *aggEnv) aggregate(t *testing.T, ctx context.Context, pipeline string) ([][]byte, error) {
	t.Helper()
	return e.s.Aggregate(ctx, "c", doc(t, `{"pipeline":`+pipeline+`}`))
}

// scanRecorder records the queries a driver is asked to scan.
type scanRecorder struct {
	db.Driver
	mu    sync.Mutex
	scans []db.Query
}

func (r *scanRecorder) Scan(ctx context.Context, coll string, q *db.Query) (db.Cursor, bool, error) {
	r.mu.Lock()
	r.scans = append(r.scans, *q)
	r.mu.Unlock()
	return r.Driver.Scan(ctx, coll, q)
}

// TestAggregateMemoryLimit: a stage that would hold more than the limit
// fails with a clear error, as MongoDB's 100 MB rule; the same pipelines
// on less input, or a $sort that keeps only what a $limit lets through,
// pass.
func TestAggregateMemoryLimit(t *testing.T) {
	e := newAggEnv(t, db.Limits{AggregateMemory: 256 << 10}, 3000)
	for _, c := range []struct {
		pipeline string
		over     bool
	}{
		{`[{"$group": {"_id": "$_id", "pad": {"$first": "$pad"}}}]`, true},
		{`[{"$group": {"_id": "$g", "all": {"$push": "$pad"}}}]`, true},
		{`[{"$sort": {"pad": 1, "k": -1}}]`, true},
		{`[{"$bucketAuto": {"groupBy": "$k", "buckets": 3, "output": {"p": {"$push": "$pad"}}}}]`, true},
		{`[{"$facet": {"all": [{"$match": {}}]}}]`, true},
		{`[{"$sort": {"pad": 1, "k": -1}}, {"$limit": 5}, {"$project": {"k": 1}}]`, false},
		{`[{"$group": {"_id": "$g", "n": {"$sum": 1}}}]`, false},
		{`[{"$match": {"k": {"$lt": 100}}}, {"$group": {"_id": "$_id", "pad": {"$first": "$pad"}}}]`, false},
	} {
		_, err := e.aggregate(t, e.admin, c.pipeline)
		switch {
		case c.over && db.ErrorCode(err) != db.CodeAggregateMemory:
			t.Errorf("%s: got %v, want %s", c.pipeline, err, db.CodeAggregateMemory)
		case c.over && !strings.Contains(err.Error(), "256 KiB"):
			t.Errorf("%s: the error does not say the limit: %v", c.pipeline, err)
		case !c.over && err != nil:
			t.Errorf("%s: %v", c.pipeline, err)
		}
	}
}

// TestAggregateResultLimits: a client gets at most MaxLimit documents, as
// a query does; an answer over MaxResult bytes fails for everyone.
func TestAggregateResultLimits(t *testing.T) {
	e := newAggEnv(t, db.Limits{MaxLimit: 50, MaxResult: 64 << 10}, 1000)
	if _, err := e.s.SetRules(e.admin, "c", doc(t, `{"preset":"READONLY"}`)); err != nil {
		t.Fatal(err)
	}
	out, err := e.aggregate(t, e.user, `[{"$project": {"k": 1}}]`)
	if err != nil || len(out) != 50 {
		t.Errorf("client: %d documents, %v; want 50", len(out), err)
	}
	out, err = e.aggregate(t, e.admin, `[{"$project": {"k": 1}}]`)
	if err != nil || len(out) != 1000 {
		t.Errorf("admin: %d documents, %v; want 1000", len(out), err)
	}
	if _, err := e.aggregate(t, e.admin, `[]`); db.ErrorCode(err) != db.CodeResultTooLarge {
		t.Errorf("1000 documents of 140 bytes over 64 KiB: %v, want %s", err, db.CodeResultTooLarge)
	}
}

// TestAggregatePushdown: the leading $match, $sort, $skip and $limit
// become the driver's query (on SQLite, its indexes); a $match with $expr
// hands over its other conditions; the stages after them stay in Go.
func TestAggregatePushdown(t *testing.T) {
	e := newAggEnv(t, db.Limits{}, 100)
	if err := e.drv.CreateIndex(context.Background(), "c", db.Index{Keys: []db.IndexKey{{Path: "g"}, {Path: "k", Desc: true}}}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		pipeline string
		want     string // the scanned query: filter sort skip limit
		out      string
	}{
		{`[{"$match": {"g": 3}}, {"$sort": {"k": -1}}, {"$skip": 1}, {"$limit": 2}, {"$project": {"k": 1}}]`,
			`{"g":3} [k desc, _id desc] 1 2`, `[{"_id":"000083","k":83},{"_id":"000073","k":73}]`},
		{`[{"$match": {"g": 3}}, {"$match": {"k": {"$gt": 50}}}, {"$count": "n"}]`,
			`{"$and":[{"g":3},{"k":{"$gt":50}}]} [] 0 0`, `[{"n":5}]`},
		{`[{"$match": {"g": 3, "$expr": {"$gt": ["$k", 50]}}}, {"$sort": {"k": 1}}, {"$limit": 1}, {"$project": {"k": 1}}]`,
			`{"g":3} [] 0 0`, `[{"_id":"000053","k":53}]`},
		{`[{"$limit": 3}, {"$skip": 1}, {"$project": {"_id": 1}}]`, `{} [] 1 2`, `[{"_id":"000001"},{"_id":"000002"}]`},
		{`[{"$group": {"_id": "$g"}}, {"$match": {"_id": 1}}]`, `{} [] 0 0`, `[{"_id":1}]`},
	} {
		e.drv.scans = nil
		out, err := e.aggregate(t, e.admin, c.pipeline)
		if err != nil {
			t.Fatalf("%s: %v", c.pipeline, err)
		}
		if got := "[" + string(joinRaw(out)) + "]"; got != c.out {
			t.Errorf("%s: got %s, want %s", c.pipeline, got, c.out)
		}
		if len(e.drv.scans) != 1 {
			t.Fatalf("%s: %d scans", c.pipeline, len(e.drv.scans))
		}
		q := e.drv.scans[0]
		src := "{}"
		if q.Filter != nil {
			src = string(db.MarshalJSON(q.Filter.Source))
		}
		var keys []string
		for _, k := range q.Sort {
			if k.Desc {
				keys = append(keys, k.Path+" desc")
			} else {
				keys = append(keys, k.Path)
			}
		}
		if got := fmt.Sprintf("%s [%s] %d %d", src, strings.Join(keys, ", "), q.Skip, q.Limit); got != c.want {
			t.Errorf("%s: scanned %s, want %s", c.pipeline, got, c.want)
		}
	}
}

func joinRaw(docs [][]byte) []byte {
	var b []byte
	for i, d := range docs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, d...)
	}
	return b
}

// TestAggregateBadRequests: what is not a pipeline, or asks for too much,
// is refused with a clear error and reads nothing.
func TestAggregateBadRequests(t *testing.T) {
	e := newAggEnv(t, db.Limits{}, 1)
	deep := strings.Repeat(`{"$lookup": {"from": "c", "as": "x", "pipeline": [`, 10) + strings.Repeat(`]}}`, 10)
	many := strings.TrimSuffix(strings.Repeat(`{"$skip": 0},`, db.MaxPipelineStages+1), ",")
	for _, c := range []struct{ body, code, msg string }{
		{`{}`, db.CodeInvalidParam, "pipeline is required"},
		{`{"pipeline": {"$match": {}}}`, db.CodeInvalidParam, "array of stages"},
		{`{"pipeline": [], "filter": {}}`, db.CodeInvalidParam, "unknown field"},
		{`{"pipeline": [1]}`, db.CodeInvalidParam, "exactly one field"},
		{`{"pipeline": [` + many + `]}`, db.CodeInvalidParam, "more than 100 stages"},
		{`{"pipeline": [` + deep + `]}`, db.CodeInvalidParam, "nest deeper"},
		{`{"pipeline": [{"$project": {"v": ` + strings.Repeat(`{"$add": [1, `, 20) + `1` + strings.Repeat(`]}`, 20) + `}}]}`, "", ""},
		// An operator given the wrong type says which, as MongoDB does.
		{`{"pipeline": [{"$project": {"v": {"$multiply": ["x", 2]}}}]}`, db.CodeInvalidOperator, "$multiply only supports numeric types, not string"},
		{`{"pipeline": [{"$project": {"v": {"$concat": ["a", 1]}}}]}`, db.CodeInvalidOperator, "$concat only supports strings, not int"},
		{`{"pipeline": [{"$project": {"v": {"$split": [1, "a"]}}}]}`, db.CodeInvalidOperator, "as a first argument, found: int"},
		{`{"pipeline": [{"$project": {"v": {"$range": [0, 100000000]}}}]}`, db.CodeInvalidParam, "builds more than"},
		{`{"pipeline": [{"$project": {"v": {"$reduce": {"input": {"$range": [0, 2000]}, "initialValue": "x", "in": {"$concat": ["$$value", "$$value"]}}}}}]}`, db.CodeInvalidParam, "builds more than"},
	} {
		_, err := e.s.Aggregate(e.admin, "c", doc(t, c.body))
		if db.ErrorCode(err) != c.code || c.code != "" && !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%.80s: got %v (%s), want %s %q", c.body, err, db.ErrorCode(err), c.code, c.msg)
		}
	}
	var nodes strings.Builder
	nodes.WriteString(`{"pipeline": [{"$project": {"v": [`)
	for i := 0; i <= db.MaxExprNodes; i++ {
		if i > 0 {
			nodes.WriteString(",")
		}
		nodes.WriteString("1")
	}
	nodes.WriteString(`]}}]}`)
	if _, err := e.s.Aggregate(e.admin, "c", doc(t, nodes.String())); !strings.Contains(fmt.Sprint(err), "nodes") {
		t.Errorf("an expression of %d nodes: %v", db.MaxExprNodes+1, err)
	}
	if _, err := e.s.Aggregate(e.admin, "none", doc(t, `{"pipeline": []}`)); db.ErrorCode(err) != db.CodeCollectionNotExist {
		t.Errorf("a missing collection: %v", err)
	}
}

// TestAggregateCanceled: a request whose context ends stops.
func TestAggregateCanceled(t *testing.T) {
	e := newAggEnv(t, db.Limits{}, 2000)
	ctx, cancel := context.WithCancel(e.admin)
	cancel()
	_, err := e.aggregate(t, ctx, `[{"$group": {"_id": "$_id"}}]`)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}
