package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// Create writes a backup of src to s under name (NewName, AutoName) and
// returns its info and manifest. Nothing is kept under name when it fails.
func Create(ctx context.Context, s Store, src Source, name string) (Info, *Manifest, error) {
	var m *Manifest
	info, err := s.Create(ctx, name, func(w io.Writer) error {
		var err error
		m, err = Write(ctx, src, w)
		return err
	})
	if err != nil {
		return Info{}, nil, err
	}
	return info, m, nil
}

// Restored says what Restore did.
type Restored struct {
	Manifest *Manifest
	// Previous is where the data directory that was replaced now is
	// (<dir>.before-restore-<time>); "" when there was none.
	Previous string
}

// Restore replaces the data directory dir with the archive at path. It
// reads the whole archive first (Verify) and changes nothing if it is not
// a whole, intact minibase backup within lim, or if the disk lacks room
// for it. Then it writes the files into a new folder beside dir, checking
// each again against the manifest, syncs them, and swaps the folders by
// rename: dir becomes <dir>.before-restore-<time> (kept, with everything
// in it: nothing is deleted) and the new folder becomes dir. The old
// backups/ folder moves into the new dir. On any failure the new folder
// is removed and dir is as it was.
//
// Restore does not know whether a server holds dir: the caller checks
// (server.LockDir).
func Restore(ctx context.Context, path, dir string, lim Limits) (*Restored, error) {
	m, err := verifyFile(path, lim)
	if err != nil {
		return nil, err
	}
	dir = filepath.Clean(dir)
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o700); err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	if free, ok := freeSpace(parent); ok && uint64(m.Bytes) > free {
		return nil, Errorf(CodeDiskFull, "restore needs %d bytes, and the disk of %s has %d free: nothing was changed", m.Bytes, parent, free)
	}
	staging, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".restore-")
	if err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	done := false
	defer func() {
		if !done {
			os.RemoveAll(staging)
		}
	}()
	if err := extract(ctx, path, staging, m, lim); err != nil {
		return nil, err
	}
	prev, err := swap(dir, staging)
	if err != nil {
		return nil, err
	}
	done = true
	return &Restored{Manifest: m, Previous: prev}, nil
}

// verifyFile is Verify of the file at path.
func verifyFile(path string, lim Limits) (*Manifest, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return nil, Errorf(CodeInvalidParam, "%s is not a file", path)
	}
	return Verify(f, lim)
}

// extract writes the archive's files under root, each checked against m
// as it is read, and syncs them and their folders.
func extract(ctx context.Context, path, root string, m *Manifest, lim Limits) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer f.Close()
	dirs := map[string]bool{root: true}
	_, err = readArchive(f, lim, m, func(e Entry, body io.Reader) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		p := filepath.Join(root, filepath.FromSlash(e.Name))
		if d := filepath.Dir(p); !dirs[d] {
			if err := os.MkdirAll(d, 0o700); err != nil {
				return restoreFailed(err)
			}
			for ; d != root && !dirs[d]; d = filepath.Dir(d) {
				dirs[d] = true
			}
		}
		out, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return restoreFailed(err)
		}
		_, err = io.Copy(out, body)
		if err == nil {
			err = out.Sync()
		}
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			var re readErr
			if errors.As(err, &re) {
				return err
			}
			return restoreFailed(err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for d := range dirs {
		syncDir(d)
	}
	return nil
}

// restoreFailed is the error of writing the restored files.
func restoreFailed(err error) error {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return Errorf(CodeDiskFull, "restore failed: the disk is full; nothing was changed")
	}
	return fmt.Errorf("restore failed, nothing was changed: %w", err)
}

// swap puts staging in dir's place, moving dir's backups/ into it first
// and dir aside, and returns where dir went ("" when there was none).
func swap(dir, staging string) (string, error) {
	fi, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.Rename(staging, dir); err != nil {
			return "", fmt.Errorf("restore: %w", err)
		}
		syncDir(filepath.Dir(dir))
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("restore: %w", err)
	}
	if !fi.IsDir() {
		return "", Errorf(CodeInvalidParam, "%s is not a folder", dir)
	}
	backups := filepath.Join(dir, "backups")
	moved := false
	if _, err := os.Lstat(backups); err == nil {
		if err := os.Rename(backups, filepath.Join(staging, "backups")); err != nil {
			return "", fmt.Errorf("restore: move %s: %w", backups, err)
		}
		moved = true
	}
	prev := dir + ".before-restore-" + time.Now().UTC().Format("20060102T150405.000Z")
	if err := os.Rename(dir, prev); err != nil {
		if moved {
			os.Rename(filepath.Join(staging, "backups"), backups)
		}
		return "", fmt.Errorf("restore: %w", err)
	}
	if err := os.Rename(staging, dir); err != nil {
		os.Rename(prev, dir)
		if moved {
			os.Rename(filepath.Join(staging, "backups"), backups)
		}
		return "", fmt.Errorf("restore: %w", err)
	}
	syncDir(filepath.Dir(dir))
	return prev, nil
}
