//go:build linux

package main

import (
	"os"
	"testing"
)

// cpuTime reads a live process's CPU time, which only grows, and fails
// for a process that does not exist.
func TestCPUTime(t *testing.T) {
	a, err := cpuTime(os.Getpid())
	if err != nil || a < 0 {
		t.Fatalf("cpuTime(self) = %v, %v", a, err)
	}
	x := 0
	for i := range 20_000_000 {
		x += i % 7
	}
	b, err := cpuTime(os.Getpid())
	if err != nil || b < a {
		t.Fatalf("cpuTime went from %v to %v (%v; %d)", a, b, err, x)
	}
	if _, err := cpuTime(1 << 30); err == nil {
		t.Error("cpuTime of a process that does not exist gave no error")
	}
}
