package db

import (
	"strings"
)

// $lookup and $facet: the stages that run other pipelines.

// lookupStage is a parsed $lookup, in either form or both at once:
// localField/foreignField (an equality join) and let/pipeline (a
// sub-pipeline over the foreign collection, its let variables evaluated on
// each input document).
type lookupStage struct {
	from      string
	as        []string // the output field's segments
	local     []string // localField's segments; nil without the equality form
	foreign   string   // foreignField
	letNames  []string
	letValues []evalFn
	sub       *Pipeline // the pipeline (empty when only the equality form is given)
	plan      aggPlan   // how sub runs: its leading stages as the driver's query
}

func (p *pipeParser) parseLookup(arg any, sc *exprScope, depth int) (*lookupStage, error) {
	d, ok := arg.(Doc)
	if !ok {
		return nil, Errorf(CodeInvalidParam, "$lookup takes a document: {from, localField, foreignField, as} or {from, let, pipeline, as}")
	}
	l := &lookupStage{}
	var pipeline any
	var let Doc
	hasPipeline, hasLocal, hasForeign := false, false, false
	for _, f := range d {
		switch f.Key {
		case "from":
			s, ok := f.Value.(string)
			if !ok || !ValidCollectionName(s) {
				return nil, Errorf(CodeInvalidParam, "$lookup: from must be a collection name")
			}
			l.from = s
		case "as":
			s, err := outputField("$lookup", "as", f.Value)
			if err != nil {
				return nil, err
			}
			l.as = Segments(s)
		case "localField":
			s, ok := f.Value.(string)
			if l.local = fieldSegs(s); !ok || l.local == nil {
				return nil, Errorf(CodeInvalidParam, "$lookup: localField must be a field path (without $)")
			}
			hasLocal = true
		case "foreignField":
			s, ok := f.Value.(string)
			if !ok || fieldSegs(s) == nil {
				return nil, Errorf(CodeInvalidParam, "$lookup: foreignField must be a field path (without $)")
			}
			l.foreign, hasForeign = s, true
		case "let":
			if let, ok = f.Value.(Doc); !ok {
				return nil, Errorf(CodeInvalidParam, "$lookup: let must be a document of variables")
			}
		case "pipeline":
			pipeline, hasPipeline = f.Value, true
		default:
			return nil, Errorf(CodeInvalidParam, "$lookup found an unknown option: %.64s", f.Key)
		}
	}
	switch {
	case l.from == "" || l.as == nil:
		return nil, Errorf(CodeInvalidParam, "$lookup requires from and as")
	case hasLocal != hasForeign:
		return nil, Errorf(CodeInvalidParam, "$lookup requires both localField and foreignField, or neither")
	case !hasLocal && !hasPipeline:
		return nil, Errorf(CodeInvalidParam, "$lookup requires either localField and foreignField, or pipeline")
	case let != nil && !hasPipeline:
		return nil, Errorf(CodeInvalidParam, "$lookup: let needs a pipeline")
	}
	if hasLocal {
		sc.deps.add(l.local[0])
	}
	for _, f := range let {
		if err := checkVarName(f.Key); err != nil {
			return nil, err
		}
		fn, err := sc.parseExpr(f.Value)
		if err != nil {
			return nil, err
		}
		l.letNames, l.letValues = append(l.letNames, f.Key), append(l.letValues, fn)
	}
	if !hasPipeline {
		pipeline = []any{}
	}
	sub, err := p.parse(pipeline, newScope(p.now, l.letNames...), depth+1, false)
	if err != nil {
		return nil, err
	}
	l.sub = sub
	l.plan = planPipeline(sub.stages)
	*p.lookups = append(*p.lookups, l)
	return l, nil
}

// joinFilter is the equality form's condition on the foreign collection
// for the input document d: foreignField equal to one of the values at
// localField (through arrays, element by element), or to null when there
// is none. Regular expressions join by equality in MongoDB; minibase's
// filters would match them as patterns, so they join nothing.
func (l *lookupStage) joinFilter(d Doc) (*Filter, error) {
	var vals []any
	localValues(d, l.local, &vals)
	if len(vals) == 0 {
		vals = []any{nil}
	}
	return ParseFilter(Doc{{l.foreign, Doc{{"$in", vals}}}})
}

// localValues collects the values at segs, through documents and arrays;
// an array at the end gives its elements.
func localValues(v any, segs []string, out *[]any) {
	if len(segs) == 0 {
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				if _, isRe := e.(Regex); !isRe {
					*out = append(*out, e)
				}
			}
		case Regex:
		default:
			*out = append(*out, x)
		}
		return
	}
	switch x := v.(type) {
	case Doc:
		if next, ok := x.Get(segs[0]); ok {
			localValues(next, segs[1:], out)
		}
	case []any:
		for _, e := range x {
			if _, isDoc := e.(Doc); isDoc {
				localValues(e, segs, out)
			}
		}
	}
}

func (l *lookupStage) open(x *aggRun, in docIter) docIter {
	return iterFunc(func() (Doc, bool, error) {
		d, ok, err := in.next()
		if err != nil || !ok {
			return nil, false, err
		}
		if err := x.check(); err != nil {
			return nil, false, err
		}
		joined, err := l.join(x, d)
		if err != nil {
			return nil, false, err
		}
		return withPath(d, l.as, joined), true, nil
	})
}

// join runs the lookup for one input document: the matching foreign
// documents, through the sub-pipeline.
func (l *lookupStage) join(x *aggRun, d Doc) ([]any, error) {
	var join *Filter
	if l.local != nil {
		f, err := l.joinFilter(d)
		if err != nil {
			return nil, err
		}
		join = f
	}
	sub := x.sub(l.sub)
	for i, fn := range l.letValues {
		v, err := x.eval(fn, d)
		if err != nil {
			return nil, err
		}
		sub.env.vars[slotFirstUser+i] = plainValue(v)
	}
	src, err := x.from.read(x, l, join, l.plan)
	if err != nil {
		return nil, err
	}
	defer src.close()
	out := []any{}
	used := 0
	err = sub.drain(sub.chain(l.plan, src), func(doc Doc) error {
		n := approxSize(doc) + 16
		used += n
		out = append(out, doc)
		return x.mem.grow("$lookup", n)
	})
	x.mem.shrink(used) // the joined documents now belong to the output
	return out, err
}

// ---- $facet ----

// facetStage runs several pipelines over the same input and outputs one
// document with each one's results in an array.
type facetStage struct {
	names []string
	subs  []*Pipeline
	plans []aggPlan
}

func (p *pipeParser) parseFacet(arg any, sc *exprScope, depth int) (*facetStage, error) {
	d, ok := arg.(Doc)
	if !ok || len(d) == 0 {
		return nil, Errorf(CodeInvalidParam, "$facet takes a non-empty document of named pipelines")
	}
	outer := sc.deps
	f := &facetStage{}
	for _, fd := range d {
		if fd.Key == "" || strings.HasPrefix(fd.Key, "$") || strings.Contains(fd.Key, ".") {
			return nil, Errorf(CodeInvalidParam, "$facet: the name %.64q must not be empty, start with $ or contain '.'", fd.Key)
		}
		sub, err := p.parse(fd.Value, sc, depth+1, true)
		if err != nil {
			return nil, err
		}
		fields, all := neededFields(sub.stages)
		if all {
			outer.all = true
		}
		for _, name := range fields {
			outer.add(name)
		}
		f.names, f.subs = append(f.names, fd.Key), append(f.subs, sub)
		f.plans = append(f.plans, aggPlan{rest: sub.stages})
	}
	sc.deps = outer
	return f, nil
}

func (f *facetStage) open(x *aggRun, in docIter) docIter {
	done := false
	return iterFunc(func() (Doc, bool, error) {
		if done {
			return nil, false, nil
		}
		done = true
		var docs []Doc
		held := 0
		err := x.drain(in, func(d Doc) error {
			n := approxSize(d) + 16
			held += n
			docs = append(docs, d)
			return x.mem.grow("$facet", n)
		})
		if err != nil {
			return nil, false, err
		}
		out := make(Doc, 0, len(f.names))
		for i, plan := range f.plans {
			list := []any{}
			err := x.drain(x.chain(plan, &source{docIter: sliceIter(docs), sorted: true}), func(d Doc) error {
				list = append(list, d)
				return x.mem.grow("$facet", approxSize(d)+16)
			})
			if err != nil {
				return nil, false, err
			}
			out = append(out, Field{f.names[i], list})
		}
		x.mem.shrink(held)
		return out, true, nil
	})
}
