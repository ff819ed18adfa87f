package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"minibase/auth"
	"minibase/db/sqlite"

	"golang.org/x/term"
)

// AuthConfig is end-user auth's part of Config.
type AuthConfig struct {
	AccessTTL  time.Duration       // MINIBASE_ACCESS_TTL (default 2h)
	RefreshTTL time.Duration       // MINIBASE_REFRESH_TTL (default 720h = 30 days)
	Limits     auth.Limits         // auth.DefaultLimits with MINIBASE_RATE_LIMITS applied
	OTPSignup  bool                // MINIBASE_OTP_SIGNUP (default on)
	Password   auth.PasswordParams // argon2id cost; zero: auth.DefaultPasswordParams (tests lower it)
	Now        func() time.Time    // the clock; nil: time.Now (tests move it)
	Providers  ProvidersConfig
}

const authUsage = `  MINIBASE_ACCESS_TTL        access-token life (default 2h; 1m-24h)
  MINIBASE_REFRESH_TTL       refresh-token life, renewed by each refresh
                             (default 720h = 30 days; 1h-8760h)
  MINIBASE_RATE_LIMITS       override sign-in rate limits, e.g.
                             "login.account=50/h,anonymous.ip=300/m", or "off"
  MINIBASE_OTP_SIGNUP        a verified one-time code creates the account
                             when none exists (default true)
` + providersUsage

func parseAuth(getenv func(string) string) (AuthConfig, error) {
	c := AuthConfig{AccessTTL: auth.DefaultAccessTTL, RefreshTTL: auth.DefaultRefreshTTL, Limits: auth.DefaultLimits(), OTPSignup: true}
	for _, d := range []struct {
		env      string
		dst      *time.Duration
		min, max time.Duration
	}{
		{"MINIBASE_ACCESS_TTL", &c.AccessTTL, time.Minute, 24 * time.Hour},
		{"MINIBASE_REFRESH_TTL", &c.RefreshTTL, time.Hour, 365 * 24 * time.Hour},
	} {
		if v := getenv(d.env); v != "" {
			t, err := time.ParseDuration(v)
			if err != nil || t < d.min || t > d.max {
				return c, fmt.Errorf("%s must be a duration from %v to %v, got %q", d.env, d.min, d.max, v)
			}
			*d.dst = t
		}
	}
	if c.AccessTTL >= c.RefreshTTL {
		return c, fmt.Errorf("MINIBASE_ACCESS_TTL (%v) must be shorter than MINIBASE_REFRESH_TTL (%v)", c.AccessTTL, c.RefreshTTL)
	}
	if v := getenv("MINIBASE_RATE_LIMITS"); v != "" {
		if err := c.Limits.Parse(v); err != nil {
			return c, fmt.Errorf("MINIBASE_RATE_LIMITS: %w", err)
		}
	}
	if v := getenv("MINIBASE_OTP_SIGNUP"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return c, fmt.Errorf("MINIBASE_OTP_SIGNUP must be true or false, got %q", v)
		}
		c.OTPSignup = b
	}
	var err error
	c.Providers, err = parseProviders(getenv)
	return c, err
}

// openAuth builds the auth service on the database's stores, with the
// access-token key kept in the data directory.
func openAuth(ctx context.Context, cfg Config, store *sqlite.DB, log *slog.Logger) (*auth.Service, error) {
	key, err := auth.LoadSigningKey(cfg.Dir)
	if err != nil {
		return nil, err
	}
	a := cfg.Auth
	return auth.NewService(ctx, auth.Config{
		AccessTTL: a.AccessTTL, RefreshTTL: a.RefreshTTL, Limits: a.Limits, Password: a.Password,
		OTPSignup: a.OTPSignup, Now: a.Now,
	}, auth.Stores{Users: store.Users(), Sessions: store.Sessions(), Admins: store.Admins(), OTPs: store.OTPs()},
		a.Providers.providers(cfg.Dir, a.Now, log), key)
}

// adminCommand runs `minibase admin create EMAIL [--dir DIR] [--password-stdin]`.
func adminCommand(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("usage: minibase admin create EMAIL [--dir DIR] [--password-stdin]")
	}
	cfg, err := parseServe(nil, getenv, stderr)
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet("admin create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Dir, "dir", cfg.Dir, "data directory")
	fromStdin := fs.Bool("password-stdin", false, "read the password from standard input")
	// Flags may come before or after EMAIL.
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	email := fs.Arg(0)
	if err := fs.Parse(fs.Args()[min(1, fs.NArg()):]); err != nil {
		return err
	}
	if email == "" || fs.NArg() > 0 {
		return errors.New("usage: minibase admin create EMAIL [--dir DIR] [--password-stdin]")
	}
	password, err := adminPassword(*fromStdin, getenv, stdin, stderr)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return fmt.Errorf("create data dir: %w", err)
	}
	opts := cfg.SQLite
	opts.Synchronous = cfg.Sync
	store, err := sqlite.Open(ctx, filepath.Join(cfg.Dir, "data.db"), opts)
	if err != nil {
		return err
	}
	defer store.Close()
	svc, err := openAuth(ctx, cfg, store, slog.New(slog.NewTextHandler(stderr, nil)))
	if err != nil {
		return err
	}
	a, err := svc.CreateAdmin(ctx, email, password)
	if errors.Is(err, auth.ErrAdminExists) {
		return fmt.Errorf("an admin account with email %s already exists in %s", strings.ToLower(email), cfg.Dir)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created admin %s (id %s) in %s\n", a.Email, a.ID, cfg.Dir)
	return nil
}

// adminPassword reads the new admin's password: from stdin with
// --password-stdin, else from MINIBASE_ADMIN_PASSWORD, else by a prompt
// (twice) when stdin is a terminal.
func adminPassword(fromStdin bool, getenv func(string) string, stdin io.Reader, stderr io.Writer) (string, error) {
	if fromStdin {
		line, err := bufio.NewReaderSize(io.LimitReader(stdin, 4096), 4096).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("read password from stdin: %w", err)
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
	if p := getenv("MINIBASE_ADMIN_PASSWORD"); p != "" {
		return p, nil
	}
	f, ok := stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return "", errors.New("no password: use --password-stdin, set MINIBASE_ADMIN_PASSWORD, or run in a terminal")
	}
	var typed [2]string
	for i, prompt := range []string{"Password: ", "Repeat password: "} {
		fmt.Fprint(stderr, prompt)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		typed[i] = string(b)
	}
	if typed[0] != typed[1] {
		return "", errors.New("the passwords do not match")
	}
	return typed[0], nil
}
