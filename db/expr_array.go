package db

import (
	"math"
	"slices"
)

// arrayOperator compiles the array and set operators; ok is false for
// other names.
func (sc *exprScope) arrayOperator(name string, arg any) (evalFn, bool, error) {
	var fn evalFn
	var err error
	switch name {
	case "$arrayElemAt", "$concatArrays", "$first", "$last", "$in", "$indexOfArray", "$isArray",
		"$range", "$reverseArray", "$size", "$slice":
		fn, err = sc.arrayArgs(name, arg)
	case "$map":
		fn, err = sc.mapOp(arg)
	case "$filter":
		fn, err = sc.filterOp(arg)
	case "$reduce":
		fn, err = sc.reduceOp(arg)
	case "$zip":
		fn, err = sc.zipOp(arg)
	case "$sortArray":
		fn, err = sc.sortArrayOp(arg)
	case "$setEquals", "$setIntersection", "$setUnion", "$setDifference", "$setIsSubset",
		"$anyElementTrue", "$allElementsTrue":
		fn, err = sc.setOp(name, arg)
	default:
		return nil, false, nil
	}
	return fn, true, err
}

// arity of the operators arrayArgs compiles: min and max arguments.
var arrayArity = map[string][2]int{
	"$arrayElemAt": {2, 2}, "$concatArrays": {0, -1}, "$first": {1, 1}, "$last": {1, 1}, "$in": {2, 2},
	"$indexOfArray": {2, 4}, "$isArray": {1, 1}, "$range": {2, 3}, "$reverseArray": {1, 1}, "$size": {1, 1},
	"$slice": {2, 3},
}

func (sc *exprScope) arrayArgs(name string, arg any) (evalFn, error) {
	n := arrayArity[name]
	args, err := sc.args(name, arg, n[0], n[1])
	if err != nil {
		return nil, err
	}
	return func(e *evalEnv) (any, error) {
		vals, err := evalAll(e, args)
		if err != nil {
			return nil, err
		}
		return arrayFunc(e, name, vals)
	}, nil
}

func arrayFunc(e *evalEnv, name string, vals []any) (any, error) {
	switch name {
	case "$isArray":
		_, ok := vals[0].([]any)
		return ok, nil
	case "$size":
		arr, ok := vals[0].([]any)
		if !ok {
			return nil, Errorf(CodeInvalidOperator, "the argument to $size must be an array, not %s", exprType(vals[0]))
		}
		return int64(len(arr)), nil
	case "$in":
		arr, ok := vals[1].([]any)
		if !ok {
			return nil, Errorf(CodeInvalidOperator, "$in requires an array as a second argument, found: %s", exprType(vals[1]))
		}
		return slices.ContainsFunc(arr, func(x any) bool { return Equal(x, vals[0]) }), nil
	case "$concatArrays":
		return concatArrays(e, vals)
	case "$range":
		return rangeArray(e, vals)
	}
	if nullish(vals[0]) {
		return nil, nil
	}
	arr, ok := vals[0].([]any)
	if !ok {
		return nil, typeErr(name, "requires an array as its first argument, found", vals[0])
	}
	switch name {
	case "$first", "$last":
		if len(arr) == 0 {
			return missing, nil
		}
		if name == "$first" {
			return arr[0], nil
		}
		return arr[len(arr)-1], nil
	case "$arrayElemAt":
		return elemAt(arr, vals[1])
	case "$reverseArray":
		if err := e.charge(16 * len(arr)); err != nil {
			return nil, err
		}
		out := slices.Clone(arr)
		slices.Reverse(out)
		return out, nil
	case "$slice":
		return sliceArray(e, arr, vals[1:])
	}
	start, end, err := bounds(name, vals[2:], int64(len(arr)))
	if err != nil {
		return nil, err
	}
	for i := start; i < end; i++ {
		if Equal(arr[i], vals[1]) {
			return i, nil
		}
	}
	return int64(-1), nil
}

func elemAt(arr []any, idx any) (any, error) {
	if nullish(idx) {
		return nil, nil
	}
	i, ok := wholeNumber(idx)
	if !ok {
		return nil, typeErr("$arrayElemAt", "second argument must be an integer, not", idx)
	}
	if i < 0 {
		i += int64(len(arr))
	}
	if i < 0 || i >= int64(len(arr)) {
		return missing, nil
	}
	return arr[i], nil
}

func concatArrays(e *evalEnv, vals []any) (any, error) {
	n := 0
	for _, v := range vals {
		switch x := v.(type) {
		case []any:
			n += len(x)
		case nil, missingValue:
			return nil, nil
		default:
			return nil, typeErr("$concatArrays", "only supports arrays, not", v)
		}
	}
	if err := e.charge(16 * n); err != nil {
		return nil, err
	}
	out := make([]any, 0, n)
	for _, v := range vals {
		out = append(out, v.([]any)...)
	}
	return out, nil
}

func rangeArray(e *evalEnv, vals []any) (any, error) {
	var nums [3]int64
	nums[2] = 1
	for i, v := range vals {
		n, ok := wholeNumber(v)
		if !ok {
			return nil, typeErr("$range", "requires integral numbers, found", v)
		}
		nums[i] = n
	}
	start, end, step := nums[0], nums[1], nums[2]
	if step == 0 {
		return nil, Errorf(CodeInvalidOperator, "$range requires a non-zero step value")
	}
	count := int64(0)
	if step > 0 && end > start {
		count = (end - start + step - 1) / step
	} else if step < 0 && end < start {
		count = (start - end - step - 1) / -step
	}
	if count > math.MaxInt32 {
		return nil, Errorf(CodeInvalidParam, "$range would build %d elements", count)
	}
	if err := e.charge(16 * int(count)); err != nil {
		return nil, err
	}
	out := make([]any, count)
	for i := range out {
		out[i] = start + int64(i)*step
	}
	return out, nil
}

// sliceArray: [array, n] (the first n, or the last -n) or
// [array, position, n] (n from position; a negative position counts from
// the end).
func sliceArray(e *evalEnv, arr []any, args []any) (any, error) {
	for _, a := range args {
		if nullish(a) {
			return nil, nil
		}
	}
	l := int64(len(arr))
	var from, to int64
	first, err := intArg("$slice", "the second argument", args[0])
	if err != nil {
		return nil, err
	}
	if len(args) == 1 {
		if first >= 0 {
			from, to = 0, min(first, l)
		} else {
			from, to = max(l+first, 0), l
		}
	} else {
		n, err := intArg("$slice", "the third argument", args[1])
		if err != nil {
			return nil, err
		}
		if n <= 0 {
			return nil, Errorf(CodeInvalidOperator, "$slice: the third argument must be positive")
		}
		from = first
		if from < 0 {
			from = max(l+from, 0)
		}
		from = min(from, l)
		to = min(from+n, l)
	}
	if err := e.charge(16 * int(to-from)); err != nil {
		return nil, err
	}
	return slices.Clone(arr[from:to]), nil
}

// loopVar reads the "as" of $map or $filter (default "this") and binds it.
func (sc *exprScope) loopVar(op string, d Doc) (int, error) {
	name := "this"
	if v, ok := d.Get("as"); ok {
		s, isStr := v.(string)
		if !isStr {
			return 0, Errorf(CodeInvalidOperator, "%s: 'as' must be a variable name", op)
		}
		if err := checkVarName(s); err != nil {
			return 0, err
		}
		name = s
	}
	return sc.bind(name)
}

// loopParts checks a $map, $filter or $reduce argument's keys and compiles
// its input.
func (sc *exprScope) loopParts(op string, arg any, required, optional []string) (Doc, evalFn, error) {
	d, ok := arg.(Doc)
	if !ok {
		return nil, nil, Errorf(CodeInvalidOperator, "%s takes an object", op)
	}
	for _, f := range d {
		if !slices.Contains(required, f.Key) && !slices.Contains(optional, f.Key) {
			return nil, nil, Errorf(CodeInvalidOperator, "%s found an unknown argument: %.64s", op, f.Key)
		}
	}
	for _, k := range required {
		if _, ok := d.Get(k); !ok {
			return nil, nil, Errorf(CodeInvalidOperator, "missing '%s' parameter to %s", k, op)
		}
	}
	in, _ := d.Get("input")
	input, err := sc.parseExpr(in)
	return d, input, err
}

// inputArray evaluates a loop's input: nil for null or missing.
func inputArray(op string, input evalFn, e *evalEnv) ([]any, bool, error) {
	v, err := input(e)
	if err != nil || nullish(v) {
		return nil, false, err
	}
	arr, ok := v.([]any)
	if !ok {
		return nil, false, typeErr(op, "'input' must resolve to an array, but resolved to", v)
	}
	return arr, true, nil
}

func (sc *exprScope) mapOp(arg any) (evalFn, error) {
	d, input, err := sc.loopParts("$map", arg, []string{"input", "in"}, []string{"as"})
	if err != nil {
		return nil, err
	}
	slot, err := sc.loopVar("$map", d)
	if err != nil {
		return nil, err
	}
	inv, _ := d.Get("in")
	body, err := sc.parseExpr(inv)
	sc.unbind(1)
	if err != nil {
		return nil, err
	}
	return func(e *evalEnv) (any, error) {
		arr, ok, err := inputArray("$map", input, e)
		if !ok {
			return nil, err
		}
		if err := e.charge(16 * len(arr)); err != nil {
			return nil, err
		}
		out := make([]any, len(arr))
		for i, el := range arr {
			e.vars[slot] = el
			v, err := body(e)
			if err != nil {
				return nil, err
			}
			if isMissing(v) {
				v = nil
			}
			out[i] = v
		}
		return out, nil
	}, nil
}

func (sc *exprScope) filterOp(arg any) (evalFn, error) {
	d, input, err := sc.loopParts("$filter", arg, []string{"input", "cond"}, []string{"as", "limit"})
	if err != nil {
		return nil, err
	}
	var limit evalFn
	if lv, ok := d.Get("limit"); ok {
		if limit, err = sc.parseExpr(lv); err != nil {
			return nil, err
		}
	}
	slot, err := sc.loopVar("$filter", d)
	if err != nil {
		return nil, err
	}
	cv, _ := d.Get("cond")
	cond, err := sc.parseExpr(cv)
	sc.unbind(1)
	if err != nil {
		return nil, err
	}
	return func(e *evalEnv) (any, error) {
		arr, ok, err := inputArray("$filter", input, e)
		if !ok {
			return nil, err
		}
		max := int64(len(arr))
		if limit != nil {
			lv, err := limit(e)
			if err != nil {
				return nil, err
			}
			if !nullish(lv) {
				n, ok := wholeNumber(lv)
				if !ok || n < 1 {
					return nil, Errorf(CodeInvalidOperator, "$filter: limit must be a positive integer")
				}
				max = n
			}
		}
		if err := e.charge(16 * len(arr)); err != nil {
			return nil, err
		}
		out := []any{}
		for _, el := range arr {
			if int64(len(out)) >= max {
				break
			}
			e.vars[slot] = el
			c, err := cond(e)
			if err != nil {
				return nil, err
			}
			if exprTruthy(c) {
				out = append(out, el)
			}
		}
		return out, nil
	}, nil
}

func (sc *exprScope) reduceOp(arg any) (evalFn, error) {
	d, input, err := sc.loopParts("$reduce", arg, []string{"input", "initialValue", "in"}, nil)
	if err != nil {
		return nil, err
	}
	iv, _ := d.Get("initialValue")
	initial, err := sc.parseExpr(iv)
	if err != nil {
		return nil, err
	}
	valueSlot, err := sc.bind("value")
	if err != nil {
		return nil, err
	}
	thisSlot, err := sc.bind("this")
	if err != nil {
		return nil, err
	}
	inv, _ := d.Get("in")
	body, err := sc.parseExpr(inv)
	sc.unbind(2)
	if err != nil {
		return nil, err
	}
	return func(e *evalEnv) (any, error) {
		arr, ok, err := inputArray("$reduce", input, e)
		if !ok {
			return nil, err
		}
		acc, err := initial(e)
		if err != nil {
			return nil, err
		}
		for _, el := range arr {
			if err := e.charge(1); err != nil {
				return nil, err
			}
			e.vars[valueSlot], e.vars[thisSlot] = acc, el
			if acc, err = body(e); err != nil {
				return nil, err
			}
		}
		return acc, nil
	}, nil
}

// zipOp: {inputs: [arrays], useLongestLength, defaults} transposes the
// arrays.
func (sc *exprScope) zipOp(arg any) (evalFn, error) {
	d, ok := arg.(Doc)
	if !ok {
		return nil, Errorf(CodeInvalidOperator, "$zip takes an object")
	}
	var inputs, defaults evalFn
	longest := false
	for _, f := range d {
		var err error
		switch f.Key {
		case "inputs":
			if _, ok := f.Value.([]any); !ok {
				return nil, Errorf(CodeInvalidOperator, "inputs must be an array of expressions")
			}
			inputs, err = sc.parseExpr(f.Value)
		case "defaults":
			defaults, err = sc.parseExpr(f.Value)
		case "useLongestLength":
			b, isBool := f.Value.(bool)
			if !isBool {
				return nil, Errorf(CodeInvalidOperator, "useLongestLength must be a bool")
			}
			longest = b
		default:
			return nil, Errorf(CodeInvalidOperator, "$zip found an unknown argument: %.64s", f.Key)
		}
		if err != nil {
			return nil, err
		}
	}
	if inputs == nil {
		return nil, Errorf(CodeInvalidOperator, "$zip requires 'inputs'")
	}
	if defaults != nil && !longest {
		return nil, Errorf(CodeInvalidOperator, "cannot specify defaults unless useLongestLength is true")
	}
	return func(e *evalEnv) (any, error) {
		iv, err := inputs(e)
		if err != nil {
			return nil, err
		}
		return zipArrays(e, iv.([]any), defaults, longest)
	}, nil
}

func zipArrays(e *evalEnv, ins []any, defaults evalFn, longest bool) (any, error) {
	arrays := make([][]any, len(ins))
	n := -1
	for i, v := range ins {
		if nullish(v) {
			return nil, nil
		}
		arr, ok := v.([]any)
		if !ok {
			return nil, typeErr("$zip", "found a non-array expression in input:", v)
		}
		arrays[i] = arr
		if n < 0 || longest && len(arr) > n || !longest && len(arr) < n {
			n = len(arr)
		}
	}
	var defs []any
	if defaults != nil {
		dv, err := defaults(e)
		if err != nil {
			return nil, err
		}
		d, ok := dv.([]any)
		if !ok || len(d) != len(arrays) {
			return nil, Errorf(CodeInvalidOperator, "$zip: defaults must be an array of the same length as inputs")
		}
		defs = d
	}
	n = max(n, 0)
	if err := e.charge(16 * n * (len(arrays) + 1)); err != nil {
		return nil, err
	}
	out := make([]any, n)
	for i := range out {
		row := make([]any, len(arrays))
		for j, arr := range arrays {
			switch {
			case i < len(arr):
				row[j] = arr[i]
			case defs != nil:
				row[j] = defs[j]
			}
		}
		out[i] = row
	}
	return out, nil
}

// sortArrayOp: {input, sortBy: 1 | -1 | {field: 1|-1, …}}: the array
// sorted as $sort orders values (stable).
func (sc *exprScope) sortArrayOp(arg any) (evalFn, error) {
	d, input, err := sc.loopParts("$sortArray", arg, []string{"input", "sortBy"}, nil)
	if err != nil {
		return nil, err
	}
	by, _ := d.Get("sortBy")
	var keys []SortKey
	desc := false
	if n, ok := wholeNumber(by); ok && (n == 1 || n == -1) {
		desc = n == -1
	} else if keys, err = ParseSort(by); err != nil || len(keys) == 0 {
		return nil, Errorf(CodeInvalidOperator, "$sortArray: sortBy must be 1, -1 or a sort specification document")
	}
	return func(e *evalEnv) (any, error) {
		arr, ok, err := inputArray("$sortArray", input, e)
		if !ok {
			return nil, err
		}
		if err := e.charge(16 * len(arr)); err != nil {
			return nil, err
		}
		out := slices.Clone(arr)
		slices.SortStableFunc(out, func(a, b any) int {
			if keys == nil {
				if desc {
					return Compare(b, a)
				}
				return Compare(a, b)
			}
			da, _ := a.(Doc)
			db, _ := b.(Doc)
			return CompareDocs(da, db, keys)
		})
		return out, nil
	}, nil
}

// setOp: the set operators. Sets are arrays whose duplicates (by value)
// do not count; results keep the first of equal values, in order.
func (sc *exprScope) setOp(name string, arg any) (evalFn, error) {
	minN, maxN := 2, 2
	switch name {
	case "$setEquals":
		maxN = -1
	case "$setIntersection", "$setUnion":
		minN, maxN = 0, -1
	case "$anyElementTrue", "$allElementsTrue":
		minN, maxN = 1, 1
	}
	args, err := sc.args(name, arg, minN, maxN)
	if err != nil {
		return nil, err
	}
	return func(e *evalEnv) (any, error) {
		vals, err := evalAll(e, args)
		if err != nil {
			return nil, err
		}
		return setFunc(e, name, vals)
	}, nil
}

func setFunc(e *evalEnv, name string, vals []any) (any, error) {
	arrays := make([][]any, len(vals))
	total := 0
	for i, v := range vals {
		arr, ok := v.([]any)
		if !ok {
			if nullish(v) && (name == "$setIntersection" || name == "$setUnion" || name == "$setDifference") {
				return nil, nil
			}
			return nil, typeErr(name, "requires array arguments, found", v)
		}
		arrays[i] = arr
		total += len(arr)
	}
	if err := e.charge(16 * total); err != nil {
		return nil, err
	}
	switch name {
	case "$anyElementTrue":
		return slices.ContainsFunc(arrays[0], exprTruthy), nil
	case "$allElementsTrue":
		return !slices.ContainsFunc(arrays[0], func(v any) bool { return !exprTruthy(v) }), nil
	case "$setUnion":
		var s valueSet
		for _, arr := range arrays {
			for _, v := range arr {
				s.add(v)
			}
		}
		return s.list(), nil
	case "$setIntersection":
		if len(arrays) == 0 {
			return []any{}, nil
		}
		var s valueSet
		for _, v := range arrays[0] {
			s.add(v)
		}
		for _, arr := range arrays[1:] {
			s = s.keep(arr)
		}
		return s.list(), nil
	case "$setDifference":
		var s, drop valueSet
		for _, v := range arrays[1] {
			drop.add(v)
		}
		for _, v := range arrays[0] {
			if !drop.has(v) {
				s.add(v)
			}
		}
		return s.list(), nil
	case "$setIsSubset":
		var s valueSet
		for _, v := range arrays[1] {
			s.add(v)
		}
		return !slices.ContainsFunc(arrays[0], func(v any) bool { return !s.has(v) }), nil
	}
	var first valueSet // $setEquals
	for _, v := range arrays[0] {
		first.add(v)
	}
	for _, arr := range arrays[1:] {
		var other valueSet
		for _, v := range arr {
			if !first.has(v) {
				return false, nil
			}
			other.add(v)
		}
		if len(other.order) != len(first.order) {
			return false, nil
		}
	}
	return true, nil
}

// valueSet is a set of values by MongoDB equality (1 and 1.0 are one
// value), keeping the first of each in insertion order.
type valueSet struct {
	keys  map[string]struct{}
	order []any
	buf   []byte
}

func (s *valueSet) add(v any) bool {
	s.buf = appendKey(s.buf[:0], v)
	if _, ok := s.keys[string(s.buf)]; ok {
		return false
	}
	if s.keys == nil {
		s.keys = map[string]struct{}{}
	}
	s.keys[string(s.buf)] = struct{}{}
	s.order = append(s.order, v)
	return true
}

func (s *valueSet) has(v any) bool {
	s.buf = appendKey(s.buf[:0], v)
	_, ok := s.keys[string(s.buf)]
	return ok
}

// keep returns the values of s that arr holds too.
func (s valueSet) keep(arr []any) valueSet {
	var in, out valueSet
	for _, v := range arr {
		in.add(v)
	}
	for _, v := range s.order {
		if in.has(v) {
			out.add(v)
		}
	}
	return out
}

func (s *valueSet) list() []any {
	if s.order == nil {
		return []any{}
	}
	return s.order
}
