package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
)

// TestRulesMigration: a database made before collections had rules opens
// with every collection on the default rules, and keeps rules set later
// across a restart.
func TestRulesMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	old, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = old.Exec(`CREATE TABLE _collections (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE,
		created INTEGER NOT NULL, shape TEXT NOT NULL DEFAULT '{}');
		INSERT INTO _collections(name, created) VALUES ('notes', 0);
		CREATE TABLE "c1" (id TEXT PRIMARY KEY, data BLOB NOT NULL);`)
	old.Close()
	if err != nil {
		t.Fatal(err)
	}
	d, err := Open(ctx, path, Options{Synchronous: "NORMAL"})
	if err != nil {
		t.Fatalf("open a database from before rules: %v", err)
	}
	if r, err := d.Rules(ctx, "notes"); err != nil || r != nil {
		t.Errorf("rules of an old collection: %s %v, want nil (the default)", r, err)
	}
	if err := d.SetRules(ctx, "notes", []byte(`{"preset":"READONLY"}`)); err != nil {
		t.Fatal(err)
	}
	d.Close()
	d, err = Open(ctx, path, Options{Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if r, _ := d.Rules(ctx, "notes"); string(r) != `{"preset":"READONLY"}` {
		t.Errorf("rules after a restart: %s", r)
	}
}
