package replica

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"minibase/server/backup"
)

// Restored says what Restore did.
type Restored struct {
	Generation string    `json:"generation"`
	Snapshot   time.Time `json:"snapshot"` // the snapshot it started from
	Segments   int       `json:"segments"` // WAL segments applied after it
	// Until is the time of the last applied segment (the snapshot's when
	// none): the database holds every write committed before it and
	// none committed after it was shipped.
	Until time.Time `json:"until"`
}

// maxSegmentObject caps a segment's payload on restore (a segment holds
// whole transactions: one very large transaction makes a large one).
const maxSegmentObject = 1 << 30

// Restore writes to dst (a file that must not exist) the database that
// the replica under prefix holds at time at (zero: the newest it holds):
// the newest snapshot made at or before at, and the segments of its
// generation after it, in order, up to the last one shipped at or before
// at. The result is checked with verify (PRAGMA integrity_check) before
// Restore returns; on any failure nothing is left at dst. A damaged
// object or a missing segment refuses the restore with a *backup.Error
// (CodeCorrupt) naming it.
func Restore(ctx context.Context, b Bucket, prefix string, at time.Time, dst string, verify func(ctx context.Context, path string) error) (_ *Restored, err error) {
	gens, err := listGenerations(ctx, b, prefix)
	if err != nil {
		return nil, err
	}
	g, snap, ok := pick(gens, at)
	if !ok {
		if len(gens) == 0 {
			return nil, backup.Errorf(backup.CodeNotFound, "no continuous backup under %q in this bucket", prefix)
		}
		return nil, backup.Errorf(backup.CodeNotFound, "the continuous backup has no snapshot at or before %s (its oldest is from %s)", at.UTC().Format(time.RFC3339), oldest(gens))
	}
	f, err := os.OpenFile(dst, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("restore: %w", cerr)
		}
		if err != nil {
			os.Remove(dst)
		}
	}()
	if err := fetchSnapshot(ctx, b, snap, f); err != nil {
		return nil, err
	}
	res := &Restored{Generation: g.name, Snapshot: snap.time, Until: snap.time}
	next := snap.index
	for _, s := range g.segments {
		if s.index < snap.index {
			continue
		}
		if !at.IsZero() && s.time.After(at) {
			break
		}
		if s.index != next {
			return nil, backup.Errorf(backup.CodeCorrupt, "the continuous backup lacks WAL segment %016x of generation %s (the next one is %s): restore refused", next, g.name, s.key)
		}
		if err := applySegment(ctx, b, s, f); err != nil {
			return nil, err
		}
		next++
		res.Segments++
		res.Until = s.time
	}
	if err := f.Sync(); err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	if err := verify(ctx, dst); err != nil {
		return nil, backup.Errorf(backup.CodeCorrupt, "the restored database fails its integrity check (%v): restore refused", err)
	}
	return res, nil
}

// pick finds the newest snapshot at or before at (zero: the newest).
func pick(gens []*generation, at time.Time) (*generation, ref, bool) {
	for i := len(gens) - 1; i >= 0; i-- {
		g := gens[i]
		for j := len(g.snapshots) - 1; j >= 0; j-- {
			if s := g.snapshots[j]; at.IsZero() || !s.time.After(at) {
				return g, s, true
			}
		}
	}
	return nil, ref{}, false
}

func oldest(gens []*generation) string {
	for _, g := range gens {
		if len(g.snapshots) > 0 {
			return g.snapshots[0].time.Format(time.RFC3339)
		}
	}
	return "nowhere: it has no snapshot"
}

// open opens an object and reads its header, checking that it is the
// object its name says.
func open(ctx context.Context, b Bucket, r ref) (*decoder, io.Closer, error) {
	rc, _, err := b.Open(ctx, r.key)
	if err != nil {
		return nil, nil, fmt.Errorf("restore: open %s: %w", r.key, err)
	}
	d, err := decode(rc)
	if err == nil && (d.h.Kind != r.kind || d.h.Index != r.index || !d.h.Time.Equal(r.time)) {
		err = fmt.Errorf("%w: its header does not match its name", errDamaged)
	}
	if err != nil {
		rc.Close()
		return nil, nil, damagedObject(r, err)
	}
	return d, rc, nil
}

func damagedObject(r ref, err error) error {
	what := "WAL segment"
	if r.kind == "snapshot" {
		what = "snapshot"
	}
	if errors.Is(err, errDamaged) {
		return backup.Errorf(backup.CodeCorrupt, "%s %s is damaged (%v): restore refused, nothing was changed", what, r.key, err)
	}
	return fmt.Errorf("restore: read %s: %w", r.key, err)
}

// fetchSnapshot writes the snapshot r to f.
func fetchSnapshot(ctx context.Context, b Bucket, r ref, f *os.File) error {
	d, c, err := open(ctx, b, r)
	if err != nil {
		return err
	}
	defer c.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	if _, err := io.Copy(w, d); err != nil {
		return damagedObject(r, err)
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	return nil
}

// applySegment writes the segment r's frames' pages into the database
// file f, in order; each commit frame sets the file's size.
func applySegment(ctx context.Context, b Bucket, r ref, f *os.File) error {
	d, c, err := open(ctx, b, r)
	if err != nil {
		return err
	}
	defer c.Close()
	ps := d.h.PageSize
	fsz := int64(walFrameHeader + ps)
	if ps < minPageSize || ps > maxPageSize || ps&(ps-1) != 0 || d.h.Size == 0 || d.h.Size%fsz != 0 || d.h.Size > maxSegmentObject {
		return damagedObject(r, fmt.Errorf("%w: bad size or page size", errDamaged))
	}
	payload, err := io.ReadAll(d)
	if err != nil {
		return damagedObject(r, err)
	}
	if binary.BigEndian.Uint32(payload[len(payload)-int(fsz)+4:]) == 0 {
		return damagedObject(r, fmt.Errorf("%w: its last frame ends no transaction", errDamaged))
	}
	for off := 0; off < len(payload); off += int(fsz) {
		fr := payload[off : off+int(fsz)]
		pgno, commit := binary.BigEndian.Uint32(fr[0:]), binary.BigEndian.Uint32(fr[4:])
		if pgno == 0 {
			return damagedObject(r, fmt.Errorf("%w: frame of page 0", errDamaged))
		}
		if _, err := f.WriteAt(fr[walFrameHeader:], int64(pgno-1)*int64(ps)); err != nil {
			return fmt.Errorf("restore: %w", err)
		}
		if commit != 0 {
			if err := f.Truncate(int64(commit) * int64(ps)); err != nil {
				return fmt.Errorf("restore: %w", err)
			}
		}
	}
	return ctx.Err()
}
