package sqlite

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"minibase/db"
)

// seeded creates a database at path holding n documents of ~500 bytes in
// collection "c" (about n/7 pages), and closes it.
func seeded(t testing.TB, path string, n int) {
	t.Helper()
	d, err := Open(context.Background(), path, Options{Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for i := 0; i < n; i += 500 {
		var docs []db.Doc
		for j := i; j < min(n, i+500); j++ {
			docs = append(docs, db.Doc{{Key: "_id", Value: fmt.Sprintf("d%06d", j)}, {Key: "text", Value: strings.Repeat("x", 500)}})
		}
		if _, err := d.Write(context.Background(), "c", &db.WriteOp{Kind: db.WriteInsert, Docs: docs}); err != nil {
			t.Fatal(err)
		}
	}
}

// garble overwrites the pages from 40% to 60% of the file with random
// bytes: damage inside, behind an intact header.
func garble(t *testing.T, path string) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	pages := fi.Size() / 4096
	if pages < 20 {
		t.Fatalf("%s has %d pages; too few to damage in the middle", path, pages)
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	junk := make([]byte, 4096)
	r := rand.NewChaCha8([32]byte{1})
	for p := pages * 4 / 10; p < pages*6/10; p++ {
		r.Read(junk)
		if _, err := f.WriteAt(junk, p*4096); err != nil {
			t.Fatal(err)
		}
	}
}

// TestOpenRefusesDamaged: a database file that lost its data, its end or
// its header is refused by Open with ErrDamaged and a reason, and left as
// it was — never opened as a new, empty database.
func TestOpenRefusesDamaged(t *testing.T) {
	for _, c := range []struct {
		name   string
		damage func(path string) error
		want   string
	}{
		{"empty", func(p string) error { return os.Truncate(p, 0) }, "empty (0 bytes)"},
		{"cut short", func(p string) error { fi, _ := os.Stat(p); return os.Truncate(p, fi.Size()/2) }, "cut short"},
		{"cut mid-page", func(p string) error { fi, _ := os.Stat(p); return os.Truncate(p, fi.Size()-100) }, "cut short"},
		{"not a database", func(p string) error { return os.WriteFile(p, []byte(strings.Repeat("not sqlite ", 1000)), 0o600) }, "not a SQLite database"},
		{"header damaged", func(p string) error {
			f, err := os.OpenFile(p, os.O_WRONLY, 0)
			if err == nil {
				_, err = f.WriteAt([]byte{0x03, 0x00}, 16) // page size 768
				f.Close()
			}
			return err
		}, "page size 768"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "data.db")
			seeded(t, path, 1000)
			if err := c.damage(path); err != nil {
				t.Fatal(err)
			}
			before, _ := os.Stat(path)
			d, err := Open(context.Background(), path, Options{})
			if err == nil {
				d.Close()
				t.Fatal("Open accepted the damaged file")
			}
			if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("Open: %v; want ErrDamaged naming %s and saying %q", err, path, c.want)
			}
			if after, _ := os.Stat(path); after.Size() != before.Size() {
				t.Errorf("Open changed the file: %d bytes, was %d", after.Size(), before.Size())
			}
		})
	}
}

// TestCheckFindsDamageInside: pages overwritten behind an intact header
// make Open fail with CheckOpen; with CheckBackground, Open returns and
// the check reports the damage to OnDamage, once, after which every write
// is refused with DATABASE_CORRUPTED (reads go on).
func TestCheckFindsDamageInside(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data.db")
	seeded(t, path, 2000)
	garble(t, path)

	_, err := Open(context.Background(), path, Options{Check: CheckOpen})
	if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "quick_check") {
		t.Fatalf("Open with CheckOpen: %v; want ErrDamaged from quick_check", err)
	}

	found := make(chan error, 2)
	d, err := Open(context.Background(), path, Options{OnDamage: func(err error) { found <- err }})
	if err != nil {
		t.Fatalf("Open with CheckBackground: %v", err)
	}
	defer d.Close()
	select {
	case err := <-found:
		if !errors.Is(err, ErrDamaged) {
			t.Errorf("OnDamage(%v); want ErrDamaged", err)
		}
	case <-time.After(time.Minute): // far more than the check takes, even on a loaded machine
		t.Fatal("the background check reported nothing in a minute")
	}
	ctx := context.Background()
	ins := &db.WriteOp{Kind: db.WriteInsert, Docs: []db.Doc{{{Key: "_id", Value: "new"}}}}
	for _, coll := range []string{"c", "other"} {
		if _, err := d.Write(ctx, coll, ins); db.ErrorCode(err) != db.CodeCorrupted {
			t.Errorf("insert into %s after the damage was found: %v; want %s", coll, err, db.CodeCorrupted)
		}
	}
	if _, err := d.Write(ctx, "c", &db.WriteOp{Kind: db.WriteRemove, Multi: true}); db.ErrorCode(err) != db.CodeCorrupted {
		t.Errorf("remove after the damage was found: %v; want %s", err, db.CodeCorrupted)
	}
	if err := d.Damaged(); !errors.Is(err, ErrDamaged) {
		t.Errorf("Damaged() = %v", err)
	}
	if len(found) != 0 {
		t.Errorf("OnDamage called again: %v", <-found)
	}
}

// TestQueryFindsDamage: with no check at open, the first query that reads
// a damaged page answers DATABASE_CORRUPTED and reports the damage once;
// from then on writes are refused, even to collections the damage spared,
// instead of being written into a damaged file.
func TestQueryFindsDamage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data.db")
	seeded(t, path, 2000)
	garble(t, path)
	var calls atomic.Int32
	d, err := Open(context.Background(), path, Options{Check: CheckOff, OnDamage: func(error) { calls.Add(1) }})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer d.Close()
	ctx := context.Background()
	ins := &db.WriteOp{Kind: db.WriteInsert, Docs: []db.Doc{{{Key: "_id", Value: "before"}}}}
	if _, err := d.Write(ctx, "spared", ins); err != nil {
		t.Fatalf("a write before the damage is found: %v", err)
	}
	var readErr error
	for range 3 { // the query may stop on any damaged page: every time with the same code
		_, readErr = d.Find(ctx, "c", &db.Query{Limit: 1 << 20})
		if db.ErrorCode(readErr) != db.CodeCorrupted {
			t.Errorf("scan over damaged pages: %v; want %s", readErr, db.CodeCorrupted)
		}
	}
	ins.Docs[0][0].Value = "after"
	if _, err := d.Write(ctx, "spared", ins); db.ErrorCode(err) != db.CodeCorrupted {
		t.Errorf("a write after the damage was found: %v; want %s", err, db.CodeCorrupted)
	}
	if got, err := d.Find(ctx, "spared", &db.Query{Limit: 10}); err != nil || len(got) != 1 {
		t.Errorf("read of an undamaged collection: %d docs, %v; want the 1 written before", len(got), err)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("OnDamage called %d times; want once", n)
	}
}

// TestCreateWhole: a new database file is mode 0600, as SQLite's -wal
// and -shm beside it (whatever the umask), and is never left empty: what
// a crash left of an earlier creation is removed.
func TestCreateWhole(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	dir := t.TempDir()
	path := filepath.Join(dir, "data.db")
	if err := os.WriteFile(path+".new", nil, 0o644); err != nil { // a creation cut short
		t.Fatal(err)
	}
	d, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Write(context.Background(), "c", &db.WriteOp{Kind: db.WriteInsert, Docs: []db.Doc{{{Key: "_id", Value: "a"}}}}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"data.db", "data.db-wal", "data.db-shm"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v; want 0600", name, fi.Mode().Perm())
		}
	}
	if _, err := os.Stat(path + ".new"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("data.db.new is still there: %v", err)
	}
}

// space is a disk as the server's reserve reports it: full until told
// otherwise once a write failed for lack of space.
type space struct {
	mu        sync.Mutex
	full      bool
	exhausted int
}

func (s *space) Full() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.full
}

func (s *space) Exhausted() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.full = true
	s.exhausted++
}

func (s *space) set(full bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.full = full
}

// TestDiskFull: a write SQLite cannot store for lack of space
// (SQLITE_FULL, here from max_page_count, the database's own size cap)
// answers DATABASE_DISK_FULL, changes nothing and tells Space; while
// Space says the disk is full, writes that take space fail at once and
// removes run, freeing pages that later writes reuse.
func TestDiskFull(t *testing.T) {
	ctx := context.Background()
	sp := &space{}
	d, err := Open(ctx, filepath.Join(t.TempDir(), "data.db"), Options{Synchronous: "NORMAL", Space: sp})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	doc := func(id string) db.Doc {
		return db.Doc{{Key: "_id", Value: id}, {Key: "text", Value: strings.Repeat("y", 3000)}}
	}
	if _, err := d.Write(ctx, "c", &db.WriteOp{Kind: db.WriteInsert, Docs: []db.Doc{doc("first")}}); err != nil {
		t.Fatal(err)
	}
	var pages int
	if err := d.w.QueryRow("PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := d.w.Exec(fmt.Sprintf("PRAGMA max_page_count = %d", pages+20)); err != nil {
		t.Fatal(err)
	}
	stored := 1
	for i := range 100 { // 20 pages hold ~20 documents of 3 KB
		_, err = d.Write(ctx, "c", &db.WriteOp{Kind: db.WriteInsert, Docs: []db.Doc{doc(fmt.Sprintf("d%03d", i)), doc(fmt.Sprintf("e%03d", i))}})
		if err != nil {
			break
		}
		stored += 2
	}
	if db.ErrorCode(err) != db.CodeDiskFull {
		t.Fatalf("insert past the cap: %v; want %s", err, db.CodeDiskFull)
	}
	if sp.exhausted == 0 || !sp.Full() {
		t.Fatalf("Space not told: exhausted %d, full %v", sp.exhausted, sp.Full())
	}
	if n, err := d.Count(ctx, "c", nil); err != nil || int(n) != stored {
		t.Fatalf("after the failed insert: %d documents (%v); want the %d stored before", n, err, stored)
	}
	// A full disk refuses what takes space at once, even what would fit.
	if _, err := d.Write(ctx, "small", &db.WriteOp{Kind: db.WriteInsert, Docs: []db.Doc{{{Key: "_id", Value: "s"}}}}); db.ErrorCode(err) != db.CodeDiskFull {
		t.Errorf("insert while the disk is full: %v; want %s", err, db.CodeDiskFull)
	}
	if err := d.CreateCollection(ctx, "new"); db.ErrorCode(err) != db.CodeDiskFull {
		t.Errorf("create collection while the disk is full: %v; want %s", err, db.CodeDiskFull)
	}
	res, err := d.Write(ctx, "c", &db.WriteOp{Kind: db.WriteRemove, Multi: true, Filter: mustFilter(t, `{"_id":{"$gte":"e"}}`)})
	if err != nil || res.Removed == 0 {
		t.Fatalf("remove on a full disk: %+v, %v; want it to run", res, err)
	}
	sp.set(false) // the server found room again
	if _, err := d.Write(ctx, "c", &db.WriteOp{Kind: db.WriteInsert, Docs: []db.Doc{doc("again")}}); err != nil {
		t.Errorf("insert into the pages the remove freed: %v", err)
	}
}

// FuzzHeaderProblem: any first bytes and size give an answer without a
// panic; a file it accepts starts with SQLite's header, has a valid page
// size and (without a log beside it) whole pages.
func FuzzHeaderProblem(f *testing.F) {
	path := filepath.Join(f.TempDir(), "seed.db")
	seeded(f, path, 10)
	raw, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(raw[:headerSize], int64(len(raw)), false)
	f.Add(raw[:headerSize], int64(len(raw))-1, false)
	f.Add(raw[:headerSize], int64(4096), true)
	f.Add(raw[:50], int64(50), false)
	f.Add([]byte{}, int64(0), false)
	f.Add(make([]byte, headerSize), int64(1<<20), false)
	f.Fuzz(func(t *testing.T, h []byte, size int64, wal bool) {
		if len(h) > headerSize {
			h = h[:headerSize]
		}
		if size < int64(len(h)) {
			size = int64(len(h)) // a file is at least as long as what was read of it
		}
		why := headerProblem(h, size, wal)
		if why != "" {
			return
		}
		if size == 0 || len(h) < headerSize || string(h[:16]) != "SQLite format 3\x00" {
			t.Fatalf("accepted %d bytes of %q", size, h)
		}
		ps := int64(h[16])<<8 | int64(h[17])
		if ps == 1 {
			ps = 65536
		}
		if ps < 512 || ps&(ps-1) != 0 || (!wal && size%ps != 0) {
			t.Fatalf("accepted page size %d for %d bytes (log %v)", ps, size, wal)
		}
	})
}
