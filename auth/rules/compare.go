package rules

import (
	"math"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"
)

func (s sym) child(name string) sym {
	if s.path != "" {
		name = s.path + "." + name
	}
	return sym{name: s.name, path: name, facts: s.facts}
}

// pinned returns the value the facts give the field, and the path whose
// condition gives it: the value of an Eq condition on the field (or of an
// In with one value), at s.path, or the field inside an object an Eq pins
// a parent path to. MongoDB's equality also matches an array that holds the
// value, so the value is the field's only where no array lies at that path
// or above it (see ev.value).
func (s sym) pinned() (v any, at string, ok bool) {
	if s.path == "" {
		return nil, "", false
	}
	for _, c := range s.facts[s.path] {
		if v, ok := c.pin(); ok {
			return v, s.path, true
		}
	}
	for i := len(s.path) - 1; i > 0; i-- {
		if s.path[i] != '.' {
			continue
		}
		for _, c := range s.facts[s.path[:i]] {
			pin, ok := c.pin()
			if !ok {
				continue
			}
			v, ok := lookupPath(pin, s.path[i+1:])
			if ok {
				return v, s.path[:i], true
			}
		}
	}
	return nil, "", false
}

// pin is the one value the condition allows, if it allows one.
func (c Cond) pin() (any, bool) {
	if c.Op == Eq {
		return c.Value, true
	}
	if list, ok := c.Value.([]any); ok && c.Op == In && len(list) == 1 {
		return list[0], true
	}
	return nil, false
}

func lookupPath(v any, path string) (any, bool) {
	for seg := range strings.SplitSeq(path, ".") {
		switch x := v.(type) {
		case Object:
			v, _ = x.Get(seg)
		case map[string]any:
			v = x[seg]
		default:
			return nil, false
		}
	}
	return v, true
}

// flipped gives the operator with its operands swapped.
var flipped = map[string]string{"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}

func (ev *evaluator) compare(op string, x, y any) any {
	if r, stop := propagate(x, y); stop {
		return r
	}
	sx, xsym := x.(sym)
	sy, ysym := y.(sym)
	if xsym && ysym {
		vx, vy := ev.value(sx, ""), ev.value(sy, "")
		if r, stop := propagate(vx, vy); stop {
			return r
		}
		return compareValues(op, vx, vy)
	}
	switch {
	case xsym && op == "in":
		return ev.prove(sx, "in", y)
	case ysym && op == "in":
		return ev.prove(sy, "has", x)
	case xsym:
		return ev.prove(sx, op, y)
	case ysym:
		return ev.prove(sy, flipped[op], x)
	}
	return compareValues(op, x, y)
}

// compareValues compares two plain values (see the package comment).
func compareValues(op string, x, y any) bool {
	switch op {
	case "==":
		return equal(x, y)
	case "!=":
		return !equal(x, y)
	case "in":
		return contains(y, x)
	}
	return ordered(op, x, y)
}

// equal is == : some element of an array side equals the other side.
func equal(x, y any) bool {
	xa, xarr := x.([]any)
	_, yarr := y.([]any)
	switch {
	case xarr && !yarr:
		for _, e := range xa {
			if same(e, y) {
				return true
			}
		}
		return false
	case yarr && !xarr:
		return equal(y, x)
	}
	return same(x, y)
}

// same is strict equality: numbers by value, dates by instant, arrays
// element by element; objects are never equal.
func same(x, y any) bool {
	if x == nil || y == nil {
		return x == nil && y == nil
	}
	if fx, ok := toFloat(x); ok {
		if fy, ok := toFloat(y); ok {
			return numEqual(x, y, fx, fy)
		}
		return false
	}
	switch a := x.(type) {
	case string:
		b, ok := y.(string)
		return ok && a == b
	case bool:
		b, ok := y.(bool)
		return ok && a == b
	case time.Time:
		b, ok := y.(time.Time)
		return ok && a.Equal(b)
	case []any:
		b, ok := y.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !same(a[i], b[i]) {
				return false
			}
		}
		return true
	}
	return false
}

func numEqual(x, y any, fx, fy float64) bool {
	a, aok := x.(int64)
	b, bok := y.(int64)
	if aok && bok {
		return a == b
	}
	return fx == fy
}

// contains is x in y.
func contains(y, x any) bool {
	switch c := y.(type) {
	case []any:
		for _, e := range c {
			if equal(e, x) {
				return true
			}
		}
		return false
	case map[string]any:
		k, ok := x.(string)
		_, has := c[k]
		return ok && has
	case Object:
		k, ok := x.(string)
		if !ok {
			return false
		}
		_, has := c.Get(k)
		return has
	case nil:
		return false
	}
	return equal(x, y)
}

// ordered is < <= > >=, element-wise over an array side; numbers with
// numbers (and dates, as milliseconds), strings with strings.
func ordered(op string, x, y any) bool {
	if xa, ok := x.([]any); ok {
		for _, e := range xa {
			if _, nested := e.([]any); !nested && ordered(op, e, y) {
				return true
			}
		}
		return false
	}
	if ya, ok := y.([]any); ok {
		for _, e := range ya {
			if _, nested := e.([]any); !nested && ordered(op, x, e) {
				return true
			}
		}
		return false
	}
	c, ok := order(x, y)
	if !ok {
		return false
	}
	switch op {
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	}
	return c >= 0
}

// order compares two scalars of comparable kinds.
func order(x, y any) (int, bool) {
	if sx, ok := x.(string); ok {
		sy, ok := y.(string)
		return strings.Compare(sx, sy), ok
	}
	fx, ok := numeric(x)
	if !ok {
		return 0, false
	}
	fy, ok := numeric(y)
	if !ok || math.IsNaN(fx) || math.IsNaN(fy) {
		return 0, false
	}
	a, aok := x.(int64)
	b, bok := y.(int64)
	switch {
	case aok && bok && a < b, fx < fy:
		return -1, true
	case aok && bok && a > b, fx > fy:
		return 1, true
	}
	return 0, true
}

// numeric is a number, or a date as milliseconds since 1970.
func numeric(v any) (float64, bool) {
	if t, ok := v.(time.Time); ok {
		return float64(t.UnixMilli()), true
	}
	return toFloat(v)
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	case int:
		return float64(x), true
	case int32:
		return float64(x), true
	case float32:
		return float64(x), true
	case uint32:
		return float64(x), true
	case uint64:
		return float64(x), true
	}
	return 0, false
}

// toString is JavaScript's String(v), for + and templates.
func toString(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			if e != nil {
				parts[i] = toString(e)
			}
		}
		return strings.Join(parts, ",")
	case *regexp.Regexp:
		return "/" + x.String() + "/"
	}
	if f, ok := toFloat(v); ok {
		if f == math.Trunc(f) && math.Abs(f) < 1e21 {
			return strconv.FormatFloat(f, 'f', -1, 64)
		}
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	if reflect.ValueOf(v).Kind() == reflect.Map || isObject(v) {
		return "[object Object]"
	}
	return "[value]"
}

func isObject(v any) bool { _, ok := v.(Object); return ok }

// show formats a value for a hint or message, like a rule literal.
func show(v any) string {
	switch x := v.(type) {
	case unknownValue:
		return "…"
	case string:
		return "'" + strings.ReplaceAll(x, "'", `\'`) + "'"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = show(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return toString(v)
}
