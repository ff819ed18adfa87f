// Command minibase is a self-hosted backend for mini-programs in one
// binary: a JSON document database with MongoDB semantics, object storage,
// end-user auth and JavaScript cloud functions, served on one port.
//
//	minibase serve [--config FILE] [--dir DIR] [--http ADDR] [--https DOMAINS]
//	minibase config [--config FILE] [--check | --example]
//	minibase health [--url URL]
//	minibase admin create EMAIL …
//	minibase functions deploy|invoke|list|rollback|logs …
//	minibase backup create|list|restore …
//	minibase export|import …
//	minibase version
//	minibase help
//
// main only dispatches: the commands are in package cli, the server in
// package server.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	_ "time/tzdata" // timer triggers' time zones, in a static binary without /usr/share/zoneinfo

	"minibase/cli"
	"minibase/server"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	runtime.MemProfileRate = server.MemProfileRate // what functions' memory budgets are measured with
	env := cli.Env{Getenv: os.Getenv, Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Version: version}
	if err := run(os.Args[1:], env); err != nil {
		fmt.Fprintln(os.Stderr, "minibase:", err)
		os.Exit(1)
	}
}

func run(args []string, env cli.Env) error {
	if len(args) == 0 {
		fmt.Fprint(env.Stderr, cli.Usage())
		return errors.New("no command given")
	}
	switch args[0] {
	case "serve":
		ctx, stop := shutdownContext(env.Stderr)
		defer stop()
		return cli.Serve(ctx, args[1:], env)
	case "config":
		return cli.Config(context.Background(), args[1:], env)
	case "health":
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return cli.Health(ctx, args[1:], env)
	case "admin":
		return cli.Admin(context.Background(), args[1:], env)
	case "functions":
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return cli.Functions(ctx, args[1:], env)
	case "backup":
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return cli.Backup(ctx, args[1:], env)
	case "export", "import":
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		if args[0] == "export" {
			return cli.Export(ctx, args[1:], env)
		}
		return cli.Import(ctx, args[1:], env)
	case "version", "--version", "-v":
		fmt.Fprintln(env.Stdout, "minibase", env.Version)
		return nil
	case "help", "--help", "-h":
		fmt.Fprint(env.Stdout, cli.Usage())
		return nil
	}
	fmt.Fprint(env.Stderr, cli.Usage())
	return fmt.Errorf("unknown command %q", args[0])
}

// shutdownContext ends at the first SIGINT or SIGTERM, which starts serve's
// graceful shutdown (MINIBASE_SHUTDOWN_TIMEOUT); a second one ends the
// process at once, exit status 1, cutting off what is still in progress.
// stop releases the signals.
func shutdownContext(stderr io.Writer) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case <-sigs:
			cancel()
		case <-done:
			return
		}
		select {
		case sig := <-sigs:
			fmt.Fprintf(stderr, "minibase: %v again: exiting now, without waiting for the requests in progress\n", sig)
			os.Exit(1)
		case <-done:
		}
	}()
	return ctx, func() { signal.Stop(sigs); close(done); cancel() }
}
