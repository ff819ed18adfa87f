package db

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"sync"
	"time"
)

// WatchOptions bound realtime watches. Zero values take the defaults.
type WatchOptions struct {
	MaxDocs       int           // documents a watch may match: its init snapshot and list (default 5000, as CloudBase)
	PerConnection int           // watches one connection holds (default 100)
	PerUser       int           // watches, and connections, of one end user or one visitor's address (default 500)
	Total         int           // watches, and connections, of the whole server (default 50,000)
	IdleTimeout   time.Duration // a connection that sends nothing for this long is closed (default 60 s)
	SendBuffer    int           // bytes of messages waiting for one client; beyond, it is disconnected (default 32 MiB)
	// Now is the clock access tokens expire by (default time.Now).
	Now func() time.Time
	// Sessions, when set, ends the connections of sign-ins it revokes.
	Sessions Sessions
}

func (o WatchOptions) withDefaults() WatchOptions {
	if o.MaxDocs <= 0 {
		o.MaxDocs = 5000
	}
	if o.PerConnection <= 0 {
		o.PerConnection = 100
	}
	if o.PerUser <= 0 {
		o.PerUser = 500
	}
	if o.Total <= 0 {
		o.Total = 50_000
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = 60 * time.Second
	}
	if o.SendBuffer <= 0 {
		o.SendBuffer = 32 << 20
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Sessions tells watches when a sign-in ends (auth.Tokens).
type Sessions interface {
	// Revoked reports whether the access tokens of the sign-in sid are
	// refused.
	Revoked(sid string) bool
	// Revocations returns a channel closed at the next revocation.
	Revocations() <-chan struct{}
}

// linger is how long a query no client watches is kept up to date, so
// that a client whose connection dropped resumes from its log.
const linger = time.Minute

// Watches is the realtime side of the database: clients watch queries
// over WebSockets (Mount), and Run keeps every watched query up to date
// from a ChangeSource. Clients watching the same query under the same
// rules share its state: a change is evaluated once per distinct query,
// then its event is sent to each of them. A client that does not read
// its messages fast enough is disconnected; it never holds up the others.
type Watches struct {
	svc  *Service
	src  ChangeSource
	opts WatchOptions

	mu     sync.Mutex
	inbox  []func()      // what connections ask of the hub, in order
	wake   chan struct{} // capacity 1: the inbox has work
	conns  map[*wconn]struct{}
	users  map[string]int // watches and connections per user key
	total  int            // watches and connections
	colls  map[string]int // queries per collection: what the feed records
	closed bool

	subMu      sync.Mutex // one Subscribe at a time
	subscribed []string   // what the source records, sorted

	// The hub's own state: only Run's goroutine touches it.
	queries   map[string]*wquery
	byColl    map[string]*collQueries
	after     int64
	acks      chan []int64
	ctx       context.Context
	report    func(error)
	loads     sync.WaitGroup
	loadSlots chan struct{} // snapshots being read (maxLoads)
}

// collQueries are the queries of one collection, indexed by the owner
// their filter pins, and the changes kept for those that read a snapshot.
type collQueries struct {
	all     map[*wquery]struct{}
	owned   map[string]map[*wquery]struct{} // by owner (the _openid their filter pins)
	open    map[*wquery]struct{}            // the rest
	loading int                             // queries reading a snapshot
	buffer  []Change                        // changes seen meanwhile
	bytes   int
}

// Bounds of what a collection keeps while snapshots are read; beyond, the
// reads start again.
const (
	maxBuffered      = 10_000
	maxBufferedBytes = 64 << 20
)

// NewWatches returns the watches of s's collections over src. Run it;
// mount its route with Mount.
func NewWatches(s *Service, src ChangeSource, opts WatchOptions) *Watches {
	w := &Watches{svc: s, src: src, opts: opts.withDefaults(), wake: make(chan struct{}, 1),
		conns: map[*wconn]struct{}{}, users: map[string]int{}, colls: map[string]int{},
		queries: map[string]*wquery{}, byColl: map[string]*collQueries{}, loadSlots: make(chan struct{}, maxLoads)}
	s.setWatches(w)
	return w
}

// post runs fn on the hub's goroutine, after what was posted before.
func (w *Watches) post(fn func()) {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return
	}
	w.inbox = append(w.inbox, fn)
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

func (w *Watches) runInbox() {
	for {
		w.mu.Lock()
		fns := w.inbox
		w.inbox = nil
		w.mu.Unlock()
		if len(fns) == 0 {
			return
		}
		for _, fn := range fns {
			fn()
		}
	}
}

// Run keeps the watched queries up to date until ctx ends, then closes
// every watch connection (the clients reconnect to the next server).
// report receives what goes wrong meanwhile (the feed cannot be read).
func (w *Watches) Run(ctx context.Context, report func(error)) {
	w.ctx, w.report = ctx, report
	if err := w.src.Subscribe(ctx, nil); err != nil && ctx.Err() == nil { // what a previous run left
		report(fmt.Errorf("realtime watch: reset the change feed: %w", err))
	}
	w.acks = make(chan []int64, 64)
	ackDone := make(chan struct{})
	go func() { defer close(ackDone); w.acknowledge() }()
	defer func() {
		w.shutdown()
		w.loads.Wait()
		close(w.acks)
		<-ackDone
	}()
	sweep := time.NewTicker(linger / 4)
	defer sweep.Stop()
	var revoked <-chan struct{}
	if w.opts.Sessions != nil {
		revoked = w.opts.Sessions.Revocations()
	}
	dirty := true
	var changed <-chan struct{}
	for {
		if dirty {
			changed = w.src.Changed()
			var ok bool
			if dirty, ok = w.read(ctx); !ok {
				if !sleepCtx(ctx, time.Second) {
					return
				}
				dirty = true
				continue
			}
		}
		w.runInbox()
		if dirty {
			continue
		}
		select {
		case <-changed:
			dirty = true
		case <-w.wake:
		case <-revoked:
			revoked = w.opts.Sessions.Revocations()
			w.endRevoked()
		case <-sweep.C:
			w.sweep()
		case <-ctx.Done():
			return
		}
	}
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// read reads and applies one page of changes; more says the page was
// full, ok that the source answered.
func (w *Watches) read(ctx context.Context) (more, ok bool) {
	cs, err := w.src.Changes(ctx, w.after, MaxChanges)
	if err != nil {
		if ctx.Err() == nil {
			w.report(fmt.Errorf("realtime watch: read the change feed: %w", err))
		}
		return false, false
	}
	if len(cs) == 0 {
		return false, true
	}
	checked := map[string]bool{}
	seqs := make([]int64, len(cs))
	for i := range cs {
		c := &cs[i]
		if !checked[c.Coll] {
			checked[c.Coll] = true
			w.checkRules(c.Coll)
		}
		w.apply(c)
		w.after, seqs[i] = c.Seq, c.Seq
	}
	w.acks <- seqs
	return len(cs) == MaxChanges || sizeOf(cs) > MaxChangeBytes, true
}

func sizeOf(cs []Change) int {
	n := 0
	for _, c := range cs {
		n += c.Size
	}
	return n
}

// acknowledge drops what the hub read from the source, in batches.
func (w *Watches) acknowledge() {
	for seqs := range w.acks {
		for len(seqs) > 0 {
			n := min(len(seqs), MaxAck)
			ctx, cancel := context.WithTimeout(context.WithoutCancel(w.ctx), 10*time.Second)
			if err := w.src.Ack(ctx, seqs[:n]...); err != nil {
				w.report(fmt.Errorf("realtime watch: acknowledge %d changes: %w", n, err))
			}
			cancel()
			seqs = seqs[n:]
		}
	}
}

// apply hands one change to the queries of its collection.
func (w *Watches) apply(c *Change) {
	cq := w.byColl[c.Coll]
	if cq == nil {
		return
	}
	if cq.loading > 0 {
		cq.buffer = append(cq.buffer, *c)
		cq.bytes += c.Size
		if len(cq.buffer) > maxBuffered || cq.bytes > maxBufferedBytes {
			w.reload(cq)
		}
	}
	var raw []byte
	doc := func() []byte {
		if raw == nil {
			raw = MarshalJSON(c.Doc)
		}
		return raw
	}
	for q := range cq.candidates(c) {
		if q.phase == phaseLive && c.Seq > q.from {
			w.applyTo(q, c, doc)
		}
	}
}

// candidates returns the queries a change may concern: those whose filter
// pins the owner the document had or has, and those that pin none.
func (cq *collQueries) candidates(c *Change) func(func(*wquery) bool) {
	return func(yield func(*wquery) bool) {
		for q := range cq.open {
			if !yield(q) {
				return
			}
		}
		if len(cq.owned) == 0 {
			return
		}
		seen := map[string]bool{}
		for _, d := range []Doc{c.Before, c.Doc} {
			for _, o := range owners(d) {
				if seen[o] {
					continue
				}
				seen[o] = true
				for q := range cq.owned[o] {
					if !yield(q) {
						return
					}
				}
			}
		}
	}
}

// owners returns the values of doc's owner field: a string, or the
// strings of an array (a filter {_openid: x} matches both).
func owners(doc Doc) []string {
	v, _ := doc.Get(OwnerField)
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// applyTo applies c to q and sends the event it makes.
func (w *Watches) applyTo(q *wquery, c *Change, doc func() []byte) {
	changes, resync := q.apply(w.ctx, w.svc, c, doc)
	if q.limit == 0 && len(q.held) > w.opts.MaxDocs {
		w.fail(q, errTooManyDocs(w.opts.MaxDocs))
		return
	}
	w.emit(q, changes)
	if resync {
		w.startLoad(q, phaseResync)
	}
}

// emit sends an event of changes to q's subscribers and keeps it in q's
// log.
func (w *Watches) emit(q *wquery, changes []docChange) {
	if len(changes) == 0 {
		return
	}
	q.event++
	var frag []byte
	for i := range changes {
		if i > 0 {
			frag = append(frag, ',')
		}
		frag = appendDocChange(frag, q.event, &changes[i])
	}
	q.log.add(q.event, frag)
	body := eventsBody(q.id, q.event, frag)
	for sub := range q.subs {
		sub.send(headEvents, body)
	}
}

// newQueryID returns a random query id.
func newQueryID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// attach gives sub the query of spec: a fresh init, or the events it
// missed when resume names the query and its log still holds them.
func (w *Watches) attach(sub *subscriber, spec *watchSpec, resume *resumePoint) {
	if sub.ended() {
		return
	}
	q := w.queries[spec.key]
	if q == nil {
		q = &wquery{watchSpec: spec, id: newQueryID(), subs: map[*subscriber]struct{}{}}
		w.addQuery(q)
		w.startLoad(q, phaseLoading)
	}
	q.subs[sub] = struct{}{}
	q.idle = time.Time{}
	sub.q = q
	if q.phase == phaseLoading {
		return // init when the snapshot is read
	}
	if resume != nil && resume.queryID == q.id {
		if events, ok := q.log.since(resume.event, q.event); ok {
			sub.send(headResume, eventsBody(q.id, q.event, events...))
			return
		}
	}
	w.sendInit(q, sub)
}

// sendInit sends sub q's watched list.
func (w *Watches) sendInit(q *wquery, sub *subscriber) {
	if q.initMsg == nil || q.initAt != q.event {
		q.initMsg, q.initAt = initBody(q.id, q.event, q.visibleDocs()), q.event
	}
	if len(q.initMsg) > w.svc.limits.MaxResult {
		w.detachWith(sub, Errorf(CodeResultTooLarge, "the watch's documents are over %d bytes: narrow its where(), or add a limit()", w.svc.limits.MaxResult))
		return
	}
	sub.send(headInit, q.initMsg)
}

// detach removes sub from its query (it closed, or its connection did). A
// query left without subscribers lingers, kept up to date, for a client
// that reconnects.
func (w *Watches) detach(sub *subscriber) {
	q := sub.q
	if q == nil {
		return
	}
	sub.q = nil
	delete(q.subs, sub)
	if len(q.subs) == 0 && q.phase != phaseDead {
		q.idle = time.Now()
	}
}

// detachWith ends sub's watch with err.
func (w *Watches) detachWith(sub *subscriber, err *Error) {
	w.detach(sub)
	sub.fail(err)
}

// fail ends q: each subscriber gets err.
func (w *Watches) fail(q *wquery, err *Error) {
	for sub := range q.subs {
		sub.q = nil
		sub.fail(err)
	}
	q.subs = nil
	w.dropQuery(q)
}

func (w *Watches) addQuery(q *wquery) {
	w.queries[q.key] = q
	cq := w.byColl[q.coll]
	if cq == nil {
		cq = &collQueries{all: map[*wquery]struct{}{}, owned: map[string]map[*wquery]struct{}{}, open: map[*wquery]struct{}{}}
		w.byColl[q.coll] = cq
		w.mu.Lock()
		w.colls[q.coll]++
		w.mu.Unlock()
	}
	cq.all[q] = struct{}{}
	if q.owner == "" {
		cq.open[q] = struct{}{}
	} else {
		if cq.owned[q.owner] == nil {
			cq.owned[q.owner] = map[*wquery]struct{}{}
		}
		cq.owned[q.owner][q] = struct{}{}
	}
}

// dropQuery forgets q; a collection left without queries is no longer
// recorded by the source.
func (w *Watches) dropQuery(q *wquery) {
	if q.phase == phaseLoading || q.phase == phaseResync {
		w.byColl[q.coll].loaded()
	}
	q.phase = phaseDead
	if w.queries[q.key] == q {
		delete(w.queries, q.key)
	}
	cq := w.byColl[q.coll]
	delete(cq.all, q)
	delete(cq.open, q)
	if m := cq.owned[q.owner]; m != nil {
		delete(m, q)
		if len(m) == 0 {
			delete(cq.owned, q.owner)
		}
	}
	if len(cq.all) > 0 {
		return
	}
	delete(w.byColl, q.coll)
	w.mu.Lock()
	if w.colls[q.coll]--; w.colls[q.coll] <= 0 {
		delete(w.colls, q.coll)
	}
	w.mu.Unlock()
	if !w.stopping() {
		w.loads.Add(1)
		go func() {
			defer w.loads.Done()
			w.resubscribe(w.ctx)
		}()
	}
}

// loaded notes that one of the collection's queries stopped reading a
// snapshot; the buffer goes with the last.
func (cq *collQueries) loaded() {
	if cq.loading--; cq.loading == 0 {
		cq.buffer, cq.bytes = nil, 0
	}
}

// sweep drops the queries that lingered long enough without subscribers.
func (w *Watches) sweep() {
	cut := time.Now().Add(-linger)
	for _, q := range w.queries {
		if len(q.subs) == 0 && !q.idle.IsZero() && q.idle.Before(cut) {
			w.dropQuery(q)
		}
	}
}

// checkRules admits again, under the collection's rules of now, the
// subscribers of the queries admitted under other rules.
func (w *Watches) checkRules(coll string) {
	cq := w.byColl[coll]
	if cq == nil {
		return
	}
	rs, err := w.svc.rulesOf(w.ctx, coll)
	if err != nil {
		return // the collection is gone: dropped() ends its watches
	}
	var stale []*wquery
	for q := range cq.all {
		if q.rules != nil && q.rules != rs {
			stale = append(stale, q)
		}
	}
	for _, q := range stale {
		subs := slices.Collect(func(yield func(*subscriber) bool) {
			for s := range q.subs {
				if !yield(s) {
					return
				}
			}
		})
		q.subs = nil
		w.dropQuery(q)
		for _, sub := range subs {
			sub.q = nil
			w.readmit(sub)
		}
	}
}

// readmit attaches sub again from its request: the rules changed.
func (w *Watches) readmit(sub *subscriber) {
	spec, err := w.parseWatch(sub.conn.ctx, sub.conn.coll, sub.source)
	if err != nil {
		sub.fail(asError(err))
		return
	}
	w.attach(sub, spec, nil)
}

// dropped ends the watches of a dropped collection.
func (w *Watches) dropped(coll string) {
	w.post(func() {
		cq := w.byColl[coll]
		if cq == nil {
			return
		}
		err := Errorf(CodeCollectionNotExist, "the collection %s was dropped", coll)
		for _, q := range slices.Collect(mapKeys(cq.all)) {
			w.fail(q, err)
		}
	})
}

func mapKeys[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// asError is err as a client may see it: an *Error, or a generic one.
func asError(err error) *Error {
	if e, ok := err.(*Error); ok {
		return e
	}
	return Errorf(CodeRequestFailed, "the watch could not be started again")
}

func (w *Watches) stopping() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.closed
}
