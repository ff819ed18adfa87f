package db

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Slow queries: queries, counts and aggregations that took at least
// Limits.SlowQuery are kept, newest first, in a ring of the last
// maxSlowQueries, for the console. A record holds the shape of the filter
// (each value replaced by its type: {"age": {"$gt": "<number>"}}), never a
// value, and at most maxShapeBytes of it. The cost on every query is two
// clock reads; recording (rare by definition) asks the driver for the plan.

const (
	maxSlowQueries = 200
	maxShapeBytes  = 1 << 10 // of a filter's or a sort's shape, as JSON
	maxShapeDepth  = 8       // deeper values are "<…>"
	maxShapeFields = 32      // fields of one object, elements of one array
)

// SlowQuery is one recorded slow query.
type SlowQuery struct {
	Coll  string
	Op    string // "query", "count" or "aggregate" (its leading $match and $sort)
	Shape any    // the filter's shape (a Doc; nil: no filter; "<…>" when cut)
	Sort  []any  // [[path, 1|-1], …], the _id tie-break left out
	MS    float64
	Plan  *Plan // nil when the driver could not say
	Time  time.Time
	Count int64 // documents returned (count: the total)
	cut   bool  // the shape was cut: the index check cannot replay it
}

// AppendJSON appends the record's JSON: {coll, op, filter, sort, ms,
// plan, time, count}.
func (q *SlowQuery) AppendJSON(b []byte) []byte {
	b = append(b, '{')
	return append(q.appendFields(b), '}')
}

func (q *SlowQuery) appendFields(b []byte) []byte {
	d := Doc{{"coll", q.Coll}, {"op", q.Op}, {"filter", q.Shape}, {"sort", q.Sort}, {"ms", q.MS},
		{"plan", planValue(q.Plan)}, {"time", q.Time.UTC().Format(time.RFC3339Nano)}, {"count", q.Count}}
	if q.Sort == nil {
		d[3].Value = []any{}
	}
	if q.Shape == nil {
		d[2].Value = Doc{}
	}
	obj := AppendJSON(nil, d)
	return append(b, obj[1:len(obj)-1]...)
}

// slowLog is the ring of slow queries.
type slowLog struct {
	mu    sync.Mutex
	ring  [maxSlowQueries]*SlowQuery
	next  int   // where the next record goes
	total int64 // records added since the service started
}

func (l *slowLog) add(q *SlowQuery) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.total++
	l.ring[l.next] = q
	l.next = (l.next + 1) % maxSlowQueries
}

// SlowQueryCount returns how many slow queries were recorded since the
// service started (the ring keeps the latest; metrics count them all).
func (s *Service) SlowQueryCount() int64 {
	s.slow.mu.Lock()
	defer s.slow.mu.Unlock()
	return s.slow.total
}

// list returns the records of coll ("" for all), newest first.
func (l *slowLog) list(coll string) []*SlowQuery {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []*SlowQuery
	for i := 1; i <= maxSlowQueries; i++ {
		q := l.ring[(l.next-i+maxSlowQueries)%maxSlowQueries]
		if q == nil {
			break
		}
		if coll == "" || q.Coll == coll {
			out = append(out, q)
		}
	}
	return out
}

// observe records q on coll when it took Limits.SlowQuery or more since
// start (0: never). op names what ran; n is what it returned.
func (s *Service) observe(ctx context.Context, op, coll string, q *Query, start time.Time, n int64) {
	if s.limits.SlowQuery <= 0 {
		return
	}
	took := time.Since(start)
	if took < s.limits.SlowQuery {
		return
	}
	rec := &SlowQuery{Coll: coll, Op: op, MS: float64(took.Microseconds()) / 1000, Time: start, Count: n}
	if q != nil {
		if q.Filter != nil && q.Filter.Source != nil {
			rec.Shape, rec.cut = Shape(q.Filter.Source)
		}
		rec.Sort, rec.cut = sortShape(q.Sort, rec.cut)
		if pl, ok := s.drv.(Planner); ok {
			// A count's plan is its filter's, as a find's (the same
			// WHERE, no order).
			pq := *q
			pq.Limit = max(pq.Limit, 1)
			if p, err := pl.Plan(context.WithoutCancel(ctx), coll, &pq); err == nil {
				rec.Plan = boundPlan(&p)
			}
		}
	}
	s.slow.add(rec)
}

// Bounds of a recorded plan's detail: a filter of many $or branches
// has a line per branch.
const (
	maxPlanLines    = 16
	maxPlanLineSize = 256
)

// boundPlan cuts p's detail to maxPlanLines lines of maxPlanLineSize
// bytes: what a record keeps stays small whatever the query.
func boundPlan(p *Plan) *Plan {
	if len(p.Detail) > maxPlanLines {
		n := len(p.Detail) - maxPlanLines + 1
		p.Detail = append(p.Detail[:maxPlanLines-1:maxPlanLines-1], "… "+strconv.Itoa(n)+" more lines")
	}
	for i, l := range p.Detail {
		if len(l) > maxPlanLineSize {
			p.Detail[i] = strings.ToValidUTF8(l[:maxPlanLineSize], "") + "…"
		}
	}
	return p
}

// sortShape is keys as [[path, 1|-1], …] without the _id tie-break; cut
// when it would pass maxShapeBytes.
func sortShape(keys []SortKey, cut bool) ([]any, bool) {
	var out []any
	size := 0
	for i, k := range keys {
		if k.Path == "_id" && i == len(keys)-1 && i > 0 {
			break
		}
		if size += len(k.Path) + 8; size > maxShapeBytes {
			return out, true
		}
		dir := int64(1)
		if k.Desc {
			dir = -1
		}
		out = append(out, []any{k.Path, dir})
	}
	return out, cut
}

// Shape is v with every value replaced by its type's placeholder:
// "<number>", "<string>", "<bool>", "<null>", "<date>", "<regex>";
// objects and arrays keep their structure (an array keeps one placeholder
// per distinct type of its elements). Field names stay: they are the
// query's shape. It is cut, and reports so, past maxShapeDepth,
// maxShapeFields or maxShapeBytes ("<…>" stands for what was left out).
func Shape(v any) (any, bool) {
	budget := maxShapeBytes
	out := shapeOf(v, 0, &budget)
	return out, budget < 0
}

const cutPlaceholder = "<…>"

func shapeOf(v any, depth int, budget *int) any {
	if *budget < 0 || depth > maxShapeDepth {
		*budget = -1
		return cutPlaceholder
	}
	switch x := v.(type) {
	case Doc:
		out := make(Doc, 0, min(len(x), maxShapeFields))
		for i, f := range x {
			if *budget -= len(f.Key) + 4; i == maxShapeFields || *budget < 0 {
				*budget = -1
				out = append(out, Field{"<…>", cutPlaceholder})
				break
			}
			out = append(out, Field{f.Key, shapeOf(f.Value, depth+1, budget)})
		}
		return out
	case []any:
		out := []any{}
		seen := map[string]bool{}
		for _, e := range x {
			s := shapeOf(e, depth+1, budget)
			key := string(MarshalJSON(s))
			if seen[key] {
				continue
			}
			if seen[key] = true; len(out) == maxShapeFields {
				*budget = -1
				return append(out, cutPlaceholder)
			}
			out = append(out, s)
		}
		return out
	}
	p := placeholder(v)
	*budget -= len(p) + 2
	return p
}

// placeholder names v's type.
func placeholder(v any) string {
	switch v.(type) {
	case nil:
		return "<null>"
	case bool:
		return "<bool>"
	case int64, float64:
		return "<number>"
	case string:
		return "<string>"
	case time.Time:
		return "<date>"
	case Regex:
		return "<regex>"
	}
	return "<value>"
}

// replay turns a shape back into a filter of the same shape, each
// placeholder a value of its type: what the index check gives the
// planner.
func replay(v any) any {
	switch x := v.(type) {
	case Doc:
		out := make(Doc, len(x))
		for i, f := range x {
			out[i] = Field{f.Key, replay(f.Value)}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = replay(e)
		}
		return out
	case string:
		switch x {
		case "<number>":
			return int64(0)
		case "<bool>":
			return true
		case "<date>":
			return time.Unix(0, 0).UTC()
		case "<regex>":
			return Regex{Pattern: "^a"}
		case "<null>":
			return nil
		}
		return "a"
	}
	return v
}

// SlowQueries lists the recorded slow queries of coll ("" for all),
// newest first (admin only), and the threshold (0: recording is off).
func (s *Service) SlowQueries(ctx context.Context, coll string) ([]*SlowQuery, time.Duration, error) {
	if _, err := s.authorize(ctx, coll, ActionAdmin); err != nil {
		return nil, 0, err
	}
	return s.slow.list(coll), s.limits.SlowQuery, nil
}

// IndexCheck is a slow query and whether a candidate index would serve it.
type IndexCheck struct {
	*SlowQuery
	WouldUse bool
	Note     string // why it could not be decided, when so
}

// AppendJSON appends the slow query's fields with wouldUse (and note).
func (c *IndexCheck) AppendJSON(b []byte) []byte {
	b = append(b, '{')
	b = c.appendFields(b)
	b = append(b, `,"wouldUse":`...)
	b = AppendJSON(b, c.WouldUse)
	if c.Note != "" {
		b = append(b, `,"note":`...)
		b = AppendJSON(b, c.Note)
	}
	return append(b, '}')
}

// CheckIndex says which of coll's recorded slow queries an index with the
// keys of body {keys} would serve, asking the driver's planner (admin
// only). keys are as CreateIndex takes them; the index need not exist.
func (s *Service) CheckIndex(ctx context.Context, coll string, body Doc) ([]IndexCheck, error) {
	if _, err := s.authorize(ctx, coll, ActionAdmin); err != nil {
		return nil, err
	}
	m, err := fields(body, "keys")
	if err != nil {
		return nil, err
	}
	keys, err := indexKeys(m["keys"])
	if err != nil {
		return nil, err
	}
	idx := Index{Name: IndexName(keys), Keys: keys}
	if err := checkGeoIndex(idx); err != nil {
		return nil, err
	}
	pl, ok := s.drv.(Planner)
	if !ok {
		return nil, Errorf(CodeInvalidParam, "this database backend cannot plan queries")
	}
	out := []IndexCheck{}
	for _, q := range s.slow.list(coll) {
		c := IndexCheck{SlowQuery: q}
		c.WouldUse, c.Note = s.wouldUse(ctx, pl, q, idx)
		out = append(out, c)
	}
	return out, nil
}

// wouldUse replays q's shape with idx among the indexes.
func (s *Service) wouldUse(ctx context.Context, pl Planner, q *SlowQuery, idx Index) (bool, string) {
	if q.cut {
		return false, "the query's shape was too large to keep whole"
	}
	query := &Query{Limit: s.limits.DefaultLimit}
	if q.Shape != nil {
		f, err := ParseFilter(replay(q.Shape))
		if err != nil {
			return false, "the query's shape cannot be replayed: " + err.Error()
		}
		query.Filter = f
	}
	for _, k := range q.Sort {
		pair := k.([]any)
		query.Sort = append(query.Sort, SortKey{Path: pair[0].(string), Desc: pair[1].(int64) < 0})
	}
	if len(query.Sort) > 0 {
		query.Sort = withIDTieBreak(query.Sort)
	}
	ok, err := pl.WouldUse(ctx, q.Coll, query, idx)
	if err != nil {
		return false, "the planner could not decide: " + err.Error()
	}
	return ok, ""
}
