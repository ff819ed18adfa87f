package functions

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"minibase/db"
)

// Follow keeps this node's functions equal to the registry's (shared mode,
// Share) until ctx ends: at start it catches up on every record (and
// publishes, with origin "disk", the live folders the registry does not
// know: a node's functions from before it joined), then applies each
// record as the change feed brings it — a new version is fetched from the
// file store, staged and swapped in whole, a deleted function is removed
// — and calls retire with the function's name, so that its warm instances
// go and the next invocation runs the new code. It reads every record
// again every Shared.Poll, should a wake-up be lost. What fails (an
// archive missing from the file store, the database away) is given to
// report and tried again every Shared.Retry; meanwhile the node keeps
// serving the version it has. Without Share, Follow returns at once.
func (d *Dir) Follow(ctx context.Context, retire func(name string), report func(error)) {
	sh := d.shared
	if sh == nil {
		return
	}
	if retire == nil {
		retire = func(string) {}
	}
	if report == nil {
		report = func(error) {}
	}
	poll := time.NewTicker(sh.Poll)
	defer poll.Stop()
	failed := map[string]bool{}
	full := true
	for ctx.Err() == nil {
		wake := sh.DB.Changed()
		names := failed
		failed = map[string]bool{}
		changes, feedErr := sh.DB.Changes(ctx, sh.consumer, 0, db.MaxChanges)
		if feedErr != nil {
			report(fmt.Errorf("functions registry: read the change feed: %w", feedErr))
		}
		for _, c := range changes {
			if c.Coll == SharedCollection && ValidName(c.ID) {
				names[c.ID] = true
			}
		}
		var recs map[string]*sharedRecord
		if full {
			var err error
			if recs, err = sh.all(ctx); err != nil {
				report(err)
				feedErr = err
			} else {
				for n := range recs {
					names[n] = true
				}
				for _, n := range d.localNames(ctx) {
					names[n] = true
				}
				full = false
			}
		}
		for n := range names {
			rec, known := recs[n]
			err := d.follow(ctx, n, rec, known || recs != nil, recs != nil, retire)
			if err != nil && ctx.Err() == nil {
				if !errors.Is(err, errStale) {
					report(fmt.Errorf("functions registry: %w (this node keeps the version it has, and tries again)", err))
				}
				failed[n] = true
			}
		}
		if len(changes) > 0 {
			seqs := make([]int64, len(changes))
			for i, c := range changes {
				seqs[i] = c.Seq
			}
			if err := sh.DB.Ack(ctx, sh.consumer, seqs...); err != nil && ctx.Err() == nil {
				report(fmt.Errorf("functions registry: acknowledge changes: %w", err))
			}
		}
		if len(changes) == db.MaxChanges {
			continue
		}
		retry := time.NewTimer(sh.Retry)
		if len(failed) == 0 && feedErr == nil {
			retry.Stop()
		}
		select {
		case <-ctx.Done():
		case <-wake:
		case <-poll.C:
			full = true
		case <-retry.C:
		}
		retry.Stop()
	}
}

// CatchUp brings every function of this node to the registry's version
// once, as Follow does when it starts (a server calls it before serving,
// so that it never serves what it missed while it was down), and removes
// the archives of deleted functions that are past archiveGrace. What fails
// is returned, joined; the node keeps the version it has of those.
func (d *Dir) CatchUp(ctx context.Context) error {
	if d.shared == nil {
		return nil
	}
	recs, err := d.shared.all(ctx)
	if err != nil {
		return err
	}
	names := d.localNames(ctx)
	for n := range recs {
		names = append(names, n)
	}
	var errs []error
	for _, n := range slices.Compact(slices.Sorted(slices.Values(names))) {
		if err := d.follow(ctx, n, recs[n], true, true, func(string) {}); err != nil && !errors.Is(err, errStale) {
			errs = append(errs, err)
		}
		if rec := recs[n]; rec != nil && rec.Deleted {
			d.shared.collect(ctx, n, rec, time.Now()) // best effort: archives a delete left for their grace period
		}
	}
	return errors.Join(errs...)
}

// localNames lists the live folders' names.
func (d *Dir) localNames(ctx context.Context) []string {
	names, _ := d.List(ctx)
	return names
}
