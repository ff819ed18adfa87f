package cli

import (
	"context"
	"flag"
	"fmt"

	"minibase/server"
)

// backupCreate runs `minibase backup create [--dir DATA] [--out FILE|DIR]`:
// it writes a backup of the data directory, while a server runs on it or
// not, to <dir>/backups/ (or MINIBASE_BACKUP_S3_BUCKET), a folder, or a
// file, and prints where.
func backupCreate(ctx context.Context, args []string, env Env) error {
	var out string
	cfg, arg, err := backupFlags("create", args, env, func(fs *flag.FlagSet) {
		fs.StringVar(&out, "out", "", "where to write the archive: a folder, or a file name ending .tar.gz")
	})
	if err != nil {
		return err
	}
	if arg != "" {
		return fmt.Errorf("unexpected argument %q\n%s", arg, backupUsage)
	}
	where, info, m, err := server.CreateBackup(ctx, cfg, env.Version, out)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "backup written: %s (%s compressed; %d files, %s)\n", where, human(info.Size), len(m.Entries), human(m.Bytes))
	return nil
}

// human writes a byte count in the largest unit that keeps it ≥ 1.
func human(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
