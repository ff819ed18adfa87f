package dbtest_test

import (
	"context"
	"slices"
	"sync"
	"time"

	"minibase/db"
)

// memFeed is memDriver's change feed: a slice of changes per consumer.
type memFeed struct {
	mu      sync.Mutex
	subs    map[string][]string // consumer → collections
	pending map[string][]db.Change
	seq     int64
	changed chan struct{}
}

// record adds a committed write's changes for every consumer of coll.
func (f *memFeed) record(coll string, hop int, changes []db.Change) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := time.Now().UTC().Truncate(time.Millisecond)
	n := 0
	for consumer, colls := range f.subs {
		if !slices.Contains(colls, coll) {
			continue
		}
		for _, c := range changes {
			f.seq++
			c.Seq, c.Coll, c.Time, c.Hop = f.seq, coll, now, hop
			if c.Doc != nil {
				c.Size += len(db.MarshalJSON(c.Doc))
			}
			if c.Before != nil {
				c.Size += len(db.MarshalJSON(c.Before))
			}
			f.pending[consumer] = append(f.pending[consumer], c)
			n++
		}
	}
	if n > 0 && f.changed != nil {
		close(f.changed)
		f.changed = nil
	}
}

func (m *memDriver) Subscribe(ctx context.Context, consumer string, colls []string) error {
	if !db.ValidConsumer(consumer) {
		return db.Errorf(db.CodeInvalidParam, "invalid consumer %q", consumer)
	}
	if len(colls) > db.MaxSubscriptions {
		return db.Errorf(db.CodeInvalidParam, "too many collections")
	}
	for _, c := range colls {
		if !db.ValidCollectionName(c) {
			return db.Errorf(db.CodeInvalidParam, "invalid collection name %q", c)
		}
	}
	m.mu.Lock() // no write runs meanwhile
	defer m.mu.Unlock()
	f := &m.feed
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.subs == nil {
		f.subs, f.pending = map[string][]string{}, map[string][]db.Change{}
	}
	f.subs[consumer] = slices.Clone(colls)
	f.pending[consumer] = slices.DeleteFunc(f.pending[consumer], func(c db.Change) bool { return !slices.Contains(colls, c.Coll) })
	return nil
}

func (m *memDriver) Changes(ctx context.Context, consumer string, after int64, limit int) ([]db.Change, error) {
	if limit < 1 || limit > db.MaxChanges {
		return nil, db.Errorf(db.CodeInvalidParam, "bad limit %d", limit)
	}
	f := &m.feed
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []db.Change
	size := 0
	for _, c := range f.pending[consumer] {
		if c.Seq > after && len(out) < limit && size <= db.MaxChangeBytes {
			out = append(out, c)
			size += c.Size
		}
	}
	return out, nil
}

func (m *memDriver) Ack(ctx context.Context, consumer string, seqs ...int64) error {
	if len(seqs) > db.MaxAck {
		return db.Errorf(db.CodeInvalidParam, "too many seqs")
	}
	f := &m.feed
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pending[consumer] = slices.DeleteFunc(f.pending[consumer], func(c db.Change) bool { return slices.Contains(seqs, c.Seq) })
	return nil
}

func (m *memDriver) Changed() <-chan struct{} {
	f := &m.feed
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.changed == nil {
		f.changed = make(chan struct{})
	}
	return f.changed
}

func (m *memDriver) Snapshot(ctx context.Context, coll string, q *db.Query) ([][]byte, int64, error) {
	m.mu.Lock() // no write runs meanwhile
	defer m.mu.Unlock()
	c, err := m.get(coll)
	if err != nil {
		return nil, 0, err
	}
	m.feed.mu.Lock()
	seq := m.feed.seq
	m.feed.mu.Unlock()
	docs, err := find(c, q)
	return docs, seq, err
}
