package sqlite

import (
	"context"
	"crypto/sha256"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"minibase/auth"
	"minibase/auth/authtest"
)

// TestAuthConformance runs auth's store suite against SQLite.
func TestAuthConformance(t *testing.T) {
	authtest.Run(t, func(t *testing.T) auth.Stores {
		d := openTest(t)
		return auth.Stores{Users: d.Users(), Sessions: d.Sessions(), Admins: d.Admins(), OTPs: d.OTPs()}
	})
}

// TestSessionsPruned: expired refresh tokens, and the records of revoked
// families whose tokens have all expired, are deleted as new tokens are
// written, so the tables do not grow without bound.
func TestSessionsPruned(t *testing.T) {
	d := openTest(t)
	ss := d.Sessions()
	ctx := context.Background()
	then := time.UnixMilli(1_800_000_000_000)
	create := func(i int, created time.Time) {
		h := sha256.Sum256([]byte(fmt.Sprint(i)))
		s := &auth.Session{ID: fmt.Sprint("s", i), Kind: auth.SubjectUser, Subject: "u", Generation: 1, Created: created, Expires: created.Add(time.Hour)}
		if err := ss.CreateSession(ctx, s, h[:]); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 100 {
		create(i, then)
	}
	for i := range 10 {
		if _, err := ss.RevokeSession(ctx, fmt.Sprint("s", i), then); err != nil {
			t.Fatal(err)
		}
	}
	count := func(table string) (n int) {
		if err := d.r.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count("_auth_revoked"); n != 10 {
		t.Fatalf("%d revocations recorded, want 10", n)
	}
	later := then.Add(2 * time.Hour) // all 100 expired, and the revoked families' tokens would have
	for i := 100; i < 100+pruneEvery; i++ {
		create(i, later)
	}
	if n := count("_auth_sessions"); n != pruneEvery {
		t.Errorf("%d tokens left, want the %d live ones", n, pruneEvery)
	}
	if n := count("_auth_revoked"); n != 0 {
		t.Errorf("%d revocations left after their families' expiry, want none", n)
	}
}

// TestAuthTablesSurviveReopen: accounts are in the database file.
func TestAuthTablesSurviveReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.db")
	ctx := context.Background()
	d, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	u := &auth.UserAccount{UID: "u1", OpenID: "u1", Username: "kept", LoginType: auth.LoginUsername, Created: time.Now()}
	if err := d.Users().CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	d.Close()
	d, err = Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if got, err := d.Users().UserBy(ctx, auth.KeyUsername, "KEPT"); err != nil || got.UID != "u1" {
		t.Fatalf("after reopen: %+v %v", got, err)
	}
}
