package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
)

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
