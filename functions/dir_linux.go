package functions

import (
	"errors"
	"io/fs"
	"os"

	"golang.org/x/sys/unix"
)

// swapDir puts the folder staging in place of target in one step: an
// atomic exchange when target exists (staging then holds the old
// version), a rename otherwise.
func swapDir(staging, target string) error {
	err := unix.Renameat2(unix.AT_FDCWD, staging, unix.AT_FDCWD, target, unix.RENAME_EXCHANGE)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, unix.ENOENT) {
		return os.Rename(staging, target)
	}
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) { // a file system without RENAME_EXCHANGE
		return swapDirSlow(staging, target)
	}
	return err
}
