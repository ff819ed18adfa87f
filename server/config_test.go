package server

import (
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"minibase/db/sqlite"
)

func TestParseConfig(t *testing.T) {
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	cfg, err := ParseConfig(nil, getenv)
	if err != nil || cfg.Dir != "./mb_data" || cfg.HTTP != "127.0.0.1:8090" || cfg.Sync != "FULL" || cfg.BodyLimit != 16<<20 ||
		cfg.SQLite.Check != sqlite.CheckBackground || cfg.DiskReserve != 32<<20 || cfg.AggregateMem != 100<<20 {
		t.Fatalf("defaults: %+v %v", cfg, err)
	}
	env["MINIBASE_DIR"], env["MINIBASE_HTTP"] = "/tmp/x", "127.0.0.1:1"
	cfg, _ = ParseConfig(nil, getenv)
	if cfg.Dir != "/tmp/x" || cfg.HTTP != "127.0.0.1:1" {
		t.Errorf("env not used: %+v", cfg)
	}
	env["MINIBASE_SQLITE_CHECK"], env["MINIBASE_DISK_RESERVE"] = "start", "0"
	if cfg, err = ParseConfig(nil, getenv); err != nil || cfg.SQLite.Check != sqlite.CheckOpen || cfg.DiskReserve != 0 {
		t.Errorf("check and reserve: %q, %d, %v", cfg.SQLite.Check, cfg.DiskReserve, err)
	}
	env["MINIBASE_DB_AGGREGATE_MEMORY"] = "1GiB"
	if cfg, err = ParseConfig(nil, getenv); err != nil || cfg.AggregateMem != 1<<30 {
		t.Errorf("aggregation memory: %d, %v", cfg.AggregateMem, err)
	}
	for v, want := range map[string]int{"1KiB": 1 << 10, "1024": 1 << 10, "4GiB": 1 << 32, "2 MiB": 2 << 20} {
		env["MINIBASE_BODY_LIMIT"] = v
		if cfg, err = ParseConfig(nil, getenv); err != nil || cfg.BodyLimit != want {
			t.Errorf("MINIBASE_BODY_LIMIT=%s: %d, %v; want %d", v, cfg.BodyLimit, err, want)
		}
	}
	delete(env, "MINIBASE_BODY_LIMIT")
	cfg, _ = ParseConfig([]string{"--dir", "d", "--http", "127.0.0.1:2"}, getenv)
	if cfg.Dir != "d" || cfg.HTTP != "127.0.0.1:2" {
		t.Errorf("flags must win over env: %+v", cfg)
	}
	for _, bad := range []map[string]string{
		{"MINIBASE_BODY_LIMIT": "lots"}, {"MINIBASE_SQLITE_SYNC": "OFF"}, {"MINIBASE_REQUEST_TIMEOUT": "-1s"},
		{"MINIBASE_SQLITE_CHECK": "quick"}, {"MINIBASE_DISK_RESERVE": "-1"}, {"MINIBASE_DISK_RESERVE": "lots"},
		{"MINIBASE_DISK_RESERVE": "2000GiB"}, {"MINIBASE_DB_AGGREGATE_MEMORY": "1KiB"}, {"MINIBASE_DB_AGGREGATE_MEMORY": "0"},
	} {
		if _, err := ParseConfig(nil, func(k string) string { return bad[k] }); err == nil {
			t.Errorf("%v: want an error", bad)
		}
	}
	if _, err := ParseConfig([]string{"extra"}, getenv); err == nil {
		t.Error("stray argument: want an error")
	}
}

func TestParseAuthConfig(t *testing.T) {
	env := map[string]string{
		"MINIBASE_ACCESS_TTL": "15m", "MINIBASE_REFRESH_TTL": "48h", "MINIBASE_RATE_LIMITS": "login.account=3/m",
		"MINIBASE_OTP_SIGNUP": "false", "MINIBASE_WECHAT_APPID": "wx1", "MINIBASE_WECHAT_SECRET": "s",
		"MINIBASE_SMTP_ADDR": "smtp.example.com:465", "MINIBASE_SMTP_FROM": "a@example.com", "MINIBASE_SMTP_TLS": "tls",
		"MINIBASE_SMS_WEBHOOK_URL": "https://sms.example.com/hook", "MINIBASE_OTP_LOG": "1",
	}
	cfg, err := ParseConfig(nil, func(k string) string { return env[k] })
	a := cfg.Auth
	if err != nil || a.AccessTTL != 15*time.Minute || a.RefreshTTL != 48*time.Hour || a.Limits.LoginAccount.N != 3 ||
		a.Limits.LoginIP.N != 30 || a.OTPSignup || a.Providers.WeChat.AppID != "wx1" || !a.Providers.SMTP.ImplicitTLS ||
		a.Providers.SMS.URL == "" || !a.Providers.OTPLog {
		t.Fatalf("parsed %+v, %v", a, err)
	}
	def, _ := ParseConfig(nil, func(string) string { return "" })
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
		if _, err := ParseConfig(nil, func(k string) string { return bad[k] }); err == nil {
			t.Errorf("%v: want an error", bad)
		}
	}
}

// TestSettingAlias: MINIBASE_RATE_SIGNIN was MINIBASE_RATE_LIMITS, and a
// deployment that still sets the older variable, or the older key in its
// config file, keeps its sign-in limits; the new name wins; a file giving
// both names is refused, naming them.
func TestSettingAlias(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		file string
		want int // login.account's N
	}{
		{"new variable", map[string]string{"MINIBASE_RATE_SIGNIN": "login.account=3/m"}, "", 3},
		{"older variable", map[string]string{"MINIBASE_RATE_LIMITS": "login.account=4/m"}, "", 4},
		{"both variables", map[string]string{"MINIBASE_RATE_SIGNIN": "login.account=3/m", "MINIBASE_RATE_LIMITS": "login.account=4/m"}, "", 3},
		{"new key", nil, `rate_signin = ["login.account=5/m"]`, 5},
		{"older key", nil, `rate_limits = ["login.account=6/m"]`, 6},
		{"variable over key", map[string]string{"MINIBASE_RATE_LIMITS": "login.account=4/m"}, `rate_signin = ["login.account=5/m"]`, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var args []string
			if tc.file != "" {
				args = []string{"--config", configFile(t, tc.file)}
			}
			cfg, err := ParseConfig(args, func(k string) string { return tc.env[k] })
			if err != nil || cfg.Auth.Limits.LoginAccount.N != tc.want {
				t.Errorf("login.account = %d, %v; want %d", cfg.Auth.Limits.LoginAccount.N, err, tc.want)
			}
		})
	}
	_, err := ParseConfig([]string{"--config", configFile(t, "rate_signin = [\"login.account=5/m\"]\nrate_limits = [\"off\"]\n")}, func(string) string { return "" })
	if err == nil || !strings.Contains(err.Error(), "rate_limits is rate_signin's older name") {
		t.Errorf("both keys: %v, want an error naming both", err)
	}
	_, err = ParseConfig(nil, func(k string) string { return map[string]string{"MINIBASE_RATE_LIMITS": "login=1/m"}[k] })
	if err == nil || !strings.Contains(err.Error(), "MINIBASE_RATE_LIMITS") {
		t.Errorf("a bad value of the older variable: %v, want an error naming it", err)
	}
}

// The settings of one area, parsed from getenv alone: what the area's tests
// look at (one parser reads them all).

func parseFunctions(getenv func(string) string) (FunctionsConfig, error) {
	c, err := ParseConfig(nil, getenv)
	return c.Functions, err
}

func parseStorage(getenv func(string) string) (StorageConfig, error) {
	c, err := ParseConfig(nil, getenv)
	return c.Storage, err
}

func TestParseWatchConfig(t *testing.T) {
	def, err := ParseConfig(nil, func(string) string { return "" })
	if w := def.Watch; err != nil || w.MaxDocs != 5000 || w.PerConnection != 100 || w.PerUser != 500 || w.Total != 50000 || w.IdleTimeout != time.Minute {
		t.Fatalf("defaults: %+v, %v", def.Watch, err)
	}
	env := map[string]string{"MINIBASE_WATCH_MAX_DOCS": "20", "MINIBASE_WATCH_PER_CONNECTION": "3", "MINIBASE_WATCH_PER_USER": "7",
		"MINIBASE_WATCH_MAX": "9", "MINIBASE_WATCH_IDLE_TIMEOUT": "5s"}
	cfg, err := ParseConfig(nil, func(k string) string { return env[k] })
	if w := cfg.Watch; err != nil || w != (WatchConfig{MaxDocs: 20, PerConnection: 3, PerUser: 7, Total: 9, IdleTimeout: 5 * time.Second}) {
		t.Errorf("parsed %+v, %v", cfg.Watch, err)
	}
	for _, bad := range []map[string]string{
		{"MINIBASE_WATCH_MAX_DOCS": "0"}, {"MINIBASE_WATCH_PER_CONNECTION": "many"}, {"MINIBASE_WATCH_IDLE_TIMEOUT": "10ms"},
	} {
		if _, err := ParseConfig(nil, func(k string) string { return bad[k] }); err == nil {
			t.Errorf("%v: want an error", bad)
		}
	}
}

func parseImages(getenv func(string) string) (ImageConfig, error) {
	c, err := ParseConfig(nil, getenv)
	return c.Storage.Images, err
}

// The README's Configuration section names every setting the server reads
// (the table in config*.go is the list).
func TestREADMEListsEverySetting(t *testing.T) {
	raw, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(raw), "\n## Configuration\n")
	section, _, _ = strings.Cut(section, "\n## ")
	for _, s := range new(Config).settings() {
		if !strings.Contains(section, "`"+s.env+"`") {
			t.Errorf("README.md's Configuration section does not name %s", s.env)
		}
	}
}

// The table: one row per variable, each with help; the help text lists
// them all with their defaults; a bad value is refused naming the setting
// (or the flag) and what it must be.
func TestSettingsTable(t *testing.T) {
	seen := map[string]bool{}
	usage := "\n" + Usage()
	words := strings.Join(strings.Fields(usage), " ")
	for _, s := range new(Config).settings() {
		if seen[s.env] || !strings.HasPrefix(s.env, "MINIBASE_") || s.usage == "" || s.set == nil {
			t.Errorf("%s: a second row, a bad name, or no help or parser", s.env)
		}
		seen[s.env] = true
		if n := strings.Count(usage, "\n  "+s.env+" ") + strings.Count(usage, "\n  "+s.env+",") + strings.Count(usage, "\n  "+s.env+"\n"); n != 1 {
			t.Errorf("%s is in the help %d times, want once", s.env, n)
		}
		if s.def != "" && !strings.Contains(words, "(default "+s.def+")") {
			t.Errorf("%s: the help does not give its default %s", s.env, s.def)
		}
	}
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{nil, map[string]string{"MINIBASE_BODY_LIMIT": "lots"}, `MINIBASE_BODY_LIMIT must be a size from 1KiB to 4GiB, like 32MiB or 5000000 (bytes), got "lots"`},
		{nil, map[string]string{"MINIBASE_BODY_LIMIT": "1023"}, `MINIBASE_BODY_LIMIT must be a size from 1KiB to 4GiB`},
		{nil, map[string]string{"MINIBASE_SQLITE_CHECK": "quick"}, `MINIBASE_SQLITE_CHECK must be background, off or start, got "quick"`},
		{nil, map[string]string{"MINIBASE_DISK_RESERVE": "2TiB"}, `MINIBASE_DISK_RESERVE must be a size from 0 to 1024GiB`},
		{nil, map[string]string{"MINIBASE_PUBLIC_URL": "api.example.com"}, `MINIBASE_PUBLIC_URL must be an http(s) URL`},
		{nil, map[string]string{"MINIBASE_SMTP_TLS": "ssl"}, `MINIBASE_SMTP_TLS must be starttls, tls or none`},
		{[]string{"--http", "x", "--nope"}, nil, `serve: flag provided but not defined: -nope`},
	} {
		_, err := ParseConfig(tc.args, func(k string) string { return tc.env[k] })
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v %v: %v, want an error saying %s", tc.args, tc.env, err, tc.want)
		}
	}
}

// Every setting's parser takes any value without panicking, and its error
// says what the value must be (ParseConfig puts the setting's name before)
// or names the setting itself.
func FuzzParseConfig(f *testing.F) {
	for i, s := range new(Config).settings() {
		f.Add(i, s.def)
		f.Add(i, "-1")
		f.Add(i, "9999999999999999999GiB")
	}
	f.Fuzz(func(t *testing.T, i int, v string) {
		table := new(Config).settings()
		s := table[uint(i)%uint(len(table))]
		if err := s.set(v); err != nil && !strings.HasPrefix(err.Error(), "must be ") && !strings.HasPrefix(err.Error(), s.env+": ") {
			t.Errorf("%s=%q: %q does not say what the value must be", s.env, v, err)
		}
	})
}

// The functions' settings: limits, retries, logs, the timer's time zone
// and fetch's lists; a bad value is refused, and stops the server.
func TestFunctionsSettings(t *testing.T) {
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	c, err := parseFunctions(env(map[string]string{
		"MINIBASE_FUNCTIONS_CONCURRENCY": "8", "MINIBASE_FUNCTIONS_QUEUE": "16",
		"MINIBASE_FUNCTIONS_ASYNC_RETRIES": "0", "MINIBASE_FUNCTIONS_RETRY_BACKOFF": "250ms", "MINIBASE_FUNCTIONS_LOG": "all",
		"MINIBASE_FETCH_ALLOW": "api.weixin.qq.com, *.example.com", "MINIBASE_FETCH_DENY": "bad.example.com",
		"MINIBASE_FETCH_ALLOW_PRIVATE": "10.0.0.0/8", "MINIBASE_TIMER_TZ": "UTC",
	}))
	if err != nil || c.Concurrency != 8 || c.Queue != 16 || c.AsyncRetries != -1 || c.RetryBackoff != 250*time.Millisecond ||
		c.Log != "all" || strings.Join(c.Fetch.Allow, "|") != "api.weixin.qq.com|*.example.com" || c.Fetch.Deny[0] != "bad.example.com" ||
		c.Fetch.AllowPrivate[0] != "10.0.0.0/8" || c.TimerTZ != time.UTC {
		t.Fatalf("got %+v, %v", c, err)
	}
	if c, err := parseFunctions(env(map[string]string{"MINIBASE_FUNCTIONS_ASYNC_RETRIES": "00"})); err != nil || c.AsyncRetries != -1 {
		t.Errorf("ASYNC_RETRIES=00: retries %d, %v; want -1 (none), not the default", c.AsyncRetries, err)
	}
	if c, _ := parseFunctions(env(nil)); c.Log != "errors" || c.Concurrency != 0 || c.TimerTZ.String() != "Asia/Shanghai" {
		t.Errorf("defaults: %+v", c)
	}
	for _, bad := range []map[string]string{
		{"MINIBASE_FUNCTIONS_CONCURRENCY": "0"},
		{"MINIBASE_FUNCTIONS_QUEUE": "many"},
		{"MINIBASE_FUNCTIONS_ASYNC_RETRIES": "-1"},
		{"MINIBASE_FUNCTIONS_RETRY_BACKOFF": "soon"},
		{"MINIBASE_FUNCTIONS_LOG": "verbose"},
		{"MINIBASE_TIMER_TZ": "Mars/Olympus"},
	} {
		if _, err := parseFunctions(env(bad)); err == nil {
			t.Errorf("%v: accepted", bad)
		}
	}
	// A bad AllowPrivate entry stops the server from starting.
	cfg, _ := ParseConfig(nil, env(map[string]string{"MINIBASE_FETCH_ALLOW_PRIVATE": "not-an-ip"}))
	cfg.Dir, cfg.AdminKey = t.TempDir(), testKey
	m := &Server{Config: cfg, Out: io.Discard, Log: discardLogger()}
	if err := m.Open(t.Context()); err == nil || !strings.Contains(err.Error(), "not-an-ip") {
		t.Errorf("Open with a bad fetch setting: %v", err)
	}
	m.Close()
}

// The functions' log store settings: age, size and what it keeps; and
// the memory budget.
func TestFunctionLogsSettings(t *testing.T) {
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	if c, err := parseFunctions(env(nil)); err != nil || c.LogStore != "all" || c.LogAge != 7*24*time.Hour || c.LogSize != 256<<20 || c.Memory != 0 {
		t.Errorf("defaults: age %v, size %d, memory %d, %v", c.LogAge, c.LogSize, c.Memory, err)
	}
	if c, err := parseFunctions(env(map[string]string{"MINIBASE_FUNCTIONS_MEMORY": "2GiB"})); err != nil || c.Memory != 2<<30 {
		t.Errorf("MINIBASE_FUNCTIONS_MEMORY=2GiB: %d, %v", c.Memory, err)
	}
	for _, c := range []struct {
		age, size string
		wantAge   time.Duration
		wantSize  int64
	}{{"30d", "1GiB", 30 * 24 * time.Hour, 1 << 30}, {"36h", "2MiB", 36 * time.Hour, 2 << 20}} {
		got, err := parseFunctions(env(map[string]string{"MINIBASE_FUNCTIONS_LOG_AGE": c.age, "MINIBASE_FUNCTIONS_LOG_SIZE": c.size}))
		if err != nil || got.LogAge != c.wantAge || got.LogSize != c.wantSize {
			t.Errorf("%s, %s: age %v, size %d, %v", c.age, c.size, got.LogAge, got.LogSize, err)
		}
	}
	for _, bad := range []map[string]string{
		{"MINIBASE_FUNCTIONS_LOG_AGE": "a week"},
		{"MINIBASE_FUNCTIONS_LOG_AGE": "10s"},
		{"MINIBASE_FUNCTIONS_LOG_AGE": "-1d"},
		{"MINIBASE_FUNCTIONS_LOG_SIZE": "100KiB"},
		{"MINIBASE_FUNCTIONS_LOG_SIZE": "lots"},
		{"MINIBASE_FUNCTIONS_LOG_STORE": "some"},
		{"MINIBASE_FUNCTIONS_MEMORY": "32MiB"},
		{"MINIBASE_FUNCTIONS_MEMORY": "a lot"},
	} {
		if _, err := parseFunctions(env(bad)); err == nil {
			t.Errorf("%v: accepted", bad)
		}
	}
}

// HTTPS settings: --https turns TLS on, moves the plain listener to :80
// (unless given) and the public URL to https://<first domain>; the file
// pair goes together; --hsts is a switch; bad values are refused saying
// what they must be.
func TestHTTPSSettings(t *testing.T) {
	none := func(string) string { return "" }
	cfg, err := ParseConfig([]string{"--https", "API.example.com, www.example.com"}, none)
	if err != nil || !cfg.HTTPS.On() || !cfg.HTTPS.ACME() || cfg.HTTP != ":80" || cfg.HTTPS.Addr != ":443" ||
		cfg.Storage.PublicURL != "https://api.example.com" || len(cfg.HTTPS.Domains) != 2 || cfg.HTTPS.Domains[0] != "api.example.com" ||
		cfg.HTTPS.ACMEDirectory != letsEncrypt || cfg.HTTPS.HSTS || cfg.HTTPS.HandshakeTimeout != 10*time.Second {
		t.Fatalf("--https: %+v %q %q %v", cfg.HTTPS, cfg.HTTP, cfg.Storage.PublicURL, err)
	}
	cfg, err = ParseConfig([]string{"--https", "api.example.com", "--http", "127.0.0.1:8080", "--https-addr", ":8443", "--hsts",
		"--acme-email", "ops@example.com", "--acme-directory", "https://acme-staging-v02.api.letsencrypt.org/directory"}, none)
	if err != nil || cfg.HTTP != "127.0.0.1:8080" || cfg.Storage.PublicURL != "https://api.example.com:8443" || !cfg.HTTPS.HSTS ||
		cfg.HTTPS.HSTSMaxAge != 365*24*time.Hour || cfg.HTTPS.Email != "ops@example.com" || !strings.Contains(cfg.HTTPS.ACMEDirectory, "staging") {
		t.Fatalf("flags: %+v %q %q %v", cfg.HTTPS, cfg.HTTP, cfg.Storage.PublicURL, err)
	}
	env := map[string]string{"MINIBASE_HTTPS": "api.example.com", "MINIBASE_PUBLIC_URL": "https://cdn.example.com", "MINIBASE_HSTS": "true"}
	cfg, err = ParseConfig([]string{"--hsts=false"}, func(k string) string { return env[k] })
	if err != nil || cfg.Storage.PublicURL != "https://cdn.example.com" || cfg.HTTPS.HSTS {
		t.Errorf("a given public URL, --hsts=false over the variable: %q %v %v", cfg.Storage.PublicURL, cfg.HTTPS.HSTS, err)
	}
	cfg, err = ParseConfig([]string{"--tls-cert", "c.pem", "--tls-key", "k.pem"}, none)
	if err != nil || !cfg.HTTPS.On() || cfg.HTTPS.ACME() || cfg.HTTP != ":80" || cfg.Storage.PublicURL != "" {
		t.Errorf("certificate files: %+v %q %v", cfg.HTTPS, cfg.HTTP, err)
	}
	if cfg, err = ParseConfig(nil, none); err != nil || cfg.HTTPS.On() || cfg.HTTP != defaultHTTP {
		t.Errorf("no HTTPS: %+v %q %v", cfg.HTTPS, cfg.HTTP, err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--tls-cert", "c.pem"}, "MINIBASE_TLS_CERT and MINIBASE_TLS_KEY go together"},
		{[]string{"--https", "localhost"}, `--https must be domain names like api.example.com, comma-separated ("localhost" is not one)`},
		{[]string{"--https", "*.example.com"}, `("*.example.com" is not one)`},
		{[]string{"--https", "10.0.0.1"}, `("10.0.0.1" is not one)`},
		{[]string{"--https", "a_b.example.com"}, `is not one`},
		{[]string{"--https", strings.Repeat("a.", 130) + "com"}, `is not one`},
		{[]string{"--https", strings.Repeat("x.example.com,", 101)}, `must be at most 100 domain names`},
		{[]string{"--http", "off"}, "MINIBASE_HTTP=off needs MINIBASE_HTTPS or MINIBASE_TLS_CERT"},
		{[]string{"--https", "api.example.com", "--http", ":443"}, "MINIBASE_HTTP and MINIBASE_HTTPS_ADDR are both :443"},
		{[]string{"--acme-email", "not an email"}, "--acme-email must be an email address"},
		{[]string{"--acme-directory", "acme.example.com"}, "--acme-directory must be an http(s) URL"},
		{[]string{"--hsts=maybe"}, "--hsts must be true or false"},
	} {
		if _, err := ParseConfig(tc.args, none); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want an error saying %s", tc.args, err, tc.want)
		}
	}
}
