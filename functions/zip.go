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
// central directory of millions of entries is refused before any work.
const maxZipEntries = 2 * MaxFiles

// ReadZip returns the files of a function folder uploaded as a zip (what
// CloudBase's console uploads). Directory entries are ignored, and so are
// macOS's __MACOSX/ and .DS_Store litter; when every file sits under one
// top folder ("sum/index.js") that folder is unwrapped. Refused, as
// INVALID_PARAM: a body that is not a zip, encrypted entries or unknown
// compression, symbolic links and other non-regular entries, paths that
// checkPath refuses ("..", absolute, backslashes), the same path twice, more
// than MaxFiles files, and more than MaxCodeBytes uncompressed — checked on
// the bytes actually inflated, whatever the entries declare.
func ReadZip(data []byte) (map[string][]byte, error) {
	if len(data) > MaxZipBytes {
		return nil, Errorf(CodeInvalidParam, "the zip is %d bytes, more than %d", len(data), MaxZipBytes)
	}
	files, err := readZip(data, true)
	if err != nil {
		return nil, err
	}
	return unwrapTop(files), nil
}

// readZip reads a zip's regular files; junk drops macOS's litter.
func readZip(data []byte, junk bool) (map[string][]byte, error) {
	r, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, Errorf(CodeInvalidParam, "the body is not a readable zip archive: %v", err)
	}
	if len(r.File) > maxZipEntries {
		return nil, Errorf(CodeInvalidParam, "the zip has %d entries, more than %d", len(r.File), maxZipEntries)
	}
	files := make(map[string][]byte)
	var total uint64
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
		if _, dup := files[f.Name]; dup {
			return nil, Errorf(CodeInvalidParam, "zip entry %q appears twice", f.Name)
		}
		if len(files) == MaxFiles {
			return nil, Errorf(CodeInvalidParam, "the zip holds more than %d files", MaxFiles)
		}
		if total += f.UncompressedSize64; total > MaxCodeBytes {
			return nil, Errorf(CodeInvalidParam, "the zip's files hold more than %d bytes uncompressed", MaxCodeBytes)
		}
		b, err := readEntry(f)
		if err != nil {
			return nil, err
		}
		files[f.Name] = b
	}
	return files, nil
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
func unwrapTop(files map[string][]byte) map[string][]byte {
	top := ""
	for p := range files {
		i := strings.IndexByte(p, '/')
		if i < 0 || (top != "" && p[:i] != top) {
			return files
		}
		top = p[:i]
	}
	if top == "" {
		return files
	}
	out := make(map[string][]byte, len(files))
	for p, b := range files {
		out[p[len(top)+1:]] = b
	}
	return out
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
