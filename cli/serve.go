package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"minibase/server"
)

// Serve runs `minibase serve [--dir DIR] [--http ADDR]`: it opens the
// server the flags and MINIBASE_* variables describe and serves until ctx
// ends (SIGINT, SIGTERM), then shuts down gracefully.
func Serve(ctx context.Context, args []string, env Env) error {
	cfg, err := server.ParseConfig(args, env.Getenv)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(env.Stdout, Usage())
		return nil
	}
	if err != nil {
		return err
	}
	s := &server.Server{Config: cfg, Version: env.Version, Out: env.Stdout, Log: server.NewLogger(cfg, env.Stderr)}
	if err := s.Open(ctx); err != nil {
		return errors.Join(err, s.Close())
	}
	return errors.Join(s.Run(ctx), s.Close())
}
