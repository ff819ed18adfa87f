package db

import (
	"context"
	"fmt"
)

// The pipeline runs as a chain of pull iterators, one per stage: each
// asks the one before it for documents. Stages that must see all their
// input before they answer ($group, $sort, $bucketAuto, $facet, …) hold
// it under the request's memory limit.

// docIter is a stream of documents; next reports false at the end.
type docIter interface {
	next() (Doc, bool, error)
}

type iterFunc func() (Doc, bool, error)

func (f iterFunc) next() (Doc, bool, error) { return f() }

// collectedIter streams what collect returns, calling it at the first
// next: a stage that must see all its input before it answers.
func collectedIter(collect func() ([]Doc, error)) docIter {
	var it docIter
	return iterFunc(func() (Doc, bool, error) {
		if it == nil {
			out, err := collect()
			if err != nil {
				return nil, false, err
			}
			it = sliceIter(out)
		}
		return it.next()
	})
}

// sliceIter streams docs.
func sliceIter(docs []Doc) docIter {
	i := 0
	return iterFunc(func() (Doc, bool, error) {
		if i >= len(docs) {
			return nil, false, nil
		}
		i++
		return docs[i-1], true, nil
	})
}

// stageOp is a parsed stage: open chains it after in.
type stageOp interface {
	open(x *aggRun, in docIter) docIter
}

// docWork is the expression work one stage may do for one document (see
// evalEnv.charge).
const docWork = 64 << 20

// aggRun is one run of a pipeline: its expressions' variables, and what
// it shares with the runs of its sub-pipelines (the request's context,
// memory meter and access to collections).
type aggRun struct {
	ctx  context.Context
	env  *evalEnv
	mem  *memMeter
	from aggSource
	tick int
	// doc is the document last bound to $$ROOT and $$CURRENT, and docAny
	// it as an any: a stage evaluates several expressions per document
	// (a $group's key and accumulators), converted once.
	doc    *Field
	docLen int
	docAny any
}

// aggSource reads collections for the runs of a request: the Service's,
// under the caller's rules.
type aggSource interface {
	// read opens what plan starts from: the documents of the pipeline's
	// collection (l nil) or of l's, that match plan's query and join (nil:
	// no more condition).
	read(x *aggRun, l *lookupStage, join *Filter, plan aggPlan) (*source, error)
}

// newRun starts a run of pl.
func newRun(ctx context.Context, pl *Pipeline, mem *memMeter, from aggSource) *aggRun {
	vars := make([]any, max(pl.scope.slots, slotFirstUser))
	vars[slotNow] = pl.scope.now
	return &aggRun{ctx: ctx, env: &evalEnv{vars: vars}, mem: mem, from: from}
}

// sub starts a run of a $lookup's sub-pipeline, sharing x's context,
// memory meter and source.
func (x *aggRun) sub(pl *Pipeline) *aggRun {
	return newRun(x.ctx, pl, x.mem, x.from)
}

// eval evaluates fn with doc as $$ROOT and $$CURRENT.
func (x *aggRun) eval(fn evalFn, doc Doc) (any, error) {
	x.bind(doc)
	x.env.work = docWork
	return fn(x.env)
}

// bind makes doc $$ROOT and $$CURRENT.
func (x *aggRun) bind(doc Doc) {
	if len(doc) == 0 || len(doc) != x.docLen || &doc[0] != x.doc {
		x.docAny = doc
		x.docLen = len(doc)
		x.doc = nil
		if len(doc) > 0 {
			x.doc = &doc[0]
		}
	}
	x.env.vars[slotRoot], x.env.vars[slotCurrent] = x.docAny, x.docAny
}

// check returns the context's error every so many documents, so that a
// canceled or timed-out request stops.
func (x *aggRun) check() error {
	if x.tick++; x.tick&255 == 0 {
		return x.ctx.Err()
	}
	return nil
}

// drain reads all of in.
func (x *aggRun) drain(in docIter, fn func(Doc) error) error {
	for {
		d, ok, err := in.next()
		if err != nil || !ok {
			return err
		}
		if err := x.check(); err != nil {
			return err
		}
		if err := fn(d); err != nil {
			return err
		}
	}
}

// memMeter counts the bytes the stages of one request hold, against its
// limit.
type memMeter struct {
	used, limit int64
}

// grow takes n more bytes for stage, or fails when that would pass the
// limit.
func (m *memMeter) grow(stage string, n int) error {
	m.used += int64(n)
	if m.used > m.limit {
		return Errorf(CodeAggregateMemory, "%s needs more than the %s an aggregation may hold: reduce its input with $match (and $project) first, or ask for less", stage, humanBytes(m.limit))
	}
	return nil
}

func (m *memMeter) shrink(n int) { m.used -= int64(n) }

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
