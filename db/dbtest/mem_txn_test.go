package dbtest_test

import (
	"context"
	"slices"

	"minibase/db"
)

// memReader reads a snapshot: each collection's documents as they were
// when it was taken (a committed map is never modified, only replaced).
type memReader map[string]map[string]db.Doc

func (r memReader) Doc(ctx context.Context, coll, id string) ([]byte, error) {
	docs, ok := r[coll]
	if !ok {
		return nil, notExist(coll)
	}
	d, ok := docs[id]
	if !ok {
		return nil, nil
	}
	return db.MarshalJSON(d), nil
}

func (r memReader) Match(ctx context.Context, coll string, f *db.Filter, limit int) ([][]byte, error) {
	docs, ok := r[coll]
	if !ok {
		return nil, notExist(coll)
	}
	found := matching(docs, f)
	out := make([][]byte, 0, min(limit, len(found)))
	for _, d := range found[:min(limit, len(found))] {
		out = append(out, db.MarshalJSON(d))
	}
	return out, nil
}

func (m *memDriver) snapshot() memReader {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := make(memReader, len(m.colls))
	for name, c := range m.colls {
		r[name] = c.docs
	}
	return r
}

func (m *memDriver) View(ctx context.Context, fn func(db.Reader) error) error {
	return fn(m.snapshot())
}

// Update holds the write lock while fn runs (fn may read through the
// driver's other methods, which take only mu), then builds each touched
// collection's next state from copies and commits all of them or none.
func (m *memDriver) Update(ctx context.Context, fn func(db.Reader) ([]db.Put, error)) error {
	m.wmu.Lock()
	defer m.wmu.Unlock()
	snap := m.snapshot()
	puts, err := fn(snap)
	if err != nil {
		return err
	}
	next := map[string]map[string]db.Doc{}
	changes := map[string][]db.Change{}
	var order []string
	for _, p := range puts {
		docs, ok := next[p.Coll]
		if !ok {
			cur, exists := snap[p.Coll]
			switch {
			case !exists && p.Doc == nil:
				continue
			case !exists && !p.Create:
				return notExist(p.Coll)
			}
			docs = make(map[string]db.Doc, len(cur)+1)
			for id, d := range cur {
				docs[id] = d
			}
			next[p.Coll] = docs
			order = append(order, p.Coll)
		}
		old, had := docs[p.ID]
		if p.Doc == nil {
			if had {
				delete(docs, p.ID)
				changes[p.Coll] = append(changes[p.Coll], db.Change{Op: db.ChangeDelete, ID: p.ID, Before: old})
			}
			continue
		}
		if err := db.ValidateDoc(p.Doc); err != nil {
			return err
		}
		d := db.Clone(p.Doc).(db.Doc)
		docs[p.ID] = d
		if had {
			changes[p.Coll] = append(changes[p.Coll], db.Change{Op: db.ChangeUpdate, ID: p.ID, Doc: d, Before: old})
		} else {
			changes[p.Coll] = append(changes[p.Coll], db.Change{Op: db.ChangeInsert, ID: p.ID, Doc: d})
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, coll := range order {
		if c, ok := m.colls[coll]; ok {
			if err := checkUnique(next[coll], c.indexes); err != nil {
				return err
			}
		}
	}
	for _, coll := range order {
		c, ok := m.colls[coll]
		if !ok {
			c = &memColl{}
			m.colls[coll] = c
		}
		c.docs = next[coll]
		m.feed.record(coll, db.HopFrom(ctx), slices.Clone(changes[coll]))
	}
	return nil
}
