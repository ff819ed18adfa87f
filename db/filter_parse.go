package db

import (
	"math"
	"regexp"
	"strings"
	"time"
)

// Limits on a query document, on top of DecodeJSON's nesting limit.
const (
	// MaxFilterNodes bounds the nodes of a parsed filter (conditions and
	// logical operators together).
	MaxFilterNodes = 1000
	// MaxFilterList bounds the values of one $in, $nin or $all.
	MaxFilterList = 10000
	// MaxRegexLen bounds a regular expression pattern, in bytes.
	MaxRegexLen = 1024
	// MaxPathLen bounds a field path, in bytes.
	MaxPathLen = 1024
)

// filterParser builds a Filter's nodes and counts them against MaxFilterNodes.
type filterParser struct {
	nodes int
	// scope is the expression scope of $expr: a pipeline's (its $$NOW and
	// $lookup's variables), or nil for a fresh one.
	scope *exprScope
}

func (p *filterParser) add(n *Node) (*Node, error) {
	p.nodes++
	if p.nodes > MaxFilterNodes {
		return nil, Errorf(CodeInvalidParam, "query has more than %d conditions", MaxFilterNodes)
	}
	n.segs, n.index = pathSegs(n.Path)
	return n, nil
}

// pathSegs splits a node's path and parses the segments that are array
// indexes (-1 for the others) once, so that matching does not. Path "" (the
// element itself) has no segments.
func pathSegs(path string) ([]string, []int) {
	if path == "" {
		return nil, nil
	}
	segs := Segments(path)
	index := make([]int, len(segs))
	for i, s := range segs {
		index[i] = -1
		if k, ok := ArrayIndex(s); ok {
			index[i] = k
		}
	}
	return segs, index
}

// parseDoc parses a query document into one node: OpTrue when it is empty,
// its only condition, or OpAnd of its conditions.
func (p *filterParser) parseDoc(d Doc) (*Node, error) {
	conds, err := p.parseConds(d)
	if err != nil {
		return nil, err
	}
	switch len(conds) {
	case 0:
		return p.add(&Node{Op: OpTrue})
	case 1:
		return conds[0], nil
	}
	return p.add(&Node{Op: OpAnd, Children: conds})
}

// parseConds parses the conditions of a query document, one node per
// condition ({a: {$gt: 1, $lt: 5}} gives two).
func (p *filterParser) parseConds(d Doc) ([]*Node, error) {
	var conds []*Node
	for _, f := range d {
		if f.Key == "$expr" {
			n, err := p.parseExpr(f.Value)
			if err != nil {
				return nil, err
			}
			conds = append(conds, n)
			continue
		}
		if strings.HasPrefix(f.Key, "$") {
			n, err := p.parseLogical(f.Key, f.Value)
			if err != nil {
				return nil, err
			}
			conds = append(conds, n)
			continue
		}
		nodes, err := p.parseField(f.Key, f.Value)
		if err != nil {
			return nil, err
		}
		conds = append(conds, nodes...)
	}
	return conds, nil
}

func (p *filterParser) parseLogical(op string, v any) (*Node, error) {
	var kind Op
	switch op {
	case "$and":
		kind = OpAnd
	case "$or":
		kind = OpOr
	case "$nor":
		kind = OpNor
	default:
		return nil, unknownOperator(op)
	}
	arr, ok := v.([]any)
	if !ok || len(arr) == 0 {
		return nil, Errorf(CodeInvalidOperator, "%s needs a non-empty array of documents", op)
	}
	if len(arr) > MaxFilterNodes {
		return nil, Errorf(CodeInvalidParam, "query has more than %d conditions", MaxFilterNodes)
	}
	n := &Node{Op: kind, Children: make([]*Node, 0, len(arr))}
	for _, e := range arr {
		d, ok := e.(Doc)
		if !ok {
			return nil, Errorf(CodeInvalidOperator, "%s needs a non-empty array of documents", op)
		}
		c, err := p.parseDoc(d)
		if err != nil {
			return nil, err
		}
		n.Children = append(n.Children, c)
	}
	return p.add(n)
}

// parseExpr parses {$expr: expression}.
func (p *filterParser) parseExpr(v any) (*Node, error) {
	if p.scope == nil {
		p.scope = newScope(time.Now().UTC())
	}
	fn, err := p.scope.parseExpr(v)
	if err != nil {
		return nil, err
	}
	return p.add(&Node{Op: OpExpr, Value: v, expr: &Expr{fn: fn, scope: p.scope}})
}

// parseField parses the condition on one field: a value to equal, a regular
// expression, or a document of operators.
func (p *filterParser) parseField(path string, v any) ([]*Node, error) {
	if err := checkPath(path); err != nil {
		return nil, err
	}
	switch x := v.(type) {
	case Regex:
		n, err := p.regexNode(OpRegex, path, x)
		if err != nil {
			return nil, err
		}
		return []*Node{n}, nil
	case Doc:
		if isOperatorDoc(x) {
			return p.parseOps(path, x)
		}
		for _, f := range x {
			if strings.HasPrefix(f.Key, "$") {
				return nil, Errorf(CodeInvalidOperator, "cannot mix operators and field names in the condition on %q (found %q)", path, f.Key)
			}
		}
	}
	n, err := p.valueNode(OpEq, path, v)
	if err != nil {
		return nil, err
	}
	return []*Node{n}, nil
}

// isOperatorDoc reports whether d's first key is an operator ("$…").
func isOperatorDoc(d Doc) bool {
	return len(d) > 0 && strings.HasPrefix(d[0].Key, "$")
}

// checkPath enforces the shape of a field path.
func checkPath(path string) error {
	if len(path) > MaxPathLen {
		return Errorf(CodeInvalidParam, "field path longer than %d bytes", MaxPathLen)
	}
	if strings.Count(path, ".") >= MaxPathDepth {
		return Errorf(CodeInvalidParam, "field path %.40q has more than %d segments", path, MaxPathDepth)
	}
	for seg := range strings.SplitSeq(path, ".") {
		if seg == "" {
			return Errorf(CodeInvalidParam, "invalid field path %q: empty segment", path)
		}
		if seg[0] == '$' {
			return Errorf(CodeInvalidParam, "invalid field path %q: segment %q starts with $", path, seg)
		}
	}
	return nil
}

// checkValue rejects values outside the document value model (see the
// package comment), such as a $serverDate placeholder, anywhere inside v.
func checkValue(v any) error {
	switch x := v.(type) {
	case nil, bool, int64, string, time.Time, Regex:
		return nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return Errorf(CodeInvalidParam, "query values must be finite numbers")
		}
		return nil
	case Doc:
		for _, f := range x {
			if err := checkValue(f.Value); err != nil {
				return err
			}
		}
		return nil
	case []any:
		for _, e := range x {
			if err := checkValue(e); err != nil {
				return err
			}
		}
		return nil
	case ServerDate:
		return Errorf(CodeInvalidParam, "serverDate cannot be used in a query")
	}
	return Errorf(CodeInvalidParam, "unsupported value of type %T in query", v)
}

// valueNode builds a field node that compares with v.
func (p *filterParser) valueNode(op Op, path string, v any) (*Node, error) {
	if err := checkValue(v); err != nil {
		return nil, err
	}
	if r, ok := v.(Regex); ok {
		return p.regexNode(op, path, r)
	}
	return p.add(&Node{Op: op, Path: path, Value: v})
}

func (p *filterParser) regexNode(op Op, path string, r Regex) (*Node, error) {
	re, err := compileRegex(r)
	if err != nil {
		return nil, err
	}
	return p.add(&Node{Op: op, Path: path, Value: r, Regex: re})
}

// compileRegex compiles a MongoDB regular expression with Go's RE2 syntax.
func compileRegex(r Regex) (*regexp.Regexp, error) {
	if len(r.Pattern) > MaxRegexLen {
		return nil, Errorf(CodeInvalidParam, "$regex pattern longer than %d bytes", MaxRegexLen)
	}
	flags := ""
	for _, c := range r.Options {
		if c != 'i' && c != 'm' && c != 's' {
			return nil, Errorf(CodeInvalidOperator, "invalid $options flag %q: allowed are i, m and s", c)
		}
		if !strings.ContainsRune(flags, c) {
			flags += string(c)
		}
	}
	expr := r.Pattern
	if flags != "" {
		expr = "(?" + flags + ")" + expr
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, Errorf(CodeInvalidOperator, "invalid $regex %q: %v", r.Pattern, err)
	}
	return re, nil
}

func unknownOperator(op string) error {
	return Errorf(CodeInvalidOperator, "unknown operator: %.64s", op)
}
