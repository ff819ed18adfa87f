// Command bench is minibase's load driver: it starts a minibase server (or
// targets a running one), seeds a PocketBase-style posts collection, runs
// named scenarios over HTTP keep-alive connections in a closed loop, checks
// every answer, and prints a Markdown table for the README.
//
//	go run ./bench -docs 100000 -runs 3 -d 5s -c 50
//
// It exits non-zero if any request failed or any answer was wrong.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"minibase/storage/s3/miniotest"
)

// startScenario is the cold-start measurement's name in -scenarios.
const startScenario = "start"

// Config is the driver's configuration, from flags.
type Config struct {
	Bin       string        // minibase binary; built from the module when empty
	URL, Key  string        // a running server and its admin key, instead of starting one
	PID       int           // that server's pid, for RSS sampling
	Docs      int           // posts to seed
	Authors   int           // distinct authors of the posts
	Indexes   string        // the seeded collection's index set (indexSets)
	Coll      string        // collection to seed; Coll+"_create" takes the creates
	Scenarios []string      // names to run, in order
	Runs      int           // runs per scenario
	Dur       time.Duration // length of a run
	N         int64         // requests per run instead of Dur, when > 0
	MaxDur    time.Duration // cap on a run's length when N > 0
	Conc      int           // concurrent workers (connections)
	Starts    int           // cold starts to time
	Seed      uint64        // makes the data and the random choices repeatable
	Timeout   time.Duration // per request
	Keep      bool          // keep the temporary directory
	Storage   string        // the started server's file store: local, or s3 on a MinIO the driver starts
	// watch-idle and watch-fanout (watch.go)
	Watchers      int    // watches held open at once
	WatchQueries  int    // distinct queries among them (0: one each)
	Subscribers   int    // subscribers of the fan-out
	FanoutQueries int    // distinct queries among them
	Events        int    // inserts timed
	Peer          string // "pocketbase": compare cloud functions with its JS routes (peer_pocketbase.go)
}

func main() {
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := &Main{cfg: cfg}
	err = m.Open(ctx)
	if err == nil {
		err = m.Run(ctx)
	}
	if cerr := m.Close(); cerr != nil {
		logf("close: %v", cerr)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// parseFlags reads and checks the command line.
func parseFlags(args []string) (Config, error) {
	var c Config
	var scen string
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.StringVar(&c.Bin, "bin", "", "minibase binary to start (default: go build the module with CGO_ENABLED=0)")
	fs.StringVar(&c.URL, "url", "", "base URL of a running server to use instead of starting one")
	fs.StringVar(&c.Key, "key", os.Getenv("MINIBASE_ADMIN_KEY"), "admin key of the -url server (default $MINIBASE_ADMIN_KEY)")
	fs.IntVar(&c.PID, "pid", 0, "pid of the -url server, to sample its RSS")
	fs.IntVar(&c.Docs, "docs", 100000, "posts to seed")
	fs.IntVar(&c.Authors, "authors", 1000, "distinct authors of the posts (at most 65535)")
	fs.StringVar(&c.Indexes, "indexes", "compound", "indexes of the posts: compound (created desc; author + created desc) or single (created desc; author)")
	fs.StringVar(&c.Coll, "coll", "posts", "collection to seed (creates go to <coll>_create)")
	fs.StringVar(&scen, "scenarios", strings.Join(defaultNames(), ","), "comma-separated scenarios to run, in order (file scenarios: "+strings.Join(fileNames(), ",")+"; transactions: "+strings.Join(txnNames(), ",")+")")
	fs.IntVar(&c.Runs, "runs", 3, "runs per scenario")
	fs.DurationVar(&c.Dur, "d", 5*time.Second, "length of each run")
	fs.Int64Var(&c.N, "n", 0, "requests per run instead of -d (0: use -d)")
	fs.DurationVar(&c.MaxDur, "max-d", 2*time.Minute, "longest a run may last with -n")
	fs.IntVar(&c.Conc, "c", 50, "concurrent keep-alive workers (scan always uses 1)")
	fs.IntVar(&c.Starts, "starts", 5, "cold starts to time in the start scenario")
	fs.Uint64Var(&c.Seed, "seed", 1, "seed for the data and the random choices")
	fs.DurationVar(&c.Timeout, "timeout", 10*time.Second, "per-request timeout")
	fs.BoolVar(&c.Keep, "keep", false, "keep the temporary directory (binary, data, server.log)")
	fs.StringVar(&c.Storage, "storage", "local", "file store of the started server: local, or s3 (a MinIO server the driver starts)")
	fs.IntVar(&c.Watchers, "watchers", 10000, "watch-idle: watches held open at once, one connection each")
	fs.IntVar(&c.WatchQueries, "watch-queries", 0, "watch-idle: distinct queries among them (0: one each)")
	fs.IntVar(&c.Subscribers, "subscribers", 1000, "watch-fanout: connections watching")
	fs.IntVar(&c.FanoutQueries, "fanout-queries", 1, "watch-fanout: distinct queries among them (all match every insert)")
	fs.IntVar(&c.Events, "events", 200, "watch-fanout: inserts timed, one at a time")
	fs.StringVar(&c.Peer, "peer", "", "pocketbase: run the cloud-function comparison with PocketBase's JS routes (scenarios: "+strings.Join(peerNames(), ",")+")")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	c.Scenarios = strings.Split(scen, ",")
	if c.Peer != "" && !flagSet(fs, "scenarios") {
		c.Scenarios = peerNames()
	}
	return c, c.check()
}

// check reports the first invalid setting.
func (c Config) check() error {
	names := allNames()
	if c.Peer != "" {
		names = peerNames()
	}
	for _, name := range c.Scenarios {
		if !slices.Contains(names, name) {
			return fmt.Errorf("unknown scenario %q (have %s)", name, strings.Join(names, ", "))
		}
	}
	switch {
	case c.Docs < 1 || c.Runs < 1 || c.Conc < 1 || c.Starts < 1:
		return fmt.Errorf("-docs, -runs, -c and -starts must be at least 1")
	case c.Watchers < 1 || c.Subscribers < 1 || c.Events < 1 || c.WatchQueries < 0 || c.FanoutQueries < 0:
		return fmt.Errorf("-watchers, -subscribers and -events must be at least 1, -watch-queries and -fanout-queries not negative")
	case c.Authors < 1 || c.Authors > 65535:
		return fmt.Errorf("-authors must be 1 to 65535")
	case indexSets[c.Indexes] == nil:
		return fmt.Errorf("-indexes is compound or single")
	case c.Dur <= 0 || c.MaxDur <= 0 || c.Timeout <= 0 || c.N < 0:
		return fmt.Errorf("-d, -max-d and -timeout must be positive, -n not negative")
	case c.URL != "" && c.Key == "":
		return fmt.Errorf("-url needs -key (or $MINIBASE_ADMIN_KEY)")
	case c.URL != "" && c.Bin != "":
		return fmt.Errorf("-url and -bin exclude each other")
	case c.Storage != "local" && c.Storage != "s3", c.Storage == "s3" && c.URL != "":
		return fmt.Errorf("-storage is local or s3, and only for a server the driver starts")
	case c.Peer != "" && (c.Peer != "pocketbase" || c.URL != ""):
		return fmt.Errorf("-peer is pocketbase, and only with servers the driver starts")
	}
	return nil
}

// flagSet reports whether the command line set flag name.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// allNames lists every scenario.
func allNames() []string {
	return append(append(append(defaultNames(), fileNames()...), txnNames()...), watchNames()...)
}

// txnNames lists the transaction scenarios.
func txnNames() []string {
	var names []string
	for _, s := range txnScenarios() {
		names = append(names, s.name)
	}
	return names
}

// defaultNames lists the scenarios run by default, in order.
func defaultNames() []string {
	var names []string
	for _, s := range dbScenarios() {
		names = append(names, s.name)
	}
	return append(names, startScenario)
}

// fileNames lists the object-storage scenarios.
func fileNames() []string {
	var names []string
	for _, s := range fileScenarios() {
		names = append(names, s.name)
	}
	return names
}

// Main holds the server under test and the run's state.
type Main struct {
	cfg     Config
	tmp     string  // temporary directory, when the driver started the server
	srv     *server // nil with -url
	base    string
	key     string
	pid     int // server process for RSS sampling; 0 if unknown
	version string
	minio   *miniotest.Server // with -storage s3
}

// Open starts the server (building it first if needed) and waits until it
// is healthy, or checks that the -url server is.
func (m *Main) Open(ctx context.Context) error {
	if m.cfg.URL != "" {
		m.base, m.key, m.pid = strings.TrimRight(m.cfg.URL, "/"), m.cfg.Key, m.cfg.PID
		v, err := health(ctx, &http.Client{Timeout: m.cfg.Timeout}, m.base)
		m.version = v
		return err
	}
	tmp, err := os.MkdirTemp("", "minibase-bench-")
	if err != nil {
		return err
	}
	m.tmp = tmp
	bin := m.cfg.Bin
	if bin == "" {
		logf("building minibase (CGO_ENABLED=0) …")
		if bin, err = buildServer(ctx, tmp); err != nil {
			return err
		}
	}
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	m.srv = &server{bin: bin, dir: filepath.Join(tmp, "data"), addr: addr, key: randomKey(),
		logPath: filepath.Join(tmp, "server.log")}
	if m.cfg.Storage == "s3" {
		logf("starting MinIO …")
		if m.minio, err = miniotest.StartDir(filepath.Join(tmp, "minio")); err != nil {
			return err
		}
		m.srv.env = []string{"MINIBASE_STORAGE=s3", "MINIBASE_S3_ENDPOINT=" + m.minio.Endpoint, "MINIBASE_S3_BUCKET=minibase",
			"MINIBASE_S3_ACCESS_KEY=" + m.minio.AccessKey, "MINIBASE_S3_SECRET_KEY=" + m.minio.SecretKey}
	}
	if m.cfg.Peer != "" {
		m.srv.env = append(m.srv.env, "MINIBASE_FUNCTIONS_LOG_STORE=off")
	}
	if slices.ContainsFunc(m.cfg.Scenarios, func(n string) bool { return slices.Contains(watchNames(), n) }) {
		// The watch scenarios' thousands of connections all come from this
		// one address: lift the per-address cap, and leave room for them.
		m.srv.env = append(m.srv.env, "MINIBASE_MAX_CONNS_PER_ADDR=0",
			fmt.Sprintf("MINIBASE_MAX_CONNS=%d", max(m.cfg.Watchers, m.cfg.Subscribers)+1000))
	}
	if err := m.srv.start(); err != nil {
		return err
	}
	if m.version, err = m.srv.waitHealthy(ctx, 5*time.Millisecond); err != nil {
		return err
	}
	m.base, m.key, m.pid = m.srv.url(), m.srv.key, m.srv.pid()
	logf("server %s (pid %d) at %s, data in %s", m.version, m.pid, m.base, m.srv.dir)
	return nil
}

// Close stops the server the driver started and removes its directory
// unless -keep was given.
func (m *Main) Close() error {
	var err error
	if m.srv != nil {
		err = m.srv.stop()
	}
	if m.minio != nil {
		m.minio.Stop()
	}
	if m.tmp != "" {
		if m.cfg.Keep {
			logf("kept %s", m.tmp)
		} else if rerr := os.RemoveAll(m.tmp); rerr != nil && err == nil {
			err = rerr
		}
	}
	return err
}

func randomKey() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b) // never fails on Linux (crypto/rand documents it)
	return "mbk_bench_" + hex.EncodeToString(b)
}

// logf prints progress to stderr, keeping stdout for the report.
func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}
