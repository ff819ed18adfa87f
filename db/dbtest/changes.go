package dbtest

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"minibase/db"
)

// wantChange is an expected change; doc and before are JSON ("" = none).
type wantChange struct {
	op          db.ChangeOp // or replaced
	id          string
	doc, before string
}

// replaced is the wantChange op of an update marked Replace.
const replaced = db.ChangeOp(100)

// writeSpec is a write written as JSON.
type writeSpec struct {
	kind          db.WriteKind
	docs          []string // insert
	doc           string   // replace
	filter        string   // update, remove
	update        string
	multi, upsert bool
}

func (w writeSpec) op(t *testing.T) *db.WriteOp {
	t.Helper()
	op := &db.WriteOp{Kind: w.kind, Multi: w.multi, Upsert: w.upsert, UpsertID: "up", Filter: parseFilter(t, w.filter)}
	switch w.kind {
	case db.WriteInsert:
		op.Docs = decodeDocs(t, w.docs)
	case db.WriteReplace:
		op.Doc = decodeDoc(t, w.doc)
	case db.WriteUpdate:
		op.Update = parseUpdate(t, w.update)
	}
	return op
}

// The change feed: one change per document a committed write inserted,
// changed or removed, with the document after and before, as a
// consumer of database triggers or realtime watch relies on.
var changeCases = []struct {
	name  string
	seed  []string
	write writeSpec
	want  []wantChange
}{
	{"insert one", nil, writeSpec{kind: db.WriteInsert, docs: []string{`{"_id": "a", "x": 1}`}},
		[]wantChange{{db.ChangeInsert, "a", `{"_id": "a", "x": 1}`, ""}}},
	{"insert many: one change each, in order", nil, writeSpec{kind: db.WriteInsert, docs: []string{`{"_id": "b"}`, `{"_id": "a", "d": {"$date": "2024-05-01T08:00:00Z"}}`}},
		[]wantChange{{db.ChangeInsert, "b", `{"_id": "b"}`, ""}, {db.ChangeInsert, "a", `{"_id": "a", "d": {"$date": "2024-05-01T08:00:00Z"}}`, ""}}},
	{"update one", []string{`{"_id": "a", "x": 1}`, `{"_id": "b", "x": 1}`},
		writeSpec{kind: db.WriteUpdate, filter: `{"x": 1}`, update: `{"$inc": {"x": 1}}`},
		[]wantChange{{db.ChangeUpdate, "a", `{"_id": "a", "x": 2}`, `{"_id": "a", "x": 1}`}}},
	{"update multi: one change per document", []string{`{"_id": "a", "x": 1}`, `{"_id": "b", "x": 1}`, `{"_id": "c", "x": 5}`},
		writeSpec{kind: db.WriteUpdate, filter: `{"x": 1}`, update: `{"$set": {"y": true}}`, multi: true},
		[]wantChange{{db.ChangeUpdate, "a", `{"_id": "a", "x": 1, "y": true}`, `{"_id": "a", "x": 1}`},
			{db.ChangeUpdate, "b", `{"_id": "b", "x": 1, "y": true}`, `{"_id": "b", "x": 1}`}}},
	{"an update that changes nothing records nothing", []string{`{"_id": "a", "x": 1}`},
		writeSpec{kind: db.WriteUpdate, filter: `{}`, update: `{"$set": {"x": 1}}`, multi: true}, nil},
	{"an upsert that inserts is an insert", nil,
		writeSpec{kind: db.WriteUpdate, filter: `{"k": "v"}`, update: `{"$set": {"y": 2}}`, upsert: true},
		[]wantChange{{db.ChangeInsert, "up", `{"_id": "up", "k": "v", "y": 2}`, ""}}},
	{"an upsert that matches is an update", []string{`{"_id": "a", "k": "v"}`},
		writeSpec{kind: db.WriteUpdate, filter: `{"k": "v"}`, update: `{"$set": {"y": 2}}`, upsert: true},
		[]wantChange{{db.ChangeUpdate, "a", `{"_id": "a", "k": "v", "y": 2}`, `{"_id": "a", "k": "v"}`}}},
	{"a replace of a stored document is an update marked Replace", []string{`{"_id": "a", "x": 1}`},
		writeSpec{kind: db.WriteReplace, doc: `{"_id": "a", "z": 3}`},
		[]wantChange{{replaced, "a", `{"_id": "a", "z": 3}`, `{"_id": "a", "x": 1}`}}},
	{"a replace that creates is an insert", []string{`{"_id": "a", "x": 1}`},
		writeSpec{kind: db.WriteReplace, doc: `{"_id": "b", "z": 3}`},
		[]wantChange{{db.ChangeInsert, "b", `{"_id": "b", "z": 3}`, ""}}},
	{"remove by _id keeps the removed document", []string{`{"_id": "a", "x": 1}`, `{"_id": "b"}`},
		writeSpec{kind: db.WriteRemove, filter: `{"_id": "a"}`},
		[]wantChange{{db.ChangeDelete, "a", "", `{"_id": "a", "x": 1}`}}},
	{"remove multi: one change per document", []string{`{"_id": "a", "g": 1}`, `{"_id": "b", "g": 2}`, `{"_id": "c", "g": 1}`},
		writeSpec{kind: db.WriteRemove, filter: `{"g": 1}`, multi: true},
		[]wantChange{{db.ChangeDelete, "a", "", `{"_id": "a", "g": 1}`}, {db.ChangeDelete, "c", "", `{"_id": "c", "g": 1}`}}},
}

func testChanges(t *testing.T, open func(t *testing.T) db.Driver) {
	d := open(t)
	for i, c := range changeCases {
		t.Run(c.name, func(t *testing.T) {
			coll := collName("chg", i)
			insert(t, d, coll, c.seed...) // before subscribing: not recorded
			subscribe(t, d, "cases", coll)
			before := time.Now().UTC().Truncate(time.Millisecond)
			if _, err := write(t, d, coll, c.write.op(t)); err != nil {
				t.Fatalf("write: %v", err)
			}
			after := time.Now().UTC()
			got := changes(t, d, "cases", 0)
			wantChanges(t, got, coll, c.want)
			for _, ch := range got {
				if ch.Time.Before(before) || ch.Time.After(after) || ch.Hop != 0 {
					t.Errorf("change %d: time %v (want within the write, %v to %v), hop %d (want 0)", ch.Seq, ch.Time, before, after, ch.Hop)
				}
			}
		})
	}
	t.Run("Feed", func(t *testing.T) { testFeed(t, open) })
}

func subscribe(t *testing.T, d db.Driver, consumer string, colls ...string) {
	t.Helper()
	if err := d.Subscribe(t.Context(), consumer, colls); err != nil {
		t.Fatalf("Subscribe(%s, %v): %v", consumer, colls, err)
	}
}

func changes(t *testing.T, d db.Driver, consumer string, after int64) []db.Change {
	t.Helper()
	got, err := d.Changes(t.Context(), consumer, after, db.MaxChanges)
	if err != nil {
		t.Fatalf("Changes(%s, %d): %v", consumer, after, err)
	}
	return got
}

func wantChanges(t *testing.T, got []db.Change, coll string, want []wantChange) {
	t.Helper()
	show := func(s string) string {
		if s == "" {
			return "<none>"
		}
		return string(db.MarshalJSON(decodeDoc(t, s)))
	}
	showDoc := func(d db.Doc) string {
		if d == nil {
			return "<none>"
		}
		return string(db.MarshalJSON(d))
	}
	if len(got) != len(want) {
		t.Errorf("got %d changes, want %d", len(got), len(want))
	}
	var last int64
	for i := range min(len(got), len(want)) {
		g, w := got[i], want[i]
		op := g.Op
		if g.Replace {
			op = replaced
			if g.Op != db.ChangeUpdate {
				t.Errorf("change %d: Replace on a %s", i, g.Op)
			}
		}
		if g.Coll != coll || op != w.op || g.ID != w.id || showDoc(g.Doc) != show(w.doc) || showDoc(g.Before) != show(w.before) {
			t.Errorf("change %d: got %s %s/%s doc %s before %s\nwant %s %s/%s doc %s before %s", i,
				g.Op, g.Coll, g.ID, showDoc(g.Doc), showDoc(g.Before), w.op, coll, w.id, show(w.doc), show(w.before))
		}
		if g.Seq <= last {
			t.Errorf("change %d: seq %d after %d: not increasing", i, g.Seq, last)
		}
		last = g.Seq
	}
}

func seqs(cs []db.Change) []int64 {
	out := make([]int64, len(cs))
	for i, c := range cs {
		out[i] = c.Seq
	}
	return out
}

func closed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// testFeed: subscriptions, acknowledgement, order, hops and the signal.
func testFeed(t *testing.T, open func(t *testing.T) db.Driver) {
	ins := func(t *testing.T, d db.Driver, ctx context.Context, coll, doc string) {
		t.Helper()
		op := &db.WriteOp{Kind: db.WriteInsert, Docs: []db.Doc{decodeDoc(t, doc)}, Now: writeTime}
		if _, err := d.Write(ctx, coll, op); err != nil {
			t.Fatalf("insert into %s: %v", coll, err)
		}
	}
	t.Run("only subscribed collections record, and signal", func(t *testing.T) {
		d := open(t)
		subscribe(t, d, "fn", "a")
		ch := d.Changed()
		ins(t, d, t.Context(), "b", `{"_id": "1"}`)
		if closed(ch) {
			t.Errorf("a write to an unsubscribed collection signalled Changed")
		}
		ins(t, d, t.Context(), "a", `{"_id": "2"}`)
		if !closed(ch) {
			t.Errorf("a recorded change did not signal Changed")
		}
		wantChanges(t, changes(t, d, "fn", 0), "a", []wantChange{{db.ChangeInsert, "2", `{"_id": "2"}`, ""}})
	})
	t.Run("a failed write records nothing", func(t *testing.T) {
		d := open(t)
		subscribe(t, d, "fn", "a")
		ins(t, d, t.Context(), "a", `{"_id": "1"}`)
		op := &db.WriteOp{Kind: db.WriteInsert, Docs: decodeDocs(t, []string{`{"_id": "2"}`, `{"_id": "1"}`})}
		_, err := write(t, d, "a", op)
		wantCode(t, "duplicate insert", err, db.CodeDuplicateKey)
		if got := changes(t, d, "fn", 0); len(got) != 1 {
			t.Errorf("after a failed insert: %d changes, want 1 (the earlier insert)", len(got))
		}
	})
	t.Run("commit order, paging and acknowledgement", func(t *testing.T) {
		d := open(t)
		subscribe(t, d, "fn", "a", "b")
		for i, coll := range []string{"a", "b", "a", "b"} {
			ins(t, d, t.Context(), coll, `{"_id": "`+string(rune('1'+i))+`"}`)
		}
		all := changes(t, d, "fn", 0)
		if ids := []string{all[0].ID, all[1].ID, all[2].ID, all[3].ID}; !slices.Equal(ids, []string{"1", "2", "3", "4"}) {
			t.Fatalf("changes in order %v, want the writes' order 1 2 3 4", ids)
		}
		page, err := d.Changes(t.Context(), "fn", all[0].Seq, 2)
		if err != nil || !slices.Equal(seqs(page), seqs(all[1:3])) {
			t.Errorf("Changes(after first, 2) = %v, %v; want %v", seqs(page), err, seqs(all[1:3]))
		}
		if err := d.Ack(t.Context(), "fn", all[1].Seq, all[2].Seq, 1<<40); err != nil {
			t.Fatal(err)
		}
		if got := changes(t, d, "fn", 0); !slices.Equal(seqs(got), []int64{all[0].Seq, all[3].Seq}) {
			t.Errorf("after acknowledging the middle two: %v, want %v", seqs(got), []int64{all[0].Seq, all[3].Seq})
		}
		if err := d.Ack(t.Context(), "fn", all[0].Seq, all[3].Seq); err != nil {
			t.Fatal(err)
		}
		ins(t, d, t.Context(), "a", `{"_id": "5"}`)
		if got := changes(t, d, "fn", 0); len(got) != 1 || got[0].Seq <= all[3].Seq {
			t.Errorf("a change after everything was acknowledged: %v, want one with seq > %d", seqs(got), all[3].Seq)
		}
	})
	t.Run("unsubscribing drops pending changes", func(t *testing.T) {
		d := open(t)
		subscribe(t, d, "fn", "a", "b")
		ins(t, d, t.Context(), "a", `{"_id": "1"}`)
		ins(t, d, t.Context(), "b", `{"_id": "2"}`)
		subscribe(t, d, "fn", "b")
		wantChanges(t, changes(t, d, "fn", 0), "b", []wantChange{{db.ChangeInsert, "2", `{"_id": "2"}`, ""}})
		subscribe(t, d, "fn")
		subscribe(t, d, "fn", "a", "b")
		if got := changes(t, d, "fn", 0); len(got) != 0 {
			t.Errorf("after unsubscribing and subscribing again: %d changes, want 0", len(got))
		}
	})
	t.Run("consumers are independent", func(t *testing.T) {
		d := open(t)
		subscribe(t, d, "fn", "a")
		subscribe(t, d, "watch", "a")
		ins(t, d, t.Context(), "a", `{"_id": "1"}`)
		fn := changes(t, d, "fn", 0)
		if len(fn) != 1 {
			t.Fatalf("fn: %d changes, want 1", len(fn))
		}
		if err := d.Ack(t.Context(), "fn", fn[0].Seq); err != nil {
			t.Fatal(err)
		}
		if got := changes(t, d, "watch", 0); len(got) != 1 || got[0].ID != "1" {
			t.Errorf("watch after fn acknowledged: %d changes, want its own 1", len(got))
		}
		subscribe(t, d, "watch")
		ins(t, d, t.Context(), "a", `{"_id": "2"}`)
		if got := changes(t, d, "fn", 0); len(got) != 1 || got[0].ID != "2" {
			t.Errorf("fn after watch unsubscribed: %v, want the new change", got)
		}
	})
	t.Run("hop rides in the context", func(t *testing.T) {
		d := open(t)
		subscribe(t, d, "fn", "a")
		ins(t, d, db.WithHop(t.Context(), 3), "a", `{"_id": "1"}`)
		if got := changes(t, d, "fn", 0); len(got) != 1 || got[0].Hop != 3 {
			t.Errorf("a write with hop 3 recorded %+v, want one change with Hop 3", got)
		}
	})
	t.Run("a read stops after MaxChangeBytes", func(t *testing.T) {
		d := open(t)
		subscribe(t, d, "fn", "a")
		big := strings.Repeat("x", db.MaxChangeBytes*3/8) // 3 of them are over the limit
		for i := range 4 {
			doc := db.Doc{{Key: "_id", Value: strconv.Itoa(i)}, {Key: "s", Value: big}}
			if _, err := write(t, d, "a", &db.WriteOp{Kind: db.WriteInsert, Docs: []db.Doc{doc}}); err != nil {
				t.Fatal(err)
			}
		}
		got := changes(t, d, "fn", 0)
		if len(got) != 3 || got[0].Size < len(big) || got[0].Size > len(big)+100 {
			t.Fatalf("read %d changes (size of the first %d), want 3 of about %d bytes", len(got), got[0].Size, len(big))
		}
		if rest := changes(t, d, "fn", got[2].Seq); len(rest) != 1 || rest[0].ID != "3" {
			t.Errorf("the next read: %d changes, want the 4th", len(rest))
		}
	})
	t.Run("bad input", func(t *testing.T) {
		d := open(t)
		wantCode(t, "consumer with a space", d.Subscribe(t.Context(), "a b", nil), db.CodeInvalidParam)
		wantCode(t, "bad collection", d.Subscribe(t.Context(), "fn", []string{"$x"}), db.CodeInvalidParam)
		_, err := d.Changes(t.Context(), "fn", 0, 0)
		wantCode(t, "limit 0", err, db.CodeInvalidParam)
		_, err = d.Changes(t.Context(), "fn", 0, db.MaxChanges+1)
		wantCode(t, "limit over the maximum", err, db.CodeInvalidParam)
		wantCode(t, "too many seqs", d.Ack(t.Context(), "fn", make([]int64, db.MaxAck+1)...), db.CodeInvalidParam)
	})
}
