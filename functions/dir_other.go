//go:build !linux

package functions

// swapDir puts the folder staging in place of target. Without Linux's
// atomic exchange, target is missing for a moment between two renames;
// Dir's cache keeps serving the old code meanwhile.
func swapDir(staging, target string) error { return swapDirSlow(staging, target) }
