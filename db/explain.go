package db

import (
	"context"
	"time"
)

// Plan says how a driver runs a query, as it decided for this query now:
// the index it reads, whether that index (or SQL) decides the filter
// alone, and where the order comes from.
type Plan struct {
	// Index is the index read: an index's name, "_id_" for the primary
	// key; nil when none is (a full scan).
	Index *string `json:"index"`
	Scan  string  `json:"scan"` // "index" or "full"
	// Exact: the database decides the whole filter; otherwise it narrows
	// the candidates and Go matches each of them.
	Exact bool `json:"exact"`
	// Sort is where the order comes from: "index", "sql" (SQLite sorts in
	// a temporary B-tree), "memory" (Go keeps the best skip+limit), or ""
	// when the query has no sort.
	Sort string `json:"sort,omitempty"`
	// Detail is the database's own account (SQLite's EXPLAIN QUERY PLAN),
	// with tables and indexes named as the collection and its indexes.
	Detail []string `json:"detail"`
}

// Planner is a Driver that says how it runs queries (db/sqlite's does).
// The console's explain and the slow-query index check use it.
type Planner interface {
	// Plan is how Find(ctx, coll, q) would run now.
	Plan(ctx context.Context, coll string, q *Query) (Plan, error)
	// WouldUse reports whether Find(ctx, coll, q) would read idx if idx
	// were one of coll's indexes (it need not exist).
	WouldUse(ctx context.Context, coll string, q *Query, idx Index) (bool, error)
}

// Explained is a query the console ran with how it ran: POST
// /v1/admin/collections/{coll}/explain.
type Explained struct {
	Plan  *Plan    // nil when the driver cannot say
	MS    float64  // the query's time
	Count int64    // documents matching the filter (aggregations: output documents)
	Data  [][]byte // the first page, as extended JSON
}

// AppendJSON appends {"plan", "ms", "count", "data"}.
func (e *Explained) AppendJSON(b []byte) []byte {
	b = append(b, `{"plan":`...)
	b = AppendJSON(b, planValue(e.Plan))
	b = append(b, `,"ms":`...)
	b = AppendJSON(b, e.MS)
	b = append(b, `,"count":`...)
	b = AppendJSON(b, e.Count)
	b = append(b, `,"data":[`...)
	for i, d := range e.Data {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, d...)
	}
	return append(b, "]}"...)
}

// planValue is p as a Doc for AppendJSON (nil: null).
func planValue(p *Plan) any {
	if p == nil {
		return nil
	}
	var index any
	if p.Index != nil {
		index = *p.Index
	}
	detail := make([]any, len(p.Detail))
	for i, d := range p.Detail {
		detail[i] = d
	}
	d := Doc{{"index", index}, {"scan", p.Scan}, {"exact", p.Exact}}
	if p.Sort != "" {
		d = append(d, Field{"sort", p.Sort})
	}
	return append(d, Field{"detail", detail})
}

// ExplainQuery runs a query or a pipeline on coll as an admin and says how
// it ran (admin only): body {filter, sort, skip, limit, projection} or
// {pipeline}. limit is 1 to Limits.MaxLimit (default 20 here); the
// query's time limit is the request's.
func (s *Service) ExplainQuery(ctx context.Context, coll string, body Doc) (*Explained, error) {
	g, err := s.authorize(ctx, coll, ActionAdmin)
	if err != nil {
		return nil, err
	}
	if _, ok := body.Get("pipeline"); ok {
		return s.explainPipeline(ctx, g, body)
	}
	if v, ok := body.Get("limit"); ok {
		if err := s.checkLimit(v); err != nil {
			return nil, err
		}
	} else {
		body = append(body[:len(body):len(body)], Field{"limit", int64(20)})
	}
	q, p, err := s.parseQuery(g, body)
	if err != nil {
		return nil, err
	}
	plan, err := s.plan(ctx, coll, q)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	docs, err := s.drv.Find(ctx, coll, q)
	if err != nil {
		return nil, err
	}
	ms := msSince(start)
	n, err := s.drv.Count(ctx, coll, q.Filter)
	if err != nil {
		return nil, err
	}
	if docs, err = s.finish(docs, p); err != nil {
		return nil, err
	}
	return &Explained{Plan: plan, MS: ms, Count: n, Data: docs}, nil
}

// checkLimit refuses a limit the console must not ask for: not an
// integer, or outside 1 to MaxLimit.
func (s *Service) checkLimit(v any) error {
	n, err := intField(v, "limit", 0)
	if err != nil || n < 1 || n > s.limits.MaxLimit {
		return Errorf(CodeInvalidParam, "limit must be an integer from 1 to %d", s.limits.MaxLimit)
	}
	return nil
}

// explainPipeline runs {pipeline} and explains the query its leading
// stages become (planPipeline): what the driver reads.
func (s *Service) explainPipeline(ctx context.Context, g grant, body Doc) (*Explained, error) {
	m, err := fields(body, "pipeline", "limit")
	if err != nil {
		return nil, err
	}
	limit := 20
	if m["limit"] != nil {
		if err := s.checkLimit(m["limit"]); err != nil {
			return nil, err
		}
		limit, _ = intField(m["limit"], "limit", 20)
	}
	pl, err := ParsePipeline(m["pipeline"], s.now().UTC())
	if err != nil {
		return nil, err
	}
	q := planPipeline(pl.stages).query
	if q.Limit == 0 {
		q.Limit = s.limits.MaxLimit
	}
	var plan *Plan
	if len(pl.stages) == 0 || !isGeoNear(pl.stages[0]) {
		if plan, err = s.plan(ctx, g.coll, &q); err != nil {
			return nil, err
		}
	}
	start := time.Now()
	docs, err := s.aggregateAs(ctx, g, Doc{{"pipeline", m["pipeline"]}})
	if err != nil {
		return nil, err
	}
	e := &Explained{Plan: plan, MS: msSince(start), Count: int64(len(docs)), Data: docs}
	if len(docs) > limit {
		e.Data = docs[:limit]
	}
	return e, nil
}

// plan asks the driver how q runs on coll; nil when it cannot say.
func (s *Service) plan(ctx context.Context, coll string, q *Query) (*Plan, error) {
	pl, ok := s.drv.(Planner)
	if !ok {
		return nil, nil
	}
	p, err := pl.Plan(ctx, coll, q)
	if err != nil {
		return nil, err
	}
	return &p, nil
}

func isGeoNear(st stage) bool {
	_, ok := st.op.(*geoNearStage)
	return ok
}

func msSince(t time.Time) float64 {
	return float64(time.Since(t).Microseconds()) / 1000
}
