package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"minibase/functions"
)

// fnFolder is a function folder to deploy.
type fnFolder struct{ name, dir string }

// hasEntry reports whether dir holds a function's entry point.
func hasEntry(dir string) bool {
	for _, f := range []string{"index.js", "index.ts"} {
		if fi, err := os.Stat(filepath.Join(dir, f)); err == nil && fi.Mode().IsRegular() {
			return true
		}
	}
	return false
}

// findFunctions returns dir when it is a function folder (named name, or
// after the folder), else the function folders in it (CloudBase's
// cloudfunctions/ layout); skipped lists its other subfolders.
func findFunctions(dir, name string) (found []fnFolder, skipped []string, err error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, nil, err
	}
	if hasEntry(abs) {
		if name == "" {
			name = filepath.Base(abs)
		}
		return []fnFolder{{name, abs}}, nil, nil
	}
	entries, err := os.ReadDir(abs)
	if err != nil {
		return nil, nil, err
	}
	for _, e := range entries {
		sub := filepath.Join(abs, e.Name())
		if fi, err := os.Stat(sub); err != nil || !fi.IsDir() || strings.HasPrefix(e.Name(), ".") || e.Name() == "node_modules" {
			continue
		}
		if hasEntry(sub) {
			found = append(found, fnFolder{e.Name(), sub})
		} else {
			skipped = append(skipped, e.Name())
		}
	}
	switch {
	case len(found) == 0:
		return nil, nil, fmt.Errorf("%s holds no index.js or index.ts, and no folder that does", dir)
	case name != "":
		return nil, nil, fmt.Errorf("--name names one function, and %s holds %d function folders", dir, len(found))
	}
	return found, skipped, nil
}

// zipFunction zips a function folder as the server takes it: every
// regular file, node_modules included, but not .git/, .DS_Store, nor the
// npm copies of the SDKs the runtime provides and the packages only they
// need (functions.LeaveOutFS; left says what it left out, nil when
// nothing). Symbolic links to files are followed, except into a folder
// left out (node_modules/.bin's); links to folders are left out (warnings
// says so). A folder over a function's limits is refused, naming its
// largest folders.
func zipFunction(dir string) (zipped []byte, left *functions.LeftOut, warnings []string, err error) {
	if left, err = functions.LeaveOutFS(os.DirFS(dir)); err != nil {
		return nil, nil, nil, err
	}
	sizes := make(map[string]int64)
	var total int64
	err = filepath.WalkDir(dir, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		switch {
		case de.IsDir() && (de.Name() == ".git" || left.Holds(rel)):
			return filepath.SkipDir
		case de.IsDir() || de.Name() == ".DS_Store":
			return nil
		case de.Type()&fs.ModeSymlink != 0:
			fi, err := os.Stat(p)
			if err != nil || !fi.Mode().IsRegular() {
				warnings = append(warnings, "left out "+rel+": a symbolic link to a folder or to nothing")
				return nil
			}
			if target, err := filepath.EvalSymlinks(p); err == nil {
				if t, err := filepath.Rel(dir, target); err == nil && left.Holds(filepath.ToSlash(t)) {
					return nil
				}
			}
			sizes[rel] = fi.Size()
		case !de.Type().IsRegular():
			return nil
		default:
			fi, err := de.Info()
			if err != nil {
				return err
			}
			sizes[rel] = fi.Size()
		}
		total += sizes[rel]
		return nil
	})
	if err != nil {
		return nil, left, warnings, err
	}
	if len(sizes) > functions.MaxFiles {
		return nil, left, warnings, fmt.Errorf("the folder holds %d files, more than the %d a function may hold; %s",
			len(sizes), functions.MaxFiles, functions.LargestFolders(sizes, true))
	}
	if total > functions.MaxCodeBytes {
		return nil, left, warnings, fmt.Errorf("the folder holds %s, more than the %s a function may hold; %s",
			size(total), size(functions.MaxCodeBytes), functions.LargestFolders(sizes, false))
	}
	files := make(map[string][]byte, len(sizes))
	for rel := range sizes {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			return nil, left, warnings, err
		}
		if total += int64(len(b)) - sizes[rel]; total > functions.MaxCodeBytes { // a file grew since it was measured
			return nil, left, warnings, fmt.Errorf("the folder holds more than %s (the limit of a function)", size(functions.MaxCodeBytes))
		}
		files[rel] = b
	}
	var buf bytes.Buffer
	if err := functions.WriteZip(&buf, files); err != nil {
		return nil, left, warnings, err
	}
	if buf.Len() > functions.MaxZipBytes {
		return nil, left, warnings, fmt.Errorf("the zip is %s, more than the %s a deployment may upload", size(int64(buf.Len())), size(functions.MaxZipBytes))
	}
	return buf.Bytes(), left, warnings, nil
}

// deployFunctions deploys the function folder dir, or every function
// folder in it, one after the other, showing each upload's progress on
// stderr, then a summary. It fails when any deployment failed.
func deployFunctions(ctx context.Context, cl *fnClient, dir, name string, stderr io.Writer) error {
	found, skipped, err := findFunctions(dir, name)
	if err != nil {
		return err
	}
	for _, s := range skipped {
		fmt.Fprintf(stderr, "skipping %s/: no index.js or index.ts\n", s)
	}
	width := 0
	for _, f := range found {
		width = max(width, len(f.name))
	}
	live := isTerminal(stderr)
	var deployed, unchanged, failed int
	for _, f := range found {
		line := fmt.Sprintf("%-*s  ", width, f.name)
		v, err := deployOne(ctx, cl, f, line, live, stderr)
		switch {
		case err != nil:
			failed++
			msg := strings.ReplaceAll(err.Error(), "\n", "\n    ")
			fmt.Fprintf(stderr, "FAILED: %s\n", msg)
		case v.Unchanged:
			unchanged++
			fmt.Fprintf(stderr, "unchanged, v%d (%s)\n", v.Number, v.Version)
		default:
			deployed++
			how := ""
			if v.Bundled {
				how = ", bundled"
			}
			fmt.Fprintf(stderr, "deployed v%d (%s%s)\n", v.Number, v.Version, how)
		}
	}
	fmt.Fprintf(stderr, "%d deployed, %d unchanged, %d failed\n", deployed, unchanged, failed)
	if failed > 0 {
		return fmt.Errorf("%d of %d functions failed to deploy", failed, len(found))
	}
	return nil
}

// deployOne zips and uploads one folder. The progress line (prefix, bytes
// sent / total) is redrawn while it uploads when stderr is a terminal; the
// caller ends the line with the outcome.
func deployOne(ctx context.Context, cl *fnClient, f fnFolder, prefix string, live bool, stderr io.Writer) (*deployedVersion, error) {
	if !functions.ValidName(f.name) {
		fmt.Fprint(stderr, prefix)
		return nil, fmt.Errorf("%q is not a function name: a letter, then up to 59 letters, digits, '-' or '_' (use --name)", f.name)
	}
	zipped, left, warnings, err := zipFunction(f.dir)
	for _, w := range warnings {
		fmt.Fprintf(stderr, "%s%s\n", prefix, w)
	}
	if left != nil {
		fmt.Fprintf(stderr, "%sleft out %s\n", prefix, left)
	}
	if err != nil {
		fmt.Fprint(stderr, prefix)
		return nil, err
	}
	total := int64(len(zipped))
	p := &progress{r: bytes.NewReader(zipped), show: func(sent int64) {
		if live {
			fmt.Fprintf(stderr, "\r%s%s / %s ", prefix, size(sent), size(total))
		}
	}}
	raw, err := cl.do(ctx, "PUT", "/v1/admin/functions/"+f.name, "application/zip", p, total)
	if live {
		fmt.Fprint(stderr, "\r")
	}
	fmt.Fprintf(stderr, "%s%s / %s  ", prefix, size(p.count()), size(total))
	if err != nil {
		return nil, err
	}
	var v deployedVersion
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("the server's answer: %w", err)
	}
	return &v, nil
}

// progress counts the bytes read from r (sent), calling show at most every
// 100 ms.
type progress struct {
	r    io.Reader
	show func(sent int64)

	mu   sync.Mutex
	sent int64
	last time.Time
}

func (p *progress) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sent += int64(n)
	if now := time.Now(); now.Sub(p.last) >= 100*time.Millisecond || errors.Is(err, io.EOF) {
		p.last = now
		p.show(p.sent)
	}
	return n, err
}

// count returns the bytes sent so far (the transport may still be reading
// when the answer arrives early, as a refusal does).
func (p *progress) count() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sent
}

// size formats a byte count: 812 B, 12.3 KiB, 4.0 MiB.
func size(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

// isTerminal reports whether w is a terminal (the progress is redrawn in
// place only there).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
