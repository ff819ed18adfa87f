package server

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// SettingValue is one setting as `minibase config` shows it: its names,
// the value in force and where it comes from.
type SettingValue struct {
	Key     string // in the config file
	Env     string // the MINIBASE_* variable
	Flag    string // serve's flag without "--"; "" when none
	Group   string // the heading it is listed under
	Usage   string // one line of help
	Default string // "" when none (the help may say what happens then)
	// Value is the value in force as it was given (a secret masked: see
	// MaskSecret), or the default; "" when neither.
	Value string
	// Source is "default", "file", "env" or "flag".
	Source string
	Line   int // the file's line, with Source "file"
	Secret bool
	List   bool // the file takes an array of strings
}

// Effective is every setting of c with its value and source, in the
// order of the help text. Settings saved from the admin console are not
// in c: see ConsoleSaved.
func (c *Config) Effective() []SettingValue {
	var out []SettingValue
	for _, s := range new(Config).settings() {
		v := SettingValue{Key: s.fileKey(), Env: s.env, Flag: s.flag, Group: s.group, Usage: s.usage, Default: s.def,
			Value: s.def, Source: "default", Secret: s.secret, List: s.list}
		if src, ok := c.sources[s.env]; ok {
			v.Value, v.Source, v.Line = src.raw, src.from, src.line
		}
		// Defaults that follow from other settings (checkHTTPS).
		switch {
		case v.Source != "default":
		case s.env == "MINIBASE_HTTP":
			v.Value = c.HTTP
		case s.env == "MINIBASE_PUBLIC_URL":
			v.Value = c.Storage.PublicURL
		}
		if s.secret && v.Value != "" {
			v.Value = MaskSecret(v.Value)
		}
		out = append(out, v)
	}
	return out
}

// MaskSecret is how a secret is shown: "set", with its last four
// characters when it is at least 12 long (so they give nothing away).
func MaskSecret(v string) string {
	if len(v) >= 12 {
		return "set, …" + v[len(v)-4:]
	}
	return "set"
}

// ExampleFile is a config file giving every setting, commented out, with
// its default and help: `minibase config --example`.
func ExampleFile() string {
	var b strings.Builder
	b.WriteString(`# minibase configuration file (TOML): minibase serve --config minibase.toml,
# or MINIBASE_CONFIG=minibase.toml. Every setting is here, commented out with
# its default: uncomment what you change. A key is its environment variable's
# name in lowercase without MINIBASE_; values are strings, whole numbers or
# true/false (lists: ["a", "b"]). A flag wins over its variable, a variable
# over this file, this file over the default; settings saved in the admin
# console (Settings page) win over all of them for the keys it edits.
# An unknown key is an error: minibase config --check finds it.
`)
	group := ""
	for _, s := range new(Config).settings() {
		if s.group != group {
			group = s.group
			fmt.Fprintf(&b, "\n# ---- %s ----\n", group)
		}
		b.WriteString("\n")
		for _, line := range wrap(s.usage, 76) {
			b.WriteString("# " + line + "\n")
		}
		names := s.env
		if s.flag != "" {
			names += ", --" + s.flag
		}
		if s.secret {
			names += "; a secret: minibase config shows at most its last 4 characters"
		}
		b.WriteString("# (" + names + ")\n")
		b.WriteString("# " + s.fileKey() + " = " + tomlValue(s.def, s.list) + "\n")
	}
	return b.String()
}

// tomlValue writes v (a setting's text) as a TOML value: a whole number
// or true/false bare, a list as an array, anything else as a string.
func tomlValue(v string, list bool) string {
	if list {
		var items []string
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				items = append(items, tomlString(p))
			}
		}
		return "[" + strings.Join(items, ", ") + "]"
	}
	if v == "true" || v == "false" {
		return v
	}
	if _, err := strconv.ParseInt(v, 10, 64); err == nil && (v == "0" || v[0] != '0') {
		return v
	}
	return tomlString(v)
}

// tomlString is s as a TOML basic string.
func tomlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, "\\u%04X", r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// markdownEscaper keeps help text literal in a Markdown table.
var markdownEscaper = strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;", "*", `\*`, "_", `\_`)

// SettingsTable is the README's table of every setting (Markdown): file
// key, variable, flag, default, help, under a row per group.
func SettingsTable() string {
	var b strings.Builder
	b.WriteString("| Key (file) | Environment | Flag | Default | Description |\n|---|---|---|---|---|\n")
	group := ""
	for _, s := range new(Config).settings() {
		if s.group != group {
			group = s.group
			fmt.Fprintf(&b, "| **%s** | | | | |\n", group)
		}
		flag, def := "", ""
		if s.flag != "" {
			flag = "`--" + s.flag + "`"
		}
		if s.def != "" {
			def = "`" + s.def + "`"
		}
		usage := markdownEscaper.Replace(s.usage)
		if s.secret {
			usage += " (secret)"
		}
		fmt.Fprintf(&b, "| `%s` | `%s` | %s | %s | %s |\n", s.fileKey(), s.env, flag, def, usage)
	}
	return b.String()
}

// Warnings are what is allowed but unwise in c: a config file giving
// secrets that other users of the machine may read.
func (c *Config) Warnings() []string {
	var secrets []string
	for _, s := range new(Config).settings() {
		if src, ok := c.sources[s.env]; ok && s.secret && src.from == "file" {
			secrets = append(secrets, s.fileKey())
		}
	}
	if len(secrets) == 0 {
		return nil
	}
	fi, err := os.Stat(c.File)
	if err != nil || fi.Mode().Perm()&0o077 == 0 {
		return nil
	}
	return []string{fmt.Sprintf("%s gives secrets (%s) and other users can read it (mode %#o): chmod 600 %s",
		c.File, strings.Join(secrets, ", "), fi.Mode().Perm(), c.File)}
}
