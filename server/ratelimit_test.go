package server_test

import (
	"strings"
	"testing"
	"time"

	"minibase/server/servertest"
)

// limitedServer is a server behind a reverse proxy on the same host (it
// trusts X-Forwarded-For from 127.0.0.1, so a request can come from any
// address), with a clock that moves only when the test moves it, a
// collection "posts" anyone may read holding "p1", and env's settings.
func limitedServer(t *testing.T, env map[string]string) (*servertest.Server, *servertest.Clock) {
	t.Helper()
	clock := servertest.NewClock(time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC))
	opts := servertest.Options{Listen: true, Clock: clock, Env: map[string]string{"MINIBASE_TRUSTED_PROXIES": "loopback"}}
	for k, v := range env {
		opts.Env[k] = v
	}
	s := servertest.New(t, opts)
	for _, r := range []servertest.Request{
		{Method: "POST", URL: "/v1/admin/collections", Body: `{"name":"posts"}`, As: servertest.Admin},
		{Method: "PUT", URL: "/v1/admin/collections/posts/rules", Body: `{"preset":"READONLY"}`, As: servertest.Admin},
		{Method: "POST", URL: "/v1/db/posts/insert", Body: `{"data":{"_id":"p1","t":"hello"}}`, As: servertest.Admin},
	} {
		s.Do(t, r).Expect(t, 200, "")
	}
	return s, clock
}

// getPost is a GET of p1 by id from the client address addr.
func getPost(addr string, as servertest.Identity) servertest.Request {
	return servertest.Request{Method: "GET", URL: "/v1/db/posts/docs/p1", As: as, Header: map[string]string{"X-Forwarded-For": addr}}
}

// expectLimited checks r is the rate limit's answer: 429
// EXCEED_REQUEST_LIMIT (-501003), Retry-After retry seconds, a message
// naming who.
func expectLimited(t *testing.T, r *servertest.Response, retry, who string) {
	t.Helper()
	r.Expect(t, 429, `{"code":"EXCEED_REQUEST_LIMIT","errCode":-501003}`)
	if got := r.Header.Get("Retry-After"); got != retry {
		t.Errorf("%s: Retry-After %q, want %q", r.Req, got, retry)
	}
	if msg := r.Str("message"); !strings.Contains(msg, "too many database requests from "+who) {
		t.Errorf("%s: message %q, want it to say too many database requests from %s", r.Req, msg, who)
	}
}

// TestRateLimitPerAddress: past its address's burst a client is answered
// 429 with Retry-After, until its bucket refills; another address is not
// affected; a refused request takes nothing.
func TestRateLimitPerAddress(t *testing.T) {
	s, clock := limitedServer(t, map[string]string{"MINIBASE_RATE_DB": "ip=3/m,user=off"}) // a token every 20s, bursts of 3
	const flood, other = "198.51.100.7", "203.0.113.9"
	for i := range 3 {
		if r := s.Do(t, getPost(flood, servertest.Visitor)); r.Status != 200 {
			t.Fatalf("request %d of the burst: %d %s", i+1, r.Status, r.Body)
		}
	}
	for range 5 {
		expectLimited(t, s.Do(t, getPost(flood, servertest.Visitor)), "20", "this address")
	}
	s.Do(t, getPost(other, servertest.Visitor)).Expect(t, 200, `{"data":{"_id":"p1"}}`)

	clock.Add(15 * time.Second)
	expectLimited(t, s.Do(t, getPost(flood, servertest.Visitor)), "5", "this address") // refused ones took nothing
	clock.Add(5 * time.Second)
	s.Do(t, getPost(flood, servertest.Visitor)).Expect(t, 200, `{"data":{"_id":"p1"}}`)
	expectLimited(t, s.Do(t, getPost(flood, servertest.Visitor)), "20", "this address")
}

// TestRateLimitPerUser: a signed-in user has a bucket of its own, which
// follows them from address to address; other users at the same address
// are not refused with them.
func TestRateLimitPerUser(t *testing.T) {
	s, _ := limitedServer(t, map[string]string{"MINIBASE_RATE_DB": "ip=100/m,user=2/m"})
	alice, bob := servertest.Anonymous("alice"), servertest.Anonymous("bob")
	const home, phone = "198.51.100.7", "203.0.113.9"
	s.Do(t, getPost(home, alice)).Expect(t, 200, "")
	s.Do(t, getPost(home, alice)).Expect(t, 200, "")
	expectLimited(t, s.Do(t, getPost(home, alice)), "30", "this user")
	expectLimited(t, s.Do(t, getPost(phone, alice)), "30", "this user")
	s.Do(t, getPost(home, bob)).Expect(t, 200, "")
	s.Do(t, getPost(home, servertest.Visitor)).Expect(t, 200, "")
	// Alice's refused requests did not use her address's tokens: 100 less
	// the 4 that passed are left.
	for i := range 96 {
		if r := s.Do(t, getPost(home, servertest.Visitor)); r.Status != 200 {
			t.Fatalf("visitor's request %d at alice's address: %d %s", i+1, r.Status, r.Body)
		}
	}
	expectLimited(t, s.Do(t, getPost(home, servertest.Visitor)), "1", "this address")
}

// TestRateLimitAdminExempt: an admin key passes however often it is used,
// and takes nothing from its address's bucket.
func TestRateLimitAdminExempt(t *testing.T) {
	s, _ := limitedServer(t, map[string]string{"MINIBASE_RATE_DB": "ip=2/m,user=2/m"})
	const addr = "198.51.100.7"
	for i := range 20 {
		if r := s.Do(t, getPost(addr, servertest.Admin)); r.Status != 200 {
			t.Fatalf("admin request %d: %d %s", i+1, r.Status, r.Body)
		}
	}
	s.Do(t, getPost(addr, servertest.Visitor)).Expect(t, 200, "")
	s.Do(t, getPost(addr, servertest.Visitor)).Expect(t, 200, "")
	expectLimited(t, s.Do(t, getPost(addr, servertest.Visitor)), "30", "this address")
	s.Do(t, getPost(addr, servertest.Admin)).Expect(t, 200, "")
}

// TestRateLimitIPv6Prefix: IPv6 clients count by their /64, which one
// host or home holds whole: new addresses in it share its bucket; the
// next /64 has its own.
func TestRateLimitIPv6Prefix(t *testing.T) {
	s, _ := limitedServer(t, map[string]string{"MINIBASE_RATE_DB": "ip=2/m"})
	s.Do(t, getPost("2001:db8:1:2::1", servertest.Visitor)).Expect(t, 200, "")
	s.Do(t, getPost("2001:db8:1:2:ffff:ffff:ffff:ffff", servertest.Visitor)).Expect(t, 200, "")
	expectLimited(t, s.Do(t, getPost("2001:db8:1:2:abcd::9", servertest.Visitor)), "30", "this address")
	s.Do(t, getPost("2001:db8:1:3::1", servertest.Visitor)).Expect(t, 200, "")
}

// TestRateLimitGroups: each group of endpoints has its own buckets, with
// its own limits: a client out of database requests still uploads and
// calls functions, and each of those groups refuses past its own limit;
// watch connects and sign-in count too.
func TestRateLimitGroups(t *testing.T) {
	s, _ := limitedServer(t, map[string]string{"MINIBASE_RATE_DB": "ip=1/m", "MINIBASE_RATE_FUNCTIONS": "ip=1/m",
		"MINIBASE_RATE_STORAGE": "ip=1/m", "MINIBASE_RATE_WATCH": "ip=1/m", "MINIBASE_RATE_AUTH": "ip=1/m"})
	s.Deploy(t, "hello", map[string]string{"index.js": `exports.main = async () => "hi"`}, "")
	const addr = "198.51.100.7"
	from := func(method, url, body string) servertest.Request {
		return servertest.Request{Method: method, URL: url, Body: body, Header: map[string]string{"X-Forwarded-For": addr}}
	}
	s.Do(t, getPost(addr, servertest.Visitor)).Expect(t, 200, "")
	expectLimited(t, s.Do(t, getPost(addr, servertest.Visitor)), "60", "this address")
	for _, r := range []servertest.Request{
		from("POST", "/v1/functions/hello/invoke", `{"data":{}}`),
		from("POST", "/v1/storage/temp-urls", `{"fileList":[]}`),
		from("GET", "/v1/db/posts/watch", ""),
		from("POST", "/v1/auth/anonymous", `{}`),
	} {
		first := s.Do(t, r)
		if first.Status == 429 {
			t.Errorf("%s: the first request of its group: %d %s", first.Req, first.Status, first.Body)
		}
		second := s.Do(t, r)
		second.Expect(t, 429, `{"code":"EXCEED_REQUEST_LIMIT"}`)
		if second.Header.Get("Retry-After") != "60" {
			t.Errorf("%s: Retry-After %q, want 60", second.Req, second.Header.Get("Retry-After"))
		}
	}
}
