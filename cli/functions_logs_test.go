package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// `minibase functions logs` prints a function's invocations as lines a
// person reads, filtered as asked; --follow prints new ones as they end
// and Ctrl-C ends it cleanly.
func TestFunctionsLogs(t *testing.T) {
	bin, addr := binary(t), freeAddr(t)
	s := startServer(t, bin, t.TempDir(), addr)
	env := []string{"MINIBASE_URL=http://" + addr, "MINIBASE_ADMIN_KEY=" + testKey}
	fn := t.TempDir()
	os.WriteFile(filepath.Join(fn, "index.js"), []byte(`exports.main = async (e) => {
  console.log('got', e.msg)
  if (e.fail) { console.error('about to fail'); throw new Error('boom') }
  return e.msg
}`), 0o600)
	if _, stderr, code := cli(t, bin, env, "functions", "deploy", "--name", "chatty", fn); code != 0 {
		t.Fatalf("deploy: %s", stderr)
	}
	var ids []string
	for _, data := range []string{`{"msg":"one"}`, `{"msg":"two"}`, `{"msg":"three","fail":true}`} {
		_, res, err := s.post("/v1/functions/chatty/invoke", `{"data":`+data+`}`)
		if err != nil {
			t.Fatal(err)
		}
		id, _ := res["requestID"].(string)
		if id == "" {
			id, _ = res["requestId"].(string)
		}
		ids = append(ids, id)
	}
	// Records are stored in the background: wait until the three are.
	deadline := time.Now().Add(startTimeout)
	for {
		_, res, err := s.do("GET", "/v1/admin/functions/logs?function=chatty", "")
		if data, _ := res["data"].([]any); err == nil && len(data) == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the three records were not stored within %v: %v %v", startTimeout, res, err)
		}
		time.Sleep(10 * time.Millisecond)
	}

	stdout, stderr, code := cli(t, bin, env, "functions", "logs", "chatty")
	one, two, three := strings.Index(stdout, ids[0]+"  ok  "), strings.Index(stdout, ids[1]+"  ok  "), strings.Index(stdout, ids[2]+"  error  ")
	if code != 0 || one < 0 || two < one || three < two {
		t.Errorf("logs: exit %d, want the three invocations oldest first:\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{"\n    log    got one\n", "\n    log    got three\n    error  about to fail\n    failed: Error: boom\n", " ms  cold start\n"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("logs lacks %q:\n%s", want, stdout)
		}
	}
	if first := strings.SplitN(stdout, "  ", 2)[0]; len(first) != len("2006-01-02 15:04:05.000") {
		t.Errorf("a line starts with %q, want the local time", first)
	}

	for _, c := range []struct {
		args       []string
		want, not  []string
		wantStderr string
	}{
		{args: []string{"--status", "error"}, want: ids[2:], not: ids[:2]},
		{args: []string{"--limit", "2"}, want: ids[1:], not: ids[:1]},
		{args: []string{"--request-id", ids[1]}, want: ids[1:2], not: []string{ids[0], ids[2]}},
		{args: []string{"--since", "1h"}, want: ids},
		{args: []string{"--since", "2099-01-01T00:00:00Z"}, not: ids},
		{args: []string{"--status", "maybe"}, wantStderr: "--status must be ok or error"},
		{args: []string{"--limit", "0"}, wantStderr: "--limit must be from 1 to 10000"},
		{args: []string{"--since", "-5m"}, wantStderr: "--since must be a positive duration"},
		{args: []string{"--since", "yesterday"}, wantStderr: "INVALID_PARAM: since must be an RFC 3339 time"},
	} {
		stdout, stderr, code := cli(t, bin, env, append([]string{"functions", "logs", "chatty"}, c.args...)...)
		if c.wantStderr != "" {
			if code == 0 || !strings.Contains(stderr, c.wantStderr) {
				t.Errorf("logs %v: exit %d, %q; want a failure saying %q", c.args, code, stderr, c.wantStderr)
			}
			continue
		}
		if code != 0 {
			t.Errorf("logs %v: exit %d, %s", c.args, code, stderr)
		}
		for _, id := range c.want {
			if !strings.Contains(stdout, id) {
				t.Errorf("logs %v lacks %s:\n%s", c.args, id, stdout)
			}
		}
		for _, id := range c.not {
			if strings.Contains(stdout, id) {
				t.Errorf("logs %v shows %s:\n%s", c.args, id, stdout)
			}
		}
	}
	if stdout, _, code := cli(t, bin, env, "functions", "logs"); code != 0 || !strings.Contains(stdout, "  chatty  "+ids[0]) {
		t.Errorf("logs of every function: exit %d, want the function's name on each line:\n%s", code, stdout)
	}

	// --follow: the newest record, then each new one; Ctrl-C ends it.
	cmd := exec.Command(bin, "functions", "logs", "chatty", "--follow", "--limit", "1")
	cmd.Env = append(os.Environ(), env...)
	out, errOut := &syncBuffer{}, &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	waitOutput(t, errOut, "following the logs of chatty (Ctrl-C to stop)\n")
	_, res, err := s.post("/v1/functions/chatty/invoke", `{"data":{"msg":"live"}}`)
	if err != nil {
		t.Fatal(err)
	}
	live, _ := res["requestID"].(string)
	waitOutput(t, out, live+"  ok  ")
	waitOutput(t, out, "    log    got live\n")
	cmd.Process.Signal(os.Interrupt)
	err = cmd.Wait()
	if err != nil || strings.Contains(errOut.String(), "minibase:") || !strings.Contains(out.String(), ids[2]) || strings.Contains(out.String(), ids[1]) {
		t.Errorf("follow after Ctrl-C: %v\nstdout:\n%s\nstderr:\n%s", err, out, errOut)
	}
}

// waitOutput waits until b holds want, failing the test after
// startTimeout.
func waitOutput(t *testing.T, b *syncBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(startTimeout)
	for !strings.Contains(b.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q within %v in:\n%s", want, startTimeout, b)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
