package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"minibase/db/sqlite"
)

func TestParseServe(t *testing.T) {
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	cfg, err := parseServe(nil, getenv, io.Discard)
	if err != nil || cfg.Dir != "./mb_data" || cfg.HTTP != "127.0.0.1:8090" || cfg.Sync != "FULL" || cfg.BodyLimit != 16<<20 ||
		cfg.SQLite.Check != sqlite.CheckBackground || cfg.DiskReserve != 32<<20 {
		t.Fatalf("defaults: %+v %v", cfg, err)
	}
	env["MINIBASE_DIR"], env["MINIBASE_HTTP"] = "/tmp/x", "127.0.0.1:1"
	cfg, _ = parseServe(nil, getenv, io.Discard)
	if cfg.Dir != "/tmp/x" || cfg.HTTP != "127.0.0.1:1" {
		t.Errorf("env not used: %+v", cfg)
	}
	env["MINIBASE_SQLITE_CHECK"], env["MINIBASE_DISK_RESERVE"] = "start", "0"
	if cfg, err = parseServe(nil, getenv, io.Discard); err != nil || cfg.SQLite.Check != sqlite.CheckOpen || cfg.DiskReserve != 0 {
		t.Errorf("check and reserve: %q, %d, %v", cfg.SQLite.Check, cfg.DiskReserve, err)
	}
	cfg, _ = parseServe([]string{"--dir", "d", "--http", "127.0.0.1:2"}, getenv, io.Discard)
	if cfg.Dir != "d" || cfg.HTTP != "127.0.0.1:2" {
		t.Errorf("flags must win over env: %+v", cfg)
	}
	for _, bad := range []map[string]string{
		{"MINIBASE_BODY_LIMIT": "lots"}, {"MINIBASE_SQLITE_SYNC": "OFF"}, {"MINIBASE_REQUEST_TIMEOUT": "-1s"},
		{"MINIBASE_SQLITE_CHECK": "quick"}, {"MINIBASE_DISK_RESERVE": "-1"}, {"MINIBASE_DISK_RESERVE": "lots"},
		{"MINIBASE_DISK_RESERVE": "2000GiB"},
	} {
		if _, err := parseServe(nil, func(k string) string { return bad[k] }, io.Discard); err == nil {
			t.Errorf("%v: want an error", bad)
		}
	}
	if _, err := parseServe([]string{"extra"}, getenv, io.Discard); err == nil {
		t.Error("stray argument: want an error")
	}
}

func TestCommands(t *testing.T) {
	var out bytes.Buffer
	if err := run([]string{"version"}, nil, &out, io.Discard); err != nil || !strings.HasPrefix(out.String(), "minibase ") {
		t.Errorf("version: %q %v", out.String(), err)
	}
	out.Reset()
	if err := run([]string{"help"}, nil, &out, io.Discard); err != nil || !strings.Contains(out.String(), "minibase serve") {
		t.Errorf("help: %q %v", out.String(), err)
	}
	if err := run([]string{"frobnicate"}, nil, io.Discard, io.Discard); err == nil {
		t.Error("unknown command: want an error")
	}
}

// TestGeneratedAdminKey: without MINIBASE_ADMIN_KEY the first serve prints
// a key once and stores only its hash; the key works; the next start
// prints nothing.
func TestGeneratedAdminKey(t *testing.T) {
	bin, dir, addr := binary(t), t.TempDir(), freeAddr(t)
	os.Unsetenv("MINIBASE_ADMIN_KEY")
	s := startServerEnv(t, bin, dir, addr, nil)
	var key string
	for _, f := range strings.Fields(s.out.String()) {
		if strings.HasPrefix(f, "mbk_") {
			key = f
		}
	}
	if key == "" {
		t.Fatalf("no key printed:\n%s", s.out)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "admin_key.sha256"))
	if err != nil || strings.Contains(string(raw), key) {
		t.Fatalf("hash file: %q %v", raw, err)
	}
	if fi, _ := os.Stat(filepath.Join(dir, "admin_key.sha256")); fi.Mode().Perm() != 0o600 {
		t.Errorf("hash file mode %v, want 0600", fi.Mode().Perm())
	}
	s.key = key
	if code, _, _ := s.post("/v1/db/c/insert", `{"data":{}}`); code != 200 {
		t.Errorf("generated key refused: %d", code)
	}
	s.cmd.Process.Kill()
	s.cmd.Wait()
	s2 := startServerEnv(t, bin, dir, addr, nil)
	time.Sleep(50 * time.Millisecond)
	if strings.Contains(s2.out.String(), "mbk_") {
		t.Errorf("key printed again on the second start:\n%s", s2.out)
	}
}

func TestParseAuthConfig(t *testing.T) {
	env := map[string]string{
		"MINIBASE_ACCESS_TTL": "15m", "MINIBASE_REFRESH_TTL": "48h", "MINIBASE_RATE_LIMITS": "login.account=3/m",
		"MINIBASE_OTP_SIGNUP": "false", "MINIBASE_WECHAT_APPID": "wx1", "MINIBASE_WECHAT_SECRET": "s",
		"MINIBASE_SMTP_ADDR": "smtp.example.com:465", "MINIBASE_SMTP_FROM": "a@example.com", "MINIBASE_SMTP_TLS": "tls",
		"MINIBASE_SMS_WEBHOOK_URL": "https://sms.example.com/hook", "MINIBASE_OTP_LOG": "1",
	}
	cfg, err := parseServe(nil, func(k string) string { return env[k] }, io.Discard)
	a := cfg.Auth
	if err != nil || a.AccessTTL != 15*time.Minute || a.RefreshTTL != 48*time.Hour || a.Limits.LoginAccount.N != 3 ||
		a.Limits.LoginIP.N != 30 || a.OTPSignup || a.Providers.WeChat.AppID != "wx1" || !a.Providers.SMTP.ImplicitTLS ||
		a.Providers.SMS.URL == "" || !a.Providers.OTPLog {
		t.Fatalf("parsed %+v, %v", a, err)
	}
	def, _ := parseServe(nil, func(string) string { return "" }, io.Discard)
	if def.Auth.AccessTTL != 2*time.Hour || def.Auth.RefreshTTL != 720*time.Hour || !def.Auth.OTPSignup || def.Auth.Limits.AnonymousIP.N != 120 {
		t.Errorf("defaults: %+v", def.Auth)
	}
	for _, bad := range []map[string]string{
		{"MINIBASE_ACCESS_TTL": "2"}, {"MINIBASE_ACCESS_TTL": "10s"}, {"MINIBASE_REFRESH_TTL": "9000h"},
		{"MINIBASE_ACCESS_TTL": "3h", "MINIBASE_REFRESH_TTL": "2h"}, {"MINIBASE_RATE_LIMITS": "login=1/m"},
		{"MINIBASE_RATE_LIMITS": "login.ip=many"}, {"MINIBASE_OTP_SIGNUP": "maybe"}, {"MINIBASE_WECHAT_APPID": "wx1"},
		{"MINIBASE_DOUYIN_SECRET": "s"}, {"MINIBASE_WECHAT_API_BASE": "ftp://x"}, {"MINIBASE_SMTP_ADDR": "smtp.example.com"},
		{"MINIBASE_SMTP_ADDR": "smtp.example.com:25"}, {"MINIBASE_SMTP_ADDR": "h:25", "MINIBASE_SMTP_FROM": "a@b.co", "MINIBASE_SMTP_TLS": "ssl"},
		{"MINIBASE_SMS_WEBHOOK_URL": "sms.example.com"}, {"MINIBASE_OTP_LOG": "yes please"},
		{"MINIBASE_APP_NAME": strings.Repeat("x", 65)},
	} {
		if _, err := parseServe(nil, func(k string) string { return bad[k] }, io.Discard); err == nil {
			t.Errorf("%v: want an error", bad)
		}
	}
}
