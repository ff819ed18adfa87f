package postgres

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"minibase/db"
	"minibase/db/postgres/pgtest"
	"minibase/functions/openapi"
	"minibase/functions/openapi/openapitest"
)

// openTwo opens two drivers on one fresh database: two nodes of a cluster.
func openTwo(t *testing.T) (*DB, *DB) {
	t.Helper()
	url := pgtest.Database(t)
	var nodes [2]*DB
	for i := range nodes {
		d, err := Open(context.Background(), url, Options{MaxConns: 4})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		nodes[i] = d
	}
	return nodes[0], nodes[1]
}

// TestSettingsStore: the console's settings are saved with a version that
// each save increments; a save based on an old version (another node's
// save in between) stores nothing.
func TestSettingsStore(t *testing.T) {
	ctx := context.Background()
	a, b := openTwo(t)
	sa, sb := a.Settings(), b.Settings()
	if doc, v, err := sa.Load(ctx); err != nil || doc != nil || v != 0 {
		t.Fatalf("Load of nothing saved = %q, %d, %v", doc, v, err)
	}
	now := time.UnixMilli(1_800_000_000_000)
	v1, err := sa.Save(ctx, []byte(`{"auth.anonymous":false}`), 0, now)
	if err != nil || v1 != 1 {
		t.Fatalf("first Save = %d, %v", v1, err)
	}
	if _, err := sb.Save(ctx, []byte(`{"auth.anonymous":true}`), 0, now); !errors.Is(err, ErrSettingsChanged) {
		t.Errorf("node B's Save from version 0 after A's version 1: %v, want ErrSettingsChanged", err)
	}
	v2, err := sb.Save(ctx, []byte(`{"auth.password":false}`), v1, now)
	if err != nil || v2 != 2 {
		t.Fatalf("second Save = %d, %v", v2, err)
	}
	doc, v, err := sa.Load(ctx)
	if err != nil || string(doc) != `{"auth.password":false}` || v != 2 {
		t.Errorf("Load on A = %q, %d, %v", doc, v, err)
	}
	if v, err := sa.Version(ctx); err != nil || v != 2 {
		t.Errorf("Version = %d, %v", v, err)
	}
}

// TestSettingsChangedAcrossNodes: a save on one node wakes the other's
// Changed (NOTIFY), so it reloads without waiting for a poll.
func TestSettingsChangedAcrossNodes(t *testing.T) {
	ctx := context.Background()
	a, b := openTwo(t)
	woken := b.Settings().Changed()
	if _, err := a.Settings().Save(ctx, []byte(`{}`), 0, time.Now()); err != nil {
		t.Fatal(err)
	}
	select {
	case <-woken:
	case <-time.After(30 * time.Second):
		t.Fatal("node B was not told of node A's save within 30 s")
	}
	if v, err := b.Settings().Version(ctx); err != nil || v != 1 {
		t.Errorf("B's Version after the wake = %d, %v, want 1", v, err)
	}
}

// TestAppTokensConformance: the WeChat access_token store passes the
// suite every TokenStore passes (leases, expiry, one holder at a time).
func TestAppTokensConformance(t *testing.T) {
	openapitest.Run(t, func(t *testing.T) openapi.TokenStore { return open(t).AppTokens() })
}

// TestAppTokenLeaseAcrossNodes: two nodes asking for the lease at once get
// it once between them; the token one saves is the other's.
func TestAppTokenLeaseAcrossNodes(t *testing.T) {
	ctx := context.Background()
	a, b := openTwo(t)
	now := time.Now()
	var got [2]bool
	var wg sync.WaitGroup
	for i, d := range []*DB{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := d.AppTokens().LeaseToken(ctx, "wx1", []string{"A", "B"}[i], now, now.Add(time.Minute))
			if err != nil {
				t.Error(err)
			}
			got[i] = ok
		}()
	}
	wg.Wait()
	if got[0] == got[1] {
		t.Fatalf("leases granted = %v, want exactly one", got)
	}
	holder := map[bool]string{true: "A", false: "B"}[got[0]]
	exp := now.Add(2 * time.Hour).Truncate(time.Millisecond)
	if err := a.AppTokens().SaveToken(ctx, "wx1", holder, "tok", exp); err != nil {
		t.Fatal(err)
	}
	if tok, until, err := b.AppTokens().Token(ctx, "wx1"); err != nil || tok != "tok" || !until.Equal(exp) {
		t.Errorf("B's Token = %q, %v, %v; want tok, %v", tok, until, err, exp)
	}
}

// TestInitSecretOnce: nodes generating a secret at the same moment all
// end with one of theirs, the same; a later call keeps it; bad input is
// refused and stores nothing.
func TestInitSecretOnce(t *testing.T) {
	ctx := context.Background()
	a, b := openTwo(t)
	const n = 8
	var got [n][]byte
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := []*DB{a, b}[i%2]
			v, err := d.InitSecret(ctx, "jwt", []byte{byte(i + 1), 42})
			if err != nil {
				t.Error(err)
			}
			got[i] = v
		}()
	}
	wg.Wait()
	winners := 0
	for i := range n {
		if !bytes.Equal(got[i], got[0]) {
			t.Fatalf("caller %d got %x, caller 0 %x: want one secret", i, got[i], got[0])
		}
		if bytes.Equal(got[i], []byte{byte(i + 1), 42}) {
			winners++
		}
	}
	if winners != 1 {
		t.Errorf("%d callers saw their own value stored, want 1", winners)
	}
	if v, err := b.InitSecret(ctx, "jwt", []byte("later")); err != nil || !bytes.Equal(v, got[0]) {
		t.Errorf("a later InitSecret = %x, %v; want the first %x", v, err, got[0])
	}
	for _, bad := range [][]byte{nil, make([]byte, maxSecret+1)} {
		if _, err := a.InitSecret(ctx, "other", bad); err == nil {
			t.Errorf("InitSecret of %d bytes: no error", len(bad))
		}
	}
	if _, err := a.InitSecret(ctx, "", []byte("x")); err == nil {
		t.Error("InitSecret with no name: no error")
	}
	var rows int
	if err := a.pool.QueryRow(ctx, "SELECT count(*) FROM _secrets").Scan(&rows); err != nil || rows != 1 {
		t.Errorf("secrets stored = %d, %v; want 1 (the refused ones store nothing)", rows, err)
	}
}

// TestUsageCountsTheNamedCollections: Usage measures only the collections
// it is given (the log store's), growing as they do.
func TestUsageCountsTheNamedCollections(t *testing.T) {
	ctx := context.Background()
	d := open(t)
	if n, err := d.Usage(ctx, "logs"); err != nil || n != 0 {
		t.Fatalf("Usage of a missing collection = %d, %v; want 0", n, err)
	}
	if err := d.CreateCollection(ctx, "logs"); err != nil {
		t.Fatal(err)
	}
	empty, err := d.Usage(ctx, "logs")
	if err != nil {
		t.Fatal(err)
	}
	docs := make([]db.Doc, 2000)
	for i := range docs {
		docs[i] = db.Doc{{Key: "_id", Value: db.NewID()}, {Key: "text", Value: string(bytes.Repeat([]byte{'x'}, 500))}}
	}
	if _, err := d.Write(ctx, "logs", &db.WriteOp{Kind: db.WriteInsert, Docs: docs}); err != nil {
		t.Fatal(err)
	}
	full, err := d.Usage(ctx, "logs")
	if err != nil || full < empty+50_000 {
		t.Errorf("Usage after 1 MB of documents = %d (empty: %d), %v", full, empty, err)
	}
	// Deletes lower it at once (the log store's cap deletes until it is
	// under its low mark: a measure that did not fall would empty it).
	if _, err := d.Write(ctx, "logs", &db.WriteOp{Kind: db.WriteRemove, Multi: true}); err != nil {
		t.Fatal(err)
	}
	if after, err := d.Usage(ctx, "logs"); err != nil || after > empty {
		t.Errorf("Usage after deleting every document = %d (empty: %d, full: %d), %v", after, empty, full, err)
	}
	if err := d.CreateCollection(ctx, "app"); err != nil {
		t.Fatal(err)
	}
	if n, err := d.Usage(ctx, "app"); err != nil || n >= full {
		t.Errorf("Usage of another, empty collection = %d, %v; want less than the logs' %d", n, err, full)
	}
}

// TestProbe: the readiness probe commits a write.
func TestProbe(t *testing.T) {
	d := open(t)
	if err := d.Probe(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := d.Probe(context.Background()); err != nil {
		t.Fatalf("second Probe: %v", err)
	}
}

// TestTicketKeysCompareAndSet: the ticket keyring is stored once by the
// first of two nodes; a save over an old version stores nothing.
func TestTicketKeysCompareAndSet(t *testing.T) {
	ctx := context.Background()
	a, b := openTwo(t)
	if data, v, err := a.TicketKeys().LoadKeys(ctx); err != nil || data != nil || v != 0 {
		t.Fatalf("LoadKeys of nothing = %q, %d, %v", data, v, err)
	}
	v1, ok, err := a.TicketKeys().SaveKeys(ctx, []byte("k1"), 0)
	if err != nil || !ok || v1 != 1 {
		t.Fatalf("first save = %d, %v, %v", v1, ok, err)
	}
	if _, ok, err := b.TicketKeys().SaveKeys(ctx, []byte("k1b"), 0); err != nil || ok {
		t.Errorf("B's first save after A's = %v, %v; want refused", ok, err)
	}
	v2, ok, err := b.TicketKeys().SaveKeys(ctx, []byte("k2"), v1)
	if err != nil || !ok || v2 != 2 {
		t.Fatalf("B's save over version 1 = %d, %v, %v", v2, ok, err)
	}
	if _, ok, _ := a.TicketKeys().SaveKeys(ctx, []byte("k2a"), v1); ok {
		t.Error("A's save over the old version 1 was stored")
	}
	if data, v, err := a.TicketKeys().LoadKeys(ctx); err != nil || string(data) != "k2" || v != 2 {
		t.Errorf("LoadKeys = %q, %d, %v; want k2, 2", data, v, err)
	}
}

// TestReadSettings: `minibase config` reads the saved settings without
// creating anything: nothing on a database minibase never ran on, the
// saved document after a save.
func TestReadSettings(t *testing.T) {
	ctx := context.Background()
	url := pgtest.Database(t)
	if doc, err := ReadSettings(ctx, url); err != nil || doc != nil {
		t.Fatalf("ReadSettings of an empty database = %q, %v", doc, err)
	}
	d, err := Open(ctx, url, Options{MaxConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if doc, err := ReadSettings(ctx, url); err != nil || doc != nil {
		t.Fatalf("ReadSettings with nothing saved = %q, %v", doc, err)
	}
	if _, err := d.Settings().Save(ctx, []byte(`{"auth.anonymous":false}`), 0, time.Now()); err != nil {
		t.Fatal(err)
	}
	if doc, err := ReadSettings(ctx, url); err != nil || string(doc) != `{"auth.anonymous":false}` {
		t.Errorf("ReadSettings = %q, %v", doc, err)
	}
}
