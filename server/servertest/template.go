package servertest

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"minibase/server"
)

// A server opened on an empty directory spends most of Open creating its
// two SQLite databases' schemas: opened and closed, it takes 50-120 ms
// (about 230 ms under -race); on a directory a server has initialised
// already, 20-25 ms (80-110 ms; BenchmarkNew, on the project's 2-core
// machine under other jobs' load). So the first New of a test binary
// opens a server on an empty directory with the default settings, closes
// it, and keeps the directory's files in memory; every New without
// Options.Dir writes them into its own directory before opening. Each
// server is still a fresh one, with no data: the copies share only the
// keys Open generated (token signing, URL signing), and Open redoes what
// depends on the settings (the storage backend, the disk reserve). The
// local file store (storage/) holds the default bucket, made by the first
// Open with MINIBASE_STORAGE_MAX_SIZE: a server with another max size
// starts without it, and makes its own.
var template struct {
	once    sync.Once
	files   []file
	maxSize int64 // the default bucket's in storage/
	err     error
}

// file is a file or folder of the template, its path relative.
type file struct {
	path string
	mode fs.FileMode
	data []byte
}

// copyTemplate writes the template's files into opts.Dir, all but the file
// store when opts make a default bucket of another size.
func copyTemplate(opts Options) error {
	template.once.Do(func() { template.files, template.maxSize, template.err = makeTemplate() })
	if template.err != nil {
		return template.err
	}
	dir := opts.Dir
	cfg, err := config(opts) // an error is Open's to report
	otherBucket := err == nil && cfg.Storage.MaxSize != template.maxSize
	for _, f := range template.files {
		if otherBucket && (f.path == "storage" || strings.HasPrefix(f.path, "storage"+string(filepath.Separator))) {
			continue
		}
		p := filepath.Join(dir, f.path)
		var err error
		if f.mode.IsDir() {
			err = os.MkdirAll(p, f.mode.Perm())
		} else {
			err = os.WriteFile(p, f.data, f.mode.Perm())
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// makeTemplate initialises a data directory and reads it into memory,
// with the max size of the default bucket it holds.
func makeTemplate() ([]file, int64, error) {
	dir, err := os.MkdirTemp("", "servertest-template-")
	if err != nil {
		return nil, 0, err
	}
	defer os.RemoveAll(dir)
	cfg, err := config(Options{Dir: dir})
	if err != nil {
		return nil, 0, err
	}
	srv := &server.Server{Config: cfg, Out: io.Discard, Log: slog.New(slog.DiscardHandler)}
	err = srv.Open(context.Background())
	if cerr := srv.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, 0, fmt.Errorf("initialise a data directory: %w", err)
	}
	var files []file
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		info, err := d.Info()
		if err != nil {
			return err
		}
		f := file{path: rel, mode: info.Mode()}
		if !d.IsDir() {
			if f.data, err = os.ReadFile(p); err != nil {
				return err
			}
		}
		files = append(files, f)
		return nil
	})
	return files, cfg.Storage.MaxSize, err
}
