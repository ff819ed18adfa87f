package postgres

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"minibase/db"
)

// TestNodeFeed: each node's watches read a consumer of their own, so
// both get every change, whoever reads first. A node that crashed (its
// consumer not seen for nodeGone) has its consumer, subscriptions and
// changes deleted by another node's Run, so writes stop recording changes
// for it; a node that finds its own consumer deleted registers and
// subscribes it again and reports the loss; a node that stops deletes its
// own. A bad prefix is refused.
func TestNodeFeed(t *testing.T) {
	ns, _ := nodes(t, 2)
	ctx := context.Background()
	fa, err := ns[0].NodeFeed(ctx, "watch")
	if err != nil {
		t.Fatal(err)
	}
	fb, err := ns[1].NodeFeed(ctx, "watch")
	if err != nil {
		t.Fatal(err)
	}
	if fa.Consumer() == fb.Consumer() || !strings.HasPrefix(fa.Consumer(), "watch:") {
		t.Fatalf("consumers %q and %q: want two, named watch:…", fa.Consumer(), fb.Consumer())
	}
	for _, f := range []*NodeFeed{fa, fb} {
		if err := f.Subscribe(ctx, []string{"msgs"}); err != nil {
			t.Fatal(err)
		}
	}
	write := func(id string) {
		t.Helper()
		if _, err := ns[1].Write(ctx, "msgs", &db.WriteOp{Kind: db.WriteInsert, Docs: []db.Doc{mustDoc(t, `{"_id": "`+id+`"}`)}}); err != nil {
			t.Fatal(err)
		}
	}
	pending := func(f *NodeFeed) []string {
		t.Helper()
		cs, err := f.Changes(ctx, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, c := range cs {
			ids = append(ids, c.ID)
		}
		return ids
	}
	write("m1")
	if a, b := pending(fa), pending(fb); len(a) != 1 || len(b) != 1 {
		t.Fatalf("after one write: node A's feed %v, node B's %v; want m1 in both", a, b)
	}
	count := func(q string, args ...any) (n int) {
		t.Helper()
		if err := ns[1].pool.QueryRow(ctx, q, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	// Node A crashed long ago: node B's Run removes its feed.
	sqlOn := func(q string, args ...any) {
		t.Helper()
		if _, err := ns[1].pool.Exec(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	sqlOn("UPDATE _feed_nodes SET seen = now() - interval '11 minutes' WHERE consumer = $1", fa.Consumer())
	var mu sync.Mutex
	var reports []string
	report := func(err error) { mu.Lock(); reports = append(reports, err.Error()); mu.Unlock() }
	bctx, stopB := context.WithCancel(ctx)
	bdone := make(chan struct{})
	go func() { defer close(bdone); fb.Run(bctx, report) }()
	defer func() { stopB(); <-bdone }()
	until(t, "node A's feed removed", func() bool {
		return count("SELECT count(*) FROM _change_subs WHERE consumer = $1", fa.Consumer())+
			count("SELECT count(*) FROM _changes WHERE consumer = $1", fa.Consumer()) == 0
	})
	write("m2")
	if a := pending(fa); len(a) != 0 {
		t.Errorf("node A's feed after its removal got %v", a)
	}
	if b := pending(fb); len(b) != 2 {
		t.Errorf("node B's feed %v, want m1 and m2", b)
	}

	// Node A was only cut off: its Run finds its feed gone, registers and
	// subscribes it again, and says what its watches missed.
	fa.touch = time.Millisecond
	actx, stopA := context.WithCancel(ctx)
	adone := make(chan struct{})
	go func() { defer close(adone); fa.Run(actx, report) }()
	until(t, "node A's loss reported", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(reports) > 0
	})
	mu.Lock()
	r := reports[0]
	mu.Unlock()
	if !strings.Contains(r, fa.Consumer()) || !strings.Contains(r, "missed the changes") {
		t.Errorf("report %q", r)
	}
	write("m3")
	if a := pending(fa); len(a) != 1 || a[0] != "m3" {
		t.Errorf("node A's feed once back: %v, want m3", a)
	}

	// Node A stops: its feed goes.
	stopA()
	<-adone
	if n := count("SELECT count(*) FROM _change_subs WHERE consumer = $1", fa.Consumer()) +
		count("SELECT count(*) FROM _feed_nodes WHERE consumer = $1", fa.Consumer()); n != 0 {
		t.Errorf("node A stopped: %d rows of its feed left", n)
	}
	if n := count("SELECT count(*) FROM _feed_nodes WHERE consumer = $1", fb.Consumer()); n != 1 {
		t.Errorf("node B's feed registered %d times, want once", n)
	}

	for _, bad := range []string{"", "bad prefix", strings.Repeat("w", 52)} {
		if _, err := ns[0].NodeFeed(ctx, bad); db.ErrorCode(err) != db.CodeInvalidParam {
			t.Errorf("NodeFeed(%q): %v, want INVALID_PARAM", bad, err)
		}
	}
}

// until waits for cond (polling), failing after 30 s.
func until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("still not %s after 30 s", what)
		}
	}
}
