// Package openapitest is the conformance suite for openapi.TokenStore:
// every implementation (db/sqlite's AppTokens, the wechat package's own
// memory store) passes it.
package openapitest

import (
	"context"
	"sync"
	"testing"
	"time"

	"minibase/functions/openapi"
)

// base is a fixed time at millisecond precision (what stores keep).
var base = time.UnixMilli(1_800_000_000_000)

// Run runs the suite; open returns a fresh, empty store for each test.
func Run(t *testing.T, open func(t *testing.T) openapi.TokenStore) {
	t.Run("Empty", func(t *testing.T) { testEmpty(t, open(t)) })
	t.Run("Lease", func(t *testing.T) { testLease(t, open(t)) })
	t.Run("TakeOver", func(t *testing.T) { testTakeOver(t, open(t)) })
	t.Run("Release", func(t *testing.T) { testRelease(t, open(t)) })
	t.Run("Apps", func(t *testing.T) { testApps(t, open(t)) })
	t.Run("OneLeaseAtATime", func(t *testing.T) { testOneAtATime(t, open(t)) })
}

func wantToken(t *testing.T, s openapi.TokenStore, app, token string, expires time.Time) {
	t.Helper()
	got, exp, err := s.Token(context.Background(), app)
	if err != nil || got != token || !exp.Equal(expires) {
		t.Fatalf("Token(%s) = %q, %v, %v; want %q, %v", app, got, exp, err, token, expires)
	}
}

func lease(t *testing.T, s openapi.TokenStore, app, holder string, now time.Time, want bool) {
	t.Helper()
	got, err := s.LeaseToken(context.Background(), app, holder, now, now.Add(30*time.Second))
	if err != nil || got != want {
		t.Fatalf("LeaseToken(%s, %s, at +%v) = %v, %v; want %v", app, holder, now.Sub(base), got, err, want)
	}
}

func save(t *testing.T, s openapi.TokenStore, app, holder, token string, exp time.Time) {
	t.Helper()
	if err := s.SaveToken(context.Background(), app, holder, token, exp); err != nil {
		t.Fatalf("SaveToken(%s, %s, %s): %v", app, holder, token, err)
	}
}

// A store with nothing in it has no token, and no lease.
func testEmpty(t *testing.T, s openapi.TokenStore) {
	wantToken(t, s, "wxapp", "", time.Time{})
	if err := s.ReleaseToken(context.Background(), "wxapp", "a"); err != nil {
		t.Fatalf("ReleaseToken of nothing: %v", err)
	}
	lease(t, s, "wxapp", "a", base, true)
}

// One holder at a time; the holder renews; saving stores the token to the
// millisecond and frees the lease.
func testLease(t *testing.T, s openapi.TokenStore) {
	lease(t, s, "wxapp", "a", base, true)
	lease(t, s, "wxapp", "b", base.Add(time.Second), false)
	lease(t, s, "wxapp", "a", base.Add(2*time.Second), true) // renewed: until +32 s
	lease(t, s, "wxapp", "b", base.Add(31*time.Second), false)
	exp := base.Add(2 * time.Hour).Add(123*time.Millisecond + 456*time.Microsecond)
	save(t, s, "wxapp", "a", "tok-1", exp)
	wantToken(t, s, "wxapp", "tok-1", exp.Truncate(time.Millisecond))
	lease(t, s, "wxapp", "b", base.Add(31*time.Second), true) // free again
	wantToken(t, s, "wxapp", "tok-1", exp.Truncate(time.Millisecond))
	save(t, s, "wxapp", "b", "tok-2", base.Add(3*time.Hour))
	wantToken(t, s, "wxapp", "tok-2", base.Add(3*time.Hour))
}

// A lease that ran out is taken over; the old holder's late save stores
// nothing, the new holder's does.
func testTakeOver(t *testing.T, s openapi.TokenStore) {
	lease(t, s, "wxapp", "a", base, true)
	lease(t, s, "wxapp", "b", base.Add(30*time.Second), true) // a's ran out at +30 s
	save(t, s, "wxapp", "a", "late", base.Add(time.Hour))
	wantToken(t, s, "wxapp", "", time.Time{})
	lease(t, s, "wxapp", "a", base.Add(31*time.Second), false)
	save(t, s, "wxapp", "b", "fresh", base.Add(2*time.Hour))
	wantToken(t, s, "wxapp", "fresh", base.Add(2*time.Hour))
}

// Release frees the lease and keeps the token; only the holder releases.
func testRelease(t *testing.T, s openapi.TokenStore) {
	ctx := context.Background()
	lease(t, s, "wxapp", "a", base, true)
	save(t, s, "wxapp", "a", "tok", base.Add(time.Hour))
	lease(t, s, "wxapp", "a", base.Add(time.Second), true)
	if err := s.ReleaseToken(ctx, "wxapp", "b"); err != nil {
		t.Fatal(err)
	}
	lease(t, s, "wxapp", "b", base.Add(2*time.Second), false) // b's release did not end a's lease
	if err := s.ReleaseToken(ctx, "wxapp", "a"); err != nil {
		t.Fatal(err)
	}
	wantToken(t, s, "wxapp", "tok", base.Add(time.Hour))
	lease(t, s, "wxapp", "b", base.Add(2*time.Second), true)
}

// Apps are independent.
func testApps(t *testing.T, s openapi.TokenStore) {
	lease(t, s, "wx1", "a", base, true)
	lease(t, s, "wx2", "b", base, true)
	save(t, s, "wx2", "b", "two", base.Add(time.Hour))
	wantToken(t, s, "wx1", "", time.Time{})
	wantToken(t, s, "wx2", "two", base.Add(time.Hour))
	save(t, s, "wx1", "a", "one", base.Add(2*time.Hour))
	wantToken(t, s, "wx1", "one", base.Add(2*time.Hour))
	wantToken(t, s, "wx2", "two", base.Add(time.Hour))
}

// Of many holders asking at once, exactly one gets the lease.
func testOneAtATime(t *testing.T, s openapi.TokenStore) {
	const n = 16
	var wg sync.WaitGroup
	got := make(chan string, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := string(rune('a' + i))
			ok, err := s.LeaseToken(context.Background(), "wxapp", h, base, base.Add(time.Minute))
			if err != nil {
				t.Error(err)
			}
			if ok {
				got <- h
			}
		}()
	}
	wg.Wait()
	close(got)
	var winners []string
	for h := range got {
		winners = append(winners, h)
	}
	if len(winners) != 1 {
		t.Fatalf("%d holders got the lease (%v), want 1", len(winners), winners)
	}
}
