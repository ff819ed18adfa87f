package backup

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// newDataDir makes a data directory as a server leaves it: a database
// with a document, keys, a function with its history, stored files, and
// what a backup leaves out (logs, the reserve, the image cache, a link).
func newDataDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "mb_data")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"data.db":                          "the database",
		"jwt.key":                          "signing key",
		"admin_keys":                       "hashes",
		"functions/hello/index.js":         "exports.main = () => 1",
		"functions/.versions/hello/1.json": `{"number":1}`,
		"storage/env/a/b.txt":              "a stored file",
		"storage/env/empty":                "",
		"functions.db":                     "logs, left out",
		"disk_reserve":                     "reserve, left out",
		"image-cache/x.webp":               "cache, left out",
		"backups/old.tar.gz":               "an older backup, left out",
		".backup-123/data.db":              "a snapshot in progress, left out",
	}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("/etc/passwd", filepath.Join(dir, "storage", "env", "link")); err != nil {
		t.Fatal(err)
	}
	return dir
}

// source backs up dir. The database's snapshot is a copy of the file
// here: this package's tests are about the archive (a fuzz build of
// modernc.org/sqlite takes minutes); the server's tests back up a live
// SQLite database.
func source(dir string) Source {
	return Source{Dir: dir, Version: "test", Snapshot: func(ctx context.Context, p string) error {
		b, err := os.ReadFile(filepath.Join(dir, "data.db"))
		if err != nil {
			return err
		}
		return os.WriteFile(p, b, 0o600)
	}}
}

// tree is every regular file under root, name → content; links are
// recorded as "link:<target>".
func tree(t testing.TB, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, p)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			out[filepath.ToSlash(rel)] = "link:" + target
		case d.Type().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			out[filepath.ToSlash(rel)] = string(b)
		}
		return nil
	})
	return out
}

func TestWriteAndRestore(t *testing.T) {
	ctx := context.Background()
	dir := newDataDir(t)
	store, err := OpenDir(filepath.Join(dir, "backups"))
	if err != nil {
		t.Fatal(err)
	}
	info, m, err := Create(ctx, store, source(dir), NewName(time.Date(2026, 12, 7, 15, 30, 0, 0, time.UTC)))
	if err != nil {
		t.Fatal(err)
	}
	if info.Name != "minibase-20261207T153000Z.tar.gz" || info.Where != "local" || info.Size <= 0 || !info.Created.Equal(time.Date(2026, 12, 7, 15, 30, 0, 0, time.UTC)) {
		t.Errorf("info = %+v", info)
	}
	var names []string
	for _, e := range m.Entries {
		names = append(names, e.Name)
	}
	want := []string{"data.db", "admin_keys", "functions/.versions/hello/1.json", "functions/hello/index.js", "jwt.key", "storage/env/a/b.txt", "storage/env/empty"}
	if !slices.Equal(names, want) {
		t.Errorf("archived %q, want %q", names, want)
	}
	if m.Format != FormatVersion || m.Minibase != "test" || m.Created.IsZero() {
		t.Errorf("manifest = %+v", m)
	}
	sum := sha256.Sum256([]byte("signing key"))
	if e := m.Entries[slices.Index(names, "jwt.key")]; e.Size != 11 || e.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("jwt.key's entry = %+v", e)
	}

	t.Run("into a new dir", func(t *testing.T) {
		target := filepath.Join(t.TempDir(), "restored")
		r, err := Restore(ctx, store.Path(info.Name), target, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if r.Previous != "" {
			t.Errorf("Previous = %q, want none", r.Previous)
		}
		got := tree(t, target)
		for _, name := range want[1:] {
			if got[name] != tree(t, dir)[name] {
				t.Errorf("%s restored as %q, want %q", name, got[name], tree(t, dir)[name])
			}
		}
		if len(got) != len(want) {
			t.Errorf("restored %d files, want %d: %v", len(got), len(want), slices.Sorted(mapsKeys(got)))
		}
		if got["data.db"] != "the database" {
			t.Errorf("data.db restored as %q", got["data.db"])
		}
	})

	t.Run("over the data dir", func(t *testing.T) {
		before := tree(t, dir)
		r, err := Restore(ctx, store.Path(info.Name), dir, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(r.Previous, dir+".before-restore-") {
			t.Fatalf("Previous = %q", r.Previous)
		}
		kept := tree(t, r.Previous)
		delete(before, "backups/old.tar.gz")
		delete(before, "backups/"+info.Name)
		for name, body := range before {
			if kept[name] != body {
				t.Errorf("the replaced dir lost %s", name)
			}
		}
		got := tree(t, dir)
		if got["backups/"+info.Name] == "" || got["backups/old.tar.gz"] == "" {
			t.Errorf("backups/ did not move into the restored dir: %v", slices.Sorted(mapsKeys(got)))
		}
		if got["functions.db"] != "" || got["image-cache/x.webp"] != "" {
			t.Errorf("left-out files were restored")
		}
	})
}

func mapsKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// archiveBytes makes a backup of a fresh data directory and returns the
// archive.
func archiveBytes(t testing.TB) []byte {
	var buf bytes.Buffer
	if _, err := Write(context.Background(), source(newDataDir(t)), &buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// refuses restores archive over a data directory and checks that it fails
// with CodeCorrupt saying want, changing nothing: the data dir and its
// parent are as they were.
func refuses(t *testing.T, archive []byte, lim Limits, want string) {
	t.Helper()
	parent := t.TempDir()
	dir := filepath.Join(parent, "mb_data")
	os.MkdirAll(filepath.Join(dir, "storage"), 0o700)
	os.WriteFile(filepath.Join(dir, "data.db"), []byte("the live data"), 0o600)
	p := filepath.Join(t.TempDir(), "x.tar.gz")
	os.WriteFile(p, archive, 0o600)
	before := tree(t, parent)
	_, err := Restore(context.Background(), p, dir, lim)
	if ErrorCode(err) != CodeCorrupt || !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v, want %s saying %q", err, CodeCorrupt, want)
	}
	if after := tree(t, parent); !maps(before, after) {
		t.Errorf("restore changed the disk: before %v, after %v", before, after)
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 1 {
		t.Errorf("restore left %d entries beside the data dir", len(entries)-1)
	}
	if _, err := Verify(bytes.NewReader(archive), lim); ErrorCode(err) != CodeCorrupt {
		t.Errorf("Verify: %v, want %s", err, CodeCorrupt)
	}
}

func maps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestRestoreRefusesDamagedArchives(t *testing.T) {
	good := archiveBytes(t)
	if _, err := Verify(bytes.NewReader(good), Limits{}); err != nil {
		t.Fatalf("the intact archive: %v", err)
	}
	n := len(good)
	for _, cut := range []int{0, 1, 10, 100, n / 4, n / 2, n - 200, n - 30, n - 8, n - 1} {
		t.Run("truncated at "+strconv.Itoa(cut), func(t *testing.T) {
			refuses(t, good[:cut], Limits{}, "")
		})
	}
	for _, at := range []int{20, n / 3, n / 2, n - 100, n - 6} {
		t.Run("byte flipped at "+strconv.Itoa(at), func(t *testing.T) {
			bad := bytes.Clone(good)
			bad[at] ^= 0x40
			refuses(t, bad, Limits{}, "")
		})
	}
	t.Run("data after the end", func(t *testing.T) {
		refuses(t, append(bytes.Clone(good), "more"...), Limits{}, "after the end")
	})
	t.Run("not gzip", func(t *testing.T) {
		refuses(t, []byte("PK\x03\x04 a zip file"), Limits{}, "not a gzip stream")
	})
}

// file is an entry of a hand-made archive.
type file struct {
	hdr  tar.Header
	body string
}

func reg(name, body string) file {
	return file{hdr: tar.Header{Typeflag: tar.TypeReg, Name: name, Size: int64(len(body)), Mode: 0o600}, body: body}
}

// craft makes a tar.gz of files followed by a manifest of them, edited by
// edit when set; with noManifest, none.
func craft(t testing.TB, files []file, edit func(*Manifest), noManifest bool) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	m := Manifest{Format: 1, Minibase: "test", Created: time.Now().UTC()}
	for _, f := range files {
		hdr := f.hdr
		if err := tw.WriteHeader(&hdr); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(f.body))
		sum := sha256.Sum256([]byte(f.body))
		m.Entries = append(m.Entries, Entry{Name: f.hdr.Name, Size: int64(len(f.body)), SHA256: hex.EncodeToString(sum[:])})
		m.Bytes += int64(len(f.body))
	}
	if edit != nil {
		edit(&m)
	}
	if !noManifest {
		b, _ := json.Marshal(m)
		tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: ManifestName, Size: int64(len(b)), Mode: 0o600})
		tw.Write(b)
	}
	tw.Close()
	zw.Close()
	return buf.Bytes()
}

func TestRestoreRefusesHostileArchives(t *testing.T) {
	db := reg("data.db", "db")
	link := file{hdr: tar.Header{Typeflag: tar.TypeSymlink, Name: "storage/x", Linkname: "/etc/passwd"}}
	hard := file{hdr: tar.Header{Typeflag: tar.TypeLink, Name: "storage/x", Linkname: "data.db"}}
	folder := file{hdr: tar.Header{Typeflag: tar.TypeDir, Name: "storage/", Mode: 0o700}}
	for _, tc := range []struct {
		name       string
		files      []file
		edit       func(*Manifest)
		noManifest bool
		lim        Limits
		want       string
	}{
		{"parent traversal", []file{db, reg("../evil", "x")}, nil, false, Limits{}, "unsafe name"},
		{"nested traversal", []file{db, reg("storage/../../evil", "x")}, nil, false, Limits{}, "unsafe name"},
		{"absolute name", []file{db, reg("/tmp/evil", "x")}, nil, false, Limits{}, "unsafe name"},
		{"backslash", []file{db, reg(`storage\..\..\evil`, "x")}, nil, false, Limits{}, "unsafe name"},
		{"symbolic link", []file{db, link}, nil, false, Limits{}, "not a regular file"},
		{"hard link", []file{db, hard}, nil, false, Limits{}, "not a regular file"},
		{"folder entry", []file{db, folder}, nil, false, Limits{}, "not a regular file"},
		{"same name twice", []file{db, reg("jwt.key", "a"), reg("jwt.key", "b")}, nil, false, Limits{}, "twice"},
		{"no manifest", []file{db}, nil, true, Limits{}, "no manifest"},
		{"no database", []file{reg("jwt.key", "a")}, nil, false, Limits{}, "no database"},
		{"checksum differs", []file{db}, func(m *Manifest) { m.Entries[0].SHA256 = strings.Repeat("0", 64) }, false, Limits{}, "does not match"},
		{"size differs", []file{db}, func(m *Manifest) { m.Entries[0].Size = 3 }, false, Limits{}, "does not match"},
		{"file not in the manifest", []file{db, reg("jwt.key", "a")}, func(m *Manifest) { m.Entries = m.Entries[:1] }, false, Limits{}, "lists 1 files"},
		{"newer format", []file{db}, func(m *Manifest) { m.Format = 9 }, false, Limits{}, "newer minibase"},
		{"no format", []file{db}, func(m *Manifest) { m.Format = 0 }, false, Limits{}, "no format"},
		{"too many files", []file{db, reg("a", "1"), reg("b", "2")}, nil, false, Limits{MaxEntries: 2}, "more than 2 files"},
		{"too large", []file{db, reg("a", strings.Repeat("x", 100))}, nil, false, Limits{MaxBytes: 50}, "larger than 50 bytes"},
		{"manifest too large", []file{db}, nil, false, Limits{MaxManifest: 10}, "manifest is larger"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			refuses(t, craft(t, tc.files, tc.edit, tc.noManifest), tc.lim, tc.want)
		})
	}
	t.Run("entry after the manifest", func(t *testing.T) {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		tw := tar.NewWriter(zw)
		inner := craft(t, []file{db}, nil, false)
		zr, _ := gzip.NewReader(bytes.NewReader(inner))
		tr := tar.NewReader(zr)
		for {
			h, err := tr.Next()
			if err != nil {
				break
			}
			b, _ := io.ReadAll(tr)
			tw.WriteHeader(h)
			tw.Write(b)
		}
		tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: "late", Size: 1, Mode: 0o600})
		tw.Write([]byte("x"))
		tw.Close()
		zw.Close()
		refuses(t, buf.Bytes(), Limits{}, "after the manifest")
	})
	t.Run("an intact hand-made archive restores", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "ok.tar.gz")
		os.WriteFile(p, craft(t, []file{db, reg("storage/env/f", "x")}, nil, false), 0o600)
		target := filepath.Join(t.TempDir(), "d")
		if _, err := Restore(context.Background(), p, target, Limits{}); err != nil {
			t.Fatal(err)
		}
		if got := tree(t, target); got["storage/env/f"] != "x" || got["data.db"] != "db" {
			t.Errorf("restored %v", got)
		}
	})
}

// failingFile fails its writes after limit bytes with err.
type failingFile struct {
	f     *os.File
	limit int
	err   error
}

func (w *failingFile) Write(p []byte) (int, error) {
	if len(p) > w.limit {
		n, _ := w.f.Write(p[:w.limit])
		w.limit = 0
		return n, w.err
	}
	w.limit -= len(p)
	return w.f.Write(p)
}
func (w *failingFile) Sync() error  { return w.f.Sync() }
func (w *failingFile) Close() error { return w.f.Close() }

// syncCounter is an archive file that records how many bytes were
// written between two syncs: the most, and what the last sync left.
type syncCounter struct {
	f              *os.File
	pending, worst int64
	syncs          int
}

func (w *syncCounter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.pending += int64(n)
	return n, err
}

func (w *syncCounter) Sync() error {
	w.worst = max(w.worst, w.pending)
	w.pending = 0
	w.syncs++
	return w.f.Sync()
}

func (w *syncCounter) Close() error { return w.f.Close() }

// TestArchiveSyncedInChunks: a large archive reaches the disk a few
// megabytes at a time as it is written, never in one flush at its end
// (the flush the server's commits would wait behind), and is whole.
func TestArchiveSyncedInChunks(t *testing.T) {
	ctx := context.Background()
	dir := newDataDir(t)
	photo := make([]byte, 3*syncChunk) // random bytes do not compress, as photos do not
	if _, err := rand.Read(photo); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "storage", "env", "photo.jpg"), photo, 0o600); err != nil {
		t.Fatal(err)
	}
	store, _ := OpenDir(filepath.Join(dir, "backups"))
	var file *syncCounter
	store.create = func(p string) (writeFile, error) {
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		file = &syncCounter{f: f}
		return file, err
	}
	info, _, err := Create(ctx, store, source(dir), "minibase-chunks.tar.gz")
	if err != nil {
		t.Fatal(err)
	}
	if info.Size < int64(len(photo)) {
		t.Fatalf("archive of %d bytes, want at least the photo's %d", info.Size, len(photo))
	}
	if file.pending != 0 {
		t.Errorf("%d bytes were written after the last sync", file.pending)
	}
	if file.worst > syncChunk {
		t.Errorf("one sync flushed %d bytes, want at most %d", file.worst, syncChunk)
	}
	if want := int(info.Size / syncChunk); file.syncs < want {
		t.Errorf("%d syncs for %d bytes, want at least %d", file.syncs, info.Size, want)
	}
	target := filepath.Join(t.TempDir(), "restored")
	if _, err := Restore(ctx, store.Path(info.Name), target, Limits{}); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(filepath.Join(target, "storage", "env", "photo.jpg")); err != nil || !bytes.Equal(got, photo) {
		t.Errorf("the photo was not restored whole (%d bytes, %v)", len(got), err)
	}
}

// TestFailedBackupKeepsNothing: a backup whose writes fail midway (the
// process killed, the disk full) leaves no archive, nor a file that looks
// like one, and the data directory as it was.
func TestFailedBackupKeepsNothing(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		err      error
		wantCode string
	}{
		{"disk full", syscall.ENOSPC, CodeDiskFull},
		{"writer fails", errors.New("killed"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := newDataDir(t)
			store, _ := OpenDir(filepath.Join(dir, "backups"))
			before := tree(t, dir)
			store.create = func(p string) (writeFile, error) {
				f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
				return &failingFile{f: f, limit: 300, err: tc.err}, err
			}
			_, _, err := Create(ctx, store, source(dir), "minibase-x.tar.gz")
			if err == nil || ErrorCode(err) != tc.wantCode || !errors.Is(err, tc.err) && tc.wantCode == "" {
				t.Fatalf("err = %v (code %q), want code %q", err, ErrorCode(err), tc.wantCode)
			}
			if after := tree(t, dir); !maps(before, after) {
				t.Errorf("the data dir changed: %v → %v", slices.Sorted(mapsKeys(before)), slices.Sorted(mapsKeys(after)))
			}
			if list, _ := store.List(ctx); len(list) != 1 || list[0].Name != "old.tar.gz" {
				t.Errorf("List = %v, want only the older backup", list)
			}
		})
	}
	t.Run("killed process", func(t *testing.T) {
		// What a kill -9 leaves: the .partial file. It is not listed, not
		// openable as a backup, and the next backup removes it.
		dir := newDataDir(t)
		store, _ := OpenDir(filepath.Join(dir, "backups"))
		good := archiveBytes(t)
		partial := store.Path("minibase-20261207T000000Z.tar.gz") + ".partial"
		os.WriteFile(partial, good[:len(good)/2], 0o600)
		if list, _ := store.List(ctx); len(list) != 1 {
			t.Errorf("List = %v, want only old.tar.gz", list)
		}
		if _, _, err := store.Open(ctx, "minibase-20261207T000000Z.tar.gz"); ErrorCode(err) != CodeNotFound {
			t.Errorf("Open = %v, want %s", err, CodeNotFound)
		}
		if _, _, err := Create(ctx, store, source(dir), "minibase-y.tar.gz"); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(partial); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("the .partial file is still there: %v", err)
		}
	})
}

func TestPruneKeepsNewestScheduled(t *testing.T) {
	ctx := context.Background()
	store, _ := OpenDir(t.TempDir())
	t0 := time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)
	var names []string
	for i := range 5 {
		names = append(names, AutoName(t0.Add(time.Duration(i)*24*time.Hour)))
	}
	names = append(names, NewName(t0.Add(-time.Hour))) // made on demand, older than all
	for _, n := range names {
		os.WriteFile(store.Path(n), []byte("x"), 0o600)
	}
	deleted, err := Prune(ctx, store, 2)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(deleted, names[:3]) {
		t.Errorf("deleted %q, want the three oldest scheduled ones %q", deleted, names[:3])
	}
	list, _ := store.List(ctx)
	var left []string
	for _, in := range list {
		left = append(left, in.Name)
	}
	if want := []string{names[5], names[3], names[4]}; !slices.Equal(left, want) {
		t.Errorf("left %q, want %q", left, want)
	}
}

func TestStoreNames(t *testing.T) {
	ctx := context.Background()
	store, _ := OpenDir(t.TempDir())
	for _, name := range []string{"../x.tar.gz", "a/b.tar.gz", ".hidden.tar.gz", "x.zip", "", strings.Repeat("a", 130) + ".tar.gz", "x.tar.gz\x00"} {
		if _, _, err := store.Open(ctx, name); ErrorCode(err) != CodeInvalidParam {
			t.Errorf("Open(%q) = %v, want %s", name, err, CodeInvalidParam)
		}
		if err := store.Delete(ctx, name); ErrorCode(err) != CodeInvalidParam {
			t.Errorf("Delete(%q) = %v, want %s", name, err, CodeInvalidParam)
		}
	}
	if err := store.Delete(ctx, "none.tar.gz"); ErrorCode(err) != CodeNotFound {
		t.Errorf("Delete(missing) = %v, want %s", err, CodeNotFound)
	}
}

// FuzzVerify: no input panics Verify or takes it past its limits; an
// archive it accepts lists only safe names.
func FuzzVerify(f *testing.F) {
	f.Add(craft(f, []file{reg("data.db", "db"), reg("storage/a", "x")}, nil, false))
	f.Add(craft(f, []file{reg("data.db", "db"), reg("../a", "x")}, nil, false))
	f.Add([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff})
	lim := Limits{MaxEntries: 100, MaxBytes: 1 << 20, MaxManifest: 1 << 16}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Verify(bytes.NewReader(b), lim)
		if err != nil {
			return
		}
		for _, e := range m.Entries {
			if checkEntryName(e.Name) != nil {
				t.Fatalf("accepted unsafe name %q", e.Name)
			}
		}
	})
}

// TestRemoveLeftovers: the temporary folder a killed backup left (a copy
// of the database) is removed; nothing else is.
func TestRemoveLeftovers(t *testing.T) {
	dir := newDataDir(t)
	before := tree(t, dir)
	delete(before, ".backup-123/data.db")
	if err := RemoveLeftovers(dir); err != nil {
		t.Fatal(err)
	}
	if after := tree(t, dir); !maps(before, after) {
		t.Errorf("RemoveLeftovers: %v, want %v", slices.Sorted(mapsKeys(after)), slices.Sorted(mapsKeys(before)))
	}
}
