package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// gate is a local HTTP server a function fetches: each request says it
// arrived, then is held until the test opens the gate.
type gate struct {
	*httptest.Server
	arrived chan struct{}
	open    chan struct{}
}

func newGate(t *testing.T) *gate {
	g := &gate{arrived: make(chan struct{}, 16), open: make(chan struct{})}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.arrived <- struct{}{}
		select {
		case <-g.open:
		case <-r.Context().Done():
		}
		fmt.Fprint(w, "done")
	}))
	t.Cleanup(func() {
		select {
		case <-g.open:
		default:
			close(g.open)
		}
		g.Close()
	})
	return g
}

// slowCall starts a server binary with env, deploys a function "slow" that
// fetches g, and starts a call of it; it returns the server and the call's
// answer (status and body, or the error), once the call is in progress.
func slowCall(t *testing.T, g *gate, env ...string) (*server, <-chan string) {
	t.Helper()
	bin, dir, addr := binary(t), t.TempDir(), freeAddr(t)
	s := startServerEnv(t, bin, dir, addr, append([]string{"MINIBASE_ADMIN_KEY=" + testKey, "MINIBASE_FETCH_ALLOW_PRIVATE=127.0.0.1/32"}, env...))
	deploy, _ := json.Marshal(map[string]any{"files": map[string]string{"index.js": fmt.Sprintf("exports.main = async () => (await fetch(%q)).text()", g.URL)},
		"config": map[string]any{"timeout": 600}})
	if code, body, err := s.do("PUT", "/v1/admin/functions/slow", string(deploy)); code != 200 {
		t.Fatalf("deploy: %d %v %v", code, body, err)
	}
	answer := make(chan string, 1)
	go func() {
		code, body, err := s.post("/v1/functions/slow/invoke", `{"data":{}}`)
		answer <- fmt.Sprint(code, " ", body["result"], " ", err)
	}()
	select {
	case <-g.arrived:
	case <-time.After(waitLimit):
		t.Fatalf("the function's fetch did not arrive within %v\n%s", waitLimit, s.out)
	}
	return s, answer
}

// exitOf waits for s's process to end and returns its exit status.
func exitOf(t *testing.T, s *server) int {
	t.Helper()
	exited := make(chan error, 1)
	go func() { exited <- s.cmd.Wait() }()
	select {
	case err := <-exited:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(waitLimit):
		t.Fatalf("the server did not exit within %v\n%s", waitLimit, s.out)
		return -1
	}
}

// TestShutdownFinishesFunctionCall: SIGTERM while a function's call is in
// progress: the server stops taking connections, the call completes with
// its result, and the process exits 0.
func TestShutdownFinishesFunctionCall(t *testing.T) {
	g := newGate(t)
	s, answer := slowCall(t, g)
	s.cmd.Process.Signal(syscall.SIGTERM)
	waitUntil(t, "the server to stop taking connections", func() bool { return !healthy(s.addr) })
	select {
	case a := <-answer:
		t.Fatalf("the call in progress was answered before it finished: %s\n%s", a, s.out)
	default:
	}
	close(g.open)
	if a := <-answer; a != "200 done <nil>" {
		t.Errorf("the call in progress at SIGTERM: %s, want 200 done\n%s", a, s.out)
	}
	if code := exitOf(t, s); code != 0 {
		t.Errorf("exit status %d after a graceful shutdown, want 0\n%s", code, s.out)
	}
}

// TestShutdownSecondSignal: a second signal during the wait ends the
// process at once (status 1), cutting off the call that has not finished.
func TestShutdownSecondSignal(t *testing.T) {
	g := newGate(t)
	s, answer := slowCall(t, g)
	s.cmd.Process.Signal(syscall.SIGTERM)
	waitUntil(t, "the server to say it shuts down", func() bool { return strings.Contains(s.out.String(), "shutting down") })
	s.cmd.Process.Signal(syscall.SIGINT)
	if code := exitOf(t, s); code != 1 {
		t.Errorf("exit status %d after a second signal, want 1\n%s", code, s.out)
	}
	if !strings.Contains(s.out.String(), "again: exiting now") {
		t.Errorf("the server did not say why it exits now:\n%s", s.out)
	}
	if a := <-answer; strings.HasPrefix(a, "200") {
		t.Errorf("the call cut off by the second signal: %s, want no answer", a)
	}
}

// TestShutdownTimeout: with MINIBASE_SHUTDOWN_TIMEOUT, a call that does not
// finish in time is cut off, and the process exits by itself with status 1
// and a message that says so.
func TestShutdownTimeout(t *testing.T) {
	g := newGate(t)
	s, _ := slowCall(t, g, "MINIBASE_SHUTDOWN_TIMEOUT=100ms")
	s.cmd.Process.Signal(syscall.SIGTERM)
	if code := exitOf(t, s); code != 1 {
		t.Errorf("exit status %d after the shutdown timed out, want 1\n%s", code, s.out)
	}
	if !strings.Contains(s.out.String(), "1 requests still in progress after MINIBASE_SHUTDOWN_TIMEOUT (100ms) were cut off") {
		t.Errorf("the server did not say what it cut off:\n%s", s.out)
	}
}
