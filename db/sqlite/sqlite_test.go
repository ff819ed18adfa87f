package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"minibase/db"
	"minibase/db/dbtest"
)

// TestConformance runs the shared Driver suite against SQLite.
func TestConformance(t *testing.T) {
	dbtest.Run(t, func(t *testing.T) db.Driver {
		d, err := Open(context.Background(), filepath.Join(t.TempDir(), "c.db"), Options{Synchronous: "NORMAL"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		return d
	})
}
