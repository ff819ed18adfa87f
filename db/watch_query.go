package db

import (
	"context"
	"slices"
	"time"
)

// watchSpec is a client's watch request, authorized and parsed: what
// makes one distinct query. Clients whose specs have the same key share
// one wquery, evaluated once per change.
type watchSpec struct {
	coll   string
	filter *Filter    // the filter the rules leave (PRIVATE's scope, a rule's NoArray)
	sort   []SortKey  // ends with _id; _id descending without an orderBy
	limit  int        // 0: every matching document, up to MaxDocs
	g      grant      // the caller, for the read rule's backstop
	rules  *RuleSet   // the rules it was admitted under; nil for admins
	custom bool       // check each document against the read rule (custom rules)
	owner  string     // the _openid the filter pins ("" when none): an index of queries
	key    string     // coll, filter, sort, limit and the rules' scope of the caller
	source watchQuery // the request, to admit again when the rules change
}

// watchQuery is a watch request as the client sent it.
type watchQuery struct {
	filter, sort, limit any
}

// entry is one document a query holds: its sort values (one per key of
// the query's sort) and its extended JSON.
type entry struct {
	id   string
	keys []any
	raw  []byte
}

// Query phases.
const (
	phaseLoading = iota // its first snapshot is being read
	phaseLive           // it applies changes
	phaseResync         // a snapshot is being read to refill its list (orderBy+limit)
	phaseDead           // failed or swept: nothing more
)

// wquery is the state of one distinct watched query: the documents it
// holds, in its order, and its events. Only the hub's goroutine uses it.
//
// With a limit it holds up to limit+spare documents: the first limit are
// the watched list, the rest replace documents that leave it. held is
// always the first len(held) documents the query matches; complete says
// there are no others. A document that would rank after the last held one
// of an incomplete list is not held (the documents between are not
// known); when the list falls below limit that way, the query reads a new
// snapshot (phaseResync).
type wquery struct {
	*watchSpec
	id       string // the queryId clients resume with
	phase    int
	gen      int // snapshot generation: a late answer of an older read is dropped
	held     []entry
	pos      map[string][]any // held documents' sort values by _id
	complete bool
	from     int64 // the feed Seq the held documents reflect: changes up to it are in them
	event    int64 // the id of the newest event
	log      eventLog
	subs     map[*subscriber]struct{}
	idle     time.Time // when the last subscriber left (lingering); zero while it has some
	// initAt and initMsg: the body of an init message at event initAt.
	initAt  int64
	initMsg []byte
	// labels, during a resync: the data type of the newest change of each
	// document whose change the snapshot covers, to name its docChange.
	labels map[string]string
}

// spare is how many documents past its limit a query holds.
func (q *wquery) spare() int { return min(q.limit, 100) }

// visibleAt reports whether the document at index i of held is in the
// watched list.
func (q *wquery) visibleAt(i int) bool { return i >= 0 && (q.limit == 0 || i < q.limit) }

// visibleLen is the length of the watched list.
func (q *wquery) visibleLen() int {
	if q.limit == 0 {
		return len(q.held)
	}
	return min(q.limit, len(q.held))
}

func (q *wquery) compare(a, b []any) int {
	for i, k := range q.sort {
		c := Compare(a[i], b[i])
		if k.Desc {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

// keysOf returns doc's sort values.
func (q *wquery) keysOf(doc Doc) []any {
	keys := make([]any, len(q.sort))
	for i, k := range q.sort {
		keys[i] = SortValue(doc, k.Path, k.Desc)
	}
	return keys
}

// search returns the index in held where keys are or would be.
func (q *wquery) search(keys []any) int {
	i, _ := slices.BinarySearchFunc(q.held, keys, func(e entry, k []any) int { return q.compare(e.keys, k) })
	return i
}

// index returns the index of the held document id, or -1.
func (q *wquery) index(id string) int {
	keys, ok := q.pos[id]
	if !ok {
		return -1
	}
	return q.search(keys)
}

// readable reports whether the read rule lets the query's caller see doc
// (custom rules: the backstop of the proof against the filter, and what
// moves a document out of a user's view when a get() it reads changes).
// A rule that fails counts as no.
func (q *wquery) readable(ctx context.Context, s *Service, doc Doc) bool {
	return !q.custom || s.checker(q.g, opRead, nil).doc(ctx, doc, nil) == nil
}

// load replaces the held documents with a snapshot read at seq.
func (q *wquery) load(ctx context.Context, s *Service, docs [][]byte, seq int64, maxDocs int) error {
	held := make([]entry, 0, len(docs))
	for _, raw := range docs {
		v, err := DecodeJSON(raw, MaxDepth+1)
		if err != nil {
			return err
		}
		doc, _ := v.(Doc)
		if !q.readable(ctx, s, doc) {
			continue
		}
		held = append(held, entry{id: doc.ID(), keys: q.keysOf(doc), raw: raw})
	}
	slices.SortStableFunc(held, func(a, b entry) int { return q.compare(a.keys, b.keys) })
	q.complete = true
	switch {
	case q.limit == 0 && len(docs) > maxDocs:
		return errTooManyDocs(maxDocs)
	case q.limit > 0 && len(docs) >= q.limit+q.spare():
		q.complete = false
	}
	q.held, q.from = held, seq
	q.pos = make(map[string][]any, len(held))
	for _, e := range held {
		q.pos[e.id] = e.keys
	}
	return nil
}

func errTooManyDocs(max int) *Error {
	return Errorf(CodeResultTooLarge, "the watch matches more than %d documents: narrow its where(), or add a limit()", max)
}

// snapshotQuery is what a query's snapshot reads.
func (q *wquery) snapshotQuery(maxDocs int) *Query {
	n := maxDocs + 1
	if q.limit > 0 {
		n = q.limit + q.spare()
	}
	return &Query{Filter: q.filter, Sort: q.sort, Limit: n}
}

// dataTypeOf names what c did to its document.
func dataTypeOf(c *Change) string {
	switch {
	case c.Op == ChangeInsert:
		return dataAdd
	case c.Op == ChangeDelete:
		return dataRemove
	case c.Replace:
		return dataReplace
	}
	return dataUpdate
}

// apply applies one committed change (Seq after q.from) and returns the
// docChanges of the event it makes for the watched list (none when the
// list did not change), and whether the list must be refilled (resync).
// raw gives c.Doc as extended JSON.
func (q *wquery) apply(ctx context.Context, s *Service, c *Change, raw func() []byte) ([]docChange, bool) {
	_, held := q.pos[c.ID]
	in := c.Doc != nil && q.filter.Match(c.Doc) && q.readable(ctx, s, c.Doc)
	if !held && !in {
		return nil, false
	}
	lastVisible, firstHidden := q.boundary()
	wasVisible := false
	if held {
		i := q.index(c.ID)
		wasVisible = q.visibleAt(i)
		q.held = slices.Delete(q.held, i, i+1)
		delete(q.pos, c.ID)
	}
	at := -1
	if in {
		at = q.insert(entry{id: c.ID, keys: q.keysOf(c.Doc), raw: raw()})
	}
	var out []docChange
	dc := docChange{dataType: dataTypeOf(c), id: c.ID, index: at}
	switch isVisible := q.visibleAt(at); {
	case wasVisible && isVisible:
		dc.queueType = queueUpdate
	case wasVisible:
		dc.queueType = queueDequeue
	case isVisible:
		dc.queueType = queueEnqueue
	}
	if dc.queueType != "" {
		if dc.queueType == queueEnqueue || dc.dataType == dataReplace {
			dc.doc = raw()
		}
		if dc.dataType == dataUpdate {
			dc.before, dc.after = c.Before, c.Doc
		}
		out = append(out, dc)
	}
	if lastVisible != "" && lastVisible != c.ID && !q.visibleAt(q.index(lastVisible)) {
		out = append(out, docChange{dataType: dataLimit, queueType: queueDequeue, id: lastVisible})
	}
	if firstHidden != "" && firstHidden != c.ID {
		if i := q.index(firstHidden); q.visibleAt(i) {
			out = append(out, docChange{dataType: dataLimit, queueType: queueEnqueue, id: firstHidden, doc: q.held[i].raw, index: i})
		}
	}
	return out, q.limit > 0 && !q.complete && len(q.held) < q.limit
}

// boundary returns the _ids of the last document of the watched list and
// of the first held one after it ("" when none).
func (q *wquery) boundary() (lastVisible, firstHidden string) {
	n := q.visibleLen()
	if n > 0 {
		lastVisible = q.held[n-1].id
	}
	if q.limit > 0 && n < len(q.held) {
		firstHidden = q.held[n].id
	}
	return lastVisible, firstHidden
}

// insert adds e in order and returns its index, or -1 when it is not
// held: it ranks after the last document of an incomplete list, or is the
// one dropped to keep limit+spare.
func (q *wquery) insert(e entry) int {
	i := q.search(e.keys)
	if i == len(q.held) && !q.complete {
		return -1
	}
	q.held = slices.Insert(q.held, i, e)
	q.pos[e.id] = e.keys
	if q.limit > 0 && len(q.held) > q.limit+q.spare() {
		last := q.held[len(q.held)-1]
		q.held = q.held[:len(q.held)-1]
		delete(q.pos, last.id)
		q.complete = false
		if last.id == e.id {
			return -1
		}
	}
	return i
}

// resync replaces the held documents with a snapshot (load's arguments)
// and returns the docChanges that take the watched list from what the
// clients have to the snapshot's: documents that left it, entered it or
// changed, named by the changes the snapshot covers (labels) or, for the
// documents that only moved across the limit, as limit.
func (q *wquery) resync(ctx context.Context, s *Service, docs [][]byte, seq int64, maxDocs int) ([]docChange, error) {
	old := q.held[:q.visibleLen()]
	if err := q.load(ctx, s, docs, seq, maxDocs); err != nil {
		return nil, err
	}
	now := q.held[:q.visibleLen()]
	label := func(id, def string) string {
		if l, ok := q.labels[id]; ok {
			return l
		}
		return def
	}
	in := make(map[string]int, len(now))
	for i, e := range now {
		in[e.id] = i
	}
	var out []docChange
	was := make(map[string]entry, len(old))
	for _, e := range old {
		was[e.id] = e
		if _, ok := in[e.id]; !ok {
			out = append(out, docChange{dataType: label(e.id, dataLimit), queueType: queueDequeue, id: e.id})
		}
	}
	for i, e := range now {
		o, ok := was[e.id]
		switch {
		case !ok:
			out = append(out, docChange{dataType: label(e.id, dataLimit), queueType: queueEnqueue, id: e.id, doc: e.raw, index: i})
		case string(o.raw) != string(e.raw):
			out = append(out, changedEntry(o, e, i, label(e.id, dataUpdate)))
		}
	}
	q.labels = nil
	return out, nil
}

// changedEntry is the update docChange of a document whose content went
// from o to e (index i in the list).
func changedEntry(o, e entry, i int, dataType string) docChange {
	dc := docChange{dataType: dataType, queueType: queueUpdate, id: e.id, index: i}
	before, err1 := DecodeJSON(o.raw, MaxDepth+1)
	after, err2 := DecodeJSON(e.raw, MaxDepth+1)
	b, _ := before.(Doc)
	a, _ := after.(Doc)
	if dataType != dataUpdate || err1 != nil || err2 != nil || b == nil || a == nil {
		dc.dataType, dc.doc = dataReplace, e.raw // the whole document
		return dc
	}
	dc.before, dc.after = b, a
	return dc
}

// visibleDocs returns the watched list's documents.
func (q *wquery) visibleDocs() [][]byte {
	out := make([][]byte, q.visibleLen())
	for i := range out {
		out[i] = q.held[i].raw
	}
	return out
}
