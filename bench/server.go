package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

const (
	startTimeout = 60 * time.Second // from exec to a healthy server
	stopTimeout  = 10 * time.Second // from SIGTERM to exit, then SIGKILL
	logTailSize  = 2048             // bytes of the server log shown on failure
)

// buildServer builds the minibase binary from the root of the module that
// contains the working directory (CGO_ENABLED=0, like the release build)
// into dir and returns its path.
func buildServer(ctx context.Context, dir string) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	gomod := strings.TrimSpace(string(out))
	if err != nil || gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("find the minibase module (run from the repository or pass -bin): %v", err)
	}
	bin := filepath.Join(dir, "minibase")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	cmd.Dir = filepath.Dir(gomod)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build minibase in %s: %w\n%s", cmd.Dir, err, out)
	}
	return bin, nil
}

// freeAddr returns a 127.0.0.1 address with a port that was free just now.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// server is a minibase process that the driver starts and owns: it runs
// `bin serve --dir dir --http addr` with MINIBASE_ADMIN_KEY=key (and env) and appends
// its output to logPath. Call stop when done.
type server struct {
	bin, dir, addr, key, logPath string
	env                          []string // more environment, e.g. the file store's

	cmd     *exec.Cmd
	exited  chan struct{} // closed once cmd has exited; waitErr is then set
	waitErr error
}

// url returns the server's base URL.
func (s *server) url() string { return "http://" + s.addr }

// pid returns the process id of the running server.
func (s *server) pid() int { return s.cmd.Process.Pid }

// start launches the process without waiting for it to be ready.
func (s *server) start() error {
	logf, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("open server log: %w", err)
	}
	defer logf.Close() // the child keeps its own descriptor
	cmd := exec.Command(s.bin, "serve", "--dir", s.dir, "--http", s.addr)
	// The driver is a flood from one address by design: the request rate
	// limits, which would refuse it, are off (s.env may turn them on).
	cmd.Env = append(append(os.Environ(), "MINIBASE_ADMIN_KEY="+s.key, "MINIBASE_RATE_DB=off", "MINIBASE_RATE_STORAGE=off",
		"MINIBASE_RATE_FUNCTIONS=off", "MINIBASE_RATE_AUTH=off", "MINIBASE_RATE_WATCH=off"), s.env...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", s.bin, err)
	}
	s.cmd, s.exited = cmd, make(chan struct{})
	go func() {
		s.waitErr = cmd.Wait()
		close(s.exited)
	}()
	return nil
}

// waitHealthy polls GET /v1/health every poll until it answers 200 with
// {"status":"ok"}, and returns the version it reports. It fails when the
// process exits or startTimeout passes.
func (s *server) waitHealthy(ctx context.Context, poll time.Duration) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: time.Second}
	defer hc.CloseIdleConnections()
	for {
		version, err := health(ctx, hc, s.url())
		if err == nil {
			return version, nil
		}
		select {
		case <-s.exited:
			return "", fmt.Errorf("server exited before it was healthy (%v); log tail:\n%s", s.waitErr, s.logTail())
		case <-ctx.Done():
			return "", fmt.Errorf("server not healthy after %v: %v; log tail:\n%s", startTimeout, err, s.logTail())
		case <-time.After(poll):
		}
	}
}

// health asks base for GET /v1/health and returns the reported version.
func health(ctx context.Context, hc *http.Client, base string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", base+"/v1/health", nil)
	if err != nil {
		return "", err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var h struct {
		Status  string          `json:"status"`
		Version json.RawMessage `json:"version"`
	}
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode != http.StatusOK || json.Unmarshal(raw, &h) != nil || h.Status != "ok" {
		return "", fmt.Errorf("health: HTTP %d %.200q", resp.StatusCode, raw)
	}
	var v string
	if json.Unmarshal(h.Version, &v) != nil {
		v = string(h.Version)
	}
	return v, nil
}

// stop sends SIGTERM and waits for the process to exit, killing it after
// stopTimeout. It reports a kill or an unclean exit as an error; the process
// is gone either way.
func (s *server) stop() error {
	if s.cmd == nil {
		return nil
	}
	select {
	case <-s.exited:
		return fmt.Errorf("server had already exited: %v", s.waitErr)
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
		if s.waitErr != nil {
			return fmt.Errorf("server exit after SIGTERM: %w", s.waitErr)
		}
		return nil
	case <-time.After(stopTimeout):
		_ = s.cmd.Process.Kill()
		<-s.exited
		return fmt.Errorf("server still running %v after SIGTERM: killed", stopTimeout)
	}
}

// coldStarts stops the server, then reps times starts it and measures the
// time from exec to the first healthy answer (polling every millisecond),
// stopping it again between repetitions. The server is left running.
func (s *server) coldStarts(ctx context.Context, reps int) ([]time.Duration, error) {
	var times []time.Duration
	for range reps {
		if err := s.stop(); err != nil {
			return times, err
		}
		begin := time.Now()
		if err := s.start(); err != nil {
			return times, err
		}
		if _, err := s.waitHealthy(ctx, time.Millisecond); err != nil {
			return times, err
		}
		times = append(times, time.Since(begin))
	}
	return times, nil
}

// logTail returns the end of the server's log.
func (s *server) logTail() string {
	b, err := os.ReadFile(s.logPath)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	if len(b) > logTailSize {
		b = b[len(b)-logTailSize:]
	}
	return string(b)
}
