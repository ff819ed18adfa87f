//go:build !minibase_fuzz

package functions

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
	"minibase/db/postgres"
	"minibase/db/postgres/pgtest"

	"github.com/jackc/pgx/v5"
)

// pgNode is one minibase node of a cluster on PostgreSQL: its own driver,
// database service, functions folder (the same functions as the others'),
// runtime and triggers.
type pgNode struct {
	drv *postgres.DB
	svc *db.Service
	dir *Dir
	tr  *Triggers
	dbt *DBTriggers

	mu      sync.Mutex
	reports []string
}

// pgNodes starts n nodes on one fresh PostgreSQL database, each with the
// functions files (index.js gets "const node = 'n<i>'" in front) and its
// triggers refreshed at now.
func pgNodes(t *testing.T, n int, files map[string][2]string, now time.Time) ([]*pgNode, string) {
	t.Helper()
	url := pgtest.Database(t)
	out := make([]*pgNode, n)
	for i := range out {
		drv, err := postgres.Open(context.Background(), fmt.Sprintf("%s&application_name=node%d", url, i), postgres.Options{MaxConns: 4})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { drv.Close() })
		dir, err := OpenDir(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		for name, f := range files {
			deploy(t, dir, name, fmt.Sprintf("const node = 'n%d';\n%s", i, f[0]), f[1])
		}
		svc := db.NewService(drv, db.Limits{})
		rt, err := New(dir, svc, Options{Async: AsyncOptions{Retries: 1, Backoff: 10 * time.Millisecond}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { rt.Close() })
		nd := &pgNode{drv: drv, svc: svc, dir: dir, tr: NewTriggers(rt, dir, dir, time.UTC), dbt: NewDBTriggers(rt, drv)}
		nd.tr.SetDatabase(nd.dbt)
		nd.tr.SetCluster(drv)
		if err := nd.tr.Refresh(context.Background(), now); err != nil {
			t.Fatal(err)
		}
		out[i] = nd
	}
	return out, url
}

func (n *pgNode) report(err error) {
	n.mu.Lock()
	n.reports = append(n.reports, err.Error())
	n.mu.Unlock()
}

// count returns how many documents of coll have each value of field.
func count(t *testing.T, svc *db.Service, coll, field string) map[string]int {
	t.Helper()
	raw, err := svc.Query(adminCtx, coll, db.Doc{{Key: "limit", Value: int64(1000)}})
	if db.ErrorCode(err) == db.CodeCollectionNotExist {
		return map[string]int{}
	}
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, b := range raw {
		var m map[string]any
		json.Unmarshal(b, &m)
		out[fmt.Sprint(m[field])]++
	}
	return out
}

// terminate ends the database sessions query selects (by pid), as when
// their node's machine vanishes or an operator kills them.
func terminate(t *testing.T, url, query string) {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, "SELECT pg_terminate_backend(pid) FROM ("+query+") q"); err != nil {
		t.Fatal(err)
	}
}

// Three nodes run the same every-second timer: each tick runs it once,
// on one of them, whichever ticks first. When the nodes' database sessions
// are killed, the ticks go on (a node whose claim fails skips the run,
// another runs it), and when nodes stop, the survivor runs every tick.
func TestTimerOncePerTickAcrossNodes(t *testing.T) {
	start := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	const index = `const cloud = require('wx-server-sdk'); cloud.init();
exports.main = async (event) => { await cloud.database().collection('ticks').add({data: {time: event.Time, node}}) }`
	ns, url := pgNodes(t, 3, map[string][2]string{
		"tick": {index, `{"triggers": [{"name": "everysec", "type": "timer", "config": "* * * * * * *"}]}`},
	}, start)
	ctx := context.Background()
	svc := ns[1].svc // n0's sessions are killed below
	tick := 0
	run := func(live []*pgNode) string {
		t.Helper()
		tick++
		at := start.Add(time.Duration(tick) * time.Second)
		for _, n := range live {
			n.tr.Tick(ctx, at)
		}
		for _, n := range live {
			n.tr.Wait()
		}
		return at.Format(time.RFC3339)
	}
	check := func(what string, ticks []string) {
		t.Helper()
		got := count(t, svc, "ticks", "time")
		for _, at := range ticks {
			if got[at] != 1 {
				t.Errorf("%s: the tick of %s ran %d times, want once", what, at, got[at])
			}
		}
	}

	var ticks []string
	for range 10 {
		ticks = append(ticks, run(ns))
	}
	check("three nodes", ticks)
	if nodes := count(t, svc, "ticks", "node"); len(nodes) == 0 {
		t.Fatal("no runs")
	}

	// Node n0's sessions are killed (its pool's connections, its
	// listener): ticks go on, never twice. Each of its dead connections
	// fails one call: a failed claim skips n0's attempt (another node
	// runs the tick), a claim won and then a failed write loses that run,
	// as a run that fails on one node is lost; so at least 10 - MaxConns
	// of the next 10 ticks run.
	terminate(t, url, "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'node0'")
	var after []string
	for range 10 {
		after = append(after, run(ns))
	}
	got := count(t, svc, "ticks", "time")
	ran := 0
	for _, at := range after {
		if got[at] > 1 {
			t.Errorf("after node n0's sessions were killed: the tick of %s ran %d times", at, got[at])
		}
		ran += got[at]
	}
	if ran < 6 {
		t.Errorf("after node n0's sessions were killed: %d of the next 10 ticks ran, want at least 6", ran)
	}

	// Two nodes stop (they tick no more): the third runs every tick.
	var last []string
	for range 5 {
		last = append(last, run(ns[2:]))
	}
	check("one node left", last)
	byNode := map[string]int{}
	raw, err := svc.Query(adminCtx, "ticks", db.Doc{{Key: "limit", Value: int64(1000)}})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range raw {
		var m struct{ Time, Node string }
		json.Unmarshal(b, &m)
		if slices.Contains(last, m.Time) {
			byNode[m.Node]++
		}
	}
	if byNode["n2"] != len(last) {
		t.Errorf("with only node n2 left, its runs of the last %d ticks: %v", len(last), byNode)
	}
}

// Database triggers on two nodes: every change is delivered once, by the
// node that leads; when its leadership session is killed or it stops, the
// other delivers what follows, still once each.
func TestDBTriggersOnceAcrossNodes(t *testing.T) {
	const index = `const cloud = require('wx-server-sdk'); cloud.init();
exports.main = async (event) => { await cloud.database().collection('seen').add({data: {of: event.DocId, node}}) }`
	ns, url := pgNodes(t, 2, map[string][2]string{
		"onorder": {index, `{"triggers": [{"name": "t", "type": "database", "config": {"collection": "orders", "events": ["insert"]}}]}`},
	}, time.Now())
	stops := make([]func(), len(ns))
	for i, n := range ns {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			n.dbt.Run(ctx, n.report)
		}()
		stops[i] = func() { cancel(); <-done }
		t.Cleanup(stops[i])
	}
	svc := ns[0].svc
	next := 0
	insert := func(per int) {
		t.Helper()
		var wg sync.WaitGroup
		for _, n := range ns {
			ids := make([]db.Doc, per)
			for k := range ids {
				next++
				ids[k] = db.Doc{{Key: "data", Value: db.Doc{{Key: "_id", Value: fmt.Sprintf("o%03d", next)}}}}
			}
			wg.Go(func() {
				for _, d := range ids {
					if _, _, err := n.svc.Insert(adminCtx, "orders", d); err != nil {
						t.Error(err)
					}
				}
			})
		}
		wg.Wait()
	}
	delivered := func(what string, want int) {
		t.Helper()
		until(t, what, func() bool {
			cs, err := ns[0].drv.Changes(context.Background(), FeedConsumer, 0, 10)
			if err != nil {
				t.Fatal(err)
			}
			seen := count(t, svc, "seen", "of")
			return len(cs) == 0 && len(seen) == want
		})
	}
	insert(20)
	delivered("all 40 delivered", 40)

	// The leader's session is killed: the other node (or it, on a new
	// session) takes over.
	terminate(t, url, `SELECT a.pid FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid
		WHERE a.datname = current_database() AND a.application_name = 'minibase lead `+dbTriggersLeadership+`' AND l.locktype = 'advisory' AND l.granted`)
	until(t, "the leader's loss reported", func() bool { // it has stopped delivering: what follows is the next leader's
		for _, n := range ns {
			n.mu.Lock()
			lost := slices.ContainsFunc(n.reports, func(r string) bool { return strings.Contains(r, "lost the leadership") })
			n.mu.Unlock()
			if lost {
				return true
			}
		}
		return false
	})
	insert(10)
	delivered("the 20 written after the leader's session was killed delivered", 60)

	// A node stops: the other delivers.
	stops[0]()
	before := count(t, svc, "seen", "node")["n1"]
	insert(10)
	delivered("the 20 written after node n0 stopped delivered", 80)
	if n := count(t, svc, "seen", "node")["n1"] - before; n != 20 {
		t.Errorf("node n1 delivered %d of the 20 changes written after node n0 stopped", n)
	}
	stops[1]()
	for of, n := range count(t, svc, "seen", "of") {
		if n != 1 {
			t.Errorf("change of %s delivered %d times, want once", of, n)
		}
	}
	byNode := count(t, svc, "seen", "node")
	if byNode["n0"]+byNode["n1"] != 80 {
		t.Errorf("deliveries by node %v, want 80 in all", byNode)
	}
}
