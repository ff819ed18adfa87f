package server

import (
	"io/fs"
	"strings"
	"testing"
)

// TestMemoryLimit: without GOMEMLIMIT, Go's limit is 90% of the cgroup's
// (v2's memory.max, else v1's memory.limit_in_bytes); a cgroup without a
// limit, no cgroup, or GOMEMLIMIT set leave it to Go.
func TestMemoryLimit(t *testing.T) {
	const v2, v1 = "/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"
	for _, tc := range []struct {
		name       string
		gomemlimit string
		files      map[string]string
		want       int64
	}{
		{"cgroup v2 limit", "", map[string]string{v2: "1073741824\n"}, 966367641},
		{"cgroup v2 without a limit", "", map[string]string{v2: "max\n", v1: "1073741824\n"}, 0},
		{"cgroup v1 limit", "", map[string]string{v1: "536870912\n"}, 483183820},
		{"cgroup v1 without a limit", "", map[string]string{v1: "9223372036854771712\n"}, 0},
		{"no cgroup", "", nil, 0},
		{"GOMEMLIMIT wins", "2GiB", map[string]string{v2: "1073741824\n"}, 0},
		{"an absurdly small limit is not taken", "", map[string]string{v2: "4096\n"}, 0},
		{"garbage", "", map[string]string{v2: "lots\n"}, 0},
		{"a systemd unit's own cgroup", "", map[string]string{"/proc/self/cgroup": "0::/system.slice/minibase.service\n",
			"/sys/fs/cgroup/system.slice/minibase.service/memory.max": "1073741824\n"}, 966367641},
		{"a container's cgroup namespace", "", map[string]string{"/proc/self/cgroup": "0::/\n", v2: "1073741824\n"}, 966367641},
	} {
		read := func(name string) ([]byte, error) {
			if v, ok := tc.files[name]; ok {
				return []byte(v), nil
			}
			return nil, fs.ErrNotExist
		}
		if got, _ := MemoryLimit(tc.gomemlimit, read); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
}

// FuzzParseCgroupLimit: any memory.max content is a limit of at least
// 64 MiB, or none; never a panic.
func FuzzParseCgroupLimit(f *testing.F) {
	for _, s := range []string{"max\n", "1073741824\n", "9223372036854771712", "-1", " 67108864 "} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if n, ok := parseCgroupLimit(b); ok && (n < minCgroupLimit || n >= 1<<60) {
			t.Fatalf("parseCgroupLimit(%q) = %d", b, n)
		}
	})
}

// FuzzOwnCgroupFiles: whatever /proc/self/cgroup says, the file read is a
// memory.max under /sys/fs/cgroup, never outside it.
func FuzzOwnCgroupFiles(f *testing.F) {
	for _, s := range []string{"0::/system.slice/minibase.service\n", "0::/\n", "12:memory:/docker/abc\n0::/x/../../etc\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, p := range ownCgroupFiles(b) {
			if !strings.HasPrefix(p, "/sys/fs/cgroup/") || !strings.HasSuffix(p, "/memory.max") || strings.Contains(p, "..") {
				t.Fatalf("ownCgroupFiles(%q) reads %q", b, p)
			}
		}
	})
}
