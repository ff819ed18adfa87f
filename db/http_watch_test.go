package db_test

import (
	"slices"
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
