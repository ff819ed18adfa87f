//go:build minibase_fuzz

package functions

import (
	"testing"

	"minibase/db"
)

// The fuzzing binary's runtimes (scripts/fuzz.sh builds with the tag
// minibase_fuzz): no database, so that modernc.org/sqlite is not linked
// and its coverage counters are not scanned after every execution. The
// fuzz targets run JavaScript that never reaches the database.

func newTestRuntime(t testing.TB, opts Options) (*Runtime, *db.Service) {
	t.Helper()
	dir, err := OpenDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	return newRuntimeOver(t, dir, opts)
}

func newRuntimeOver(t testing.TB, src Source, opts Options) (*Runtime, *db.Service) {
	t.Helper()
	if opts.Fetch.AllowPrivate == nil {
		opts.Fetch.AllowPrivate = []string{"127.0.0.1"}
	}
	rt, err := New(src, nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Close() })
	return rt, nil
}
