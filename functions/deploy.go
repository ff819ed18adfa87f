package functions

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"minibase/storage"
)

// sources are a function's files as deployed (or found on disk), checked.
type sources struct {
	files  map[string][]byte
	hash   string // Code.Version
	cfg    Config
	entry  string // index.js or index.ts
	reason string // why they are bundled (bundleReason); "" when they run as they are
}

// checkSources checks a function's files as NewCode does, except that the
// entry point may be index.ts, and says whether they need bundling.
func checkSources(name string, files map[string][]byte) (*sources, error) {
	if err := checkFiles(name, files); err != nil {
		return nil, err
	}
	entry := entryOf(files)
	if _, ok := files[entry]; !ok {
		return nil, Errorf(CodeInvalidParam, "function %s has no index.js or index.ts (its entry point, exporting main)", name)
	}
	cfg, err := ParseConfig(files["config.json"])
	if err != nil {
		return nil, Errorf(CodeInvalidParam, "function %s: %v", name, err)
	}
	return &sources{files: files, hash: hashFiles(files), cfg: cfg, entry: entry, reason: bundleReason(files)}, nil
}

// code is what the runtime runs: the sources as they are, or, given their
// bundle, the bundle as index.js beside the function's own files
// (node_modules/, compiled into the bundle, left out).
func (s *sources) code(name string, bundle []byte) *Code {
	files := s.files
	if bundle != nil {
		files = map[string][]byte{"index.js": bundle}
		for p, b := range s.files {
			if !strings.HasPrefix(p, "node_modules/") && p != "index.js" {
				files[p] = b
			}
		}
	}
	return &Code{Name: name, Version: s.hash, Files: files, Config: s.cfg}
}

func (s *sources) bytes() int64 {
	var n int64
	for _, b := range s.files {
		n += int64(len(b))
	}
	return n
}

// Put deploys files as the function called name and returns the new
// version. The files are checked (paths, limits, an index.js or index.ts,
// config.json), bundled when they need it (bundleReason: a build error is
// INVALID_PARAM with esbuild's messages), written to a fresh folder and
// swapped in with one rename, so an invocation sees the old code or the
// new, never a mix. An "http" path another function already serves is
// refused (INVALID_PARAM naming it). Files equal to the live code deploy
// nothing: the current version comes back with Unchanged set. On a full
// disk (Space, or a write that fails for lack of space) nothing is
// deployed and the error is CodeDiskFull.
func (d *Dir) Put(ctx context.Context, name string, files map[string][]byte) (*Version, error) {
	return d.deploy(ctx, name, files, nil, Version{Origin: OriginDeploy})
}

// Rollback deploys again the version of name that ref names (its number,
// or its version hash) from the history, as a new version with origin
// "rollback", as Put does. Unknown versions are INVALID_PARAM; a function
// with neither a folder nor a history is CodeNotFound.
func (d *Dir) Rollback(ctx context.Context, name, ref string) (*Version, error) {
	hist, err := d.historyOf(ctx, name)
	if err != nil {
		return nil, err
	}
	v, ok := findVersion(hist, ref)
	if !ok {
		return nil, Errorf(CodeInvalidParam, "function %s has no version %q (the last %d are kept: GET /v1/admin/functions/%s/versions)", name, ref, KeepVersions, name)
	}
	files, bundle, err := d.archivedVersion(ctx, name, v)
	if err != nil {
		return nil, err
	}
	return d.deploy(ctx, name, files, bundle, Version{Origin: OriginRollback, From: v.Number})
}

// deploy stages files (and their bundle: the one given, else built now),
// then, one deployment at a time, checks the routes, records an edited
// live folder, swaps the staging folder in and records v.
func (d *Dir) deploy(ctx context.Context, name string, files map[string][]byte, bundled []byte, v Version) (*Version, error) {
	s, err := checkSources(name, files)
	if err != nil {
		return nil, err
	}
	if d.Space != nil && d.Space.Full() {
		return nil, diskFull(name)
	}
	staging, err := os.MkdirTemp(d.root, ".deploy-"+name+"-")
	if err != nil {
		return nil, d.failed(name, err)
	}
	defer os.RemoveAll(staging) // after the swap it holds the old version
	for p, b := range files {
		if err := writeFile(filepath.Join(staging, filepath.FromSlash(p)), b); err != nil {
			return nil, d.failed(name, err)
		}
	}
	if s.reason == "" {
		bundled = nil
	} else if bundled == nil {
		if bundled, err = bundle(staging, s.entry); err != nil {
			return nil, err
		}
	}
	if err := syncTree(staging); err != nil {
		return nil, d.failed(name, err)
	}
	v.Version, v.Files, v.Bytes, v.Bundled = s.hash, len(files), s.bytes(), bundled != nil
	if d.shared != nil {
		return d.deployShared(ctx, name, s, staging, bundled, v)
	}

	d.put.Lock()
	defer d.put.Unlock()
	if err := d.checkRoutes(ctx, name, s.cfg.Routes); err != nil {
		return nil, err
	}
	hist, err := d.history(name)
	if err != nil {
		return nil, err
	}
	hist, live := d.keepLive(name, hist)
	if n := len(hist); n > 0 && live == s.hash && hist[n-1].Version == s.hash {
		cur := hist[n-1]
		cur.Unchanged = true
		return &cur, nil
	}
	target := filepath.Join(d.root, name)
	if err := swapDir(staging, target); err != nil {
		return nil, d.failed(name, err)
	}
	syncDir(d.root)
	stamp, newest, err := fingerprint(target)
	d.mu.Lock()
	if err == nil {
		d.cache[name] = &dirEntry{code: s.code(name, bundled), stamp: stamp, newest: newest, bundled: bundled != nil, checked: time.Now()}
	} else {
		delete(d.cache, name) // Load looks again
	}
	d.mu.Unlock()
	v.Number, v.DeployedAt = nextNumber(hist), time.Now().UTC()
	if err := d.record(name, v, files, bundled); err != nil {
		if storage.DiskFull(err) && d.Space != nil {
			d.Space.Exhausted()
		}
		return nil, fmt.Errorf("deploy %s: deployed, but keeping it in the history failed: %w", name, err)
	}
	d.prune(name, append(hist, v))
	return &v, nil
}

// Hold runs fn while no deployment, rollback or delete changes the
// folder: a backup reads it meanwhile, whole.
func (d *Dir) Hold(fn func() error) error {
	d.put.Lock()
	defer d.put.Unlock()
	return fn()
}

// failed is the error of a deployment that did not happen: CodeDiskFull
// (told to Space) when the disk was full.
func (d *Dir) failed(name string, err error) error {
	if !storage.DiskFull(err) {
		return fmt.Errorf("deploy %s: %w", name, err)
	}
	if d.Space != nil {
		d.Space.Exhausted()
	}
	return diskFull(name)
}

func diskFull(name string) error {
	return Errorf(CodeDiskFull, "deploy %s: the server's disk is full; nothing was deployed (deleting functions still works)", name)
}

func nextNumber(hist []Version) int {
	if len(hist) == 0 {
		return 1
	}
	return hist[len(hist)-1].Number + 1
}

// keepLive records the live folder of name as a version (OriginDisk) when
// the newest version of hist is not what it holds — edited on disk, or
// deployed before the history existed — so a deployment replacing it
// loses nothing. It returns the history and the live code's hash ("" when
// there is no live folder, or it cannot be read).
func (d *Dir) keepLive(name string, hist []Version) ([]Version, string) {
	folder := filepath.Join(d.root, name)
	stamp, newest, err := fingerprint(folder)
	if err != nil {
		return hist, ""
	}
	d.mu.Lock()
	e := d.cache[name]
	d.mu.Unlock()
	if e != nil && e.code != nil && e.stamp == stamp && len(hist) > 0 && hist[len(hist)-1].Version == e.code.Version {
		return hist, e.code.Version
	}
	files, err := readFiles(name, folder)
	if err != nil {
		return hist, ""
	}
	hash := hashFiles(files)
	if len(hist) > 0 && hist[len(hist)-1].Version == hash {
		return hist, hash
	}
	v := Version{Number: nextNumber(hist), Version: hash, DeployedAt: newest.UTC(), Origin: OriginDisk, Files: len(files)}
	for _, b := range files {
		v.Bytes += int64(len(b))
	}
	if err := d.record(name, v, files, nil); err != nil {
		return hist, hash
	}
	return append(hist, v), hash
}

// checkRoutes refuses routes whose path another function already serves
// (Triggers would give the path to only one of them).
func (d *Dir) checkRoutes(ctx context.Context, name string, routes []Route) error {
	if len(routes) == 0 {
		return nil
	}
	names, err := d.List(ctx)
	if err != nil {
		return err
	}
	for _, other := range names {
		if other == name {
			continue
		}
		code, err := d.Load(ctx, other)
		if err != nil {
			continue
		}
		for _, r := range routes {
			for _, o := range code.Config.Routes {
				if o.Path == r.Path {
					return Errorf(CodeInvalidParam, "http path %s is already served by function %s: remove it there first, or choose another path", r.Path, other)
				}
			}
		}
	}
	return nil
}

// Delete removes the function called name: its folder, its history, and
// so its HTTP routes and timer (once triggers are refreshed). A name with
// neither is CodeNotFound.
func (d *Dir) Delete(ctx context.Context, name string) error {
	if err := checkName(name); err != nil {
		return err
	}
	if d.shared != nil {
		return d.deleteShared(ctx, name)
	}
	d.put.Lock()
	defer d.put.Unlock()
	return d.deleteLocal(name)
}

// deleteLocal removes name's live folder and history from the disk; a
// name with neither is CodeNotFound. The caller holds put.
func (d *Dir) deleteLocal(name string) error {
	trash := filepath.Join(d.root, ".deploy-"+name+"-deleted-"+strconv.FormatInt(time.Now().UnixNano(), 36))
	liveErr := os.Rename(filepath.Join(d.root, name), trash)
	if liveErr != nil && !errors.Is(liveErr, fs.ErrNotExist) {
		return fmt.Errorf("delete %s: %w", name, liveErr)
	}
	_, histErr := os.Stat(d.historyDir(name))
	d.mu.Lock()
	d.cache[name] = &dirEntry{err: fmt.Errorf("function %s: %w", name, ErrNotFound), checked: time.Now()}
	d.mu.Unlock()
	if liveErr != nil && histErr != nil {
		return Errorf(CodeNotFound, "function %q does not exist", name)
	}
	syncDir(d.root)
	if err := os.RemoveAll(trash); err != nil {
		return fmt.Errorf("delete %s: %w", name, err)
	}
	if err := os.RemoveAll(d.historyDir(name)); err != nil {
		return fmt.Errorf("delete the history of %s: %w", name, err)
	}
	return nil
}

// exists reports whether name has a live folder.
func (d *Dir) exists(name string) bool {
	fi, err := os.Stat(filepath.Join(d.root, name))
	return err == nil && fi.IsDir()
}
