package server

import (
	"log/slog"
	"math"
	"runtime/debug"
	"strconv"
	"strings"
)

// The Go runtime's memory limit (GOMEMLIMIT): Go reads the variable
// itself, and a limit makes the garbage collector work harder as the heap
// nears it instead of letting the process grow into the kernel's
// out-of-memory killer. Without GOMEMLIMIT, minibase in a container with
// a memory limit (a cgroup's memory.max: docker run --memory, systemd's
// MemoryMax=) sets Go's limit to 90% of it, leaving room for what Go does
// not count (goroutine stacks are counted; SQLite's page cache, in Go
// memory with modernc.org/sqlite, is too; the rest is the binary and the
// kernel's buffers). Functions' memory budget defaults to half of the
// limit (MINIBASE_FUNCTIONS_MEMORY).

// cgroupMemoryFiles are where the cgroup's memory limit is read: cgroup v2,
// then v1.
var cgroupMemoryFiles = []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}

// cgroupShare is the part of the cgroup's limit given to Go.
const cgroupShare = 0.9

// minCgroupLimit is the smallest cgroup limit taken (a smaller one is
// likely a misreading; Go's limit then stays off).
const minCgroupLimit = 64 << 20

// parseCgroupLimit reads a memory.max (or v1 memory.limit_in_bytes) file:
// a byte count, or "max" (no limit; v1 writes a huge number instead).
func parseCgroupLimit(b []byte) (int64, bool) {
	s := strings.TrimSpace(string(b))
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < minCgroupLimit || n >= 1<<60 {
		return 0, false
	}
	return n, true
}

// MemoryLimit is the memory limit ApplyMemoryLimit sets: none when
// GOMEMLIMIT is set (gomemlimit, which Go has applied) or when no cgroup
// file read by readFile gives a limit; else 90% of the cgroup's.
func MemoryLimit(gomemlimit string, readFile func(string) ([]byte, error)) (limit int64, cgroup int64) {
	if gomemlimit != "" {
		return 0, 0
	}
	files := cgroupMemoryFiles
	if b, err := readFile("/proc/self/cgroup"); err == nil {
		files = append(ownCgroupFiles(b), files...)
	}
	for _, f := range files {
		b, err := readFile(f)
		if err != nil {
			continue
		}
		if n, ok := parseCgroupLimit(b); ok {
			return int64(float64(n) * cgroupShare), n
		}
		return 0, 0 // the first file present says (v2's "max": no limit)
	}
	return 0, 0
}

// ownCgroupFiles is the memory.max of the process's own cgroup v2 (a
// systemd unit's, without a cgroup namespace), from /proc/self/cgroup's
// "0::/path" line; nil when there is none or it is the root.
func ownCgroupFiles(procCgroup []byte) []string {
	for _, line := range strings.Split(string(procCgroup), "\n") {
		p, ok := strings.CutPrefix(line, "0::")
		if !ok || p == "/" || !strings.HasPrefix(p, "/") || strings.Contains(p, "..") {
			continue
		}
		return []string{"/sys/fs/cgroup" + p + "/memory.max"}
	}
	return nil
}

// ApplyMemoryLimit sets Go's memory limit from the cgroup when GOMEMLIMIT
// (gomemlimit, the variable's value) is not set, and logs the limit in
// force. Call it before Open (functions size their budget from it).
func ApplyMemoryLimit(gomemlimit string, readFile func(string) ([]byte, error), log *slog.Logger) {
	if limit, cgroup := MemoryLimit(gomemlimit, readFile); limit > 0 {
		debug.SetMemoryLimit(limit)
		log.Info("memory limit: 90% of the container's", "GOMEMLIMIT", mib(limit), "cgroup", mib(cgroup))
		return
	}
	if cur := debug.SetMemoryLimit(-1); cur < math.MaxInt64 {
		log.Info("memory limit", "GOMEMLIMIT", mib(cur))
	}
}

func mib(n int64) string { return strconv.FormatInt(n>>20, 10) + "MiB" }
