package db

import (
	"slices"
	"strings"
)

// $group and the stages built on it: $sortByCount and $bucket. Groups are
// kept by the byte key of their _id (appendKey), in the order they first
// appear, under the request's memory limit.

// accField is one output field of a group: its accumulator and the
// expression it folds.
type accField struct {
	name string
	acc  string
	arg  evalFn
}

// parseAccFields parses {name: {$accumulator: expression}, …}, the fields
// of $group (less _id), $bucket's and $bucketAuto's output.
func parseAccFields(stage string, d Doc, sc *exprScope) ([]accField, error) {
	out := make([]accField, 0, len(d))
	for _, f := range d {
		if f.Key == "" || strings.HasPrefix(f.Key, "$") || strings.Contains(f.Key, ".") {
			return nil, Errorf(CodeInvalidParam, "%s: the field name %.64q must not be empty, start with $ or contain '.'", stage, f.Key)
		}
		spec, ok := f.Value.(Doc)
		if !ok || len(spec) != 1 {
			return nil, Errorf(CodeInvalidParam, "%s: the field %.64q must be an accumulator object, such as {$sum: \"$qty\"}", stage, f.Key)
		}
		name := spec[0].Key
		if !slices.Contains(accumulatorNames, name) {
			switch name {
			case "$top", "$bottom", "$topN", "$bottomN", "$firstN", "$lastN", "$maxN", "$minN", "$median", "$percentile", "$accumulator":
				return nil, Errorf(CodeInvalidOperator, "%s: the accumulator %s is not supported", stage, name)
			}
			return nil, Errorf(CodeInvalidOperator, "%s: unknown group operator %.64q", stage, name)
		}
		var arg evalFn
		if name == "$count" {
			if d, ok := spec[0].Value.(Doc); !ok || len(d) != 0 {
				return nil, Errorf(CodeInvalidParam, "%s: $count takes an empty document: {$count: {}}", stage)
			}
			arg = constant(int64(1))
		} else {
			if _, isArr := spec[0].Value.([]any); isArr {
				return nil, Errorf(CodeInvalidOperator, "%s: the %s accumulator is a unary operator", stage, name)
			}
			fn, err := sc.parseExpr(spec[0].Value)
			if err != nil {
				return nil, err
			}
			arg = fn
		}
		out = append(out, accField{f.Key, name, arg})
	}
	return out, nil
}

// group is one group being accumulated.
type group struct {
	id   any
	accs []accumulator
}

// groups accumulates documents into groups by key.
type groups struct {
	fields []accField
	byKey  map[string]*group
	order  []*group
	key    []byte
	stage  string
}

func newGroups(stage string, fields []accField) *groups {
	return &groups{stage: stage, fields: fields, byKey: map[string]*group{}}
}

// add folds d into the group of id.
func (gs *groups) add(x *aggRun, id any, d Doc) error {
	gs.key = appendKey(gs.key[:0], id)
	g := gs.byKey[string(gs.key)]
	if g == nil {
		g = &group{id: plainValue(id), accs: make([]accumulator, len(gs.fields))}
		for i, f := range gs.fields {
			g.accs[i] = newAccumulator(f.acc)
		}
		gs.byKey[string(gs.key)] = g
		gs.order = append(gs.order, g)
		if err := x.mem.grow(gs.stage, 2*len(gs.key)+approxSize(id)+64+48*len(gs.fields)); err != nil {
			return err
		}
	}
	for i, f := range gs.fields {
		v, err := x.eval(f.arg, d)
		if err != nil {
			return err
		}
		n, err := g.accs[i].add(v)
		if err != nil {
			return err
		}
		if err := x.mem.grow(gs.stage, n); err != nil {
			return err
		}
	}
	return nil
}

// doc is g's output document: {_id, field: result, …}.
func (gs *groups) doc(g *group) Doc {
	out := make(Doc, 0, len(gs.fields)+1)
	out = append(out, Field{"_id", g.id})
	for i, f := range gs.fields {
		out = append(out, Field{f.name, plainValue(g.accs[i].result())})
	}
	return out
}

// ---- $group ----

type groupStage struct {
	id     evalFn
	fields []accField
}

func parseGroup(arg any, sc *exprScope) (*groupStage, error) {
	d, ok := arg.(Doc)
	if !ok {
		return nil, Errorf(CodeInvalidParam, "$group takes a document: {_id: expression, field: {accumulator: expression}, …}")
	}
	g := &groupStage{}
	rest := make(Doc, 0, len(d))
	for _, f := range d {
		if f.Key != "_id" {
			rest = append(rest, f)
			continue
		}
		fn, err := sc.parseExpr(f.Value)
		if err != nil {
			return nil, err
		}
		g.id = fn
	}
	if g.id == nil {
		return nil, Errorf(CodeInvalidParam, "a $group specification must include an _id")
	}
	var err error
	g.fields, err = parseAccFields("$group", rest, sc)
	return g, err
}

func (g *groupStage) open(x *aggRun, in docIter) docIter {
	var gs *groups
	pos := -1
	return iterFunc(func() (Doc, bool, error) {
		if pos < 0 {
			gs = newGroups("$group", g.fields)
			err := x.drain(in, func(d Doc) error {
				id, err := x.eval(g.id, d)
				if err != nil {
					return err
				}
				return gs.add(x, id, d)
			})
			if err != nil {
				return nil, false, err
			}
			pos = 0
		}
		if pos >= len(gs.order) {
			return nil, false, nil
		}
		pos++
		return gs.doc(gs.order[pos-1]), true, nil
	})
}

// parseSortByCount parses $sortByCount: expression, which is a $group of
// {_id: expression, count: {$sum: 1}} then a $sort by count, descending.
func parseSortByCount(arg any, sc *exprScope) ([]stage, error) {
	s, isStr := arg.(string)
	d, isDoc := arg.(Doc)
	if !(isStr && strings.HasPrefix(s, "$") || isDoc && len(d) == 1 && strings.HasPrefix(d[0].Key, "$")) {
		return nil, Errorf(CodeInvalidParam, "$sortByCount takes a $-prefixed path or an expression object, such as \"$tags\"")
	}
	id, err := sc.parseExpr(arg)
	if err != nil {
		return nil, err
	}
	grp := &groupStage{id: id, fields: []accField{{"count", "$sum", constant(int64(1))}}}
	return []stage{
		{name: "$sortByCount", whole: true, op: grp},
		{name: "$sortByCount", whole: false, op: &sortStage{keys: []SortKey{{Path: "count", Desc: true}, {Path: "_id"}}}},
	}, nil
}

// ---- $bucket ----

type bucketStage struct {
	groupBy    evalFn
	boundaries []any
	def        any
	hasDef     bool
	fields     []accField
}

// groupByExpr parses groupBy: a $-prefixed path or an expression object.
func groupByExpr(stage string, v any, sc *exprScope) (evalFn, error) {
	s, isStr := v.(string)
	d, isDoc := v.(Doc)
	if !(isStr && strings.HasPrefix(s, "$") || isDoc && len(d) > 0 && strings.HasPrefix(d[0].Key, "$")) {
		return nil, Errorf(CodeInvalidParam, "%s: groupBy must be a $-prefixed path or an expression object", stage)
	}
	return sc.parseExpr(v)
}

func parseBucket(arg any, sc *exprScope) (*bucketStage, error) {
	d, ok := arg.(Doc)
	if !ok {
		return nil, Errorf(CodeInvalidParam, "$bucket takes a document: {groupBy, boundaries, default, output}")
	}
	b := &bucketStage{}
	var output Doc
	hasOutput := false
	for _, f := range d {
		var err error
		switch f.Key {
		case "groupBy":
			b.groupBy, err = groupByExpr("$bucket", f.Value, sc)
		case "boundaries":
			b.boundaries, err = bucketBoundaries(f.Value)
		case "default":
			if !isConstant(f.Value) {
				return nil, Errorf(CodeInvalidParam, "$bucket: default must be a constant")
			}
			if err := checkValue(f.Value); err != nil {
				return nil, err
			}
			b.def, b.hasDef = f.Value, true
		case "output":
			if output, ok = f.Value.(Doc); !ok {
				return nil, Errorf(CodeInvalidParam, "$bucket: output must be a document of accumulators")
			}
			hasOutput = true
		default:
			return nil, Errorf(CodeInvalidParam, "$bucket found an unknown option: %.64s", f.Key)
		}
		if err != nil {
			return nil, err
		}
	}
	if b.groupBy == nil || b.boundaries == nil {
		return nil, Errorf(CodeInvalidParam, "$bucket requires groupBy and boundaries")
	}
	if b.hasDef {
		lo, hi := b.boundaries[0], b.boundaries[len(b.boundaries)-1]
		if TypeRank(b.def) == TypeRank(lo) && Compare(b.def, lo) >= 0 && Compare(b.def, hi) < 0 {
			return nil, Errorf(CodeInvalidParam, "$bucket: the default must be less than the lowest boundary or greater than or equal to the highest")
		}
	}
	var err error
	if hasOutput {
		b.fields, err = parseAccFields("$bucket", output, sc)
	} else {
		b.fields = []accField{{"count", "$sum", constant(int64(1))}}
	}
	return b, err
}

// bucketBoundaries checks $bucket's boundaries: at least two constant
// values of one type, in strictly ascending order.
func bucketBoundaries(v any) ([]any, error) {
	list, ok := v.([]any)
	if !ok || len(list) < 2 {
		return nil, Errorf(CodeInvalidParam, "$bucket: boundaries must be an array of at least two values")
	}
	for i, e := range list {
		if !isConstant(e) || checkValue(e) != nil || e == nil {
			return nil, Errorf(CodeInvalidParam, "$bucket: boundaries must be constant values other than null")
		}
		if i == 0 {
			continue
		}
		if TypeRank(e) != TypeRank(list[0]) {
			return nil, Errorf(CodeInvalidParam, "$bucket: all boundaries must be of the same type")
		}
		if Compare(list[i-1], e) >= 0 {
			return nil, Errorf(CodeInvalidParam, "$bucket: boundaries must be in strictly ascending order")
		}
	}
	return list, nil
}

func (b *bucketStage) open(x *aggRun, in docIter) docIter {
	return collectedIter(func() ([]Doc, error) { return b.collect(x, in) })
}

func (b *bucketStage) collect(x *aggRun, in docIter) ([]Doc, error) {
	gs := newGroups("$bucket", b.fields)
	last := len(b.boundaries) - 1
	err := x.drain(in, func(d Doc) error {
		v, err := x.eval(b.groupBy, d)
		if err != nil {
			return err
		}
		v = plainValue(v)
		var id any
		if Compare(v, b.boundaries[0]) >= 0 && Compare(v, b.boundaries[last]) < 0 {
			i, _ := slices.BinarySearchFunc(b.boundaries, v, func(e, t any) int { return Compare(e, t) })
			if i > last || Compare(b.boundaries[i], v) > 0 {
				i--
			}
			id = b.boundaries[i]
		} else if b.hasDef {
			id = b.def
		} else {
			return Errorf(CodeInvalidOperator, "$bucket could not find a matching branch for an input, and no default was specified")
		}
		return gs.add(x, id, d)
	})
	if err != nil {
		return nil, err
	}
	out := make([]Doc, len(gs.order))
	for i, g := range gs.order {
		out[i] = gs.doc(g)
	}
	slices.SortStableFunc(out, func(a, b Doc) int { return Compare(a[0].Value, b[0].Value) })
	return out, nil
}
