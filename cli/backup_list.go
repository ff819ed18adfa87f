package cli

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"minibase/server"
)

// backupList runs `minibase backup list [--dir DATA]`: the backups in
// <dir>/backups/ and MINIBASE_BACKUP_S3_BUCKET, oldest first.
func backupList(ctx context.Context, args []string, env Env) error {
	cfg, arg, err := backupFlags("list", args, env, nil)
	if err != nil {
		return err
	}
	if arg != "" {
		return fmt.Errorf("unexpected argument %q\n%s", arg, backupUsage)
	}
	list, err := server.ListBackups(ctx, cfg)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		fmt.Fprintf(env.Stdout, "no backups in %s/backups\n", cfg.Dir)
		return nil
	}
	w := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tSIZE\tCREATED\tWHERE")
	for _, b := range list {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", b.Name, human(b.Size), b.Created.UTC().Format(time.RFC3339), b.Where)
	}
	return w.Flush()
}
