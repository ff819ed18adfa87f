package postgres

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"minibase/db"
	"minibase/db/postgres/pgtest"

	"github.com/jackc/pgx/v5"
)

// nodes opens n drivers on one fresh database, as n minibase nodes, and
// returns them and the database's URL.
func nodes(t *testing.T, n int) ([]*DB, string) {
	t.Helper()
	url := pgtest.Database(t)
	out := make([]*DB, n)
	for i := range out {
		d, err := Open(context.Background(), url, Options{MaxConns: 4})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		out[i] = d
	}
	return out, url
}

// sql runs a statement on a connection of its own (outside every node).
func sql(t *testing.T, url, query string, args ...any) {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// TestClaimTickOnce: three nodes claiming the same ticks of the same
// timers at once: each (timer, tick) goes to exactly one of them; another
// timer's tick, or the next tick, is a claim of its own. A bad name is an
// error and claims nothing.
func TestClaimTickOnce(t *testing.T) {
	ns, _ := nodes(t, 3)
	ctx := context.Background()
	start := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	const ticks = 30
	timers := []string{"report/daily", "cleanup/hourly"}
	won := make(map[string]int) // "timer tick" → claims won
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, n := range ns {
		wg.Go(func() {
			for i := range ticks {
				for _, tm := range timers {
					tick := start.Add(time.Duration(i) * time.Second)
					ok, err := n.ClaimTick(ctx, tm, tick)
					if err != nil {
						t.Error(err)
						return
					}
					if ok {
						mu.Lock()
						won[fmt.Sprint(tm, " ", tick.Unix())]++
						mu.Unlock()
					}
				}
			}
		})
	}
	wg.Wait()
	if len(won) != ticks*len(timers) {
		t.Errorf("%d (timer, tick) pairs claimed, want %d", len(won), ticks*len(timers))
	}
	for k, n := range won {
		if n != 1 {
			t.Errorf("%s claimed %d times, want once", k, n)
		}
	}
	for _, bad := range []string{"", strings.Repeat("x", maxTimerKey+1)} {
		if ok, err := ns[0].ClaimTick(ctx, bad, start.Add(time.Hour)); err == nil || ok {
			t.Errorf("ClaimTick(%d-byte name) = %v, %v; want an error", len(bad), ok, err)
		}
	}
	var n int
	if err := ns[0].pool.QueryRow(ctx, "SELECT count(*) FROM _timer_ticks").Scan(&n); err != nil || n != ticks*len(timers) {
		t.Errorf("%d claims stored (%v), want %d", n, err, ticks*len(timers))
	}
}

// TestClaimTickPrunes: claims a day older than the tick claimed are
// deleted, so the table does not grow with every tick.
func TestClaimTickPrunes(t *testing.T) {
	ns, _ := nodes(t, 1)
	d, ctx := ns[0], context.Background()
	old := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for i := range 5 {
		if ok, err := d.ClaimTick(ctx, "f/t", old.Add(time.Duration(i)*time.Minute)); !ok || err != nil {
			t.Fatal(ok, err)
		}
	}
	now := old.Add(48 * time.Hour)
	if ok, err := d.ClaimTick(ctx, "f/t", now); !ok || err != nil {
		t.Fatal(ok, err)
	}
	var ticks []int64
	rows, _ := d.pool.Query(ctx, "SELECT tick FROM _timer_ticks")
	ticks, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil || len(ticks) != 1 || ticks[0] != now.UnixMilli() {
		t.Errorf("claims left %v (%v), want only the new tick's", ticks, err)
	}
}

// leadEvent is a node starting (on) or stopping to lead.
type leadEvent struct {
	node int
	on   bool
}

// leaderPID returns the backend holding name's leadership lock.
func leaderPID(t *testing.T, d *DB, name string) int {
	t.Helper()
	var pid int
	err := d.pool.QueryRow(context.Background(), `SELECT l.pid FROM pg_locks l
		WHERE l.locktype = 'advisory' AND l.granted AND ((l.classid::bigint << 32) | l.objid::bigint) = $1`, leadKey(name)).Scan(&pid)
	if err != nil {
		t.Fatalf("find the leader's session: %v", err)
	}
	return pid
}

// TestLeadFailover: of three nodes asking for the same leadership, one
// leads at a time; when its session is killed (pg_terminate_backend, as
// when its machine vanishes) it stops leading and another node takes over
// within seconds; when that node stops, the third takes over.
func TestLeadFailover(t *testing.T) {
	ns, url := nodes(t, 3)
	events := make(chan leadEvent, 16)
	var reports sync.Map
	cancels := make([]context.CancelFunc, len(ns))
	var wg sync.WaitGroup
	for i, n := range ns {
		ctx, cancel := context.WithCancel(context.Background())
		cancels[i] = cancel
		wg.Go(func() {
			n.Lead(ctx, "test", func(ctx context.Context) {
				events <- leadEvent{i, true}
				<-ctx.Done()
				events <- leadEvent{i, false}
			}, func(err error) { reports.Store(err.Error(), i) })
		})
	}
	t.Cleanup(func() {
		for _, c := range cancels {
			c()
		}
		wg.Wait()
	})
	next := func(what string) leadEvent {
		t.Helper()
		select {
		case e := <-events:
			return e
		case <-time.After(30 * time.Second):
			t.Fatalf("no node %s within 30 s", what)
		}
		panic("unreachable")
	}
	first := next("leads")
	if !first.on {
		t.Fatalf("first event %+v", first)
	}

	killed := time.Now()
	sql(t, url, "SELECT pg_terminate_backend($1)", leaderPID(t, ns[0], "test"))
	// The old leader stops, and a node (any: the one cut off may take it
	// back on a new session) leads.
	var stopped bool
	var second leadEvent
	for !stopped || !second.on {
		switch e := next("stops leading and another takes over"); {
		case !e.on && e.node == first.node && !stopped:
			stopped = true
		case e.on && !second.on:
			second = e
		default:
			t.Fatalf("after the leader's session was killed: unexpected %+v", e)
		}
	}
	for deadline := time.Now().Add(30 * time.Second); !reported(&reports, first.node); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) { // the report follows the event (see TestLeadPartitioned)
			t.Fatalf("node %d did not report losing the leadership within 30 s", first.node)
		}
	}
	t.Logf("failover after the leader's session was killed: %v", time.Since(killed))

	cancels[second.node]()
	if e := next("stops leading"); e != (leadEvent{second.node, false}) {
		t.Fatalf("after node %d stopped: %+v", second.node, e)
	}
	third := next("takes over")
	if !third.on || third.node == second.node {
		t.Fatalf("after node %d stopped: %+v, want another node to lead", second.node, third)
	}
}

// reported: node reported losing its leadership.
func reported(reports *sync.Map, node int) bool {
	found := false
	reports.Range(func(k, v any) bool {
		if v == node && strings.Contains(k.(string), "lost the leadership") {
			found = true
		}
		return !found
	})
	return found
}

// TestFeedAcrossNodes: realtime watches on two nodes each read the feed
// under a consumer of their own. Writers on both nodes at once: each node's
// consumer gets every change, from both, in the same (commit) order, each
// writer's changes in the order it made them. A change committed while a
// node's LISTEN connection is down reaches it when the connection is back.
func TestFeedAcrossNodes(t *testing.T) {
	ns, url := nodes(t, 2)
	ctx := context.Background()
	consumers := []string{"watch:a", "watch:b"}
	for i, n := range ns {
		if err := n.Subscribe(ctx, consumers[i], []string{"msgs"}); err != nil {
			t.Fatal(err)
		}
	}
	const writers, each = 3, 20 // per node
	var wg sync.WaitGroup
	for i, n := range ns {
		for w := range writers {
			wg.Go(func() {
				for k := range each {
					doc := mustDoc(t, fmt.Sprintf(`{"_id": "n%dw%dk%02d", "w": "n%dw%d", "k": %d}`, i, w, k, i, w, k))
					if _, err := n.Write(ctx, "msgs", &db.WriteOp{Kind: db.WriteInsert, Docs: []db.Doc{doc}}); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
	}
	wg.Wait()
	const total = 2 * writers * each
	read := func(n *DB, consumer string) []db.Change {
		t.Helper()
		var out []db.Change
		var after int64
		for {
			cs, err := n.Changes(ctx, consumer, after, 7) // small pages: the cursor is exercised
			if err != nil {
				t.Fatal(err)
			}
			if len(cs) == 0 {
				return out
			}
			out = append(out, cs...)
			after = cs[len(cs)-1].Seq
		}
	}
	a, b := read(ns[0], consumers[0]), read(ns[1], consumers[1])
	if len(a) != total || len(b) != total {
		t.Fatalf("node A's watch feed has %d changes, node B's %d; want %d each", len(a), len(b), total)
	}
	last := map[string]int64{}
	for i := range a {
		if a[i].ID != b[i].ID {
			t.Fatalf("change %d: node A sees %s, node B %s: not one order", i, a[i].ID, b[i].ID)
		}
		if i > 0 && a[i].Seq <= a[i-1].Seq {
			t.Fatalf("change %d: seq %d after %d", i, a[i].Seq, a[i-1].Seq)
		}
		w, _ := a[i].Doc.Get("w")
		k, _ := a[i].Doc.Get("k")
		if prev, ok := last[w.(string)]; ok && k.(int64) != prev+1 || !ok && k.(int64) != 0 {
			t.Fatalf("writer %s: change k=%v after k=%v", w, k, prev)
		}
		last[w.(string)] = k.(int64)
	}

	// A watch hub's loop on node A: Changed, then Changes, then wait.
	got := make(chan string, 10)
	rctx, stop := context.WithCancel(ctx)
	defer stop()
	go func() {
		after := a[len(a)-1].Seq
		for rctx.Err() == nil {
			wake := ns[0].Changed()
			cs, _ := ns[0].Changes(rctx, consumers[0], after, 10) // an error: read again at the next wake
			for _, c := range cs {
				got <- c.ID
				after = c.Seq
			}
			select {
			case <-wake:
			case <-rctx.Done():
			}
		}
	}()
	expect := func(id, when string) {
		t.Helper()
		select {
		case g := <-got:
			if g != id {
				t.Fatalf("%s: node A read %s, want %s", when, g, id)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("%s: node A did not read %s within 30 s", when, id)
		}
	}
	insert := func(id string) {
		t.Helper()
		if _, err := ns[1].Write(ctx, "msgs", &db.WriteOp{Kind: db.WriteInsert, Docs: []db.Doc{mustDoc(t, `{"_id": "`+id+`"}`)}}); err != nil {
			t.Fatal(err)
		}
	}
	insert("before")
	expect("before", "a write through node B")

	// Node A's LISTEN connection dies and cannot come back (the database
	// takes no new connections; the pools keep theirs) while node B
	// commits a change.
	var dbname string
	if err := ns[0].pool.QueryRow(ctx, "SELECT current_database()").Scan(&dbname); err != nil {
		t.Fatal(err)
	}
	listeners := func() (n int) {
		t.Helper()
		err := ns[1].pool.QueryRow(ctx, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN "+notifyChannel+"%'").Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	other := strings.Replace(url, "/"+dbname+"?", "/postgres?", 1) // a database cannot lock itself out
	sql(t, other, "ALTER DATABASE "+dbname+" WITH ALLOW_CONNECTIONS false")
	defer sql(t, other, "ALTER DATABASE "+dbname+" WITH ALLOW_CONNECTIONS true")
	// Both nodes' listeners go (which is node A's is not told apart).
	sql(t, other, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND query LIKE 'LISTEN "+notifyChannel+"%'", dbname)
	for deadline := time.Now().Add(30 * time.Second); listeners() != 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("node A's LISTEN session still there 30 s after it was terminated")
		}
	}
	insert("while-down")
	sql(t, other, "ALTER DATABASE "+dbname+" WITH ALLOW_CONNECTIONS true")
	expect("while-down", "a write through node B while node A's LISTEN connection was down")
	for deadline := time.Now().Add(30 * time.Second); listeners() != 2; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("node A is not listening again 30 s after the database took connections again")
		}
	}
	insert("after")
	expect("after", "a write through node B once node A listens again")
}

// proxy forwards TCP connections to a PostgreSQL server until freeze,
// after which it forwards nothing and closes nothing: the connections
// through it look, to both ends, like a network that dropped every
// packet (but for TCP keepalives, which the proxy's own sockets answer).
type proxy struct {
	ln     net.Listener
	frozen chan struct{}
	once   sync.Once
}

func newProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, frozen: make(chan struct{})}
	var conns []net.Conn
	var mu sync.Mutex
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				in.Close()
				continue
			}
			mu.Lock()
			conns = append(conns, in, out)
			mu.Unlock()
			go p.pipe(in, out)
			go p.pipe(out, in)
		}
	}()
	return p
}

// pipe copies from src to dst until either fails, or forever once frozen.
func (p *proxy) pipe(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		select {
		case <-p.frozen:
			return // drop what came, and everything after
		default:
		}
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			dst.Close()
			return
		}
	}
}

func (p *proxy) freeze() { p.once.Do(func() { close(p.frozen) }) }

// TestLeadPartitioned: a leader cut off from the database (a network
// that drops its packets, nothing closed) stops leading on its own, when
// its heartbeat gets no answer, though its session and lock live on; once
// PostgreSQL ends that session (as its keepalives do after about 10 s on
// a real network), another node leads.
func TestLeadPartitioned(t *testing.T) {
	url := pgtest.Database(t)
	host := strings.TrimPrefix(url, "postgres://minibase@")
	host = host[:strings.Index(host, "/")]
	px := newProxy(t, host)
	var ns [2]*DB
	for i, u := range []string{strings.Replace(url, host, px.ln.Addr().String(), 1), url} {
		d, err := Open(context.Background(), u, Options{MaxConns: 4})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		ns[i] = d
	}
	events := make(chan leadEvent, 16)
	var reports sync.Map
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	t.Cleanup(func() { cancel(); wg.Wait() })
	lead := func(i int) {
		wg.Go(func() {
			ns[i].Lead(ctx, "test", func(ctx context.Context) {
				events <- leadEvent{i, true}
				<-ctx.Done()
				events <- leadEvent{i, false}
			}, func(err error) { reports.Store(err.Error(), i) })
		})
	}
	next := func(what string) leadEvent {
		t.Helper()
		select {
		case e := <-events:
			return e
		case <-time.After(30 * time.Second):
			t.Fatalf("no node %s within 30 s", what)
		}
		panic("unreachable")
	}
	lead(0)
	if e := next("leads"); e != (leadEvent{0, true}) {
		t.Fatalf("node 0 alone: %+v", e)
	}
	lead(1)
	pid := leaderPID(t, ns[1], "test")

	cut := time.Now()
	px.freeze()
	if e := next("stops leading"); e != (leadEvent{0, false}) {
		t.Fatalf("after node 0 was cut off: %+v, want it to stop leading", e)
	}
	t.Logf("the leader cut off stopped leading after %v", time.Since(cut))
	// The report comes from Lead once the leadership's callback returned:
	// after the event, not before.
	for deadline := time.Now().Add(30 * time.Second); !reported(&reports, 0); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("node 0 did not report losing the leadership within 30 s")
		}
	}
	// Its session still holds the lock: node 1 waits. PostgreSQL ends
	// the session (here by hand) and node 1 takes over.
	if got := leaderPID(t, ns[1], "test"); got != pid {
		t.Fatalf("the lock moved from session %d to %d while the leader's session lived", pid, got)
	}
	sql(t, url, "SELECT pg_terminate_backend($1)", pid)
	if e := next("takes over"); e != (leadEvent{1, true}) {
		t.Fatalf("after node 0's session ended: %+v, want node 1 to lead", e)
	}
}
