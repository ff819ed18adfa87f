package postgres

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"minibase/auth"
	"minibase/auth/authtest"
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

// TestAuthConformance runs auth's store suite against PostgreSQL.
func TestAuthConformance(t *testing.T) {
	authtest.Run(t, func(t *testing.T) auth.Stores {
		d := open(t)
		return auth.Stores{Users: d.Users(), Sessions: d.Sessions(), Admins: d.Admins(), OTPs: d.OTPs()}
	})
}

// TestSessionsPruned: expired refresh tokens, and the records of revoked
// families whose tokens have all expired, are deleted as new tokens are
// written, so the tables do not grow without bound.
func TestSessionsPruned(t *testing.T) {
	d := open(t)
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
		if err := d.pool.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count("_auth_revoked"); n != 10 {
		t.Fatalf("%d revocations recorded, want 10", n)
	}
	later := then.Add(2 * time.Hour) // all 100 expired, and the revoked families' tokens would have
	const writes = 100/pruneBatch + 1
	for i := 100; i < 100+writes; i++ {
		create(i, later)
	}
	if n := count("_auth_sessions"); n != writes {
		t.Errorf("%d tokens left, want the %d live ones", n, writes)
	}
	if n := count("_auth_revoked"); n != 0 {
		t.Errorf("%d revocations left after their families' expiry, want none", n)
	}
}

// TestAuthSharedByNodes: an account created through one node is found,
// case-insensitively, through another on the same database, and two nodes'
// first-run setups cannot both create the first admin.
func TestAuthSharedByNodes(t *testing.T) {
	url := pgtest.Database(t)
	ctx := context.Background()
	var nodes [2]*DB
	for i := range nodes {
		d, err := Open(ctx, url, Options{MaxConns: 4})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		nodes[i] = d
	}
	u := &auth.UserAccount{UID: "u1", OpenID: "u1", Username: "Kept", LoginType: auth.LoginUsername, Created: time.Now()}
	if err := nodes[0].Users().CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if got, err := nodes[1].Users().UserBy(ctx, auth.KeyUsername, "KEPT"); err != nil || got.UID != "u1" {
		t.Fatalf("through the other node: %+v %v", got, err)
	}
	u2 := &auth.UserAccount{UID: "u2", OpenID: "u2", Username: "kePT", LoginType: auth.LoginUsername, Created: time.Now()}
	if err := nodes[1].Users().CreateUser(ctx, u2); !errors.Is(err, auth.ErrTaken) {
		t.Errorf("the same username in another case through the other node: got %v, want ErrTaken", err)
	}
	errs := make(chan error, 2)
	for i, n := range nodes {
		go func() {
			errs <- n.Admins().CreateFirstAdmin(ctx, &auth.AdminAccount{ID: fmt.Sprint("a", i), Email: fmt.Sprintf("a%d@example.com", i), PasswordHash: "x", Created: time.Now()})
		}()
	}
	var ok, taken int
	for range 2 {
		switch err := <-errs; {
		case err == nil:
			ok++
		case errors.Is(err, auth.ErrTaken):
			taken++
		default:
			t.Fatal(err)
		}
	}
	if ok != 1 || taken != 1 {
		t.Errorf("two nodes' first-run setups at once: %d created, %d refused; want 1 and 1", ok, taken)
	}
}
