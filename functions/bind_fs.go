package functions

import (
	"bytes"
	"path"
	"sort"
	"strings"

	"github.com/dop251/goja"
)

// require('fs') reads the function's own files, as deployed: the folder is
// the root "/" (its __dirname, process.cwd()), nothing outside it has a
// name, and nothing can be written. The files are the version's (Code.Files,
// in memory), so a read sees exactly the code that runs, whatever happens
// on disk meanwhile; a symbolic link was never deployed (zips refuse them,
// a folder on disk is read without them), so none leads out. Paths are
// resolved here, in Go: ".." above the root is refused (EACCES) rather
// than taken as the root. js/node/fs.js builds Node's API on these natives.

// fsIndex is a version's files as directories: each directory's entries,
// sorted, and a number per path (Stats.ino).
type fsIndex struct {
	dirs map[string][]string // "" is the root
	ino  map[string]int
}

// fsIndex builds the index of the function's files once per version.
func (f *function) fsIndex() *fsIndex {
	f.fsOnce.Do(func() {
		idx := &fsIndex{dirs: map[string][]string{"": nil}, ino: map[string]int{"": 1}}
		add := func(p string) { // a file or a directory other than the root
			parent := path.Dir(p)
			if parent == "." {
				parent = ""
			}
			idx.dirs[parent] = append(idx.dirs[parent], path.Base(p))
			idx.ino[p] = len(idx.ino) + 1
		}
		names := make([]string, 0, len(f.code.Files))
		for p := range f.code.Files {
			names = append(names, p)
		}
		sort.Strings(names)
		for _, p := range names {
			for i := range len(p) { // its directories first, each once
				if p[i] != '/' {
					continue
				}
				if _, ok := idx.dirs[p[:i]]; !ok {
					idx.dirs[p[:i]] = []string{}
					add(p[:i])
				}
			}
			add(p)
		}
		for _, entries := range idx.dirs {
			sort.Strings(entries)
		}
		f.fs = idx
	})
	return f.fs
}

// fsPath resolves p (absolute, or relative to the root) to a path of the
// function's files: "" for the root, "lib/a.js"; ok is false when it climbs
// above the root. dir reports a trailing slash (the path must be a
// directory).
func fsPath(p string) (rel string, dir, ok bool) {
	var parts []string
	for _, s := range strings.Split(p, "/") {
		switch s {
		case "", ".":
		case "..":
			if len(parts) == 0 {
				return "", false, false
			}
			parts = parts[:len(parts)-1]
		default:
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "/"), strings.HasSuffix(p, "/") || strings.HasSuffix(p, "/."), true
}

// fsLookup is what the natives answer of a path: its error code (Node's:
// EACCES, ENOENT, ENOTDIR), or its kind, size and inode number.
type fsLookup struct {
	Error string `json:"error,omitempty"`
	Path  string `json:"path"` // absolute: "/" + the relative path
	Dir   bool   `json:"dir"`
	Size  int    `json:"size"`
	Ino   int    `json:"ino"`
}

func (in *instance) fsLookup(p string) fsLookup {
	rel, wantDir, ok := fsPath(p)
	if !ok {
		return fsLookup{Error: "EACCES"}
	}
	idx := in.fn.fsIndex()
	if b, isFile := in.fn.code.Files[rel]; isFile {
		if wantDir {
			return fsLookup{Error: "ENOTDIR"}
		}
		return fsLookup{Path: "/" + rel, Size: len(b), Ino: idx.ino[rel]}
	}
	if _, isDir := idx.dirs[rel]; isDir {
		return fsLookup{Path: "/" + rel, Dir: true, Size: 4096, Ino: idx.ino[rel]}
	}
	for parent := path.Dir(rel); parent != "." && parent != "/"; parent = path.Dir(parent) {
		if _, isFile := in.fn.code.Files[parent]; isFile {
			return fsLookup{Error: "ENOTDIR"}
		}
	}
	return fsLookup{Error: "ENOENT"}
}

// fsNatives are js/node/fs.js's natives: lookup(path) → {error} or
// {path, dir, size, ino}; read(path, start, end) → a copy of the file's
// bytes from start to end (an ArrayBuffer), or a RangeError beyond the
// function's memory; list(path) → the directory's entry names, sorted.
// Paths are the ones lookup answered.
func (in *instance) fsNatives() goja.Value {
	vm := in.vm
	lookup := func(call goja.FunctionCall) goja.Value {
		l := in.fsLookup(call.Argument(0).String())
		o := vm.NewObject()
		if l.Error != "" {
			o.Set("error", l.Error)
			return o
		}
		o.Set("path", l.Path)
		o.Set("dir", l.Dir)
		o.Set("size", l.Size)
		o.Set("ino", l.Ino)
		return o
	}
	read := func(call goja.FunctionCall) goja.Value {
		b := in.fn.code.Files[strings.TrimPrefix(call.Argument(0).String(), "/")]
		start, end := call.Argument(1).ToInteger(), call.Argument(2).ToInteger()
		start, end = min(max(start, 0), int64(len(b))), min(max(end, 0), int64(len(b)))
		if end < start {
			end = start
		}
		if n := end - start; n > in.memoryBudget() {
			panic(in.jsError("RangeError", "File size is greater than the function's memory (config.json memorySize)"))
		}
		return vm.ToValue(vm.NewArrayBuffer(bytes.Clone(b[start:end])))
	}
	list := func(call goja.FunctionCall) goja.Value {
		rel, _, _ := fsPath(call.Argument(0).String())
		names := in.fn.fsIndex().dirs[rel]
		out := make([]any, len(names))
		for i, n := range names {
			out[i] = n
		}
		return vm.NewArray(out...)
	}
	return vm.ToValue(map[string]any{"lookup": lookup, "read": read, "list": list})
}
