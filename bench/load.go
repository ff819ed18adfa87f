package main

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

const (
	maxErrors   = 1000                  // a run stops early after this many errors
	shownErrors = 3                     // errors printed per run
	rssInterval = 50 * time.Millisecond // how often RssAnon is sampled
)

// limits bound one run: it stops issuing requests after dur, or after n
// requests when n > 0 (then after maxDur at the latest). Requests in flight
// when it stops are completed and counted.
type limits struct {
	dur    time.Duration
	n      int64
	maxDur time.Duration
}

// runResult is the outcome of one run of one scenario.
type runResult struct {
	ok, errs int64
	elapsed  time.Duration
	hist     *Histogram // latencies of successful requests
	maxRSS   int64      // server RssAnon high-water mark in KiB; 0 when not sampled
}

// rate returns successful requests per second.
func (r runResult) rate() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.ok) / r.elapsed.Seconds()
}

// runLoad runs sc from conc workers in a closed loop (each sends its next
// request as soon as the previous one is answered) within lim, sampling the
// private RSS of process pid (when pid > 0). seed makes the random choices repeatable.
func runLoad(ctx context.Context, e *env, sc scenario, conc int, lim limits, seed uint64, pid int) runResult {
	deadline := time.Now().Add(lim.dur)
	if lim.n > 0 {
		deadline = time.Now().Add(lim.maxDur)
	}
	var issued, errs atomic.Int64
	var shown errorLog
	hists := make([]Histogram, conc)
	stopRSS := sampleRSS(pid)
	begin := time.Now()
	var wg sync.WaitGroup
	for w := range conc {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(seed, uint64(w)))
			for ctx.Err() == nil && time.Now().Before(deadline) && errs.Load() < maxErrors {
				if lim.n > 0 && issued.Add(1) > lim.n {
					return
				}
				t := time.Now()
				if err := sc.op(ctx, e, rng); err != nil {
					if ctx.Err() != nil {
						return // interrupted: not the server's fault
					}
					errs.Add(1)
					shown.add(sc.name, err)
					continue
				}
				hists[w].Record(time.Since(t))
			}
		})
	}
	wg.Wait()
	res := runResult{errs: errs.Load(), elapsed: time.Since(begin), hist: &Histogram{}, maxRSS: stopRSS()}
	for i := range hists {
		res.hist.Merge(&hists[i])
	}
	res.ok = int64(res.hist.Count())
	return res
}

// errorLog prints the first shownErrors errors of a run to stderr.
type errorLog struct {
	mu sync.Mutex
	n  int
}

func (l *errorLog) add(scenario string, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n++
	if l.n <= shownErrors {
		fmt.Fprintf(os.Stderr, "bench: %s: error: %v\n", scenario, err)
	}
}

// sampleRSS samples the private RSS (readRSS) of process pid every rssInterval until the
// returned function is called; that function returns the highest sample in
// KiB (0 if pid ≤ 0 or nothing could be read).
func sampleRSS(pid int) (stop func() int64) {
	if pid <= 0 {
		return func() int64 { return 0 }
	}
	done := make(chan struct{})
	result := make(chan int64, 1)
	go func() {
		var peak int64
		tick := time.NewTicker(rssInterval)
		defer tick.Stop()
		for {
			if kib, err := readRSS(pid); err == nil {
				peak = max(peak, kib)
			}
			select {
			case <-done:
				result <- peak
				return
			case <-tick.C:
			}
		}
	}()
	return func() int64 {
		close(done)
		return <-result
	}
}

// readRSS returns the private resident memory of process pid in KiB
// (RssAnon in /proc/<pid>/status, Linux only). VmRSS would also count the
// database file's pages that SQLite memory-maps, once per connection: they
// are the kernel's shared, reclaimable page cache, not the server's memory.
func readRSS(pid int) (int64, error) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "RssAnon:"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("no RssAnon in /proc/%d/status", pid)
}
