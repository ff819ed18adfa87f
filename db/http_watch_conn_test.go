//go:build !minibase_fuzz

package db_test

import (
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"minibase/server"
	"minibase/server/servertest"

	"github.com/fasthttp/websocket"
)

// TestWatchResume: a client whose connection dropped watches again with
// the query's id and the last event it applied: it gets exactly the
// events it missed, none twice. When the query's log no longer reaches
// back that far, or the query is another (after a restart), it gets a
// fresh init instead.
func TestWatchResume(t *testing.T) {
	s := listening(t, nil)
	do(t, s, "POST", "/v1/db/feed/insert", `{"data":{"_id":"000"}}`)
	c := dialWatch(t, s, "feed", servertest.Admin)
	init := c.watch("w", `{"sort":[["_id",1]]}`)
	qid := init.str("queryId")
	do(t, s, "POST", "/v1/db/feed/insert", `{"data":{"_id":"001"}}`)
	last := c.expectEvent("add/enqueue 001").num("eventId")
	c.ws.NetConn().Close() // the network drops mid-stream
	for i := 2; i <= 4; i++ {
		do(t, s, "POST", "/v1/db/feed/insert", fmt.Sprintf(`{"data":{"_id":"%03d"}}`, i))
	}
	again := dialWatch(t, s, "feed", servertest.Admin)
	again.send(fmt.Sprintf(`{"type":"watch","watchId":"w","query":{"sort":[["_id",1]]},"resume":{"queryId":%q,"eventId":%d}}`, qid, last))
	m := again.expect("resume")
	// The change feed delivers a committed insert a moment after its
	// answer: what the query's log did not hold yet when the resume was
	// answered follows it as events, none missed and none twice.
	got, events := kinds(m), m.events()
	for len(got) < 3 {
		e := again.expect("events")
		got, events = append(got, kinds(e)...), append(events, e.events()...)
	}
	if !slices.Equal(got, []string{"add/enqueue 002", "add/enqueue 003", "add/enqueue 004"}) || m.str("queryId") != qid {
		t.Fatalf("resume: %v of query %s, want the 3 missed adds of %s", got, m.str("queryId"), qid)
	}
	for i, e := range events {
		if int64(e["id"].(float64)) != last+1+int64(i) {
			t.Errorf("event ids %v: want %d, %d, %d", m.events(), last+1, last+2, last+3)
		}
	}
	do(t, s, "POST", "/v1/db/feed/insert", `{"data":{"_id":"005"}}`)
	if id := again.expectEvent("add/enqueue 005").num("eventId"); id != last+4 {
		t.Errorf("the next event's id %d, want %d", id, last+4)
	}
	// Up to date: an empty resume.
	up := dialWatch(t, s, "feed", servertest.Admin)
	up.send(fmt.Sprintf(`{"type":"watch","watchId":"w","query":{"sort":[["_id",1]]},"resume":{"queryId":%q,"eventId":%d}}`, qid, last+4))
	if m := up.expect("resume"); len(m.events()) != 0 {
		t.Errorf("resume from the newest event: %v, want none", m.events())
	}
	// Beyond the log (1000 events): a fresh init.
	var docs []string
	for i := range 1000 {
		docs = append(docs, fmt.Sprintf(`{"_id":"x%04d"}`, i))
	}
	do(t, s, "POST", "/v1/db/feed/insert", `{"data":[`+strings.Join(docs, ",")+`]}`)
	do(t, s, "POST", "/v1/db/feed/insert", `{"data":{"_id":"y"}}`)
	for range 1001 {
		again.expect("events")
	}
	late := dialWatch(t, s, "feed", servertest.Admin)
	late.send(fmt.Sprintf(`{"type":"watch","watchId":"w","query":{"sort":[["_id",1]]},"resume":{"queryId":%q,"eventId":%d}}`, qid, last+4))
	if m := late.expect("init"); len(m.docs()) != 1007 {
		t.Errorf("resume from before the log: init of %d documents, want all 1007", len(m.docs()))
	}
	// After a restart the query is another: a fresh init.
	s.Restart(t)
	fresh := dialWatch(t, s, "feed", servertest.Admin)
	fresh.send(fmt.Sprintf(`{"type":"watch","watchId":"w","query":{"sort":[["_id",1]]},"resume":{"queryId":%q,"eventId":%d}}`, qid, last+1005))
	if m := fresh.expect("init"); m.str("queryId") == qid || len(m.docs()) != 1007 {
		t.Errorf("resume after a restart: %v of query %s, want an init of a new query", len(m.docs()), m.str("queryId"))
	}
}

// TestWatchIdle: a connection that sends nothing for
// MINIBASE_WATCH_IDLE_TIMEOUT is closed; a ping keeps it open (pong).
func TestWatchIdle(t *testing.T) {
	s := listening(t, map[string]string{"MINIBASE_WATCH_IDLE_TIMEOUT": "1s"})
	do(t, s, "POST", "/v1/db/c/insert", `{"data":{"_id":"1"}}`)
	c := dialWatch(t, s, "c", servertest.Admin)
	c.send(`{"type":"ping"}`)
	c.expect("pong")
	if ce := c.closedWith(); ce.Code != websocket.CloseNormalClosure || !strings.HasPrefix(ce.Text, "idle") {
		t.Errorf("closed with %v, want 1000 idle", ce)
	}
}

// TestWatchUserLimit: one user's watches and connections together are at
// most MINIBASE_WATCH_PER_USER; a connection or a watch beyond is refused
// (EXCEED_REQUEST_LIMIT); closing one frees its place.
func TestWatchUserLimit(t *testing.T) {
	s := listening(t, map[string]string{"MINIBASE_WATCH_PER_USER": "3"})
	do(t, s, "POST", "/v1/db/c/insert", `{"data":{"_id":"1"}}`)
	do(t, s, "PUT", "/v1/admin/collections/c/rules", `{"preset":"READONLY"}`)
	a := dialWatch(t, s, "c", alice)
	a.watch("1", `{}`)
	b := dialWatch(t, s, "c", alice)
	// The server takes a connection's place after the upgrade, in the
	// connection's own goroutine: a round trip on b makes sure it has,
	// before a third connection races it for the last place.
	b.send(`{"type":"ping"}`)
	b.expect("pong")
	refused(t, s, "c", alice, "", "EXCEED_REQUEST_LIMIT") // a third place (2 connections, 1 watch held)
	b.send(`{"type":"watch","watchId":"2","query":{}}`)
	if m := b.expect("error"); m.str("code") != "EXCEED_REQUEST_LIMIT" {
		t.Errorf("a watch beyond the limit: %v", m)
	}
	dialWatch(t, s, "c", bob).watch("1", `{}`) // another user is not counted with alice
	a.send(`{"type":"close","watchId":"1"}`)
	a.expect("closed")
	b.watch("2", `{}`)
}

// TestWatchSlowClient: a client that does not read its messages is
// disconnected once what waits for it passes the bound (the connection's
// and its watch's places in the limits are free again), and holds up
// nobody: another client watching the same query gets every event
// meanwhile, each before the next write.
func TestWatchSlowClient(t *testing.T) {
	s := servertest.New(t, servertest.Options{Listen: true, Env: map[string]string{"MINIBASE_WATCH_MAX": "4"},
		Config: func(c *server.Config) { c.Watch.SendBuffer = 256 << 10 }})
	do(t, s, "POST", "/v1/db/c/insert", `{"data":{"_id":"0"}}`)
	// The slow client: a socket with a small receive buffer, never read.
	dialer := websocket.Dialer{NetDial: func(network, addr string) (net.Conn, error) {
		c, err := net.Dial(network, addr)
		if err == nil {
			err = c.(*net.TCPConn).SetReadBuffer(4 << 10)
		}
		return c, err
	}}
	h := map[string][]string{"Authorization": {"Bearer " + servertest.AdminKey}}
	slow, _, err := dialer.Dial("ws"+strings.TrimPrefix(s.URL, "http")+"/v1/db/c/watch", h)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	slow.WriteMessage(websocket.TextMessage, []byte(`{"type":"watch","watchId":"w","query":{}}`))
	fast := dialWatch(t, s, "c", servertest.Admin)
	fast.watch("w", `{}`)
	// 4 places are taken (2 connections, 2 watches): no fifth.
	refused(t, s, "c", servertest.Admin, "", "EXCEED_REQUEST_LIMIT")
	// 9 MiB of events: more than the server's socket buffer (at most
	// 4 MiB here), the client's and the queue's bound together.
	big := strings.Repeat("x", 60<<10)
	for i := 1; i <= 150; i++ {
		do(t, s, "POST", "/v1/db/c/insert", fmt.Sprintf(`{"data":{"_id":"%d","s":%q}}`, i, big))
		fast.expectEvent(fmt.Sprintf("add/enqueue %d", i))
	}
	servertest.WaitFor(t, "the slow client's places to be freed", func() bool {
		c, _, err := tryDial(t, s, "c", servertest.Admin, "")
		if err != nil {
			t.Fatal(err)
		}
		c.send(`{"type":"watch","watchId":"w","query":{"limit":1}}`)
		return c.next().str("type") == "init" // else the refusal
	})
}

// TestWatchMissesNothing: clients that start watching while another
// client writes end with exactly the collection's documents: a change
// committed while a watch's snapshot was read is neither lost nor
// applied twice.
func TestWatchMissesNothing(t *testing.T) {
	s := listening(t, nil)
	do(t, s, "POST", "/v1/db/c/insert", `{"data":{"_id":"seed","k":0}}`)
	var done atomic.Int64 // writes made
	const writes = 120
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // inserts, updates in and out of the filter, and removes
		defer wg.Done()
		for i := range writes {
			body := fmt.Sprintf(`{"data":{"_id":"d%04d","k":%d}}`, i, i%3)
			if r := s.Do(t, servertest.Request{Method: "POST", URL: "/v1/db/c/insert", Body: body, As: servertest.Admin}); r.Status != 200 {
				t.Errorf("insert: %d", r.Status)
				return
			}
			if i%4 == 3 {
				s.Do(t, servertest.Request{Method: "POST", URL: "/v1/db/c/update", As: servertest.Admin,
					Body: fmt.Sprintf(`{"filter":{"_id":"d%04d"},"update":{"$inc":{"k":1}}}`, i-2)})
			}
			if i%5 == 4 {
				s.Do(t, servertest.Request{Method: "DELETE", URL: fmt.Sprintf("/v1/db/c/docs/d%04d", i-3), As: servertest.Admin})
			}
			done.Add(1)
		}
	}()
	type watcher struct {
		c    *watchClient
		have map[string]bool
	}
	var ws []watcher
	for i := range 12 { // each starts after another 10 writes
		servertest.WaitFor(t, "the writer's progress", func() bool { return done.Load() >= int64(i*10) })
		c := dialWatch(t, s, "c", servertest.Admin)
		filter := `{"k":{"$lt":2}}`
		if i%2 == 1 {
			filter = `{}`
		}
		c.send(`{"type":"watch","watchId":"w","query":{"filter":` + filter + `}}`)
		ws = append(ws, watcher{c: c})
	}
	wg.Wait()
	do(t, s, "POST", "/v1/db/c/insert", `{"data":{"_id":"zzz-last","k":0}}`)
	for i, w := range ws {
		w.have = map[string]bool{}
		for done := false; !done; {
			m := w.c.next()
			switch m.str("type") {
			case "init":
				clear(w.have)
				for _, id := range m.docs() {
					w.have[id] = true
				}
				done = w.have["zzz-last"] // a snapshot read after the last write
			case "events":
				for _, e := range m.events() {
					id := e["docId"].(string)
					if e["queueType"] == "dequeue" {
						if !w.have[id] {
							t.Fatalf("watcher %d: dequeue of %s, which it does not hold", i, id)
						}
						delete(w.have, id)
						continue
					}
					if e["queueType"] == "enqueue" && w.have[id] {
						t.Fatalf("watcher %d: enqueue of %s, which it holds already", i, id)
					}
					w.have[id] = true
					done = done || id == "zzz-last"
				}
			default:
				t.Fatalf("watcher %d: %v", i, m)
			}
		}
		filter := `{"k":{"$lt":2}}`
		if i%2 == 1 {
			filter = `{}`
		}
		r := do(t, s, "POST", "/v1/db/c/query", `{"filter":`+filter+`,"limit":1000}`)
		var want []string
		for _, d := range r.Value("data").([]any) {
			want = append(want, d.(map[string]any)["_id"].(string))
		}
		got := make([]string, 0, len(w.have))
		for id := range w.have {
			got = append(got, id)
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("watcher %d holds %d documents, the collection has %d matching", i, len(got), len(want))
		}
	}
}
