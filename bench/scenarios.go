package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
)

// pageSize is the limit of every query scenario.
const pageSize = 20

// env is what the requests of every scenario share.
type env struct {
	cl         *client
	coll       string // the seeded collection, read by every read scenario
	createColl string // where the create scenario writes, so reads see exactly the seed
	data       *dataset
	created    atomic.Int64      // posts made so far by the create scenario
	userColl   string            // where the auth scenarios' users keep their notes
	users      chan *userSession // signed-in end users (setupUsers), one per worker at a time
	fnReady    bool              // setupFunctions ran
	ownReady   bool              // the rule scenarios' collections are seeded (setupOwn)
	geo        *geoData          // the geo scenario's shops and answers (setupGeo)
	s3         *rawS3            // the MinIO server of -storage s3, else nil
	txn        *txnState         // the running transaction scenario's counts (txn.go)
}

// op performs one request and checks its answer, using the worker's own rng.
// Any error, including a wrong answer, counts against the run.
type op func(ctx context.Context, e *env, rng *rand.Rand) error

// scenario is one named load pattern.
type scenario struct {
	name   string
	what   string // one line for the report
	serial bool   // a single sequential client: report latency, not throughput
	op     op
	setup  func(ctx context.Context, e *env) error // run once before the first run, when set
	bytes  int64                                   // payload moved per request, for a throughput line
	// notes, when set, runs after the last run: lines for the report, or
	// an error when what the runs left behind is wrong.
	notes func(ctx context.Context, e *env) ([]string, error)
}

// scenarios returns every HTTP scenario: the default ones in their default
// order, then the file ones, then the transaction ones. The cold start
// ("start") is not among them: it restarts the server instead of sending
// load.
func scenarios() []scenario {
	return append(append(dbScenarios(), fileScenarios()...), txnScenarios()...)
}

// dbScenarios are the database and auth scenarios, the default list.
func dbScenarios() []scenario {
	return []scenario{
		{name: "create", what: "insert one ~600 B post", op: opCreate},
		{name: "get", what: "get a random post by _id", op: opGet},
		{name: "newest20", what: "query {} sort created desc limit 20 (index)", op: opNewest},
		{name: "filter-sort", what: "query {author} sort created desc limit 20 (index)", op: opFilterSort},
		{name: "scan", what: "query {title} limit 20, unindexed, over all posts, 1 client", serial: true, op: opScan},
		{name: "count", what: "count {author} (index)", op: opCount},
		{name: "user-get", what: "an end user gets its own doc by _id (access token)", op: opUserGet, setup: setupUsers},
		{name: "refresh", what: "an end user refreshes its tokens (rotation)", op: opRefresh, setup: setupUsers},
		{name: "fn-hello", what: "invoke a cloud function returning a constant", op: opFnHello, setup: setupFunctions},
		{name: "fn-readwrite", what: "a function: query {author} sort created desc limit 20 + insert, via wx-server-sdk", op: opFnReadWrite, setup: setupFunctions},
		{name: "db-readwrite", what: "the same query + insert sent straight to /v1/db (two requests)", op: opDBReadWrite, setup: setupFunctions},
		{name: "fn-deploy", what: "deploy a new version of a small function, then call it, 1 client", serial: true, op: opFnDeploy},
		{name: "own20-admin", what: "admin: query {_openid} limit 20 (index on _openid)", op: opOwnAdmin, setup: setupOwn},
		{name: "own20-private", what: "end user under PRIVATE: query {} limit 20 (the same query, scoped by the rule)", op: opOwnPrivate, setup: setupOwn},
		{name: "own20-rule", what: "end user, custom rule doc._openid == auth.openid: query {_openid: '{openid}'} limit 20", op: opOwnRule, setup: setupOwn},
		{name: "own20-get", what: "end user, rule with one get(): query {team} limit 20 (index on team)", op: opOwnGet, setup: setupOwn},
		{name: "geo-near", what: "query the nearest 20 of 100,000 shops to a point ($nearSphere, 2dsphere index)", op: opGeoNear, setup: setupGeo},
	}
}

// queryReq is the body of POST /v1/db/{coll}/query.
type queryReq struct {
	Filter map[string]any `json:"filter"`
	Sort   [][2]any       `json:"sort"`
	Limit  int            `json:"limit"`
}

// newestFirst is the sort of every query scenario.
var newestFirst = [][2]any{{"created", -1}}

func opCreate(ctx context.Context, e *env, rng *rand.Rand) error {
	k := len(e.data.ids) + int(e.created.Add(1))
	body := map[string]any{"data": newPost(k, 1+rng.IntN(e.data.numAuthors))}
	var out struct {
		ID string `json:"_id"`
	}
	if err := e.cl.call(ctx, "POST", "/v1/db/"+e.createColl+"/insert", body, &out); err != nil {
		return err
	}
	if !isID(out.ID) {
		return fmt.Errorf("insert returned _id %q, want 32 lowercase hex characters", out.ID)
	}
	return nil
}

func opGet(ctx context.Context, e *env, rng *rand.Rand) error {
	i := int32(rng.IntN(len(e.data.ids)))
	var out struct {
		Data *postMeta `json:"data"`
	}
	if err := e.cl.call(ctx, "GET", "/v1/db/"+e.coll+"/docs/"+e.data.ids[i], nil, &out); err != nil {
		return err
	}
	if out.Data == nil {
		return fmt.Errorf("get %s: no data in the answer", e.data.ids[i])
	}
	return e.checkPosts([]postMeta{*out.Data}, []int32{i})
}

func opNewest(ctx context.Context, e *env, _ *rand.Rand) error {
	n := len(e.data.ids)
	want := make([]int32, 0, pageSize)
	for i := n - 1; i >= 0 && len(want) < pageSize; i-- {
		want = append(want, int32(i))
	}
	return e.query(ctx, map[string]any{}, want)
}

func opFilterSort(ctx context.Context, e *env, rng *rand.Rand) error {
	a := e.data.randomAuthor(rng)
	posts := e.data.byAuthor[a]
	want := make([]int32, 0, pageSize)
	for j := len(posts) - 1; j >= 0 && len(want) < pageSize; j-- {
		want = append(want, posts[j])
	}
	return e.query(ctx, map[string]any{"author": authorName(a)}, want)
}

func opScan(ctx context.Context, e *env, rng *rand.Rand) error {
	i := int32(rng.IntN(len(e.data.ids)))
	return e.query(ctx, map[string]any{"title": e.data.post(int(i)).Title}, []int32{i})
}

func opCount(ctx context.Context, e *env, rng *rand.Rand) error {
	a := e.data.randomAuthor(rng)
	var out struct {
		Total *int64 `json:"total"`
	}
	body := map[string]any{"filter": map[string]any{"author": authorName(a)}}
	if err := e.cl.call(ctx, "POST", "/v1/db/"+e.coll+"/count", body, &out); err != nil {
		return err
	}
	if want := int64(len(e.data.byAuthor[a])); out.Total == nil || *out.Total != want {
		return fmt.Errorf("count author %s: total = %v, want %d", authorName(a), deref(out.Total), want)
	}
	return nil
}

// randomAuthor picks the author of a random post, so it always has posts.
func (ds *dataset) randomAuthor(rng *rand.Rand) int {
	return int(ds.authors[rng.IntN(len(ds.authors))])
}

// query runs filter sorted newest first with limit pageSize and checks that
// the answer is exactly the seeded posts want, in that order.
func (e *env) query(ctx context.Context, filter map[string]any, want []int32) error {
	var out struct {
		Data []postMeta `json:"data"`
	}
	req := queryReq{Filter: filter, Sort: newestFirst, Limit: pageSize}
	if err := e.cl.call(ctx, "POST", "/v1/db/"+e.coll+"/query", req, &out); err != nil {
		return err
	}
	if err := e.checkPosts(out.Data, want); err != nil {
		return fmt.Errorf("query %v: %w", filter, err)
	}
	return nil
}

// checkPosts reports whether got is, field by checked field, the seeded
// posts with indexes want, in descending created order.
func (e *env) checkPosts(got []postMeta, want []int32) error {
	if len(got) != len(want) {
		return fmt.Errorf("got %d docs, want %d", len(got), len(want))
	}
	for j := 1; j < len(got); j++ {
		if !got[j].Created.T.Before(got[j-1].Created.T) {
			return fmt.Errorf("doc %d not in descending created order (%s after %s)",
				j, got[j].Created.T.Format(dateLayout), got[j-1].Created.T.Format(dateLayout))
		}
	}
	for j, i := range want {
		p, g := e.data.post(int(i)), got[j]
		if g.ID != e.data.ids[i] || g.Title != p.Title || g.Author != p.Author || !g.Created.T.Equal(p.Created.T) {
			return fmt.Errorf("doc %d = {_id %s, %q, %s, %s}, want {_id %s, %q, %s, %s}", j,
				g.ID, g.Title, g.Author, g.Created.T.Format(dateLayout),
				e.data.ids[i], p.Title, p.Author, p.Created.T.Format(dateLayout))
		}
	}
	return nil
}

// deref formats an optional number for an error message.
func deref(p *int64) any {
	if p == nil {
		return "missing"
	}
	return *p
}
