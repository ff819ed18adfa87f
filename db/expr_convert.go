package db

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// convertOperator compiles $convert, $to…, $type and $isNumber; ok is
// false for other names. minibase has two number types: "int" and "long"
// are both integers (int64; $toInt checks the 32-bit range), "double" and
// "decimal" both float64. Ids are strings, so $toObjectId keeps a string.
func (sc *exprScope) convertOperator(name string, arg any) (evalFn, bool, error) {
	var fn evalFn
	var err error
	switch name {
	case "$convert":
		fn, err = sc.convertOp(arg)
	case "$toBool", "$toInt", "$toLong", "$toDouble", "$toDecimal", "$toString", "$toDate", "$toObjectId":
		var args []evalFn
		if args, err = sc.args(name, arg, 1, 1); err == nil {
			to := map[string]string{"$toBool": "bool", "$toInt": "int", "$toLong": "long", "$toDouble": "double",
				"$toDecimal": "decimal", "$toString": "string", "$toDate": "date", "$toObjectId": "objectId"}[name]
			fn = func(e *evalEnv) (any, error) {
				v, err := args[0](e)
				if err != nil || nullish(v) {
					return nullOr(v, err)
				}
				return convertValue(v, to)
			}
		}
	case "$type", "$isNumber":
		var args []evalFn
		if args, err = sc.args(name, arg, 1, 1); err == nil {
			fn = func(e *evalEnv) (any, error) {
				v, err := args[0](e)
				if name == "$type" {
					return exprType(v), err
				}
				return IsNumber(v), err
			}
		}
	default:
		return nil, false, nil
	}
	return fn, true, err
}

// convertTypes are $convert's target types, by name and by BSON number.
var convertTypes = map[any]string{
	"double": "double", "string": "string", "objectId": "objectId", "bool": "bool", "date": "date",
	"int": "int", "long": "long", "decimal": "decimal",
	int64(1): "double", int64(2): "string", int64(7): "objectId", int64(8): "bool", int64(9): "date",
	int64(16): "int", int64(18): "long", int64(19): "decimal",
}

func (sc *exprScope) convertOp(arg any) (evalFn, error) {
	o, err := sc.options("$convert", arg, "input!", "to!", "onError", "onNull")
	if err != nil {
		return nil, err
	}
	return func(e *evalEnv) (any, error) {
		tv, err := o["to"](e)
		if err != nil {
			return nil, err
		}
		if f, ok := tv.(float64); ok && f == math.Trunc(f) {
			tv = int64(f)
		}
		to, ok := convertTypes[tv]
		if !ok {
			if nullish(tv) {
				return nil, nil
			}
			return nil, Errorf(CodeInvalidOperator, "$convert: unknown type name: %.64s", literal(plainValue(tv)))
		}
		v, err := o["input"](e)
		if err != nil {
			return nil, err
		}
		if nullish(v) {
			if o["onNull"] != nil {
				return o["onNull"](e)
			}
			return nil, nil
		}
		out, err := convertValue(v, to)
		if err != nil && o["onError"] != nil && ErrorCode(err) != "" {
			return o["onError"](e)
		}
		return out, err
	}, nil
}

func convertErr(v any, to string) error {
	return Errorf(CodeInvalidOperator, "unsupported conversion from %s to %s in $convert with no onError value", exprType(v), to)
}

func convertValue(v any, to string) (any, error) {
	switch to {
	case "bool":
		switch x := v.(type) {
		case bool:
			return x, nil
		case int64, float64:
			return truthy(x), nil
		case string, time.Time:
			return true, nil
		}
	case "int", "long":
		n, err := toInteger(v, to)
		if err == nil && to == "int" && (n < math.MinInt32 || n > math.MaxInt32) {
			return nil, Errorf(CodeInvalidOperator, "conversion to int overflowed the value %d", n)
		}
		return n, err
	case "double", "decimal":
		switch x := v.(type) {
		case bool:
			if x {
				return 1.0, nil
			}
			return 0.0, nil
		case int64:
			return float64(x), nil
		case float64:
			return x, nil
		case time.Time:
			return float64(x.UnixMilli()), nil
		case string:
			f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
			if err != nil && !strings.Contains(err.Error(), "range") || x != strings.TrimSpace(x) {
				return nil, Errorf(CodeInvalidOperator, "failed to parse number '%.64s' in $convert with no onError value", x)
			}
			return f, nil
		}
	case "string":
		switch x := v.(type) {
		case string:
			return x, nil
		case bool:
			return strconv.FormatBool(x), nil
		case int64, float64, time.Time:
			return coerceString("$convert", x)
		}
	case "date":
		switch x := v.(type) {
		case time.Time:
			return x, nil
		case int64:
			return checkDate(time.UnixMilli(x))
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) > 1e15 {
				return nil, Errorf(CodeInvalidOperator, "conversion to date of a non-finite or too large number")
			}
			return checkDate(time.UnixMilli(int64(x)))
		case string:
			var e evalEnv
			return dateFromString(&e, x, nil, nil)
		}
	case "objectId":
		if s, ok := v.(string); ok {
			return s, nil
		}
	}
	return nil, convertErr(v, to)
}

// toInteger converts for $toInt and $toLong: doubles truncate, strings
// must be base-10 integers, dates give milliseconds (long only).
func toInteger(v any, to string) (int64, error) {
	switch x := v.(type) {
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	case int64:
		return x, nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) || x >= 0x1p63 || x < -0x1p63 {
			return 0, Errorf(CodeInvalidOperator, "conversion to %s overflowed the value %v", to, x)
		}
		return int64(x), nil
	case string:
		n, err := strconv.ParseInt(x, 10, 64)
		if err != nil {
			return 0, Errorf(CodeInvalidOperator, "failed to parse number '%.64s' in $convert with no onError value", x)
		}
		return n, nil
	case time.Time:
		if to == "long" {
			return x.UnixMilli(), nil
		}
	}
	return 0, convertErr(v, to)
}
