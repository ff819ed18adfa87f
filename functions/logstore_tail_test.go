//go:build !minibase_fuzz

package functions

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

// A tail gets the records stored after it opened, of its function or of
// all; one that is not read loses records, counted, and never holds the
// store up; the number of tails is bounded; closing the store ends them.
func TestLogStoreTail(t *testing.T) {
	s, _ := newLogStore(t, "", LogStoreOptions{MaxTails: 3})
	s.Write(context.Background(), rec("before", "sum", "", StatusOK, t0))
	waitWritten(t, s, 1)
	all, err := s.Tail("")
	if err != nil {
		t.Fatal(err)
	}
	sums, _ := s.Tail("sum")
	idle, _ := s.Tail("hello") // never read
	if _, err := s.Tail(""); ErrorCode(err) != CodeBusy {
		t.Errorf("a 4th tail with MaxTails 3: %v, want %s", err, CodeBusy)
	}
	if !s.tailFull() || s.Stats().Tails != 3 {
		t.Errorf("tailFull %v, stats %+v with 3 tails open", s.tailFull(), s.Stats())
	}

	next := func(tl *Tail) LogEntry {
		t.Helper()
		var e LogEntry
		if err := json.Unmarshal(<-tl.C, &e); err != nil {
			t.Fatal(err)
		}
		return e
	}
	s.Write(context.Background(), rec("h1", "hello", "o9", StatusOK, t0.Add(time.Second), "hi there"))
	s.Write(context.Background(), rec("s1", "sum", "", StatusError, t0.Add(2*time.Second)))
	if e1, e2 := next(all), next(all); e1.RequestID != "h1" || e2.RequestID != "s1" {
		t.Errorf("the tail of all: %s, %s; want h1, s1", e1.RequestID, e2.RequestID)
	}
	e := next(sums)
	if e.RequestID != "s1" || e.Status != StatusError || e.Error != "Error: s1 failed" {
		t.Errorf("the tail of sum: %+v", e)
	}
	// What a tail sends is what a query returns.
	p, _ := s.Query(adminCtx, LogQuery{RequestID: "s1"})
	got, _ := json.Marshal(e)
	want, _ := json.Marshal(p.Data[0])
	if string(got) != string(want) {
		t.Errorf("tail sent %s\nquery gave %s", got, want)
	}

	// The idle tail fills up: the store carries on, the rest is counted.
	const many = tailBuffer + 50
	for i := range many {
		s.Write(context.Background(), rec(fmt.Sprint("m", i), "hello", "", StatusOK, t0.Add(time.Minute+time.Duration(i))))
	}
	waitWritten(t, s, 3+many)
	if n := len(idle.C); n != tailBuffer {
		t.Errorf("the idle tail holds %d, want %d", n, tailBuffer)
	}
	if lost := idle.Lost(); lost != many+1-tailBuffer {
		t.Errorf("the idle tail lost %d, want %d", lost, many+1-tailBuffer)
	}
	if lost := idle.Lost(); lost != 0 {
		t.Errorf("Lost counts from the last call: %d", lost)
	}

	idle.Close()
	idle.Close() // twice is harmless
	extra, err := s.Tail("")
	if err != nil {
		t.Errorf("a tail after one closed: %v", err)
	}
	// Closing the store closes C; each reader then closes its tail.
	ended := make(chan struct{})
	for _, tl := range []*Tail{all, sums, extra} {
		go func() {
			for range tl.C {
			}
			tl.Close()
			ended <- struct{}{}
		}()
	}
	s.Close()
	for range 3 {
		<-ended
	}
	if _, err := s.Tail(""); ErrorCode(err) != CodeUnavailable {
		t.Errorf("a tail of a closed store: %v", err)
	}
}
