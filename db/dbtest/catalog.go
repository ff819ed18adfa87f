package dbtest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"minibase/db"
)

// testCatalog checks collections: creation, listing, dropping, and the
// DATABASE_COLLECTION_NOT_EXIST error of every read or non-creating write.
func testCatalog(t *testing.T, open func(t *testing.T) db.Driver) {
	t.Run("create twice", func(t *testing.T) {
		d := open(t)
		if err := d.CreateCollection(t.Context(), "a"); err != nil {
			t.Fatalf("CreateCollection: %v", err)
		}
		wantCode(t, "CreateCollection again", d.CreateCollection(t.Context(), "a"), db.CodeCollectionExists)
	})
	t.Run("list with counts", func(t *testing.T) {
		d := open(t)
		insert(t, d, "empty")
		insert(t, d, "two", `{"_id": "1"}`, `{"_id": "2"}`)
		op := &db.WriteOp{Kind: db.WriteUpdate, Filter: parseFilter(t, `{"k": 1}`), Update: parseUpdate(t, `{"$set": {"v": 1}}`), Upsert: true, UpsertID: "u"}
		if _, err := write(t, d, "upserted", op); err != nil {
			t.Fatalf("upsert into a new collection: %v", err)
		}
		got := collections(t, d)
		want := []db.CollectionInfo{{Name: "empty", Count: 0}, {Name: "two", Count: 2}, {Name: "upserted", Count: 1}}
		if !slices.Equal(got, want) {
			t.Errorf("Collections: got %v, want %v", got, want)
		}
	})
	t.Run("drop", func(t *testing.T) {
		d := open(t)
		insert(t, d, "c", `{"_id": "1", "a": 1}`, `{"_id": "2", "a": 2}`)
		if err := d.CreateIndex(t.Context(), "c", db.Index{Keys: []db.IndexKey{{Path: "a"}}}); err != nil {
			t.Fatalf("CreateIndex: %v", err)
		}
		if err := d.DropCollection(t.Context(), "c"); err != nil {
			t.Fatalf("DropCollection: %v", err)
		}
		if got := collections(t, d); len(got) != 0 {
			t.Errorf("Collections after drop: got %v, want none", got)
		}
		_, err := d.Find(t.Context(), "c", &db.Query{Sort: byID, Limit: 10})
		wantCode(t, "Find after drop", err, db.CodeCollectionNotExist)
		insert(t, d, "c", `{"_id": "3", "a": 3}`)
		wantDocs(t, d, "c", "recreated after drop", `{"_id": "3", "a": 3}`)
		if got := indexes(t, d, "c"); len(got) != 0 {
			t.Errorf("Indexes of the recreated collection: got %v, want none", got)
		}
	})
	t.Run("missing collection", func(t *testing.T) {
		d := open(t)
		insert(t, d, "other", `{"_id": "1"}`)
		ctx := t.Context()
		ops := []struct {
			name string
			run  func() error
		}{
			{"Find", func() error { _, err := d.Find(ctx, "nosuch", &db.Query{Sort: byID, Limit: 10}); return err }},
			{"Count", func() error { _, err := d.Count(ctx, "nosuch", nil); return err }},
			{"Indexes", func() error { _, err := d.Indexes(ctx, "nosuch"); return err }},
			{"CreateIndex", func() error {
				return d.CreateIndex(ctx, "nosuch", db.Index{Keys: []db.IndexKey{{Path: "a"}}})
			}},
			{"update", func() error {
				op := &db.WriteOp{Kind: db.WriteUpdate, Update: parseUpdate(t, `{"$set": {"a": 1}}`), Multi: true}
				_, err := write(t, d, "nosuch", op)
				return err
			}},
			{"remove", func() error {
				_, err := write(t, d, "nosuch", &db.WriteOp{Kind: db.WriteRemove, Multi: true})
				return err
			}},
		}
		for _, op := range ops {
			t.Run(op.name, func(t *testing.T) { wantCode(t, op.name, op.run(), db.CodeCollectionNotExist) })
		}
		if got := collections(t, d); len(got) != 1 {
			t.Errorf("Collections after operations on a missing collection: got %v, want only other", got)
		}
	})
	t.Run("insert creates the collection", func(t *testing.T) {
		d := open(t)
		insert(t, d, "fresh", `{"_id": "1"}`)
		if got, want := collections(t, d), []db.CollectionInfo{{Name: "fresh", Count: 1}}; !slices.Equal(got, want) {
			t.Errorf("Collections: got %v, want %v", got, want)
		}
	})
}

// collections lists the collections sorted by name.
func collections(t *testing.T, d db.Driver) []db.CollectionInfo {
	t.Helper()
	got, err := d.Collections(t.Context())
	if err != nil {
		t.Fatalf("Collections: %v", err)
	}
	slices.SortFunc(got, func(a, b db.CollectionInfo) int { return strings.Compare(a.Name, b.Name) })
	for i := range got {
		// Sizes are approximate (the bytes of pages, 0 when a driver
		// cannot say): the suite checks the counts.
		if got[i].Size < 0 {
			t.Errorf("Collections: %s has size %d", got[i].Name, got[i].Size)
		}
		got[i].Size = 0
	}
	return got
}

// indexes lists the indexes of coll.
func indexes(t *testing.T, d db.Driver, coll string) []db.Index {
	t.Helper()
	got, err := d.Indexes(t.Context(), coll)
	if err != nil {
		t.Fatalf("Indexes(%s): %v", coll, err)
	}
	return got
}

// indexShape is what the suite compares of an index: its keys and
// uniqueness (the driver picks a name when none is given).
func indexShape(idx db.Index) string { return fmt.Sprintf("%v unique=%v", idx.Keys, idx.Unique) }

func indexShapes(idxs []db.Index) []string {
	out := make([]string, len(idxs))
	for i, idx := range idxs {
		out[i] = indexShape(idx)
	}
	slices.Sort(out)
	return out
}

// testIndex checks secondary indexes: listing, dropping and the unique
// constraint. Manual: "Indexes", "Unique Indexes" (a unique index cannot be
// built over duplicate values; a duplicate insert or update is refused).
func testIndex(t *testing.T, open func(t *testing.T) db.Driver) {
	t.Run("create, list, drop", func(t *testing.T) {
		d := open(t)
		insert(t, d, "c", `{"_id": "1", "a": 1, "b": 2, "email": "x@example.com"}`)
		created := []db.Index{
			{Keys: []db.IndexKey{{Path: "a"}}},
			{Keys: []db.IndexKey{{Path: "a"}, {Path: "b.c", Desc: true}}},
			{Keys: []db.IndexKey{{Path: "email"}}, Unique: true},
			{Name: "by_b", Keys: []db.IndexKey{{Path: "b"}}},
		}
		for _, idx := range created {
			if err := d.CreateIndex(t.Context(), "c", idx); err != nil {
				t.Fatalf("CreateIndex(%s): %v", indexShape(idx), err)
			}
		}
		got := indexes(t, d, "c")
		if g, w := indexShapes(got), indexShapes(created); !slices.Equal(g, w) {
			t.Fatalf("Indexes: got %v, want %v", g, w)
		}
		var dropName string
		for _, idx := range got {
			if idx.Name == "" {
				t.Errorf("Indexes: %s has no name", indexShape(idx))
			}
			if indexShape(idx) == indexShape(created[0]) {
				dropName = idx.Name
			}
		}
		if !slices.ContainsFunc(got, func(idx db.Index) bool { return idx.Name == "by_b" }) {
			t.Errorf("Indexes: the index named by_b is not listed by its name: %v", got)
		}
		if err := d.DropIndex(t.Context(), "c", dropName); err != nil {
			t.Fatalf("DropIndex(%s): %v", dropName, err)
		}
		if g, w := indexShapes(indexes(t, d, "c")), indexShapes(created[1:]); !slices.Equal(g, w) {
			t.Errorf("Indexes after DropIndex: got %v, want %v", g, w)
		}
		wantCode(t, "DropIndex of a missing index", d.DropIndex(t.Context(), "c", "nosuch"), "*")
	})
	t.Run("unique", func(t *testing.T) {
		d := open(t)
		seed := []string{`{"_id": "1", "email": "a@example.com"}`, `{"_id": "2", "email": "b@example.com"}`}
		insert(t, d, "users", seed...)
		if err := d.CreateIndex(t.Context(), "users", db.Index{Keys: []db.IndexKey{{Path: "email"}}, Unique: true}); err != nil {
			t.Fatalf("CreateIndex unique: %v", err)
		}
		batches := []struct {
			name string
			docs []string
		}{
			{"insert of a stored value", []string{`{"_id": "3", "email": "c@example.com"}`, `{"_id": "4", "email": "a@example.com"}`}},
			{"insert of a value twice", []string{`{"_id": "3", "email": "c@example.com"}`, `{"_id": "4", "email": "c@example.com"}`}},
		}
		for _, b := range batches {
			_, err := write(t, d, "users", &db.WriteOp{Kind: db.WriteInsert, Docs: decodeDocs(t, b.docs)})
			wantCode(t, b.name, err, db.CodeDuplicateKey)
		}
		op := &db.WriteOp{Kind: db.WriteUpdate, Filter: parseFilter(t, `{"_id": "2"}`), Update: parseUpdate(t, `{"$set": {"email": "a@example.com"}}`)}
		_, err := write(t, d, "users", op)
		wantCode(t, "update to a taken value", err, db.CodeDuplicateKey)
		_, err = write(t, d, "users", &db.WriteOp{Kind: db.WriteReplace, Doc: decodeDoc(t, `{"_id": "2", "email": "a@example.com"}`)})
		wantCode(t, "replace with a taken value", err, db.CodeDuplicateKey)
		wantDocs(t, d, "users", "after the refused writes", seed...)
	})
	t.Run("unique over duplicates", func(t *testing.T) {
		d := open(t)
		insert(t, d, "users", `{"_id": "1", "email": "a@example.com"}`, `{"_id": "2", "email": "a@example.com"}`)
		err := d.CreateIndex(t.Context(), "users", db.Index{Keys: []db.IndexKey{{Path: "email"}}, Unique: true})
		if err == nil {
			t.Errorf("CreateIndex unique over duplicate values: got no error")
		}
		if got := indexes(t, d, "users"); len(got) != 0 {
			t.Errorf("Indexes after the failed CreateIndex: got %v, want none", got)
		}
	})
}
