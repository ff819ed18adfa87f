//go:build !unix

package server

import "errors"

// LockFile is the file in the data directory that a server holds a lock
// on while it runs; on this system there is no lock.
const LockFile = "minibase.lock"

// ErrDirLocked is returned by LockDir for a data directory another
// process holds (never on this system).
var ErrDirLocked = errors.New("data directory in use")

// LockDir does nothing on this system: a restore cannot tell that a
// server runs on the directory.
func LockDir(dir string) (release func(), err error) { return func() {}, nil }
