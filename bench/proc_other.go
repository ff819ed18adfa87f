//go:build unix && !linux

package main

import "syscall"

// sysProcAttr puts the server in its own process group, so that a Ctrl-C in
// the terminal reaches only the driver, which then stops the server.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
