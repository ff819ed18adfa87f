package sqlite

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"minibase/db"
)

// Usage grows with the data and falls when it is deleted, so a caller can
// cap a database's size by deleting its oldest rows.
func TestUsage(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, filepath.Join(t.TempDir(), "u.db"), Options{Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	empty, err := d.Usage(ctx)
	if err != nil || empty <= 0 {
		t.Fatalf("usage of a new database: %d, %v", empty, err)
	}
	var docs []db.Doc
	for i := range 500 {
		docs = append(docs, db.Doc{{Key: "_id", Value: "d" + strconv.Itoa(i)}, {Key: "s", Value: strings.Repeat("y", 2000)}})
	}
	if _, err := d.Write(ctx, "c", &db.WriteOp{Kind: db.WriteInsert, Docs: docs}); err != nil {
		t.Fatal(err)
	}
	full, _ := d.Usage(ctx)
	if full < empty+500*2000 {
		t.Errorf("usage after 1 MB of documents: %d, want at least %d", full, empty+500*2000)
	}
	if _, err := d.Write(ctx, "c", &db.WriteOp{Kind: db.WriteRemove, Multi: true}); err != nil {
		t.Fatal(err)
	}
	after, _ := d.Usage(ctx)
	if after > empty+64<<10 {
		t.Errorf("usage after deleting them: %d, want about %d (the empty database)", after, empty)
	}
}
