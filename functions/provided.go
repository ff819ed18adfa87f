package functions

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
)

// A CloudBase function folder lists wx-server-sdk in its package.json, and
// after `npm install` its node_modules/ holds the SDK and the hundred-odd
// packages it pulls in (5,846 files, 22 MB, for wx-server-sdk@4.0.2 as
// npm resolves it today; more with other versions): a good part of what a
// function may hold, and none of it would run here, since the runtime
// answers require('wx-server-sdk') itself. A
// deployment (the CLI, the zip reader, a JSON deployment) leaves those
// copies out, and says so.

// providedModules are packages the runtime supplies: a function's
// package.json may list them without needing a bundle, a bundle leaves
// them to require() (Node's built-ins are left out by platform "node"),
// and a deployment leaves their npm copies out (LeaveOutFS, leaveOut).
var providedModules = []string{"wx-server-sdk", "@cloudbase/node-sdk", "tcb-admin-node"}

// LeftOut is what a deployment left out of a function folder: the npm
// copies of the packages the runtime provides, and the packages only they
// need.
type LeftOut struct {
	SDKs     []string `json:"sdks"`     // the provided packages the folder lists, or that no other pulls in, in providedModules' order
	Packages int      `json:"packages"` // the other packages left out (a provided one another pulls in too)
	Files    int      `json:"files"`    // the files left out
	Bytes    int64    `json:"bytes"`    // their size
	Dirs     []string `json:"-"`        // the folders left out (node_modules/wx-server-sdk, …), sorted

	dirs map[string]bool // Dirs
}

// Holds reports whether the file or folder at slash path p is inside a
// folder l leaves out. A nil l holds nothing.
func (l *LeftOut) Holds(p string) bool {
	if l == nil {
		return false
	}
	for ; p != "." && p != "/" && p != ""; p = path.Dir(p) {
		if l.dirs[p] {
			return true
		}
	}
	return false
}

// add leaves the folder dir out.
func (l *LeftOut) add(dir string) {
	if l.dirs == nil {
		l.dirs = make(map[string]bool)
	}
	l.dirs[dir] = true
	l.Dirs = append(l.Dirs, dir)
}

// String says what was left out and why, as the CLI's progress line does:
// "wx-server-sdk and 143 packages only it needs (24.4 MiB): the runtime
// provides it". A nil l says "".
func (l *LeftOut) String() string {
	if l == nil || len(l.SDKs) == 0 {
		return ""
	}
	subject, verb, object := "it", "needs", "it"
	if len(l.SDKs) > 1 {
		subject, verb, object = "they", "need", "them"
	}
	var b strings.Builder
	for i, s := range l.SDKs {
		switch {
		case i == 0:
		case i == len(l.SDKs)-1 && l.Packages == 0:
			b.WriteString(" and ")
		default:
			b.WriteString(", ")
		}
		b.WriteString(s)
	}
	switch l.Packages {
	case 0:
	case 1:
		fmt.Fprintf(&b, " and 1 package only %s %s", subject, verb)
	default:
		fmt.Fprintf(&b, " and %d packages only %s %s", l.Packages, subject, verb)
	}
	if l.Bytes > 0 {
		fmt.Fprintf(&b, " (%s)", sizeText(l.Bytes))
	}
	fmt.Fprintf(&b, ": the runtime provides %s", object)
	return b.String()
}

// isManifest reports whether the file at slash path p is a package.json
// that leaveOut reads: the folder's own, or a package's in node_modules/.
func isManifest(p string) bool {
	if p == "package.json" {
		return true
	}
	_, ok := packageOf(p)
	return ok
}

// isOwnSource reports whether the file at slash path p is the function's
// own code, whose require() and import names leaveOut reads: a script
// outside node_modules/.
func isOwnSource(p string) bool {
	if strings.HasPrefix(p, "node_modules/") || strings.Contains(p, "/node_modules/") {
		return false
	}
	switch path.Ext(p) {
	case ".js", ".cjs", ".mjs", ".ts", ".cts", ".mts", ".jsx", ".tsx":
		return !strings.HasSuffix(p, ".d.ts")
	}
	return false
}

// maxManifestBytes bounds one package.json leaveOut reads; a bigger one
// is read as declaring no dependencies.
const maxManifestBytes = 1 << 20

// leaveOut finds what a deployment of a function folder leaves out, from
// its manifests (the package.json files isManifest picks, by slash path)
// and its own sources (isOwnSource's): every copy of a provided package
// (wx-server-sdk, @cloudbase/node-sdk, tcb-admin-node), and each package
// reachable from one (dependencies, optionalDependencies and
// peerDependencies, resolved as Node does from the package's folder; not
// devDependencies, which npm does not install for a package) that
// nothing else needs. Kept, with everything they need in turn: the
// packages the folder's package.json lists (of any kind, devDependencies
// too), those its own code names in a require() or an import (the first
// segment of a bare name, or two for @scope/name), and every package no
// provided package reaches. A folder left out holds none of them. It
// returns nil when nothing is left out. Files and Bytes are the caller's
// to count.
func leaveOut(manifests, sources map[string][]byte) *LeftOut {
	g := npmGraph{pkgs: make(map[string]*npmPackage)}
	for p, b := range manifests {
		if dir, ok := packageOf(p); ok {
			g.pkgs[dir] = &npmPackage{dir: dir, name: packageName(dir), deps: dependencies(b, false)}
		}
	}
	var sdks []*npmPackage
	for _, p := range g.pkgs {
		if slices.Contains(providedModules, p.name) {
			sdks = append(sdks, p)
		}
	}
	if len(sdks) == 0 {
		return nil
	}
	reached := g.closure(sdks, false) // what the SDKs need
	var roots []*npmPackage
	want := func(name string) {
		if p := g.resolve("", name); p != nil {
			roots = append(roots, p)
		}
	}
	for _, name := range dependencies(manifests["package.json"], true) {
		want(name)
	}
	for p, b := range sources {
		if isOwnSource(p) {
			for _, name := range requiredNames(b) {
				want(name)
			}
		}
	}
	for _, p := range g.pkgs {
		if !reached[p] && !g.inside(p, reached) {
			roots = append(roots, p)
		}
	}
	kept := g.closure(roots, true)
	// The SDKs the message names: those the folder lists, and those no
	// other SDK pulls in (wx-server-sdk 4 needs @cloudbase/node-sdk).
	named := make(map[*npmPackage]bool)
	listed := dependencies(manifests["package.json"], true)
	for _, p := range sdks {
		named[p] = slices.Contains(listed, p.name)
		if !named[p] {
			named[p] = true
			for _, q := range sdks {
				if q != p && g.closure([]*npmPackage{q}, false)[p] {
					named[p] = false
					break
				}
			}
		}
	}
	return g.leftOut(reached, kept, named)
}

// LeaveOutFS finds what a deployment leaves out (leaveOut) of a function
// folder on disk (os.DirFS), nil when nothing: it reads the folder's
// package.json files and its own sources (at most MaxCodeBytes of them: a
// folder with more cannot be deployed anyway), and counts the files and
// bytes left out. Symbolic links are not followed.
func LeaveOutFS(fsys fs.FS) (*LeftOut, error) {
	manifests, sources := make(map[string][]byte), make(map[string][]byte)
	var own int64
	err := fs.WalkDir(fsys, ".", func(p string, de fs.DirEntry, err error) error {
		if err != nil || !de.Type().IsRegular() {
			return err
		}
		manifest, source := isManifest(p), isOwnSource(p)
		if !manifest && !source {
			return nil
		}
		fi, err := de.Info()
		if err != nil {
			return err
		}
		if manifest && fi.Size() > maxManifestBytes || source && own+fi.Size() > MaxCodeBytes {
			return nil
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		if manifest {
			manifests[p] = b
		} else {
			sources[p] = b
			own += int64(len(b))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	l := leaveOut(manifests, sources)
	if l == nil {
		return nil, nil
	}
	for _, d := range l.Dirs {
		err := fs.WalkDir(fsys, d, func(p string, de fs.DirEntry, err error) error {
			if err != nil || de.IsDir() {
				return err
			}
			l.Files++
			if fi, err := de.Info(); err == nil {
				l.Bytes += fi.Size()
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return l, nil
}

// leaveOutFiles removes from a function's files what leaveOut leaves out,
// and returns it, counted (nil: nothing).
func leaveOutFiles(files map[string][]byte) *LeftOut {
	manifests, sources := make(map[string][]byte), make(map[string][]byte)
	for p, b := range files {
		switch {
		case isManifest(p):
			manifests[p] = b
		case isOwnSource(p):
			sources[p] = b
		}
	}
	l := leaveOut(manifests, sources)
	for p, b := range files {
		if l.Holds(p) {
			l.Files++
			l.Bytes += int64(len(b))
			delete(files, p)
		}
	}
	return l
}

// npmGraph is the packages of a node_modules/ tree, by folder.
type npmGraph struct{ pkgs map[string]*npmPackage }

type npmPackage struct {
	dir  string   // node_modules/a, node_modules/a/node_modules/@s/b
	name string   // a, @s/b
	deps []string // the names its package.json depends on
}

// packageOf returns the folder of the package whose package.json is at
// manifest: node_modules/<name> or node_modules/@<scope>/<name>, at any
// depth (a folder starting with "." is not a package: .bin, .cache).
func packageOf(manifest string) (string, bool) {
	dir, ok := strings.CutSuffix(manifest, "/package.json")
	if !ok || checkPath(dir) != nil {
		return "", false
	}
	parts := strings.Split(dir, "/")
	n := len(parts)
	switch {
	case n >= 2 && parts[n-2] == "node_modules" && validPackageSegment(parts[n-1]) && parts[n-1][0] != '@':
		return dir, true
	case n >= 3 && parts[n-3] == "node_modules" && len(parts[n-2]) > 1 && parts[n-2][0] == '@' && validPackageSegment(parts[n-1]):
		return dir, true
	}
	return "", false
}

func validPackageSegment(s string) bool { return s != "" && s[0] != '.' && s != "node_modules" }

// packageName is the name of the package in folder dir (packageOf's).
func packageName(dir string) string {
	parts := strings.Split(dir, "/")
	n := len(parts)
	if parts[n-2][0] == '@' {
		return parts[n-2] + "/" + parts[n-1]
	}
	return parts[n-1]
}

// dependencies returns the names a package.json depends on:
// dependencies, optionalDependencies, peerDependencies (npm installs them
// too) and, with dev (the function's own package.json), devDependencies;
// none when it is not a JSON object, or bigger than maxManifestBytes.
func dependencies(manifest []byte, dev bool) []string {
	if len(manifest) == 0 || len(manifest) > maxManifestBytes {
		return nil
	}
	var m struct {
		Deps     map[string]json.RawMessage `json:"dependencies"`
		Optional map[string]json.RawMessage `json:"optionalDependencies"`
		Peer     map[string]json.RawMessage `json:"peerDependencies"`
		Dev      map[string]json.RawMessage `json:"devDependencies"`
	}
	if json.Unmarshal(manifest, &m) != nil {
		// A field of another type spoils the whole decoding: read the kinds one by one.
		var kinds map[string]json.RawMessage
		if json.Unmarshal(manifest, &kinds) != nil {
			return nil
		}
		for _, k := range []struct {
			name string
			into *map[string]json.RawMessage
		}{{"dependencies", &m.Deps}, {"optionalDependencies", &m.Optional}, {"peerDependencies", &m.Peer}, {"devDependencies", &m.Dev}} {
			json.Unmarshal(kinds[k.name], k.into)
		}
	}
	if !dev {
		m.Dev = nil // not installed for a package
	}
	var names []string
	for _, deps := range []map[string]json.RawMessage{m.Deps, m.Optional, m.Peer, m.Dev} {
		for name := range deps {
			names = append(names, name)
		}
	}
	return names
}

// resolve finds the package name that code in folder from (a package's,
// or "" for the function's own) gets, as Node does: from/node_modules/name,
// then in the node_modules/ of each folder above. Nil when none is there.
func (g *npmGraph) resolve(from, name string) *npmPackage {
	if name == "" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "/") {
		return nil
	}
	for dir := from; ; {
		if path.Base(dir) != "node_modules" {
			cand := "node_modules/" + name
			if dir != "" {
				cand = dir + "/" + cand
			}
			if p := g.pkgs[cand]; p != nil {
				return p
			}
		}
		if dir == "" {
			return nil
		}
		if dir = path.Dir(dir); dir == "." || dir == "/" {
			dir = ""
		}
	}
}

// closure returns from and every package they need, transitively; with
// skipProvided, the provided packages are not entered (the runtime
// answers them whoever asks).
func (g *npmGraph) closure(from []*npmPackage, skipProvided bool) map[*npmPackage]bool {
	seen := make(map[*npmPackage]bool)
	queue := slices.Clone(from)
	for len(queue) > 0 {
		p := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		if seen[p] || (skipProvided && slices.Contains(providedModules, p.name)) {
			continue
		}
		seen[p] = true
		for _, name := range p.deps {
			if d := g.resolve(p.dir, name); d != nil && !seen[d] {
				queue = append(queue, d)
			}
		}
	}
	return seen
}

// inside reports whether p's folder is inside that of a package in set.
func (g *npmGraph) inside(p *npmPackage, set map[*npmPackage]bool) bool {
	for dir := path.Dir(p.dir); dir != "." && dir != "/"; dir = path.Dir(dir) {
		if q := g.pkgs[dir]; q != nil && set[q] {
			return true
		}
	}
	return false
}

// leftOut is the folders of the packages reached and not kept, less those
// holding a kept package and those inside another one left out; the
// packages in them are counted as SDKs when named, else as packages.
func (g *npmGraph) leftOut(reached, kept, named map[*npmPackage]bool) *LeftOut {
	holding := make(map[string]bool) // folders with a kept package inside
	for q := range kept {
		for dir := path.Dir(q.dir); dir != "." && dir != "/" && !holding[dir]; dir = path.Dir(dir) {
			holding[dir] = true
		}
	}
	var dirs []string
	for p := range reached {
		if !kept[p] && !holding[p.dir] {
			dirs = append(dirs, p.dir)
		}
	}
	slices.Sort(dirs)
	l := &LeftOut{}
	for _, d := range dirs { // sorted: a folder comes before those inside it
		if !l.Holds(d) {
			l.add(d)
		}
	}
	if len(l.Dirs) == 0 {
		return nil
	}
	for _, p := range g.pkgs {
		if !l.Holds(p.dir) {
			continue
		}
		switch {
		case !named[p]:
			l.Packages++
		case !slices.Contains(l.SDKs, p.name):
			l.SDKs = append(l.SDKs, p.name)
		}
	}
	slices.SortFunc(l.SDKs, func(a, b string) int { return slices.Index(providedModules, a) - slices.Index(providedModules, b) })
	return l
}

// importName finds the module names of require("…"), import … from "…",
// import "…" and import("…") in a script. It is a scan, not a parse: it
// may find names in comments and strings, which only keeps more.
var importName = regexp.MustCompile(`(?:\brequire\s*\(\s*|\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["']([^"'\s]{1,214})["']`)

// requiredNames returns the package names a script's require() and
// import statements name (bare names only: not ./x, /x or node:x).
func requiredNames(src []byte) []string {
	var names []string
	for _, m := range importName.FindAllSubmatch(src, -1) {
		spec := string(m[1])
		if strings.HasPrefix(spec, ".") || strings.HasPrefix(spec, "/") || strings.Contains(spec, ":") {
			continue
		}
		parts := strings.SplitN(spec, "/", 3)
		name := parts[0]
		if name[0] == '@' && len(parts) > 1 {
			name += "/" + parts[1]
		}
		names = append(names, name)
	}
	return names
}
