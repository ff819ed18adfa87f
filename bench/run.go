package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"
)

// Run seeds the data, runs the chosen scenarios, prints the Markdown report
// to stdout, and fails if any scenario saw an error.
func (m *Main) Run(ctx context.Context) error {
	cfg := m.cfg
	if cfg.Peer != "" {
		return m.runPeer(ctx)
	}
	cl := newClient(m.base, m.key, cfg.Conc, cfg.Timeout)
	e := &env{cl: cl, coll: cfg.Coll, createColl: cfg.Coll + "_create", userColl: cfg.Coll + "_notes", data: newDataset(cfg.Docs, cfg.Authors, cfg.Seed)}
	if m.minio != nil {
		e.s3 = &rawS3{endpoint: m.minio.Endpoint, access: m.minio.AccessKey, secret: m.minio.SecretKey}
	}
	if err := createCollection(ctx, cl, e.coll, indexSets[cfg.Indexes], true); err != nil {
		return err
	}
	if err := createCollection(ctx, cl, e.createColl, indexSets[cfg.Indexes], false); err != nil {
		return err
	}
	logf("seeding %d posts into %q …", cfg.Docs, e.coll)
	seedTime, err := seed(ctx, cl, e.coll, e.data)
	if err != nil {
		return err
	}
	logf("seeded in %s (%.0f docs/s)", seedTime.Round(time.Millisecond), float64(cfg.Docs)/seedTime.Seconds())
	rep := &report{cmdline: "go run ./bench " + strings.Join(os.Args[1:], " "), version: m.version, cfg: cfg, seedTime: seedTime}
	if m.pid > 0 {
		rep.idleRSS, _ = readRSS(m.pid)
	}
	for i, name := range cfg.Scenarios {
		switch name {
		case startScenario:
			if err := m.measureStarts(ctx, rep); err != nil {
				return err
			}
			continue
		case watchIdle, watchFanout:
			measure := m.measureIdle
			if name == watchFanout {
				measure = m.measureFanout
			}
			res, err := measure(ctx, cl)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			rep.watches = append(rep.watches, res)
			continue
		}
		res, err := m.runScenario(ctx, e, lookup(name), uint64(i))
		if err != nil {
			return err
		}
		rep.results = append(rep.results, res)
	}
	rep.writeMarkdown(os.Stdout)
	var failed []string
	for _, r := range rep.results {
		if _, _, errs, _ := r.totals(); errs > 0 {
			failed = append(failed, fmt.Sprintf("%s (%d errors)", r.sc.name, errs))
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("failed scenarios: %s", strings.Join(failed, ", "))
	}
	return nil
}

// lookup returns the HTTP scenario called name (names are checked by Config.check).
func lookup(name string) scenario {
	for _, s := range scenarios() {
		if s.name == name {
			return s
		}
	}
	panic("unknown scenario " + name)
}

// runScenario runs sc cfg.Runs times and logs each run.
func (m *Main) runScenario(ctx context.Context, e *env, sc scenario, idx uint64) (scenarioResult, error) {
	cfg := m.cfg
	res := scenarioResult{sc: sc, conc: cfg.Conc}
	if sc.serial {
		res.conc = 1
	}
	lim := limits{dur: cfg.Dur, n: cfg.N, maxDur: cfg.MaxDur}
	if sc.setup != nil {
		if err := sc.setup(ctx, e); err != nil {
			return res, fmt.Errorf("%s: setup: %w", sc.name, err)
		}
	}
	for run := range cfg.Runs {
		seed := cfg.Seed<<32 | idx<<16 | uint64(run)
		r := runLoad(ctx, e, sc, res.conc, lim, seed, m.pid)
		if err := ctx.Err(); err != nil {
			return res, fmt.Errorf("%s: %w", sc.name, err)
		}
		logf("%-11s run %d/%d: %8.0f req/s  p50 %s ms  p99 %s ms  %d ok  %d errors  RSS %s MiB%s",
			sc.name, run+1, cfg.Runs, r.rate(), ms(r.hist.Quantile(0.5)), ms(r.hist.Quantile(0.99)),
			r.ok, r.errs, mib(r.maxRSS), throughput(r.rate(), sc.bytes))
		res.runs = append(res.runs, r)
	}
	if sc.notes != nil {
		notes, err := sc.notes(ctx, e)
		if err != nil {
			return res, fmt.Errorf("%s: %w", sc.name, err)
		}
		for _, n := range notes {
			logf("%-11s %s", sc.name, n)
		}
		res.notes = notes
	}
	return res, nil
}

// measureStarts times cold starts of the server the driver owns and points
// RSS sampling at the restarted process.
func (m *Main) measureStarts(ctx context.Context, rep *report) error {
	if m.srv == nil {
		rep.startNote = "the driver did not start the server (-url)"
		logf("start: skipped, %s", rep.startNote)
		return nil
	}
	logf("start: timing %d cold starts …", m.cfg.Starts)
	times, err := m.srv.coldStarts(ctx, m.cfg.Starts)
	if err != nil {
		return fmt.Errorf("start: %w", err)
	}
	m.pid = m.srv.pid()
	rep.starts = times
	logf("start: %v", times)
	return nil
}
