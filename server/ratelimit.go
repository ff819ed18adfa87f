package server

import (
	"net/netip"
	"sync"
	"time"

	"minibase/auth"

	"github.com/gofiber/fiber/v2"
)

// Request rate limits (RateConfig): each group of end-user endpoints has a
// token bucket per client address and one per signed-in end user, in
// maps of their own. A request takes a token from both; when either is
// empty it is answered 429 EXCEED_REQUEST_LIMIT (auth's code, as sign-in's
// limits answer) with Retry-After, and takes nothing. Admins (admin keys,
// admin accounts' tokens) pass without counting.
//
// The buckets are a small store of their own rather than
// golang.org/x/time/rate's Limiter (which auth's sign-in limits use): a
// bucket here is 16 bytes held by value in the map, under the map's one
// lock (a Limiter is a pointer to 80 bytes with a mutex of its own), and
// whether it is full again, which the sweep asks of every bucket, is one
// subtraction.

// maxRateKeys caps the addresses (and apart the users) one group tracks:
// about 60 bytes each, so at most ~3 MB per map, ~30 MB for the ten.
const maxRateKeys = 50_000

// rateSweepEvery is how often a map drops its buckets that are full again
// (a new key gets a full one, so dropping them loses nothing).
const rateSweepEvery = time.Minute

// tokenBucket holds tokens (at most the burst), as of at (Unix ns).
type tokenBucket struct {
	tokens float64
	at     int64
}

// buckets is a bounded map of token buckets filling at perSec to burst.
type buckets[K comparable] struct {
	perSec float64
	burst  float64
	max    int

	mu    sync.Mutex
	m     map[K]tokenBucket
	swept int64 // Unix ns of the last sweep
}

func newBuckets[K comparable](r auth.Rate, burst, maxKeys int) *buckets[K] {
	if r.N <= 0 {
		return nil
	}
	return &buckets[K]{perSec: float64(r.N) / r.Per.Seconds(), burst: float64(max(burst, 1)), max: maxKeys, m: map[K]tokenBucket{}}
}

// take takes one token from key's bucket at now (Unix ns) and returns 0,
// or, taking nothing, how long until one is there. A nil *buckets has no
// limit.
func (b *buckets[K]) take(key K, now int64) time.Duration {
	if b == nil {
		return 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if now-b.swept > int64(rateSweepEvery) {
		b.sweep(now, false)
	}
	t, ok := b.m[key]
	if !ok {
		if len(b.m) >= b.max {
			b.sweep(now, true)
		}
		t = tokenBucket{tokens: b.burst, at: now}
	} else {
		t = b.fill(t, now)
	}
	if t.tokens < 1 {
		b.m[key] = t
		return time.Duration((1 - t.tokens) / b.perSec * float64(time.Second))
	}
	t.tokens--
	b.m[key] = t
	return 0
}

// give returns a token take took from key (the request was refused by
// another bucket).
func (b *buckets[K]) give(key K) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if t, ok := b.m[key]; ok {
		t.tokens = min(t.tokens+1, b.burst)
		b.m[key] = t
	}
}

// fill is t refilled up to now.
func (b *buckets[K]) fill(t tokenBucket, now int64) tokenBucket {
	if now > t.at {
		t.tokens = min(b.burst, t.tokens+float64(now-t.at)/1e9*b.perSec)
		t.at = now
	}
	return t
}

// sweep drops the buckets that are full again, into a new map (a Go map
// never shrinks); with full, when the map is at its cap, it then drops
// arbitrary buckets down to 7/8 of the cap (forgetting a busy key only
// refills its bucket: under a flood of more addresses than the cap, the
// limit per address weakens, memory does not grow). b.mu is held.
func (b *buckets[K]) sweep(now int64, full bool) {
	b.swept = now
	keep := make(map[K]tokenBucket, len(b.m)/2)
	for k, t := range b.m {
		if b.fill(t, now).tokens < b.burst {
			keep[k] = t
		}
	}
	if full {
		for k := range keep { // map order is random
			if len(keep) < b.max*7/8 {
				break
			}
			delete(keep, k)
		}
	}
	b.m = keep
}

// len is how many keys b tracks.
func (b *buckets[K]) len() int {
	if b == nil {
		return 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.m)
}

// rateGroup is one group's limits: its buckets by client address (an IPv6
// /64) and by end user.
type rateGroup struct {
	name string // for messages: "database", …
	ip   *buckets[netip.Addr]
	user *buckets[string]
	now  func() time.Time // nil: the time the request came
}

func newRateGroup(name string, g GroupRate, maxKeys int, now func() time.Time) *rateGroup {
	if maxKeys <= 0 {
		maxKeys = maxRateKeys
	}
	return &rateGroup{name: name, now: now,
		ip:   newBuckets[netip.Addr](g.IP, g.IPBurst, maxKeys),
		user: newBuckets[string](g.User, g.UserBurst, maxKeys)}
}

// handler is the group's middleware, after the caller's identity: an
// admin passes; anyone else takes a token of its address's bucket, and an
// end user one of its own.
func (g *rateGroup) handler(c *fiber.Ctx) error {
	id := auth.FromContext(c.UserContext())
	if id.IsAdmin() {
		return c.Next()
	}
	var now int64
	if g.now != nil {
		now = g.now().UnixNano()
	} else {
		now = c.Context().Time().UnixNano()
	}
	addr := rateAddr(peerAddr(c.Context().RemoteAddr()))
	if wait := g.ip.take(addr, now); wait > 0 {
		return g.refuse(wait, "this address")
	}
	if id.Role == auth.User && id.UID != "" {
		if wait := g.user.take(id.UID, now); wait > 0 {
			g.ip.give(addr)
			return g.refuse(wait, "this user")
		}
	}
	return c.Next()
}

// refuse is the answer to a request over a limit: 429
// EXCEED_REQUEST_LIMIT, Retry-After the whole seconds until a token is
// there (at least 1).
func (g *rateGroup) refuse(wait time.Duration, who string) error {
	secs := (wait + time.Second - 1) / time.Second
	e := auth.Errorf(auth.CodeRateLimited, "too many %s requests from %s: try again in %ds", g.name, who, secs)
	e.RetryAfter = secs * time.Second
	return e
}

// rateAddr is the key an address counts under: itself, an IPv6 address's
// /64 (one host or home usually holds a whole /64), an IPv4-mapped one's
// IPv4 address.
func rateAddr(a netip.Addr) netip.Addr {
	a = a.Unmap()
	if a.Is6() {
		a = netip.PrefixFrom(a.WithZone(""), 64).Masked().Addr()
	}
	return a
}

// rateLimits are the groups' limits (RateConfig).
type rateLimits struct {
	db, storage, functions, auth, watch *rateGroup
}

func newRateLimits(c RateConfig, now func() time.Time) *rateLimits {
	return &rateLimits{
		db:        newRateGroup("database", c.DB, c.MaxKeys, now),
		storage:   newRateGroup("storage", c.Storage, c.MaxKeys, now),
		functions: newRateGroup("functions", c.Functions, c.MaxKeys, now),
		auth:      newRateGroup("auth", c.Auth, c.MaxKeys, now),
		watch:     newRateGroup("watch", c.Watch, c.MaxKeys, now),
	}
}

// limited is r (a route group) with g's limits after its own handlers; a
// group without limits leaves r as it is.
func limited(r fiber.Router, g *rateGroup) fiber.Router {
	if g.ip == nil && g.user == nil {
		return r
	}
	gr := r.(*group)
	return &group{Router: gr.Router, mw: append(gr.chain(nil), g.handler)}
}
