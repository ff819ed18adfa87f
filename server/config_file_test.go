package server

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// configFile writes a config file into a new directory and returns its
// path.
func configFile(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "minibase.toml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// sourceOf is where Effective says the setting of env comes from.
func sourceOf(t *testing.T, c Config, env string) SettingValue {
	t.Helper()
	for _, v := range c.Effective() {
		if v.Env == env {
			return v
		}
	}
	t.Fatalf("%s is not in Effective", env)
	return SettingValue{}
}

// A config file gives any setting by its key; a variable wins over the
// file, a flag over both, the file over the default; --config and
// MINIBASE_CONFIG name it; Effective says where each value comes from.
func TestConfigFilePrecedence(t *testing.T) {
	path := configFile(t, `# a comment
dir = "/srv/file-dir"
body_limit = "2MiB"
watch_max_docs = 20
hsts = true
https = ["API.example.com", "www.example.com"]
fetch_allow = ["api.weixin.qq.com", "*.example.com"]
access_ttl = "15m"
app_name = ""
`)
	env := map[string]string{"MINIBASE_CONFIG": path, "MINIBASE_WATCH_MAX_DOCS": "30", "MINIBASE_DIR": "/srv/env-dir"}
	getenv := func(k string) string { return env[k] }
	cfg, err := ParseConfig([]string{"--dir", "/srv/flag-dir"}, getenv)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.File != path || cfg.Dir != "/srv/flag-dir" || cfg.Watch.MaxDocs != 30 || cfg.BodyLimit != 2<<20 || !cfg.HTTPS.HSTS ||
		strings.Join(cfg.HTTPS.Domains, ",") != "api.example.com,www.example.com" || cfg.HTTP != ":80" ||
		strings.Join(cfg.Functions.Fetch.Allow, ",") != "api.weixin.qq.com,*.example.com" || cfg.Auth.AccessTTL != 15*time.Minute ||
		cfg.Auth.Providers.AppName != "minibase" || cfg.RequestTimeout != 30*time.Second {
		t.Fatalf("parsed: file %q dir %q watch %d body %d hsts %v https %v http %q fetch %v ttl %v app %q timeout %v",
			cfg.File, cfg.Dir, cfg.Watch.MaxDocs, cfg.BodyLimit, cfg.HTTPS.HSTS, cfg.HTTPS.Domains, cfg.HTTP, cfg.Functions.Fetch.Allow,
			cfg.Auth.AccessTTL, cfg.Auth.Providers.AppName, cfg.RequestTimeout)
	}
	for _, want := range []SettingValue{
		{Env: "MINIBASE_DIR", Value: "/srv/flag-dir", Source: "flag"},
		{Env: "MINIBASE_WATCH_MAX_DOCS", Value: "30", Source: "env"},
		{Env: "MINIBASE_BODY_LIMIT", Value: "2MiB", Source: "file", Line: 3},
		{Env: "MINIBASE_FETCH_ALLOW", Value: "api.weixin.qq.com,*.example.com", Source: "file", Line: 7},
		{Env: "MINIBASE_APP_NAME", Value: "minibase", Source: "default"}, // "" is not given
		{Env: "MINIBASE_REQUEST_TIMEOUT", Value: "30s", Source: "default"},
		{Env: "MINIBASE_HTTP", Value: ":80", Source: "default"}, // follows from https
	} {
		if got := sourceOf(t, cfg, want.Env); got.Value != want.Value || got.Source != want.Source || got.Line != want.Line {
			t.Errorf("%s: %q from %s (line %d), want %q from %s (line %d)", want.Env, got.Value, got.Source, got.Line,
				want.Value, want.Source, want.Line)
		}
	}
	// --config wins over MINIBASE_CONFIG.
	other := configFile(t, "dir = \"/srv/other\"\n")
	delete(env, "MINIBASE_DIR")
	if cfg, err := ParseConfig([]string{"--config", other}, getenv); err != nil || cfg.File != other || cfg.Dir != "/srv/other" ||
		cfg.Watch.MaxDocs != 30 || cfg.BodyLimit != 16<<20 {
		t.Errorf("--config over MINIBASE_CONFIG: file %q dir %q watch %d body %d, %v", cfg.File, cfg.Dir, cfg.Watch.MaxDocs, cfg.BodyLimit, err)
	}
}

// Secrets are masked wherever Effective shows them: at most the last 4
// characters, and none of a short one.
func TestConfigSecretsMasked(t *testing.T) {
	path := configFile(t, `admin_key = "file-admin-key-0123456789-WXYZ"
s3_secret_key = "short"
`)
	env := map[string]string{"MINIBASE_WECHAT_APPID": "wx0123456789abcdef", "MINIBASE_WECHAT_SECRET": "wechat-secret-9876"}
	cfg, err := ParseConfig([]string{"--config", path}, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	secrets := 0
	for _, v := range cfg.Effective() {
		for _, s := range []string{"file-admin-key-0123456789", "short", "wechat-secret-"} {
			if strings.Contains(v.Value, s) {
				t.Errorf("%s shows %q", v.Key, v.Value)
			}
		}
		if v.Secret {
			secrets++
		}
	}
	if secrets < 7 {
		t.Errorf("%d settings are secrets, want the 7 keys and passwords at least", secrets)
	}
	for env, want := range map[string]string{"MINIBASE_ADMIN_KEY": "set, …WXYZ", "MINIBASE_S3_SECRET_KEY": "set",
		"MINIBASE_WECHAT_SECRET": "set, …9876", "MINIBASE_SMTP_PASSWORD": ""} {
		if got := sourceOf(t, cfg, env).Value; got != want {
			t.Errorf("%s shown as %q, want %q", env, got, want)
		}
	}
}

// A bad file is refused with every problem, each naming the file, the
// line and the key: an unknown key (a typo, a table), a value of a type
// no setting takes, a bad value, TOML that does not parse.
func TestConfigFileErrors(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       []string
	}{
		{"a typo", "dir = \"d\"\nbody_limt = \"1MiB\"\n", []string{`:2: unknown key "body_limt" (did you mean body_limit?)`}},
		{"keys in a table", "[s3]\naccess_key = \"k\"\nwatch_max_docs = 5\n", []string{
			`:2: unknown key "s3.access_key" (keys are not in tables: write s3_access_key = … at the top of the file)`,
			`:3: unknown key "s3.watch_max_docs" (watch_max_docs is a key of its own: write it at the top of the file, before any [table])`}},
		{"an empty table", "[server]\n", []string{`:1: unknown key "server"`}},
		{"an inline table", "dir = { path = \"x\" }\n", []string{`:1: dir must be a string, a whole number or true/false, not a table`}},
		{"an array of tables", "[[dir]]\nx = 1\n", []string{`:1: dir takes one value, not an array`}},
		{"an inline table of no setting", "\nnope = { a = 1 }\n", []string{`:2: unknown key "nope.a"`}},
		{"a table of no setting", "[server]\nport = 1\n", []string{`:2: unknown key "server.port"`}},
		{"a decimal number", "body_limit = 1.5\n", []string{`:1: body_limit must be a string, a whole number or true/false, not a decimal number`}},
		{"a date", "dir = 2026-12-07\n", []string{`:1: dir must be a string, a whole number or true/false, not a date or time`}},
		{"an array for one value", "dir = [\"a\", \"b\"]\n", []string{`:1: dir takes one value, not an array`}},
		{"an array of numbers", "fetch_allow = [1, 2]\n", []string{`:1: fetch_allow must be an array of strings`}},
		{"a comma in an item", "fetch_allow = [\"a.com,b.com\"]\n", []string{`:1: fetch_allow must be an array of strings without commas`}},
		{"a bad value", "\n\nwatch_max_docs = 0\n", []string{`:3: watch_max_docs must be a number from 1 to 1000000, got "0"`}},
		{"a wrong type caught by the value", "body_limit = true\n", []string{`:1: body_limit must be a size from 1KiB to 4GiB, like 32MiB or 5000000 (bytes), got "true"`}},
		{"a schedule's own message", "backup_schedule = \"0 99 * * *\"\n", []string{`:1: backup_schedule: `}},
		{"several problems: keys, then values", "nope = 1\nhsts = \"maybe\"\nsqlite_sync = \"OFF\"\n", []string{
			`:1: unknown key "nope"`, `:2: hsts must be true or false, got "maybe"`, `:3: sqlite_sync must be FULL or NORMAL, got "OFF"`}},
		{"not TOML", "dir = \n", []string{`:1:`, `not valid TOML`}},
		{"a key twice", "dir = \"a\"\ndir = \"b\"\n", []string{`:2:`, `not valid TOML`}},
		{"settings that go together", "tls_cert = \"c.pem\"\n", []string{"MINIBASE_TLS_CERT and MINIBASE_TLS_KEY go together"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := configFile(t, tc.text)
			_, err := ParseConfig([]string{"--config", path}, func(string) string { return "" })
			if err == nil {
				t.Fatal("accepted")
			}
			msg := err.Error()
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error:\n%s\nwant %q", msg, w)
				}
			}
			if !strings.Contains(msg, path) && !strings.Contains(tc.want[0], "MINIBASE_") {
				t.Errorf("error %q does not name the file", msg)
			}
		})
	}
	if _, err := ParseConfig([]string{"--config", filepath.Join(t.TempDir(), "missing.toml")}, func(string) string { return "" }); err == nil ||
		!strings.Contains(err.Error(), "missing.toml") {
		t.Errorf("a missing file: %v", err)
	}
	big := configFile(t, "# "+strings.Repeat("x", maxConfigFile)+"\n")
	if _, err := ParseConfig([]string{"--config", big}, func(string) string { return "" }); err == nil ||
		!strings.Contains(err.Error(), "larger than 1MiB") {
		t.Errorf("a file over the limit: %v", err)
	}
}

// `minibase config --example` gives every setting once, commented out;
// uncommented whole, it is a valid file that changes nothing: its values
// are the defaults.
func TestExampleFileComplete(t *testing.T) {
	ex := ExampleFile()
	keyLine := regexp.MustCompile(`(?m)^# ([a-z0-9_]+) = (.*)$`)
	var keys []string
	for _, m := range keyLine.FindAllStringSubmatch(ex, -1) {
		keys = append(keys, m[1])
	}
	for _, s := range new(Config).settings() {
		if n := slices.Index(keys, s.fileKey()); n < 0 {
			t.Errorf("the example has no %s (%s)", s.fileKey(), s.env)
		} else if slices.Contains(keys[n+1:], s.fileKey()) {
			t.Errorf("the example gives %s twice", s.fileKey())
		}
	}
	if len(keys) != len(new(Config).settings()) {
		t.Errorf("the example has %d keys, the table %d settings", len(keys), len(new(Config).settings()))
	}
	none := func(string) string { return "" }
	if _, err := ParseConfig([]string{"--config", configFile(t, ex)}, none); err != nil {
		t.Errorf("the example as printed: %v", err)
	}
	uncommented := keyLine.ReplaceAllString(ex, "$1 = $2")
	cfg, err := ParseConfig([]string{"--config", configFile(t, uncommented)}, none)
	if err != nil {
		t.Fatalf("the example uncommented: %v", err)
	}
	def, _ := ParseConfig(nil, none)
	got, want := cfg.Effective(), def.Effective()
	for i := range want {
		if got[i].Value != want[i].Value {
			t.Errorf("%s: the example gives %q, the default is %q", want[i].Key, got[i].Value, want[i].Value)
		}
	}
}

// Every key is a valid TOML bare key, distinct, and the variable's name
// in lowercase (so one is found from the other).
func TestFileKeys(t *testing.T) {
	seen := map[string]bool{}
	bare := regexp.MustCompile(`^[a-z0-9_]+$`)
	for _, s := range new(Config).settings() {
		k := s.fileKey()
		if !bare.MatchString(k) || seen[k] || "MINIBASE_"+strings.ToUpper(k) != s.env || s.group == "" {
			t.Errorf("%s: key %q (not bare, a second one, not its name, or no group %q)", s.env, k, s.group)
		}
		seen[k] = true
	}
}

// Any bytes as a config file: no panic, and a refusal names the file.
func FuzzConfigFile(f *testing.F) {
	f.Add([]byte(ExampleFile()))
	f.Add([]byte("dir = \"x\"\n[s3]\naccess_key = 1\n"))
	f.Add([]byte("fetch_allow = [\"a\", 1]\nbody_limit = 1.5\nx = 1979-05-27T07:32:00Z\n"))
	f.Add([]byte("a = [\n"))
	f.Add([]byte("\"quoted.key\" = 1\na.b.c = { d = [] }\n[[t]]\n"))
	table := new(Config).settings()
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 64<<10 {
			return
		}
		out, err := parseConfigFile("f.toml", data, table)
		if err != nil && !strings.HasPrefix(err.Error(), "f.toml") {
			t.Errorf("an error not naming the file: %v", err)
		}
		if err == nil {
			for k := range out {
				if !slices.ContainsFunc(table, func(s setting) bool { return s.fileKey() == k }) {
					t.Errorf("a value for %q, which is no setting", k)
				}
			}
		}
	})
}

// The README's table of settings is SettingsTable, between its markers:
// it cannot drift from the table the server parses.
// MINIBASE_UPDATE_README=1 go test ./server -run TestREADMESettingsTable
// rewrites it.
func TestREADMESettingsTable(t *testing.T) {
	const begin, end = "<!-- settings table: generated from server/config*.go by TestREADMESettingsTable -->\n", "<!-- end of settings table -->\n"
	raw, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	before, rest, ok1 := strings.Cut(string(raw), begin)
	table, after, ok2 := strings.Cut(rest, end)
	if !ok1 || !ok2 {
		t.Fatalf("README.md has no %q … %q", begin, end)
	}
	if table == SettingsTable() {
		return
	}
	if os.Getenv("MINIBASE_UPDATE_README") == "1" {
		if err := os.WriteFile("../README.md", []byte(before+begin+SettingsTable()+end+after), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md's settings table is not the settings' table: MINIBASE_UPDATE_README=1 go test ./server -run TestREADMESettingsTable")
}

// The README's example config files use only keys and types the server
// takes.
func TestREADMETOMLExamples(t *testing.T) {
	raw, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```toml\n(.*?)```").FindAllStringSubmatch(string(raw), -1)
	if len(blocks) == 0 {
		t.Fatal("README.md has no toml example")
	}
	for _, b := range blocks {
		if _, err := parseConfigFile("README.md", []byte(b[1]), new(Config).settings()); err != nil {
			t.Errorf("README.md's example:\n%s\n%v", b[1], err)
		}
	}
}
