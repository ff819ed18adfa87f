package backup

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
)

// Limits bound what an archive may hold; Restore and Verify refuse one
// past them before writing anything. Zero fields take the defaults.
type Limits struct {
	MaxEntries  int   // files (default 1,000,000)
	MaxBytes    int64 // their total size (default 1 TiB)
	MaxManifest int64 // the manifest's size (default 256 MiB)
}

func (l Limits) withDefaults() Limits {
	if l.MaxEntries <= 0 {
		l.MaxEntries = 1_000_000
	}
	if l.MaxBytes <= 0 {
		l.MaxBytes = 1 << 40
	}
	if l.MaxManifest <= 0 {
		l.MaxManifest = 256 << 20
	}
	return l
}

// maxNameLen bounds an entry's name.
const maxNameLen = 4096

// checkEntryName refuses a name that could land outside the folder it is
// restored into, or that is not one Write makes: absolute, with "..", "."
// or empty elements, a backslash, a NUL, or too long.
func checkEntryName(name string) error {
	switch {
	case len(name) > maxNameLen:
		return fmt.Errorf("name longer than %d bytes", maxNameLen)
	case !fs.ValidPath(name) || name == ".":
		return fmt.Errorf("unsafe name %q (absolute, or with .. or empty elements)", name)
	case strings.ContainsAny(name, "\\\x00"):
		return fmt.Errorf("unsafe name %q (a backslash or NUL)", name)
	}
	return nil
}

// corrupt is the error of an archive that cannot be restored.
func corrupt(format string, args ...any) error {
	return Errorf(CodeCorrupt, "the backup archive is damaged, incomplete or not minibase's: "+format, args...)
}

// Verify reads a whole archive from r and checks it: gzip's checksum,
// only regular files with safe names, each at most once, within lim, and
// the manifest last, of a known format, listing exactly those files with
// their sizes and SHA-256. It returns the manifest, or an Error
// (CodeCorrupt) saying what is wrong. It writes nothing.
func Verify(r io.Reader, lim Limits) (*Manifest, error) {
	return readArchive(r, lim, nil, nil)
}

// readArchive is Verify that hands each file's content to each (nil:
// discarded) as it reads it. With want (a manifest Verify returned), each
// file must be want's next entry, checked after each returns (so a file
// read in a second pass matches the first's); readArchive then fails on
// the first difference.
func readArchive(r io.Reader, lim Limits, want *Manifest, each func(e Entry, body io.Reader) error) (*Manifest, error) {
	lim = lim.withDefaults()
	br := bufio.NewReaderSize(r, 1<<16)
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, corrupt("not a gzip stream (%v)", err)
	}
	zr.Multistream(false)
	tr := tar.NewReader(zr)
	var seen []Entry
	names := map[string]bool{}
	var total int64
	var m *Manifest
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, corrupt("reading entry %d: %v", len(seen)+1, err)
		}
		if m != nil {
			return nil, corrupt("%q comes after the manifest", hdr.Name)
		}
		if hdr.Typeflag != tar.TypeReg {
			return nil, corrupt("%q is not a regular file (type %q): links and devices are refused", hdr.Name, hdr.Typeflag)
		}
		if err := checkEntryName(hdr.Name); err != nil {
			return nil, corrupt("entry %d: %v", len(seen)+1, err)
		}
		if hdr.Size < 0 || hdr.Size > lim.MaxBytes-total {
			return nil, corrupt("%q makes the archive larger than %d bytes", hdr.Name, lim.MaxBytes)
		}
		if hdr.Name == ManifestName {
			if m, err = readManifest(tr, hdr.Size, lim); err != nil {
				return nil, err
			}
			continue
		}
		if names[hdr.Name] {
			return nil, corrupt("%q appears twice", hdr.Name)
		}
		if len(seen) >= lim.MaxEntries {
			return nil, corrupt("more than %d files", lim.MaxEntries)
		}
		names[hdr.Name] = true
		e, err := readEntry(tr, hdr, want, len(seen), each)
		if err != nil {
			return nil, err
		}
		seen = append(seen, e)
		total += e.Size
	}
	// The rest of the gzip stream (its checksum) and nothing after it.
	if _, err := io.Copy(io.Discard, zr); err != nil {
		return nil, corrupt("%v", err)
	}
	if _, err := br.ReadByte(); err != io.EOF {
		return nil, corrupt("data after the end of the archive")
	}
	if m == nil {
		return nil, corrupt("it has no manifest (a backup that did not finish, or a truncated copy)")
	}
	return m, checkManifest(m, seen, total)
}

// readEntry reads one file's content, through each when set, and hashes
// it; with want it must be want's entry i.
func readEntry(tr *tar.Reader, hdr *tar.Header, want *Manifest, i int, each func(Entry, io.Reader) error) (Entry, error) {
	e := Entry{Name: hdr.Name, Size: hdr.Size}
	if want != nil && (i >= len(want.Entries) || want.Entries[i].Name != e.Name || want.Entries[i].Size != e.Size) {
		return e, corrupt("%q is not the file the archive held when it was checked (it changed meanwhile)", e.Name)
	}
	h := sha256.New()
	body := archiveReader{io.TeeReader(tr, h)}
	var err error
	if each != nil {
		err = each(e, body)
	}
	if err == nil {
		_, err = io.Copy(io.Discard, body)
	}
	if err != nil {
		var re readErr
		if errors.As(err, &re) {
			return e, corrupt("reading %q: %v", e.Name, re.error)
		}
		return e, err
	}
	e.SHA256 = hex.EncodeToString(h.Sum(nil))
	if want != nil && want.Entries[i].SHA256 != e.SHA256 {
		return e, corrupt("%q is not the file the archive held when it was checked (it changed meanwhile)", e.Name)
	}
	return e, nil
}

// readErr marks an error of reading the archive, as opposed to one of
// writing what was read (a full disk while restoring).
type readErr struct{ error }

func (e readErr) Unwrap() error { return e.error }

// archiveReader wraps the errors of reading an entry in readErr.
type archiveReader struct{ r io.Reader }

func (a archiveReader) Read(p []byte) (int, error) {
	n, err := a.r.Read(p)
	if err != nil && err != io.EOF {
		err = readErr{err}
	}
	return n, err
}

// readManifest decodes the manifest entry.
func readManifest(tr *tar.Reader, size int64, lim Limits) (*Manifest, error) {
	if size > lim.MaxManifest {
		return nil, corrupt("the manifest is larger than %d bytes", lim.MaxManifest)
	}
	b, err := io.ReadAll(tr)
	if err != nil {
		return nil, corrupt("reading the manifest: %v", err)
	}
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&m); err != nil {
		return nil, corrupt("the manifest is not valid JSON (%v)", err)
	}
	return &m, nil
}

// checkManifest compares the manifest with the files read.
func checkManifest(m *Manifest, seen []Entry, total int64) error {
	if m.Format < 1 {
		return corrupt("the manifest has no format version")
	}
	if m.Format > FormatVersion {
		return Errorf(CodeCorrupt, "the backup archive is of format %d, written by a newer minibase (%s); this one reads format %d: restore it with that version or later",
			m.Format, m.Minibase, FormatVersion)
	}
	if len(m.Entries) != len(seen) {
		return corrupt("the manifest lists %d files, the archive holds %d", len(m.Entries), len(seen))
	}
	for i, e := range seen {
		if m.Entries[i] != e {
			return corrupt("%q does not match the manifest (size %d, SHA-256 %s; the manifest says %d, %s)",
				e.Name, e.Size, e.SHA256, m.Entries[i].Size, m.Entries[i].SHA256)
		}
	}
	if m.Bytes != total {
		return corrupt("the manifest's total is %d bytes, the files' %d", m.Bytes, total)
	}
	if len(seen) == 0 || seen[0].Name != DatabaseName {
		return corrupt("it holds no database (%s)", DatabaseName)
	}
	return nil
}
