package functions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"minibase/db"
)

// deleteChunk bounds the records one delete removes: each delete is one
// transaction of the store's database.
const deleteChunk = 1000

// enforce applies the age cap, then the size cap.
func (s *LogStore) enforce(ctx context.Context) error {
	cutoff := time.Now().Add(-s.opts.MaxAge)
	var errs []error
	for {
		id, err := s.nthOldest(ctx, timeKey(cutoff), deleteChunk)
		if err != nil {
			errs = append(errs, err)
			break
		}
		if id == "" { // fewer than a chunk left before the cutoff
			_, err := s.remove(ctx, logsColl, doc("_id", doc("$lt", timeKey(cutoff))))
			errs = append(errs, err)
			break
		}
		if _, err := s.remove(ctx, logsColl, doc("_id", doc("$lte", id))); err != nil {
			errs = append(errs, err)
			break
		}
	}
	_, err := s.remove(ctx, outcomesColl, doc("updatedAt", doc("$lt", cutoff.UTC())))
	errs = append(errs, err, s.enforceSize(ctx))
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("function logs: retention: %w", err)
	}
	return nil
}

// enforceSize deletes the oldest records and outcomes, a chunk at a time,
// when the database holds more than 7/8 of MaxBytes, until it holds at
// most 3/4 of it or nothing is left to delete.
func (s *LogStore) enforceSize(ctx context.Context) error {
	s.sinceCheck = 0
	if s.opts.Usage == nil {
		return nil
	}
	high, low := s.opts.MaxBytes/8*7, s.opts.MaxBytes/4*3
	for round := 0; ; round++ {
		used, err := s.opts.Usage(ctx)
		if err != nil {
			return err
		}
		s.usage.Store(used)
		if used <= low || round == 0 && used <= high {
			return nil
		}
		n := int(min(max((used-low)/int64(max(s.avgSize, 1)), 1), deleteChunk))
		removed, err := s.deleteOldest(ctx, n)
		if err != nil || removed == 0 {
			return err
		}
	}
}

// deleteOldest deletes the n oldest records, with every outcome last
// changed no later than the newest of them; with no records left, the n
// oldest outcomes. It returns how many it deleted.
func (s *LogStore) deleteOldest(ctx context.Context, n int) (int64, error) {
	id, err := s.nthOldest(ctx, "", n)
	if err != nil {
		return 0, err
	}
	if id == "" { // fewer than n records: the newest of them
		if id, err = s.newest(ctx); err != nil {
			return 0, err
		}
	}
	if id != "" {
		logs, err := s.remove(ctx, logsColl, doc("_id", doc("$lte", id)))
		if err != nil {
			return logs, err
		}
		outs, err := s.remove(ctx, outcomesColl, doc("updatedAt", doc("$lte", startOf(id))))
		return logs + outs, err
	}
	raw, err := s.db.Query(ctx, outcomesColl, doc("sort", doc("updatedAt", int64(1)), "skip", int64(n-1), "limit", int64(1)))
	if err != nil || len(raw) == 0 {
		raw, err = s.db.Query(ctx, outcomesColl, doc("sort", doc("updatedAt", int64(-1)), "limit", int64(1)))
	}
	if err != nil || len(raw) == 0 {
		return 0, err
	}
	var o struct {
		UpdatedAt ejDate `json:"updatedAt"`
	}
	if err := json.Unmarshal(raw[0], &o); err != nil {
		return 0, err
	}
	return s.remove(ctx, outcomesColl, doc("updatedAt", doc("$lte", o.UpdatedAt.Date)))
}

// nthOldest returns the _id of the n-th oldest record with an _id below
// before (any when ""), or "" when there are fewer.
func (s *LogStore) nthOldest(ctx context.Context, before string, n int) (string, error) {
	q := doc("sort", doc("_id", int64(1)), "skip", int64(n-1), "limit", int64(1))
	if before != "" {
		q = append(q, db.Field{Key: "filter", Value: doc("_id", doc("$lt", before))})
	}
	return s.firstID(s.db.Query(ctx, logsColl, q))
}

// newest returns the _id of the newest record, "" when there is none.
func (s *LogStore) newest(ctx context.Context) (string, error) {
	return s.firstID(s.db.Query(ctx, logsColl, doc("sort", doc("_id", int64(-1)), "limit", int64(1))))
}

func (s *LogStore) firstID(raw [][]byte, err error) (string, error) {
	if err != nil || len(raw) == 0 {
		return "", err
	}
	var d struct {
		ID string `json:"_id"`
	}
	err = json.Unmarshal(raw[0], &d)
	return d.ID, err
}

// remove deletes every document of coll matching filter.
func (s *LogStore) remove(ctx context.Context, coll string, filter db.Doc) (int64, error) {
	n, err := s.db.Remove(ctx, coll, doc("filter", filter, "multi", true))
	s.deleted.Add(n)
	return n, err
}
