package dbtest

import (
	"slices"
	"testing"

	"minibase/db"
)

// write runs op on coll.
func write(t *testing.T, d db.Driver, coll string, op *db.WriteOp) (db.WriteResult, error) {
	t.Helper()
	if op.Now.IsZero() {
		op.Now = writeTime
	}
	return d.Write(t.Context(), coll, op)
}

// wantDocs fails unless coll holds exactly want (in _id order).
func wantDocs(t *testing.T, d db.Driver, coll string, what string, want ...string) {
	t.Helper()
	got, w := all(t, d, coll), decodeDocs(t, want)
	if !sameDocs(got, w) {
		t.Errorf("%s: collection holds%s\nwant%s", what, showDocs(got), showDocs(w))
	}
}

// Manual: "db.collection.insertOne()", "db.collection.insertMany()" (a
// duplicate _id is a duplicate key error). minibase writes a batch
// atomically: all of it or none.
func testInsert(t *testing.T, open func(t *testing.T) db.Driver) {
	d := open(t)
	t.Run("one", func(t *testing.T) {
		doc := `{"_id": "a", "x": 1}`
		res, err := write(t, d, "one", &db.WriteOp{Kind: db.WriteInsert, Docs: decodeDocs(t, []string{doc})})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(res.InsertedIDs, []string{"a"}) {
			t.Errorf("InsertedIDs: got %v, want [a]", res.InsertedIDs)
		}
		wantDocs(t, d, "one", "after insert", doc)
	})
	t.Run("many in order", func(t *testing.T) {
		docs := []string{`{"_id": "c", "n": 1}`, `{"_id": "a", "n": 2}`, `{"_id": "b", "n": 3}`}
		res, err := write(t, d, "many", &db.WriteOp{Kind: db.WriteInsert, Docs: decodeDocs(t, docs)})
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"c", "a", "b"}; !slices.Equal(res.InsertedIDs, want) {
			t.Errorf("InsertedIDs: got %v, want %v", res.InsertedIDs, want)
		}
		wantDocs(t, d, "many", "after insert", docs[1], docs[2], docs[0])
	})
	dups := []struct {
		name string
		docs []string
	}{
		{"duplicate within the batch", []string{`{"_id": "x"}`, `{"_id": "y"}`, `{"_id": "x"}`}},
		{"duplicate of a stored document", []string{`{"_id": "new"}`, `{"_id": "seed", "other": true}`}},
	}
	for i, c := range dups {
		t.Run(c.name, func(t *testing.T) {
			coll := collName("dup", i)
			insert(t, d, coll, `{"_id": "seed", "n": 1}`)
			_, err := write(t, d, coll, &db.WriteOp{Kind: db.WriteInsert, Docs: decodeDocs(t, c.docs)})
			wantCode(t, "insert", err, db.CodeDuplicateKey)
			wantDocs(t, d, coll, "after the failed insert", `{"_id": "seed", "n": 1}`)
		})
	}
}

func testUpdate(t *testing.T, open func(t *testing.T) db.Driver) {
	d := open(t)
	for i, c := range updateCases {
		t.Run(c.name, func(t *testing.T) {
			coll := collName("u", i)
			insert(t, d, coll, c.docs...)
			op := &db.WriteOp{Kind: db.WriteUpdate, Filter: parseFilter(t, c.filter), Update: parseUpdate(t, c.update), Multi: c.multi}
			res, err := write(t, d, coll, op)
			if err != nil {
				t.Fatalf("update %s %s: %v", c.filter, c.update, err)
			}
			if res.Matched != c.matched || res.Updated != c.updated || res.UpsertedID != "" {
				t.Errorf("update %s %s: got matched %d updated %d upserted %q, want %d %d %q",
					c.filter, c.update, res.Matched, res.Updated, res.UpsertedID, c.matched, c.updated, "")
			}
			wantDocs(t, d, coll, "after "+c.update, c.after...)
		})
	}
	// Manual: "$inc" fails on a non-numeric field; minibase applies a
	// multi-document update atomically, so no document changes.
	t.Run("error changes no document", func(t *testing.T) {
		docs := []string{`{"_id": "1", "n": 1}`, `{"_id": "2", "n": 2}`, `{"_id": "3", "n": "three"}`, `{"_id": "4", "n": 4}`, `{"_id": "5", "n": 5}`}
		insert(t, d, "uerr", docs...)
		op := &db.WriteOp{Kind: db.WriteUpdate, Filter: parseFilter(t, `{}`), Update: parseUpdate(t, `{"$inc": {"n": 1}}`), Multi: true}
		if _, err := write(t, d, "uerr", op); err == nil {
			t.Errorf("$inc on a string: got no error")
		}
		wantDocs(t, d, "uerr", "after the failed update", docs...)
	})
	t.Run("missing collection", func(t *testing.T) {
		op := &db.WriteOp{Kind: db.WriteUpdate, Update: parseUpdate(t, `{"$set": {"a": 1}}`), Multi: true}
		_, err := write(t, d, "nosuch", op)
		wantCode(t, "update of a missing collection", err, db.CodeCollectionNotExist)
	})
}

// Manual: "db.collection.updateOne()" with upsert: true ("Upsert with
// Operator Expressions": the new document takes the equality fields of the
// filter, then the update; an _id in the filter is kept).
func testUpsert(t *testing.T, open func(t *testing.T) db.Driver) {
	d := open(t)
	upsert := func(t *testing.T, coll, filter, update, id string) db.WriteResult {
		t.Helper()
		op := &db.WriteOp{Kind: db.WriteUpdate, Filter: parseFilter(t, filter), Update: parseUpdate(t, update), Upsert: true, UpsertID: id}
		res, err := write(t, d, coll, op)
		if err != nil {
			t.Fatalf("upsert %s %s: %v", filter, update, err)
		}
		return res
	}
	t.Run("creates then matches", func(t *testing.T) {
		filter, update := `{"name": "x", "n": {"$gt": 1}}`, `{"$inc": {"hits": 1}}`
		res := upsert(t, "up", filter, update, "up1")
		if res.UpsertedID != "up1" || res.Matched != 0 {
			t.Errorf("first upsert: got upserted %q matched %d, want \"up1\" 0", res.UpsertedID, res.Matched)
		}
		wantDocs(t, d, "up", "after the first upsert", `{"_id": "up1", "name": "x", "hits": 1}`)

		res = upsert(t, "up", `{"name": "x"}`, update, "up2")
		if res.UpsertedID != "" || res.Matched != 1 || res.Updated != 1 {
			t.Errorf("second upsert: got upserted %q matched %d updated %d, want \"\" 1 1", res.UpsertedID, res.Matched, res.Updated)
		}
		wantDocs(t, d, "up", "after the second upsert", `{"_id": "up1", "name": "x", "hits": 2}`)
	})
	t.Run("_id from the filter", func(t *testing.T) {
		res := upsert(t, "upid", `{"_id": "mine", "a": 1}`, `{"$set": {"b": 2}}`, "generated")
		if res.UpsertedID != "mine" {
			t.Errorf("UpsertedID: got %q, want \"mine\"", res.UpsertedID)
		}
		wantDocs(t, d, "upid", "after upsert", `{"_id": "mine", "a": 1, "b": 2}`)
	})
	t.Run("dot path equality", func(t *testing.T) {
		upsert(t, "updot", `{"a.b": 1}`, `{"$set": {"c": 1}}`, "u")
		wantDocs(t, d, "updot", "after upsert", `{"_id": "u", "a": {"b": 1}, "c": 1}`)
	})
}

// Manual: "db.collection.replaceOne()" (with upsert, which WriteReplace
// always is): the whole document is replaced, or created.
func testReplace(t *testing.T, open func(t *testing.T) db.Driver) {
	d := open(t)
	insert(t, d, "r", `{"_id": "a", "y": 2, "z": 3}`, `{"_id": "c", "k": 1}`)
	replace := func(t *testing.T, doc string) db.WriteResult {
		t.Helper()
		res, err := write(t, d, "r", &db.WriteOp{Kind: db.WriteReplace, Doc: decodeDoc(t, doc)})
		if err != nil {
			t.Fatalf("replace %s: %v", doc, err)
		}
		return res
	}
	t.Run("existing", func(t *testing.T) {
		res := replace(t, `{"_id": "a", "x": 1}`)
		if res.Updated != 1 || res.UpsertedID != "" {
			t.Errorf("got updated %d upserted %q, want 1 \"\"", res.Updated, res.UpsertedID)
		}
		wantDocs(t, d, "r", "after replace", `{"_id": "a", "x": 1}`, `{"_id": "c", "k": 1}`)
	})
	t.Run("missing", func(t *testing.T) {
		res := replace(t, `{"_id": "b", "x": 2}`)
		if res.UpsertedID != "b" {
			t.Errorf("got upserted %q, want \"b\"", res.UpsertedID)
		}
		wantDocs(t, d, "r", "after replace", `{"_id": "a", "x": 1}`, `{"_id": "b", "x": 2}`, `{"_id": "c", "k": 1}`)
	})
}

// Manual: "db.collection.deleteOne()", "db.collection.deleteMany()".
func testRemove(t *testing.T, open func(t *testing.T) db.Driver) {
	d := open(t)
	docs := []string{`{"_id": "a", "g": 1}`, `{"_id": "b", "g": 1}`, `{"_id": "c", "g": 1}`, `{"_id": "d", "g": 2}`}
	cases := []struct {
		name      string
		filter    string
		multi     bool
		removed   int64
		remaining int64
	}{
		{"one", `{"g": 1}`, false, 1, 3},
		{"many", `{"g": 1}`, true, 3, 1},
		{"no match", `{"g": 3}`, true, 0, 4},
		{"nil filter removes all", "", true, 4, 0},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			coll := collName("rm", i)
			insert(t, d, coll, docs...)
			f := parseFilter(t, c.filter)
			res, err := write(t, d, coll, &db.WriteOp{Kind: db.WriteRemove, Filter: f, Multi: c.multi})
			if err != nil {
				t.Fatalf("remove %s: %v", c.filter, err)
			}
			if res.Removed != c.removed {
				t.Errorf("remove %s multi %v: got removed %d, want %d", c.filter, c.multi, res.Removed, c.removed)
			}
			if got := count(t, d, coll); got != c.remaining {
				t.Errorf("remove %s multi %v: got %d documents left, want %d", c.filter, c.multi, got, c.remaining)
			}
		})
	}
	t.Run("missing collection", func(t *testing.T) {
		_, err := write(t, d, "nosuch", &db.WriteOp{Kind: db.WriteRemove, Multi: true})
		wantCode(t, "remove from a missing collection", err, db.CodeCollectionNotExist)
	})
}
