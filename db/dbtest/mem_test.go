package dbtest_test

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"minibase/db"
	"minibase/db/dbtest"
)

// TestMemDriver runs the suite against memDriver, a brute-force driver built
// only from the Go reference semantics (Filter.Match, CompareDocs,
// Update.Apply, UpsertDoc): it proves the suite's expectations against those
// semantics, independently of any SQL.
func TestMemDriver(t *testing.T) {
	dbtest.Run(t, func(t *testing.T) db.Driver { return &memDriver{colls: map[string]*memColl{}} })
}

var _ db.Driver = (*memDriver)(nil)

// memDriver keeps documents in maps. Every write builds the collection's
// next state from copies and commits it only when all of it succeeded.
type memDriver struct {
	wmu   sync.Mutex // one write (Write, Update) at a time
	mu    sync.Mutex
	colls map[string]*memColl
	feed  memFeed
}

type memColl struct {
	docs    map[string]db.Doc // by _id; stored documents are never modified in place
	indexes []db.Index
	rules   []byte
}

func notExist(name string) error {
	return db.Errorf(db.CodeCollectionNotExist, "collection %s does not exist", name)
}

func (m *memDriver) get(name string) (*memColl, error) {
	c, ok := m.colls[name]
	if !ok {
		return nil, notExist(name)
	}
	return c, nil
}

func (m *memDriver) Collections(ctx context.Context) ([]db.CollectionInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []db.CollectionInfo
	for name, c := range m.colls {
		out = append(out, db.CollectionInfo{Name: name, Count: int64(len(c.docs))})
	}
	return out, nil
}

func (m *memDriver) CreateCollection(ctx context.Context, name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.colls[name]; ok {
		return db.Errorf(db.CodeCollectionExists, "collection %s already exists", name)
	}
	m.colls[name] = &memColl{docs: map[string]db.Doc{}}
	return nil
}

func (m *memDriver) DropCollection(ctx context.Context, name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, err := m.get(name); err != nil {
		return err
	}
	delete(m.colls, name)
	return nil
}

func (m *memDriver) Indexes(ctx context.Context, coll string) ([]db.Index, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, err := m.get(coll)
	if err != nil {
		return nil, err
	}
	return slices.Clone(c.indexes), nil
}

func (m *memDriver) CreateIndex(ctx context.Context, coll string, idx db.Index) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, err := m.get(coll)
	if err != nil {
		return err
	}
	if idx.Name == "" {
		idx.Name = db.IndexName(idx.Keys)
	}
	if err := checkUnique(c.docs, []db.Index{idx}); err != nil {
		return err
	}
	if err := checkGeo(c.docs, []db.Index{idx}); err != nil {
		return err
	}
	c.indexes = append(c.indexes, idx)
	return nil
}

func (m *memDriver) DropIndex(ctx context.Context, coll, name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, err := m.get(coll)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(c.indexes, func(idx db.Index) bool { return idx.Name == name })
	if i < 0 {
		return db.Errorf(db.CodeInvalidParam, "index %s does not exist", name)
	}
	c.indexes = slices.Delete(c.indexes, i, i+1)
	return nil
}

func (m *memDriver) Rules(ctx context.Context, coll string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, err := m.get(coll)
	if err != nil {
		return nil, err
	}
	return c.rules, nil
}

func (m *memDriver) SetRules(ctx context.Context, coll string, rules []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, err := m.get(coll)
	if err != nil {
		return err
	}
	c.rules = slices.Clone(rules)
	return nil
}

func (m *memDriver) Close() error { return nil }

// check runs op.Check, when set.
func check(op *db.WriteOp, old, next db.Doc) error {
	if op.Check == nil {
		return nil
	}
	return op.Check(old, next)
}

// matching returns the documents f matches, in _id order.
func matching(docs map[string]db.Doc, f *db.Filter) []db.Doc {
	var out []db.Doc
	for _, d := range docs {
		if f == nil || f.Match(d) {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(a, b db.Doc) int { return strings.Compare(a.ID(), b.ID()) })
	return out
}

func (m *memDriver) Find(ctx context.Context, coll string, q *db.Query) ([][]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, err := m.get(coll)
	if err != nil {
		return nil, err
	}
	return find(c, q)
}

// find runs q on c; the caller holds m.mu.
func find(c *memColl, q *db.Query) ([][]byte, error) {
	if err := db.CheckGeoIndex(q.Filter, c.indexes); err != nil {
		return nil, err
	}
	docs := matching(c.docs, q.Filter)
	if nr := q.Filter.Near(); nr != nil && len(q.Sort) == 0 {
		sortNearest(docs, nr)
	}
	slices.SortStableFunc(docs, func(a, b db.Doc) int { return db.CompareDocs(a, b, q.Sort) })
	docs = docs[min(q.Skip, len(docs)):]
	docs = docs[:min(q.Limit, len(docs))]
	out := make([][]byte, len(docs))
	for i, d := range docs {
		out[i] = db.MarshalJSON(d)
	}
	return out, nil
}

// Scan gives the matching documents in _id order and never sorts (nor
// orders a $nearSphere nearest first), so that the suite runs the
// aggregation's own sort, skip and limit.
func (m *memDriver) Scan(ctx context.Context, coll string, q *db.Query) (db.Cursor, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, err := m.get(coll)
	if err != nil {
		return nil, false, err
	}
	docs := matching(c.docs, q.Filter)
	raws := make([][]byte, len(docs))
	for i, d := range docs {
		raws[i] = db.MarshalJSON(d)
	}
	return &memCursor{raws}, len(q.Sort) == 0 && q.Skip == 0 && q.Limit == 0 && q.Filter.Near() == nil, nil
}

// memCursor streams what Scan read.
type memCursor struct{ raws [][]byte }

func (c *memCursor) Next() ([]byte, error) {
	if len(c.raws) == 0 {
		return nil, nil
	}
	raw := c.raws[0]
	c.raws = c.raws[1:]
	return raw, nil
}

func (c *memCursor) Close() error { c.raws = nil; return nil }

func (m *memDriver) Count(ctx context.Context, coll string, f *db.Filter) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, err := m.get(coll)
	if err != nil {
		return 0, err
	}
	if err := db.CheckGeoIndex(f, c.indexes); err != nil {
		return 0, err
	}
	return int64(len(matching(c.docs, f))), nil
}

func (m *memDriver) Write(ctx context.Context, coll string, op *db.WriteOp) (db.WriteResult, error) {
	m.wmu.Lock()
	defer m.wmu.Unlock()
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.colls[coll]
	creates := op.Kind == db.WriteInsert || op.Kind == db.WriteReplace || (op.Kind == db.WriteUpdate && op.Upsert)
	if !ok && !creates {
		return db.WriteResult{}, notExist(coll)
	}
	if !ok {
		c = &memColl{docs: map[string]db.Doc{}}
	}
	next := make(map[string]db.Doc, len(c.docs))
	for id, d := range c.docs {
		next[id] = d
	}
	var changes []db.Change
	res, err := apply(next, op, &changes)
	if err == nil {
		err = checkUnique(next, c.indexes)
	}
	if err == nil {
		err = checkGeo(next, c.indexes)
	}
	if err != nil {
		return db.WriteResult{}, err
	}
	c.docs = next
	m.colls[coll] = c
	m.feed.record(coll, db.HopFrom(ctx), changes)
	return res, nil
}

// apply performs op on next, which the caller commits only without error,
// and lists the changes it made.
func apply(next map[string]db.Doc, op *db.WriteOp, changes *[]db.Change) (db.WriteResult, error) {
	var res db.WriteResult
	changed := func(kind db.ChangeOp, id string, doc, before db.Doc) {
		*changes = append(*changes, db.Change{Op: kind, ID: id, Doc: doc, Before: before})
	}
	put := func(d db.Doc) error {
		if _, taken := next[d.ID()]; taken {
			return db.Errorf(db.CodeDuplicateKey, "duplicate _id %q", d.ID())
		}
		next[d.ID()] = d
		changed(db.ChangeInsert, d.ID(), d, nil)
		return nil
	}
	switch op.Kind {
	case db.WriteInsert:
		for _, d := range op.Docs {
			if err := put(db.Clone(d).(db.Doc)); err != nil {
				return res, err
			}
			res.InsertedIDs = append(res.InsertedIDs, d.ID())
		}
	case db.WriteUpdate:
		docs := matching(next, op.Filter)
		if !op.Multi && len(docs) > 1 {
			docs = docs[:1]
		}
		for _, d := range docs {
			nd, ok, err := op.Update.Apply(db.Clone(d).(db.Doc), op.Filter, op.Now)
			if err == nil {
				err = check(op, d, nd)
			}
			if err != nil {
				return res, err
			}
			res.Matched++
			if ok {
				res.Updated++
				next[d.ID()] = nd
				changed(db.ChangeUpdate, d.ID(), nd, d)
			}
		}
		if len(docs) == 0 && op.Upsert {
			nd, err := db.UpsertDoc(op.Filter, op.Update, op.UpsertID, op.Now)
			if err != nil {
				return res, err
			}
			res.UpsertedID = nd.ID()
			return res, put(nd)
		}
	case db.WriteReplace:
		d := db.Clone(op.Doc).(db.Doc)
		if err := check(op, next[d.ID()], d); err != nil {
			return res, err
		}
		if old, ok := next[d.ID()]; ok {
			if !db.Equal(old, d) {
				res.Updated = 1
			}
			changed(db.ChangeUpdate, d.ID(), d, old)
			(*changes)[len(*changes)-1].Replace = true
		} else {
			res.UpsertedID = d.ID()
			changed(db.ChangeInsert, d.ID(), d, nil)
		}
		next[d.ID()] = d
	case db.WriteRemove:
		docs := matching(next, op.Filter)
		if !op.Multi && len(docs) > 1 {
			docs = docs[:1]
		}
		for _, d := range docs {
			if err := check(op, d, nil); err != nil {
				return res, err
			}
			delete(next, d.ID())
			changed(db.ChangeDelete, d.ID(), nil, d)
			res.Removed++
		}
	}
	return res, nil
}

// checkUnique fails when two documents share the key of a unique index (a
// missing field counts as null, as in MongoDB).
func checkUnique(docs map[string]db.Doc, idxs []db.Index) error {
	for _, idx := range idxs {
		if !idx.Unique {
			continue
		}
		seen := map[string]bool{}
		for _, d := range docs {
			key := make([]any, len(idx.Keys))
			for i, k := range idx.Keys {
				key[i], _ = db.GetPath(d, k.Path)
			}
			s := string(db.MarshalJSON(key))
			if seen[s] {
				return db.Errorf(db.CodeDuplicateKey, "duplicate key %s for unique index %s", s, idx.Name)
			}
			seen[s] = true
		}
	}
	return nil
}

// checkGeo fails when a document holds a value at a 2dsphere index's path
// that the index cannot file (db.GeoKeys).
func checkGeo(docs map[string]db.Doc, idxs []db.Index) error {
	for _, idx := range idxs {
		if !idx.Geo() {
			continue
		}
		for _, d := range docs {
			if _, err := db.GeoKeys(d, idx.Keys[0].Path); err != nil {
				return err
			}
		}
	}
	return nil
}

// sortNearest orders docs (which all match nr) nearest first, equal
// distances in _id order.
func sortNearest(docs []db.Doc, nr *db.Near) {
	dist := make(map[string]float64, len(docs))
	for _, d := range docs {
		dist[d.ID()], _ = nr.Distance(d)
	}
	slices.SortStableFunc(docs, func(a, b db.Doc) int {
		if c := cmp.Compare(dist[a.ID()], dist[b.ID()]); c != 0 {
			return c
		}
		return strings.Compare(a.ID(), b.ID())
	})
}
