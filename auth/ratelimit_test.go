package auth

import (
	"fmt"
	"testing"
	"time"
)

func TestParseRate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Rate
		ok   bool
	}{
		{"10/m", Rate{10, time.Minute}, true},
		{"5/10m", Rate{5, 10 * time.Minute}, true},
		{"1/s", Rate{1, time.Second}, true},
		{"100/h", Rate{100, time.Hour}, true},
		{"off", Rate{}, true},
		{"0", Rate{}, true},
		{"10", Rate{}, false},
		{"x/m", Rate{}, false},
		{"-1/m", Rate{}, false},
		{"0/m", Rate{}, false}, // not "off": it would read as "no attempts"
		{"10/ms", Rate{}, false},
		{"10/48h", Rate{}, false},
	} {
		got, err := ParseRate(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseRate(%q) = %v, %v; want %v ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
	l := DefaultLimits()
	if err := l.Parse("login.account=3/m, anonymous.ip=off"); err != nil || l.LoginAccount != (Rate{3, time.Minute}) || l.AnonymousIP.N != 0 || l.LoginIP.N != 30 {
		t.Errorf("Parse overrides: %+v %v", l, err)
	}
	if err := l.Parse("login.acount=3/m"); err == nil {
		t.Error("a misspelt limit name must be an error")
	}
	if err := l.Parse("off"); err != nil || l != (Limits{}) {
		t.Errorf("off: %+v %v", l, err)
	}
}

func TestLimiter(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	l := newLimiter(Rate{N: 3, Per: time.Minute})
	for i := range 3 {
		if d := l.allow("a", now); d != 0 {
			t.Fatalf("event %d within the burst: wait %v", i, d)
		}
	}
	d := l.allow("a", now)
	if d <= 0 || d > 20*time.Second {
		t.Fatalf("fourth event: wait %v, want up to 20s (one event per 20s)", d)
	}
	if l.allow("b", now) != 0 {
		t.Error("another key has its own bucket")
	}
	if l.allow("a", now.Add(d)) != 0 {
		t.Error("after the wait one event is allowed")
	}
	if l.allow("a", now.Add(d)) == 0 {
		t.Error("a refused event takes nothing, an allowed one does")
	}
	var off *limiter
	if off.allow("a", now) != 0 || newLimiter(Rate{}).allow("a", now) != 0 {
		t.Error("no limit configured: always allowed")
	}
}

// TestLimiterBounded: however many keys arrive, the map stays under its cap.
func TestLimiterBounded(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	l := newLimiter(Rate{N: 1, Per: time.Minute})
	l.max = 100
	for i := range 1000 {
		l.allow(fmt.Sprint("k", i), now.Add(time.Duration(i)*time.Millisecond))
		if len(l.keys) > l.max {
			t.Fatalf("after %d keys the map holds %d, cap %d", i+1, len(l.keys), l.max)
		}
	}
	for i := 0; len(l.keys) < l.max; i++ {
		l.allow(fmt.Sprint("fill", i), now.Add(time.Second))
	}
	l.allow("fresh", now.Add(time.Second+time.Minute))
	if len(l.keys) != 1 {
		t.Errorf("a full map drops its idle keys: %d left, want only the new one", len(l.keys))
	}
}

func TestCheckRetryAfter(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	ip, acct := newLimiter(Rate{N: 10, Per: time.Minute}), newLimiter(Rate{N: 1, Per: time.Minute})
	if err := check(now, ip, "1.2.3.4", acct, "username:a"); err != nil {
		t.Fatal(err)
	}
	err := check(now, ip, "1.2.3.4", acct, "username:a")
	e, ok := err.(*Error)
	if !ok || e.Code != CodeRateLimited || e.ErrCode != -501003 || e.RetryAfter <= 0 || e.RetryAfter > time.Minute {
		t.Fatalf("second try: %#v, want EXCEED_REQUEST_LIMIT with RetryAfter", err)
	}
}
