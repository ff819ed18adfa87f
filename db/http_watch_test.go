//go:build !minibase_fuzz

package db_test

import (
	"slices"
	"strings"
	"testing"

	"minibase/server/servertest"
)

// listening opens a server that serves on a socket (watches need one) and
// runs in the background (the hub that applies changes).
func listening(tb testing.TB, env map[string]string) *servertest.Server {
	return servertest.New(tb, servertest.Options{Listen: true, Env: env})
}

// do sends an admin request and requires a 2xx answer.
func do(tb testing.TB, s *servertest.Server, method, url, body string) *servertest.Response {
	tb.Helper()
	r := s.Do(tb, servertest.Request{Method: method, URL: url, Body: body, As: servertest.Admin})
	if r.Status/100 != 2 {
		tb.Fatalf("%s %s: %d %s", method, url, r.Status, r.Body)
	}
	return r
}

// TestWatchEvents: the init snapshot, then one event per change with
// consecutive ids, in commit order, with each data type and queue type
// of wx.cloud's watch.
func TestWatchEvents(t *testing.T) {
	s := listening(t, nil)
	do(t, s, "POST", "/v1/db/msgs/insert", `{"data":[{"_id":"a","room":1,"n":1},{"_id":"b","room":2,"n":2}]}`)
	c := dialWatch(t, s, "msgs", servertest.Admin)
	init := c.watch("w1", `{"filter":{"room":1}}`)
	if got := init.docs(); !slices.Equal(got, []string{"a"}) {
		t.Fatalf("init docs %v, want [a]", got)
	}
	id := init.num("eventId")
	step := func(name, method, url, body string, want ...[3]string) {
		t.Helper()
		do(t, s, method, url, body)
		m := c.expect("events")
		evs := m.events()
		if len(evs) != len(want) {
			t.Fatalf("%s: %d docChanges %v, want %d", name, len(evs), evs, len(want))
		}
		id++
		for i, e := range evs {
			got := [3]string{e["dataType"].(string), e["queueType"].(string), e["docId"].(string)}
			if got != want[i] || int64(e["id"].(float64)) != id {
				t.Errorf("%s: docChange %d = %v id %v, want %v id %d", name, i, got, e["id"], want[i], id)
			}
		}
		if m.num("eventId") != id {
			t.Errorf("%s: eventId %d, want %d", name, m.num("eventId"), id)
		}
	}
	step("insert", "POST", "/v1/db/msgs/insert", `{"data":{"_id":"c","room":1,"n":3}}`, [3]string{"add", "enqueue", "c"})
	step("update", "POST", "/v1/db/msgs/update", `{"filter":{"_id":"a"},"update":{"$inc":{"n":10}}}`, [3]string{"update", "update", "a"})
	step("replace", "PUT", "/v1/db/msgs/docs/a", `{"data":{"room":1,"x":true}}`, [3]string{"replace", "update", "a"})
	step("update out of the query", "POST", "/v1/db/msgs/update", `{"filter":{"_id":"c"},"update":{"$set":{"room":2}}}`, [3]string{"update", "dequeue", "c"})
	step("update into the query", "POST", "/v1/db/msgs/update", `{"filter":{"_id":"b"},"update":{"$set":{"room":1}}}`, [3]string{"update", "enqueue", "b"})
	step("remove", "DELETE", "/v1/db/msgs/docs/a", ``, [3]string{"remove", "dequeue", "a"})
}

// kinds lists an events message's docChanges as "dataType/queueType docId".
func kinds(m wmsg) []string {
	var out []string
	for _, e := range m.events() {
		out = append(out, e["dataType"].(string)+"/"+e["queueType"].(string)+" "+e["docId"].(string))
	}
	return out
}

// expectEvent waits for the next events message and checks its
// docChanges.
func (c *watchClient) expectEvent(want ...string) wmsg {
	c.tb.Helper()
	m := c.expect("events")
	if got := kinds(m); !slices.Equal(got, want) {
		c.tb.Fatalf("docChanges %v, want %v", got, want)
	}
	return m
}

// TestWatchOrderByLimit: with orderBy and limit the list is the first
// documents in that order: a document that enters pushes the last one out
// (limit/dequeue), one that leaves pulls the next one in (limit/enqueue,
// with the document), and each enqueued or updated document says where it
// now stands (index).
func TestWatchOrderByLimit(t *testing.T) {
	s := listening(t, nil)
	do(t, s, "POST", "/v1/db/top/insert", `{"data":[{"_id":"a","score":50},{"_id":"b","score":40},{"_id":"c","score":30},{"_id":"d","score":20}]}`)
	c := dialWatch(t, s, "top", servertest.Admin)
	init := c.watch("w", `{"sort":[["score",-1]],"limit":3}`)
	if got := init.docs(); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Fatalf("init %v, want the top 3 [a b c]", got)
	}
	do(t, s, "POST", "/v1/db/top/insert", `{"data":{"_id":"e","score":45}}`)
	m := c.expectEvent("add/enqueue e", "limit/dequeue c")
	if e := m.events()[0]; e["index"] != 1.0 || e["doc"].(map[string]any)["score"] != 45.0 {
		t.Errorf("enqueue of e: %v, want index 1 and the document", e)
	}
	do(t, s, "DELETE", "/v1/db/top/docs/a", ``)
	m = c.expectEvent("remove/dequeue a", "limit/enqueue c")
	if e := m.events()[1]; e["index"] != 2.0 || e["doc"].(map[string]any)["score"] != 30.0 {
		t.Errorf("c pulled back in: %v, want index 2 and its document", e)
	}
	do(t, s, "POST", "/v1/db/top/update", `{"filter":{"_id":"c"},"update":{"$set":{"score":99}}}`)
	m = c.expectEvent("update/update c")
	if e := m.events()[0]; e["index"] != 0.0 || e["updatedFields"].(map[string]any)["score"] != 99.0 {
		t.Errorf("c moved to the top: %v, want index 0 and updatedFields {score: 99}", e)
	}
	do(t, s, "POST", "/v1/db/top/update", `{"filter":{"_id":"c"},"update":{"$set":{"score":1}}}`)
	c.expectEvent("update/dequeue c", "limit/enqueue d")
	do(t, s, "POST", "/v1/db/top/update", `{"filter":{"_id":"d"},"update":{"$set":{"note":"x"}}}`)
	c.expectEvent("update/update d")
	do(t, s, "POST", "/v1/db/top/insert", `{"data":{"_id":"z","score":0}}`) // below the list: no event
	do(t, s, "POST", "/v1/db/top/remove", `{"filter":{},"multi":true}`)
	// Removing everything, document by document: each one that leaves the
	// list is replaced by the next, until none is left.
	list := map[string]bool{"e": true, "b": true, "d": true}
	for len(list) > 0 {
		for _, k := range kinds(c.expect("events")) {
			kind, id, _ := strings.Cut(k, " ")
			list[id] = strings.HasSuffix(kind, "/enqueue")
			if !list[id] {
				delete(list, id)
			}
		}
	}
}

// TestWatchSharedQuery: clients watching the same query under the same
// rules share one state (one queryId: a change is evaluated once for them
// all); another filter, order or limit is another query.
func TestWatchSharedQuery(t *testing.T) {
	s := listening(t, nil)
	do(t, s, "POST", "/v1/db/wall/insert", `{"data":{"_id":"a","on":true}}`)
	do(t, s, "PUT", "/v1/admin/collections/wall/rules", `{"preset":"READONLY"}`)
	alice, bob := dialWatch(t, s, "wall", servertest.Anonymous("alice")), dialWatch(t, s, "wall", servertest.Anonymous("bob"))
	visitor := dialWatch(t, s, "wall", servertest.Visitor)
	q := `{"filter":{"on":true},"sort":[["_id",1]]}`
	ids := []string{alice.watch("1", q).str("queryId"), bob.watch("1", q).str("queryId"), visitor.watch("x", q).str("queryId"),
		alice.watch("2", q).str("queryId")}
	if ids[0] == "" || ids[1] != ids[0] || ids[2] != ids[0] || ids[3] != ids[0] {
		t.Errorf("queryIds %v: the same query under READONLY should be one", ids)
	}
	if other := alice.watch("3", `{"filter":{"on":true},"limit":5}`).str("queryId"); other == ids[0] {
		t.Error("a query with another limit and order shares the state")
	}
	do(t, s, "POST", "/v1/db/wall/insert", `{"data":{"_id":"b","on":true}}`)
	for name, c := range map[string]*watchClient{"alice": alice, "bob": bob, "visitor": visitor} {
		var got []string
		want := map[string][]string{"alice": {"1", "2", "3"}, "bob": {"1"}, "visitor": {"x"}}[name]
		for range want {
			m := c.expectEvent("add/enqueue b")
			got = append(got, m.str("watchId"))
		}
		if slices.Sort(got); !slices.Equal(got, want) {
			t.Errorf("%s's watches with the event: %v, want %v", name, got, want)
		}
	}
}

// TestWatchLimits: a watch matches at most MINIBASE_WATCH_MAX_DOCS
// documents (its init, and later), a limit is at most that, and
// connections hold at most MINIBASE_WATCH_PER_CONNECTION watches.
func TestWatchLimits(t *testing.T) {
	s := listening(t, map[string]string{"MINIBASE_WATCH_MAX_DOCS": "3", "MINIBASE_WATCH_PER_CONNECTION": "2"})
	do(t, s, "POST", "/v1/db/c/insert", `{"data":[{"_id":"1","k":1},{"_id":"2","k":1},{"_id":"3","k":2},{"_id":"4","k":2}]}`)
	c := dialWatch(t, s, "c", servertest.Admin)
	c.send(`{"type":"watch","watchId":"all","query":{}}`)
	if m := c.expect("error"); m.str("code") != "DATABASE_RESULT_SIZE_EXCEED" || m.str("watchId") != "all" {
		t.Errorf("a watch of 4 documents with a cap of 3: %v, want DATABASE_RESULT_SIZE_EXCEED", m)
	}
	c.send(`{"type":"watch","watchId":"big","query":{"limit":4}}`)
	if m := c.expect("error"); m.str("code") != "INVALID_PARAM" {
		t.Errorf("limit 4 with a cap of 3: %v, want INVALID_PARAM", m)
	}
	if got := c.watch("top", `{"limit":3}`).docs(); len(got) != 3 {
		t.Errorf("limit 3: %v, want 3 documents", got)
	}
	c.watch("k2", `{"filter":{"k":2}}`)
	c.send(`{"type":"watch","watchId":"third","query":{}}`)
	if m := c.expect("error"); m.str("code") != "EXCEED_REQUEST_LIMIT" || m.str("watchId") != "third" {
		t.Errorf("a third watch on a connection of 2: %v, want EXCEED_REQUEST_LIMIT", m)
	}
	// The watch of k=2 grows past the cap: it ends with an error.
	do(t, s, "POST", "/v1/db/c/insert", `{"data":{"_id":"5","k":2}}`)
	do(t, s, "POST", "/v1/db/c/insert", `{"data":{"_id":"6","k":2}}`)
	for {
		m := c.next()
		if m.str("watchId") != "k2" || m.str("type") == "events" {
			continue // top's events, and k2's add of 5
		}
		if m.str("type") != "error" || m.str("code") != "DATABASE_RESULT_SIZE_EXCEED" {
			t.Errorf("k2 past the cap: %v, want DATABASE_RESULT_SIZE_EXCEED", m)
		}
		break
	}
	c.watch("again", `{"filter":{"k":1}}`) // its place is free again
}

// TestWatchBadInput: a request that is not an upgrade is answered 426;
// other refusals are told over the socket, then it closes; a bad message
// is answered with an error and changes nothing.
func TestWatchBadInput(t *testing.T) {
	s := listening(t, nil)
	do(t, s, "POST", "/v1/db/c/insert", `{"data":{"_id":"1"}}`)
	r := s.Do(t, servertest.Request{Method: "GET", URL: "/v1/db/c/watch", As: servertest.Admin})
	if r.Status != 426 {
		t.Errorf("GET without an upgrade: %d, want 426", r.Status)
	}
	refused(t, s, "c", servertest.Admin, "?x=1", "INVALID_PARAM")
	refused(t, s, "$bad", servertest.Admin, "", "INVALID_PARAM")
	c := dialWatch(t, s, "c", servertest.Admin)
	for _, tc := range []struct{ msg, code string }{
		{`not json`, "INVALID_PARAM"},
		{`{"type":"watch","watchId":"a b","query":{}}`, "INVALID_PARAM"},
		{`{"type":"watch","watchId":"w","query":{"skip":1}}`, "INVALID_PARAM"},
		{`{"type":"watch","watchId":"w","query":{"projection":{"a":1}}}`, "INVALID_PARAM"},
		{`{"type":"watch","watchId":"w","query":{"filter":{"a":{"$where":"1"}}}}`, "DATABASE_INVALID_OPERRATOR"},
		{`{"type":"watch","watchId":"w","query":{"sort":[["a",2]]}}`, "INVALID_PARAM"},
		{`{"type":"watch","watchId":"w","query":{},"resume":{"queryId":5}}`, "INVALID_PARAM"},
		{`{"type":"watch","watchId":"w","query":{},"extra":1}`, "INVALID_PARAM"},
		{`{"type":"jump"}`, "INVALID_PARAM"},
	} {
		c.send(tc.msg)
		if m := c.expect("error"); m.str("code") != tc.code {
			t.Errorf("%s: %v, want %s", tc.msg, m, tc.code)
		}
	}
	c.watch("w", `{}`)
	c.send(`{"type":"watch","watchId":"w","query":{}}`)
	if m := c.expect("error"); m.str("code") != "INVALID_PARAM" {
		t.Errorf("a watchId in use: %v", m)
	}
	nope := dialWatch(t, s, "nope", servertest.Admin)
	nope.send(`{"type":"watch","watchId":"w","query":{}}`)
	if m := nope.expect("error"); m.str("code") != "DATABASE_COLLECTION_NOT_EXIST" {
		t.Errorf("a missing collection: %v", m)
	}
}
