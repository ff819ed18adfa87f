package db

import (
	"math"
	"slices"
	"strings"
)

// MaxUpdatePaths bounds the number of paths an update document may touch.
const MaxUpdatePaths = 1000

// ParseUpdate parses an update document made of update operators: $set
// $unset $inc $mul $min $max $rename $push (with $each $position $sort
// $slice) $pop $addToSet (with $each, or "each" as CloudBase's SDK sends)
// $pull $pullAll $bit (and, or, xor). Paths may hold one positional "$" segment. Errors
// (*Error): INVALID_PARAM for a bad shape (empty update, a key that is not
// an operator, conflicting paths, a change of _id other than $set, a bad
// path); DATABASE_INVALID_OPERRATOR for an unknown operator or a bad operand
// or modifier.
func ParseUpdate(v any) (*Update, error) {
	d, ok := v.(Doc)
	if !ok || len(d) == 0 {
		return nil, Errorf(CodeInvalidParam, "update must be a non-empty document of update operators")
	}
	u := &Update{}
	for _, f := range d {
		if !strings.HasPrefix(f.Key, "$") {
			return nil, Errorf(CodeInvalidParam, "update must contain only update operators such as $set, got %q", f.Key)
		}
		if !knownOp(f.Key) {
			return nil, Errorf(CodeInvalidOperator, "unknown update operator: %s", f.Key)
		}
		args, ok := f.Value.(Doc)
		if !ok {
			return nil, Errorf(CodeInvalidOperator, "%s must be a document of {path: value}", f.Key)
		}
		for _, a := range args {
			op, err := parseUpdateOp(f.Key, a.Key, a.Value)
			if err != nil {
				return nil, err
			}
			u.ops = append(u.ops, op)
		}
	}
	if len(u.ops) > MaxUpdatePaths {
		return nil, Errorf(CodeInvalidParam, "update touches more than %d paths", MaxUpdatePaths)
	}
	if err := checkConflicts(u.ops); err != nil {
		return nil, err
	}
	slices.SortStableFunc(u.ops, func(a, b *updateOp) int { return comparePaths(a.segs, b.segs) })
	return u, nil
}

func parseUpdateOp(name, path string, val any) (*updateOp, error) {
	op := &updateOp{name: name, path: path, value: val, dollar: -1}
	if err := op.parsePath(); err != nil {
		return nil, err
	}
	switch name {
	case "$set", "$unset":
	case "$inc", "$mul":
		if !IsNumber(val) {
			return nil, Errorf(CodeInvalidOperator, "%s of '%s' needs a number, got %s", name, path, fieldType(val))
		}
	case "$min", "$max":
	case "$bit":
		return op, op.parseBit()
	case "$rename":
		return op, op.parseRename()
	case "$push":
		return op, op.parsePush()
	case "$addToSet":
		return op, op.parseAddToSet()
	case "$pop":
		return op, op.parsePop()
	case "$pull":
		m, err := newElemMatcher(val)
		op.pull = m
		return op, err
	case "$pullAll":
		arr, ok := val.([]any)
		if !ok {
			return nil, Errorf(CodeInvalidOperator, "$pullAll of '%s' needs an array, got %s", path, fieldType(val))
		}
		op.each = arr
	}
	return op, nil
}

func knownOp(name string) bool {
	switch name {
	case "$set", "$unset", "$inc", "$mul", "$min", "$max", "$bit", "$rename",
		"$push", "$addToSet", "$pop", "$pull", "$pullAll":
		return true
	}
	return false
}

// parsePath splits op.path and checks its segments and any use of _id.
func (op *updateOp) parsePath() error {
	segs, err := updatePath(op.path)
	if err != nil {
		return err
	}
	op.segs = segs
	for i, s := range segs {
		switch {
		case s == "$" && i == 0:
			return Errorf(CodeInvalidParam, "the positional operator must follow an array field in '%s'", op.path)
		case s == "$" && op.dollar >= 0:
			return Errorf(CodeInvalidParam, "too many positional ($) elements in '%s'", op.path)
		case s == "$":
			op.dollar = i
		case strings.HasPrefix(s, "$["):
			return Errorf(CodeInvalidOperator, "the all/filtered positional operator is not supported: '%s'", op.path)
		}
	}
	if segs[0] == "_id" && (op.name != "$set" || len(segs) > 1) {
		return Errorf(CodeInvalidParam, "cannot modify _id")
	}
	return nil
}

// updatePath splits an update path, rejecting empty and too many segments.
func updatePath(path string) ([]string, error) {
	segs := Segments(path)
	if len(segs) > MaxPathDepth {
		return nil, Errorf(CodeInvalidParam, "path '%.64s…' has more than %d segments", path, MaxPathDepth)
	}
	if slices.Contains(segs, "") {
		return nil, Errorf(CodeInvalidParam, "path '%s' has an empty field name", path)
	}
	return segs, nil
}

func (op *updateOp) parseRename() error {
	to, ok := op.value.(string)
	if !ok {
		return Errorf(CodeInvalidOperator, "$rename of '%s' needs a string destination, got %s", op.path, fieldType(op.value))
	}
	segs, err := updatePath(to)
	if err != nil {
		return err
	}
	switch {
	case op.dollar >= 0 || slices.Contains(segs, "$"):
		return Errorf(CodeInvalidParam, "$rename may not use the positional operator: '%s'", op.path)
	case segs[0] == "_id":
		return Errorf(CodeInvalidParam, "cannot modify _id")
	case to == op.path:
		return Errorf(CodeInvalidParam, "$rename source and destination must differ: '%s'", to)
	}
	op.to = segs
	return nil
}

func (op *updateOp) parsePop() error {
	n, ok := integer(op.value)
	if !ok || (n != 1 && n != -1) {
		return Errorf(CodeInvalidOperator, "$pop of '%s' expects 1 or -1, got %s", op.path, MarshalJSON(op.value))
	}
	op.popLast = n == 1
	return nil
}

// checkConflicts rejects two operations on the same path or on a path and
// one of its prefixes ($rename destinations included).
func checkConflicts(ops []*updateOp) error {
	var all [][]string
	for _, op := range ops {
		all = append(all, op.segs)
		if op.to != nil {
			all = append(all, op.to)
		}
	}
	for i, a := range all {
		for _, b := range all[:i] {
			n := min(len(a), len(b))
			if slices.Equal(a[:n], b[:n]) {
				return Errorf(CodeInvalidParam, "Updating the path '%s' would create a conflict at '%s'",
					strings.Join(a, "."), strings.Join(a[:n], "."))
			}
		}
	}
	return nil
}

// comparePaths orders paths segment by segment: numeric names numerically
// before other names, which compare bytewise.
func comparePaths(a, b []string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		x, xNum := ArrayIndex(a[i])
		y, yNum := ArrayIndex(b[i])
		var c int
		switch {
		case xNum && yNum:
			c = cmpInt(x, y)
		case xNum:
			c = -1
		case yNum:
			c = 1
		default:
			c = strings.Compare(a[i], b[i])
		}
		if c != 0 {
			return c
		}
	}
	return cmpInt(len(a), len(b))
}

// integer returns v as an int when it is an integral number in int range.
func integer(v any) (int, bool) {
	switch x := v.(type) {
	case int64:
		if x >= math.MinInt32 && x <= math.MaxInt32 {
			return int(x), true
		}
	case float64:
		if x == math.Trunc(x) && x >= math.MinInt32 && x <= math.MaxInt32 {
			return int(x), true
		}
	}
	return 0, false
}

// fieldType names v's type the way messages to clients do.
func fieldType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "bool"
	case int64, float64:
		return "number"
	case string:
		return "string"
	case Doc:
		return "object"
	case []any:
		return "array"
	}
	switch TypeRank(v) {
	case rankDate:
		return "date"
	case rankRegex:
		return "regex"
	}
	return "serverDate"
}

// parseBit checks {and|or|xor: integer, …}, applied in the order given.
func (op *updateOp) parseBit() error {
	d, ok := op.value.(Doc)
	if !ok || len(d) == 0 {
		return Errorf(CodeInvalidOperator, "$bit of '%s' needs {and|or|xor: integer}", op.path)
	}
	for _, f := range d {
		if _, isInt := f.Value.(int64); !isInt || (f.Key != "and" && f.Key != "or" && f.Key != "xor") {
			return Errorf(CodeInvalidOperator, "$bit of '%s' needs {and|or|xor: integer}, got %q", op.path, f.Key)
		}
	}
	return nil
}
