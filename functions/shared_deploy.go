package functions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"minibase/storage"
)

// versions returns name's history, oldest first: the registry's in shared
// mode, else the one kept beside the live folder.
func (d *Dir) versions(ctx context.Context, name string) ([]Version, error) {
	if d.shared == nil {
		return d.history(name)
	}
	rec, err := d.shared.read(ctx, name)
	if err != nil || rec == nil || rec.Deleted {
		return nil, err
	}
	return rec.Versions, nil
}

// archivedVersion returns the sources of version v of name and its bundle
// (nil when none was kept): from the file store in shared mode.
func (d *Dir) archivedVersion(ctx context.Context, name string, v Version) (map[string][]byte, []byte, error) {
	if d.shared == nil {
		return d.archived(name, v.Version)
	}
	return d.shared.fetch(ctx, name, v)
}

// deployShared is deploy in shared mode, from the checked sources s
// staged in staging with their bundle: it writes the archive to the file
// store, then the record (numbered after the registry's newest), then
// swaps staging in as this node's live folder. Files equal to the
// registry's live version deploy nothing (Unchanged). A deployment with
// origin "disk" (a node publishing a folder the registry does not know)
// records nothing when a record appeared meanwhile.
func (d *Dir) deployShared(ctx context.Context, name string, s *sources, staging string, bundled []byte, v Version) (*Version, error) {
	sh := d.shared
	cur, err := sh.read(ctx, name)
	if err != nil {
		return nil, err
	}
	if h := cur.head(); h != nil && h.Version == s.hash {
		u := *h
		u.Unchanged = true
		return &u, nil
	}
	if err := sh.upload(ctx, name, s.hash, s.files, bundled); err != nil {
		return nil, err
	}
	d.put.Lock()
	defer d.put.Unlock()
	if err := d.checkRoutes(ctx, name, s.cfg.Routes); err != nil {
		return nil, err
	}
	var mine Version
	rec, err := sh.change(ctx, name, func(cur *sharedRecord) (*sharedRecord, error) {
		if h := cur.head(); (h != nil && h.Version == s.hash) || (v.Origin == OriginDisk && cur != nil) {
			return nil, nil
		}
		var hist []Version
		if cur != nil && !cur.Deleted {
			hist = cur.Versions
		}
		mine = v
		mine.Number, mine.DeployedAt = nextNumber(hist), time.Now().UTC()
		hist = append(slices.Clone(hist), mine)
		if len(hist) > KeepVersions {
			hist = hist[len(hist)-KeepVersions:]
		}
		return &sharedRecord{Versions: hist}, nil
	})
	if err != nil {
		return nil, err
	}
	if rec == nil { // the registry got there first: its version is the live one
		cur, err := sh.read(ctx, name)
		if err != nil {
			return nil, err
		}
		h := cur.head()
		if h == nil {
			return nil, Errorf(CodeNotFound, "function %q does not exist", name)
		}
		u := *h
		u.Unchanged = true
		return &u, nil
	}
	if err := d.install(name, staging, s, bundled, rec.Rev); err != nil {
		// Recorded: every node, this one too (Follow), installs it from
		// the file store.
		if storage.DiskFull(err) && d.Space != nil {
			d.Space.Exhausted()
		}
		return nil, fmt.Errorf("deploy %s: recorded as version %d for every node, but installing it on this one failed (it tries again): %w", name, mine.Number, err)
	}
	sh.collect(ctx, name, rec, time.Now()) // best effort: what it leaves, the next deployment removes
	return &mine, nil
}

// deleteShared is Delete in shared mode: a tombstone in the registry (the
// other nodes remove their copy as they learn of it), then this node's
// live folder, then the archives no record needs.
func (d *Dir) deleteShared(ctx context.Context, name string) error {
	d.put.Lock()
	defer d.put.Unlock()
	rec, err := d.shared.change(ctx, name, func(cur *sharedRecord) (*sharedRecord, error) {
		if cur.head() == nil {
			return nil, nil
		}
		return &sharedRecord{Deleted: true, Versions: []Version{}}, nil
	})
	if err != nil {
		return err
	}
	switch err := d.deleteLocal(name); {
	case err == nil:
	case ErrorCode(err) != CodeNotFound || rec == nil:
		return err // NOT_FOUND: neither the registry nor this node has it
	}
	if rec != nil {
		d.shared.collect(ctx, name, rec, time.Now())
	}
	return nil
}

// liveMark is what a node installed from the registry, kept in
// <root>/.versions/<name>/live.json: the record's rev and the version.
type liveMark struct {
	Rev     int64  `json:"rev"`
	Version string `json:"version"`
}

func (d *Dir) markPath(name string) string { return filepath.Join(d.historyDir(name), "live.json") }

// mark returns what is installed of name (zero when unknown).
func (d *Dir) mark(name string) liveMark {
	var m liveMark
	if b, err := os.ReadFile(d.markPath(name)); err == nil {
		json.Unmarshal(b, &m)
	}
	return m
}

// install swaps staging (holding s, bundled as bundle) in as name's live
// folder, installed from record rev: the bundle goes beside it (where
// Load finds it), and every other file of the history folder goes. The
// caller holds put and removes staging.
func (d *Dir) install(name, staging string, s *sources, bundle []byte, rev int64) error {
	if d.Space != nil && d.Space.Full() {
		return diskFull(name)
	}
	dir := d.historyDir(name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	keep := map[string]bool{"live.json": true}
	if bundle != nil {
		p := s.hash + ".bundle.js"
		if err := writeAtomic(filepath.Join(dir, p), bundle); err != nil {
			return err
		}
		keep[p] = true
	}
	target := filepath.Join(d.root, name)
	if err := swapDir(staging, target); err != nil {
		return err
	}
	syncDir(d.root)
	stamp, newest, err := fingerprint(target)
	d.mu.Lock()
	if err == nil {
		d.cache[name] = &dirEntry{code: s.code(name, bundle), stamp: stamp, newest: newest, bundled: bundle != nil, checked: time.Now()}
	} else {
		delete(d.cache, name)
	}
	d.mu.Unlock()
	b, _ := json.Marshal(liveMark{Rev: rev, Version: s.hash})
	if err := writeAtomic(d.markPath(name), b); err != nil {
		return err
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !keep[e.Name()] {
			os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
	return nil
}

// errStale is a materialisation given up because the record changed
// meanwhile: the change that did it is on its way.
var errStale = errors.New("the record changed meanwhile")

// materialise installs name's live version from rec: fetched from the
// file store, staged, bundled when the bundle is missing, and swapped in
// unless the record changed meanwhile. On any failure the live folder
// stays as it was.
func (d *Dir) materialise(ctx context.Context, name string, rec *sharedRecord) error {
	h := rec.head()
	files, bundled, err := d.shared.fetch(ctx, name, *h)
	if err != nil {
		return err
	}
	s, err := checkSources(name, files)
	if err != nil {
		return fmt.Errorf("install version %d of %s: %w", h.Number, name, err)
	}
	if d.Space != nil && d.Space.Full() {
		return diskFull(name)
	}
	staging, err := os.MkdirTemp(d.root, ".deploy-"+name+"-")
	if err != nil {
		return d.failed(name, err)
	}
	defer os.RemoveAll(staging)
	for p, b := range files {
		if err := writeFile(filepath.Join(staging, filepath.FromSlash(p)), b); err != nil {
			return d.failed(name, err)
		}
	}
	if s.reason == "" {
		bundled = nil
	} else if bundled == nil {
		if bundled, err = bundle(staging, s.entry); err != nil {
			return fmt.Errorf("install version %d of %s: %w", h.Number, name, err)
		}
	}
	if err := syncTree(staging); err != nil {
		return d.failed(name, err)
	}
	d.put.Lock()
	defer d.put.Unlock()
	now, err := d.shared.read(ctx, name)
	if err != nil {
		return err
	}
	if now == nil || now.Rev != rec.Rev {
		return errStale
	}
	if err := d.install(name, staging, s, bundled, rec.Rev); err != nil {
		return fmt.Errorf("install version %d of %s: %w", h.Number, name, d.failed(name, err))
	}
	return nil
}

// follow brings name's live folder to its record: rec when known (from a
// catch-up), else read now. A live folder the registry does not know is
// published (origin "disk") when publish is set.
func (d *Dir) follow(ctx context.Context, name string, rec *sharedRecord, known, publish bool, retire func(string)) error {
	if !known {
		var err error
		if rec, err = d.shared.read(ctx, name); err != nil {
			return err
		}
	}
	switch {
	case rec == nil:
		if !publish || !d.exists(name) {
			return nil
		}
		files, err := readFiles(name, filepath.Join(d.root, name))
		if err != nil {
			return fmt.Errorf("publish %s: %w", name, err)
		}
		if _, err := d.deploy(ctx, name, files, d.storedBundle(name, hashFiles(files)), Version{Origin: OriginDisk}); err != nil {
			return fmt.Errorf("publish %s: %w", name, err)
		}
		return nil
	case rec.Deleted:
		d.put.Lock()
		defer d.put.Unlock()
		if !d.exists(name) {
			return nil
		}
		if err := d.deleteLocal(name); err != nil && ErrorCode(err) != CodeNotFound {
			return fmt.Errorf("remove %s (deleted): %w", name, err)
		}
		retire(name)
		return nil
	}
	if m := d.mark(name); m.Version == rec.head().Version && d.exists(name) {
		if m.Rev != rec.Rev {
			b, _ := json.Marshal(liveMark{Rev: rec.Rev, Version: m.Version})
			writeAtomic(d.markPath(name), b)
		}
		return nil
	}
	if err := d.materialise(ctx, name, rec); err != nil {
		return err
	}
	retire(name)
	return nil
}
