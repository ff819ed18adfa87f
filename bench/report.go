package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"
)

// scenarioResult is every run of one scenario.
type scenarioResult struct {
	sc    scenario
	conc  int
	runs  []runResult
	notes []string // scenario.notes's lines
}

// totals merges the runs: all latencies, request and error counts, and the
// highest RSS seen.
func (s scenarioResult) totals() (h *Histogram, ok, errs, rss int64) {
	h = &Histogram{}
	for _, r := range s.runs {
		h.Merge(r.hist)
		ok += r.ok
		errs += r.errs
		rss = max(rss, r.maxRSS)
	}
	return h, ok, errs, rss
}

// rates returns the spread of the runs' request rates.
func (s scenarioResult) rates() Spread {
	v := make([]float64, len(s.runs))
	for i, r := range s.runs {
		v[i] = r.rate()
	}
	return Summarize(v)
}

// report is everything the driver prints at the end.
type report struct {
	cmdline   string
	version   string // as reported by /v1/health
	cfg       Config
	seedTime  time.Duration
	idleRSS   int64 // KiB after seeding, 0 if unknown
	watches   []watchResult
	results   []scenarioResult
	starts    []time.Duration // cold starts, if measured
	startNote string          // why they were not, if asked for
}

// writeMarkdown prints r as Markdown for the README.
func (r *report) writeMarkdown(w io.Writer) {
	c := r.cfg
	fmt.Fprintf(w, "## minibase load benchmark\n\n")
	fmt.Fprintf(w, "- Command: `%s`\n", r.cmdline)
	fmt.Fprintf(w, "- Machine: %s\n", machineInfo())
	fmt.Fprintf(w, "- Server: minibase %s; driver on the same machine, 127.0.0.1, HTTP/1.1 keep-alive\n", r.version)
	fmt.Fprintf(w, "- Data: %d posts of ~%d B JSON (PocketBase benchmark shape) by %d authors, indexes %s\n",
		c.Docs, approxPostSize(), c.Authors, indexNames(indexSets[c.Indexes]))
	fmt.Fprintf(w, "- Protocol: closed loop, each scenario run %d × %s; req/s is the median run (min–max); "+
		"latency percentiles over all requests of all runs; every answer checked\n\n", c.Runs, runLength(c))
	fmt.Fprintln(w, "| Scenario | What | c | req/s | min–max | p50 ms | p99 ms | requests | errors | max private RSS MiB |")
	fmt.Fprintln(w, "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|")
	for _, s := range r.results {
		h, ok, errs, rss := s.totals()
		rate, spread := "—", "—"
		if !s.sc.serial {
			sp := s.rates()
			rate, spread = fmt.Sprintf("%.0f", sp.Median), fmt.Sprintf("%.0f–%.0f", sp.Min, sp.Max)
		}
		fmt.Fprintf(w, "| %s | %s | %d | %s | %s | %s | %s | %d | %d | %s |\n",
			s.sc.name, s.sc.what, s.conc, rate, spread, ms(h.Quantile(0.5)), ms(h.Quantile(0.99)), ok, errs, mib(rss))
	}
	fmt.Fprintln(w)
	for _, s := range r.results {
		for _, n := range s.notes {
			fmt.Fprintf(w, "- %s: %s\n", s.sc.name, n)
		}
		if s.sc.bytes > 0 {
			sp := s.rates()
			fmt.Fprintf(w, "- Throughput, %s:%s (median run; %s–%s)\n", s.sc.name, throughput(sp.Median, s.sc.bytes),
				strings.TrimSpace(throughput(sp.Min, s.sc.bytes)), strings.TrimSpace(throughput(sp.Max, s.sc.bytes)))
		}
	}
	fmt.Fprintf(w, "- Seeding: %d posts in %s (%.0f docs/s, batches of %d, %d clients)\n",
		c.Docs, r.seedTime.Round(time.Millisecond), float64(c.Docs)/r.seedTime.Seconds(), seedBatch, seedClients)
	if r.idleRSS > 0 {
		fmt.Fprintf(w, "- Server private RSS (RssAnon) after seeding, idle: %s MiB. RSS here is the process's own memory; the database pages SQLite memory-maps are the kernel's page cache and are not counted\n", mib(r.idleRSS))
	}
	if len(r.starts) > 0 {
		v := make([]float64, len(r.starts))
		for i, d := range r.starts {
			v[i] = float64(d) / float64(time.Millisecond)
		}
		sp := Summarize(v)
		fmt.Fprintf(w, "- Start (exec → first 200 from /v1/health, %d posts on disk, polled every 1 ms): median %.1f ms (%.1f–%.1f over %d starts)\n",
			c.Docs, sp.Median, sp.Min, sp.Max, len(v))
	} else if r.startNote != "" {
		fmt.Fprintf(w, "- Start: not measured (%s)\n", r.startNote)
	}
	for _, wr := range r.watches {
		wr.writeMarkdown(w)
	}
}

// runLength describes how long each run lasts.
func runLength(c Config) string {
	if c.N > 0 {
		return fmt.Sprintf("%d requests (at most %s)", c.N, c.MaxDur)
	}
	return c.Dur.String()
}

// approxPostSize returns the JSON size of a typical post.
func approxPostSize() int {
	b, _ := json.Marshal(newPost(50000, 500))
	return len(b)
}

// throughput formats rate requests/s of size bytes each as MB/s or GB/s
// (decimal units), with a leading space; "" when size is 0.
func throughput(rate float64, size int64) string {
	if size <= 0 {
		return ""
	}
	bps := rate * float64(size)
	if bps >= 1e9 {
		return fmt.Sprintf(" %.2f GB/s", bps/1e9)
	}
	return fmt.Sprintf(" %.0f MB/s", bps/1e6)
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.2f", float64(d)/float64(time.Millisecond))
}

func mib(kib int64) string {
	if kib <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f", float64(kib)/1024)
}

// machineInfo describes the machine: CPU model, nproc, memory, kernel, Go.
func machineInfo() string {
	cpu := procField("/proc/cpuinfo", "model name", ":")
	if cpu == "" {
		cpu = "unknown CPU"
	}
	parts := []string{cpu, fmt.Sprintf("nproc %d", runtime.NumCPU())}
	var kib int64
	if _, err := fmt.Sscanf(procField("/proc/meminfo", "MemTotal", ":"), "%d kB", &kib); err == nil {
		parts = append(parts, fmt.Sprintf("%.1f GiB RAM", float64(kib)/(1<<20)))
	}
	if k, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		parts = append(parts, "Linux "+strings.TrimSpace(string(k)))
	}
	parts = append(parts, fmt.Sprintf("%s %s/%s", runtime.Version(), runtime.GOOS, runtime.GOARCH))
	return strings.Join(parts, ", ")
}

// procField returns the value of the first "key<sep> value" line of file,
// or "" when there is none.
func procField(file, key, sep string) string {
	f, err := os.Open(file)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), sep)
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// indexNames describes an index set: "(created desc) and (author, created desc)".
func indexNames(set [][]indexKey) string {
	var parts []string
	for _, keys := range set {
		var ks []string
		for _, k := range keys {
			if k.Desc {
				ks = append(ks, k.Path+" desc")
			} else {
				ks = append(ks, k.Path)
			}
		}
		parts = append(parts, "("+strings.Join(ks, ", ")+")")
	}
	return strings.Join(parts, " and ")
}
