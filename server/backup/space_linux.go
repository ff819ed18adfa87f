package backup

import "syscall"

// freeSpace is how many bytes an unprivileged process may still write to
// the file system of path; false when it cannot tell.
func freeSpace(path string) (uint64, bool) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil {
		return 0, false
	}
	return st.Bavail * uint64(st.Bsize), true
}
