package functions

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// A Dir keeps each function's history beside the live folders, in
// <root>/.versions/<name>/: one <number>.json record per deployment, and
// the files of the versions they name, <hash>.zip (the sources as
// deployed) and <hash>.bundle.js (what the runtime runs, for a bundled
// function). Versions with equal files share their archive. The live
// folder <root>/<name>/ stays CloudBase's layout, so edits on disk keep
// working; such an edit is recorded (origin "disk") when the next
// deployment or rollback replaces it, so it is never lost.
const versionsDir = ".versions"

// KeepVersions is how many deployments a function's history keeps; the
// oldest records and the files only they name are removed.
const KeepVersions = 10

// Origins of a Version.
const (
	OriginDeploy   = "deploy"   // PUT /v1/admin/functions/{name}
	OriginRollback = "rollback" // a rollback to version From
	OriginDisk     = "disk"     // edits made in the live folder, recorded when a deployment replaced them
)

// Version is one deployment in a function's history.
type Version struct {
	Number     int       `json:"number"`  // 1, 2, 3… per function, never reused while the history lasts
	Version    string    `json:"version"` // Code.Version: the hash of the sources
	DeployedAt time.Time `json:"deployedAt"`
	Origin     string    `json:"origin"`         // OriginDeploy, OriginRollback or OriginDisk
	From       int       `json:"from,omitempty"` // the version a rollback went back to
	Files      int       `json:"files"`          // files of the sources
	Bytes      int64     `json:"bytes"`          // their total size
	Bundled    bool      `json:"bundled"`        // the runtime runs a bundle of them
	Unchanged  bool      `json:"unchanged,omitempty"`
}

func (d *Dir) historyDir(name string) string { return filepath.Join(d.root, versionsDir, name) }

// history returns a function's records, oldest first (none when it has no
// history). Unreadable records are skipped.
func (d *Dir) history(name string) ([]Version, error) {
	entries, err := os.ReadDir(d.historyDir(name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read history of %s: %w", name, err)
	}
	var out []Version
	for _, e := range entries {
		n, ok := strings.CutSuffix(e.Name(), ".json")
		if _, err := strconv.Atoi(n); !ok || err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join(d.historyDir(name), e.Name()))
		var v Version
		if err != nil || json.Unmarshal(b, &v) != nil || v.Number <= 0 {
			continue
		}
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return out, nil
}

// record adds v to name's history: the archive of files and the bundle
// (each unless a version with the same hash has it), then the record.
// Each file is written whole or not at all.
func (d *Dir) record(name string, v Version, files map[string][]byte, bundle []byte) error {
	dir := d.historyDir(name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("record version: %w", err)
	}
	arch := filepath.Join(dir, v.Version+".zip")
	if _, err := os.Stat(arch); err != nil {
		var buf bytes.Buffer
		if err := WriteZip(&buf, files); err != nil {
			return fmt.Errorf("record version: %w", err)
		}
		if err := writeAtomic(arch, buf.Bytes()); err != nil {
			return fmt.Errorf("record version: %w", err)
		}
	}
	if bundle != nil {
		if err := writeAtomic(filepath.Join(dir, v.Version+".bundle.js"), bundle); err != nil {
			return fmt.Errorf("record version: %w", err)
		}
	}
	b, _ := json.Marshal(v)
	if err := writeAtomic(filepath.Join(dir, fmt.Sprintf("%06d.json", v.Number)), b); err != nil {
		return fmt.Errorf("record version: %w", err)
	}
	syncDir(dir)
	return nil
}

// prune keeps the newest KeepVersions records of hist and the files they
// name, removing the rest (and leftovers of interrupted writes).
func (d *Dir) prune(name string, hist []Version) {
	dir := d.historyDir(name)
	if len(hist) > KeepVersions {
		for _, v := range hist[:len(hist)-KeepVersions] {
			os.Remove(filepath.Join(dir, fmt.Sprintf("%06d.json", v.Number)))
		}
		hist = hist[len(hist)-KeepVersions:]
	}
	keep := make(map[string]bool)
	for _, v := range hist {
		keep[v.Version+".zip"], keep[v.Version+".bundle.js"] = true, true
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		n := e.Name()
		if (strings.HasSuffix(n, ".zip") || strings.HasSuffix(n, ".bundle.js") || strings.HasPrefix(n, ".tmp-")) && !keep[n] {
			os.Remove(filepath.Join(dir, n))
		}
	}
}

// archived returns the sources of version hash of name, and its bundle
// when one was kept (nil otherwise).
func (d *Dir) archived(name, hash string) (map[string][]byte, []byte, error) {
	b, err := os.ReadFile(filepath.Join(d.historyDir(name), hash+".zip"))
	if err != nil {
		return nil, nil, fmt.Errorf("read version %s of %s: %w", hash, name, err)
	}
	files, err := readZip(b, false)
	if err != nil {
		return nil, nil, fmt.Errorf("read version %s of %s: %w", hash, name, err)
	}
	return files, d.storedBundle(name, hash), nil
}

// storedBundle returns the bundle kept for version hash of name, or nil.
func (d *Dir) storedBundle(name, hash string) []byte {
	b, err := os.ReadFile(filepath.Join(d.historyDir(name), hash+".bundle.js"))
	if err != nil {
		return nil
	}
	return b
}

// findVersion returns the record of hist that ref names: a number, or a
// version hash (its newest record).
func findVersion(hist []Version, ref string) (Version, bool) {
	if len(hist) == 0 {
		return Version{}, false
	}
	n, err := strconv.Atoi(ref)
	isNumber := err == nil && len(ref) < len(hist[0].Version) // a hash may be all digits
	for i := len(hist) - 1; i >= 0; i-- {
		if (isNumber && hist[i].Number == n) || (!isNumber && hist[i].Version == ref) {
			return hist[i], true
		}
	}
	return Version{}, false
}

// writeAtomic writes b to p through a synced temporary file and a rename.
func writeAtomic(p string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(p), ".tmp-")
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), p)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}
