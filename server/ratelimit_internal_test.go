package server

import (
	"fmt"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"minibase/auth"
)

// TestRateLimitFloodBounded: a flood of requests from more distinct
// addresses than a group tracks, through the whole app, keeps the map at
// its cap and refuses nobody (each new address starts with a full bucket);
// once the flood's buckets are full again they are swept.
func TestRateLimitFloodBounded(t *testing.T) {
	const maxKeys = 64
	clock := &clock{t: time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)}
	s := newTestMain(t, func(c *Config) {
		var err error
		if c.Proxies, err = ParseTrustedProxies("0.0.0.0"); err != nil { // app.Test's peer
			t.Fatal(err)
		}
		c.Rate.MaxKeys, c.Auth.Now = maxKeys, clock.Now
		if err := c.Rate.DB.Parse("ip=10/m"); err != nil {
			t.Fatal(err)
		}
	})
	get := func(addr string) int {
		req := httptest.NewRequest("POST", "/v1/db/posts/count", strings.NewReader(`{}`))
		req.Header.Set("X-Forwarded-For", addr)
		req.Header.Set("Content-Type", "application/json")
		res, err := s.app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	most := 0
	for i := range 1000 {
		if status := get(fmt.Sprintf("10.%d.%d.1", i/256, i%256)); status == 429 {
			t.Fatalf("the flood's address %d was refused: a new address must start with a full bucket", i)
		}
		most = max(most, s.rates.db.ip.len())
	}
	if most > maxKeys {
		t.Errorf("the database group tracked %d addresses at most, want at most its cap %d", most, maxKeys)
	}
	// The map still limits: one address's 11th request in a minute is refused.
	for range 10 {
		get("192.0.2.1")
	}
	if status := get("192.0.2.1"); status != 429 {
		t.Errorf("an address's 11th request with ip=10/m: %d, want 429", status)
	}
	clock.Add(2 * time.Minute) // every bucket is full again, and a sweep is due
	get("192.0.2.2")
	if n := s.rates.db.ip.len(); n != 1 {
		t.Errorf("after the flood's buckets refilled, %d addresses tracked, want 1 (the new one)", n)
	}
}

// TestRateBuckets: the bucket store's arithmetic: a burst, then one
// token per 1/rate, waits that say when the next token comes.
func TestRateBuckets(t *testing.T) {
	b := newBuckets[string](auth.Rate{N: 2, Per: time.Second}, 4, 10) // 2/s, bursts of 4
	now := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC).UnixNano()
	for i := range 4 {
		if w := b.take("k", now); w != 0 {
			t.Fatalf("take %d of the burst: wait %v", i+1, w)
		}
	}
	if w := b.take("k", now); w != 500*time.Millisecond {
		t.Errorf("past the burst: wait %v, want 500ms", w)
	}
	if w := b.take("k", now+int64(250*time.Millisecond)); w != 250*time.Millisecond {
		t.Errorf("a quarter second later: wait %v, want 250ms", w)
	}
	if w := b.take("k", now+int64(500*time.Millisecond)); w != 0 {
		t.Errorf("half a second later: wait %v, want 0", w)
	}
	b.give("k")
	if w := b.take("k", now+int64(500*time.Millisecond)); w != 0 {
		t.Errorf("after a token given back: wait %v, want 0", w)
	}
	var nilBuckets *buckets[string]
	if w := nilBuckets.take("k", now); w != 0 {
		t.Errorf("no limit: wait %v", w)
	}
}

// TestRateAddr: the key an address counts under.
func TestRateAddr(t *testing.T) {
	for in, want := range map[string]string{
		"198.51.100.7":         "198.51.100.7",
		"::ffff:198.51.100.7":  "198.51.100.7",
		"2001:db8:1:2:3:4:5:6": "2001:db8:1:2::",
		"2001:db8:1:2::1%eth0": "2001:db8:1:2::",
		"2001:db8:1:3:ffff::":  "2001:db8:1:3::",
	} {
		if got := rateAddr(netip.MustParseAddr(in)).String(); got != want {
			t.Errorf("rateAddr(%s) = %s, want %s", in, got, want)
		}
	}
}

// TestParseGroupRate: MINIBASE_RATE_<GROUP>'s syntax: what each item sets,
// what it keeps, and what it refuses with which message.
func TestParseGroupRate(t *testing.T) {
	def := GroupRate{IP: auth.Rate{N: 100, Per: time.Second}, IPBurst: 200, User: auth.Rate{N: 10, Per: time.Second}, UserBurst: 30}
	for _, tc := range []struct{ in, want, err string }{
		{in: "off", want: "off"},
		{in: "ip=50/s", want: "ip=50/s,ip_burst=50,user=10/s,user_burst=30"},
		{in: "ip_burst=500,ip=50/s", want: "ip=50/s,ip_burst=500,user=10/s,user_burst=30"},
		{in: " user = 5/m , user_burst=9 ", want: "ip=100/s,ip_burst=200,user=5/m,user_burst=9"},
		{in: "user=off", want: "ip=100/s,ip_burst=200"},
		{in: "ip=off,user=off", want: "off"},
		{in: "ip=3/10s", want: "ip=3/10s,ip_burst=3,user=10/s,user_burst=30"},
		{in: "", want: "ip=100/s,ip_burst=200,user=10/s,user_burst=30"},
		{in: "ip", err: `got item "ip"`},
		{in: "ip=", err: `got item "ip="`},
		{in: "ip=10", err: "ip: rate \"10\": want N/unit"},
		{in: "ip=0/s", err: "a limit of 0 would refuse every attempt"},
		{in: "ip=10/ms", err: "the period must be 1s-24h"},
		{in: "ip_burst=0", err: "ip_burst must be a number from 1 to 1000000"},
		{in: "user_burst=x", err: "user_burst must be a number"},
		{in: "per=1/s", err: `has no item "per"`},
		{in: strings.Repeat("ip=1/s,", 40), err: "at most 256 characters"},
	} {
		g := def
		err := g.Parse(tc.in)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("Parse(%q): error %v, want one containing %q", tc.in, err, tc.err)
		case tc.err != "" && g != def:
			t.Errorf("Parse(%q) failed but changed the limits to %v", tc.in, g)
		case tc.err == "" && err != nil:
			t.Errorf("Parse(%q): %v", tc.in, err)
		case tc.err == "" && g.String() != tc.want:
			t.Errorf("Parse(%q) = %s, want %s", tc.in, g, tc.want)
		}
	}
}

// TestRateSettings: the settings are read from the environment, with
// their defaults, and a bad value names its variable.
func TestRateSettings(t *testing.T) {
	c, err := ParseConfig(nil, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range rateGroups {
		if got := c.Rate.group(g.name).String(); got != g.def {
			t.Errorf("MINIBASE_RATE_%s's default: %s, want %s", g.name, got, g.def)
		}
	}
	c, err = ParseConfig(nil, func(k string) string {
		return map[string]string{"MINIBASE_RATE_DB": "user=7/s", "MINIBASE_RATE_WATCH": "off"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Rate.DB.String(), "ip=1000/s,ip_burst=2000,user=7/s,user_burst=7"; got != want {
		t.Errorf("MINIBASE_RATE_DB=user=7/s: %s, want %s", got, want)
	}
	if got := c.Rate.Watch.String(); got != "off" {
		t.Errorf("MINIBASE_RATE_WATCH=off: %s", got)
	}
	_, err = ParseConfig(nil, func(k string) string { return map[string]string{"MINIBASE_RATE_STORAGE": "ip=fast"}[k] })
	if err == nil || !strings.Contains(err.Error(), "MINIBASE_RATE_STORAGE") {
		t.Errorf("a bad MINIBASE_RATE_STORAGE: %v, want an error naming it", err)
	}
}

// FuzzParseGroupRate: any value either fails and changes nothing, or sets
// limits that String writes back as Parse reads them, with a burst of at
// least 1 for every rate.
func FuzzParseGroupRate(f *testing.F) {
	for _, s := range []string{"off", "ip=50/s", "ip=1/m,ip_burst=5,user=3/h,user_burst=2", "ip=3/10s", "user=off", "ip=,", "ip_burst=-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		var g GroupRate
		if err := g.Parse(v); err != nil {
			if g != (GroupRate{}) {
				t.Fatalf("Parse(%q) failed (%v) but changed the limits", v, err)
			}
			return
		}
		if (g.IP.N > 0 && g.IPBurst < 1) || (g.User.N > 0 && g.UserBurst < 1) {
			t.Fatalf("Parse(%q) = %+v: a rate without a burst", v, g)
		}
		var back GroupRate
		if err := back.Parse(g.String()); err != nil || back.String() != g.String() {
			t.Fatalf("Parse(%q) = %s, which parses back as %s (%v)", v, g, back, err)
		}
	})
}

// BenchmarkRateTake: what the limits add to a visitor's request: a token
// from the address's bucket (the map hit), from every core at once on one
// address (the lock's worst case).
//
//	go test ./server -run '^$' -bench RateTake -benchmem
func BenchmarkRateTake(b *testing.B) {
	b.Run("one-address", func(b *testing.B) {
		bk := newBuckets[netip.Addr](auth.Rate{N: 1_000_000, Per: time.Second}, 1_000_000, maxRateKeys)
		a := netip.MustParseAddr("203.0.113.9")
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				bk.take(a, time.Now().UnixNano())
			}
		})
	})
}
