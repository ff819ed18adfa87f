package functions

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync/atomic"
	"time"

	"minibase/auth"
	"minibase/db"
)

// LogStoreOptions configure a LogStore. Zero values take the defaults.
type LogStoreOptions struct {
	// MaxAge: records and asynchronous outcomes older than this are deleted
	// (default 7 days).
	MaxAge time.Duration
	// MaxBytes caps the database: when Usage says it holds more than 7/8 of
	// it, the oldest records and outcomes are deleted until it holds 3/4
	// (default 256 MiB). It is checked after every MaxBytes/32 written, so
	// the database stays under MaxBytes.
	MaxBytes int64
	// Usage returns the bytes the database holds (sqlite.DB.Usage); nil
	// turns the size cap off.
	Usage func(ctx context.Context) (int64, error)
	// Queue is how many records wait to be written (default 4096); when it
	// is full, Write drops the record and counts it (LogStats.Dropped).
	Queue int
	// Batch is the most records written in one insert (default 1000, the
	// most db.Service takes); a batch also stops at MaxBytes/32 bytes.
	Batch int
	// Linger is how long the writer waits for a batch to fill before it
	// writes what it has (default 100 ms; negative: not at all). A record
	// costs the database far less in a large batch than alone: without
	// it, a steady stream of invocations is written one record per
	// transaction, which costs more CPU than the invocations themselves.
	Linger time.Duration
	// MaxTails is how many live tails may be open at once (default 16).
	MaxTails int
	// Every is how often the age cap is enforced (default 1 min); both caps
	// are also enforced when the store opens.
	Every time.Duration
	// OnError is told of failed writes and retention runs (the store has
	// no caller to return them to); nil ignores them.
	OnError func(error)
}

func (o LogStoreOptions) withDefaults() LogStoreOptions {
	if o.MaxAge <= 0 {
		o.MaxAge = 7 * 24 * time.Hour
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = 256 << 20
	}
	if o.Queue <= 0 {
		o.Queue = 4096
	}
	if o.Batch <= 0 {
		o.Batch = 1000
	}
	o.Batch = min(o.Batch, 1000) // db.Limits.MaxInsert's default
	if o.Linger == 0 {
		o.Linger = 100 * time.Millisecond
	}
	if o.MaxTails <= 0 {
		o.MaxTails = 16
	}
	if o.Every <= 0 {
		o.Every = time.Minute
	}
	if o.OnError == nil {
		o.OnError = func(error) {}
	}
	return o
}

// The store's collections, in a database of its own: system data, never
// served by /v1/db.
const (
	logsColl     = "logs"
	outcomesColl = "invocations"
)

// maxStoredError caps an invocation's error message in its record.
const maxStoredError = 8 << 10

// LogStore keeps every invocation's record (a LogSink) and the outcomes of
// asynchronous invocations (an OutcomeStore) in a db.Service of their own,
// a second database file, so that writing them never contends with the
// app's own writes. Write only queues: a background goroutine writes the
// records in batches, hands them to live tails, and enforces the age and
// size caps. It is safe for concurrent use; Close it when done.
type LogStore struct {
	db    *db.Service
	opts  LogStoreOptions
	queue chan *LogRecord
	stop  chan struct{}
	done  chan struct{}
	tails tailHub

	closed  atomic.Bool
	written atomic.Int64 // records stored
	dropped atomic.Int64 // records refused because the queue was full
	failed  atomic.Int64 // records the database refused
	deleted atomic.Int64 // records and outcomes removed by the caps
	usage   atomic.Int64 // the database's size at the last check

	// Owned by the background goroutine.
	sinceCheck int64   // bytes written since the size cap was last checked
	avgSize    float64 // a record's bytes, on average
}

var (
	_ LogSink      = (*LogStore)(nil)
	_ OutcomeStore = (*LogStore)(nil)
)

// OpenLogStore creates the store's collections and indexes in dbs when
// missing and starts its background goroutine, which enforces the caps
// first. The caller closes the store, then dbs's driver.
func OpenLogStore(ctx context.Context, dbs *db.Service, opts LogStoreOptions) (*LogStore, error) {
	opts = opts.withDefaults()
	ctx = auth.NewContext(ctx, functionIdentity)
	for coll, indexes := range map[string][]string{
		logsColl:     {"function", "requestId", "openid", "status"},
		outcomesColl: {"updatedAt"},
	} {
		if err := ensureIndexes(ctx, dbs, coll, indexes); err != nil {
			return nil, err
		}
	}
	s := &LogStore{db: dbs, opts: opts, queue: make(chan *LogRecord, opts.Queue), stop: make(chan struct{}),
		done: make(chan struct{}), avgSize: 1024}
	s.tails.max = opts.MaxTails
	go s.run()
	return s, nil
}

// ensureIndexes creates coll and an ascending index on each field (the
// driver appends _id to it, so a filter on the field sorted by _id reads
// the index alone).
func ensureIndexes(ctx context.Context, dbs *db.Service, coll string, fields []string) error {
	if _, err := dbs.CreateCollection(ctx, doc("name", coll)); err != nil && db.ErrorCode(err) != db.CodeCollectionExists {
		return fmt.Errorf("log store: create %s: %w", coll, err)
	}
	have, err := dbs.Indexes(ctx, coll)
	if err != nil {
		return fmt.Errorf("log store: indexes of %s: %w", coll, err)
	}
	for _, f := range fields {
		name := f + "_1"
		if slices.ContainsFunc(have, func(i db.Index) bool { return i.Name == name }) {
			continue
		}
		if _, err := dbs.CreateIndex(ctx, coll, doc("name", name, "keys", doc(f, int64(1)))); err != nil {
			return fmt.Errorf("log store: index %s of %s: %w", name, coll, err)
		}
	}
	return nil
}

// Write queues a copy of rec and returns at once; when the queue is full
// (the database cannot keep up) or the store is closed, the record is
// dropped and counted.
func (s *LogStore) Write(_ context.Context, rec *LogRecord) {
	if s.closed.Load() {
		s.dropped.Add(1)
		return
	}
	r := *rec
	r.Lines = slices.Clone(rec.Lines)
	select {
	case s.queue <- &r:
	default:
		s.dropped.Add(1)
	}
}

// Close writes the records still queued, stops the background goroutine
// and ends every live tail, waiting up to 2 s for their readers to close
// them. Records written after Close are dropped.
func (s *LogStore) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	close(s.stop)
	<-s.done
	s.tails.close(2 * time.Second)
	return nil
}

// LogStats describe a LogStore since it opened.
type LogStats struct {
	Written int64 `json:"written"` // records stored
	Dropped int64 `json:"dropped"` // records dropped because the queue was full
	Failed  int64 `json:"failed"`  // records the database refused
	Deleted int64 `json:"deleted"` // records and outcomes deleted by the age and size caps
	Queued  int   `json:"queued"`  // records waiting to be written
	Bytes   int64 `json:"bytes"`   // the database's size at the last check of the size cap
	Tails   int   `json:"tails"`   // live tails open
	// The caps in force.
	MaxBytes int64   `json:"maxBytes"`
	MaxAge   float64 `json:"maxAgeHours"`
}

// Stats returns the store's counters.
func (s *LogStore) Stats() LogStats {
	return LogStats{Written: s.written.Load(), Dropped: s.dropped.Load(), Failed: s.failed.Load(),
		Deleted: s.deleted.Load(), Queued: len(s.queue), Bytes: s.usage.Load(), Tails: s.tails.count(),
		MaxBytes: s.opts.MaxBytes, MaxAge: s.opts.MaxAge.Hours()}
}

// run is the background goroutine: it writes what is queued in batches,
// and enforces the caps at start, every Every, and after every
// MaxBytes/32 written.
func (s *LogStore) run() {
	defer close(s.done)
	ctx := auth.NewContext(context.Background(), functionIdentity)
	s.report(s.enforce(ctx))
	tick := time.NewTicker(s.opts.Every)
	defer tick.Stop()
	b := &batch{recs: make([]*LogRecord, 0, s.opts.Batch)}
	for {
		select {
		case r := <-s.queue:
			b.reset()
			b.add(r)
			s.fill(b)
			s.linger(b)
			s.write(ctx, b.recs)
			if s.sinceCheck >= s.opts.MaxBytes/32 {
				s.report(s.enforceSize(ctx))
			}
		case <-tick.C:
			s.report(s.enforce(ctx))
		case <-s.stop:
			for len(s.queue) > 0 {
				b.reset()
				s.fill(b)
				s.write(ctx, b.recs)
			}
			return
		}
	}
}

// batch is the records the writer is gathering.
type batch struct {
	recs  []*LogRecord
	bytes int64
}

func (b *batch) add(r *LogRecord) {
	b.recs = append(b.recs, r)
	b.bytes += recordSize(r)
}

func (b *batch) reset() {
	clear(b.recs)
	b.recs, b.bytes = b.recs[:0], 0
}

// full reports whether b has Batch records or MaxBytes/32 bytes (so that
// the size cap is checked often enough).
func (s *LogStore) full(b *batch) bool {
	return len(b.recs) >= s.opts.Batch || b.bytes >= s.opts.MaxBytes/32
}

// fill adds what is queued to b until it is full or the queue empty.
func (s *LogStore) fill(b *batch) {
	for !s.full(b) {
		select {
		case r := <-s.queue:
			b.add(r)
		default:
			return
		}
	}
}

// linger waits up to Linger for b to fill, taking what comes.
func (s *LogStore) linger(b *batch) {
	if s.opts.Linger < 0 || s.full(b) {
		return
	}
	t := time.NewTimer(s.opts.Linger)
	defer t.Stop()
	for !s.full(b) {
		select {
		case r := <-s.queue:
			b.add(r)
			s.fill(b)
		case <-t.C:
			return
		case <-s.stop:
			return
		}
	}
}

// recordSize approximates the bytes r takes stored.
func recordSize(r *LogRecord) int64 {
	n := 256 + len(r.Error)
	for _, l := range r.Lines {
		n += 64 + len(l.Message)
	}
	return int64(n)
}

// write stores a batch in one insert (one record at a time when the batch
// fails, so one bad record loses only itself) and hands the stored records
// to the live tails.
func (s *LogStore) write(ctx context.Context, batch []*LogRecord) {
	if len(batch) == 0 {
		return
	}
	ids := make([]string, len(batch))
	docs := make([]any, len(batch))
	size := int64(0)
	for i, r := range batch {
		ids[i] = recordID(r.Start)
		docs[i], size = recordDoc(ids[i], r), size+recordSize(r)
	}
	ok := make([]bool, len(batch))
	if _, _, err := s.db.Insert(ctx, logsColl, doc("data", docs)); err == nil {
		for i := range ok {
			ok[i] = true
		}
	} else if code := db.ErrorCode(err); code == db.CodeDiskFull || code == db.CodeCorrupted {
		// No record would fare better alone.
		s.failed.Add(int64(len(batch)))
		s.report(fmt.Errorf("function logs: %d records not stored: %w", len(batch), err))
	} else {
		failed, first := 0, error(nil)
		for i, d := range docs {
			_, _, err := s.db.Insert(ctx, logsColl, doc("data", d))
			if ok[i] = err == nil; err != nil {
				failed, first = failed+1, cmp.Or(first, err)
			}
		}
		if failed > 0 {
			s.failed.Add(int64(failed))
			s.report(fmt.Errorf("function logs: %d of %d records not stored: %w", failed, len(batch), first))
		}
	}
	n := 0
	for i, r := range batch {
		if ok[i] {
			n++
			s.tails.publish(ids[i], r)
		}
	}
	s.written.Add(int64(n))
	s.sinceCheck += size
	s.avgSize = 0.9*s.avgSize + 0.1*float64(size)/float64(len(batch))
}

func (s *LogStore) report(err error) {
	if err != nil {
		s.opts.OnError(err)
	}
}

// recordID is a record's _id: its start time in nanoseconds as 16 hex
// digits, then 8 random ones. Ids sort by start time, so the primary key
// serves time ranges and newest-first pages, and an id is the cursor of
// the page after it.
func recordID(start time.Time) string {
	return fmt.Sprintf("%s%08x", timeKey(start), rand.Uint32())
}

// timeKey is the _id prefix of records that started at t.
func timeKey(t time.Time) string {
	ns := t.UnixNano()
	if t.IsZero() || ns < 0 {
		ns = 0
	}
	return fmt.Sprintf("%016x", uint64(ns))
}

// recordDoc is the stored form of r. The console lines are one JSON text
// (nothing queries inside them), which costs the database far less than
// a document per line. What most records hold is left out and read back
// as its default (decodeEntry): coldStart when false, memory when not
// measured, logs when there are none, version, openid, error and errCode
// when empty; every field kept is a few more bytes in each row.
func recordDoc(id string, r *LogRecord) db.Doc {
	d := make(db.Doc, 0, 12)
	d = append(d, db.Field{Key: "_id", Value: id}, db.Field{Key: "requestId", Value: r.RequestID},
		db.Field{Key: "function", Value: r.Function}, db.Field{Key: "source", Value: r.Source},
		db.Field{Key: "duration", Value: float64(r.Duration.Microseconds()) / 1000}, db.Field{Key: "status", Value: r.Status},
		db.Field{Key: "memoryLimit", Value: int64(r.MemoryMB)})
	if r.ColdStart {
		d = append(d, db.Field{Key: "coldStart", Value: true})
	}
	if r.Memory > 0 {
		d = append(d, db.Field{Key: "memory", Value: int64(r.Memory)})
	}
	if len(r.Lines) > 0 {
		lines, _ := json.Marshal(entryLines(r.Lines))
		d = append(d, db.Field{Key: "logs", Value: string(lines)})
	}
	if r.Version != "" {
		d = append(d, db.Field{Key: "version", Value: r.Version})
	}
	if r.OpenID != "" {
		d = append(d, db.Field{Key: "openid", Value: r.OpenID})
	}
	if r.Status != StatusOK {
		msg := storedError(r.Error)
		d = append(d, db.Field{Key: "error", Value: msg}, db.Field{Key: "errCode", Value: int64(r.ErrCode)})
	}
	return d
}

// storedError is msg cut to maxStoredError bytes.
func storedError(msg string) string {
	if len(msg) <= maxStoredError {
		return msg
	}
	return truncateUTF8(msg, maxStoredError) + "… (cut at 8 KiB)"
}

// truncateUTF8 cuts s to at most n bytes without splitting a character.
func truncateUTF8(s string, n int) string {
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
