package functions

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Dir is a functions folder on disk in CloudBase's layout,
// <root>/<name>/index.js (or index.ts) with optional config.json, other
// files and node_modules/: a Source, and the target of deployments (Put,
// Rollback, Delete), which it keeps a history of (see versionsDir).
//
// Load answers from memory and looks at the disk again at most once a
// second per function, so edits made by hand show up within a second;
// a deployment is visible at once. A folder that needs bundling (see
// bundleReason) runs as its bundle: the one kept with its version, or one
// built when the folder was edited on disk.
//
// In shared mode (Share: the nodes of a cluster) the history is the
// database's and the archives are the file store's, deployments, rollbacks
// and deletes are recorded there for every node, and the folder is a cache
// that Follow keeps equal to the records (shared.go).
type Dir struct {
	// Space, when set before the first deployment, is asked before each
	// deployment whether the disk is full (then it fails at once with
	// CodeDiskFull), and told of deployments that failed because it is.
	// Deletes run regardless.
	Space Space
	// TimerZone is the time zone of timer triggers, for the next runs
	// Function shows (nil: DefaultTimerZone).
	TimerZone *time.Location

	root  string
	every time.Duration

	mu    sync.Mutex
	cache map[string]*dirEntry
	put   sync.Mutex // one deployment at a time

	shared *sharedState // nil: single node (Share)
}

type dirEntry struct {
	code    *Code
	err     error
	stamp   string    // fingerprint of the folder when code was read
	newest  time.Time // the newest modification time of its files
	bundled bool      // code runs a bundle of the folder
	checked time.Time
}

var _ Source = (*Dir)(nil)
var _ Deployer = (*Dir)(nil)

// Space is the disk the functions folder lives on, as the server sees it
// (its disk reserve).
type Space interface {
	// Full reports whether the disk is full: then deployments fail at once.
	Full() bool
	// Exhausted is told that a write failed because the disk is full.
	Exhausted()
}

// OpenDir opens (creating it when missing) the functions folder root and
// removes what an interrupted deployment left behind.
func OpenDir(root string) (*Dir, error) {
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, fmt.Errorf("create functions dir: %w", err)
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("read functions dir: %w", err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".deploy-") {
			os.RemoveAll(filepath.Join(root, e.Name()))
		}
	}
	return &Dir{root: root, every: time.Second, cache: make(map[string]*dirEntry)}, nil
}

// Load returns the function's code from <root>/<name>/, or an error
// wrapping ErrNotFound when that folder does not exist.
func (d *Dir) Load(ctx context.Context, name string) (*Code, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	now := time.Now()
	d.mu.Lock()
	e := d.cache[name]
	if e != nil && now.Sub(e.checked) < d.every {
		d.mu.Unlock()
		return e.code, e.err
	}
	d.mu.Unlock()

	folder := filepath.Join(d.root, name)
	stamp, newest, err := fingerprint(folder)
	ne := &dirEntry{stamp: stamp, newest: newest, checked: now}
	switch {
	case err != nil:
		ne.err = err
	case e != nil && e.err == nil && e.stamp == stamp:
		ne.code, ne.bundled = e.code, e.bundled
	default:
		ne.code, ne.bundled, ne.err = d.readCode(name, folder)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if cur := d.cache[name]; cur != nil && cur != e && cur.checked.After(now) {
		return cur.code, cur.err // a deployment (or delete) stored newer code while this read the disk
	}
	d.cache[name] = ne
	return ne.code, ne.err
}

// List returns the names of the functions in the folder, sorted.
func (d *Dir) List(ctx context.Context) ([]string, error) {
	entries, err := os.ReadDir(d.root)
	if err != nil {
		return nil, fmt.Errorf("list functions: %w", err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() && ValidName(e.Name()) {
			names = append(names, e.Name())
		}
	}
	return names, nil
}

// fingerprint identifies the state of a folder by its files' paths, sizes
// and modification times, without reading them; newest is the latest of
// those times.
func fingerprint(folder string) (stamp string, newest time.Time, err error) {
	h := sha256.New()
	n := 0
	err = filepath.WalkDir(folder, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !de.Type().IsRegular() {
			return nil
		}
		if n++; n > MaxFiles {
			return Errorf(CodeUnavailable, "function folder %s has more than %d files", folder, MaxFiles)
		}
		info, err := de.Info()
		if err != nil {
			return err
		}
		if t := info.ModTime(); t.After(newest) {
			newest = t
		}
		fmt.Fprintf(h, "%s\x00%d\x00%d\x00", p, info.Size(), info.ModTime().UnixNano())
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return "", newest, fmt.Errorf("function %s: %w", filepath.Base(folder), ErrNotFound)
	}
	if err != nil {
		return "", newest, err
	}
	return hex.EncodeToString(h.Sum(nil)), newest, nil
}

// readFiles reads every regular file of folder (symbolic links are
// skipped: a function sees only its own files).
func readFiles(name, folder string) (map[string][]byte, error) {
	files := make(map[string][]byte)
	total := 0
	err := filepath.WalkDir(folder, func(p string, de fs.DirEntry, err error) error {
		if err != nil || !de.Type().IsRegular() {
			return err
		}
		if len(files) == MaxFiles {
			return Errorf(CodeUnavailable, "function %s has more than %d files", name, MaxFiles)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if total += len(b); total > MaxCodeBytes {
			return Errorf(CodeUnavailable, "function %s holds more than %d bytes of files", name, MaxCodeBytes)
		}
		rel, _ := filepath.Rel(folder, p)
		files[filepath.ToSlash(rel)] = b
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("function %s: %w", name, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read function %s: %w", name, err)
	}
	return files, nil
}

// readCode reads the function in folder (edited on disk, or not loaded
// since the server started) and returns its code, bundled when it needs
// to be: with the bundle kept for its version, else one built now.
func (d *Dir) readCode(name, folder string) (*Code, bool, error) {
	files, err := readFiles(name, folder)
	if err != nil {
		return nil, false, err
	}
	s, err := checkSources(name, files)
	var b []byte
	if err == nil && s.reason != "" {
		if b = d.storedBundle(name, s.hash); b == nil {
			b, err = bundle(folder, s.entry)
		}
	}
	if err != nil {
		var fe *Error
		if errors.As(err, &fe) { // a bad folder on disk is the server's problem, not the caller's
			return nil, false, Errorf(CodeUnavailable, "%s", fe.Message)
		}
		return nil, false, err
	}
	return s.code(name, b), b != nil, nil
}

func writeFile(p string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	return f.Close() // synced by syncTree, all at once
}

// syncTree makes the files and folders under dir durable: an fsync of
// each, 16 at a time (fsyncs running together share the file system's
// journal commits, so node_modules' thousands of files cost little more
// than a few; a syncfs(2) would also wait for every other write pending
// on the file system).
func syncTree(dir string) error {
	var paths []string
	err := filepath.WalkDir(dir, func(p string, de fs.DirEntry, err error) error {
		if err == nil && (de.IsDir() || de.Type().IsRegular()) {
			paths = append(paths, p)
		}
		return err
	})
	if err != nil {
		return err
	}
	work := make(chan string)
	errs := make(chan error, len(paths))
	var wg sync.WaitGroup
	for range min(16, len(paths)) {
		wg.Go(func() {
			for p := range work {
				errs <- syncPath(p)
			}
		})
	}
	for _, p := range paths {
		work <- p
	}
	close(work)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func syncPath(p string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		if fi, serr := f.Stat(); serr == nil && fi.IsDir() {
			return nil // not every system syncs a folder
		}
		return err
	}
	return nil
}

func syncDir(dir string) {
	if f, err := os.Open(dir); err == nil {
		f.Sync() // best effort: the files themselves are synced
		f.Close()
	}
}

// swapDirSlow moves target aside, staging into its place and the old
// version back to staging (removed by the caller).
func swapDirSlow(staging, target string) error {
	old := staging + ".old"
	if err := os.Rename(target, old); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := os.Rename(staging, target); err != nil {
		os.Rename(old, target)
		return err
	}
	os.RemoveAll(old)
	return nil
}
