//go:build !minibase_fuzz

package db_test

import (
	"slices"
	"testing"
	"time"

	"minibase/server/servertest"

	"github.com/fasthttp/websocket"
)

// insertAs inserts a document as id and requires success.
func insertAs(tb testing.TB, s *servertest.Server, id servertest.Identity, coll, doc string) {
	tb.Helper()
	s.Do(tb, servertest.Request{Method: "POST", URL: "/v1/db/" + coll + "/insert", Body: `{"data":` + doc + `}`, As: id}).Expect(tb, 200, "")
}

// TestWatchPrivate: under PRIVATE each user watches only her documents;
// a document whose owner changes leaves one user's list and enters the
// other's; a visitor may not watch at all.
func TestWatchPrivate(t *testing.T) {
	s := listening(t, nil)
	do(t, s, "POST", "/v1/admin/collections", `{"name":"notes"}`)
	insertAs(t, s, alice, "notes", `{"_id":"n1"}`)
	insertAs(t, s, bob, "notes", `{"_id":"n2"}`)
	a, b := dialWatch(t, s, "notes", alice), dialWatch(t, s, "notes", bob)
	ia, ib := a.watch("w", `{}`), b.watch("w", `{}`)
	if !slices.Equal(ia.docs(), []string{"n1"}) || !slices.Equal(ib.docs(), []string{"n2"}) || ia.str("queryId") == ib.str("queryId") {
		t.Fatalf("alice's init %v (query %s), bob's %v (query %s): want each her own, in two queries",
			ia.docs(), ia.str("queryId"), ib.docs(), ib.str("queryId"))
	}
	insertAs(t, s, bob, "notes", `{"_id":"n3"}`)
	b.expectEvent("add/enqueue n3")
	do(t, s, "POST", "/v1/db/notes/update", `{"filter":{"_id":"n3"},"update":{"$set":{"_openid":"`+s.Session(t, alice).OpenID+`"}}}`)
	b.expectEvent("update/dequeue n3")
	a.expectEvent("update/enqueue n3") // alice's first event: bob's n3 never reached her
	refused(t, s, "notes", servertest.Visitor, "", "DATABASE_PERMISSION_DENIED")
	do(t, s, "PUT", "/v1/admin/collections/notes/rules", `{"preset":"ADMINONLY"}`)
	refused(t, s, "notes", alice, "", "DATABASE_PERMISSION_DENIED")
}

// TestWatchCustomRule: under a custom rule each document of the list
// must satisfy the rule for the watching user, also after the watch
// started: a user taken out of a room sees no new message of it, and a
// message of it that changes leaves her list although the filter still
// matches it.
func TestWatchCustomRule(t *testing.T) {
	s := listening(t, nil)
	ao, bo := s.Session(t, alice).OpenID, s.Session(t, bob).OpenID
	do(t, s, "POST", "/v1/db/rooms/insert", `{"data":{"_id":"r1","members":["`+ao+`","`+bo+`"]}}`)
	do(t, s, "POST", "/v1/db/msgs/insert", `{"data":{"_id":"m1","room":"r1","text":"hi"}}`)
	do(t, s, "PUT", "/v1/admin/collections/msgs/rules", `{"read":"auth.openid in get('database.rooms.' + doc.room).members","write":false}`)
	a, b := dialWatch(t, s, "msgs", alice), dialWatch(t, s, "msgs", bob)
	for _, c := range []*watchClient{a, b} {
		if got := c.watch("w", `{"filter":{"room":"r1"}}`).docs(); !slices.Equal(got, []string{"m1"}) {
			t.Fatalf("init %v, want [m1]", got)
		}
	}
	carol := dialWatch(t, s, "msgs", servertest.Anonymous("carol"))
	carol.send(`{"type":"watch","watchId":"w","query":{"filter":{"room":"r1"}}}`)
	if m := carol.expect("error"); m.str("code") != "DATABASE_PERMISSION_DENIED" {
		t.Errorf("a user the rule refuses: %v, want DATABASE_PERMISSION_DENIED", m)
	}
	do(t, s, "PUT", "/v1/db/rooms/docs/r1", `{"data":{"members":["`+ao+`"]}}`) // bob leaves the room
	do(t, s, "POST", "/v1/db/msgs/insert", `{"data":{"_id":"m2","room":"r1","text":"secret"}}`)
	a.expectEvent("add/enqueue m2")
	do(t, s, "POST", "/v1/db/msgs/update", `{"filter":{"_id":"m1"},"update":{"$set":{"text":"edited"}}}`)
	a.expectEvent("update/update m1")
	b.expectEvent("update/dequeue m1") // bob's first event: m2 never reached him
}

// TestWatchRulesChange: when an admin changes a collection's rules, each
// watch is admitted again under the new ones (at the collection's next
// change): it starts over with an init of what it may now see, or ends
// when it may see nothing.
func TestWatchRulesChange(t *testing.T) {
	s := listening(t, nil)
	do(t, s, "POST", "/v1/admin/collections", `{"name":"notes"}`)
	insertAs(t, s, alice, "notes", `{"_id":"a1"}`)
	insertAs(t, s, bob, "notes", `{"_id":"b1"}`)
	a := dialWatch(t, s, "notes", alice)
	if got := a.watch("w", `{"sort":[["_id",1]]}`).docs(); !slices.Equal(got, []string{"a1"}) {
		t.Fatalf("init %v", got)
	}
	do(t, s, "PUT", "/v1/admin/collections/notes/rules", `{"preset":"READONLY"}`)
	do(t, s, "POST", "/v1/db/notes/insert", `{"data":{"_id":"c1"}}`)
	if got := a.expect("init").docs(); !slices.Equal(got, []string{"a1", "b1", "c1"}) {
		t.Errorf("after READONLY: init %v, want every note", got)
	}
	do(t, s, "PUT", "/v1/admin/collections/notes/rules", `{"preset":"ADMINONLY"}`)
	do(t, s, "POST", "/v1/db/notes/insert", `{"data":{"_id":"c2"}}`)
	if m := a.expect("error"); m.str("code") != "DATABASE_PERMISSION_DENIED" || m.str("watchId") != "w" {
		t.Errorf("after ADMINONLY: %v, want the watch to end with DATABASE_PERMISSION_DENIED", m)
	}
	admin := dialWatch(t, s, "notes", servertest.Admin)
	admin.watch("w", `{}`)
	do(t, s, "DELETE", "/v1/admin/collections/notes", ``)
	if m := admin.expect("error"); m.str("code") != "DATABASE_COLLECTION_NOT_EXIST" {
		t.Errorf("after the collection was dropped: %v", m)
	}
}

// TestWatchSignIn: a watch connection lasts as long as its sign-in: it
// ends when the token expires (ACCESS_TOKEN_EXPIRED: refresh and watch
// again) or the sign-in is revoked (ACCESS_TOKEN_REVOKED); a token that
// is not valid is told over the socket, where a browser can read it.
func TestWatchSignIn(t *testing.T) {
	clock := servertest.NewClock(time.Now())
	s := servertest.New(t, servertest.Options{Listen: true, Clock: clock})
	do(t, s, "POST", "/v1/db/c/insert", `{"data":{"_id":"1"}}`)
	do(t, s, "PUT", "/v1/admin/collections/c/rules", `{"preset":"READONLY"}`)
	wantEnd := func(c *watchClient, code string) {
		t.Helper()
		if m := c.expect("error"); m.str("code") != code || m["watchId"] != nil {
			t.Errorf("%v, want the connection's error %s", m, code)
		}
		if ce := c.closedWith(); ce.Code != websocket.ClosePolicyViolation {
			t.Errorf("closed with %v, want 1008", ce)
		}
	}
	a := dialWatch(t, s, "c", alice)
	a.watch("w", `{}`)
	clock.Add(3 * time.Hour) // past the access token's 2 h
	a.send(`{"type":"ping"}`)
	wantEnd(a, "ACCESS_TOKEN_EXPIRED")
	refused(t, s, "c", alice, "", "ACCESS_TOKEN_EXPIRED")

	b := dialWatch(t, s, "c", bob)
	b.watch("w", `{}`)
	s.Do(t, servertest.Request{Method: "POST", URL: "/v1/auth/logout", Body: `{"refresh_token":"` + s.Session(t, bob).RefreshToken + `"}`}).Expect(t, 200, "")
	wantEnd(b, "ACCESS_TOKEN_REVOKED")

	refused(t, s, "c", servertest.Bearer("not.a.token"), "", "INVALID_ACCESS_TOKEN")
}
