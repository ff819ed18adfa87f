//go:build !minibase_fuzz

package functions

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The size cap holds while far more than it is written: the database
// never holds more than MaxBytes, its file does not grow past it, and what
// goes is the oldest.
func TestLogStoreSizeCap(t *testing.T) {
	const maxBytes = 1 << 20
	path := filepath.Join(t.TempDir(), "functions.db")
	s, drv := newLogStore(t, path, LogStoreOptions{MaxBytes: maxBytes})
	line := strings.Repeat("y", 500)
	const n = 5000 // ~4.5 KiB each: 22 MiB, 22 times the cap
	var most int64
	start := time.Now()
	for i := range n {
		s.Write(context.Background(), rec(fmt.Sprintf("s%05d", i), "sum", "", StatusOK, start.Add(time.Duration(i)*time.Millisecond),
			line, line, line, line, line, line, line, line))
		if i%50 == 49 {
			waitWritten(t, s, int64(i+1))
			used, err := drv.Usage(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			most = max(most, used)
		}
	}
	waitWritten(t, s, n)
	st := s.Stats()
	if most > maxBytes || st.Dropped != 0 || st.Failed != 0 || st.Deleted < n*3/4 || st.Bytes > maxBytes {
		t.Errorf("after writing %d MiB: at most %d bytes held, want at most %d; stats %+v", n*4600>>20, most, maxBytes, st)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() > maxBytes {
		t.Errorf("the database file: %v, %v; want at most %d bytes", fi.Size(), err, maxBytes)
	}
	// The newest records are kept, the oldest gone.
	p, err := s.Query(adminCtx, LogQuery{Limit: MaxLogPage})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Data) < 100 || p.Data[0].RequestID != fmt.Sprintf("s%05d", n-1) {
		t.Fatalf("newest kept: %d records, first %v", len(p.Data), ids(p)[:min(3, len(p.Data))])
	}
	if p, _ := s.Query(adminCtx, LogQuery{RequestID: "s00000"}); len(p.Data) != 0 {
		t.Errorf("the oldest record is still there")
	}
	for i := 1; i < len(p.Data); i++ { // no holes among the kept
		if prev, cur := p.Data[i-1].RequestID, p.Data[i].RequestID; cur >= prev {
			t.Fatalf("kept records out of order: %s then %s", prev, cur)
		}
	}
}

// The age cap deletes records and outcomes older than MaxAge, when the
// store opens and then periodically.
func TestLogStoreAgeCap(t *testing.T) {
	path := filepath.Join(t.TempDir(), "functions.db")
	now := time.Now()
	s, _ := newLogStore(t, path, LogStoreOptions{MaxAge: 100 * 24 * time.Hour})
	for i := range 2500 { // more than one delete's chunk
		s.Write(context.Background(), rec(fmt.Sprint("old", i), "sum", "", StatusOK, now.Add(-8*24*time.Hour+time.Duration(i)*time.Second)))
	}
	s.Write(context.Background(), rec("recent", "sum", "", StatusOK, now.Add(-6*24*time.Hour)))
	waitWritten(t, s, 2501)
	for id, updated := range map[string]time.Time{"old-outcome": now.Add(-8 * 24 * time.Hour), "new-outcome": now.Add(-time.Hour)} {
		if err := s.SaveOutcome(adminCtx, &Outcome{RequestID: id, Function: "sum", Status: OutcomeSucceeded, Result: json.RawMessage(`1`),
			Attempts: 1, Created: updated, Updated: updated}); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()

	// Reopened with a 7-day cap: the old ones go at once.
	s, _ = newLogStore(t, path, LogStoreOptions{MaxAge: 7 * 24 * time.Hour})
	waitFor(t, "the old records deleted", func() bool { return s.Stats().Deleted >= 2501 })
	p, err := s.Query(adminCtx, LogQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(p); len(got) != 1 || got[0] != "recent" {
		t.Errorf("after the age cap: %v, want [recent]", got)
	}
	if _, err := s.LoadOutcome(adminCtx, "old-outcome"); err == nil {
		t.Errorf("an outcome of 8 days ago is kept")
	}
	if o, err := s.LoadOutcome(adminCtx, "new-outcome"); err != nil || o.Status != OutcomeSucceeded || string(o.Result) != "1" {
		t.Errorf("an outcome of an hour ago: %+v, %v", o, err)
	}

	// Periodically: a record that comes in already too old goes at the next round.
	s2, _ := newLogStore(t, "", LogStoreOptions{MaxAge: time.Hour, Every: 5 * time.Millisecond})
	s2.Write(context.Background(), rec("stale", "sum", "", StatusOK, now.Add(-2*time.Hour)))
	s2.Write(context.Background(), rec("fresh", "sum", "", StatusOK, now))
	waitWritten(t, s2, 2)
	waitFor(t, "the stale record deleted", func() bool { return s2.Stats().Deleted == 1 })
	if p, _ := s2.Query(adminCtx, LogQuery{}); len(p.Data) != 1 || p.Data[0].RequestID != "fresh" {
		t.Errorf("after a periodic round: %v, want [fresh]", ids(p))
	}
}
