package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"minibase/server"
)

const backupUsage = `usage:
  minibase backup create [--dir DATA | --config FILE] [--out FILE|DIR]
  minibase backup list [--dir DATA | --config FILE]
  minibase backup restore ARCHIVE [--dir DATA | --config FILE] [--force]
  minibase backup restore --from s3://BUCKET/PREFIX/ [--at 2026-12-07T10:00:00Z] [--dir DATA | --config FILE] [--force]`

// Backup runs `minibase backup create|list|restore …` on a data directory
// (--dir, else serve's settings: MINIBASE_DIR, the config file of --config
// or MINIBASE_CONFIG). Backups need no running server: create works
// beside one (the database is copied online), restore refuses one's
// directory without --force.
func Backup(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 {
		return errors.New(backupUsage)
	}
	switch args[0] {
	case "create":
		return backupCreate(ctx, args[1:], env)
	case "list":
		return backupList(ctx, args[1:], env)
	case "restore":
		return backupRestore(ctx, args[1:], env)
	}
	return fmt.Errorf("unknown backup command %q\n%s", args[0], backupUsage)
}

// backupFlags parses args over the settings of the environment (the data
// directory, the backups bucket); flags may come before or after one
// positional argument, which it returns ("" when none).
func backupFlags(name string, args []string, env Env, define func(*flag.FlagSet)) (server.Config, string, error) {
	parse, args, err := configFlag(args)
	if err != nil {
		return server.Config{}, "", err
	}
	cfg, err := server.ParseConfig(parse, env.Getenv)
	if err != nil {
		return cfg, "", err
	}
	fs := flag.NewFlagSet("backup "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.StringVar(&cfg.Dir, "dir", cfg.Dir, "data directory")
	if define != nil {
		define(fs)
	}
	if err := fs.Parse(args); err != nil {
		return cfg, "", err
	}
	arg := fs.Arg(0)
	if err := fs.Parse(fs.Args()[min(1, fs.NArg()):]); err != nil {
		return cfg, "", err
	}
	if fs.NArg() > 0 {
		return cfg, "", fmt.Errorf("unexpected argument %q\n%s", fs.Arg(0), backupUsage)
	}
	return cfg, arg, nil
}
