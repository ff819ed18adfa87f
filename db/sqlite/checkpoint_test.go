package sqlite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"minibase/db"
)

// TestCheckpointPins: with ExternalCheckpoints, SQLite checkpoints
// nothing by itself (the WAL grows past its automatic 1000 pages), and
// Checkpoint never copies into the database file a frame committed after
// ship began: continuous backup relies on both to ship every frame before
// SQLite may overwrite it.
func TestCheckpointPins(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, filepath.Join(t.TempDir(), "data.db"), Options{ExternalCheckpoints: true})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	insert := func(tag string, n int) {
		t.Helper()
		for i := 0; i < n; i++ {
			doc := db.Doc{{Key: "_id", Value: fmt.Sprintf("%s%d", tag, i)}, {Key: "pad", Value: strings.Repeat("x", 3000)}}
			if _, err := d.Write(ctx, "docs", &db.WriteOp{Kind: db.WriteInsert, Docs: []db.Doc{doc}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	insert("a", 1500) // about 1500 frames: SQLite alone would have checkpointed at 1000
	fi, err := os.Stat(d.WALPath())
	if err != nil || fi.Size() < 1200*4096 {
		t.Fatalf("WAL after 1500 commits: %v bytes, %v; want it not checkpointed", fi.Size(), err)
	}
	res, err := d.Checkpoint(ctx, func(ctx context.Context) error {
		insert("b", 5) // committed after the pin
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Frames <= res.Backfilled || res.Backfilled < 1500 {
		t.Errorf("checkpoint %+v: want the frames before the pin copied and the 5 commits after it not", res)
	}
	res, err = d.Checkpoint(ctx, nil)
	if err != nil || res.Frames != res.Backfilled {
		t.Errorf("second checkpoint %+v, %v: want everything copied", res, err)
	}
	res, err = d.Checkpoint(ctx, func(context.Context) error { return fmt.Errorf("bucket down") })
	if err == nil || res.Unshipped {
		t.Errorf("checkpoint with ship failing, WAL within MaxWAL: %+v, %v; want the error and no checkpoint", res, err)
	}
}
