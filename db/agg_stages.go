package db

import (
	"container/heap"
	"math/rand/v2"
	"slices"
	"strings"
)

// ---- $match ----

type matchStage struct {
	f       *Filter
	hasExpr bool // f has an $expr: evaluated in the run's variables
}

func parseMatchStage(arg any, sc *exprScope) (*matchStage, error) {
	d, ok := arg.(Doc)
	if !ok {
		return nil, Errorf(CodeInvalidParam, "$match takes a query document")
	}
	p := filterParser{scope: sc}
	root, err := p.parseDoc(d)
	if err != nil {
		return nil, err
	}
	if hasNear(root) { // it orders, which a stage cannot: MongoDB's rule
		return nil, Errorf(CodeInvalidOperator, "$near and $nearSphere (geoNear) are not allowed in $match: ask for the nearest documents with a query")
	}
	m := &matchStage{f: &Filter{root: root, Source: d}}
	m.hasExpr = filterDeps(root, sc.deps)
	return m, nil
}

// filterDeps adds the top-level fields n reads to deps, and reports
// whether it has an $expr.
func filterDeps(n *Node, deps *fieldDeps) bool {
	switch n.Op {
	case OpTrue:
		return false
	case OpAnd, OpOr, OpNor:
		has := false
		for _, c := range n.Children {
			has = filterDeps(c, deps) || has
		}
		return has
	case OpExpr:
		return true
	}
	if n.Path != "" {
		deps.add(Segments(n.Path)[0])
	}
	return false
}

func (m *matchStage) open(x *aggRun, in docIter) docIter {
	return iterFunc(func() (Doc, bool, error) {
		for {
			d, ok, err := in.next()
			if err != nil || !ok {
				return nil, false, err
			}
			if err := x.check(); err != nil {
				return nil, false, err
			}
			if !m.hasExpr {
				if m.f.Match(d) {
					return d, true, nil
				}
				continue
			}
			ok, err = matchIn(m.f.Root(), d, x)
			if err != nil {
				return nil, false, err
			}
			if ok {
				return d, true, nil
			}
		}
	})
}

// matchIn is Filter.Match inside a pipeline: $expr sees the run's
// variables ($lookup's let), and its errors fail the pipeline, as in
// MongoDB.
func matchIn(n *Node, d Doc, x *aggRun) (bool, error) {
	switch n.Op {
	case OpAnd, OpOr, OpNor:
		for _, c := range n.Children {
			ok, err := matchIn(c, d, x)
			if err != nil {
				return false, err
			}
			switch {
			case n.Op == OpAnd && !ok:
				return false, nil
			case n.Op == OpOr && ok:
				return true, nil
			case n.Op == OpNor && ok:
				return false, nil
			}
		}
		return n.Op != OpOr, nil
	case OpExpr:
		v, err := x.eval(n.expr.fn, d)
		return exprTruthy(v), err
	}
	return n.match(d), nil
}

// ---- $skip, $limit ----

type skipStage struct{ n int64 }

type limitStage struct{ n int64 }

func parseSkipLimit(name string, arg any) (stageOp, error) {
	n, err := nonNegative(name, arg, name == "$limit")
	if err != nil {
		return nil, err
	}
	if name == "$skip" {
		return &skipStage{n}, nil
	}
	return &limitStage{n}, nil
}

func (s *skipStage) open(x *aggRun, in docIter) docIter {
	left := s.n
	return iterFunc(func() (Doc, bool, error) {
		for left > 0 {
			_, ok, err := in.next()
			if err != nil || !ok {
				return nil, false, err
			}
			if err := x.check(); err != nil {
				return nil, false, err
			}
			left--
		}
		return in.next()
	})
}

func (s *limitStage) open(_ *aggRun, in docIter) docIter {
	left := s.n
	return iterFunc(func() (Doc, bool, error) {
		if left <= 0 {
			return nil, false, nil
		}
		left--
		return in.next()
	})
}

// ---- $sort ----

// sortStage sorts its input as find sorts (CompareDocs), stable; with a
// limit (a $limit right after it) it keeps only the first limit
// documents while it reads.
type sortStage struct {
	keys  []SortKey
	limit int64 // 0: none
}

func parseSortStage(arg any, sc *exprScope) (*sortStage, error) {
	d, ok := arg.(Doc)
	if !ok || len(d) == 0 {
		return nil, Errorf(CodeInvalidParam, "$sort takes a non-empty document of fields and directions, {field: 1 | -1, …}")
	}
	for _, f := range d {
		if m, ok := f.Value.(Doc); ok && len(m) > 0 && m[0].Key == "$meta" {
			return nil, Errorf(CodeInvalidOperator, "$sort by $meta is not supported: minibase has no text search")
		}
	}
	keys, err := ParseSort(d)
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		sc.deps.add(Segments(k.Path)[0])
	}
	return &sortStage{keys: withIDTieBreak(keys)}, nil
}

// sortedDoc is a document held by a sort, in input order.
type sortedDoc struct {
	doc  Doc
	seq  int
	size int
}

func (s *sortStage) less(a, b sortedDoc) bool {
	if c := CompareDocs(a.doc, b.doc, s.keys); c != 0 {
		return c < 0
	}
	return a.seq < b.seq
}

func (s *sortStage) open(x *aggRun, in docIter) docIter {
	var out []sortedDoc
	pos := -1
	return iterFunc(func() (Doc, bool, error) {
		if pos < 0 {
			var err error
			if out, err = s.collect(x, in); err != nil {
				return nil, false, err
			}
			pos = 0
		}
		if pos >= len(out) {
			return nil, false, nil
		}
		d := out[pos]
		out[pos] = sortedDoc{}
		x.mem.shrink(d.size)
		pos++
		return d.doc, true, nil
	})
}

func (s *sortStage) collect(x *aggRun, in docIter) ([]sortedDoc, error) {
	h := &sortHeap{s: s}
	seq := 0
	err := x.drain(in, func(d Doc) error {
		item := sortedDoc{doc: d, seq: seq, size: approxSize(d) + 48}
		seq++
		if s.limit > 0 && int64(len(h.items)) >= s.limit {
			if !s.less(item, h.items[0]) {
				return nil
			}
			x.mem.shrink(h.items[0].size)
			h.items[0] = item
			heap.Fix(h, 0)
			return x.mem.grow("$sort", item.size)
		}
		if err := x.mem.grow("$sort", item.size); err != nil {
			return err
		}
		if s.limit > 0 {
			heap.Push(h, item)
		} else {
			h.items = append(h.items, item)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(h.items, func(a, b sortedDoc) int {
		if s.less(a, b) {
			return -1
		}
		return 1
	})
	return h.items, nil
}

// sortHeap is a max-heap on the sort order: the root is the worst kept.
type sortHeap struct {
	s     *sortStage
	items []sortedDoc
}

func (h *sortHeap) Len() int           { return len(h.items) }
func (h *sortHeap) Less(i, j int) bool { return h.s.less(h.items[j], h.items[i]) }
func (h *sortHeap) Swap(i, j int)      { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *sortHeap) Push(v any)         { h.items = append(h.items, v.(sortedDoc)) }
func (h *sortHeap) Pop() any {
	v := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return v
}

// ---- $sample ----

// sampleStage picks size documents at random (reservoir sampling), in
// random order.
type sampleStage struct{ size int64 }

func parseSample(arg any) (*sampleStage, error) {
	d, ok := arg.(Doc)
	sz, has := d.Get("size")
	if !ok || len(d) != 1 || !has {
		return nil, Errorf(CodeInvalidParam, "$sample takes {size: n}")
	}
	n, err := nonNegative("$sample size", sz, false)
	if err != nil {
		return nil, err
	}
	return &sampleStage{n}, nil
}

func (s *sampleStage) open(x *aggRun, in docIter) docIter {
	var kept []Doc
	var sizes []int
	pos := -1
	return iterFunc(func() (Doc, bool, error) {
		if pos < 0 {
			seen := int64(0)
			err := x.drain(in, func(d Doc) error {
				seen++
				i := seen - 1
				if i >= s.size {
					if i = rand.Int64N(seen); i >= s.size {
						return nil
					}
				}
				n := approxSize(d) + 16
				if err := x.mem.grow("$sample", n); err != nil {
					return err
				}
				if int(i) < len(kept) {
					x.mem.shrink(sizes[i])
					kept[i], sizes[i] = d, n
				} else {
					kept, sizes = append(kept, d), append(sizes, n)
				}
				return nil
			})
			if err != nil {
				return nil, false, err
			}
			rand.Shuffle(len(kept), func(i, j int) { kept[i], kept[j] = kept[j], kept[i] })
			pos = 0
		}
		if pos >= len(kept) {
			return nil, false, nil
		}
		pos++
		return kept[pos-1], true, nil
	})
}

// ---- $unwind ----

// unwindStage outputs a document per element of the array at path; a
// value that is not an array counts as one element; null, missing and
// empty arrays give no document unless preserve.
type unwindStage struct {
	segs     []string
	index    string // includeArrayIndex: a field for the element's index
	preserve bool
}

func parseUnwind(arg any, sc *exprScope) (*unwindStage, error) {
	var path any = arg
	u := &unwindStage{}
	if d, ok := arg.(Doc); ok {
		path = nil
		for _, f := range d {
			switch f.Key {
			case "path":
				path = f.Value
			case "includeArrayIndex":
				name, err := outputField("$unwind", "includeArrayIndex", f.Value)
				if err != nil {
					return nil, err
				}
				u.index = name
			case "preserveNullAndEmptyArrays":
				b, ok := f.Value.(bool)
				if !ok {
					return nil, Errorf(CodeInvalidParam, "$unwind: preserveNullAndEmptyArrays must be true or false")
				}
				u.preserve = b
			default:
				return nil, Errorf(CodeInvalidParam, "$unwind found an unknown option: %.64s", f.Key)
			}
		}
	}
	s, ok := path.(string)
	if !ok || !strings.HasPrefix(s, "$") || strings.HasPrefix(s, "$$") {
		return nil, Errorf(CodeInvalidParam, "$unwind: path must be a field path starting with $, such as \"$tags\"")
	}
	if u.segs = fieldSegs(s[1:]); u.segs == nil {
		return nil, Errorf(CodeInvalidParam, "$unwind: invalid field path %.64q", s)
	}
	sc.deps.add(u.segs[0])
	return u, nil
}

// docPath follows segs through documents only.
func docPath(v any, segs []string) (any, bool) {
	for _, s := range segs {
		d, ok := v.(Doc)
		if !ok {
			return nil, false
		}
		if v, ok = d.Get(s); !ok {
			return nil, false
		}
	}
	return v, true
}

func (u *unwindStage) open(x *aggRun, in docIter) docIter {
	var cur Doc
	var arr []any
	i := 0
	return iterFunc(func() (Doc, bool, error) {
		for {
			if i < len(arr) {
				out := withPath(cur, u.segs, arr[i])
				if u.index != "" {
					out = withPath(out, Segments(u.index), int64(i))
				}
				i++
				return out, true, nil
			}
			d, ok, err := in.next()
			if err != nil || !ok {
				return nil, false, err
			}
			if err := x.check(); err != nil {
				return nil, false, err
			}
			v, found := docPath(d, u.segs)
			a, isArr := v.([]any)
			switch {
			case isArr && len(a) > 0:
				cur, arr, i = d, a, 0
				continue
			case !u.preserve && (!found || v == nil || isArr):
				continue
			case isArr: // empty, preserved: the field goes
				d = withPath(d, u.segs, missing)
			}
			if u.index != "" {
				d = withPath(d, Segments(u.index), nil)
			}
			return d, true, nil
		}
	})
}

// withPath returns a copy of d with the value at segs (through documents)
// set to v, or removed when v is missing. Documents on the way are copied,
// the rest shared; a value on the way that is not a document becomes one.
func withPath(d Doc, segs []string, v any) Doc {
	out := make(Doc, len(d), len(d)+1)
	copy(out, d)
	if len(segs) == 1 {
		if isMissing(v) {
			out.Delete(segs[0])
		} else {
			out.Set(segs[0], v)
		}
		return out
	}
	inner, _ := out.Get(segs[0])
	sub, ok := inner.(Doc)
	if !ok {
		if isMissing(v) {
			return out
		}
		sub = Doc{}
	}
	out.Set(segs[0], withPath(sub, segs[1:], v))
	return out
}

// ---- $count ----

type countStage struct{ name string }

func parseCount(arg any) (*countStage, error) {
	name, err := outputField("$count", "the field name", arg)
	if err != nil {
		return nil, err
	}
	if strings.Contains(name, ".") {
		return nil, Errorf(CodeInvalidParam, "$count: the field name must not contain '.'")
	}
	return &countStage{name}, nil
}

func (c *countStage) open(x *aggRun, in docIter) docIter {
	done := false
	return iterFunc(func() (Doc, bool, error) {
		if done {
			return nil, false, nil
		}
		done = true
		n := int64(0)
		if err := x.drain(in, func(Doc) error { n++; return nil }); err != nil || n == 0 {
			return nil, false, err
		}
		return Doc{{c.name, n}}, true, nil
	})
}

// ---- $replaceRoot, $replaceWith ----

type replaceRootStage struct{ expr evalFn }

func parseReplaceRoot(name string, arg any, sc *exprScope) (*replaceRootStage, error) {
	v := arg
	if name == "$replaceRoot" {
		d, ok := arg.(Doc)
		root, has := d.Get("newRoot")
		if !ok || len(d) != 1 || !has {
			return nil, Errorf(CodeInvalidParam, "$replaceRoot takes {newRoot: expression}")
		}
		v = root
	}
	fn, err := sc.parseExpr(v)
	if err != nil {
		return nil, err
	}
	return &replaceRootStage{fn}, nil
}

func (r *replaceRootStage) open(x *aggRun, in docIter) docIter {
	return iterFunc(func() (Doc, bool, error) {
		d, ok, err := in.next()
		if err != nil || !ok {
			return nil, false, err
		}
		v, err := x.eval(r.expr, d)
		if err != nil {
			return nil, false, err
		}
		nd, isDoc := v.(Doc)
		if !isDoc {
			return nil, false, Errorf(CodeInvalidOperator, "'newRoot' must evaluate to an object, but it is %s", exprType(v))
		}
		return nd, true, nil
	})
}
