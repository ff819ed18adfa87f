package db

import (
	"math"
	"regexp"
	"strings"
)

// parseOps parses a document of field operators ({$gt: 1, $lt: 5}) on path
// into one node per operator; $regex and $options together give one node.
// path is "" inside the value form of $elemMatch.
func (p *filterParser) parseOps(path string, ops Doc) ([]*Node, error) {
	var nodes []*Node
	regexDone, geoDone := false, false
	for _, f := range ops {
		if !strings.HasPrefix(f.Key, "$") {
			return nil, Errorf(CodeInvalidOperator, "cannot mix operators and field names in the condition on %q (found %q)", path, f.Key)
		}
		if geoOperator(f.Key) {
			if geoDone {
				continue
			}
			geoDone = true
			if path == "" {
				return nil, Errorf(CodeInvalidOperator, "%s needs a field: use $elemMatch with a document of fields", f.Key)
			}
			ns, err := p.parseGeoOps(path, ops)
			if err != nil {
				return nil, err
			}
			nodes = append(nodes, ns...)
			continue
		}
		if f.Key == "$regex" || f.Key == "$options" {
			if regexDone {
				continue
			}
			regexDone = true
			n, err := p.parseRegexOp(path, ops)
			if err != nil {
				return nil, err
			}
			nodes = append(nodes, n)
			continue
		}
		n, err := p.parseOp(path, f.Key, f.Value)
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, n)
	}
	return nodes, nil
}

// parseOp parses one field operator other than $regex/$options.
func (p *filterParser) parseOp(path, op string, v any) (*Node, error) {
	switch op {
	case "$eq":
		return p.valueNode(OpEq, path, v)
	case "$ne":
		return p.valueNode(OpNe, path, v)
	case "$gt", "$gte", "$lt", "$lte":
		return p.parseCompare(path, op, v)
	case "$in":
		return p.parseList(OpIn, path, op, v)
	case "$nin":
		return p.parseList(OpNin, path, op, v)
	case "$all":
		return p.parseAll(path, v)
	case "$exists":
		return p.add(&Node{Op: OpExists, Path: path, Value: truthy(v)})
	case "$mod":
		return p.parseMod(path, v)
	case "$size":
		return p.parseSize(path, v)
	case "$elemMatch":
		return p.parseElemMatch(path, v)
	case "$not":
		return p.parseNot(path, v)
	}
	return nil, unknownOperator(op)
}

func (p *filterParser) parseCompare(path, op string, v any) (*Node, error) {
	if _, ok := v.(Regex); ok {
		return nil, Errorf(CodeInvalidOperator, "%s cannot take a regular expression", op)
	}
	kind := OpGt
	switch op {
	case "$gte":
		kind = OpGte
	case "$lt":
		kind = OpLt
	case "$lte":
		kind = OpLte
	}
	return p.valueNode(kind, path, v)
}

// parseList parses the array of $in or $nin.
func (p *filterParser) parseList(kind Op, path, op string, v any) (*Node, error) {
	arr, ok := v.([]any)
	if !ok {
		return nil, Errorf(CodeInvalidOperator, "%s needs an array", op)
	}
	if len(arr) > MaxFilterList {
		return nil, Errorf(CodeInvalidParam, "%s has more than %d values", op, MaxFilterList)
	}
	regexes, err := listRegexes(op, arr)
	if err != nil {
		return nil, err
	}
	return p.add(&Node{Op: kind, Path: path, Value: arr, Regexes: regexes})
}

// listRegexes checks the values of $in, $nin or $all and compiles their
// regular expressions (nil when there are none).
func listRegexes(op string, arr []any) ([]*regexp.Regexp, error) {
	var out []*regexp.Regexp
	for i, e := range arr {
		if d, ok := e.(Doc); ok && isOperatorDoc(d) {
			return nil, Errorf(CodeInvalidOperator, "%s cannot contain operators (found %s)", op, d[0].Key)
		}
		if err := checkValue(e); err != nil {
			return nil, err
		}
		r, ok := e.(Regex)
		if !ok {
			continue
		}
		re, err := compileRegex(r)
		if err != nil {
			return nil, err
		}
		if out == nil {
			out = make([]*regexp.Regexp, len(arr))
		}
		out[i] = re
	}
	return out, nil
}

// truthy is MongoDB's truthiness for $exists: false, 0 and null are false.
func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case int64:
		return x != 0
	case float64:
		return x != 0
	}
	return true
}

// parseMod parses [divisor, remainder], truncating both toward zero.
func (p *filterParser) parseMod(path string, v any) (*Node, error) {
	arr, ok := v.([]any)
	if !ok || len(arr) != 2 {
		return nil, Errorf(CodeInvalidOperator, "$mod needs an array of two numbers [divisor, remainder]")
	}
	var nums [2]int64
	for i, e := range arr {
		n, ok := truncInt(e)
		if !ok {
			return nil, Errorf(CodeInvalidOperator, "$mod needs an array of two numbers [divisor, remainder]")
		}
		nums[i] = n
	}
	if nums[0] == 0 {
		return nil, Errorf(CodeInvalidOperator, "$mod divisor cannot be 0")
	}
	return p.add(&Node{Op: OpMod, Path: path, Value: []any{nums[0], nums[1]}})
}

// truncInt returns a finite number truncated toward zero, saturated to the
// int64 range.
func truncInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case float64:
		switch {
		case math.IsNaN(x) || math.IsInf(x, 0):
			return 0, false
		case x >= 0x1p63:
			return math.MaxInt64, true
		case x < -0x1p63:
			return math.MinInt64, true
		}
		return int64(x), true
	}
	return 0, false
}

func (p *filterParser) parseSize(path string, v any) (*Node, error) {
	var n int64
	switch x := v.(type) {
	case int64:
		n = x
	case float64:
		if x != math.Trunc(x) || math.Abs(x) > 1<<53 {
			return nil, Errorf(CodeInvalidOperator, "$size needs a non-negative integer")
		}
		n = int64(x)
	default:
		return nil, Errorf(CodeInvalidOperator, "$size needs a non-negative integer")
	}
	if n < 0 {
		return nil, Errorf(CodeInvalidOperator, "$size needs a non-negative integer")
	}
	return p.add(&Node{Op: OpSize, Path: path, Value: n})
}

// parseAll parses $all: plain values (each must match, as with equality or
// a regular expression), or $elemMatch documents (each must match).
func (p *filterParser) parseAll(path string, v any) (*Node, error) {
	arr, ok := v.([]any)
	if !ok {
		return nil, Errorf(CodeInvalidOperator, "$all needs an array")
	}
	if len(arr) > MaxFilterList {
		return nil, Errorf(CodeInvalidParam, "$all has more than %d values", MaxFilterList)
	}
	if len(arr) > 0 && isElemMatchDoc(arr[0]) {
		return p.parseAllElemMatch(path, arr)
	}
	regexes, err := listRegexes("$all", arr)
	if err != nil {
		return nil, err
	}
	n := &Node{Op: OpAll, Path: path, Value: arr, Regexes: regexes}
	for i, e := range arr {
		op := OpEq
		if regexes != nil && regexes[i] != nil {
			op = OpRegex
		}
		// Terms are an evaluation detail: they do not count as nodes.
		t := &Node{Op: op, Path: path, Value: e}
		t.segs, t.index = pathSegs(path)
		if op == OpRegex {
			t.Regex = regexes[i]
		}
		n.terms = append(n.terms, t)
	}
	return p.add(n)
}

func isElemMatchDoc(v any) bool {
	d, ok := v.(Doc)
	return ok && len(d) == 1 && d[0].Key == "$elemMatch"
}

func (p *filterParser) parseAllElemMatch(path string, arr []any) (*Node, error) {
	n := &Node{Op: OpAll, Path: path}
	for _, e := range arr {
		if !isElemMatchDoc(e) {
			return nil, Errorf(CodeInvalidOperator, "$all cannot mix $elemMatch documents and other values")
		}
		c, err := p.parseElemMatch(path, e.(Doc)[0].Value)
		if err != nil {
			return nil, err
		}
		n.Children = append(n.Children, c)
	}
	return p.add(n)
}

// parseElemMatch parses the value form ({$gte: 80}, or a regular
// expression) or the object form ({product: "x"}) of $elemMatch.
func (p *filterParser) parseElemMatch(path string, v any) (*Node, error) {
	n := &Node{Op: OpElemMatch, Path: path}
	var err error
	switch x := v.(type) {
	case Regex:
		var c *Node
		c, err = p.regexNode(OpRegex, "", x)
		n.Children = []*Node{c}
	case Doc:
		if isOperatorDoc(x) && !isLogical(x[0].Key) {
			n.Children, err = p.parseOps("", x)
		} else {
			n.Children, err = p.parseConds(x)
		}
	default:
		return nil, Errorf(CodeInvalidOperator, "$elemMatch needs a document")
	}
	if err != nil {
		return nil, err
	}
	return p.add(n)
}

func isLogical(op string) bool { return op == "$and" || op == "$or" || op == "$nor" }

// parseNot parses $not: a regular expression or a document of operators,
// whose conditions are negated together.
func (p *filterParser) parseNot(path string, v any) (*Node, error) {
	n := &Node{Op: OpNot, Path: path}
	switch x := v.(type) {
	case Regex:
		c, err := p.regexNode(OpRegex, path, x)
		if err != nil {
			return nil, err
		}
		n.Children = []*Node{c}
	case Doc:
		if !isOperatorDoc(x) {
			return nil, Errorf(CodeInvalidOperator, "$not needs a regular expression or a non-empty document of operators")
		}
		cs, err := p.parseOps(path, x)
		if err != nil {
			return nil, err
		}
		n.Children = cs
	default:
		return nil, Errorf(CodeInvalidOperator, "$not needs a regular expression or a non-empty document of operators")
	}
	return p.add(n)
}

// parseRegexOp parses the $regex and $options of ops (in either order) into
// one OpRegex node.
func (p *filterParser) parseRegexOp(path string, ops Doc) (*Node, error) {
	rv, hasRegex := ops.Get("$regex")
	ov, hasOptions := ops.Get("$options")
	if !hasRegex {
		return nil, Errorf(CodeInvalidOperator, "$options needs a $regex")
	}
	var r Regex
	switch x := rv.(type) {
	case string:
		r.Pattern = x
	case Regex:
		r = x
	default:
		return nil, Errorf(CodeInvalidOperator, "$regex needs a string or a regular expression")
	}
	if hasOptions {
		o, ok := ov.(string)
		if !ok {
			return nil, Errorf(CodeInvalidOperator, "$options needs a string")
		}
		if r.Options != "" && o != "" {
			return nil, Errorf(CodeInvalidOperator, "options set in both $regex and $options")
		}
		if o != "" {
			r.Options = o
		}
	}
	return p.regexNode(OpRegex, path, r)
}
