package functions

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"
	"time"
)

// Source is where the Runtime gets the code of functions. Load is called on
// every invocation, so an implementation answers from memory when nothing
// changed; the Runtime compiles each Version once and reuses it.
type Source interface {
	// Load returns the current code of the function called name, or an
	// error wrapping ErrNotFound when there is none.
	Load(ctx context.Context, name string) (*Code, error)
}

// Code is one version of a function: the files of its folder and its
// configuration. A Code is immutable once a Source returned it.
type Code struct {
	Name    string
	Version string            // content hash of Files: equal files, equal version
	Files   map[string][]byte // slash paths relative to the folder: "index.js", "lib/a.js", "node_modules/x/index.js"
	Config  Config            // parsed from Files["config.json"]
}

// Config is what a function's config.json sets (CloudBase's fields).
type Config struct {
	Timeout  time.Duration     // "timeout" in seconds, 1-900 (default 5)
	MemoryMB int               // "memorySize" in MB, 64-4096 (default 256): the heap the watchdog allows
	Env      map[string]string // "envVariables": the function's process.env
	Timer    *Timer            // "triggers": the function's timer trigger (CloudBase allows one), nil when none
	Database []DBTrigger       // "triggers" of type "database" (config_triggers.go)
	Routes   []Route           // "http": the paths under /fn/ that serve the function (HTTP access)
}

// Config defaults and bounds.
const (
	DefaultTimeout  = 5 * time.Second
	MaxTimeout      = 900 * time.Second
	DefaultMemoryMB = 256
	minMemoryMB     = 64
	maxMemoryMB     = 4096
	maxEnvBytes     = 4 << 10 // SCF's limit on a function's environment variables
)

// Deployment limits.
const (
	MaxFiles     = 10000    // files per function
	MaxCodeBytes = 50 << 20 // bytes of all files of a function (CloudBase: 50 MB)
)

// ValidName reports whether name is an allowed function name (CloudBase's
// rule: a letter, then up to 59 letters, digits, '-' or '_').
func ValidName(name string) bool { return validName(name) }

func checkName(name string) error {
	if !ValidName(name) {
		return Errorf(CodeInvalidParam, "invalid function name %q: use a letter, then up to 59 letters, digits, '-' or '_'", name)
	}
	return nil
}

// ParseConfig reads config.json; empty data is the default configuration.
// Unknown fields are allowed (triggers, http and CloudBase's others).
func ParseConfig(data []byte) (Config, error) {
	cfg := Config{Timeout: DefaultTimeout, MemoryMB: DefaultMemoryMB}
	if len(bytes.TrimSpace(data)) == 0 {
		return cfg, nil
	}
	var raw struct {
		Timeout      *float64          `json:"timeout"`
		MemorySize   *int              `json:"memorySize"`
		EnvVariables map[string]string `json:"envVariables"`
		Triggers     []rawTrigger      `json:"triggers"`
		HTTP         []rawRoute        `json:"http"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return cfg, fmt.Errorf("config.json: %w (want {\"timeout\": seconds, \"memorySize\": MB, \"envVariables\": {name: string}})", err)
	}
	if t := raw.Timeout; t != nil {
		if *t < 1 || *t > MaxTimeout.Seconds() {
			return cfg, fmt.Errorf("config.json: timeout must be 1 to %d seconds, got %v", int(MaxTimeout.Seconds()), *t)
		}
		cfg.Timeout = time.Duration(*t * float64(time.Second))
	}
	if m := raw.MemorySize; m != nil {
		if *m < minMemoryMB || *m > maxMemoryMB {
			return cfg, fmt.Errorf("config.json: memorySize must be %d to %d (MB), got %d", minMemoryMB, maxMemoryMB, *m)
		}
		cfg.MemoryMB = *m
	}
	size := 0
	for k, v := range raw.EnvVariables {
		if k == "" || strings.ContainsAny(k, "=\x00") {
			return cfg, fmt.Errorf("config.json: invalid environment variable name %q", k)
		}
		size += len(k) + len(v)
	}
	if size > maxEnvBytes {
		return cfg, fmt.Errorf("config.json: envVariables hold %d bytes, more than %d", size, maxEnvBytes)
	}
	cfg.Env = raw.EnvVariables
	var err error
	if cfg.Timer, cfg.Database, err = parseTriggers(raw.Triggers); err != nil {
		return cfg, fmt.Errorf("config.json: %w", err)
	}
	if cfg.Routes, err = parseRoutes(raw.HTTP); err != nil {
		return cfg, fmt.Errorf("config.json: %w", err)
	}
	return cfg, nil
}

// NewCode checks a function's files and returns its Code: paths must be
// clean relative slash paths, index.js must exist, config.json (when
// present) must parse, and the files must stay within MaxFiles and
// MaxCodeBytes. Problems are *Error INVALID_PARAM.
func NewCode(name string, files map[string][]byte) (*Code, error) {
	if err := checkFiles(name, files); err != nil {
		return nil, err
	}
	if _, ok := files["index.js"]; !ok {
		return nil, Errorf(CodeInvalidParam, "function %s has no index.js (its entry point, exporting main)", name)
	}
	cfg, err := ParseConfig(files["config.json"])
	if err != nil {
		return nil, Errorf(CodeInvalidParam, "function %s: %v", name, err)
	}
	return &Code{Name: name, Version: hashFiles(files), Files: files, Config: cfg}, nil
}

// checkFiles checks the name, the paths and the limits of a function's files.
func checkFiles(name string, files map[string][]byte) error {
	if err := checkName(name); err != nil {
		return err
	}
	sizes := func() map[string]int64 {
		m := make(map[string]int64, len(files))
		for p, b := range files {
			m[p] = int64(len(b))
		}
		return m
	}
	if len(files) > MaxFiles {
		return Errorf(CodeInvalidParam, "function %s has %d files, more than %d; %s", name, len(files), MaxFiles, LargestFolders(sizes(), true))
	}
	total := 0
	for p, b := range files {
		if err := checkPath(p); err != nil {
			return err
		}
		total += len(b)
	}
	if total > MaxCodeBytes {
		return Errorf(CodeInvalidParam, "function %s holds %d bytes of files, more than %d; %s", name, total, MaxCodeBytes, LargestFolders(sizes(), false))
	}
	return nil
}

// LargestFolders names, for a message about a function's limits, the
// folders holding the most bytes (or files, byFiles) of a function whose
// files' sizes are sizes, by slash path: each top folder counts, except
// node_modules/, whose packages count one by one ("." is the files at the
// top). It says "the largest folders: node_modules/xml2js (3.3 MiB, 120
// files), …", five at most, largest first.
func LargestFolders(sizes map[string]int64, byFiles bool) string {
	type folder struct {
		path         string
		bytes, files int64
	}
	byPath := make(map[string]*folder)
	for p, n := range sizes {
		key := folderOf(p)
		f := byPath[key]
		if f == nil {
			f = &folder{path: key}
			byPath[key] = f
		}
		f.bytes += n
		f.files++
	}
	all := make([]*folder, 0, len(byPath))
	for _, f := range byPath {
		all = append(all, f)
	}
	sort.Slice(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if byFiles && a.files != b.files {
			return a.files > b.files
		}
		if a.bytes != b.bytes {
			return a.bytes > b.bytes
		}
		return a.path < b.path
	})
	var b strings.Builder
	if byFiles {
		b.WriteString("the folders with the most files: ")
	} else {
		b.WriteString("the largest folders: ")
	}
	for i, f := range all[:min(5, len(all))] {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s (%s, %d file%s)", f.path, sizeText(f.bytes), f.files, map[bool]string{true: "s"}[f.files != 1])
	}
	return b.String()
}

// folderOf is the folder LargestFolders counts the file at p in.
func folderOf(p string) string {
	parts := strings.SplitN(p, "/", 4)
	switch {
	case len(parts) == 1:
		return "."
	case parts[0] != "node_modules" || len(parts) == 2:
		return parts[0]
	case strings.HasPrefix(parts[1], "@") && len(parts) == 4:
		return strings.Join(parts[:3], "/")
	}
	return parts[0] + "/" + parts[1]
}

// sizeText formats a byte count: 812 B, 12.3 KiB, 4.0 MiB.
func sizeText(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

// hashFiles is a Code's Version: a hash of the files' paths and contents.
func hashFiles(files map[string][]byte) string {
	names := make([]string, 0, len(files))
	for p := range files {
		names = append(names, p)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, p := range names {
		fmt.Fprintf(h, "%s\x00%d\x00", p, len(files[p]))
		h.Write(files[p])
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// checkPath accepts a clean relative slash path such as "lib/a.js".
func checkPath(p string) error {
	bad := p == "" || len(p) > 1024 || strings.ContainsAny(p, "\\\x00:") || p[0] == '/' || path.Clean(p) != p ||
		p == "." || p == ".." || strings.HasPrefix(p, "../")
	if bad {
		return Errorf(CodeInvalidParam, "invalid file path %q: use a relative path like lib/util.js (no '..', no leading '/', no '\\')", p)
	}
	return nil
}
