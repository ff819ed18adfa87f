//go:build !linux

package sqlite

// yieldCPU does nothing here: only Linux sets a thread's priority.
func yieldCPU() {}
