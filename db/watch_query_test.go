package db

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// listModel is what a client of a watch holds: the watched list, kept
// from the init and the events' docChanges as the SDK keeps it.
type listModel struct {
	docs []map[string]any
}

func (m *listModel) find(id string) int {
	return slices.IndexFunc(m.docs, func(d map[string]any) bool { return d["_id"] == id })
}

// apply applies one event's docChanges (JSON): dequeued documents leave;
// enqueued and updated ones are taken out, patched or replaced, and put
// back at their index, in ascending order of index.
func (m *listModel) apply(t *testing.T, frag []byte) {
	t.Helper()
	var cs []map[string]any
	if err := json.Unmarshal(append(append([]byte{'['}, frag...), ']'), &cs); err != nil {
		t.Fatalf("docChanges %s: %v", frag, err)
	}
	type placed struct {
		doc   map[string]any
		index int
	}
	var put []placed
	for _, c := range cs {
		id := c["docId"].(string)
		i := m.find(id)
		var old map[string]any
		if i >= 0 {
			old = m.docs[i]
			m.docs = slices.Delete(m.docs, i, i+1)
		}
		if c["queueType"] == queueDequeue {
			if i < 0 {
				t.Fatalf("dequeue of %s, which the list does not hold", id)
			}
			continue
		}
		doc, ok := c["doc"].(map[string]any)
		if !ok {
			if old == nil || c["dataType"] != dataUpdate {
				t.Fatalf("%v without a doc for a document the list does not hold", c)
			}
			doc = patch(old, c["updatedFields"].(map[string]any), c["removedFields"].([]any))
		}
		put = append(put, placed{doc, int(c["index"].(float64))})
	}
	slices.SortFunc(put, func(a, b placed) int { return a.index - b.index })
	for _, p := range put {
		if p.index > len(m.docs) {
			t.Fatalf("index %d in a list of %d", p.index, len(m.docs))
		}
		m.docs = slices.Insert(m.docs, p.index, p.doc)
	}
}

// patch applies updatedFields and removedFields to a copy of doc.
func patch(doc map[string]any, upd map[string]any, rem []any) map[string]any {
	var out map[string]any
	raw, _ := json.Marshal(doc)
	json.Unmarshal(raw, &out)
	for path, v := range upd {
		segs := strings.Split(path, ".")
		d := out
		for _, s := range segs[:len(segs)-1] {
			next, ok := d[s].(map[string]any)
			if !ok {
				next = map[string]any{}
				d[s] = next
			}
			d = next
		}
		d[segs[len(segs)-1]] = v
	}
	for _, p := range rem {
		segs := strings.Split(p.(string), ".")
		d := out
		for _, s := range segs[:len(segs)-1] {
			d, _ = d[s].(map[string]any)
		}
		if d != nil {
			delete(d, segs[len(segs)-1])
		}
	}
	return out
}

// truth is the documents a query's list must show: the store's matching
// documents in order, up to the limit.
func truth(store map[string]Doc, q *wquery) []string {
	var docs []Doc
	for _, d := range store {
		if q.filter.Match(d) {
			docs = append(docs, d)
		}
	}
	slices.SortFunc(docs, func(a, b Doc) int { return CompareDocs(a, b, q.sort) })
	if q.limit > 0 && len(docs) > q.limit {
		docs = docs[:q.limit]
	}
	out := make([]string, len(docs))
	for i, d := range docs {
		var m map[string]any
		json.Unmarshal(MarshalJSON(d), &m)
		out[i] = canonical(m)
	}
	return out
}

// show is the client's list, each document as JSON with sorted keys
// (the order of a document's fields is not what the list is about).
func (m *listModel) show() []string {
	out := make([]string, len(m.docs))
	for i, d := range m.docs {
		out[i] = canonical(d)
	}
	return out
}

func canonical(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// snapshot answers a query's snapshot from the store, as a driver would.
func snapshot(store map[string]Doc, q *Query) [][]byte {
	var docs []Doc
	for _, d := range store {
		if q.Filter.Match(d) {
			docs = append(docs, d)
		}
	}
	slices.SortFunc(docs, func(a, b Doc) int { return CompareDocs(a, b, q.Sort) })
	docs = docs[:min(len(docs), q.Limit)]
	out := make([][]byte, len(docs))
	for i, d := range docs {
		out[i] = MarshalJSON(d)
	}
	return out
}

// TestWatchListFollowsTheStore: whatever writes come (inserts, updates
// that move documents in and out of the filter and across the limit,
// replaces, removes), a client applying the events holds exactly the
// query's documents in the query's order, the ids are consecutive, and
// each docChange's kinds are one of wx.cloud's combinations.
func TestWatchListFollowsTheStore(t *testing.T) {
	for _, tc := range []struct {
		filter string
		sort   []SortKey
		limit  int
	}{
		{`{"g": {"$lt": 3}}`, []SortKey{{Path: "_id", Desc: true}}, 0},
		{`{"g": {"$lt": 3}}`, []SortKey{{Path: "n"}, {Path: "_id"}}, 5},
		{`{}`, []SortKey{{Path: "n", Desc: true}, {Path: "_id", Desc: true}}, 3},
		{`{"g": 1}`, []SortKey{{Path: "tags"}, {Path: "_id"}}, 2},
		{`{"g": {"$ne": 4}}`, []SortKey{{Path: "s.k"}, {Path: "_id"}}, 1},
	} {
		for seed := range uint64(8) {
			t.Run(fmt.Sprintf("%s/%v/%d/seed%d", tc.filter, tc.sort, tc.limit, seed), func(t *testing.T) {
				followStore(t, tc.filter, tc.sort, tc.limit, seed)
			})
		}
	}
}

var combos = map[string]bool{
	"update/update": true, "update/enqueue": true, "update/dequeue": true,
	"replace/update": true, "replace/enqueue": true, "replace/dequeue": true,
	"add/enqueue": true, "remove/dequeue": true, "limit/enqueue": true, "limit/dequeue": true,
}

func followStore(t *testing.T, filter string, sort []SortKey, limit int, seed uint64) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(seed, 7))
	f, err := ParseFilter(mustDecode(t, filter))
	if err != nil {
		t.Fatal(err)
	}
	q := &wquery{watchSpec: &watchSpec{filter: f, sort: sort, limit: limit}}
	store := map[string]Doc{}
	randomDoc := func(id string) Doc {
		d := Doc{{"_id", id}, {"g", int64(rng.IntN(4))}, {"n", int64(rng.IntN(6))}}
		if rng.IntN(3) == 0 {
			d = append(d, Field{"tags", []any{int64(rng.IntN(5)), int64(rng.IntN(5))}})
		}
		if rng.IntN(2) == 0 {
			d = append(d, Field{"s", Doc{{"k", int64(rng.IntN(3))}, {"z", "x"}}})
		}
		return d
	}
	for i := range 8 {
		id := fmt.Sprintf("d%02d", i)
		store[id] = randomDoc(id)
	}
	if err := q.load(ctx, nil, snapshot(store, q.snapshotQuery(1000)), 0, 1000); err != nil {
		t.Fatal(err)
	}
	q.phase = phaseLive
	var client listModel
	for _, raw := range q.visibleDocs() {
		var d map[string]any
		json.Unmarshal(raw, &d)
		client.docs = append(client.docs, d)
	}
	event := int64(0)
	send := func(changes []docChange) {
		if len(changes) == 0 {
			return
		}
		event++
		var frag []byte
		for i := range changes {
			if k := changes[i].dataType + "/" + changes[i].queueType; !combos[k] {
				t.Fatalf("event %d: %s is not one of wx.cloud's combinations", event, k)
			}
			if i > 0 {
				frag = append(frag, ',')
			}
			frag = appendDocChange(frag, event, &changes[i])
		}
		client.apply(t, frag)
	}
	next := 8
	for step := range 300 {
		var c Change
		ids := make([]string, 0, len(store))
		for id := range store {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		switch op := rng.IntN(10); {
		case op < 3 || len(ids) == 0:
			id := fmt.Sprintf("d%02d", next)
			next++
			store[id] = randomDoc(id)
			c = Change{Op: ChangeInsert, ID: id, Doc: store[id]}
		case op < 8:
			id := ids[rng.IntN(len(ids))]
			before := store[id]
			after := Clone(before).(Doc)
			switch rng.IntN(3) {
			case 0:
				after.Set("g", int64(rng.IntN(4)))
			case 1:
				after.Set("n", int64(rng.IntN(6)))
			default:
				after = randomDoc(id)
			}
			store[id] = after
			c = Change{Op: ChangeUpdate, ID: id, Doc: after, Before: before, Replace: rng.IntN(4) == 0}
		default:
			id := ids[rng.IntN(len(ids))]
			c = Change{Op: ChangeDelete, ID: id, Before: store[id]}
			delete(store, id)
		}
		var raw []byte
		changes, resync := q.apply(ctx, nil, &c, func() []byte {
			if raw == nil {
				raw = MarshalJSON(c.Doc)
			}
			return raw
		})
		send(changes)
		if resync {
			q.labels = map[string]string{}
			changes, err := q.resync(ctx, nil, snapshot(store, q.snapshotQuery(1000)), 0, 1000)
			if err != nil {
				t.Fatal(err)
			}
			send(changes)
		}
		if got, want := client.show(), truth(store, q); !slices.Equal(got, want) {
			t.Fatalf("step %d (%s %s): the client holds\n%v\nthe query's documents are\n%v", step, c.Op, c.ID, got, want)
		}
	}
}

func mustDecode(t *testing.T, s string) any {
	t.Helper()
	v, err := DecodeJSON([]byte(s), MaxDepth)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
