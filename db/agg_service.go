package db

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"
)

// Aggregate runs an aggregation pipeline on coll: body {pipeline: [stage,
// …]}. It returns the output documents as extended JSON. The pipeline's
// leading $match must be one the caller's read rule allows (as a query's
// filter must), and each $lookup is held to the rule of the collection it
// reads; admins bypass rules. A client gets at most Limits.MaxLimit
// documents (the rest are cut, as a query's limit is); everyone's answer
// is at most Limits.MaxResult bytes (DATABASE_RESULT_SIZE_EXCEED). A stage
// that would hold more than Limits.AggregateMemory fails with
// DATABASE_AGGREGATE_MEMORY_EXCEED.
func (s *Service) Aggregate(ctx context.Context, coll string, body Doc) ([][]byte, error) {
	g, err := s.admit(ctx, coll, opRead)
	if err != nil {
		return nil, err
	}
	return s.aggregateAs(ctx, g, body)
}

func (s *Service) aggregateAs(ctx context.Context, g grant, body Doc) ([][]byte, error) {
	m, err := fields(body, "pipeline")
	if err != nil {
		return nil, err
	}
	v := m["pipeline"]
	if v == nil {
		return nil, Errorf(CodeInvalidParam, "pipeline is required: an array of stages")
	}
	if !g.admin && hasPlaceholder(v) {
		if g.openid == "" {
			return nil, Errorf(CodePermissionDenied, "permission denied: the pipeline uses '{openid}': sign in first")
		}
		v = replacePlaceholder(v, g.openid)
	}
	pl, err := ParsePipeline(v, s.now().UTC())
	if err != nil {
		return nil, err
	}
	err = pl.resolveGeoNear(ctx, func(ctx context.Context) ([]Index, error) { return s.drv.Indexes(ctx, g.coll) })
	if err != nil {
		return nil, err
	}
	plan := planPipeline(pl.stages)
	r := &aggReader{s: s, lookups: map[*lookupStage]*collAccess{}}
	if r.top, err = s.access(ctx, g, plan.query.Filter); err != nil {
		return nil, err
	}
	for _, l := range pl.lookups {
		if r.lookups[l], err = s.lookupAccess(ctx, l); err != nil {
			return nil, err
		}
	}
	start := time.Now()
	x := newRun(ctx, pl, &memMeter{limit: s.limits.AggregateMemory}, r)
	src, err := r.read(x, nil, nil, plan)
	if err != nil {
		return nil, err
	}
	defer src.close()
	maxDocs := -1
	if !g.admin {
		maxDocs = s.limits.MaxLimit
	}
	var out [][]byte
	size := 0
	err = x.drain(x.chain(plan, src), func(d Doc) error {
		if len(out) == maxDocs {
			return errEnough
		}
		raw := MarshalJSON(d)
		if size += len(raw); size > s.limits.MaxResult {
			return Errorf(CodeResultTooLarge, "aggregation result is over %d bytes: end the pipeline with $limit, or $project fewer fields", s.limits.MaxResult)
		}
		out = append(out, raw)
		return nil
	})
	if err != nil && !errors.Is(err, errEnough) {
		return nil, err
	}
	if out == nil {
		out = [][]byte{}
	}
	q := plan.query
	q.Filter = r.top.filter
	if q.Limit == 0 {
		q.Limit = s.limits.MaxLimit
	}
	s.observe(ctx, "aggregate", g.coll, &q, start, int64(len(out)))
	return out, nil
}

// errEnough stops a drain that has all it wants.
var errEnough = errors.New("enough documents")

// collAccess is how a request reads one collection for an aggregation:
// the filter every read of it is narrowed by (the pipeline's leading
// $match as the rules narrow it), and the read rule's check of each
// document read (nil for admins and presets).
type collAccess struct {
	coll   string
	filter *Filter
	check  *checker
}

// access is the collAccess of g's collection for the filter f. A client's
// f must be provably allowed by the read rule (readQuery).
func (s *Service) access(ctx context.Context, g grant, f *Filter) (*collAccess, error) {
	f, c, err := s.readQuery(ctx, g, f)
	if err != nil {
		return nil, err
	}
	return &collAccess{coll: g.coll, filter: f, check: c}, nil
}

// lookupAccess admits the caller to read the collection l joins, for the
// leading $match of l's pipeline: its read rule must allow that query
// whatever the join condition adds (the join's values come from the
// documents, so the proof does not count on them). PRIVATE narrows the
// join to the caller's own documents.
func (s *Service) lookupAccess(ctx context.Context, l *lookupStage) (*collAccess, error) {
	g, err := s.admit(ctx, l.from, opRead)
	if ErrorCode(err) == CodeCollectionNotExist {
		return &collAccess{coll: l.from}, nil // read finds it missing too
	}
	if err != nil {
		return nil, lookupDenied(l, err)
	}
	a, err := s.access(ctx, g, l.plan.query.Filter)
	if err != nil {
		return nil, lookupDenied(l, err)
	}
	return a, nil
}

// lookupDenied says which $lookup a permission error is about.
func lookupDenied(l *lookupStage, err error) error {
	var de *Error
	if errors.As(err, &de) && de.Code == CodePermissionDenied {
		return Errorf(CodePermissionDenied, "%s (in $lookup from %s: the rules of %s apply to the documents it joins; put the conditions the rule needs in a $match at the start of its pipeline)", de.Message, l.from, l.from)
	}
	return err
}

// aggReader is the aggSource of one request.
type aggReader struct {
	s       *Service
	top     *collAccess
	lookups map[*lookupStage]*collAccess
}

// read streams the documents a plan starts from (aggSource). A collection
// a $lookup joins that does not exist joins nothing, as in MongoDB.
func (r *aggReader) read(x *aggRun, l *lookupStage, join *Filter, plan aggPlan) (*source, error) {
	a := r.top
	if l != nil {
		a = r.lookups[l]
	}
	q := plan.query
	q.Filter = andFilters(a.filter, join)
	q.Fields = scanFields(q.Fields, a.check)
	cur, sorted, err := r.s.drv.Scan(x.ctx, a.coll, &q)
	if err != nil {
		if l != nil && ErrorCode(err) == CodeCollectionNotExist {
			return &source{docIter: sliceIter(nil), sorted: true, close: func() {}}, nil
		}
		return nil, err
	}
	ahead := readAhead(cur)
	rs := &rawSource{ctx: x.ctx, in: ahead, check: a.check, fields: plan.fields}
	src := &source{docIter: rs, sorted: sorted, close: ahead.close}
	// Reading another collection, or a document for a rule's get(), while
	// this cursor is open would hold two of the driver's connections at
	// once: read everything first.
	if plan.reads || a.check != nil && a.check.expr.Gets() > 0 {
		docs, err := rs.all(x)
		ahead.close()
		if err != nil {
			return nil, err
		}
		src.docIter = sliceIter(docs)
	}
	return src, nil
}

// rawBatch is how many documents are read, and checked, at a time.
const rawBatch = 64

// ahead reads a cursor's documents ahead of the pipeline, in batches, on
// a goroutine of its own: the driver's work (SQL) runs beside the stages',
// on another core.
type ahead struct {
	batches chan rawBatchOf
	stop    chan struct{}
	done    chan struct{}
	once    sync.Once
}

// rawBatchOf is one batch: up to rawBatch documents, then the error that
// ended the reading, or io.EOF.
type rawBatchOf struct {
	raws [][]byte
	err  error
}

func readAhead(cur Cursor) *ahead {
	a := &ahead{batches: make(chan rawBatchOf, 2), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(a.done)
		defer cur.Close()
		for {
			b := rawBatchOf{raws: make([][]byte, 0, rawBatch)}
			for b.err == nil && len(b.raws) < rawBatch {
				raw, err := cur.Next()
				switch {
				case err != nil:
					b.err = err
				case raw == nil:
					b.err = io.EOF
				default:
					b.raws = append(b.raws, raw)
				}
			}
			select {
			case a.batches <- b:
			case <-a.stop:
				return
			}
			if b.err != nil {
				return
			}
		}
	}()
	return a
}

// next is the next batch; after the one with an error, it blocks.
func (a *ahead) next() rawBatchOf { return <-a.batches }

// close stops the reading and closes the cursor; it may be called again.
func (a *ahead) close() {
	a.once.Do(func() { close(a.stop) })
	<-a.done
}

// scanFields are the top-level fields a scan must return: those the
// pipeline reads and those the read rule's check reads (nil: all).
func scanFields(fields []string, c *checker) []string {
	if fields == nil || c == nil || !uses(c.expr, "doc") {
		return fields
	}
	paths, some := c.expr.Fields("doc")
	if !some {
		return nil
	}
	out := fieldDeps{fields: append([]string(nil), fields...)}
	for _, p := range paths {
		out.add(Segments(p)[0])
	}
	return out.fields
}

// andFilters is the conjunction of a and b (either may be nil).
func andFilters(a, b *Filter) *Filter {
	switch {
	case b == nil:
		return a
	case a == nil || a.Root().Op == OpTrue:
		return b
	}
	return &Filter{root: &Node{Op: OpAnd, Children: []*Node{a.Root(), b.Root()}}, Source: Doc{{"$and", []any{a.Source, b.Source}}}}
}

// rawSource decodes what a driver's cursor reads: in batches, each checked
// against the read rule first (checker.returned), and only the fields the
// pipeline reads.
type rawSource struct {
	ctx    context.Context
	in     *ahead
	check  *checker
	fields []string
	batch  []Doc
	pos    int
	err    error // what ended the input (io.EOF at its end)
}

func (r *rawSource) next() (Doc, bool, error) {
	if r.pos < len(r.batch) {
		r.pos++
		return r.batch[r.pos-1], true, nil
	}
	if r.err == io.EOF {
		return nil, false, nil
	}
	if r.err != nil {
		return nil, false, r.err
	}
	b := r.in.next()
	raws := b.raws
	if r.err = b.err; r.err != nil && r.err != io.EOF {
		return nil, false, r.err
	}
	if r.check != nil {
		if err := r.check.returned(r.ctx, raws); err != nil {
			return nil, false, err
		}
	}
	r.batch, r.pos = r.batch[:0], 0
	for _, raw := range raws {
		d, err := decodeFields(raw, r.fields)
		if err != nil {
			return nil, false, err
		}
		r.batch = append(r.batch, d)
	}
	if len(r.batch) == 0 {
		return nil, false, nil
	}
	r.pos = 1
	return r.batch[0], true, nil
}

// all reads the rest, held under the run's memory limit.
func (r *rawSource) all(x *aggRun) ([]Doc, error) {
	var out []Doc
	err := x.drain(r, func(d Doc) error {
		out = append(out, d)
		return x.mem.grow("reading documents before a $lookup", approxSize(d)+16)
	})
	return out, err
}

// decodeFields decodes a stored document, or only its top-level fields
// named in fields (nil: all of them), in the document's order.
func decodeFields(raw []byte, fields []string) (Doc, error) {
	if fields == nil {
		v, err := DecodeJSON(raw, MaxDepth+1)
		if err != nil {
			return nil, err
		}
		d, ok := v.(Doc)
		if !ok {
			return nil, Errorf(CodeRequestFailed, "stored document is not an object")
		}
		return d, nil
	}
	out := make(Doc, 0, len(fields))
	err := eachTopField(raw, func(name, val []byte) error {
		for _, f := range fields {
			if isName(name, f) {
				v, err := decodeRawValue(val)
				if err != nil {
					return err
				}
				out = append(out, Field{f, v})
				return nil
			}
		}
		return nil
	})
	return out, err
}
