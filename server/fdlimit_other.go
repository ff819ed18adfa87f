//go:build !unix

package server

// openFileLimit is not known here (0): defaultMaxConns uses its cap.
func openFileLimit() uint64 { return 0 }
