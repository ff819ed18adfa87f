package db

// How a pipeline runs: its leading $match, $sort, $skip and $limit stages
// become the query a Driver answers (on an index when it has one), and the
// stages after them run in Go over the documents the query streams.

// aggPlan is how a pipeline (or a $lookup's sub-pipeline) runs.
type aggPlan struct {
	// query is what the driver reads: Filter from the leading $match
	// stages (those without $expr), then Sort, Skip and Limit (0: none).
	query Query
	// sorted are the stages query's Sort, Skip and Limit stand for: run in
	// Go when the driver cannot stream the documents in that order.
	sorted []stage
	// rest are the stages after them.
	rest []stage
	// fields are the top-level fields sorted and rest read; nil: all.
	fields []string
	// reads says a stage of rest reads other collections ($lookup, at
	// any depth).
	reads bool
}

// planPipeline splits stages into the driver's query and the rest.
func planPipeline(stages []stage) aggPlan {
	if len(stages) > 0 {
		if g, ok := stages[0].op.(*geoNearStage); ok {
			return planGeoNear(g, stages)
		}
	}
	var p aggPlan
	i := 0
	var conds []*Node
	var srcs []any
	var split []stage // a $match whose $expr stays in Go
	for ; i < len(stages); i++ {
		m, ok := stages[i].op.(*matchStage)
		if !ok {
			break
		}
		if m.hasExpr {
			plain, expr := splitExpr(m.f)
			if plain != nil {
				conds, srcs = append(conds, plain.root), append(srcs, plain.Source)
			}
			split = []stage{{name: "$match", deps: stages[i].deps, op: &matchStage{f: expr, hasExpr: true}}}
			i++
			break
		}
		if r := m.f.Root(); r.Op != OpTrue {
			conds, srcs = append(conds, r), append(srcs, m.f.Source)
		}
	}
	switch len(conds) {
	case 0:
	case 1:
		p.query.Filter = &Filter{root: conds[0], Source: srcs[0].(Doc)}
	default:
		p.query.Filter = &Filter{root: &Node{Op: OpAnd, Children: conds}, Source: Doc{{"$and", srcs}}}
	}
	start := i
	if split != nil {
		p.rest = append(split, stages[i:]...)
		return p.finish()
	}
	if i < len(stages) {
		if s, ok := stages[i].op.(*sortStage); ok {
			p.query.Sort = s.keys
			i++
		}
	}
	i, skip, limit := pushCounts(stages, i)
	if skip < 0 {
		i, skip = start, 0 // odd numbers: keep them in Go
		p.query.Sort = nil
	}
	p.query.Skip, p.query.Limit = int(skip), int(limit)
	p.sorted, p.rest = stages[start:i], stages[i:]
	return p.finish()
}

// pushCounts reads the $skip and $limit stages from stages[i] on: it
// returns the index after them and the skip and limit (0: none) they
// amount to. Numbers too large for a driver are left to Go: then it
// returns i unchanged and a skip of -1.
func pushCounts(stages []stage, i int) (int, int64, int64) {
	start := i
	skip, limit := int64(0), int64(0)
	for ; i < len(stages); i++ {
		switch s := stages[i].op.(type) {
		case *skipStage:
			if limit > 0 && s.n >= limit {
				break // nothing would be left: let Go say so
			}
			skip += s.n
			if limit > 0 {
				limit -= s.n
			}
			continue
		case *limitStage:
			if limit == 0 || s.n < limit {
				limit = s.n
			}
			continue
		}
		break
	}
	if skip > maxPushedCount || limit > maxPushedCount {
		return start, -1, 0
	}
	return i, skip, limit
}

// finish works out what the plan's Go stages need of their input.
func (p aggPlan) finish() aggPlan {
	fields, all := neededFields(append(append([]stage(nil), p.sorted...), p.rest...))
	if !all {
		if fields == nil {
			fields = []string{} // none ($count), which is not all
		}
		p.fields = fields
		if !fieldOrderMatters(p.rest) {
			p.query.Fields = fields
		}
	}
	p.reads = readsOthers(p.rest)
	return p
}

// splitExpr splits a filter with $expr into the conditions of its top
// level that have none (nil when there are none) and the rest.
func splitExpr(f *Filter) (plain, expr *Filter) {
	root := f.Root()
	if root.Op != OpAnd {
		return nil, f
	}
	var p, e []*Node
	for _, c := range root.Children {
		if hasExpr(c) {
			e = append(e, c)
		} else {
			p = append(p, c)
		}
	}
	if len(p) == 0 {
		return nil, f
	}
	var src Doc
	for _, fd := range f.Source {
		if fd.Key != "$expr" {
			src = append(src, fd)
		}
	}
	plain = &Filter{root: &Node{Op: OpAnd, Children: p}, Source: src}
	if len(p) == 1 {
		plain.root = p[0]
	}
	expr = &Filter{root: &Node{Op: OpAnd, Children: e}, Source: Doc{{"$expr", nil}}}
	if len(e) == 1 {
		expr.root = e[0]
	}
	return plain, expr
}

// hasExpr reports whether n or a node under it is an $expr.
func hasExpr(n *Node) bool {
	if n.Op == OpExpr {
		return true
	}
	for _, c := range n.Children {
		if hasExpr(c) {
			return true
		}
	}
	return false
}

// maxPushedCount bounds the skip and limit a plan hands to a driver.
const maxPushedCount = 1 << 40

// neededFields returns the top-level fields the stages read of their
// input, or all when they read (or pass on) the whole documents.
func neededFields(stages []stage) ([]string, bool) {
	var out fieldDeps
	for _, st := range stages {
		if st.deps.all {
			return nil, true
		}
		for _, f := range st.deps.fields {
			out.add(f)
		}
		if st.whole {
			return out.fields, false
		}
	}
	return nil, true
}

// fieldOrderMatters reports whether the order of the input documents
// fields can reach the output: through a stage that passes fields on in
// order ($project, $addFields, …) before the first stage that builds new
// documents. A driver's Fields may not keep that order.
func fieldOrderMatters(stages []stage) bool {
	for _, st := range stages {
		switch st.op.(type) {
		case *projStage, *replaceRootStage, *facetStage:
			return true
		}
		if st.whole {
			return false
		}
	}
	return true
}

// readsOthers reports whether a stage reads collections: a $lookup, or
// a $facet with one.
func readsOthers(stages []stage) bool {
	for _, st := range stages {
		switch x := st.op.(type) {
		case *lookupStage:
			return true
		case *facetStage:
			for _, sub := range x.subs {
				if readsOthers(sub.stages) {
					return true
				}
			}
		}
	}
	return false
}

// coalesce gives each $sort followed by $limit (or $skip then $limit) the
// number of documents it must keep, so that it keeps only those.
func coalesce(stages []stage) {
	for i, st := range stages {
		s, ok := st.op.(*sortStage)
		if !ok {
			continue
		}
		keep := int64(0)
		for _, next := range stages[i+1:] {
			if sk, ok := next.op.(*skipStage); ok {
				keep += sk.n
				continue
			}
			if l, ok := next.op.(*limitStage); ok && keep+l.n <= maxPushedCount {
				s.limit = keep + l.n
			}
			break
		}
	}
}

// source is what a (sub-)pipeline starts from: a stream of documents, and
// whether it already gives them in the plan's order, skipped and limited.
type source struct {
	docIter
	sorted bool
	close  func()
}

// chain runs plan's stages after src.
func (x *aggRun) chain(plan aggPlan, src *source) docIter {
	var in docIter = src
	if !src.sorted {
		for _, st := range plan.sorted {
			in = st.op.open(x, in)
		}
	}
	for _, st := range plan.rest {
		in = st.op.open(x, in)
	}
	return in
}
