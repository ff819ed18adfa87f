package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"

	"modernc.org/sqlite"
)

// Snapshot methods: how Backup copies the database.
const (
	// SnapshotPages copies the file's pages with SQLite's online backup
	// API in one step: one read transaction, no rebuilding. The default.
	SnapshotPages = "pages"
	// SnapshotVacuum writes the copy with VACUUM INTO: one read
	// transaction too, but every table and index is rebuilt (a compact
	// copy, several times the CPU).
	SnapshotVacuum = "vacuum"
)

// Backup writes a consistent copy of the database file at src to dst (a
// path that must not exist; it is created mode 0600): the database as one
// transaction saw it, while this process's DB and other processes go on
// writing. In WAL mode the copy holds a read transaction, which blocks no
// writer; the WAL grows until the copy ends, then checkpoints catch up.
// method is SnapshotPages ("" too) or SnapshotVacuum. The copy is not
// fsynced (a copy to keep must be synced by the caller: syncing a large
// file while a server commits with synchronous=FULL stalls its commits);
// on error nothing is left at dst.
//
// ctx is checked before the copy starts and, for SnapshotVacuum, during
// it; a page copy, once started, runs to its end.
func Backup(ctx context.Context, src, dst, method string) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	fi, err := os.Stat(src)
	if err != nil {
		return fmt.Errorf("back up database: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("back up database: %s is not a regular file", src)
	}
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("back up database: %w", err)
	}
	f.Close()
	defer func() {
		if err != nil {
			for _, p := range []string{dst, dst + "-wal", dst + "-shm", dst + "-journal"} {
				os.Remove(p)
			}
		}
	}()
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	c, err := sql.Open("sqlite", "file:"+src+"?"+q.Encode())
	if err != nil {
		return fmt.Errorf("back up database: %w", err)
	}
	defer c.Close()
	conn, err := c.Conn(ctx)
	if err != nil {
		return fmt.Errorf("back up database: %w", err)
	}
	defer conn.Close()
	switch method {
	case SnapshotPages, "":
		err = copyPages(conn, dst)
	case SnapshotVacuum:
		_, err = conn.ExecContext(ctx, "VACUUM INTO ?", dst)
	default:
		return fmt.Errorf("back up database: unknown method %q", method)
	}
	if err != nil {
		return fmt.Errorf("back up database: %w", err)
	}
	return nil
}

// copyPages copies conn's database to the new file dst with the online
// backup API, all pages in one step (a step of part of them would start
// over each time another connection wrote in between).
func copyPages(conn *sql.Conn, dst string) error {
	return conn.Raw(func(dc any) error {
		bc, ok := dc.(interface {
			NewBackup(string) (*sqlite.Backup, error)
		})
		if !ok {
			return fmt.Errorf("the driver's connection (%T) has no backup API", dc)
		}
		b, err := bc.NewBackup(copyDSN(dst))
		if err != nil {
			return err
		}
		_, stepErr := b.Step(-1)
		return errors.Join(stepErr, b.Finish())
	})
}

// copyDSN opens a backup's destination without syncing it: SQLite would
// otherwise fsync the whole copy as the backup's last step, while it
// holds the source's read transaction, and on a journaling file system
// (ext4's ordered mode) the server's commits, which fsync the WAL, wait
// behind that flush: the long write stall of a backup. The caller syncs
// what it keeps (backup.Dir syncs the archive), and a crash midway
// leaves a file that is removed, never one that looks complete.
func copyDSN(dst string) string {
	q := url.Values{}
	q.Add("_pragma", "synchronous(OFF)")
	q.Add("_pragma", "journal_mode(OFF)")
	return "file:" + dst + "?" + q.Encode()
}

// Verify runs PRAGMA integrity_check on the database file at path (not
// one a server has open: it may write the file's WAL back) and returns an
// error wrapping ErrDamaged, with the first problems found, unless it
// says ok.
func Verify(ctx context.Context, path string) error {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	c, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return fmt.Errorf("verify database: %w", err)
	}
	defer c.Close()
	rows, err := c.QueryContext(ctx, "PRAGMA integrity_check(5)")
	var found []string
	if err == nil {
		for rows.Next() {
			var s string
			if err = rows.Scan(&s); err != nil {
				break
			}
			if s != "ok" {
				found = append(found, s)
			}
		}
		err = errors.Join(err, rows.Err(), rows.Close())
	}
	switch {
	case err != nil && (isCorrupt(err) || strings.Contains(err.Error(), "not a database")):
		return fmt.Errorf("%w: integrity_check: %w", ErrDamaged, err)
	case err != nil:
		return fmt.Errorf("verify database: %w", err)
	case len(found) > 0:
		return fmt.Errorf("%w: integrity_check found: %s", ErrDamaged, strings.Join(found, "; "))
	}
	return nil
}
