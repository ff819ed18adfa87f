//go:build !minibase_fuzz

package db_test

import (
	"context"
	"path/filepath"
	"testing"

	"minibase/auth"
	"minibase/db"
	"minibase/db/sqlite"
)

func doc(t testing.TB, s string) db.Doc {
	t.Helper()
	v, err := db.DecodeJSON([]byte(s), db.MaxDepth)
	if err != nil {
		t.Fatal(err)
	}
	return v.(db.Doc)
}

// TestClientAccess: under the default rules (the PRIVATE preset) an end
// user works only on its own documents, silently, as CloudBase does;
// _openid is the server's to set; admins see everything.
func TestClientAccess(t *testing.T) {
	drv, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "a.db"), sqlite.Options{Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	defer drv.Close()
	s := db.NewService(drv, db.Limits{})
	admin := auth.NewContext(context.Background(), &auth.Identity{Role: auth.Admin})
	alice := auth.NewContext(context.Background(), &auth.Identity{Role: auth.User, UID: "ua", OpenID: "oa"})
	bob := auth.NewContext(context.Background(), &auth.Identity{Role: auth.User, UID: "ub", OpenID: "ob"})
	visitor := context.Background()

	if _, _, err := s.Insert(alice, "notes", doc(t, `{"data":{"t":"x"}}`)); db.ErrorCode(err) != db.CodeCollectionNotExist {
		t.Fatalf("client insert into a missing collection: %v, want COLLECTION_NOT_EXIST (clients do not create collections)", err)
	}
	if _, err := s.CreateCollection(admin, doc(t, `{"name":"notes"}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateCollection(alice, doc(t, `{"name":"x"}`)); db.ErrorCode(err) != db.CodePermissionDenied {
		t.Errorf("client creating a collection: %v", err)
	}
	ids, _, err := s.Insert(alice, "notes", doc(t, `{"data":[{"_id":"a1","t":"alice 1"},{"_id":"a2","t":"alice 2"}]}`))
	if err != nil || len(ids) != 2 {
		t.Fatal(ids, err)
	}
	if _, _, err := s.Insert(bob, "notes", doc(t, `{"data":{"_id":"b1","t":"bob"}}`)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Insert(bob, "notes", doc(t, `{"data":{"t":"forged","_openid":"oa"}}`)); db.ErrorCode(err) != db.CodePermissionDenied {
		t.Errorf("client choosing another _openid: %v, want PERMISSION_DENIED", err)
	}
	if _, _, err := s.Insert(visitor, "notes", doc(t, `{"data":{"t":"anon"}}`)); db.ErrorCode(err) != db.CodePermissionDenied {
		t.Errorf("visitor insert: %v", err)
	}

	raw, err := s.GetDoc(admin, "notes", "a1", nil)
	if err != nil || string(raw) != `{"_id":"a1","_openid":"oa","t":"alice 1"}` {
		t.Errorf("stored doc %s (%v): want _openid set by the server, after _id", raw, err)
	}
	count := func(ctx context.Context, filter string) int64 {
		n, err := s.Count(ctx, "notes", doc(t, `{"filter":`+filter+`}`))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(alice, `{}`); n != 2 {
		t.Errorf("alice counts %d, want her 2", n)
	}
	if n := count(bob, `{"_openid":"oa"}`); n != 0 {
		t.Errorf("bob asking for alice's docs counts %d, want 0", n)
	}
	if n := count(admin, `{}`); n != 3 {
		t.Errorf("admin counts %d, want 3", n)
	}
	got, err := s.Query(bob, "notes", doc(t, `{"filter":{"t":{"$regex":"."}}}`))
	if err != nil || len(got) != 1 {
		t.Errorf("bob queries %d docs (%v), want 1", len(got), err)
	}
	if _, err := s.GetDoc(bob, "notes", "a1", nil); db.ErrorCode(err) != db.CodeDocumentNotExist {
		t.Errorf("bob getting alice's doc: %v, want DOCUMENT_NOT_EXIST", err)
	}

	res, err := s.Update(bob, "notes", doc(t, `{"filter":{},"update":{"$set":{"t":"hacked"}},"multi":true}`))
	if err != nil || res.Updated != 1 {
		t.Errorf("bob's where-update: %+v %v, want only his 1 doc updated", res, err)
	}
	if res, _ := s.UpdateDoc(bob, "notes", "a1", doc(t, `{"update":{"$set":{"t":"hacked"}}}`)); res.Updated != 0 {
		t.Errorf("bob updating alice's doc: updated %d, want 0 (silent, as CloudBase)", res.Updated)
	}
	if _, err := s.UpdateDoc(alice, "notes", "a1", doc(t, `{"update":{"$set":{"_openid":"ob"}}}`)); db.ErrorCode(err) != db.CodePermissionDenied {
		t.Errorf("client changing _openid: %v", err)
	}
	if _, err := s.UpdateDoc(alice, "notes", "a1", doc(t, `{"update":{"$rename":{"t":"_openid"}}}`)); db.ErrorCode(err) != db.CodePermissionDenied {
		t.Errorf("client renaming onto _openid: %v", err)
	}
	if _, err := s.SetDoc(bob, "notes", "a1", doc(t, `{"data":{"t":"mine now"}}`)); db.ErrorCode(err) != db.CodeDuplicateKey {
		t.Errorf("bob replacing alice's doc: %v, want DUPLICATE_KEY (as inserting a taken _id)", err)
	}
	if res, err := s.SetDoc(bob, "notes", "b2", doc(t, `{"data":{"t":"new"}}`)); err != nil || res.UpsertedID != "b2" {
		t.Errorf("bob creating b2 with set: %+v %v", res, err)
	}
	if n, _ := s.DeleteDoc(bob, "notes", "a2"); n != 0 {
		t.Errorf("bob deleting alice's doc removed %d", n)
	}
	if n, err := s.Remove(bob, "notes", doc(t, `{"filter":{},"multi":true}`)); err != nil || n != 2 {
		t.Errorf("bob's remove-all removed %d (%v), want his 2", n, err)
	}
	if n := count(admin, `{}`); n != 2 {
		t.Errorf("after bob's remove-all, %d docs remain, want alice's 2", n)
	}
	raw, _ = s.GetDoc(admin, "notes", "a1", nil)
	if string(raw) != `{"_id":"a1","_openid":"oa","t":"alice 1"}` {
		t.Errorf("alice's doc changed by others: %s", raw)
	}
}
