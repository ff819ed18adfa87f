//go:build !minibase_fuzz

package functions

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"minibase/db"
	"minibase/db/sqlite"
)

// newLogStore opens a LogStore over a fresh SQLite file (or path, when
// given) and closes both when the test ends. A size cap (MaxBytes) is
// measured on the file (sqlite.DB.Usage); the writer does not linger
// unless opts says so.
func newLogStore(t testing.TB, path string, opts LogStoreOptions) (*LogStore, *sqlite.DB) {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "functions.db")
	}
	drv, err := sqlite.Open(context.Background(), path, sqlite.Options{Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	if opts.Linger == 0 {
		opts.Linger = -1 // write at once: tests wait for records
	}
	if opts.MaxBytes > 0 && opts.Usage == nil {
		opts.Usage = drv.Usage
	}
	if opts.OnError == nil {
		opts.OnError = func(err error) { t.Errorf("log store: %v", err) }
	}
	s, err := OpenLogStore(context.Background(), db.NewService(drv, db.Limits{}), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(); drv.Close() })
	return s, drv
}

// waitFor polls until cond holds (the store writes in the background).
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// waitWritten waits until n records have been stored since the store opened.
func waitWritten(t testing.TB, s *LogStore, n int64) {
	t.Helper()
	waitFor(t, fmt.Sprintf("%d records written", n), func() bool { return s.Stats().Written+s.Stats().Failed >= n })
}

var t0 = time.Date(2030, 5, 1, 8, 0, 0, 0, time.UTC)

func rec(id, fn, openid, status string, start time.Time, lines ...string) *LogRecord {
	r := &LogRecord{RequestID: id, Function: fn, OpenID: openid, Status: status, Source: "wx_client", Start: start,
		Duration: 1500 * time.Microsecond, Version: "v1", MemoryMB: 256, Memory: 4096}
	if status == StatusError {
		r.Error, r.ErrCode = "Error: "+id+" failed", -504002
	}
	for _, l := range lines {
		r.Lines = append(r.Lines, LogLine{Time: start.Add(time.Millisecond), Level: "log", Message: l})
	}
	return r
}

func ids(p *LogPage) []string {
	out := []string{}
	for _, e := range p.Data {
		out = append(out, e.RequestID)
	}
	return out
}

// Records are found by each field, by start time, and page by page,
// newest first.
func TestLogStoreQuery(t *testing.T) {
	s, _ := newLogStore(t, "", LogStoreOptions{MaxAge: 100 * 365 * 24 * time.Hour})
	recs := []*LogRecord{
		rec("r1", "sum", "o1", StatusOK, t0, "one"),
		rec("r2", "sum", "o2", StatusError, t0.Add(time.Second)),
		rec("r3", "hello", "o1", StatusOK, t0.Add(2*time.Second), "three", "lines"),
		rec("r4", "hello", "", StatusOK, t0.Add(3*time.Second)),
		rec("r5", "sum", "o1", StatusError, t0.Add(4*time.Second)),
	}
	recs[2].ColdStart = true
	recs[3].Memory = 0 // not measured
	for _, r := range recs {
		s.Write(context.Background(), r)
	}
	waitWritten(t, s, int64(len(recs)))

	for _, c := range []struct {
		name string
		q    LogQuery
		want []string
	}{
		{"all, newest first", LogQuery{}, []string{"r5", "r4", "r3", "r2", "r1"}},
		{"by function", LogQuery{Function: "sum"}, []string{"r5", "r2", "r1"}},
		{"by requestId", LogQuery{RequestID: "r3"}, []string{"r3"}},
		{"by openid", LogQuery{OpenID: "o1"}, []string{"r5", "r3", "r1"}},
		{"by status", LogQuery{Status: StatusError}, []string{"r5", "r2"}},
		{"function and status", LogQuery{Function: "sum", Status: StatusOK}, []string{"r1"}},
		{"since (inclusive)", LogQuery{Since: t0.Add(3 * time.Second)}, []string{"r5", "r4"}},
		{"until (exclusive)", LogQuery{Until: t0.Add(2 * time.Second)}, []string{"r2", "r1"}},
		{"a time range of one function", LogQuery{Function: "hello", Since: t0.Add(time.Second), Until: t0.Add(3 * time.Second)}, []string{"r3"}},
		{"nothing matches", LogQuery{Function: "nope"}, []string{}},
	} {
		p, err := s.Query(adminCtx, c.q)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := ids(p); !reflect.DeepEqual(got, c.want) || p.Next != nil {
			t.Errorf("%s: got %v (next %v), want %v", c.name, got, p.Next, c.want)
		}
	}

	// A record comes back as it was written.
	p, _ := s.Query(adminCtx, LogQuery{RequestID: "r3"})
	e := p.Data[0]
	if e.Function != "hello" || e.OpenID != "o1" || e.Source != "wx_client" || e.Version != "v1" || e.Status != StatusOK ||
		!e.Start.Equal(t0.Add(2*time.Second)) || e.Duration != 1.5 || e.Memory != 4096 || e.MemoryLimit != 256 ||
		len(e.Logs) != 2 || e.Logs[0].Message != "three" || e.Logs[1].Level != "log" || !e.Logs[0].Time.Equal(t0.Add(2*time.Second+time.Millisecond)) ||
		!e.ColdStart {
		t.Errorf("r3 read back as %+v", e)
	}
	// What the stored row leaves out (no lines, not cold, memory not
	// measured, no openid) reads back as its default: logs [], not null.
	p, _ = s.Query(adminCtx, LogQuery{RequestID: "r4"})
	if e := p.Data[0]; e.Logs == nil || len(e.Logs) != 0 || e.ColdStart || e.Memory != 0 || e.OpenID != "" || e.MemoryLimit != 256 ||
		e.Status != StatusOK || e.Source != "wx_client" || e.Version != "v1" {
		t.Errorf("r4 read back as %+v", e)
	}
	p, _ = s.Query(adminCtx, LogQuery{RequestID: "r2"})
	if e := p.Data[0]; e.Error != "Error: r2 failed" || e.ErrCode != -504002 || e.Logs == nil {
		t.Errorf("r2 read back as %+v", e)
	}

	// Pages of 2 with the cursor, alone and within a filter.
	for _, c := range []struct {
		q    LogQuery
		want []string
	}{
		{LogQuery{Limit: 2}, []string{"r5", "r4", "r3", "r2", "r1"}},
		{LogQuery{Limit: 2, OpenID: "o1"}, []string{"r5", "r3", "r1"}},
		{LogQuery{Limit: 1, Until: t0.Add(4 * time.Second)}, []string{"r4", "r3", "r2", "r1"}},
	} {
		var got []string
		pages := 0
		for q := c.q; ; pages++ {
			p, err := s.Query(adminCtx, q)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, ids(p)...)
			if p.Next == nil {
				break
			}
			q.Cursor = *p.Next
		}
		if !reflect.DeepEqual(got, c.want) || pages != (len(c.want)-1)/c.q.Limit {
			t.Errorf("paging %+v: got %v in %d pages, want %v", c.q, got, pages+1, c.want)
		}
	}

	for _, c := range []struct {
		name string
		q    LogQuery
		code string
	}{
		{"limit over 200", LogQuery{Limit: 201}, CodeInvalidParam},
		{"negative limit", LogQuery{Limit: -1}, CodeInvalidParam},
		{"a made-up cursor", LogQuery{Cursor: "../../etc"}, CodeInvalidParam},
		{"an unknown status", LogQuery{Status: "failed"}, CodeInvalidParam},
		{"since after until", LogQuery{Since: t0.Add(time.Hour), Until: t0}, CodeInvalidParam},
		{"a long function name", LogQuery{Function: strings.Repeat("f", 300)}, CodeInvalidParam},
	} {
		if _, err := s.Query(adminCtx, c.q); ErrorCode(err) != c.code {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	if _, err := s.Query(userCtx, LogQuery{}); ErrorCode(err) != CodePermissionDenied {
		t.Errorf("an end user queried the logs: %v", err)
	}
}

// Every invocation is recorded with its console output, outcome, timing
// and memory; console output is capped at 64 KiB per invocation.
func TestLogStoreRecordsInvocations(t *testing.T) {
	s, _ := newLogStore(t, "", LogStoreOptions{})
	rt, _ := newTestRuntime(t, Options{Logs: s})
	var reqs []string
	for _, ev := range []string{`{"lines":2}`, `{"lines":2}`, `{"fail":"bad input","warn":"careful","logger":"hi"}`, `{"lines":2000,"size":100}`} {
		res, err := rt.Invoke(userCtx, "chatty", []byte(ev), Invocation{})
		id := ""
		if res != nil {
			id = res.RequestID
		} else {
			id = err.(*Error).RequestID
		}
		reqs = append(reqs, id)
	}
	waitWritten(t, s, int64(len(reqs)))
	get := func(id string) *LogEntry {
		p, err := s.Query(adminCtx, LogQuery{RequestID: id})
		if err != nil || len(p.Data) != 1 {
			t.Fatalf("record of %s: %v %v", id, p, err)
		}
		return p.Data[0]
	}

	cold, warm := get(reqs[0]), get(reqs[1])
	if !cold.ColdStart || warm.ColdStart || cold.Status != StatusOK || cold.OpenID != "openid-1" || cold.Source != "wx_client" ||
		cold.Version == "" || cold.MemoryLimit != 128 || cold.Duration <= 0 || len(cold.Logs) != 2 ||
		cold.Logs[1].Message != "000001 xxxxxxxxxx" || time.Since(cold.Start) > time.Minute {
		t.Errorf("first call: %+v", cold)
	}
	failed := get(reqs[2])
	var lines []string
	for _, l := range failed.Logs {
		lines = append(lines, l.Level+": "+l.Message)
	}
	if failed.Status != StatusError || failed.ErrCode != -504002 || !strings.HasPrefix(failed.Error, "Error: bad input") ||
		!reflect.DeepEqual(lines, []string{`info: {"said":"hi"}`, "warn: careful"}) {
		t.Errorf("failed call: %+v, lines %q", failed, lines)
	}

	// A runaway stopped by the watchdog: memory says how far it got.
	_, err := rt.Invoke(adminCtx, "hog", nil, Invocation{RequestID: "hog-1"})
	if ErrorCode(err) != CodeExecuteFail {
		t.Fatalf("hog: %v", err)
	}
	waitWritten(t, s, int64(len(reqs)+1))
	if hog := get("hog-1"); hog.Memory <= 64<<20 || hog.MemoryLimit != 64 || !strings.Contains(hog.Error, "memory limit exceeded") {
		t.Errorf("hog: memory %d bytes of a %d MB budget, error %q", hog.Memory, hog.MemoryLimit, hog.Error)
	}

	// 2000 lines of ~107 bytes: 64 KiB kept, the rest counted in a last line.
	big := get(reqs[3])
	kept := 0
	for _, l := range big.Logs[:len(big.Logs)-1] {
		kept += len(l.Message)
	}
	last := big.Logs[len(big.Logs)-1]
	wantDropped := 2000 - (len(big.Logs) - 1)
	if kept > 64<<10 || kept < 60<<10 || last.Level != "warn" ||
		last.Message != fmt.Sprintf("[minibase] %d more log lines dropped: an invocation keeps 65536 bytes of output", wantDropped) {
		t.Errorf("2000 lines: kept %d bytes in %d lines, last %+v", kept, len(big.Logs)-1, last)
	}
}

// Write never waits: with the writer held up, records beyond the queue
// are dropped and counted, and the queued ones are written once it frees.
func TestLogStoreDropsWhenFull(t *testing.T) {
	hold := make(chan struct{})
	s, _ := newLogStore(t, "", LogStoreOptions{Queue: 4, Usage: func(ctx context.Context) (int64, error) {
		<-hold // the writer's first act is enforcing the caps: it waits here
		return 0, nil
	}})
	for i := range 10 {
		s.Write(context.Background(), rec(fmt.Sprint("d", i), "sum", "", StatusOK, t0.Add(time.Duration(i))))
	}
	if st := s.Stats(); st.Dropped != 6 || st.Queued != 4 || st.Written != 0 {
		t.Errorf("with the writer held: %+v, want 6 dropped and 4 queued", st)
	}
	close(hold)
	waitWritten(t, s, 4)
	p, _ := s.Query(adminCtx, LogQuery{})
	if got := ids(p); !reflect.DeepEqual(got, []string{"d3", "d2", "d1", "d0"}) {
		t.Errorf("stored %v, want the first 4", got)
	}
}

// The writer gathers records for up to Linger before it writes them, and
// writes at once a batch that is full; Close writes what it holds.
func TestLogStoreLinger(t *testing.T) {
	s, _ := newLogStore(t, "", LogStoreOptions{Batch: 10, Linger: time.Hour})
	for i := range 15 {
		s.Write(context.Background(), rec(fmt.Sprint("l", i), "sum", "", StatusOK, t0.Add(time.Duration(i))))
	}
	waitWritten(t, s, 10)
	if st := s.Stats(); st.Written != 10 {
		t.Errorf("a full batch of 10 and 5 more, lingering: %d written, want 10", st.Written)
	}
	s.Close()
	if st := s.Stats(); st.Written != 15 {
		t.Errorf("after Close: %d written, want 15", st.Written)
	}
}
