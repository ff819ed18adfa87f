//go:build unix

package server

import "syscall"

// openFileLimit is how many files the process may have open
// (RLIMIT_NOFILE), 0 when it cannot be read. Go raises the soft limit to
// the hard one at start (since Go 1.19), so this is the hard limit as the
// process was started with it.
func openFileLimit() uint64 {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return 0
	}
	return r.Cur
}
