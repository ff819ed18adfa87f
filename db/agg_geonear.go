package db

import (
	"cmp"
	"context"
	"slices"
)

// The $geoNear stage: a pipeline's first stage, run as a find nearest
// first (GeoNearStage), its documents annotated with their distances.

// geoNearStage is a parsed $geoNear. Its options are parsed when the
// pipeline runs (resolve), against the collection's 2dsphere indexes.
type geoNearStage struct {
	raw  any
	deps *fieldDeps
	gn   *GeoNearStage
	f    *Filter // gn.Filter parsed: the plan's query
}

func parseGeoNear(arg any, sc *exprScope) (*geoNearStage, error) {
	return &geoNearStage{raw: arg, deps: sc.deps}, nil
}

// resolveGeoNear parses the pipeline's $geoNear, when it starts with one,
// against the indexes of its collection (read by indexes).
func (pl *Pipeline) resolveGeoNear(ctx context.Context, indexes func(context.Context) ([]Index, error)) error {
	if len(pl.stages) == 0 {
		return nil
	}
	g, ok := pl.stages[0].op.(*geoNearStage)
	if !ok {
		return nil
	}
	idx, err := indexes(ctx)
	if err != nil {
		return err
	}
	if g.gn, err = ParseGeoNearStage(g.raw, idx); err != nil {
		return err
	}
	if g.f, err = ParseFilter(g.gn.Filter); err != nil {
		return err
	}
	// Annotate reads the location, and the nearest-first order in Go
	// breaks ties by _id.
	g.deps.add(Segments(g.gn.near.Path)[0])
	g.deps.add("_id")
	return nil
}

// open annotates each document with its distance (and location).
func (g *geoNearStage) open(x *aggRun, in docIter) docIter {
	return iterFunc(func() (Doc, bool, error) {
		if g.gn == nil {
			return nil, false, Errorf(CodeInvalidOperator, "$geoNear needs the collection's indexes")
		}
		d, ok, err := in.next()
		if err != nil || !ok {
			return nil, false, err
		}
		d, err = g.gn.Annotate(d)
		return d, err == nil, err
	})
}

// nearSortStage puts the documents of a $geoNear's find in nearest-first
// order, ties by _id, when the driver could not read them so (a find
// without a $limit): it holds them under the memory limit.
type nearSortStage struct {
	nr *Near
}

type nearDoc struct {
	doc  Doc
	dist float64
	size int
}

func (s *nearSortStage) open(x *aggRun, in docIter) docIter {
	var out []nearDoc
	pos := -1
	return iterFunc(func() (Doc, bool, error) {
		if pos < 0 {
			err := x.drain(in, func(d Doc) error {
				dist, _ := s.nr.Distance(d)
				item := nearDoc{doc: d, dist: dist, size: approxSize(d) + 48}
				out = append(out, item)
				return x.mem.grow("$geoNear", item.size)
			})
			if err != nil {
				return nil, false, err
			}
			slices.SortStableFunc(out, func(a, b nearDoc) int {
				if c := cmp.Compare(a.dist, b.dist); c != 0 {
					return c
				}
				return cmp.Compare(a.doc.ID(), b.doc.ID())
			})
			pos = 0
		}
		if pos >= len(out) {
			return nil, false, nil
		}
		d := out[pos]
		out[pos] = nearDoc{}
		x.mem.shrink(d.size)
		pos++
		return d.doc, true, nil
	})
}

// planGeoNear plans a pipeline that starts with g: the driver finds g's
// filter nearest first, with the $skip and $limit stages that follow it;
// the documents are annotated, then the stages after them run in Go.
func planGeoNear(g *geoNearStage, stages []stage) aggPlan {
	var p aggPlan
	if g.gn == nil { // not resolved: only a test's plan of a parse
		p.rest = stages
		return p.finish()
	}
	p.query.Filter = g.f
	i, skip, limit := pushCounts(stages, 1)
	if skip < 0 {
		skip = 0
	}
	p.query.Skip, p.query.Limit = int(skip), int(limit)
	near := stage{name: "$geoNear", deps: &fieldDeps{fields: []string{Segments(g.gn.near.Path)[0], "_id"}}, op: &nearSortStage{nr: g.gn.near}}
	p.sorted = append([]stage{near}, stages[1:i]...)
	p.rest = append([]stage{stages[0]}, stages[i:]...)
	return p.finish()
}
