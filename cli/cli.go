// Package cli is the minibase command's commands, one file each: serve
// runs the server (package server), admin manages its data directory, and
// functions talks to a running server over HTTP. main dispatches to them.
package cli

import (
	"errors"
	"io"
	"strings"

	"minibase/server"
)

// Env is what a command has besides its arguments: the environment (for
// settings) and the standard streams.
type Env struct {
	Getenv  func(string) string // os.Getenv
	Stdin   io.Reader
	Stdout  io.Writer
	Stderr  io.Writer
	Version string // the binary's version
}

// Usage is the help of the minibase command: its commands, then serve's
// settings.
func Usage() string {
	return usage + "\nserve's settings: flag, environment variable (a config file's key is its\nname in lowercase without MINIBASE_; minibase config --example):\n" + server.Usage()
}

const usage = `minibase: a backend for mini-programs in one binary.

Usage:
  minibase serve [--dir DIR] [--http ADDR]   run the server
  minibase serve --https api.example.com     … over HTTPS, certificates from Let's Encrypt
  minibase serve --config minibase.toml      … with the settings of a config file
                                             (or MINIBASE_CONFIG=minibase.toml)
  minibase config [--config FILE]            print the configuration in force, each
                                             value's source, secrets masked
  minibase config --check | --example        validate it (exit 1 on errors) | print a
                                             config file with every setting
  minibase health [--url URL]                ask the local server for /v1/health
                                             (exit 1 unless ok; Docker's HEALTHCHECK)
  minibase admin create EMAIL [--dir DIR | --config FILE] [--password-stdin]
                                             add an admin account (password from
                                             stdin, MINIBASE_ADMIN_PASSWORD or a prompt)
  minibase functions deploy DIR [--name NAME] [--server URL] [--key KEY]
                                             deploy a function folder, or every one in
                                             a cloudfunctions/ folder, to a running server
                                             (env MINIBASE_URL, MINIBASE_ADMIN_KEY)
  minibase functions invoke NAME [--data JSON] | list | rollback NAME VERSION
  minibase functions logs [NAME] [--follow] [--limit N] [--since 10m] [--request-id ID] [--status ok|error]
                                             print the latest invocations' logs; --follow
                                             then prints new ones until Ctrl-C
  minibase backup create [--dir DIR | --config FILE] [--out FILE|DIR]
                                             back up the data directory (a server may run)
  minibase backup list [--dir DIR]           list the backups
  minibase backup restore ARCHIVE [--dir DIR] [--force]
                                             check the archive, then replace the data
                                             directory with it (the old one is kept)
  minibase export [--collection C …] [--format jsonl|csv] --out FILE|DIR [--url URL] [--admin-key KEY]
                                             export collections (all without --collection)
                                             with their indexes and rules from a running server
  minibase import FILE|DIR [--collection C] [--mode insert|upsert|replace] [--on-error stop|skip]
                                             import JSON Lines (WeChat console exports too)
                                             or CSV files into a running server
  minibase version                           print the version
  minibase help                              print this help
`

// configFlag takes --config FILE (or --config=FILE) out of args: the
// commands that work on a data directory read the settings of serve's
// config file (its data directory, its backups bucket) as serve does.
// It returns the arguments for server.ParseConfig and the rest.
func configFlag(args []string) (parse, rest []string, err error) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--config" || a == "-config":
			if i+1 == len(args) {
				return nil, nil, errors.New("--config needs a file")
			}
			parse = []string{"--config", args[i+1]}
			i++
		case strings.HasPrefix(a, "--config=") || strings.HasPrefix(a, "-config="):
			_, f, _ := strings.Cut(a, "=")
			parse = []string{"--config", f}
		default:
			rest = append(rest, a)
		}
	}
	return parse, rest, nil
}
