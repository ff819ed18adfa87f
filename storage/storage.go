// Package storage is minibase's object storage: files addressed by fileIDs
// (cloud://<env>.<bucket>/<cloudPath>, as in CloudBase), kept in buckets with
// settings (largest file, allowed content types, access rule), served over
// the API (upload, temporary URLs, delete, download) and as CDN-style URLs
// /f/<bucket>/<path> — public, or signed with an expiry.
//
// Bytes live behind the Bucket interface: storage/local (the default, files
// on disk) and storage/s3 (MinIO or any S3), both passing the conformance
// suite in storage/storagetest. Every minibase bucket is a key prefix
// "<bucket>/" in that one backend.
package storage

import (
	"context"
	"errors"
	"io"
	"mime"
	"path"
	"strings"
	"time"
)

// Bucket is a flat store of objects by key, the only thing Service needs
// from a backend. Keys are slash-separated paths that Service has already
// validated (ValidKey); backends check them again and refuse anything that
// could leave their namespace. A Bucket is safe for concurrent use.
type Bucket interface {
	// Put stores r's bytes under key, replacing any object there. The new
	// object becomes visible whole, or not at all: when r fails (ErrTooLarge,
	// a truncated upload, ctx ends) Put returns the error, leaves the old
	// object as it was, and removes what it wrote.
	Put(ctx context.Context, key string, r io.Reader, opts PutOptions) (ObjectInfo, error)
	// Open returns the object's content, seekable for ranges, and its info.
	// The caller closes the reader. A missing key is ErrNotExist.
	Open(ctx context.Context, key string) (io.ReadSeekCloser, ObjectInfo, error)
	// Stat returns the object's info; a missing key is ErrNotExist.
	Stat(ctx context.Context, key string) (ObjectInfo, error)
	// Delete removes the object; deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// List returns objects in ascending byte order of key (see ListOptions).
	List(ctx context.Context, opts ListOptions) (ListPage, error)
}

// Presigner is implemented by backends whose objects a client can fetch
// directly (S3): Service then redirects downloads to a presigned URL
// instead of proxying the bytes.
type Presigner interface {
	// PresignGet returns a URL that GETs key until ttl has passed.
	PresignGet(ctx context.Context, key string, ttl time.Duration) (string, error)
}

// PutOptions describe an object being stored.
type PutOptions struct {
	ContentType string // stored and served as Content-Type; empty: application/octet-stream
	Owner       string // the openid of the end user who uploaded it; empty for admins
	// MaxSize is the most the reader will yield (the bucket's max file
	// size), or 0 when unknown: a hint for sizing buffers (S3 parts).
	MaxSize int64
}

// ObjectInfo describes a stored object. List results from some backends
// (S3) lack ContentType and Owner.
type ObjectInfo struct {
	Key         string    `json:"key"`
	Size        int64     `json:"size"`
	ContentType string    `json:"contentType,omitempty"`
	ETag        string    `json:"etag"` // quoted, as sent in the ETag header; changes whenever the content may have
	ModTime     time.Time `json:"modTime"`
	Owner       string    `json:"owner,omitempty"`
}

// ListOptions select a page of a List.
type ListOptions struct {
	Prefix string // only keys starting with Prefix
	After  string // only keys (and folder prefixes) greater than After: the previous page's Next
	Limit  int    // at most this many entries (objects plus folders); 0 or more than MaxList: MaxList
	// Folders, when set, lists one level like a directory: keys with a "/"
	// after Prefix are rolled up into Prefixes ("photos/2024/").
	Folders bool
}

// MaxList is the largest page of a List.
const MaxList = 1000

// ListPage is one page of a List. Next is empty on the last page, else the
// After of the next one.
type ListPage struct {
	Objects  []ObjectInfo `json:"objects"`
	Prefixes []string     `json:"prefixes,omitempty"`
	Next     string       `json:"next,omitempty"`
}

// Backend errors. Backends return (or wrap) these so Service can tell
// what happened; anything else is an internal failure.
var (
	ErrNotExist = errors.New("object does not exist")
	ErrTooLarge = errors.New("object is larger than allowed")
	ErrBadKey   = errors.New("invalid object key")
	// ErrConflict: a key needs a folder where an object is, or the other way
	// round. Backends on a file system report it; S3 holds both.
	ErrConflict = errors.New("a file and a folder would have the same name")
)

// DefaultContentType is the type of objects stored without one.
const DefaultContentType = "application/octet-stream"

// TypeByName guesses a content type from a file name's extension
// (mime.TypeByExtension), else DefaultContentType.
func TypeByName(name string) string {
	if t := mime.TypeByExtension(strings.ToLower(path.Ext(name))); t != "" {
		return t
	}
	return DefaultContentType
}
