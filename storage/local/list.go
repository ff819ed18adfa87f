package local

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"syscall"

	"minibase/storage"
)

// List implements storage.Bucket. It walks the folders below the prefix in
// the order S3 lists keys — by bytes, a folder "a" sorting as "a/" — and
// skips whole folders that lie before After.
func (b *Bucket) List(ctx context.Context, opts storage.ListOptions) (storage.ListPage, error) {
	dir, _ := path.Split(opts.Prefix) // "photos/20" lists from the folder "photos/"
	if dir != "" && !storage.ValidKey(strings.TrimSuffix(dir, "/")) {
		return storage.ListPage{}, storage.ErrBadKey
	}
	limit := opts.Limit
	if limit <= 0 || limit > storage.MaxList {
		limit = storage.MaxList
	}
	l := &lister{b: b, opts: opts, limit: limit}
	if err := l.walk(ctx, dir); err != nil && !errors.Is(err, errFull) {
		return storage.ListPage{}, err
	}
	if l.page.Objects == nil {
		l.page.Objects = []storage.ObjectInfo{}
	}
	return l.page, nil
}

// errFull stops a walk once the page has one entry more than it can hold.
var errFull = errors.New("page full")

type lister struct {
	b     *Bucket
	opts  storage.ListOptions
	limit int
	n     int // entries on the page
	page  storage.ListPage
	last  string // the page's last entry
}

// walk lists dir ("" or "a/b/") in S3 order.
func (l *lister) walk(ctx context.Context, dir string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	entries, err := l.readDir(dir)
	if err != nil {
		return err
	}
	prefix, after := l.opts.Prefix, l.opts.After
	for _, e := range entries {
		full := dir + e.Name()
		if !e.IsDir() {
			if strings.HasPrefix(full, prefix) && full > after {
				if err := l.addObject(full, e); err != nil {
					return err
				}
			}
			continue
		}
		sub := full + "/"
		switch {
		case !strings.HasPrefix(sub, prefix) && !strings.HasPrefix(prefix, sub):
			// outside the prefix
		case l.opts.Folders:
			if strings.HasPrefix(sub, prefix) && sub > after {
				if err := l.add(sub); err != nil {
					return err
				}
				l.page.Prefixes = append(l.page.Prefixes, sub)
			}
		case after >= sub && !strings.HasPrefix(after, sub):
			// every key in it sorts before After
		default:
			if err := l.walk(ctx, sub); err != nil {
				return err
			}
		}
	}
	return nil
}

// readDir returns dir's entries sorted as S3 sorts keys: a folder's name
// compares with a "/" after it. A missing folder has no entries.
func (l *lister) readDir(dir string) ([]fs.DirEntry, error) {
	f, err := l.b.root.Open(objectsDir + strings.TrimSuffix(dir, "/"))
	if err != nil {
		if errors.Is(notExist(err), storage.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("list: %w", err)
	}
	defer f.Close()
	entries, err := f.ReadDir(-1)
	if err != nil {
		if errors.Is(err, syscall.ENOTDIR) {
			return nil, nil
		}
		return nil, fmt.Errorf("list: %w", err)
	}
	slices.SortFunc(entries, func(a, b fs.DirEntry) int { return strings.Compare(sortName(a), sortName(b)) })
	return entries, nil
}

func sortName(e fs.DirEntry) string {
	if e.IsDir() {
		return e.Name() + "/"
	}
	return e.Name()
}

func (l *lister) addObject(key string, e fs.DirEntry) error {
	fi, err := e.Info()
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil // deleted while listing
		}
		return fmt.Errorf("list: %w", err)
	}
	if err := l.add(key); err != nil {
		return err
	}
	l.page.Objects = append(l.page.Objects, l.b.info(key, fi))
	return nil
}

// add counts an entry; when the page already holds limit entries, it ends
// the walk with Next set to the last one.
func (l *lister) add(entry string) error {
	if l.n == l.limit {
		l.page.Next = l.last
		return errFull
	}
	l.n++
	l.last = entry
	return nil
}
