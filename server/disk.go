package server

import (
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"minibase/db/sqlite"
	"minibase/functions"
	"minibase/storage"
)

// reserveFile is the disk reserve's file in the data directory.
const reserveFile = "disk_reserve"

// roomEvery is how often a full disk is looked at again for room.
const roomEvery = time.Second

// diskReserve keeps a file of reserve bytes in the data directory. When a
// write fails because the disk is full, it deletes the file and the disk
// counts as full: writes that take space are refused at once (507), and
// deletes run, in the released space (SQLite needs some to delete), so
// that users and operators can free space. Once the disk has room for
// the reserve twice over, the file is made again and writes are accepted.
// It is the Space of the database, the file store and the functions
// folder. Size 0 keeps no file: a full disk refuses writes until it has
// 1 MiB free.
type diskReserve struct {
	dir, path string
	size      int64
	log       *slog.Logger
	full      atomic.Bool

	mu      sync.Mutex // held while looking for room
	checked time.Time  // the last look
}

var (
	_ sqlite.Space    = (*diskReserve)(nil)
	_ storage.Space   = (*diskReserve)(nil)
	_ functions.Space = (*diskReserve)(nil)
)

// openReserve makes (or finds) the reserve file of size bytes in dir. A
// disk too full for it is full from the start.
func openReserve(dir string, size int64, log *slog.Logger) *diskReserve {
	r := &diskReserve{dir: dir, path: filepath.Join(dir, reserveFile), size: size, log: log}
	if err := r.fill(); err != nil {
		if storage.DiskFull(err) {
			r.full.Store(true)
			r.checked = time.Now()
			log.Error("disk full: no room for the disk reserve; writes that need space answer 507 until there is", "dir", dir, "reserve", size)
		} else {
			log.Warn("disk reserve not made: a full disk may keep deletes from running", "path", r.path, "err", err)
		}
	}
	return r
}

// fill makes the reserve file, or checks that it is whole.
func (r *diskReserve) fill() error {
	if r.size <= 0 {
		if err := os.Remove(r.path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		return nil
	}
	if fi, err := os.Stat(r.path); err == nil && fi.Size() == r.size {
		return nil
	}
	f, err := os.OpenFile(r.path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	err = allocate(f, r.size)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(r.path)
		return fmt.Errorf("make the disk reserve: %w", err)
	}
	return nil
}

// Full reports whether the disk is full. While it is, it looks for room
// at most once per roomEvery (a statfs), and when there is, makes the
// reserve again and reports false.
func (r *diskReserve) Full() bool {
	if !r.full.Load() {
		return false
	}
	if !r.mu.TryLock() {
		return true // another write is looking
	}
	defer r.mu.Unlock()
	if !r.full.Load() || time.Since(r.checked) < roomEvery {
		return r.full.Load()
	}
	r.checked = time.Now()
	free, err := freeBytes(r.dir)
	if err != nil || free < max(2*r.size, 1<<20) || r.fill() != nil {
		return true
	}
	r.full.Store(false)
	r.log.Info("disk has room again: the disk reserve is back and writes are accepted", "dir", r.dir, "free", free)
	return false
}

// Exhausted releases the reserve, once per time the disk fills up.
func (r *diskReserve) Exhausted() {
	if r.full.Swap(true) {
		return
	}
	r.mu.Lock()
	r.checked = time.Now()
	r.mu.Unlock()
	err := os.Remove(r.path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		r.log.Error("disk full, and the disk reserve could not be released", "path", r.path, "err", err)
	}
	r.log.Error("disk full: writes that need space answer 507 (DISK_FULL) until the disk has room again; "+
		"deletes still work, in the space the disk reserve released", "dir", r.dir, "released", r.size)
}

// writeReserve writes size bytes to f: random ones, which a compressing
// file system cannot store in less space.
func writeReserve(f *os.File, size int64) error {
	buf := make([]byte, min(size, 1<<20))
	src := rand.NewChaCha8([32]byte{})
	for left := size; left > 0; left -= int64(len(buf)) {
		buf = buf[:min(left, int64(len(buf)))]
		src.Read(buf)
		if _, err := f.Write(buf); err != nil {
			return err
		}
	}
	return nil
}
