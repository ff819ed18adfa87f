package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"minibase/server"
)

// Config runs `minibase config [serve's flags] [--check] [--example]`:
// it prints the configuration serve would run with (each setting's value
// and where it comes from: default, file, env, flag, or console for the
// settings saved from the admin console; secrets masked), or with --check
// only validates it (an error: exit status 1), or with --example prints a
// config file giving every setting.
func Config(ctx context.Context, args []string, env Env) error {
	var check, example bool
	var rest []string
	for _, a := range args {
		switch a {
		case "--check", "-check":
			check = true
		case "--example", "-example":
			example = true
		case "-h", "--help", "-help":
			fmt.Fprint(env.Stdout, configUsage)
			return nil
		default:
			rest = append(rest, a)
		}
	}
	if example {
		if check || len(rest) > 0 {
			return errors.New("config --example takes no other argument\n" + configUsage)
		}
		_, err := io.WriteString(env.Stdout, server.ExampleFile())
		return err
	}
	cfg, err := server.ParseConfig(rest, env.Getenv)
	if err != nil {
		return fmt.Errorf("the configuration is not valid:\n%w", err)
	}
	if err := checkFiles(cfg); err != nil {
		return fmt.Errorf("the configuration is not valid:\n%w", err)
	}
	for _, w := range cfg.Warnings() {
		fmt.Fprintln(env.Stderr, "minibase: warning:", w)
	}
	if check {
		where := "defaults, environment and flags"
		if cfg.File != "" {
			where = cfg.File + ", environment and flags"
		}
		fmt.Fprintf(env.Stdout, "configuration OK (%s)\n", where)
		return nil
	}
	console, err := server.ConsoleSaved(ctx, cfg)
	if err != nil {
		// The data directory is only read for the console's settings: a
		// configuration that cannot show them is still valid.
		fmt.Fprintf(env.Stderr, "minibase: the settings saved from the admin console are not shown: %v\n", err)
	}
	return printConfig(env.Stdout, cfg, console)
}

// checkFiles is what --check looks at beyond the values: the certificate
// pair loads, and the data directory can be made.
func checkFiles(cfg server.Config) error {
	var errs []error
	if h := cfg.HTTPS; h.CertFile != "" {
		if _, err := tls.LoadX509KeyPair(h.CertFile, h.KeyFile); err != nil {
			errs = append(errs, fmt.Errorf("MINIBASE_TLS_CERT, MINIBASE_TLS_KEY: %w", err))
		}
	}
	if fi, err := os.Stat(cfg.Dir); err == nil && !fi.IsDir() {
		errs = append(errs, fmt.Errorf("MINIBASE_DIR %s is not a directory", cfg.Dir))
	} else if errors.Is(err, os.ErrNotExist) {
		if _, err := os.Stat(filepath.Dir(filepath.Clean(cfg.Dir))); err != nil {
			errs = append(errs, fmt.Errorf("MINIBASE_DIR %s cannot be created: %w", cfg.Dir, err))
		}
	}
	return errors.Join(errs...)
}

// printConfig writes the settings in force as a table: key, value,
// source; then the console's settings that stand for no variable.
func printConfig(w io.Writer, cfg server.Config, console []server.ConsoleValue) error {
	fmt.Fprintln(w, "# minibase configuration in force")
	if cfg.File != "" {
		fmt.Fprintf(w, "# file: %s\n", cfg.File)
	} else {
		fmt.Fprintln(w, "# file: none (--config or MINIBASE_CONFIG names one)")
	}
	fmt.Fprintln(w, "# a flag wins over its variable, a variable over the file, the file over the default;")
	fmt.Fprintln(w, "# a setting saved in the admin console wins over all of them")
	byEnv := map[string]server.ConsoleValue{}
	for _, c := range console {
		if c.Env != "" {
			byEnv[c.Env] = c
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tVALUE\tSOURCE")
	group := ""
	for _, s := range cfg.Effective() {
		if s.Group != group {
			group = s.Group
			fmt.Fprintf(tw, "# %s\t\t\n", group)
		}
		value, source := s.Value, s.Source
		switch source {
		case "file":
			source = fmt.Sprintf("file (line %d)", s.Line)
		case "env":
			source = "env " + s.Env
		case "flag":
			source = "flag --" + s.Flag
		}
		if value == "" {
			value = "-"
		}
		if c, ok := byEnv[s.Env]; ok {
			value, source = c.Value, fmt.Sprintf("console (%s; over %s)", c.Key, source)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", s.Key, oneLine(value), source)
	}
	var only []server.ConsoleValue
	for _, c := range console {
		if c.Env == "" {
			only = append(only, c)
		}
	}
	if len(only) > 0 {
		fmt.Fprintln(tw, "# Admin console only\t\t")
		for _, c := range only {
			fmt.Fprintf(tw, "%s\t%s\tconsole\n", c.Key, oneLine(c.Value))
		}
	}
	return tw.Flush()
}

// oneLine keeps a value on its row.
func oneLine(v string) string {
	return strings.NewReplacer("\n", `\n`, "\r", `\r`, "\t", `\t`).Replace(v)
}

const configUsage = `usage: minibase config [--config FILE] [serve's flags] [--check | --example]

  minibase config             print the configuration serve would run with: each
                              setting's value and its source (default, file, env,
                              flag, console); secrets show at most their last 4
                              characters
  minibase config --check     only validate it: exit status 1 and every problem
                              when it is not valid
  minibase config --example   print a config file giving every setting, commented
                              out, with its default and help
`
