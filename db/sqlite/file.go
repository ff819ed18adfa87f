package sqlite

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrDamaged is wrapped by the errors of Open and Check that found the
// database file damaged, and by the cause OnDamage is given.
var ErrDamaged = errors.New("the database file is damaged")

// damaged returns an error wrapping ErrDamaged that names path and says
// what is wrong with it.
func damaged(path, format string, args ...any) error {
	return fmt.Errorf("%s: %w: %s", path, ErrDamaged, fmt.Sprintf(format, args...))
}

// prepareFile makes path ready for Open: a missing database is created
// whole (see create), an existing one must pass checkHeader.
func prepareFile(ctx context.Context, path string) error {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return create(ctx, path)
	case err != nil:
		return fmt.Errorf("open database: %w", err)
	case !fi.Mode().IsRegular():
		return fmt.Errorf("open database: %s is not a regular file", path)
	}
	return checkHeader(path, fi.Size())
}

// create makes a new, empty database at path, mode 0600 (SQLite gives its
// -wal and -shm files the database's mode), built under a temporary name
// and renamed into place: path is either absent or a database, never an
// empty file, so an empty file at path is always one that lost its data.
func create(ctx context.Context, path string) error {
	tmp := path + ".new"
	for _, p := range []string{tmp, tmp + "-wal", tmp + "-shm"} { // left by a crash
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("create database: %w", err)
		}
	}
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("create database: %w", err)
	}
	f.Close()
	c, err := sql.Open("sqlite", "file:"+tmp+"?_pragma=journal_mode(WAL)")
	if err == nil {
		err = c.PingContext(ctx) // the pragma writes the first page: the header, in WAL mode
		err = errors.Join(err, c.Close())
	}
	if err == nil {
		err = syncFile(tmp)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("create database: %w", err)
	}
	return syncFile(filepath.Dir(path))
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// headerSize is the size of SQLite's database header (the file format's
// section 1.3), at the start of the first page.
const headerSize = 100

// checkHeader checks, from its header and size, that the file at path is
// a whole SQLite database: not empty, not something else, not cut short.
// It reads 100 bytes: it finds a database that lost its data or its end
// (a failed copy, a crash of the file system), not one damaged inside,
// which takes reading every page (Check).
func checkHeader(path string, size int64) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer f.Close()
	h := make([]byte, headerSize)
	n, err := io.ReadFull(f, h)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return fmt.Errorf("open database: %w", err)
	}
	wal, err := os.Stat(path + "-wal")
	if why := headerProblem(h[:n], size, err == nil && wal.Size() > 32); why != "" {
		return damaged(path, "%s", why)
	}
	return nil
}

// headerProblem says what is wrong with a database file of size bytes
// that starts with h (its first 100 bytes, or fewer when it is shorter),
// or "" when nothing is. wal says whether a write-ahead log with frames
// lies beside it: then the file may lack pages the log holds.
func headerProblem(h []byte, size int64, wal bool) string {
	if size == 0 {
		return "it is empty (0 bytes); minibase never leaves a database empty, so its data was lost"
	}
	if len(h) < headerSize || string(h[:16]) != "SQLite format 3\x00" {
		return "it is not a SQLite database (it does not start with SQLite's header)"
	}
	pageSize := int64(binary.BigEndian.Uint16(h[16:]))
	if pageSize == 1 {
		pageSize = 65536
	}
	if pageSize < 512 || pageSize&(pageSize-1) != 0 {
		return fmt.Sprintf("its header is damaged (page size %d)", pageSize)
	}
	if wal {
		return "" // SQLite replays the log
	}
	if size%pageSize != 0 {
		return fmt.Sprintf("it is cut short: %d bytes is not a whole number of %d-byte pages", size, pageSize)
	}
	// The page count in the header is valid when the change counter equals
	// the "version-valid-for" number (the format's section 1.3.7).
	pages := int64(binary.BigEndian.Uint32(h[28:]))
	if pages > 0 && binary.BigEndian.Uint32(h[24:]) == binary.BigEndian.Uint32(h[92:]) && size < pages*pageSize {
		return fmt.Sprintf("it is cut short: it holds %d pages of the %d its header counts", size/pageSize, pages)
	}
	return ""
}
