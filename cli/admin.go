package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"minibase/auth"
	"minibase/server"

	"golang.org/x/term"
)

// Admin runs `minibase admin create EMAIL [--dir DIR] [--password-stdin]`:
// it adds an admin account to the data directory's database (the server
// need not run). The password comes from stdin with --password-stdin,
// else MINIBASE_ADMIN_PASSWORD, else a prompt.
func Admin(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("usage: minibase admin create EMAIL [--dir DIR | --config FILE] [--password-stdin]")
	}
	parse, args, err := configFlag(args)
	if err != nil {
		return err
	}
	cfg, err := server.ParseConfig(parse, env.Getenv)
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet("admin create", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
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
		return errors.New("usage: minibase admin create EMAIL [--dir DIR | --config FILE] [--password-stdin]")
	}
	password, err := adminPassword(*fromStdin, env.Getenv, env.Stdin, env.Stderr)
	if err != nil {
		return err
	}
	a, err := server.CreateAdmin(ctx, cfg, email, password, slog.New(slog.NewTextHandler(env.Stderr, nil)))
	if errors.Is(err, auth.ErrAdminExists) {
		return fmt.Errorf("an admin account with email %s already exists in %s", strings.ToLower(email), cfg.Dir)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "created admin %s (id %s) in %s\n", a.Email, a.ID, cfg.Dir)
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
