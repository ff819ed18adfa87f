//go:build !minibase_fuzz

package functions

import (
	"context"
	"path/filepath"
	"testing"

	"minibase/db"
	"minibase/db/sqlite"
)

// newTestRuntime returns a Runtime over the functions in testdata/ and a
// fresh SQLite database. fetch may reach 127.0.0.1 unless opts says
// otherwise.
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
	drv, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "data.db"), sqlite.Options{Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { drv.Close() })
	svc := db.NewService(drv, db.Limits{})
	if opts.Fetch.AllowPrivate == nil {
		opts.Fetch.AllowPrivate = []string{"127.0.0.1"}
	}
	rt, err := New(src, svc, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Close() })
	return rt, svc
}
