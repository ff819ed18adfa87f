package backup

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// Store keeps archives: a folder (Dir), or an S3 bucket the server adapts.
type Store interface {
	// Create stores a new archive named name, written by write. The
	// archive becomes visible whole, or not at all: when write or the
	// store fails, nothing is left under name. A taken name is an error.
	Create(ctx context.Context, name string, write func(io.Writer) error) (Info, error)
	// List returns the archives, oldest first.
	List(ctx context.Context) ([]Info, error)
	// Open returns an archive's content and info; the caller closes it.
	// A missing one is an Error (CodeNotFound).
	Open(ctx context.Context, name string) (io.ReadCloser, Info, error)
	// Delete removes an archive; a missing one is an Error (CodeNotFound).
	Delete(ctx context.Context, name string) error
}

// Dir is a Store in a folder (the data directory's backups/): each
// archive is written to name.partial, synced to disk, then renamed to
// name, so that a backup killed midway leaves only a .partial file,
// which List ignores and the next Create removes.
type Dir struct {
	root string
	// create opens a new file for writing (tests inject faults here).
	create func(path string) (writeFile, error)
	// syncEvery is how many bytes of an archive are written between two
	// syncs (syncChunk; 0: one sync at the end).
	syncEvery int64
}

// syncChunk is how much of an archive Dir writes before it syncs what it
// wrote. One sync of a whole archive at its end flushes hundreds of
// megabytes at once (an archive of uploaded images does not compress),
// and on ext4 the server's commits, whose own syncs wait behind that
// flush in the device's queue and the file system's journal, stall for
// as long: BenchmarkBackupWhileWriting measured the longest insert during
// a backup of 1 GiB as the archive's final sync. Synced every 4 MiB,
// no flush is longer than a few tens of milliseconds.
const syncChunk = 4 << 20

// syncWriter writes to f and syncs f after each every bytes (never when
// every is 0).
type syncWriter struct {
	f       writeFile
	every   int64
	pending int64
}

func (w *syncWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.pending += int64(n)
	if err == nil && w.every > 0 && w.pending >= w.every {
		w.pending = 0
		err = w.f.Sync()
	}
	return n, err
}

// writeFile is what Dir writes an archive to: an *os.File.
type writeFile interface {
	io.Writer
	Sync() error
	Close() error
}

var _ Store = (*Dir)(nil)

// OpenDir opens the folder root as a Store, creating it (mode 0700) when
// missing.
func OpenDir(root string) (*Dir, error) {
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, fmt.Errorf("open backups folder: %w", err)
	}
	return &Dir{root: root, syncEvery: syncChunk, create: func(p string) (writeFile, error) {
		return os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	}}, nil
}

// Path is where the archive name is (or would be) kept.
func (d *Dir) Path(name string) string { return filepath.Join(d.root, name) }

// Create writes the archive to name.partial, syncs and renames it. A full
// disk is an Error (CodeDiskFull).
func (d *Dir) Create(ctx context.Context, name string, write func(io.Writer) error) (Info, error) {
	if err := CheckName(name); err != nil {
		return Info{}, err
	}
	final := d.Path(name)
	if _, err := os.Lstat(final); err == nil {
		return Info{}, Errorf(CodeInvalidParam, "a backup named %s already exists", name)
	}
	d.removePartials()
	partial := final + ".partial"
	f, err := d.create(partial)
	if err != nil {
		return Info{}, d.failed(name, err)
	}
	bw := bufio.NewWriterSize(&syncWriter{f: f, every: d.syncEvery}, 1<<20)
	err = write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(partial, final)
	}
	if err != nil {
		os.Remove(partial)
		return Info{}, d.failed(name, err)
	}
	syncDir(d.root)
	fi, err := os.Stat(final)
	if err != nil {
		return Info{}, fmt.Errorf("back up: %w", err)
	}
	return d.info(name, fi), nil
}

// failed is the error of a Create that kept nothing.
func (d *Dir) failed(name string, err error) error {
	var be *Error
	if errors.As(err, &be) {
		return err
	}
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return Errorf(CodeDiskFull, "backup %s failed: the disk of %s is full; nothing was kept, and the data is unchanged", name, d.root)
	}
	return fmt.Errorf("backup %s failed, nothing was kept: %w", name, err)
}

// removePartials removes what killed backups left.
func (d *Dir) removePartials() {
	entries, _ := os.ReadDir(d.root)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".partial") {
			os.Remove(filepath.Join(d.root, e.Name()))
		}
	}
}

// List returns the folder's archives, oldest first.
func (d *Dir) List(ctx context.Context) ([]Info, error) {
	entries, err := os.ReadDir(d.root)
	if err != nil {
		return nil, fmt.Errorf("list backups: %w", err)
	}
	var out []Info
	for _, e := range entries {
		if CheckName(e.Name()) != nil || !e.Type().IsRegular() {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue // removed meanwhile
		}
		out = append(out, d.info(e.Name(), fi))
	}
	SortInfos(out)
	return out, nil
}

func (d *Dir) info(name string, fi fs.FileInfo) Info {
	return Info{Name: name, Size: fi.Size(), Created: CreatedAt(name, fi.ModTime()), Where: "local"}
}

// Open opens an archive of the folder.
func (d *Dir) Open(ctx context.Context, name string) (io.ReadCloser, Info, error) {
	if err := CheckName(name); err != nil {
		return nil, Info{}, err
	}
	f, err := os.Open(d.Path(name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, Info{}, Errorf(CodeNotFound, "no backup named %s", name)
	}
	if err != nil {
		return nil, Info{}, fmt.Errorf("open backup: %w", err)
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		f.Close()
		return nil, Info{}, Errorf(CodeNotFound, "no backup named %s", name)
	}
	return f, d.info(name, fi), nil
}

// Delete removes an archive of the folder.
func (d *Dir) Delete(ctx context.Context, name string) error {
	if err := CheckName(name); err != nil {
		return err
	}
	err := os.Remove(d.Path(name))
	if errors.Is(err, fs.ErrNotExist) {
		return Errorf(CodeNotFound, "no backup named %s", name)
	}
	if err != nil {
		return fmt.Errorf("delete backup: %w", err)
	}
	syncDir(d.root)
	return nil
}

// CreatedAt is when the archive name was made: the time in its name
// (NewName, AutoName), else fallback (its file's or object's time).
func CreatedAt(name string, fallback time.Time) time.Time {
	s := strings.TrimSuffix(name, ".tar.gz")
	if i := strings.LastIndexByte(s, '-'); i >= 0 {
		if t, err := time.Parse("20060102T150405Z", s[i+1:]); err == nil {
			return t
		}
	}
	return fallback.UTC()
}

// SortInfos sorts archives oldest first (by name when made at once).
func SortInfos(infos []Info) {
	slices.SortFunc(infos, func(a, b Info) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
}

// AutoPrefix starts the names of scheduled backups: retention removes
// only these, never a backup made on demand.
const AutoPrefix = "minibase-auto-"

// AutoName is the name of a scheduled backup made at t.
func AutoName(t time.Time) string {
	return AutoPrefix + t.UTC().Format("20060102T150405Z") + ".tar.gz"
}

// Prune deletes the oldest scheduled backups (AutoPrefix) in s beyond the
// newest keep, and returns the names it deleted.
func Prune(ctx context.Context, s Store, keep int) ([]string, error) {
	infos, err := s.List(ctx)
	if err != nil {
		return nil, err
	}
	var auto []Info
	for _, in := range infos {
		if strings.HasPrefix(in.Name, AutoPrefix) {
			auto = append(auto, in)
		}
	}
	var deleted []string
	for len(auto) > max(keep, 0) {
		if err := s.Delete(ctx, auto[0].Name); err != nil && ErrorCode(err) != CodeNotFound {
			return deleted, err
		}
		deleted, auto = append(deleted, auto[0].Name), auto[1:]
	}
	return deleted, nil
}

// syncDir fsyncs a folder, so that renames in it last; best effort.
func syncDir(dir string) {
	if f, err := os.Open(dir); err == nil {
		f.Sync()
		f.Close()
	}
}
