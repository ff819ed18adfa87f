package servertest_test

import (
	"testing"

	"minibase/server/servertest"
)

// BenchmarkNew: opening a server for a test, from the copy of an
// initialised data directory (what New does) and on an empty one (what it
// saves).
//
//	go test ./server/servertest -run '^$' -bench New -count 6
func BenchmarkNew(b *testing.B) {
	b.Run("from-template", func(b *testing.B) {
		for b.Loop() {
			servertest.New(b, servertest.Options{}).Close()
		}
	})
	b.Run("initialise", func(b *testing.B) {
		for b.Loop() {
			servertest.New(b, servertest.Options{Dir: b.TempDir()}).Close()
		}
	})
}
