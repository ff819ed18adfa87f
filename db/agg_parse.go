package db

import (
	"strings"
	"time"
)

// Limits on a pipeline.
const (
	// MaxPipelineStages bounds the stages of a pipeline, counting those of
	// $lookup and $facet sub-pipelines.
	MaxPipelineStages = 100
	// MaxPipelineDepth bounds how deep sub-pipelines nest.
	MaxPipelineDepth = 8
)

// Pipeline is a parsed aggregation pipeline (ParsePipeline).
type Pipeline struct {
	stages []stage
	scope  *exprScope
	// lookups are its $lookup stages, at any depth.
	lookups []*lookupStage
}

// stage is one parsed stage. deps are the top-level fields of its input
// documents it reads; whole says its output is built from deps alone (it
// does not pass its input's other fields on).
type stage struct {
	name string
	deps *fieldDeps
	// whole: the stage's output documents depend only on deps.
	whole bool
	// op is the stage itself: one of the *…Stage types (agg_stages.go,
	// agg_project.go, agg_group.go, agg_bucketauto.go, agg_lookup.go).
	op stageOp
}

// pipeParser parses one pipeline and its sub-pipelines.
type pipeParser struct {
	now     time.Time
	stages  int // so far, at every depth
	lookups *[]*lookupStage
}

// ParsePipeline parses an aggregation pipeline: an array of stage
// documents ({$match: …}, {$group: …}, …), as MongoDB's manual describes
// them. now is $$NOW. Errors are INVALID_PARAM for bad shapes and
// limits, DATABASE_INVALID_OPERRATOR for unknown or misused stages and
// operators.
func ParsePipeline(v any, now time.Time) (*Pipeline, error) {
	var lookups []*lookupStage
	p := &pipeParser{now: now, lookups: &lookups}
	pl, err := p.parse(v, newScope(now), 0, false)
	if err != nil {
		return nil, err
	}
	pl.lookups = lookups
	return pl, nil
}

// parse parses a pipeline in scope sc at depth (0 for the top);
// inFacet says it is a $facet's.
func (p *pipeParser) parse(v any, sc *exprScope, depth int, inFacet bool) (*Pipeline, error) {
	if depth > MaxPipelineDepth {
		return nil, Errorf(CodeInvalidParam, "sub-pipelines nest deeper than %d levels", MaxPipelineDepth)
	}
	list, ok := v.([]any)
	if !ok {
		return nil, Errorf(CodeInvalidParam, "pipeline must be an array of stages")
	}
	pl := &Pipeline{scope: sc}
	for i, e := range list {
		if p.stages++; p.stages > MaxPipelineStages {
			return nil, Errorf(CodeInvalidParam, "pipeline has more than %d stages", MaxPipelineStages)
		}
		d, ok := e.(Doc)
		if !ok || len(d) != 1 {
			return nil, Errorf(CodeInvalidParam, "a pipeline stage must be an object with exactly one field, the stage's name (stage %d)", i)
		}
		name, arg := d[0].Key, d[0].Value
		if name == "$geoNear" && i > 0 {
			return nil, Errorf(CodeInvalidOperator, "$geoNear is only valid as the first stage in a pipeline")
		}
		if name == "$geoNear" && depth > 0 && !inFacet {
			return nil, Errorf(CodeInvalidOperator, "$geoNear is not supported in a $lookup pipeline: start the aggregation with it instead")
		}
		if inFacet && (name == "$facet" || name == "$geoNear") {
			return nil, Errorf(CodeInvalidOperator, "%s is not allowed inside a $facet", name)
		}
		deps := &fieldDeps{}
		sc.deps = deps
		st, err := p.parseStage(name, arg, sc, depth)
		if err != nil {
			return nil, err
		}
		for i := range st {
			st[i].deps = deps
		}
		pl.stages = append(pl.stages, st...)
	}
	coalesce(pl.stages)
	return pl, nil
}

// parseStage parses one stage; some stages are two ($sortByCount is
// $group then $sort).
func (p *pipeParser) parseStage(name string, arg any, sc *exprScope, depth int) ([]stage, error) {
	one := func(op stageOp, whole bool, err error) ([]stage, error) {
		if err != nil {
			return nil, err
		}
		return []stage{{name: name, whole: whole, op: op}}, nil
	}
	switch name {
	case "$match":
		op, err := parseMatchStage(arg, sc)
		return one(op, false, err)
	case "$project":
		op, err := parseProjectStage(arg, sc)
		return one(op, op != nil && op.mode == projInclude, err)
	case "$addFields", "$set":
		op, err := parseAddFields(name, arg, sc)
		return one(op, false, err)
	case "$unset":
		op, err := parseUnset(arg)
		return one(op, false, err)
	case "$replaceRoot", "$replaceWith":
		op, err := parseReplaceRoot(name, arg, sc)
		return one(op, true, err)
	case "$group":
		op, err := parseGroup(arg, sc)
		return one(op, true, err)
	case "$sortByCount":
		return parseSortByCount(arg, sc)
	case "$count":
		op, err := parseCount(arg)
		return one(op, true, err)
	case "$bucket":
		op, err := parseBucket(arg, sc)
		return one(op, true, err)
	case "$bucketAuto":
		op, err := parseBucketAuto(arg, sc)
		return one(op, true, err)
	case "$sort":
		op, err := parseSortStage(arg, sc)
		return one(op, false, err)
	case "$skip", "$limit":
		op, err := parseSkipLimit(name, arg)
		return one(op, false, err)
	case "$sample":
		op, err := parseSample(arg)
		return one(op, false, err)
	case "$unwind":
		op, err := parseUnwind(arg, sc)
		return one(op, false, err)
	case "$lookup":
		op, err := p.parseLookup(arg, sc, depth)
		return one(op, false, err)
	case "$facet":
		op, err := p.parseFacet(arg, sc, depth)
		return one(op, true, err)
	case "$geoNear":
		op, err := parseGeoNear(arg, sc)
		return one(op, false, err)
	case "$out", "$merge":
		return nil, Errorf(CodeInvalidOperator, "%s is not supported: an aggregation does not write; insert its results instead", name)
	case "$graphLookup", "$unionWith", "$redact", "$setWindowFields", "$densify", "$fill", "$collStats",
		"$indexStats", "$planCacheStats", "$search", "$searchMeta", "$changeStream", "$currentOp", "$listSessions":
		return nil, Errorf(CodeInvalidOperator, "the %s stage is not supported", name)
	}
	if !strings.HasPrefix(name, "$") {
		return nil, Errorf(CodeInvalidParam, "a pipeline stage's name must start with $, found %.64q", name)
	}
	return nil, Errorf(CodeInvalidOperator, "unrecognized pipeline stage name: %.64q", name)
}

// outputField checks the name of a field a stage creates ($count's,
// $lookup's as, $unwind's includeArrayIndex).
func outputField(stage, what string, v any) (string, error) {
	s, ok := v.(string)
	switch {
	case !ok || s == "":
		return "", Errorf(CodeInvalidParam, "%s: %s must be a non-empty string", stage, what)
	case strings.HasPrefix(s, "$"):
		return "", Errorf(CodeInvalidParam, "%s: %s must not start with $", stage, what)
	case strings.ContainsRune(s, 0):
		return "", Errorf(CodeInvalidParam, "%s: %s must not contain a null byte", stage, what)
	}
	if fieldSegs(s) == nil {
		return "", Errorf(CodeInvalidParam, "%s: %s %.64q is not a valid field path", stage, what, s)
	}
	return s, nil
}

// nonNegative reads a stage's count: a non-negative integer.
func nonNegative(stage string, v any, positive bool) (int64, error) {
	n, ok := wholeNumber(v)
	if !ok || n < 0 || positive && n == 0 {
		kind := "non-negative"
		if positive {
			kind = "positive"
		}
		return 0, Errorf(CodeInvalidParam, "%s must be a %s integer", stage, kind)
	}
	return n, nil
}
