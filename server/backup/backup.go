// Package backup writes and restores minibase's backups: one tar.gz
// archive holding a consistent snapshot of the database (data.db), the
// functions' folders with their version history (functions/), the local
// file store (storage/) and the data directory's keys, followed by a
// manifest (manifest.json, the archive's last entry) giving each entry's
// size and SHA-256.
//
// Why tar.gz: it is written in one pass to any io.Writer (a file, an S3
// upload) without seeking back, every system can open it (tar xzf), and
// gzip's CRC-32 over the whole stream finds damage the per-entry SHA-256
// then names. The manifest comes last because the entries' hashes are
// known only once they are written; an archive without it (a killed or
// truncated write) is refused whole.
//
// The package knows the data directory's layout but no driver: the
// caller passes how to snapshot the database (Source.Snapshot). Where
// archives are kept is a Store: a folder (Dir) or anything else the
// server adapts (an S3 bucket).
package backup

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"time"
)

// FormatVersion is the manifest's format; Restore refuses a newer one.
const FormatVersion = 1

// ManifestName is the archive's last entry.
const ManifestName = "manifest.json"

// DatabaseName is the database snapshot's entry (and file in the data
// directory).
const DatabaseName = "data.db"

// Manifest describes an archive.
type Manifest struct {
	Format   int       `json:"format"`   // FormatVersion
	Minibase string    `json:"minibase"` // the version that wrote it
	Created  time.Time `json:"created"`
	Database string    `json:"database"` // how the database was copied: "sqlite-backup-api"
	Entries  []Entry   `json:"entries"`  // in archive order
	Bytes    int64     `json:"bytes"`    // the entries' total size
}

// Entry is one file of an archive.
type Entry struct {
	Name   string `json:"name"` // slash-separated, relative to the data directory
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"` // lowercase hex
}

// Info is an archive as a Store keeps it.
type Info struct {
	Name    string    `json:"name"`
	Size    int64     `json:"size"`
	Created time.Time `json:"created"`
	Where   string    `json:"where"` // "local" (the data directory's backups/) or "s3"
}

// namePattern is what an archive's name must look like: no path, no
// leading dot, ending .tar.gz.
var namePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,119}\.tar\.gz$`)

// CheckName returns an Error (CodeInvalidParam) when name cannot be an
// archive's name.
func CheckName(name string) error {
	if !namePattern.MatchString(name) {
		return Errorf(CodeInvalidParam, "invalid backup name %q: letters, digits, '.', '_' and '-', ending .tar.gz, at most 127 characters", name)
	}
	return nil
}

// NewName is the name of an archive created at t:
// minibase-20261207T153000Z.tar.gz.
func NewName(t time.Time) string {
	return "minibase-" + t.UTC().Format("20060102T150405Z") + ".tar.gz"
}

// Error is a failure a caller can act on, with its CloudBase code; the
// server answers it through Answer.
type Error struct {
	Code    string
	ErrCode int
	Message string
	status  int
}

func (e *Error) Error() string { return e.Message }

// Answer is what a client is told of e: its HTTP status, CloudBase's code
// name and number, and the message.
func (e *Error) Answer() (status int, code string, errCode int, message string) {
	return e.status, e.Code, e.ErrCode, e.Message
}

// Error codes.
const (
	CodeInvalidParam = "INVALID_PARAM"          // -501007: a bad name or request
	CodeNotFound     = "BACKUP_NOT_FOUND"       // -501007: no backup of that name
	CodeCorrupt      = "BACKUP_ARCHIVE_INVALID" // -501007: the archive is damaged, truncated, or not minibase's
	CodeBusy         = "BACKUP_IN_PROGRESS"     // -501004: a backup is being written
	CodeDiskFull     = "BACKUP_DISK_FULL"       // -501001: the disk filled up; nothing was kept
	CodeFailed       = "SYS_ERR"                // -501001: the backup could not be written
	CodePermission   = "PERMISSION_DENIED"      // -501007: not an admin
	CodeUnsupported  = "BACKUP_UNSUPPORTED"     // -501007: the database is not SQLite (PostgreSQL has its own tools)
)

var codes = map[string]struct{ errCode, status int }{
	CodeInvalidParam: {-501007, http.StatusBadRequest},
	CodeNotFound:     {-501007, http.StatusNotFound},
	CodeCorrupt:      {-501007, http.StatusUnprocessableEntity},
	CodeBusy:         {-501004, http.StatusConflict},
	CodeDiskFull:     {-501001, http.StatusInsufficientStorage},
	CodeFailed:       {-501001, http.StatusInternalServerError},
	CodePermission:   {-501007, http.StatusForbidden},
	CodeUnsupported:  {-501007, http.StatusBadRequest},
}

// Errorf returns an *Error with code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	c := codes[code]
	return &Error{Code: code, ErrCode: c.errCode, status: c.status, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode is the code of err when it is (or wraps) an *Error, else "".
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
