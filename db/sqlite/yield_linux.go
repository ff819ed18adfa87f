package sqlite

import (
	"runtime"
	"syscall"
)

// yieldCPU gives the calling goroutine a thread of its own at the lowest
// scheduling priority (nice 19): other threads, the server's included,
// run first when the CPU is busy. The thread is never unlocked, so it
// ends with the goroutine (a lowered priority cannot be raised back
// without privilege).
func yieldCPU() {
	runtime.LockOSThread()
	syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), 19) // best effort
}
