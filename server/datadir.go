package server

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"minibase/auth"
)

// openDataDir creates the data directory (mode 0700), or takes it as it
// is with the group's and others' permissions removed from it and from
// what lies directly in it (the databases, keys, and the functions,
// storage and image cache folders, whose contents minibase creates 0600
// and 0700), logging each change. It refuses a directory that lost its
// database: data.db missing where a server has run (jwt.key is there).
func openDataDir(dir string, log *slog.Logger) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create data dir: %w", err)
	}
	tighten(dir, log)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("read data dir: %w", err)
	}
	for _, e := range entries {
		if e.Type()&fs.ModeSymlink == 0 {
			tighten(filepath.Join(dir, e.Name()), log)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "data.db")); errors.Is(err, fs.ErrNotExist) {
		if _, err := os.Stat(filepath.Join(dir, auth.SigningKeyFile)); err == nil {
			return fmt.Errorf("%s is missing, but a server has run in %s (%s is there): its database was lost or moved.\n\n"+
				"Put data.db back (from a backup: copy it into %[2]s while minibase is stopped).\n"+
				"To start over with an empty database on purpose, delete %[2]s/%[3]s too "+
				"(everyone signed in will have to sign in again).",
				filepath.Join(dir, "data.db"), dir, auth.SigningKeyFile)
		}
	}
	return nil
}

// tighten removes the group's and others' permissions from path, logging
// what it changed. It never fails: a server that cannot change them (not
// the owner) still runs.
func tighten(path string, log *slog.Logger) {
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm()&0o077 == 0 {
		return
	}
	was, now := fi.Mode().Perm(), fi.Mode().Perm()&^0o077
	if err := os.Chmod(path, now); err != nil {
		log.Warn("data dir: could not remove group and other permissions", "path", path, "mode", fmt.Sprintf("%04o", was), "err", err)
		return
	}
	log.Info("data dir: removed group and other permissions", "path", path, "was", fmt.Sprintf("%04o", was), "now", fmt.Sprintf("%04o", now))
}

// fnLogsAdvice is what to do about a damaged functions.db at path: it
// holds only logs.
func fnLogsAdvice(path string) string {
	return fmt.Sprintf("To start a new, empty log store: stop minibase, delete %[1]s, %[1]s-wal and %[1]s-shm (or move them aside), and start it again.", path)
}

// damagedAdvice is what to do about a damaged database file name (data.db)
// in dir, today, without tools minibase lacks.
func damagedAdvice(dir, name string) string {
	p := filepath.Join(dir, name)
	return fmt.Sprintf("With minibase stopped:\n"+
		"  - restore it: move %[1]s, %[1]s-wal and %[1]s-shm aside and copy your backup of %[2]s in their place;\n"+
		"  - or start with an empty %[2]s: move them aside (mv %[1]s %[1]s.damaged; mv %[1]s-wal %[1]s.damaged-wal; rm -f %[1]s-shm);\n"+
		"  - to save what is still readable, with the sqlite3 tool (3.40 or later): sqlite3 %[1]s.damaged .recover | sqlite3 %[1]s",
		p, name)
}
