package sqlite

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"minibase/db"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Space is the disk the database lives on, as the server sees it (its
// disk reserve). A DB asks it before each write that takes space, and
// tells it of writes that failed because the disk is full.
type Space interface {
	// Full reports whether the disk is full: then writes that take space
	// fail at once, and only those that delete run, so that space can be
	// freed.
	Full() bool
	// Exhausted is told that a write failed because the disk is full.
	Exhausted()
}

// How Open checks the database file (Options.Check). Open always reads
// the file's header (a database cut short, emptied or replaced by
// something else fails with ErrDamaged at once); PRAGMA quick_check, which
// reads every page (about 2 ms a MiB), runs according to Check.
const (
	// CheckBackground runs quick_check after Open returns; damage it finds
	// is handled as damage found by a query (Options.OnDamage).
	CheckBackground = "background"
	// CheckOpen runs quick_check in Open, which fails with ErrDamaged.
	CheckOpen = "open"
	// CheckOff runs no quick_check.
	CheckOff = "off"
)

// errDiskFull is a write that failed, or was refused, for lack of space.
var errDiskFull = db.Errorf(db.CodeDiskFull, "the server's disk is full: the write changed nothing (removes still work)")

// fault turns SQLite's disk-full and damaged-file errors into the
// *db.Error a client sees, and acts on them: a full disk is reported to
// Options.Space; a damaged file makes the DB refuse every write from now
// on (see damage). Other errors come back as they are.
func (d *DB) fault(err error) error {
	switch {
	case err == nil:
		return nil
	case isFull(err):
		if d.opts.Space != nil {
			d.opts.Space.Exhausted()
		}
		return errDiskFull
	case isCorrupt(err):
		d.damage(fmt.Errorf("%w: %w", ErrDamaged, err))
		return d.refusal()
	}
	return err
}

// sqliteCode returns the primary result code of a SQLite error, else 0.
func sqliteCode(err error) int {
	if err == nil {
		return 0
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() & 0xff
	}
	return 0
}

func isFull(err error) bool { return sqliteCode(err) == sqlite3.SQLITE_FULL }

func isCorrupt(err error) bool {
	c := sqliteCode(err)
	return c == sqlite3.SQLITE_CORRUPT || c == sqlite3.SQLITE_NOTADB
}

// damage records that the file is damaged: from now on every write fails
// (with db.CodeCorrupted) rather than write into a damaged B-tree, which
// can spread the damage. Reads go on, so what is readable can be read.
// The first cause is kept and given to Options.OnDamage, once.
func (d *DB) damage(cause error) {
	if d.damaged.CompareAndSwap(nil, &cause) && d.opts.OnDamage != nil {
		d.opts.OnDamage(cause)
	}
}

// Damaged returns why the DB refuses writes (wrapping ErrDamaged), or nil.
func (d *DB) Damaged() error {
	if p := d.damaged.Load(); p != nil {
		return *p
	}
	return nil
}

// refusal is the error of a write to a damaged database.
func (d *DB) refusal() error {
	return db.Errorf(db.CodeCorrupted, "the database file is damaged: the server refuses writes until an operator repairs or restores it")
}

// Check runs SQLite's quick_check, which reads every page and checks the
// B-trees' structure (not that indexes match their tables), on a read
// connection, so writes go on meanwhile. Damage found is returned
// wrapping ErrDamaged and makes the DB refuse writes (see damage); ctx
// ends it early.
func (d *DB) Check(ctx context.Context) error {
	err := d.quickCheck(ctx)
	if errors.Is(err, ErrDamaged) {
		d.damage(err)
	}
	return err
}

// quickCheck runs quick_check and reports what it found as an error
// wrapping ErrDamaged.
func (d *DB) quickCheck(ctx context.Context) error {
	var found []string
	rows, err := d.r.QueryContext(ctx, "PRAGMA quick_check(5)")
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
	case ctx.Err() != nil:
		return ctx.Err()
	case isCorrupt(err):
		return fmt.Errorf("%w: quick_check: %w", ErrDamaged, err)
	case err != nil:
		return fmt.Errorf("check database: %w", err)
	case len(found) > 0:
		return fmt.Errorf("%w: quick_check found: %s", ErrDamaged, strings.Join(found, "; "))
	}
	return nil
}

// checkInBackground runs Check until Close, on its own goroutine.
func (d *DB) checkInBackground() {
	ctx, cancel := context.WithCancel(context.Background())
	d.stopCheck = cancel
	d.checkD = make(chan struct{})
	go func() {
		defer close(d.checkD)
		d.Check(ctx)
	}()
}
