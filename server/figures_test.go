package server

import (
	"sync"
	"testing"
	"time"
)

// TestMinuteCounter: events count in their minute, the last element is
// the current minute, a minute an hour old is forgotten when its slot is
// reused, and concurrent adds lose nothing.
func TestMinuteCounter(t *testing.T) {
	var c minuteCounter
	t0 := time.Date(2026, 12, 7, 10, 0, 30, 0, time.UTC)
	c.add(t0)
	c.add(t0.Add(10 * time.Second))
	c.add(t0.Add(time.Minute))
	got := c.last(t0.Add(time.Minute))
	if len(got) != seriesMinutes || got[seriesMinutes-1] != 1 || got[seriesMinutes-2] != 2 {
		t.Fatalf("last = %v, want [… 2 1]", got[seriesMinutes-3:])
	}
	// An hour later the slot of t0 is reused: its old count is gone.
	hour := t0.Add(seriesMinutes * time.Minute)
	c.add(hour)
	got = c.last(hour)
	if got[seriesMinutes-1] != 1 {
		t.Errorf("the minute an hour later = %d, want 1 (not carried over)", got[seriesMinutes-1])
	}
	if got[seriesMinutes-2] != 0 && got[0] != 0 {
		t.Errorf("minutes before: %v", got)
	}
	// Much later, nothing recent: all zero.
	for i, n := range c.last(hour.Add(3 * time.Hour)) {
		if n != 0 {
			t.Fatalf("3 h later, minute %d = %d, want 0", i, n)
		}
	}
	var wg sync.WaitGroup
	var d minuteCounter
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 1000 {
				d.add(t0)
			}
		}()
	}
	wg.Wait()
	if n := d.last(t0)[seriesMinutes-1]; n != 8000 {
		t.Errorf("8×1000 concurrent adds = %d", n)
	}
}

// BenchmarkMinuteCounter is what counting costs each request.
//
//	go test ./server -run '^$' -bench MinuteCounter -benchmem
func BenchmarkMinuteCounter(b *testing.B) {
	var c minuteCounter
	now := time.Now()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c.add(now)
		}
	})
}

func TestDomainsOf(t *testing.T) {
	d, note := domainsOf("https://api.example.com:8443/base/")
	if note != "" || d.Request[0] != "https://api.example.com:8443" || d.Socket[0] != "wss://api.example.com:8443" ||
		d.UploadFile[0] != d.Request[0] || d.DownloadFile[0] != d.Request[0] {
		t.Errorf("https: %+v %q", d, note)
	}
	for _, u := range []string{"", "http://api.example.com"} {
		d, note := domainsOf(u)
		if note == "" || len(d.Request)+len(d.Socket)+len(d.UploadFile)+len(d.DownloadFile) != 0 || d.Request == nil {
			t.Errorf("%q: %+v %q, want empty lists and a note", u, d, note)
		}
	}
}
