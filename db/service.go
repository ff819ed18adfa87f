package db

import (
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"golang.org/x/sync/semaphore"
)

// Limits bounds what one request may ask for. Zero values take the defaults.
type Limits struct {
	DefaultLimit int // documents a query returns without a limit (default 100)
	MaxLimit     int // the most a query returns (default 1000; larger limits are clamped)
	MaxInsert    int // documents per insert (default 1000)
	MaxResult    int // bytes of documents per response (default 16 MiB)
	// BodyMemory is the most the decoded request bodies being handled
	// together may take (default 256 MiB, at least MaxBodyMemory): a
	// request reserves BodyMemory(its size) before decoding and keeps it
	// until answered; one that cannot have it within BodyWait is refused
	// with CodeBusy (503).
	BodyMemory int64
	BodyWait   time.Duration // default 5 s
	// AggregateMemory bounds the bytes the stages of one aggregation may
	// hold ($group's groups, $sort's documents, …; default 100 MiB, as
	// MongoDB's limit per stage).
	AggregateMemory int64
	// SlowQuery is the time from which a query, count or aggregation is
	// recorded as slow (SlowQueries; 0: none is).
	SlowQuery time.Duration
}

// WithDefaults is l with each zero field at its default: the limits a
// Service given l applies.
func (l Limits) WithDefaults() Limits { return l.withDefaults() }

func (l Limits) withDefaults() Limits {
	if l.DefaultLimit <= 0 {
		l.DefaultLimit = 100
	}
	if l.MaxLimit <= 0 {
		l.MaxLimit = 1000
	}
	if l.MaxInsert <= 0 {
		l.MaxInsert = 1000
	}
	if l.MaxResult <= 0 {
		l.MaxResult = 16 << 20
	}
	if l.BodyMemory <= 0 {
		l.BodyMemory = 256 << 20
	}
	l.BodyMemory = max(l.BodyMemory, MaxBodyMemory)
	if l.BodyWait <= 0 {
		l.BodyWait = 5 * time.Second
	}
	if l.AggregateMemory <= 0 {
		l.AggregateMemory = 100 << 20
	}
	return l
}

// Service is the database as callers see it: it parses requests (decoded
// extended JSON), authorizes them, applies limits and defaults, and runs them
// on a Driver. It is safe for concurrent use.
type Service struct {
	drv    Driver
	limits Limits
	now    func() time.Time
	rules  ruleCache
	users  Users               // for Explain; nil until SetUsers
	bodies *semaphore.Weighted // decoded request bodies' memory (Limits.BodyMemory)
	// watches are the realtime watches over this Service (NewWatches),
	// told when a collection is dropped.
	watches atomic.Pointer[Watches]
	slow    slowLog // the slow queries (slow.go)
}

func (s *Service) setWatches(w *Watches) { s.watches.Store(w) }

// NewService returns a Service over drv. The caller closes drv.
func NewService(drv Driver, limits Limits) *Service {
	limits = limits.withDefaults()
	return &Service{drv: drv, limits: limits, now: time.Now, bodies: semaphore.NewWeighted(limits.BodyMemory)}
}

// Action is what a request does to a collection, for authorization.
type Action int

// Actions.
const (
	ActionRead Action = iota
	ActionCreate
	ActionUpdate
	ActionDelete
	ActionAdmin // collections and indexes
)

// fields checks that body has only the named keys and returns their values.
func fields(body Doc, names ...string) (map[string]any, error) {
	out := make(map[string]any, len(body))
	for _, f := range body {
		known := false
		for _, n := range names {
			if f.Key == n {
				known = true
				break
			}
		}
		if !known {
			return nil, Errorf(CodeInvalidParam, "unknown field %q in request body (allowed: %s)", f.Key, strings.Join(names, ", "))
		}
		out[f.Key] = f.Value
	}
	return out, nil
}

func intField(v any, name string, def int) (int, error) {
	switch x := v.(type) {
	case nil:
		return def, nil
	case int64:
		if x < 0 || x > 1<<31 {
			return 0, Errorf(CodeInvalidParam, "%s must be a non-negative integer", name)
		}
		return int(x), nil
	case float64:
		if x != float64(int64(x)) || x < 0 || x > 1<<31 {
			return 0, Errorf(CodeInvalidParam, "%s must be a non-negative integer", name)
		}
		return int(x), nil
	}
	return 0, Errorf(CodeInvalidParam, "%s must be a non-negative integer", name)
}

func boolField(v any, name string) (bool, error) {
	switch x := v.(type) {
	case nil:
		return false, nil
	case bool:
		return x, nil
	}
	return false, Errorf(CodeInvalidParam, "%s must be true or false", name)
}

// NewID returns a new document id: a UUIDv7 as 32 lowercase hex characters,
// so ids generated later sort later.
func NewID() string {
	u := uuid.Must(uuid.NewV7())
	var b [32]byte
	const hex = "0123456789abcdef"
	for i, c := range u {
		b[i*2] = hex[c>>4]
		b[i*2+1] = hex[c&15]
	}
	return string(b[:])
}

// normalizeID makes the document's _id a string at the front of doc,
// generating one when absent. Integer ids become their decimal string.
func normalizeID(doc Doc) (Doc, error) {
	v, ok := doc.Get("_id")
	var id string
	switch x := v.(type) {
	case nil:
		if ok {
			return nil, Errorf(CodeInvalidParam, "_id must not be null")
		}
		id = NewID()
	case string:
		id = x
	case int64:
		id = strconv.FormatInt(x, 10)
	default:
		return nil, Errorf(CodeInvalidParam, "_id must be a string or an integer")
	}
	out := make(Doc, 0, len(doc)+1)
	out = append(out, Field{"_id", id})
	for _, f := range doc {
		if f.Key != "_id" {
			out = append(out, f)
		}
	}
	return out, nil
}
