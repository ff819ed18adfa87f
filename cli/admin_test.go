package cli

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"

	"minibase/server"
)

// TestAdminCreateCommand runs `minibase admin create` in-process for its
// error paths, then through the built binary as a user would, and signs in.
func TestAdminCreateCommand(t *testing.T) {
	dir := t.TempDir()
	noEnv := func(string) string { return "" }
	create := func(stdin string, getenv func(string) string, args ...string) (string, error) {
		var out bytes.Buffer
		err := Admin(context.Background(), append([]string{"create"}, args...), Env{Getenv: getenv, Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: io.Discard})
		return out.String(), err
	}
	for name, tc := range map[string]struct {
		args  []string
		stdin string
		want  string
	}{
		"no email":           {[]string{"--dir", dir, "--password-stdin"}, "password1\n", "usage"},
		"two emails":         {[]string{"a@example.com", "b@example.com", "--dir", dir}, "", "usage"},
		"no password source": {[]string{"a@example.com", "--dir", dir}, "", "no password"},
		"short password":     {[]string{"a@example.com", "--dir", dir, "--password-stdin"}, "short\n", "password must be"},
		"bad email":          {[]string{"not-an-email", "--dir", dir, "--password-stdin"}, "password1\n", "email"},
	} {
		if _, err := create(tc.stdin, noEnv, tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one mentioning %q", name, err, tc.want)
		}
	}
	env := func(k string) string { return map[string]string{"MINIBASE_ADMIN_PASSWORD": "from the env"}[k] }
	if out, err := create("", env, "--dir", dir, "env@example.com"); err != nil || !strings.Contains(out, "created admin env@example.com") {
		t.Fatalf("env password: %q %v", out, err)
	}

	bin := binary(t)
	cmd := exec.Command(bin, "admin", "create", "ops@example.com", "--dir", dir, "--password-stdin")
	cmd.Stdin = strings.NewReader("binary password\n")
	cmd.Env = append(os.Environ(), "MINIBASE_ADMIN_PASSWORD=")
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "created admin ops@example.com") {
		t.Fatalf("minibase admin create: %v\n%s", err, out)
	}
	cmd = exec.Command(bin, "admin", "create", "OPS@example.com", "--dir", dir, "--password-stdin")
	cmd.Stdin = strings.NewReader("another password\n")
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "already exists") {
		t.Fatalf("duplicate admin: want a clear refusal, got %v\n%s", err, out)
	}

	cfg, err := server.ParseConfig([]string{"--dir", dir}, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.AdminKey = testKey
	s := &server.Server{Config: cfg, Out: io.Discard, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if err := s.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, body := range []string{`{"email":"ops@example.com","password":"binary password"}`, `{"email":"env@example.com","password":"from the env"}`} {
		req := httptest.NewRequest("POST", "/v1/auth/admin/login", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := s.App().Test(req, -1)
		if err != nil || resp.StatusCode != 200 {
			t.Errorf("admin login %s: %v %v", body, resp.StatusCode, err)
		}
	}
}
