//go:build !linux

package functions

import (
	"io/fs"
	"os"
	"path/filepath"
)

// swapDir puts the folder staging in place of target. Without Linux's
// atomic exchange, target is missing for a moment between two renames;
// Dir's cache keeps serving the old code meanwhile.
func swapDir(staging, target string) error { return swapDirSlow(staging, target) }

// syncTree makes the files and folders written under dir durable, one
// fsync each.
func syncTree(dir string) error {
	return filepath.WalkDir(dir, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		if de.IsDir() {
			f.Sync() // not every system syncs a directory
			return nil
		}
		return f.Sync()
	})
}
