package server

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"minibase/auth"
	"minibase/db/sqlite"
)

// Config is every setting of a server. ParseConfig fills it from serve's
// flags and MINIBASE_* environment variables over the defaults; each
// setting is one row of a table (Config.settings and the area files
// config_*.go), which also gives the usage text. Fields without a row are
// for tests and embedding programs.
type Config struct {
	Dir string // data directory
	// Database is PostgreSQL's URL (MINIBASE_DATABASE); "": SQLite in Dir.
	Database       string
	HTTP           string        // listen address; with TLS the redirect listener's ("off": none)
	AdminKey       string        // empty: generated once, hash kept in Dir
	BodyLimit      int           // bytes of a request body (uploads and function zips have their own)
	ImportLimit    int64         // bytes of an import's body (POST /v1/admin/collections/:coll/import)
	Sync           string        // SQLite synchronous: FULL or NORMAL
	RequestTimeout time.Duration // per request
	// ShutdownTimeout bounds the wait, after SIGTERM, for the requests,
	// function invocations and database writes in progress (Run); 0: 30 s.
	ShutdownTimeout time.Duration
	Conns           ConnConfig    // connections: timeouts of each step, caps
	Pprof           string        // address for net/http/pprof; off when empty
	DiskReserve     int64         // bytes kept in <dir>/disk_reserve for a full disk
	AggregateMem    int64         // bytes the stages of one aggregation may hold
	SlowQuery       time.Duration // queries this slow are kept for the console; 0: none
	SQLite          sqlite.Options
	CORS            *CORS           // origins whose pages may call the API; nil: none
	Proxies         *TrustedProxies // reverse proxies whose forwarding headers count; nil: none
	Auth            AuthConfig
	Functions       FunctionsConfig
	Storage         StorageConfig
	Watch           WatchConfig
	Rate            RateConfig // request rate limits per group of end-user endpoints
	HTTPS           HTTPSConfig
	Backup          BackupConfig
	Obs             ObsConfig // logs, request log, metrics

	// File is the config file ParseConfig read (--config, MINIBASE_CONFIG);
	// "" when none.
	File string
	// sources is where each setting ParseConfig was given came from, by
	// variable name; a setting not in it has its default.
	sources map[string]source
}

// source is where a setting's value came from: the file (at line), the
// variable or the flag, and the value as written there.
type source struct {
	from string // "file", "env" or "flag"
	raw  string // the value as given (a file's array: comma-joined)
	line int    // the file's line (from "file")
}

// setting is one row of the table: where a value comes from (a flag, a
// MINIBASE_* variable, a key of the config file), its default and help,
// and how it is parsed into a Config. A row is all it takes to add a
// setting: its file key, its line in `minibase config --example`, in
// `minibase config` and in the README's table (which a test keeps in step)
// follow from it.
type setting struct {
	env  string // MINIBASE_…
	flag string // serve's flag (--flag VALUE), if any
	// key is its key in the config file; "" is the variable's name in
	// lowercase without MINIBASE_ (MINIBASE_BODY_LIMIT: body_limit).
	key string
	// secret masks its value wherever it is shown (minibase config): at
	// most its last four characters.
	secret bool
	// list takes a TOML array of strings in the file (the value is the
	// items joined by commas, as the variable writes them).
	list bool
	// group is the heading it is listed under (set by Config.settings).
	group string
	// toggle makes the flag a switch: --flag alone is true (--flag=false
	// is false).
	toggle bool
	def    string // the default, parsed like a value; "" sets nothing
	usage  string // one line of help, wrapped by Usage
	// set parses a value (never "") into the field it was made for; its
	// error says what the value must be ("must be …"), or is the whole
	// message, naming the setting.
	set func(v string) error
	// alias is the setting's older name, still read (the variable, and
	// its key in the config file) when the new one is not given.
	alias string
}

// settings is the table, bound to c's fields: every setting of minibase,
// in the order of the help text.
func (c *Config) settings() []setting {
	var s []setting
	for _, g := range []struct {
		name string
		rows []setting
	}{
		{"Server", c.serverSettings()},
		{"HTTPS", c.HTTPS.settings()},
		{"Connections", c.Conns.settings()},
		{"Database", append(append(c.databaseURLSettings(), c.databaseSettings()...), c.consoleSettings()...)},
		{"End-user auth", c.Auth.settings()},
		{"Storage", c.Storage.settings()},
		{"Realtime", c.Watch.settings()},
		{"Rate limits", c.Rate.settings()},
		{"Observability", c.Obs.settings()},
		{"Cloud functions", c.Functions.settings()},
		{"Backups", c.Backup.settings()},
	} {
		for _, r := range g.rows {
			r.group = g.name
			s = append(s, r)
		}
	}
	return s
}

// serverSettings are the server's own settings.
func (c *Config) serverSettings() []setting {
	return []setting{
		{env: "MINIBASE_DIR", flag: "dir", def: "./mb_data", usage: "data directory", set: text(&c.Dir)},
		{env: "MINIBASE_HTTP", flag: "http", usage: "listen address (default " + defaultHTTP + "); with HTTPS, the plain-http listener " +
			"that answers ACME challenges and redirects the rest to https (default :80; off: none)", set: text(&c.HTTP)},
		{env: "MINIBASE_ADMIN_KEY", secret: true, usage: "admin key (at least 16 characters); without it the first serve generates one and prints it once",
			set: text(&c.AdminKey)},
		{env: "MINIBASE_BODY_LIMIT", def: "16MiB", usage: "largest request body, like 16MiB (file uploads and function zips have their own limits)",
			set: sizeInt(&c.BodyLimit, 1<<10, 1<<32)},
		{env: "MINIBASE_IMPORT_LIMIT", def: "8GiB", usage: "largest body of a collection import (admin only; read as a stream, a batch of documents at a time)",
			set: size(&c.ImportLimit, 1<<10, 1<<44)},
		{env: "MINIBASE_REQUEST_TIMEOUT", def: "30s", usage: "per-request time limit",
			set: duration(&c.RequestTimeout, time.Millisecond, 24*time.Hour)},
		{env: "MINIBASE_SHUTDOWN_TIMEOUT", def: "30s", usage: "on SIGTERM or SIGINT, how long the requests, function invocations and " +
			"database writes in progress may take to finish (a second signal ends them at once)",
			set: duration(&c.ShutdownTimeout, time.Millisecond, 24*time.Hour)},
		{env: "MINIBASE_DISK_RESERVE", def: "32MiB", usage: "space kept in <dir>/disk_reserve and released when the disk fills up, so deletes still run (0: none)",
			set: size(&c.DiskReserve, 0, 1<<40)},
		{env: "MINIBASE_PPROF", usage: "address for Go's profiler (net/http/pprof), e.g. 127.0.0.1:6060; off by default", set: text(&c.Pprof)},
		{env: "MINIBASE_CORS_ORIGINS", list: true, usage: "origins whose web pages may call the API, comma-separated " +
			"(https://app.example.com, https://*.example.com), or * for all; none by default (/sdk/ is open to every origin)",
			set: func(v string) (err error) { c.CORS, err = ParseCORSOrigins(v); return err }},
		{env: "MINIBASE_TRUSTED_PROXIES", list: true, usage: "reverse proxies whose X-Forwarded-For, X-Real-IP and X-Forwarded-Proto count: " +
			"IPs, CIDRs, loopback, private; none by default",
			set: func(v string) (err error) { c.Proxies, err = ParseTrustedProxies(v); return err }},
	}
}

// databaseSettings are SQLite's and the query engine's.
func (c *Config) databaseSettings() []setting {
	return []setting{
		{env: "MINIBASE_SQLITE_SYNC", def: "FULL", usage: "FULL (commits survive power loss) or NORMAL (they survive a crash of the process)",
			set: oneOf(&c.Sync, "FULL", "NORMAL")},
		{env: "MINIBASE_SQLITE_CACHE_KIB", usage: "SQLite page cache per connection (default 2048)", set: integer(&c.SQLite.CacheKiB, 0, 1<<20)},
		{env: "MINIBASE_SQLITE_MMAP_MIB", usage: "memory-map up to this much of the database (default 1024)", set: integer(&c.SQLite.MmapMiB, 0, 1<<20)},
		{env: "MINIBASE_SQLITE_READERS", usage: "read connections (default 4)", set: integer(&c.SQLite.Readers, 0, 1<<20)},
		{env: "MINIBASE_SQLITE_CHECK", def: "background", usage: "when to read the whole database for damage (quick_check): " +
			"background (damage found stops writes), start (before serving; refuses to start on damage), off",
			set: choice(&c.SQLite.Check, map[string]string{"background": sqlite.CheckBackground, "start": sqlite.CheckOpen, "off": sqlite.CheckOff})},
		{env: "MINIBASE_DB_AGGREGATE_MEMORY", def: "100MiB", usage: "memory the stages of one aggregation may hold ($group, $sort without an index, …); " +
			"a pipeline that needs more fails (DATABASE_AGGREGATE_MEMORY_EXCEED)",
			set: size(&c.AggregateMem, 1<<20, 1<<40)},
	}
}

// check is what the table cannot say: settings that go together, and
// defaults that depend on others. httpSet tells whether MINIBASE_HTTP was
// given.
func (c *Config) check(httpSet bool) error {
	return errors.Join(c.Auth.check(), c.Storage.check(), c.checkBackup(), c.checkDatabase(), c.checkHTTPS(httpSet))
}

// ParseConfig reads serve's flags from args, the MINIBASE_* variables
// from getenv (os.Getenv) and the config file named by --config or
// MINIBASE_CONFIG over the defaults: a flag wins over its variable, a
// variable over the file's key, the file over the default (an empty value
// counts as not given). A value that is not valid is an error naming the
// setting (the flag, the variable, or the file's line and key) and what it
// must be; the error lists every such problem, one a line.
func ParseConfig(args []string, getenv func(string) string) (Config, error) {
	c := Config{Auth: AuthConfig{Config: auth.Config{Limits: auth.DefaultLimits()}}, Rate: defaultRates()}
	table := c.settings()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	file := fs.String("config", "", "config file (TOML)")
	flags := map[string]*string{}
	for _, s := range table {
		switch {
		case s.toggle:
			v := &switchFlag{}
			fs.Var(v, s.flag, s.usage)
			flags[s.env] = &v.value
		case s.flag != "":
			flags[s.env] = fs.String(s.flag, "", s.usage)
		}
	}
	if err := fs.Parse(args); err != nil {
		return c, fmt.Errorf("serve: %w", err)
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("serve: unexpected argument %q", fs.Arg(0))
	}
	var inFile map[string]fileValue
	var errs []error
	if c.File = cmp.Or(*file, getenv(ConfigEnv)); c.File != "" {
		var err error
		if inFile, err = readConfigFile(c.File, table); err != nil && inFile == nil {
			return c, err
		} else if err != nil {
			errs = append(errs, err)
		}
	}
	c.sources = map[string]source{}
	for _, s := range table {
		var src source
		if v := inFile[s.fileKey()]; v.raw != "" {
			src = source{from: "file", raw: v.raw, line: v.line}
		}
		if v := cmp.Or(getenv(s.env), s.aliasValue(getenv)); v != "" {
			src = source{from: "env", raw: v}
		}
		if f := flags[s.env]; f != nil && *f != "" {
			src = source{from: "flag", raw: *f}
		}
		v := src.raw
		if src.from != "" {
			c.sources[s.env] = src
		} else {
			v = s.def
		}
		if v == "" {
			continue
		}
		if err := s.set(v); err != nil {
			errs = append(errs, c.settingError(s, src, v, err))
		}
	}
	if len(errs) > 0 {
		return c, errors.Join(errs...)
	}
	_, httpSet := c.sources["MINIBASE_HTTP"]
	return c, c.check(httpSet)
}

// ConfigEnv is the variable naming the config file (when --config does
// not).
const ConfigEnv = "MINIBASE_CONFIG"

// settingError is err of s's value v, from src, naming where v was given.
// err says what the value must be ("must be …"), or is a whole message
// starting with the variable's name.
func (c *Config) settingError(s setting, src source, v string, err error) error {
	name := s.env
	switch src.from {
	case "env":
		if s.alias != "" {
			name = s.env + " (or " + s.alias + ")"
		}
	case "flag":
		name = "--" + s.flag
	case "file":
		name = fmt.Sprintf("%s:%d: %s", c.File, src.line, s.fileKey())
	case "":
		name = s.env + " (its default)"
	}
	if rest, ok := strings.CutPrefix(err.Error(), s.env); ok {
		return errors.New(name + rest)
	}
	return fmt.Errorf("%s %v, got %q", name, err, v)
}

// switchFlag is a flag that may stand alone (--hsts: "true").
type switchFlag struct{ value string }

func (f *switchFlag) String() string     { return f.value }
func (f *switchFlag) Set(v string) error { f.value = v; return nil }
func (f *switchFlag) IsBoolFlag() bool   { return true }

// Usage is the help text of the settings: serve's flags and every
// MINIBASE_* variable, with its default.
func Usage() string {
	var b strings.Builder
	for _, s := range new(Config).settings() {
		name := "  " + s.env
		if s.flag != "" {
			name += ", --" + s.flag
		}
		text := s.usage
		if s.def != "" {
			text += " (default " + s.def + ")"
		}
		b.WriteString(name)
		col := len(name)
		if col > usageIndent-2 {
			b.WriteString("\n")
			col = 0
		}
		for i, line := range wrap(text, usageWidth-usageIndent) {
			if i > 0 {
				col = 0
				b.WriteString("\n")
			}
			b.WriteString(strings.Repeat(" ", usageIndent-col) + line)
		}
		b.WriteString("\n")
	}
	return b.String()
}

const usageIndent, usageWidth = 29, 80

// wrap splits text into lines of at most width bytes, at spaces.
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		if line != "" && len(line)+1+len(w) > width {
			lines, line = append(lines, line), ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	return append(lines, line)
}

// The parsers of the table's rows: each returns the set func of a setting
// bound to dst.

func text(dst *string) func(string) error {
	return func(v string) error { *dst = v; return nil }
}

func oneOf(dst *string, allowed ...string) func(string) error {
	return func(v string) error {
		for _, a := range allowed {
			if v == a {
				*dst = v
				return nil
			}
		}
		return fmt.Errorf("must be %s", orList(allowed))
	}
}

// choice is oneOf whose values stand for others (names as the user
// writes them, values as the program needs them).
func choice(dst *string, values map[string]string) func(string) error {
	return func(v string) error {
		if x, ok := values[v]; ok {
			*dst = x
			return nil
		}
		return fmt.Errorf("must be %s", orList(slices.Sorted(maps.Keys(values))))
	}
}

func boolean(dst *bool) func(string) error {
	return func(v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return errors.New("must be true or false")
		}
		*dst = b
		return nil
	}
}

func integer(dst *int, lo, hi int) func(string) error {
	return func(v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			return fmt.Errorf("must be a number from %d to %d", lo, hi)
		}
		*dst = n
		return nil
	}
}

func integer64(dst *int64, lo, hi int64) func(string) error {
	return func(v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < lo || n > hi {
			return fmt.Errorf("must be a number from %d to %d", lo, hi)
		}
		*dst = n
		return nil
	}
}

// size parses a byte count such as 32MiB (see parseSize).
func size(dst *int64, lo, hi int64) func(string) error {
	return func(v string) error {
		n, err := parseSize(v)
		if err != nil || n < lo || n > hi {
			return fmt.Errorf("must be a size from %s to %s, like 32MiB or 5000000 (bytes)", sizeText(lo), sizeText(hi))
		}
		*dst = n
		return nil
	}
}

// sizeInt is size for an int.
func sizeInt(dst *int, lo, hi int) func(string) error {
	return func(v string) error {
		var n int64
		if err := size(&n, int64(lo), int64(hi))(v); err != nil {
			return err
		}
		*dst = int(n)
		return nil
	}
}

// duration parses a Go duration, or whole days ("7d").
func duration(dst *time.Duration, lo, hi time.Duration) func(string) error {
	return func(v string) error {
		d, err := parseAge(v)
		if err != nil || d < lo || d > hi {
			return fmt.Errorf("must be a duration from %v to %v, like 30s, 2h or 7d", lo, hi)
		}
		*dst = d
		return nil
	}
}

// commaList parses a comma-separated list, dropping empty items.
func commaList(dst *[]string) func(string) error {
	return func(v string) error {
		*dst = nil
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				*dst = append(*dst, p)
			}
		}
		return nil
	}
}

// httpURL takes an http(s) URL with a host.
func httpURL(dst *string) func(string) error {
	return func(v string) error {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return errors.New("must be an http(s) URL")
		}
		*dst = v
		return nil
	}
}

// parseSize reads a byte count: a number, optionally followed by KiB, MiB,
// GiB (or KB, MB, GB, also powers of 1024).
func parseSize(v string) (int64, error) {
	num, unit := strings.TrimSpace(v), int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30}} {
		if s, ok := strings.CutSuffix(num, u.suffix); ok {
			num, unit = strings.TrimSpace(s), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n > (1<<62)/unit {
		return 0, fmt.Errorf("invalid size %q", v)
	}
	return n * unit, nil
}

// sizeText writes n bytes the way parseSize reads them, in the largest
// whole unit.
func sizeText(n int64) string {
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.mult && n%u.mult == 0 {
			return strconv.FormatInt(n/u.mult, 10) + u.suffix
		}
	}
	return strconv.FormatInt(n, 10)
}

// parseAge is time.ParseDuration that also takes whole days ("7d").
func parseAge(v string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 || n > 100000 {
			return 0, fmt.Errorf("invalid duration %q", v)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	return time.ParseDuration(v)
}

// orList writes "a, b or c".
func orList(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}
