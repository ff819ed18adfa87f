package db

import "strings"

// operator compiles {name: arg}, one of the expression operators of
// MongoDB's manual (wxcloud-api.md §1.10 lists those of wx.cloud).
func (sc *exprScope) operator(name string, arg any) (evalFn, error) {
	switch name {
	case "$literal":
		if err := checkValue(arg); err != nil {
			return nil, err
		}
		return constant(arg), nil
	case "$let":
		return sc.parseLet(arg)
	case "$abs", "$ceil", "$floor", "$exp", "$ln", "$log10", "$sqrt":
		return sc.mathUnary(name, arg)
	case "$add", "$multiply":
		return sc.addMul(name, arg)
	case "$subtract", "$divide", "$mod", "$pow", "$log":
		return sc.mathBinary(name, arg)
	case "$round", "$trunc":
		return sc.roundOp(name, arg)
	case "$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$cmp":
		return sc.compareOp(name, arg)
	case "$and", "$or":
		return sc.logicOp(name, arg)
	case "$not":
		return sc.notOp(arg)
	case "$cond":
		return sc.condOp(arg)
	case "$ifNull":
		return sc.ifNullOp(arg)
	case "$switch":
		return sc.switchOp(arg)
	case "$sum", "$avg", "$min", "$max", "$stdDevPop", "$stdDevSamp":
		return sc.accumulatorExpr(name, arg)
	case "$mergeObjects":
		return sc.mergeObjectsOp(arg)
	case "$objectToArray", "$arrayToObject":
		return sc.objectArrayOp(name, arg)
	case "$getField", "$setField", "$unsetField":
		return sc.fieldOp(name, arg)
	}
	if fn, ok, err := sc.stringOperator(name, arg); ok {
		return fn, err
	}
	if fn, ok, err := sc.arrayOperator(name, arg); ok {
		return fn, err
	}
	if fn, ok, err := sc.dateOperator(name, arg); ok {
		return fn, err
	}
	if fn, ok, err := sc.convertOperator(name, arg); ok {
		return fn, err
	}
	switch name {
	case "$meta":
		return nil, Errorf(CodeInvalidOperator, "$meta is not supported: minibase has no text search")
	case "$function", "$accumulator", "$where":
		return nil, Errorf(CodeInvalidOperator, "%s is not supported: JavaScript runs in cloud functions, not in queries", name)
	}
	return nil, Errorf(CodeInvalidOperator, "unknown aggregation expression operator: %.64s", name)
}

// args compiles an operator's arguments: the elements of an array, or a
// single expression; it wants from minN to maxN of them (maxN < 0: any).
func (sc *exprScope) args(name string, v any, minN, maxN int) ([]evalFn, error) {
	list, ok := v.([]any)
	if !ok {
		list = []any{v}
	}
	if len(list) < minN || maxN >= 0 && len(list) > maxN {
		return nil, argCountError(name, minN, maxN, len(list))
	}
	out := make([]evalFn, len(list))
	for i, e := range list {
		fn, err := sc.parseExpr(e)
		if err != nil {
			return nil, err
		}
		out[i] = fn
	}
	return out, nil
}

func argCountError(name string, minN, maxN, got int) error {
	switch {
	case minN == maxN:
		return Errorf(CodeInvalidOperator, "expression %s takes exactly %d arguments, %d were passed in", name, minN, got)
	case maxN < 0:
		return Errorf(CodeInvalidOperator, "expression %s takes at least %d arguments, %d were passed in", name, minN, got)
	}
	return Errorf(CodeInvalidOperator, "expression %s takes %d to %d arguments, %d were passed in", name, minN, maxN, got)
}

// options reads an operator's object argument: {name: expr, …} with the
// named keys, required ones marked with a trailing "!".
func (sc *exprScope) options(op string, v any, keys ...string) (map[string]evalFn, error) {
	d, ok := v.(Doc)
	if !ok {
		return nil, Errorf(CodeInvalidOperator, "%s takes an object", op)
	}
	out := make(map[string]evalFn, len(d))
	for _, f := range d {
		known := false
		for _, k := range keys {
			if strings.TrimSuffix(k, "!") == f.Key {
				known = true
			}
		}
		if !known {
			return nil, Errorf(CodeInvalidOperator, "%s found an unknown argument: %.64s", op, f.Key)
		}
		fn, err := sc.parseExpr(f.Value)
		if err != nil {
			return nil, err
		}
		out[f.Key] = fn
	}
	for _, k := range keys {
		if name, req := strings.CutSuffix(k, "!"); req && out[name] == nil {
			return nil, Errorf(CodeInvalidOperator, "%s requires '%s'", op, name)
		}
	}
	return out, nil
}

// evalAll evaluates fns in order.
func evalAll(e *evalEnv, fns []evalFn) ([]any, error) {
	out := make([]any, len(fns))
	for i, fn := range fns {
		v, err := fn(e)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// exprType names v's type as $type does.
func exprType(v any) string {
	switch x := v.(type) {
	case missingValue:
		return "missing"
	case nil:
		return "null"
	case bool:
		return "bool"
	case int64:
		if x >= -1<<31 && x < 1<<31 {
			return "int"
		}
		return "long"
	case float64:
		return "double"
	case string:
		return "string"
	case Doc:
		return "object"
	case []any:
		return "array"
	case Regex:
		return "regex"
	}
	return "date"
}

// typeErr is the error of an operator given a value of the wrong type.
func typeErr(op, want string, v any) error {
	return Errorf(CodeInvalidOperator, "%s %s %s", op, want, exprType(v))
}

// ---- $let ----

func (sc *exprScope) parseLet(arg any) (evalFn, error) {
	d, ok := arg.(Doc)
	vars, _ := d.Get("vars")
	in, hasIn := d.Get("in")
	vd, varsOK := vars.(Doc)
	if !ok || len(d) != 2 || !hasIn || !varsOK {
		return nil, Errorf(CodeInvalidOperator, "$let takes {vars: {name: expression, …}, in: expression}")
	}
	// The variables' expressions see the scope outside the $let.
	values := make([]evalFn, len(vd))
	for i, f := range vd {
		if f.Key != "CURRENT" {
			if err := checkVarName(f.Key); err != nil {
				return nil, err
			}
		}
		fn, err := sc.parseExpr(f.Value)
		if err != nil {
			return nil, err
		}
		values[i] = fn
	}
	slots := make([]int, len(vd))
	for i, f := range vd {
		s, err := sc.bind(f.Key)
		if err != nil {
			return nil, err
		}
		slots[i] = s
	}
	body, err := sc.parseExpr(in)
	sc.unbind(len(vd))
	if err != nil {
		return nil, err
	}
	return func(e *evalEnv) (any, error) {
		vals, err := evalAll(e, values)
		if err != nil {
			return nil, err
		}
		for i, s := range slots {
			e.vars[s] = vals[i]
		}
		return body(e)
	}, nil
}

// ---- comparison, boolean, conditional ----

func (sc *exprScope) compareOp(name string, arg any) (evalFn, error) {
	args, err := sc.args(name, arg, 2, 2)
	if err != nil {
		return nil, err
	}
	a, b := args[0], args[1]
	return func(e *evalEnv) (any, error) {
		x, err := a(e)
		if err != nil {
			return nil, err
		}
		y, err := b(e)
		if err != nil {
			return nil, err
		}
		c := Compare(x, y)
		switch name {
		case "$eq":
			return c == 0 && TypeRank(x) == TypeRank(y), nil
		case "$ne":
			return c != 0 || TypeRank(x) != TypeRank(y), nil
		case "$gt":
			return c > 0, nil
		case "$gte":
			return c >= 0, nil
		case "$lt":
			return c < 0, nil
		case "$lte":
			return c <= 0, nil
		}
		return int64(c), nil
	}, nil
}

func (sc *exprScope) logicOp(name string, arg any) (evalFn, error) {
	args, err := sc.args(name, arg, 0, -1)
	if err != nil {
		return nil, err
	}
	want := name == "$or" // the value that decides
	return func(e *evalEnv) (any, error) {
		for _, fn := range args {
			v, err := fn(e)
			if err != nil {
				return nil, err
			}
			if exprTruthy(v) == want {
				return want, nil
			}
		}
		return !want, nil
	}, nil
}

func (sc *exprScope) notOp(arg any) (evalFn, error) {
	args, err := sc.args("$not", arg, 1, 1)
	if err != nil {
		return nil, err
	}
	return func(e *evalEnv) (any, error) {
		v, err := args[0](e)
		return !exprTruthy(v), err
	}, nil
}

func (sc *exprScope) condOp(arg any) (evalFn, error) {
	var cond, then, els evalFn
	if d, ok := arg.(Doc); ok {
		o, err := sc.options("$cond", d, "if!", "then!", "else!")
		if err != nil {
			return nil, err
		}
		cond, then, els = o["if"], o["then"], o["else"]
	} else {
		args, err := sc.args("$cond", arg, 3, 3)
		if err != nil {
			return nil, err
		}
		cond, then, els = args[0], args[1], args[2]
	}
	return func(e *evalEnv) (any, error) {
		c, err := cond(e)
		if err != nil {
			return nil, err
		}
		if exprTruthy(c) {
			return then(e)
		}
		return els(e)
	}, nil
}

// ifNullOp: the first argument that is neither null nor missing, else the
// last argument's value.
func (sc *exprScope) ifNullOp(arg any) (evalFn, error) {
	args, err := sc.args("$ifNull", arg, 2, -1)
	if err != nil {
		return nil, err
	}
	return func(e *evalEnv) (any, error) {
		for _, fn := range args[:len(args)-1] {
			v, err := fn(e)
			if err != nil || !nullish(v) {
				return v, err
			}
		}
		return args[len(args)-1](e)
	}, nil
}

func (sc *exprScope) switchOp(arg any) (evalFn, error) {
	d, ok := arg.(Doc)
	if !ok {
		return nil, Errorf(CodeInvalidOperator, "$switch takes {branches: [{case, then}, …], default}")
	}
	type branch struct{ cond, then evalFn }
	var branches []branch
	var def evalFn
	for _, f := range d {
		switch f.Key {
		case "branches":
			list, ok := f.Value.([]any)
			if !ok {
				return nil, Errorf(CodeInvalidOperator, "$switch expected an array for 'branches'")
			}
			for _, b := range list {
				o, err := sc.options("$switch branch", b, "case!", "then!")
				if err != nil {
					return nil, err
				}
				branches = append(branches, branch{o["case"], o["then"]})
			}
		case "default":
			fn, err := sc.parseExpr(f.Value)
			if err != nil {
				return nil, err
			}
			def = fn
		default:
			return nil, Errorf(CodeInvalidOperator, "$switch found an unknown argument: %.64s", f.Key)
		}
	}
	if len(branches) == 0 {
		return nil, Errorf(CodeInvalidOperator, "$switch requires at least one branch")
	}
	return func(e *evalEnv) (any, error) {
		for _, b := range branches {
			c, err := b.cond(e)
			if err != nil {
				return nil, err
			}
			if exprTruthy(c) {
				return b.then(e)
			}
		}
		if def == nil {
			return nil, Errorf(CodeInvalidOperator, "$switch could not find a matching branch for an input, and no default was specified")
		}
		return def(e)
	}, nil
}

// ---- objects ----

func (sc *exprScope) mergeObjectsOp(arg any) (evalFn, error) {
	args, err := sc.args("$mergeObjects", arg, 0, -1)
	if err != nil {
		return nil, err
	}
	return func(e *evalEnv) (any, error) {
		out := Doc{}
		for _, fn := range args {
			v, err := fn(e)
			if err != nil {
				return nil, err
			}
			if out, err = mergeInto(out, v); err != nil {
				return nil, err
			}
		}
		return out, nil
	}, nil
}

// mergeInto sets v's fields on out (later fields win, in place); null and
// missing add nothing; anything else but a document is an error.
func mergeInto(out Doc, v any) (Doc, error) {
	switch x := v.(type) {
	case Doc:
		for _, f := range x {
			if !isMissing(f.Value) {
				out.Set(f.Key, f.Value)
			}
		}
		return out, nil
	case nil, missingValue:
		return out, nil
	}
	return nil, typeErr("$mergeObjects", "requires object inputs, but input is", v)
}

func (sc *exprScope) objectArrayOp(name string, arg any) (evalFn, error) {
	args, err := sc.args(name, arg, 1, 1)
	if err != nil {
		return nil, err
	}
	if name == "$objectToArray" {
		return func(e *evalEnv) (any, error) {
			v, err := args[0](e)
			if err != nil || nullish(v) {
				return nullOr(v, err)
			}
			d, ok := v.(Doc)
			if !ok {
				return nil, typeErr(name, "requires a document input, found:", v)
			}
			if err := e.charge(16 * len(d)); err != nil {
				return nil, err
			}
			out := make([]any, len(d))
			for i, f := range d {
				out[i] = Doc{{"k", f.Key}, {"v", f.Value}}
			}
			return out, nil
		}, nil
	}
	return func(e *evalEnv) (any, error) {
		v, err := args[0](e)
		if err != nil || nullish(v) {
			return nullOr(v, err)
		}
		return arrayToObject(v)
	}, nil
}

// arrayToObject turns [[k, v], …] or [{k, v}, …] into a document; a
// repeated key keeps its last value (in its first place).
func arrayToObject(v any) (any, error) {
	arr, ok := v.([]any)
	if !ok {
		return nil, typeErr("$arrayToObject", "requires an array input, found:", v)
	}
	out := make(Doc, 0, len(arr))
	for _, el := range arr {
		var key, val any
		switch x := el.(type) {
		case []any:
			if len(x) != 2 {
				return nil, Errorf(CodeInvalidOperator, "$arrayToObject requires an array of size 2 arrays, found an array of size %d", len(x))
			}
			key, val = x[0], x[1]
		case Doc:
			k, okK := x.Get("k")
			vv, okV := x.Get("v")
			if len(x) != 2 || !okK || !okV {
				return nil, Errorf(CodeInvalidOperator, "$arrayToObject requires an object with keys 'k' and 'v'")
			}
			key, val = k, vv
		default:
			return nil, typeErr("$arrayToObject", "requires an array of arrays or of {k, v} objects, found an element of type", el)
		}
		s, ok := key.(string)
		if !ok {
			return nil, typeErr("$arrayToObject", "requires keys of type string, found", key)
		}
		if strings.ContainsRune(s, 0) || strings.HasPrefix(s, "$") {
			return nil, Errorf(CodeInvalidOperator, "$arrayToObject: key %q must not start with $ or contain a null byte", s)
		}
		out.Set(s, val)
	}
	return out, nil
}

// fieldOp: $getField {field, input}, $setField {field, input, value},
// $unsetField {field, input}, for field names a path cannot spell.
func (sc *exprScope) fieldOp(name string, arg any) (evalFn, error) {
	keys := []string{"field!", "input"}
	if name == "$setField" {
		keys = []string{"field!", "input!", "value!"}
	} else if name == "$unsetField" {
		keys = []string{"field!", "input!"}
	}
	if _, isStr := arg.(string); isStr && name == "$getField" {
		arg = Doc{{"field", arg}} // {$getField: "name"}
	}
	o, err := sc.options(name, arg, keys...)
	if err != nil {
		return nil, err
	}
	input := o["input"]
	if input == nil {
		input = func(e *evalEnv) (any, error) { return e.vars[slotCurrent], nil }
		sc.deps.all = true
	}
	return func(e *evalEnv) (any, error) {
		f, err := o["field"](e)
		if err != nil {
			return nil, err
		}
		key, ok := f.(string)
		if !ok {
			return nil, typeErr(name, "requires 'field' to evaluate to a string, found", f)
		}
		in, err := input(e)
		if err != nil {
			return nil, err
		}
		d, ok := in.(Doc)
		switch {
		case name == "$getField":
			if !ok {
				if nullish(in) {
					return nil, nil
				}
				return missing, nil
			}
			if v, found := d.Get(key); found {
				return v, nil
			}
			return missing, nil
		case nullish(in):
			return nil, nil
		case !ok:
			return nil, typeErr(name, "requires 'input' to evaluate to an object, found", in)
		}
		out := Clone(d).(Doc)
		if name == "$unsetField" {
			out.Delete(key)
			return out, nil
		}
		v, err := o["value"](e)
		if err != nil {
			return nil, err
		}
		if isMissing(v) {
			out.Delete(key)
		} else {
			out.Set(key, v)
		}
		return out, nil
	}, nil
}

// nullOr is (nil, err): an operator's null answer to a null or missing
// argument, or its argument's error.
func nullOr(_ any, err error) (any, error) { return nil, err }
