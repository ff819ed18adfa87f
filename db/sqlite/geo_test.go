package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"minibase/db"
)

// TestGeoIndexAfterRestart: a 2dsphere index holding polygons is read back
// at start as one (lookups then include the cells' ancestors, which
// polygons are filed under), and keeps being kept by writes.
func TestGeoIndexAfterRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "geo.db")
	d, err := Open(ctx, path, Options{Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	zone := db.Doc{{Key: "_id", Value: "zone"}, {Key: "loc", Value: mustJSON(t, `{"type": "Polygon", "coordinates": [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]]}`)}}
	if _, err := d.Write(ctx, "zones", &db.WriteOp{Kind: db.WriteInsert, Docs: []db.Doc{zone}}); err != nil {
		t.Fatal(err)
	}
	if err := d.CreateIndex(ctx, "zones", db.Index{Keys: []db.IndexKey{{Path: "loc", Type: db.Geo2DSphere}}}); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	d, err = Open(ctx, path, Options{Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	shop := db.Doc{{Key: "_id", Value: "shop"}, {Key: "loc", Value: []any{int64(5), int64(5)}}}
	if _, err := d.Write(ctx, "zones", &db.WriteOp{Kind: db.WriteInsert, Docs: []db.Doc{shop}}); err != nil {
		t.Fatal(err)
	}
	for filter, want := range map[string]int{
		`{"loc": {"$geoIntersects": {"$geometry": {"type": "Point", "coordinates": [5, 5]}}}}`:                 2,
		`{"loc": {"$nearSphere": {"$geometry": {"type": "Point", "coordinates": [5, 5]}, "$maxDistance": 1}}}`: 2,
		`{"loc": {"$nearSphere": {"$geometry": {"type": "Point", "coordinates": [50, 50]}}}}`:                  2,
	} {
		got, err := d.Find(ctx, "zones", &db.Query{Filter: mustFilter(t, filter), Limit: 20})
		if err != nil || len(got) != want {
			t.Errorf("%s after a restart: %d documents, %v; want %d", filter, len(got), err, want)
		}
	}
}
