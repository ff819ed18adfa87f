package db

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Arithmetic follows MongoDB's numeric rules with minibase's two number
// types: integers stay integers (int64) until a result does not fit, which
// becomes a double, as int32 and long do; a double anywhere makes the
// result a double; $divide always gives a double. A null or missing
// argument makes the result null.

func (sc *exprScope) addMul(name string, arg any) (evalFn, error) {
	args, err := sc.args(name, arg, 0, -1)
	if err != nil {
		return nil, err
	}
	return func(e *evalEnv) (any, error) {
		vals, err := evalAll(e, args)
		if err != nil {
			return nil, err
		}
		if name == "$add" {
			return addValues(vals)
		}
		return mulValues(vals)
	}, nil
}

// addValues is $add: numbers, and at most one date (plus milliseconds).
func addValues(vals []any) (any, error) {
	var isum int64
	var fsum float64
	isFloat, null := false, false
	var date *time.Time
	for _, v := range vals {
		switch x := v.(type) {
		case int64:
			if s, ok := addInt64(isum, x); ok && !isFloat {
				isum = s
			} else {
				if !isFloat {
					fsum, isFloat = float64(isum), true
				}
				fsum += float64(x)
			}
		case float64:
			if !isFloat {
				fsum, isFloat = float64(isum), true
			}
			fsum += x
		case time.Time:
			if date != nil {
				return nil, Errorf(CodeInvalidOperator, "only one date allowed in an $add expression")
			}
			date = &x
		case nil, missingValue:
			null = true
		default:
			return nil, typeErr("$add", "only supports numeric or date types, not", v)
		}
	}
	switch {
	case null:
		return nil, nil
	case date != nil:
		ms := float64(isum)
		if isFloat {
			ms = fsum
		}
		return addMillis(*date, ms)
	case isFloat:
		return fsum, nil
	}
	return isum, nil
}

// addMillis adds ms (rounded) to a date; out of the date range is an error.
func addMillis(t time.Time, ms float64) (any, error) {
	if math.IsNaN(ms) || math.Abs(ms) > 1e15 {
		return nil, Errorf(CodeInvalidOperator, "date arithmetic out of range")
	}
	return checkDate(t.Add(time.Duration(math.Round(ms)) * time.Millisecond))
}

// checkDate refuses a date outside what documents can hold (years 1 to 9999).
func checkDate(t time.Time) (any, error) {
	if t.Before(minDate) || t.After(maxDate) {
		return nil, Errorf(CodeInvalidOperator, "date %s is outside years 1 to 9999", t.Format(time.RFC3339))
	}
	return t.UTC(), nil
}

func mulValues(vals []any) (any, error) {
	iprod, fprod := int64(1), 1.0
	isFloat, null := false, false
	for _, v := range vals {
		switch x := v.(type) {
		case int64:
			if p, ok := mulInt64(iprod, x); ok && !isFloat {
				iprod = p
			} else {
				if !isFloat {
					fprod, isFloat = float64(iprod), true
				}
				fprod *= float64(x)
			}
		case float64:
			if !isFloat {
				fprod, isFloat = float64(iprod), true
			}
			fprod *= x
		case nil, missingValue:
			null = true
		default:
			return nil, typeErr("$multiply", "only supports numeric types, not", v)
		}
	}
	switch {
	case null:
		return nil, nil
	case isFloat:
		return fprod, nil
	}
	return iprod, nil
}

func (sc *exprScope) mathBinary(name string, arg any) (evalFn, error) {
	args, err := sc.args(name, arg, 2, 2)
	if err != nil {
		return nil, err
	}
	return func(e *evalEnv) (any, error) {
		vals, err := evalAll(e, args)
		if err != nil {
			return nil, err
		}
		a, b := vals[0], vals[1]
		if nullish(a) || nullish(b) {
			return nil, nil
		}
		switch name {
		case "$subtract":
			return subtract(a, b)
		case "$divide":
			return divide(a, b)
		case "$mod":
			return modValues(a, b)
		case "$pow":
			return power(a, b)
		}
		return logBase(a, b)
	}, nil
}

func subtract(a, b any) (any, error) {
	if t, ok := a.(time.Time); ok {
		switch y := b.(type) {
		case time.Time:
			return t.Sub(y).Milliseconds(), nil
		case int64:
			return addMillis(t, -float64(y))
		case float64:
			return addMillis(t, -y)
		}
		return nil, typeErr("$subtract", "cannot subtract from a date a value of type", b)
	}
	x, okA := a.(int64)
	y, okB := b.(int64)
	if okA && okB {
		if d, ok := addInt64(x, -y); ok && y != math.MinInt64 {
			return d, nil
		}
		return float64(x) - float64(y), nil
	}
	fa, okA := ToFloat(a)
	fb, okB := ToFloat(b)
	if !okA || !okB {
		bad := a
		if okA {
			bad = b
		}
		return nil, typeErr("$subtract", "only supports numeric or date types, not", bad)
	}
	return fa - fb, nil
}

func divide(a, b any) (any, error) {
	fa, okA := ToFloat(a)
	fb, okB := ToFloat(b)
	if !okA || !okB {
		bad := a
		if okA {
			bad = b
		}
		return nil, typeErr("$divide", "only supports numeric types, not", bad)
	}
	if fb == 0 {
		return nil, Errorf(CodeInvalidOperator, "can't $divide by zero")
	}
	return fa / fb, nil
}

func modValues(a, b any) (any, error) {
	x, okA := a.(int64)
	y, okB := b.(int64)
	if okA && okB {
		if y == 0 {
			return nil, Errorf(CodeInvalidOperator, "can't $mod by zero")
		}
		if y == -1 {
			return int64(0), nil
		}
		return x % y, nil
	}
	fa, okA := ToFloat(a)
	fb, okB := ToFloat(b)
	if !okA || !okB {
		bad := a
		if okA {
			bad = b
		}
		return nil, typeErr("$mod", "only supports numeric types, not", bad)
	}
	if fb == 0 {
		return nil, Errorf(CodeInvalidOperator, "can't $mod by zero")
	}
	return math.Mod(fa, fb), nil
}

func power(a, b any) (any, error) {
	fa, okA := ToFloat(a)
	fb, okB := ToFloat(b)
	if !okA || !okB {
		bad := a
		if okA {
			bad = b
		}
		return nil, typeErr("$pow", "only supports numeric types, not", bad)
	}
	if fa == 0 && fb < 0 {
		return nil, Errorf(CodeInvalidOperator, "$pow cannot take a base of 0 and a negative exponent")
	}
	x, okA := a.(int64)
	y, okB := b.(int64)
	if okA && okB {
		switch {
		case y >= 0:
			if p, ok := intPow(x, y); ok {
				return p, nil
			}
		case x == 1:
			return int64(1), nil
		case x == -1:
			if y%2 == 0 {
				return int64(1), nil
			}
			return int64(-1), nil
		}
	}
	return math.Pow(fa, fb), nil
}

// intPow is x**y for y >= 0, or false when it overflows int64.
func intPow(x, y int64) (int64, bool) {
	r := int64(1)
	for ; y > 0; y-- {
		var ok bool
		if r, ok = mulInt64(r, x); !ok {
			return 0, false
		}
		if r == 0 || r == 1 && x == 1 {
			return r, true
		}
	}
	return r, true
}

func logBase(a, b any) (any, error) {
	fa, okA := ToFloat(a)
	fb, okB := ToFloat(b)
	if !okA || !okB {
		bad := a
		if okA {
			bad = b
		}
		return nil, typeErr("$log", "only supports numeric types, not", bad)
	}
	if !(fa > 0) && !math.IsNaN(fa) {
		return nil, Errorf(CodeInvalidOperator, "$log's argument must be a positive number, but is %v", fa)
	}
	if !(fb > 0) || fb == 1 {
		return nil, Errorf(CodeInvalidOperator, "$log's base must be a positive number not equal to 1, but is %v", fb)
	}
	return math.Log(fa) / math.Log(fb), nil
}

func (sc *exprScope) mathUnary(name string, arg any) (evalFn, error) {
	args, err := sc.args(name, arg, 1, 1)
	if err != nil {
		return nil, err
	}
	return func(e *evalEnv) (any, error) {
		v, err := args[0](e)
		if err != nil || nullish(v) {
			return nullOr(v, err)
		}
		return mathUnary(name, v)
	}, nil
}

func mathUnary(name string, v any) (any, error) {
	if i, ok := v.(int64); ok {
		switch name {
		case "$abs":
			if i == math.MinInt64 {
				return -float64(i), nil
			}
			if i < 0 {
				return -i, nil
			}
			return i, nil
		case "$ceil", "$floor":
			return i, nil
		}
	}
	f, ok := ToFloat(v)
	if !ok {
		return nil, typeErr(name, "only supports numeric types, not", v)
	}
	switch name {
	case "$abs":
		return math.Abs(f), nil
	case "$ceil":
		return math.Ceil(f), nil
	case "$floor":
		return math.Floor(f), nil
	case "$exp":
		return math.Exp(f), nil
	case "$sqrt":
		if f < 0 {
			return nil, Errorf(CodeInvalidOperator, "$sqrt's argument must be greater than or equal to 0")
		}
		return math.Sqrt(f), nil
	}
	if f <= 0 {
		return nil, Errorf(CodeInvalidOperator, "%s's argument must be a positive number, but is %v", name, f)
	}
	if name == "$ln" {
		return math.Log(f), nil
	}
	return math.Log10(f), nil
}

// roundOp: {$round: [number, place]} and $trunc: place (default 0) from
// -20 to 100 digits after the point; $round rounds half to even.
func (sc *exprScope) roundOp(name string, arg any) (evalFn, error) {
	args, err := sc.args(name, arg, 1, 2)
	if err != nil {
		return nil, err
	}
	return func(e *evalEnv) (any, error) {
		vals, err := evalAll(e, args)
		if err != nil {
			return nil, err
		}
		place := int64(0)
		if len(vals) == 2 {
			if nullish(vals[1]) {
				return nil, nil
			}
			p, ok := wholeNumber(vals[1])
			if !ok || p < -20 || p > 100 {
				return nil, Errorf(CodeInvalidOperator, "%s's place must be an integer from -20 to 100", name)
			}
			place = p
		}
		v := vals[0]
		if nullish(v) {
			return nil, nil
		}
		switch x := v.(type) {
		case int64:
			return roundInt(x, place, name == "$trunc"), nil
		case float64:
			return roundFloat(x, int(place), name == "$trunc"), nil
		}
		return nil, typeErr(name, "only supports numeric types, not", v)
	}, nil
}

// wholeNumber returns v as an integer when it is one (1 or 1.0).
func wholeNumber(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<62 {
			return int64(x), true
		}
	}
	return 0, false
}

func roundInt(x, place int64, trunc bool) int64 {
	if place >= 0 {
		return x
	}
	if place < -18 {
		return 0
	}
	p := int64(math.Pow10(int(-place)))
	q, r := x/p, x%p
	if !trunc {
		half := 2 * r
		if half < 0 {
			half = -half
		}
		if half > p || half == p && q%2 != 0 {
			if x < 0 {
				q--
			} else {
				q++
			}
		}
	}
	if v, ok := mulInt64(q, p); ok {
		return v
	}
	return x
}

// roundFloat rounds or truncates x to place decimal digits on its
// shortest decimal form (so 19.25 rounds to 19.2, as in decimal).
func roundFloat(x float64, place int, trunc bool) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) || x == 0 {
		return x
	}
	s := strconv.FormatFloat(math.Abs(x), 'f', -1, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	digits := intPart + frac
	point := len(intPart) // digits before the point
	keep := point + place // digits kept
	if keep >= len(digits) {
		return x
	}
	var out []byte
	if keep > 0 {
		out = []byte(digits[:keep])
	}
	if !trunc && keep >= 0 {
		next, rest := digits[keep], strings.Trim(digits[keep+1:], "0")
		last := byte('0')
		if keep > 0 {
			last = out[keep-1]
		}
		if next > '5' || next == '5' && (rest != "" || (last-'0')%2 == 1) {
			out = incDigits(out)
			if len(out) > keep {
				point++
				keep++
			}
		}
	}
	for len(out) < point {
		out = append(out, '0')
	}
	str := "0"
	switch {
	case keep <= 0 && len(out) == 0:
	case point <= 0:
		str = "0." + strings.Repeat("0", -point) + string(out)
	case len(out) > point:
		str = string(out[:point]) + "." + string(out[point:])
	default:
		str = string(out)
	}
	f, _ := strconv.ParseFloat(str, 64)
	if x < 0 {
		f = -f
	}
	return f
}

// incDigits adds one to a decimal digit string ("" is 0).
func incDigits(d []byte) []byte {
	for i := len(d) - 1; i >= 0; i-- {
		if d[i] < '9' {
			d[i]++
			return d
		}
		d[i] = '0'
	}
	return append([]byte{'1'}, d...)
}
