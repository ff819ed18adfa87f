package backup

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Source is what Write puts in an archive.
type Source struct {
	Dir string // the data directory
	// Files is the local file store's folder when it is not Dir's
	// storage/ (MINIBASE_STORAGE_DIR): archived as storage/. Empty: the
	// one in Dir, if any. Files kept in S3 are not backed up.
	Files string
	// Snapshot writes a consistent copy of the database to path, a file
	// that does not exist yet (sqlite.Backup).
	Snapshot func(ctx context.Context, path string) error
	// Hold, when set, runs fn while no function deployment changes the
	// functions folder (functions.Dir.Hold); nil: the folder is read as it
	// is (a deployment finishing meanwhile may be half in the archive).
	Hold    func(fn func() error) error
	Version string           // minibase's, for the manifest
	Now     func() time.Time // nil: time.Now
}

// skipped are the names in the data directory that are never archived:
// the database's live files (the snapshot stands for them), the
// functions' log database (logs, rebuilt empty), the disk reserve, the
// image variant cache (rebuilt on demand), the backups themselves and the
// server's lock. Names starting with "." (work in progress: snapshots,
// restores, deployments) are skipped too.
var skipped = map[string]bool{
	"data.db": true, "data.db-wal": true, "data.db-shm": true, "data.db-journal": true,
	"functions.db": true, "functions.db-wal": true, "functions.db-shm": true, "functions.db-journal": true,
	"disk_reserve": true, "image-cache": true, "backups": true, "minibase.lock": true,
}

// Write writes src as a tar.gz archive to w: the database snapshot
// first, the data directory's other files and folders (functions/ under
// Hold, storage/, the keys), then the manifest, which it returns. A file
// removed while Write runs is left out; a symbolic link is skipped.
// The snapshot is made in a temporary folder in src.Dir, removed after.
// Write does not close w.
func Write(ctx context.Context, src Source, w io.Writer) (*Manifest, error) {
	now := time.Now
	if src.Now != nil {
		now = src.Now
	}
	m := &Manifest{Format: FormatVersion, Minibase: src.Version, Created: now().UTC().Truncate(time.Second), Database: "sqlite-backup-api"}
	if m.Minibase == "" {
		m.Minibase = "dev"
	}
	tmp, err := os.MkdirTemp(src.Dir, ".backup-")
	if err != nil {
		return nil, fmt.Errorf("back up: %w", err)
	}
	defer os.RemoveAll(tmp)
	snap := filepath.Join(tmp, DatabaseName)
	if err := src.Snapshot(ctx, snap); err != nil {
		return nil, err
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	zw, _ := gzip.NewWriterLevel(bw, gzip.BestSpeed)
	a := &archiver{tw: tar.NewWriter(zw), m: m, modTime: m.Created}
	if err := a.addFile(ctx, DatabaseName, snap); err != nil {
		return nil, err
	}
	os.Remove(snap) // its space, before the rest is read
	if err := a.addDataDir(ctx, src); err != nil {
		return nil, err
	}
	if err := a.addManifest(); err != nil {
		return nil, err
	}
	if err := errors.Join(a.tw.Close(), zw.Close(), bw.Flush()); err != nil {
		return nil, fmt.Errorf("back up: %w", err)
	}
	return m, nil
}

// RemoveLeftovers removes from the data directory dir the temporary
// folders (.backup-*) of backups that were killed midway, each holding a
// copy of the database. Call it when no backup runs (a server starting).
func RemoveLeftovers(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("remove leftover backup files: %w", err)
	}
	var errs []error
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), ".backup-") {
			errs = append(errs, os.RemoveAll(filepath.Join(dir, e.Name())))
		}
	}
	return errors.Join(errs...)
}

type archiver struct {
	tw      *tar.Writer
	m       *Manifest
	modTime time.Time
}

// addDataDir archives what lies in src.Dir but the skipped names, in name
// order, the functions folder under src.Hold, and src.Files as storage/.
func (a *archiver) addDataDir(ctx context.Context, src Source) error {
	entries, err := os.ReadDir(src.Dir)
	if err != nil {
		return fmt.Errorf("back up: %w", err)
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if !skipped[e.Name()] && !strings.HasPrefix(e.Name(), ".") && !(e.Name() == "storage" && src.Files != "") {
			names = append(names, e.Name())
		}
	}
	if src.Files != "" {
		names = append(names, "storage")
	}
	slices.Sort(names)
	for _, name := range names {
		root := filepath.Join(src.Dir, name)
		if name == "storage" && src.Files != "" {
			root = src.Files
		}
		walk := func() error { return a.addTree(ctx, name, root) }
		if name == "functions" && src.Hold != nil {
			err = src.Hold(walk)
		} else {
			err = walk()
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// addTree archives the regular files under root (root itself when it is
// one) as name/…, in lexical order.
func (a *archiver) addTree(ctx context.Context, name, root string) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil // removed meanwhile
		}
		if err != nil {
			return fmt.Errorf("back up: %w", err)
		}
		if !d.Type().IsRegular() {
			return nil // folders are walked; links and devices are not data
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		entry := name
		if rel != "." {
			entry = name + "/" + filepath.ToSlash(rel)
		}
		return a.addFile(ctx, entry, p)
	})
}

// addFile archives the file at path as name, hashing it on the way, as it
// is when opened (files are replaced by rename, so the open one does not
// change). A file gone before it is opened is left out.
func (a *archiver) addFile(ctx context.Context, name, path string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkEntryName(name); err != nil {
		return fmt.Errorf("back up: cannot archive %s: %w", path, err)
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("back up: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("back up: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil
	}
	hdr := &tar.Header{Typeflag: tar.TypeReg, Name: name, Size: fi.Size(), Mode: 0o600, ModTime: fi.ModTime().UTC().Truncate(time.Second)}
	if err := a.tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("back up %s: %w", name, err)
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(a.tw, h), io.LimitReader(f, fi.Size()))
	if err != nil {
		return fmt.Errorf("back up %s: %w", name, err)
	}
	if n != fi.Size() {
		return fmt.Errorf("back up %s: it shrank from %d to %d bytes while being read", name, fi.Size(), n)
	}
	a.m.Entries = append(a.m.Entries, Entry{Name: name, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))})
	a.m.Bytes += n
	return nil
}

// addManifest writes the manifest as the archive's last entry.
func (a *archiver) addManifest() error {
	b, err := json.MarshalIndent(a.m, "", " ")
	if err != nil {
		return err
	}
	hdr := &tar.Header{Typeflag: tar.TypeReg, Name: ManifestName, Size: int64(len(b)), Mode: 0o600, ModTime: a.modTime}
	if err := a.tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("back up: %w", err)
	}
	if _, err := a.tw.Write(b); err != nil {
		return fmt.Errorf("back up: %w", err)
	}
	return nil
}
