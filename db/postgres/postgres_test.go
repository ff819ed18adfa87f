package postgres

import (
	"context"
	"os"
	"testing"

	"minibase/db"
	"minibase/db/dbtest"
	"minibase/db/postgres/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// open opens the driver on a fresh database of t's, closed when t ends.
func open(t *testing.T) *DB {
	t.Helper()
	url := pgtest.Database(t)
	d, err := Open(context.Background(), url, Options{MaxConns: 8})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// TestConformance runs the shared Driver suite against PostgreSQL.
func TestConformance(t *testing.T) {
	dbtest.Run(t, func(t *testing.T) db.Driver { return open(t) })
}
