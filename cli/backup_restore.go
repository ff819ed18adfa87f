package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"minibase/server"
)

// backupRestore runs `minibase backup restore ARCHIVE [--dir DATA]
// [--force]`: it checks the whole archive, restores it into a new folder
// beside the data directory and swaps them; the replaced directory is
// kept as <dir>.before-restore-<time>. A directory a running server holds
// is refused without --force.
func backupRestore(ctx context.Context, args []string, env Env) error {
	var force bool
	cfg, archive, err := backupFlags("restore", args, env, func(fs *flag.FlagSet) {
		fs.BoolVar(&force, "force", false, "restore even though a server runs on the data directory")
	})
	if err != nil {
		return err
	}
	if archive == "" {
		return errors.New(backupUsage)
	}
	r, err := server.RestoreBackup(ctx, cfg, archive, force)
	if err != nil {
		return err
	}
	m := r.Manifest
	fmt.Fprintf(env.Stdout, "restored %s into %s: %d files, %s, backed up %s by minibase %s\n",
		archive, cfg.Dir, len(m.Entries), human(m.Bytes), m.Created.Format("2006-01-02 15:04:05 MST"), m.Minibase)
	if r.Previous != "" {
		fmt.Fprintf(env.Stdout, "the data directory it replaced is kept in %s (delete it when you no longer need it)\n", r.Previous)
	}
	return nil
}
