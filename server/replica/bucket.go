package replica

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"minibase/storage"
)

// putFile uploads the file at path as the object of h (a snapshot),
// streamed: its SHA-256 is read first, for the header.
func putFile(ctx context.Context, b Bucket, prefix string, h header, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sum := sha256.New()
	n, err := io.Copy(sum, f)
	if err != nil {
		return err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	h.Size, h.SHA256 = n, hex.EncodeToString(sum.Sum(nil))
	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(encodeStream(pw, h, io.LimitReader(f, n)))
	}()
	_, err = b.Put(ctx, objectKey(prefix, h), pr, storage.PutOptions{ContentType: "application/gzip", MaxSize: n + n/8 + 4096})
	pr.CloseWithError(err)
	return err
}

// generation is one generation's objects, by kind, in index order.
type generation struct {
	name      string
	snapshots []ref
	segments  []ref
}

// listGenerations lists the replica under prefix, oldest generation
// first. Keys that are not a replica's are ignored.
func listGenerations(ctx context.Context, b Bucket, prefix string) ([]*generation, error) {
	byName := map[string]*generation{}
	after := ""
	for {
		page, err := b.List(ctx, storage.ListOptions{Prefix: prefix, After: after})
		if err != nil {
			return nil, fmt.Errorf("list the replica: %w", err)
		}
		for _, o := range page.Objects {
			rest := strings.TrimPrefix(o.Key, prefix)
			name, obj, ok := strings.Cut(rest, "/")
			if !ok || !generationPattern.MatchString(name) {
				continue
			}
			r, ok := parseRef(o.Key, obj)
			if !ok {
				continue
			}
			g := byName[name]
			if g == nil {
				g = &generation{name: name}
				byName[name] = g
			}
			if r.kind == "snapshot" {
				g.snapshots = append(g.snapshots, r)
			} else {
				g.segments = append(g.segments, r)
			}
		}
		if page.Next == "" {
			break
		}
		after = page.Next
	}
	var out []*generation
	for _, g := range byName {
		byIndex := func(a, b ref) int { return int(a.index - b.index) }
		slices.SortFunc(g.snapshots, byIndex)
		slices.SortFunc(g.segments, byIndex)
		out = append(out, g)
	}
	slices.SortFunc(out, func(a, b *generation) int { return strings.Compare(a.name, b.name) })
	return out, nil
}

// retain deletes what a restore within Retain no longer needs: the
// snapshots before the newest one older than Retain, the segments before
// it, and whole older generations. The current generation's newest
// snapshot is always kept.
func (r *Replicator) retain(ctx context.Context) error {
	gens, err := listGenerations(ctx, r.cfg.Bucket, r.cfg.Prefix)
	if err != nil {
		return err
	}
	cutoff := time.Now().Add(-r.cfg.Retain)
	// base: the newest snapshot at or before cutoff (restores to cutoff
	// start from it); everything before it goes.
	var baseGen = -1
	var base ref
	for i, g := range gens {
		for _, s := range g.snapshots {
			if !s.time.After(cutoff) {
				baseGen, base = i, s
			}
		}
	}
	if baseGen < 0 {
		return nil
	}
	var del []string
	for i, g := range gens[:baseGen+1] {
		for _, o := range append(append([]ref{}, g.snapshots...), g.segments...) {
			if i < baseGen || o.index < base.index {
				del = append(del, o.key)
			}
		}
	}
	for _, k := range del {
		if err := r.cfg.Bucket.Delete(ctx, k); err != nil {
			return fmt.Errorf("delete %s: %w", k, err)
		}
	}
	return nil
}
