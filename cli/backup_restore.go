package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"minibase/server"
)

// backupRestore runs `minibase backup restore ARCHIVE [--dir DATA]
// [--force]`: it checks the whole archive, restores it into a new folder
// beside the data directory and swaps them; the replaced directory is
// kept as <dir>.before-restore-<time>. A directory a running server holds
// is refused without --force.
func backupRestore(ctx context.Context, args []string, env Env) error {
	var force bool
	var from, at string
	cfg, archive, err := backupFlags("restore", args, env, func(fs *flag.FlagSet) {
		fs.BoolVar(&force, "force", false, "restore even though a server runs on the data directory")
		fs.StringVar(&from, "from", "", "restore the database from the continuous backup at s3://bucket/prefix/")
		fs.StringVar(&at, "at", "", "with --from: the database as it was at this time (RFC 3339, like 2026-12-07T10:00:00Z); default the newest")
	})
	if err != nil {
		return err
	}
	if from != "" {
		if archive != "" {
			return fmt.Errorf("give an archive or --from, not both\n%s", backupUsage)
		}
		return replicaRestore(ctx, cfg, from, at, force, env)
	}
	if at != "" {
		return fmt.Errorf("--at goes with --from (an archive holds one moment)\n%s", backupUsage)
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

// replicaRestore restores the database from a continuous backup.
func replicaRestore(ctx context.Context, cfg server.Config, from, at string, force bool, env Env) error {
	var t time.Time
	if at != "" {
		var err error
		if t, err = time.Parse(time.RFC3339Nano, at); err != nil {
			return fmt.Errorf("--at %q: must be a time like 2026-12-07T10:00:00Z or 2026-12-07T18:00:00+08:00", at)
		}
	}
	r, err := server.RestoreReplica(ctx, cfg, from, t, force)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "restored the database of %s from %s: generation %s, snapshot of %s and %d WAL segments; it holds every write shipped by %s\n",
		cfg.Dir, from, r.Generation, r.Snapshot.Format(time.RFC3339), r.Segments, r.Until.Format(time.RFC3339Nano))
	if r.Previous != "" {
		fmt.Fprintf(env.Stdout, "the database it replaced is kept as %s (delete it when you no longer need it)\n", r.Previous)
	}
	return nil
}
