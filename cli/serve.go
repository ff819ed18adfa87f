package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"minibase/server"
)

// Serve runs `minibase serve [--config FILE] [--dir DIR] [--http ADDR]`:
// it opens the server the flags, MINIBASE_* variables and config file
// describe and serves until ctx ends (SIGINT, SIGTERM), then shuts down
// gracefully.
func Serve(ctx context.Context, args []string, env Env) error {
	cfg, err := server.ParseConfig(args, env.Getenv)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(env.Stdout, Usage())
		return nil
	}
	if err != nil {
		return err
	}
	log := server.NewLogger(cfg, env.Stderr)
	for _, w := range cfg.Warnings() {
		log.Warn(w)
	}
	s := &server.Server{Config: cfg, Version: env.Version, Out: env.Stdout, Log: log}
	server.ApplyMemoryLimit(env.Getenv("GOMEMLIMIT"), os.ReadFile, s.Log)
	if err := s.Open(ctx); err != nil {
		return errors.Join(err, s.Close())
	}
	return errors.Join(s.Run(ctx), s.Close())
}
