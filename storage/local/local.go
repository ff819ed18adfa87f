// Package local is the default storage backend: objects as plain files on
// disk. Under its directory, objects/<key> holds an object's bytes (so the
// tree can be read, copied and backed up with ordinary tools), meta/<key>
// its metadata as JSON, and tmp/ uploads in progress.
//
// Writes are atomic: the bytes go to a file in tmp/, are fsynced, and are
// renamed over the old object; a reader sees the old object or the new one,
// never a mix. Every path is checked (storage.ValidKey) and every file
// operation goes through an os.Root, so no key — and no symlink placed in
// the tree — can reach a file outside it.
package local

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sync"
	"syscall"

	"minibase/storage"
)

// Bucket is a storage.Bucket on a local directory.
type Bucket struct {
	root  *os.Root
	open  *opener // the read path: Open
	cache metaCache
}

var _ storage.Bucket = (*Bucket)(nil)

const (
	objectsDir = "objects/"
	metaDir    = "meta/"
	tmpDir     = "tmp/"
)

// Open returns the Bucket in dir, creating the directory when missing.
// Uploads left unfinished by a crash are removed. Close it when done.
func Open(dir string) (*Bucket, error) {
	for _, d := range []string{"", objectsDir, metaDir, tmpDir} {
		if err := os.MkdirAll(dir+"/"+d, 0o700); err != nil {
			return nil, fmt.Errorf("open storage dir: %w", err)
		}
	}
	if err := os.RemoveAll(dir + "/" + tmpDir); err != nil {
		return nil, fmt.Errorf("clear unfinished uploads: %w", err)
	}
	if err := os.Mkdir(dir+"/"+tmpDir, 0o700); err != nil {
		return nil, fmt.Errorf("open storage dir: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("open storage dir: %w", err)
	}
	op, err := newOpener(dir, root)
	if err != nil {
		root.Close()
		return nil, fmt.Errorf("open storage dir: %w", err)
	}
	return &Bucket{root: root, open: op, cache: newMetaCache(16384)}, nil
}

// Close releases the directory.
func (b *Bucket) Close() error { return errors.Join(b.open.close(), b.root.Close()) }

// sidecar is an object's metadata file. Ino and MTime identify the data
// file it belongs to: a reader that finds them different is looking at a
// write in progress (or one cut short by a crash) and does not trust it.
type sidecar struct {
	ContentType string `json:"contentType"`
	Owner       string `json:"owner,omitempty"`
	Size        int64  `json:"size"`
	Ino         uint64 `json:"ino"`
	MTime       int64  `json:"mtime"` // nanoseconds since the epoch
}

// Put implements storage.Bucket.
func (b *Bucket) Put(ctx context.Context, key string, r io.Reader, opts storage.PutOptions) (storage.ObjectInfo, error) {
	if !storage.ValidKey(key) {
		return storage.ObjectInfo{}, storage.ErrBadKey
	}
	if fi, err := b.root.Lstat(objectsDir + key); err == nil && fi.IsDir() {
		return storage.ObjectInfo{}, storage.ErrConflict
	}
	tmpData, tmpMeta := tmpDir+randomName(), tmpDir+randomName()
	done := false
	defer func() {
		if !done {
			b.root.Remove(tmpData)
			b.root.Remove(tmpMeta)
		}
	}()
	fi, err := b.writeData(ctx, tmpData, r)
	if err != nil {
		return storage.ObjectInfo{}, err
	}
	sc := sidecar{ContentType: opts.ContentType, Owner: opts.Owner, Size: fi.Size(), Ino: inode(fi), MTime: fi.ModTime().UnixNano()}
	if sc.ContentType == "" {
		sc.ContentType = storage.DefaultContentType
	}
	raw, _ := json.Marshal(sc) // a struct of strings and numbers always encodes
	if err := b.writeFile(tmpMeta, raw); err != nil {
		return storage.ObjectInfo{}, err
	}
	if err := b.commit(key, tmpMeta, tmpData); err != nil {
		return storage.ObjectInfo{}, err
	}
	done = true
	info := sc.info(key)
	b.cache.put(key, sc)
	return info, nil
}

// writeData copies r to a new file name, fsyncs it and returns its info.
func (b *Bucket) writeData(ctx context.Context, name string, r io.Reader) (fs.FileInfo, error) {
	f, err := b.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create upload file: %w", err)
	}
	defer f.Close()
	bufp := copyBufs.Get().(*[]byte)
	err = copyFull(ctx, f, r, *bufp)
	copyBufs.Put(bufp)
	if err != nil {
		return nil, err // the reader's error (ErrTooLarge, a cut upload, ctx), or the disk's
	}
	if err := f.Sync(); err != nil {
		return nil, fmt.Errorf("sync upload file: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("stat upload file: %w", err)
	}
	return fi, f.Close()
}

// writeFile writes data to a new file name and fsyncs it.
func (b *Bucket) writeFile(name string, data []byte) error {
	f, err := b.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("create metadata file: %w", err)
	}
	defer f.Close()
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("write metadata file: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync metadata file: %w", err)
	}
	return f.Close()
}

// commit renames the metadata, then the data (the moment the new object
// appears) into place, and fsyncs the directories. A Delete pruning empty
// folders at the same time can remove a parent between MkdirAll and
// Rename: then it tries again.
func (b *Bucket) commit(key, tmpMeta, tmpData string) error {
	var err error
	for range 3 {
		if err = b.renameInto(tmpMeta, metaDir+key); err == nil {
			break
		}
	}
	if err != nil {
		return err
	}
	for range 3 {
		if err = b.renameInto(tmpData, objectsDir+key); err == nil {
			return nil
		}
	}
	return err
}

// renameInto moves tmp to dst, creating dst's folders, and makes both
// durable.
func (b *Bucket) renameInto(tmp, dst string) error {
	dir := path.Dir(dst)
	created, err := b.mkdirs(dir)
	if err != nil {
		return err
	}
	if err := b.root.Rename(tmp, dst); err != nil {
		if errors.Is(err, syscall.EISDIR) || errors.Is(err, syscall.EEXIST) || errors.Is(err, syscall.ENOTEMPTY) {
			return storage.ErrConflict
		}
		return fmt.Errorf("rename into place: %w", err)
	}
	if err := b.syncDir(dir); err != nil {
		return err
	}
	if created { // the new folders' entries must be durable too
		for d := path.Dir(dir); d != "."; d = path.Dir(d) {
			if err := b.syncDir(d); err != nil {
				return err
			}
		}
	}
	return nil
}

// mkdirs creates dir and its parents, reporting whether any was created.
// A file in the way is storage.ErrConflict.
func (b *Bucket) mkdirs(dir string) (bool, error) {
	if fi, err := b.root.Stat(dir); err == nil {
		if !fi.IsDir() {
			return false, storage.ErrConflict
		}
		return false, nil
	}
	if err := b.root.MkdirAll(dir, 0o700); err != nil {
		if errors.Is(err, syscall.ENOTDIR) || errors.Is(err, fs.ErrExist) {
			return false, storage.ErrConflict
		}
		return false, fmt.Errorf("create folder: %w", err)
	}
	return true, nil
}

func (b *Bucket) syncDir(dir string) error {
	d, err := b.root.Open(dir)
	if err != nil {
		return fmt.Errorf("open folder to sync: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync folder: %w", err)
	}
	return nil
}

// Open implements storage.Bucket. The reader is the *os.File itself, so
// an HTTP server can send it with sendfile(2).
func (b *Bucket) Open(_ context.Context, key string) (io.ReadSeekCloser, storage.ObjectInfo, error) {
	if !storage.ValidKey(key) {
		return nil, storage.ObjectInfo{}, storage.ErrBadKey
	}
	f, err := b.open.open(objectsDir + key)
	if err != nil {
		return nil, storage.ObjectInfo{}, notExist(err)
	}
	fi, err := f.Stat()
	if err != nil || fi.IsDir() {
		f.Close()
		if err == nil {
			err = storage.ErrNotExist
		}
		return nil, storage.ObjectInfo{}, notExist(err)
	}
	return f, b.info(key, fi), nil
}

// Stat implements storage.Bucket.
func (b *Bucket) Stat(_ context.Context, key string) (storage.ObjectInfo, error) {
	if !storage.ValidKey(key) {
		return storage.ObjectInfo{}, storage.ErrBadKey
	}
	fi, err := b.root.Stat(objectsDir + key)
	if err != nil {
		return storage.ObjectInfo{}, notExist(err)
	}
	if fi.IsDir() {
		return storage.ObjectInfo{}, storage.ErrNotExist
	}
	return b.info(key, fi), nil
}

// Delete implements storage.Bucket; folders left empty are removed.
func (b *Bucket) Delete(_ context.Context, key string) error {
	if !storage.ValidKey(key) {
		return storage.ErrBadKey
	}
	b.cache.remove(key)
	if fi, err := b.root.Lstat(objectsDir + key); err != nil || fi.IsDir() {
		if err != nil && !errors.Is(notExist(err), storage.ErrNotExist) {
			return fmt.Errorf("delete: %w", err)
		}
		return nil // missing, or a folder: no object by that name
	}
	if err := b.root.Remove(objectsDir + key); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete: %w", err)
	}
	if err := b.root.Remove(metaDir + key); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete metadata: %w", err)
	}
	for _, top := range []string{objectsDir, metaDir} {
		for d := path.Dir(key); d != "."; d = path.Dir(d) {
			if b.root.Remove(top+d) != nil {
				break // not empty (or gone): stop pruning
			}
		}
	}
	return nil
}

// info returns the object's info from its metadata file, cached while the
// data file is the same (inode, mtime, size). When the metadata does not
// belong to the data file (a write in progress, or cut by a crash), the
// content type is guessed from the name.
func (b *Bucket) info(key string, fi fs.FileInfo) storage.ObjectInfo {
	ino, mtime, size := inode(fi), fi.ModTime().UnixNano(), fi.Size()
	if sc, ok := b.cache.get(key); ok && sc.Ino == ino && sc.MTime == mtime && sc.Size == size {
		return sc.info(key)
	}
	var sc sidecar
	raw, err := b.root.ReadFile(metaDir + key)
	if err == nil && json.Unmarshal(raw, &sc) == nil && sc.Ino == ino && sc.MTime == mtime && sc.Size == size {
		b.cache.put(key, sc)
		return sc.info(key)
	}
	sc.Ino, sc.MTime, sc.Size = ino, mtime, size
	sc.ContentType = storage.TypeByName(key)
	return sc.info(key)
}

func (sc sidecar) info(key string) storage.ObjectInfo {
	return storage.ObjectInfo{
		Key:         key,
		Size:        sc.Size,
		ContentType: sc.ContentType,
		ETag:        etag(sc.Ino, sc.MTime, sc.Size),
		ModTime:     timeFromNanos(sc.MTime),
		Owner:       sc.Owner,
	}
}

// notExist maps "no such file" (including a file where a folder was
// expected, and a symlink that would lead out of the tree) to
// storage.ErrNotExist.
func notExist(err error) error {
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) || errors.Is(err, syscall.EXDEV) || errors.Is(err, syscall.ELOOP) {
		return storage.ErrNotExist
	}
	return err
}

func inode(fi fs.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Ino
	}
	return 0
}

func randomName() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// copyBufs holds the buffers uploads are copied through: larger than
// io.Copy's 32 KiB, so a big upload costs fewer system calls.
var copyBufs = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

// copyFull copies r to f through buf, writing only full buffers (and the
// last part): readers such as a multipart part return a few KiB per Read,
// and a write per Read would cost many more system calls. It stops when
// ctx ends.
func copyFull(ctx context.Context, f *os.File, r io.Reader, buf []byte) error {
	for {
		n, rerr := 0, error(nil)
		for n < len(buf) && rerr == nil {
			var k int
			k, rerr = r.Read(buf[n:])
			n += k
		}
		if n > 0 {
			if _, err := f.Write(buf[:n]); err != nil {
				return fmt.Errorf("write upload file: %w", err)
			}
		}
		if rerr == io.EOF {
			return nil
		}
		if rerr != nil {
			return rerr
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// Ping checks that the directory takes new files: it writes, syncs and
// removes a small file in tmp/.
func (b *Bucket) Ping(context.Context) error {
	name := tmpDir + "ping-" + rand.Text()
	f, err := b.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("storage dir not writable: %w", err)
	}
	_, werr := f.Write([]byte("ping"))
	serr := f.Sync()
	cerr := f.Close()
	rerr := b.root.Remove(name)
	if err := errors.Join(werr, serr, cerr, rerr); err != nil {
		return fmt.Errorf("storage dir not writable: %w", err)
	}
	return nil
}
