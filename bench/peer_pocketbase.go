package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// The peer comparison (-peer pocketbase): minibase's cloud functions against
// PocketBase's JavaScript routes, both goja, on the same machine, under the
// same load generator, in alternating rounds.

// peerFunctions are the minibase side: hello and a read of one post by
// _id through wx-server-sdk, each also bound to an HTTP access path.
var peerFunctions = map[string]struct{ src, path string }{
	"hello": {`exports.main = async () => ({ message: 'Hello, World!' });`, "/hello"},
	"getpost": {`const cloud = require('wx-server-sdk');
cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
const db = cloud.database();
exports.main = async (event) => {
  const id = event.id || event.path.slice('/posts/'.length);
  const { data } = await db.collection('posts').doc(id).get();
  return data;
};`, "/posts"},
}

// peerScenario is one scenario of the comparison and the server it loads.
type peerScenario struct {
	scenario
	target string // "minibase", "minibase+logs" or "pocketbase"
}

// peerScenarios lists the comparison's scenarios in their default order,
// which alternates the two servers.
func peerScenarios() []peerScenario {
	return []peerScenario{
		{scenario{name: "fn-hello-http", what: "minibase: GET /fn/hello (HTTP access), `hello` returns a constant", op: opPeerHelloHTTP}, "minibase"},
		{scenario{name: "pb-hello", what: "PocketBase: GET /hello, routerAdd returning a constant", op: opPBHello}, "pocketbase"},
		{scenario{name: "fn-hello", what: "minibase: POST /v1/functions/hello/invoke (admin key)", op: opPeerHello}, "minibase"},
		{scenario{name: "fn-hello-logs", what: "fn-hello with the default log store (`all`)", op: opPeerHello}, "minibase+logs"},
		{scenario{name: "fn-get", what: "minibase: invoke `getpost`, `db.collection('posts').doc(id).get()`", op: opPeerGet}, "minibase"},
		{scenario{name: "pb-get", what: "PocketBase: GET /posts/{id}, `$app.findRecordById`", op: opPBGet}, "pocketbase"},
		{scenario{name: "fn-get-http", what: "minibase: GET /fn/posts/{id} (HTTP access) to `getpost`", op: opPeerGetHTTP}, "minibase"},
		// The floor: each server's HTTP stack with no JavaScript at all.
		{scenario{name: "mb-health", what: "minibase: GET /v1/health (no function: the HTTP stack alone)", op: opPeerHealth("/v1/health")}, "minibase"},
		{scenario{name: "pb-health", what: "PocketBase: GET /api/health (no hook: the HTTP stack alone)", op: opPeerHealth("/api/health")}, "pocketbase"},
	}
}

func peerNames() []string {
	var names []string
	for _, s := range peerScenarios() {
		names = append(names, s.name)
	}
	return names
}

// peerPairs are the ratios reported: minibase's scenario over PocketBase's.
var peerPairs = [][2]string{
	{"fn-hello-http", "pb-hello"}, {"fn-hello", "pb-hello"}, {"fn-get", "pb-get"}, {"fn-get-http", "pb-get"},
	{"fn-hello-logs", "fn-hello"}, {"mb-health", "pb-health"},
}

// runPeer runs the comparison: the server Open started (log store off), a
// second minibase with the default log store, and PocketBase, each seeded
// with the same posts; then cfg.Runs rounds of every scenario, the order
// reversed every other round.
func (m *Main) runPeer(ctx context.Context) error {
	cfg := m.cfg
	pbBin, err := pocketBaseBin(ctx)
	if err != nil {
		return err
	}
	logs := &server{bin: m.srv.bin, dir: filepath.Join(m.tmp, "data-logs"), key: randomKey(),
		logPath: filepath.Join(m.tmp, "server-logs.log"), env: []string{"MINIBASE_PPROF=" + os.Getenv("MINIBASE_BENCH_PPROF_LOGS")}} // the first one has MINIBASE_PPROF
	if logs.addr, err = freeAddr(); err != nil {
		return err
	}
	if err := logs.start(); err != nil {
		return err
	}
	defer logs.stop()
	if _, err := logs.waitHealthy(ctx, 5*time.Millisecond); err != nil {
		return err
	}
	pb := &pocketBase{bin: pbBin, dir: filepath.Join(m.tmp, "pocketbase"), logPath: filepath.Join(m.tmp, "pocketbase.log")}
	if pb.addr, err = freeAddr(); err != nil {
		return err
	}
	if err := pb.start(ctx); err != nil {
		return err
	}
	defer pb.stop()

	ds := newDataset(cfg.Docs, cfg.Authors, cfg.Seed)
	envs := map[string]*env{}
	pids := map[string]int{"minibase": m.pid, "minibase+logs": logs.pid(), "pocketbase": pb.cmd.Process.Pid}
	for name, base := range map[string][2]string{"minibase": {m.base, m.key}, "minibase+logs": {logs.url(), logs.key}} {
		e := &env{cl: newClient(base[0], base[1], cfg.Conc, cfg.Timeout), coll: "posts", data: ds}
		if err := setupPeerFunctions(ctx, e); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		envs[name] = e
	}
	logf("seeding %d posts into minibase and PocketBase …", cfg.Docs)
	if err := createCollection(ctx, envs["minibase"].cl, "posts", indexSets[cfg.Indexes], true); err != nil {
		return err
	}
	if _, err := seed(ctx, envs["minibase"].cl, "posts", ds); err != nil {
		return err
	}
	if err := pb.setup(ctx, ds); err != nil {
		return err
	}
	envs["pocketbase"] = &env{cl: newClient(pb.url(), "", cfg.Conc, cfg.Timeout), data: ds}

	chosen := peerScenarios()
	if len(cfg.Scenarios) > 0 {
		chosen = slices.DeleteFunc(chosen, func(s peerScenario) bool { return !slices.Contains(cfg.Scenarios, s.name) })
	}
	results := make([]scenarioResult, len(chosen))
	cpu := make([][]float64, len(chosen)) // server CPU µs per request, each round
	lim := limits{dur: cfg.Dur, n: cfg.N, maxDur: cfg.MaxDur}
	for round := range cfg.Runs {
		order := make([]int, len(chosen))
		for i := range order {
			order[i] = i
		}
		if round%2 == 1 {
			slices.Reverse(order)
		}
		for _, i := range order {
			ps := chosen[i]
			seed := cfg.Seed<<32 | uint64(i)<<16 | uint64(round)
			before, errBefore := cpuTime(pids[ps.target])
			r := runLoad(ctx, envs[ps.target], ps.scenario, cfg.Conc, lim, seed, pids[ps.target])
			if err := ctx.Err(); err != nil {
				return err
			}
			after, errAfter := cpuTime(pids[ps.target])
			perReq := 0.0
			if errBefore == nil && errAfter == nil && r.ok > 0 {
				perReq = float64(after-before) / float64(time.Microsecond) / float64(r.ok)
				cpu[i] = append(cpu[i], perReq)
			}
			logf("round %d/%d  %-14s %8.0f req/s  p50 %s ms  p99 %s ms  %5.1f µs CPU/req  %d ok  %d errors", round+1, cfg.Runs,
				ps.name, r.rate(), ms(r.hist.Quantile(0.5)), ms(r.hist.Quantile(0.99)), perReq, r.ok, r.errs)
			results[i].sc, results[i].conc = ps.scenario, cfg.Conc
			results[i].runs = append(results[i].runs, r)
		}
	}
	writePeerReport(os.Stdout, m, results, cpu)
	var failed []string
	for _, r := range results {
		if _, _, errs, _ := r.totals(); errs > 0 {
			failed = append(failed, fmt.Sprintf("%s (%d errors)", r.sc.name, errs))
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("failed scenarios: %s; logs in %s (-keep keeps them)", strings.Join(failed, ", "), m.tmp)
	}
	return nil
}

// setupPeerFunctions deploys peerFunctions with their HTTP access paths.
func setupPeerFunctions(ctx context.Context, e *env) error {
	for name, f := range peerFunctions {
		body := map[string]any{"files": map[string]string{"index.js": f.src},
			"config": map[string]any{"http": []map[string]any{{"path": f.path}}}}
		if err := e.cl.call(ctx, "PUT", "/v1/admin/functions/"+name, body, nil); err != nil {
			return fmt.Errorf("deploy %s: %w", name, err)
		}
	}
	return nil
}

// opPeerHello invokes hello through the functions API.
func opPeerHello(ctx context.Context, e *env, rng *rand.Rand) error { return opFnHello(ctx, e, rng) }

// opPeerHelloHTTP calls hello through its HTTP access path, as a browser would.
func opPeerHelloHTTP(ctx context.Context, e *env, _ *rand.Rand) error {
	var out struct{ Message string }
	if err := e.cl.callAs(ctx, "", "GET", "/fn/hello", nil, &out); err != nil {
		return err
	}
	if out.Message != "Hello, World!" {
		return fmt.Errorf("hello answered %+v", out)
	}
	return nil
}

// opPeerHealth asks a server's health check at path, which both answer
// with a small JSON object without running any JavaScript: what a request
// costs each server before a function or hook runs.
func opPeerHealth(path string) func(context.Context, *env, *rand.Rand) error {
	return func(ctx context.Context, e *env, _ *rand.Rand) error {
		var out map[string]any
		if err := e.cl.callAs(ctx, "", "GET", path, nil, &out); err != nil {
			return err
		}
		if len(out) == 0 {
			return fmt.Errorf("GET %s answered an empty object", path)
		}
		return nil
	}
}

// opPeerGet invokes getpost for a random post and checks it.
func opPeerGet(ctx context.Context, e *env, rng *rand.Rand) error {
	i := rng.IntN(len(e.data.ids))
	var out struct {
		Result peerPost `json:"result"`
	}
	body := map[string]any{"data": map[string]any{"id": e.data.ids[i]}}
	if err := e.cl.call(ctx, "POST", "/v1/functions/getpost/invoke", body, &out); err != nil {
		return err
	}
	return checkPeerPost(e, i, out.Result)
}

// opPeerGetHTTP reads a random post through getpost's HTTP access path.
func opPeerGetHTTP(ctx context.Context, e *env, rng *rand.Rand) error {
	i := rng.IntN(len(e.data.ids))
	var out peerPost
	if err := e.cl.callAs(ctx, "", "GET", "/fn/posts/"+e.data.ids[i], nil, &out); err != nil {
		return err
	}
	return checkPeerPost(e, i, out)
}

// peerPost is what the driver checks of a post a function returned (its
// date is JSON.stringify's, a plain string, not extended JSON).
type peerPost struct {
	ID     string `json:"_id"`
	Title  string `json:"title"`
	Author string `json:"author"`
}

func checkPeerPost(e *env, i int, got peerPost) error {
	if want := e.data.post(i); got.ID != e.data.ids[i] || got.Title != want.Title || got.Author != want.Author {
		return fmt.Errorf("post %s answered %+v, want title %q author %q", e.data.ids[i], got, want.Title, want.Author)
	}
	return nil
}

// writePeerReport prints the comparison as Markdown: each scenario's
// median rate over the rounds, its range and latencies, then the ratios,
// computed round by round.
func writePeerReport(w io.Writer, m *Main, results []scenarioResult, cpu [][]float64) {
	c := m.cfg
	fmt.Fprintf(w, "## minibase cloud functions vs PocketBase %s JavaScript routes\n\n", pbVersion)
	fmt.Fprintf(w, "- Command: `go run ./bench %s`\n", strings.Join(os.Args[1:], " "))
	fmt.Fprintf(w, "- Machine: %s\n", machineInfo())
	fmt.Fprintf(w, "- minibase %s (`MINIBASE_FUNCTIONS_LOG_STORE=off`, and `all` for fn-hello-logs), PocketBase %s "+
		"examples/base (pb_hooks, `logs.maxDays=0`); %d posts in each; 127.0.0.1, HTTP/1.1 keep-alive, c=%d\n",
		m.version, pbVersion, c.Docs, c.Conc)
	fmt.Fprintf(w, "- %d rounds × %s per scenario, the order reversed every other round; req/s median (min–max) of the rounds, "+
		"latencies over all requests; server CPU per request from /proc/<pid>/stat (10 ms ticks) over each run; every answer checked\n\n", c.Runs, runLength(c))
	fmt.Fprintln(w, "| Scenario | What | req/s | min–max | p50 ms | p99 ms | server CPU µs/req (min–max) | requests | errors | max private RSS MiB |")
	fmt.Fprintln(w, "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|")
	byName := map[string]scenarioResult{}
	cpuOf := map[string][]float64{}
	for i, s := range results {
		byName[s.sc.name], cpuOf[s.sc.name] = s, cpu[i]
		h, ok, errs, rss := s.totals()
		sp, cp := s.rates(), Summarize(cpu[i])
		fmt.Fprintf(w, "| %s | %s | %.0f | %.0f–%.0f | %s | %s | %.1f (%.1f–%.1f) | %d | %d | %s |\n", s.sc.name, s.sc.what,
			sp.Median, sp.Min, sp.Max, ms(h.Quantile(0.5)), ms(h.Quantile(0.99)), cp.Median, cp.Min, cp.Max, ok, errs, mib(rss))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| Ratio | req/s median | min–max (round by round) | p99 ms | CPU per request, inverse ratio: median (min–max) |")
	fmt.Fprintln(w, "|---|--:|--:|--:|--:|")
	for _, p := range peerPairs {
		a, okA := byName[p[0]]
		b, okB := byName[p[1]]
		if !okA || !okB {
			continue
		}
		var v []float64
		for i := range min(len(a.runs), len(b.runs)) {
			if b.runs[i].rate() > 0 {
				v = append(v, a.runs[i].rate()/b.runs[i].rate())
			}
		}
		sp := Summarize(v)
		ha, _, _, _ := a.totals()
		hb, _, _, _ := b.totals()
		var c []float64
		for i := range min(len(cpuOf[p[0]]), len(cpuOf[p[1]])) {
			if cpuOf[p[0]][i] > 0 {
				c = append(c, cpuOf[p[1]][i]/cpuOf[p[0]][i])
			}
		}
		cs := Summarize(c)
		fmt.Fprintf(w, "| %s ÷ %s | %.2f | %.2f–%.2f | %s vs %s | %.2f (%.2f–%.2f) |\n", p[0], p[1], sp.Median, sp.Min, sp.Max,
			ms(ha.Quantile(0.99)), ms(hb.Quantile(0.99)), cs.Median, cs.Min, cs.Max)
	}
}
