//go:build unix

package server

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// LockFile is the file in the data directory that a server holds a lock
// on while it runs (flock, released by the kernel when the process ends,
// kill -9 included).
const LockFile = "minibase.lock"

// ErrDirLocked is returned by LockDir for a data directory another
// process (a running server, a restore) holds.
var ErrDirLocked = errors.New("data directory in use")

// LockDir takes the data directory's lock for this process, creating the
// directory's lock file when missing; release gives it back. A directory
// held by another process is ErrDirLocked.
func LockDir(dir string) (release func(), err error) {
	f, err := os.OpenFile(filepath.Join(dir, LockFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock data dir: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w: another minibase (a running server, or a restore) holds %s", ErrDirLocked, dir)
		}
		return nil, fmt.Errorf("lock data dir: %w", err)
	}
	return func() { f.Close() }, nil
}
