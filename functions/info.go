package functions

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// FunctionInfo describes a deployed function: GET /v1/admin/functions.
type FunctionInfo struct {
	Name      string      `json:"name"`
	Version   string      `json:"version,omitempty"` // the live code's Code.Version ("" when it does not load)
	Number    int         `json:"number"`            // its number in the history; 0 when edited on disk since the last deployment
	UpdatedAt time.Time   `json:"updatedAt"`         // when that version was deployed (edited: the newest file's time)
	Timeout   float64     `json:"timeout,omitempty"` // seconds
	MemoryMB  int         `json:"memorySize,omitempty"`
	Routes    []RouteInfo `json:"http,omitempty"`
	Timer     *TimerInfo  `json:"timer,omitempty"`
	Database  []DBInfo    `json:"database,omitempty"`
	Bundled   bool        `json:"bundled"`
	Error     string      `json:"error,omitempty"` // why the code does not load
}

// RouteInfo is an HTTP access route of a function, as config.json has it.
type RouteInfo struct {
	Path    string   `json:"path"`
	Methods []string `json:"methods,omitempty"`
}

// DBInfo is a function's database trigger: its name, collection and
// events (the filter is in the config).
type DBInfo struct {
	Name       string   `json:"name"`
	Collection string   `json:"collection"`
	Events     []string `json:"events"`
}

// TimerInfo is a function's timer trigger, as config.json has it.
type TimerInfo struct {
	Name string `json:"name"`
	Cron string `json:"config"`
}

// FunctionDetail is one function for the console: GET
// /v1/admin/functions/{name}.
type FunctionDetail struct {
	FunctionInfo
	Config json.RawMessage `json:"config"` // config.json as deployed; {} when there is none
	Files  []FileInfo      `json:"files"`  // the sources in the live folder, by path
	// Triggers are the HTTP routes, the timer with its next runs, and the
	// database triggers, for the console.
	Triggers *TriggersDetail `json:"triggers"`
}

// FileInfo is one file of a function.
type FileInfo struct {
	Path string `json:"path"`
	Size int64  `json:"size"`
}

// Functions describes every function of the folder, by name.
func (d *Dir) Functions(ctx context.Context) ([]FunctionInfo, error) {
	names, err := d.List(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]FunctionInfo, 0, len(names))
	for _, name := range names {
		info, err := d.info(ctx, name)
		if errors.Is(err, ErrNotFound) {
			continue // deleted meanwhile
		}
		out = append(out, info)
	}
	return out, nil
}

// info describes name from its (cached) code and its history.
func (d *Dir) info(ctx context.Context, name string) (FunctionInfo, error) {
	info := FunctionInfo{Name: name}
	code, err := d.Load(ctx, name)
	if errors.Is(err, ErrNotFound) {
		return info, err
	}
	d.mu.Lock()
	if e := d.cache[name]; e != nil {
		info.UpdatedAt, info.Bundled = e.newest.UTC(), e.bundled
	}
	d.mu.Unlock()
	if err != nil {
		info.Error = err.Error()
		return info, nil
	}
	info.Version, info.Timeout, info.MemoryMB = code.Version, code.Config.Timeout.Seconds(), code.Config.MemoryMB
	for _, r := range code.Config.Routes {
		info.Routes = append(info.Routes, RouteInfo{Path: r.Path, Methods: r.Methods})
	}
	if t := code.Config.Timer; t != nil {
		info.Timer = &TimerInfo{Name: t.Name, Cron: t.Cron.String()}
	}
	for _, t := range code.Config.Database {
		di := DBInfo{Name: t.Name, Collection: t.Collection}
		for _, e := range t.Events {
			di.Events = append(di.Events, e.String())
		}
		info.Database = append(info.Database, di)
	}
	hist, _ := d.versions(ctx, name)
	if n := len(hist); n > 0 && hist[n-1].Version == code.Version {
		info.Number, info.UpdatedAt = hist[n-1].Number, hist[n-1].DeployedAt
	}
	return info, nil
}

// Function describes the function called name with its configuration and
// the files of its live folder; CodeNotFound when there is none.
func (d *Dir) Function(ctx context.Context, name string) (*FunctionDetail, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	info, err := d.info(ctx, name)
	if errors.Is(err, ErrNotFound) {
		return nil, Errorf(CodeNotFound, "function %q does not exist", name)
	}
	folder := filepath.Join(d.root, name)
	det := &FunctionDetail{FunctionInfo: info, Config: json.RawMessage(`{}`), Files: []FileInfo{}}
	err = filepath.WalkDir(folder, func(p string, de fs.DirEntry, err error) error {
		if err != nil || !de.Type().IsRegular() || len(det.Files) == MaxFiles {
			return err
		}
		fi, err := de.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(folder, p)
		det.Files = append(det.Files, FileInfo{Path: filepath.ToSlash(rel), Size: fi.Size()})
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return nil, Errorf(CodeNotFound, "function %q does not exist", name)
	}
	if err != nil {
		return nil, err
	}
	if b, err := os.ReadFile(filepath.Join(folder, "config.json")); err == nil && json.Valid(b) {
		det.Config = b
	}
	var timer *Timer
	if code, err := d.Load(ctx, name); err == nil {
		timer = code.Config.Timer
	}
	det.Triggers = triggersDetail(info, timer, d.TimerZone, time.Now())
	return det, nil
}

// Versions returns the history of name, newest first; CodeNotFound when
// there is neither a history nor a live folder.
func (d *Dir) Versions(ctx context.Context, name string) ([]Version, error) {
	hist, err := d.historyOf(ctx, name)
	if err != nil {
		return nil, err
	}
	out := make([]Version, 0, len(hist))
	for i := len(hist) - 1; i >= 0; i-- {
		out = append(out, hist[i])
	}
	return out, nil
}

// ReadFile returns the content of the file at path (a slash path such as
// "lib/a.js") of name's live folder, or of the version numbered version
// when it is not 0. CodeNotFound when there is no such file or version.
func (d *Dir) ReadFile(ctx context.Context, name string, version int, path string) ([]byte, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	if err := checkPath(path); err != nil {
		return nil, err
	}
	if version != 0 {
		hist, err := d.versions(ctx, name)
		if err != nil {
			return nil, err
		}
		v, ok := findVersion(hist, strconv.Itoa(version))
		if !ok {
			return nil, Errorf(CodeNotFound, "function %s has no version %d", name, version)
		}
		files, _, err := d.archivedVersion(ctx, name, v)
		if err != nil {
			return nil, err
		}
		if b, ok := files[path]; ok {
			return b, nil
		}
		return nil, Errorf(CodeNotFound, "version %d of function %s has no file %s", version, name, path)
	}
	root, err := os.OpenRoot(filepath.Join(d.root, name)) // no way out of the folder, even by a symbolic link
	if err != nil {
		return nil, Errorf(CodeNotFound, "function %q does not exist", name)
	}
	defer root.Close()
	p := filepath.FromSlash(path)
	if fi, err := root.Lstat(p); err != nil || !fi.Mode().IsRegular() || fi.Size() > MaxCodeBytes {
		return nil, Errorf(CodeNotFound, "function %s has no file %s", name, path)
	}
	b, err := root.ReadFile(p)
	if err != nil {
		return nil, Errorf(CodeNotFound, "function %s has no file %s", name, path)
	}
	return b, nil
}

// historyOf is the history of the function name, oldest first, after
// checking the name; CodeNotFound when there is neither a history nor a
// live folder.
func (d *Dir) historyOf(ctx context.Context, name string) ([]Version, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	hist, err := d.versions(ctx, name)
	if err != nil {
		return nil, err
	}
	if len(hist) == 0 && !d.exists(name) {
		return nil, Errorf(CodeNotFound, "function %q does not exist", name)
	}
	return hist, nil
}
