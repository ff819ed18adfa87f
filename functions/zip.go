package functions

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// MaxZipBytes is the largest zip a deployment may upload (compressed; the
// server's request body limit applies too).
const MaxZipBytes = 50 << 20

// maxZipEntries bounds the entries of a zip, directories included, so a
// central directory of millions of entries is refused before any work. It
// allows for the npm copies of the SDKs a deployment leaves out (a
// wx-server-sdk install is some 6,000 files).
const maxZipEntries = 5 * MaxFiles

// ReadZip returns the files of a function folder uploaded as a zip (what
// CloudBase's console uploads), and what it left out of them (nil when
// nothing). Directory entries are ignored, and so are macOS's __MACOSX/
// and .DS_Store litter; when every file sits under one top folder
// ("sum/index.js") that folder is unwrapped. The npm copies of the SDKs the
// runtime provides, and the packages only they need, are left out
// (leaveOut, from the package.json files and the function's own sources,
// read first): they are never inflated and count toward no limit.
// Refused, as INVALID_PARAM: a body that is not a zip, encrypted entries or
// unknown compression, symbolic links and other non-regular entries, paths
// that checkPath refuses ("..", absolute, backslashes), the same path
// twice, more than MaxFiles files, and more than MaxCodeBytes uncompressed
// (the message names the largest folders) — checked on the bytes actually
// inflated, whatever the entries declare.
func ReadZip(data []byte) (map[string][]byte, *LeftOut, error) {
	if len(data) > MaxZipBytes {
		return nil, nil, Errorf(CodeInvalidParam, "the zip is %d bytes, more than %d", len(data), MaxZipBytes)
	}
	entries, err := zipFiles(data, true)
	if err != nil {
		return nil, nil, err
	}
	unwrapTop(entries)
	early, err := readForLeaveOut(entries)
	if err != nil {
		return nil, nil, err
	}
	left := leaveOut(early.manifests, early.sources)
	kept := entries[:0]
	for _, e := range entries {
		if left.Holds(e.path) {
			left.Files++
			left.Bytes += int64(e.UncompressedSize64)
			continue
		}
		kept = append(kept, e)
	}
	files, err := inflate(kept, early.read)
	return files, left, err
}

// readZip reads a zip's regular files, as they are named in it; junk
// drops macOS's litter.
func readZip(data []byte, junk bool) (map[string][]byte, error) {
	entries, err := zipFiles(data, junk)
	if err != nil {
		return nil, err
	}
	return inflate(entries, nil)
}

// zipFile is a regular file of a zip, at path in the function's folder.
type zipFile struct {
	*zip.File
	path string
}

// zipFiles lists a zip's regular files, checked: not encrypted, not a link
// or another kind of file, a clean path, each path once. Directories are
// skipped, and with junk macOS's litter.
func zipFiles(data []byte, junk bool) ([]zipFile, error) {
	r, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, Errorf(CodeInvalidParam, "the body is not a readable zip archive: %v", err)
	}
	if len(r.File) > maxZipEntries {
		return nil, Errorf(CodeInvalidParam, "the zip has %d entries, more than %d", len(r.File), maxZipEntries)
	}
	seen := make(map[string]bool, len(r.File))
	entries := make([]zipFile, 0, len(r.File))
	for _, f := range r.File {
		mode := f.Mode()
		switch {
		case mode.IsDir() || strings.HasSuffix(f.Name, "/"):
			continue
		case junk && (strings.HasPrefix(f.Name, "__MACOSX/") || path.Base(f.Name) == ".DS_Store"):
			continue
		case mode&fs.ModeSymlink != 0:
			return nil, Errorf(CodeInvalidParam, "zip entry %q is a symbolic link: a function holds only regular files", f.Name)
		case !mode.IsRegular():
			return nil, Errorf(CodeInvalidParam, "zip entry %q is not a regular file (%v)", f.Name, mode.Type())
		}
		if err := checkPath(f.Name); err != nil {
			return nil, err
		}
		if seen[f.Name] {
			return nil, Errorf(CodeInvalidParam, "zip entry %q appears twice", f.Name)
		}
		seen[f.Name] = true
		entries = append(entries, zipFile{f, f.Name})
	}
	return entries, nil
}

// early is what ReadZip inflates before it knows what it leaves out.
type early struct {
	manifests, sources map[string][]byte // by path (leaveOut's)
	read               map[*zip.File][]byte
}

// readForLeaveOut inflates the package.json files and the function's own
// sources of entries, at most MaxCodeBytes of them.
func readForLeaveOut(entries []zipFile) (*early, error) {
	e := &early{manifests: make(map[string][]byte), sources: make(map[string][]byte), read: make(map[*zip.File][]byte)}
	var total uint64
	for _, f := range entries {
		manifest, source := isManifest(f.path) && f.UncompressedSize64 <= maxManifestBytes, isOwnSource(f.path)
		if !manifest && !source {
			continue
		}
		if total += f.UncompressedSize64; total > MaxCodeBytes {
			return nil, Errorf(CodeInvalidParam, "the zip's scripts and package.json files hold more than %d bytes uncompressed", MaxCodeBytes)
		}
		b, err := readEntry(f.File)
		if err != nil {
			return nil, err
		}
		e.read[f.File] = b
		if manifest {
			e.manifests[f.path] = b
		} else {
			e.sources[f.path] = b
		}
	}
	return e, nil
}

// inflate reads entries, those in read already read, after checking
// their count and declared total against the limits of a function.
func inflate(entries []zipFile, read map[*zip.File][]byte) (map[string][]byte, error) {
	if len(entries) > MaxFiles {
		return nil, Errorf(CodeInvalidParam, "the zip holds more than %d files (%d)%s", MaxFiles, len(entries), largestIn(entries, true))
	}
	var total uint64
	for _, f := range entries {
		total += f.UncompressedSize64
	}
	if total > MaxCodeBytes {
		return nil, Errorf(CodeInvalidParam, "the zip's files hold more than %d bytes uncompressed%s", MaxCodeBytes, largestIn(entries, false))
	}
	files := make(map[string][]byte, len(entries))
	for _, f := range entries {
		b, ok := read[f.File]
		if !ok {
			var err error
			if b, err = readEntry(f.File); err != nil {
				return nil, err
			}
		}
		files[f.path] = b
	}
	return files, nil
}

// largestIn names the folders of entries that hold the most files (or
// bytes, as declared), for a message about a limit.
func largestIn(entries []zipFile, byFiles bool) string {
	sizes := make(map[string]int64, len(entries))
	for _, f := range entries {
		sizes[f.path] = int64(min(f.UncompressedSize64, 1<<62))
	}
	return "; " + LargestFolders(sizes, byFiles)
}

// readEntry inflates one entry, refusing one that yields more bytes than
// it declares (total is already checked against the declared sizes).
func readEntry(f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, Errorf(CodeInvalidParam, "zip entry %q: %v", f.Name, err)
	}
	defer rc.Close()
	want := f.UncompressedSize64
	buf := bytes.NewBuffer(make([]byte, 0, min(want, 1<<20)))
	n, err := io.Copy(buf, io.LimitReader(rc, int64(want)+1))
	switch {
	case errors.Is(err, zip.ErrFormat) || uint64(n) > want:
		return nil, Errorf(CodeInvalidParam, "zip entry %q holds more bytes than the %d it declares", f.Name, want)
	case err != nil:
		return nil, Errorf(CodeInvalidParam, "zip entry %q: %v", f.Name, err)
	case uint64(n) < want:
		return nil, Errorf(CodeInvalidParam, "zip entry %q holds %d bytes, fewer than the %d it declares", f.Name, n, want)
	}
	return buf.Bytes(), nil
}

// unwrapTop strips the one folder every file sits under, if there is one.
func unwrapTop(entries []zipFile) {
	top := ""
	for _, e := range entries {
		i := strings.IndexByte(e.path, '/')
		if i < 0 || (top != "" && e.path[:i] != top) {
			return
		}
		top = e.path[:i]
	}
	for i := range entries {
		entries[i].path = entries[i].path[len(top)+1:]
	}
}

// WriteZip writes files as a zip archive to w, in path order, deflated at
// the fastest level (the version history, and the CLI's uploads).
func WriteZip(w io.Writer, files map[string][]byte) error {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestSpeed)
	})
	names := make([]string, 0, len(files))
	for p := range files {
		names = append(names, p)
	}
	sort.Strings(names)
	for _, p := range names {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: p, Method: zip.Deflate})
		if err != nil {
			return fmt.Errorf("zip %s: %w", p, err)
		}
		if _, err := fw.Write(files[p]); err != nil {
			return fmt.Errorf("zip %s: %w", p, err)
		}
	}
	return zw.Close()
}
