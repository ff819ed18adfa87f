//go:build !minibase_fuzz

package functions

import (
	"context"
	"path/filepath"
	"testing"

	"minibase/db"
	"minibase/db/sqlite"
)

// testDB is the database of a test's runtime: a fresh SQLite database.
func testDB(t testing.TB) *db.Service {
	t.Helper()
	drv, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "data.db"), sqlite.Options{Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { drv.Close() })
	return db.NewService(drv, db.Limits{})
}
