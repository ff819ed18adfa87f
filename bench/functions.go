package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
)

// The cloud functions the fn-* scenarios call, deployed by setupFunctions.
var benchFunctions = map[string]string{
	"hello": `exports.main = async () => ({ message: 'Hello, World!' });`,
	// One indexed read and one write through wx-server-sdk: what
	// db-readwrite sends straight to /v1/db.
	"readwrite": `const cloud = require('wx-server-sdk');
cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
const db = cloud.database();
exports.main = async (event) => {
  const { data } = await db.collection(event.coll).where({ author: event.author }).orderBy('created', 'desc').limit(20).get();
  const { _id } = await db.collection(event.log).add({ data: { author: event.author, seen: data.length } });
  return { ids: data.map((p) => p._id), _id };
};`,
	"txn":     txnFunction,
	"txnread": txnReadFunction,
}

// setupFunctions deploys benchFunctions and creates the log collection,
// once per run of the driver.
func setupFunctions(ctx context.Context, e *env) error {
	if e.fnReady {
		return nil
	}
	for name, src := range benchFunctions {
		body := map[string]any{"files": map[string]string{"index.js": src}}
		if err := e.cl.call(ctx, "PUT", "/v1/admin/functions/"+name, body, nil); err != nil {
			return fmt.Errorf("deploy %s: %w", name, err)
		}
	}
	err := e.cl.call(ctx, "POST", "/v1/admin/collections", map[string]string{"name": e.logColl()}, nil)
	if err != nil && !isConflict(err) {
		return err
	}
	e.fnReady = true
	return nil
}

func (e *env) logColl() string { return e.coll + "_log" }

// opFnHello calls the hello function.
func opFnHello(ctx context.Context, e *env, _ *rand.Rand) error {
	var out struct {
		Result    struct{ Message string } `json:"result"`
		RequestID string                   `json:"requestID"`
	}
	if err := e.cl.call(ctx, "POST", "/v1/functions/hello/invoke", map[string]any{"data": map[string]any{}}, &out); err != nil {
		return err
	}
	if out.Result.Message != "Hello, World!" || out.RequestID == "" {
		return fmt.Errorf("hello answered %+v", out)
	}
	return nil
}

// deploys numbers the versions fn-deploy makes, so each is new.
var deploys atomic.Int64

// opFnDeploy deploys a new version of a small function and calls it:
// deploy-to-first-call, as one client sees it (the first call compiles the
// new version).
func opFnDeploy(ctx context.Context, e *env, _ *rand.Rand) error {
	n := deploys.Add(1)
	src := fmt.Sprintf("exports.main = async (event) => ({ version: %d, echo: event.x });", n)
	body := map[string]any{"files": map[string]string{"index.js": src}, "config": map[string]any{"timeout": 3}}
	if err := e.cl.call(ctx, "PUT", "/v1/admin/functions/bench_deploy", body, nil); err != nil {
		return fmt.Errorf("deploy: %w", err)
	}
	var out struct {
		Result struct {
			Version int64 `json:"version"`
			Echo    int64 `json:"echo"`
		} `json:"result"`
	}
	if err := e.cl.call(ctx, "POST", "/v1/functions/bench_deploy/invoke", map[string]any{"data": map[string]any{"x": n}}, &out); err != nil {
		return err
	}
	if out.Result.Version != n || out.Result.Echo != n {
		return fmt.Errorf("the first call after deploying version %d answered %+v", n, out.Result)
	}
	return nil
}

// newestOf returns the indexes of author a's newest pageSize posts.
func (e *env) newestOf(a int) []int32 {
	posts := e.data.byAuthor[a]
	want := make([]int32, 0, pageSize)
	for j := len(posts) - 1; j >= 0 && len(want) < pageSize; j-- {
		want = append(want, posts[j])
	}
	return want
}

// opFnReadWrite calls the readwrite function and checks the posts it read.
func opFnReadWrite(ctx context.Context, e *env, rng *rand.Rand) error {
	a := e.data.randomAuthor(rng)
	var out struct {
		Result struct {
			IDs []string `json:"ids"`
			ID  string   `json:"_id"`
		} `json:"result"`
	}
	event := map[string]any{"coll": e.coll, "log": e.logColl(), "author": authorName(a)}
	if err := e.cl.call(ctx, "POST", "/v1/functions/readwrite/invoke", map[string]any{"data": event}, &out); err != nil {
		return err
	}
	want := e.newestOf(a)
	if len(out.Result.IDs) != len(want) || !isID(out.Result.ID) {
		return fmt.Errorf("readwrite for %s: %d ids and _id %q, want %d ids and a new _id", authorName(a), len(out.Result.IDs), out.Result.ID, len(want))
	}
	for j, i := range want {
		if out.Result.IDs[j] != e.data.ids[i] {
			return fmt.Errorf("readwrite for %s: post %d is %s, want %s", authorName(a), j, out.Result.IDs[j], e.data.ids[i])
		}
	}
	return nil
}

// opDBReadWrite sends readwrite's two operations straight to /v1/db.
func opDBReadWrite(ctx context.Context, e *env, rng *rand.Rand) error {
	a := e.data.randomAuthor(rng)
	if err := e.query(ctx, map[string]any{"author": authorName(a)}, e.newestOf(a)); err != nil {
		return err
	}
	var out struct {
		ID string `json:"_id"`
	}
	body := map[string]any{"data": map[string]any{"author": authorName(a), "seen": pageSize}}
	if err := e.cl.call(ctx, "POST", "/v1/db/"+e.logColl()+"/insert", body, &out); err != nil {
		return err
	}
	if !isID(out.ID) {
		return fmt.Errorf("insert returned _id %q", out.ID)
	}
	return nil
}
