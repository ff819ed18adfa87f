package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"minibase/auth"
	"minibase/db"

	"github.com/fasthttp/websocket"
	"github.com/gofiber/fiber/v2"
)

// watchHub serves realtime watches of node d, as serve does on
// PostgreSQL (a NodeFeed per node), to admin clients, and returns the
// ws:// URL of /v1/db/{coll}/watch's prefix.
func watchHub(t *testing.T, d *DB) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	feed, err := d.NodeFeed(ctx, "watch")
	if err != nil {
		t.Fatal(err)
	}
	svc := db.NewService(d, db.Limits{})
	w := db.NewWatches(svc, feed, db.WatchOptions{})
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	sockets := app.Group("/v1", func(c *fiber.Ctx) error {
		c.SetUserContext(auth.NewContext(c.UserContext(), &auth.Identity{Role: auth.Admin}))
		return c.Next()
	})
	w.Mount(sockets)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() { app.Listener(ln) })
	wg.Go(func() { feed.Run(ctx, func(err error) { t.Log(err) }) })
	wg.Go(func() { w.Run(ctx, func(err error) { t.Log(err) }) })
	t.Cleanup(func() {
		cancel()
		app.Shutdown()
		wg.Wait()
	})
	return "ws://" + ln.Addr().String() + "/v1/db/"
}

// hubClient is a watch connection's messages.
type hubClient struct {
	t   *testing.T
	ws  *websocket.Conn
	got chan map[string]any
}

func dialHub(t *testing.T, url, coll, query string) *hubClient {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(url+coll+"/watch", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	c := &hubClient{t: t, ws: ws, got: make(chan map[string]any, 1000)}
	go func() {
		defer close(c.got)
		for {
			_, data, err := ws.ReadMessage()
			if err != nil {
				return
			}
			var m map[string]any
			json.Unmarshal(data, &m)
			c.got <- m
		}
	}()
	if err := ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"watch","watchId":"w","query":`+query+`}`)); err != nil {
		t.Fatal(err)
	}
	if m := c.next(); m["type"] != "init" {
		t.Fatalf("got %v, want the init message", m)
	}
	return c
}

func (c *hubClient) next() map[string]any {
	c.t.Helper()
	select {
	case m, ok := <-c.got:
		if !ok {
			c.t.Fatal("the watch connection ended")
		}
		return m
	case <-time.After(30 * time.Second):
		c.t.Fatal("no message from the watch within 30 s")
	}
	return nil
}

// docIDs returns the ids of the next n docChanges, each checked to follow
// the one before (consecutive ids).
func (c *hubClient) docIDs(n int) []string {
	c.t.Helper()
	var out []string
	var last float64
	for len(out) < n {
		m := c.next()
		if m["type"] != "events" {
			c.t.Fatalf("got %v, want events", m)
		}
		for _, e := range m["events"].([]any) {
			ev := e.(map[string]any)
			if id := ev["id"].(float64); last != 0 && id != last+1 {
				c.t.Fatalf("docChange id %v after %v: a gap", id, last)
			}
			last = ev["id"].(float64)
			out = append(out, ev["docId"].(string))
		}
	}
	if len(out) != n {
		c.t.Fatalf("%d docChanges, want %d", len(out), n)
	}
	return out
}

// TestWatchAcrossNodes: two nodes, each serving realtime watches over its
// own feed. Writers on both nodes at once: a watch on either node gets
// every insert, from both, each once, in one order (the commit order: the
// same on both nodes), each writer's in the order it wrote them. A write
// committed through node B while node A's LISTEN connection is down
// reaches node A's watch once it is back.
func TestWatchAcrossNodes(t *testing.T) {
	ns, url := nodes(t, 2)
	ctx := context.Background()
	insert := func(d *DB, doc string) {
		t.Helper()
		if _, err := d.Write(ctx, "msgs", &db.WriteOp{Kind: db.WriteInsert, Docs: []db.Doc{mustDoc(t, doc)}}); err != nil {
			t.Error(err)
		}
	}
	insert(ns[0], `{"_id": "first"}`)
	a := dialHub(t, watchHub(t, ns[0]), "msgs", `{"filter":{}}`)
	b := dialHub(t, watchHub(t, ns[1]), "msgs", `{"filter":{}}`)

	const writers, each = 2, 15 // per node
	var wg sync.WaitGroup
	for i, n := range ns {
		for w := range writers {
			wg.Go(func() {
				for k := range each {
					insert(n, fmt.Sprintf(`{"_id": "n%dw%d-%02d"}`, i, w, k))
				}
			})
		}
	}
	wg.Wait()
	const total = 2 * writers * each
	onA, onB := a.docIDs(total), b.docIDs(total)
	last := map[string]string{}
	for i := range onA {
		if onA[i] != onB[i] {
			t.Fatalf("docChange %d: %s on node A, %s on node B: not one order", i, onA[i], onB[i])
		}
		w, k, _ := strings.Cut(onA[i], "-")
		if k <= last[w] && last[w] != "" {
			t.Fatalf("writer %s: %s after %s", w, k, last[w])
		}
		last[w] = k
	}
	if len(last) != 2*writers {
		t.Fatalf("writers seen %v", last)
	}

	// Node A's LISTEN connection dies and cannot come back while node B
	// commits.
	var dbname string
	if err := ns[0].pool.QueryRow(ctx, "SELECT current_database()").Scan(&dbname); err != nil {
		t.Fatal(err)
	}
	other := strings.Replace(url, "/"+dbname+"?", "/postgres?", 1)
	sql(t, other, "ALTER DATABASE "+dbname+" WITH ALLOW_CONNECTIONS false")
	defer sql(t, other, "ALTER DATABASE "+dbname+" WITH ALLOW_CONNECTIONS true")
	sql(t, other, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND query LIKE 'LISTEN "+notifyChannel+"%'", dbname)
	until(t, "the LISTEN sessions gone", func() bool {
		var n int
		ns[1].pool.QueryRow(ctx, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN "+notifyChannel+"%'").Scan(&n)
		return n == 0
	})
	insert(ns[1], `{"_id": "while-down"}`)
	sql(t, other, "ALTER DATABASE "+dbname+" WITH ALLOW_CONNECTIONS true")
	if got := a.docIDs(1); got[0] != "while-down" {
		t.Fatalf("node A's watch after its LISTEN connection came back: %v, want while-down", got)
	}
	if got := b.docIDs(1); got[0] != "while-down" {
		t.Fatalf("node B's watch: %v, want while-down", got)
	}
}
