package rules

import (
	"context"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Values an evaluation passes around, besides plain ones:
//
//	failure  the rule failed here (a member of null, …): never true
//	unknown  the facts do not decide this value
//	sym      a field (path) of a Facts-bound variable, not yet resolved
type (
	failure struct{ msg string }
	unknown struct{ hints []Hint }
	sym     struct {
		name  string // the variable
		path  string // dot path inside it; "" for the variable itself
		facts Facts
	}
)

type evaluator struct {
	ctx     context.Context
	env     *Env
	ioErr   error
	noArray []string // see arrays.go
}

func (ev *evaluator) eval(n *node) any {
	if ev.ioErr != nil {
		return failure{"stopped"}
	}
	switch n.kind {
	case nLit:
		return n.val
	case nVar:
		v := ev.env.Vars[n.name]
		if f, ok := v.(Facts); ok {
			return sym{name: n.name, facts: f}
		}
		return ev.plain(v, n.name)
	case nMember:
		return ev.member(ev.eval(n.x), n.name, n.x)
	case nIndex:
		return ev.index(n)
	case nGet:
		return ev.get(n)
	case nTest:
		return ev.test(n)
	case nNot:
		return not(ev.truth(ev.eval(n.x)))
	case nNeg:
		return ev.neg(ev.eval(n.x))
	case nArray:
		return ev.array(n)
	case nTemplate:
		return ev.template(n)
	}
	switch n.op {
	case "&&":
		mark := len(ev.noArray)
		a := ev.truth(ev.eval(n.x))
		if a == false {
			return false
		}
		upto := len(ev.noArray)
		b := ev.truth(ev.eval(n.y))
		if b == false {
			ev.forget(mark, upto)
		}
		return and(a, b)
	case "||":
		mark := len(ev.noArray)
		a := ev.truth(ev.eval(n.x))
		if a == true {
			return true
		}
		upto := len(ev.noArray)
		b := ev.truth(ev.eval(n.y))
		if b == true {
			ev.forget(mark, upto)
		}
		return or(a, b)
	case "+":
		return ev.add(ev.eval(n.x), ev.eval(n.y))
	}
	return ev.compare(n.op, ev.eval(n.x), ev.eval(n.y))
}

// plain turns the Unknown sentinel into an unknown value named by where.
func (ev *evaluator) plain(v any, where string) any {
	if _, ok := v.(unknownValue); ok {
		return unknown{[]Hint{{Var: where, Value: Unknown}}}
	}
	return v
}

// field is plain for member name of the value of node of, naming it only
// when it is needed (every document a query returns is checked: no
// allocation per field read).
func (ev *evaluator) field(v any, of *node, name string) any {
	if _, ok := v.(unknownValue); ok {
		return ev.plain(v, describe(of)+"."+name)
	}
	return v
}

// describe names the value of n for messages: "auth", "doc.a.b", "get(…)".
func describe(n *node) string {
	switch n.kind {
	case nVar:
		return n.name
	case nMember:
		return describe(n.x) + "." + n.name
	case nIndex:
		if n.y.kind == nLit {
			return describe(n.x) + "[" + show(n.y.val) + "]"
		}
		return describe(n.x) + "[…]"
	case nGet:
		return "get(…)"
	}
	return "the value"
}

func (ev *evaluator) member(x any, name string, of *node) any {
	switch v := x.(type) {
	case failure, unknown:
		return v
	case sym:
		if name == "length" {
			if pin, at, ok := v.pinned(); ok && v.exact(pin, at) {
				return ev.member(ev.value(v, ""), name, of)
			}
		}
		if name == "" || strings.Contains(name, ".") {
			// No stored field has such a name, and a filter's path would
			// mean another field: the facts say nothing of it.
			return unknown{[]Hint{{Var: v.name, Path: v.path, Op: "", Value: Unknown}}}
		}
		return v.child(name)
	case nil:
		return failure{describe(of) + " is null"}
	case Object:
		f, _ := v.Get(name)
		return ev.field(f, of, name)
	case map[string]any:
		return ev.field(v[name], of, name)
	case []any:
		if name == "length" {
			return int64(len(v))
		}
		if i, err := strconv.Atoi(name); err == nil && i >= 0 && i < len(v) {
			return ev.field(v[i], of, name)
		}
	case string:
		if name == "length" {
			return int64(utf8.RuneCountInString(v))
		}
	}
	return nil
}

func (ev *evaluator) index(n *node) any {
	x, k := ev.eval(n.x), ev.eval(n.y)
	if s, ok := k.(sym); ok {
		k = ev.value(s, "")
	}
	switch kv := k.(type) {
	case failure, unknown:
		if _, ok := x.(failure); ok {
			return x
		}
		return kv
	case string:
		return ev.member(x, kv, n.x)
	}
	if f, ok := toFloat(k); ok && f == math.Trunc(f) && f >= 0 && f < math.MaxInt32 {
		return ev.member(x, strconv.Itoa(int(f)), n.x)
	}
	if _, ok := x.(failure); ok {
		return x
	}
	return failure{"an index must be a string or a whole number"}
}

func (ev *evaluator) get(n *node) any {
	arg := ev.eval(n.x)
	if s, ok := arg.(sym); ok {
		arg = ev.value(s, "")
	}
	switch a := arg.(type) {
	case failure, unknown:
		return a
	case string:
		if ev.env.Get == nil {
			return failure{"get() is not available here"}
		}
		v, err := ev.env.Get.Get(ev.ctx, a)
		if isDenial(err) {
			return failure{err.Error()}
		}
		if err != nil {
			ev.ioErr = err
			return failure{"get() failed"}
		}
		if v == nil {
			return failure{"get(" + strconv.Quote(a) + ") found no document"}
		}
		return v
	}
	return failure{"get() takes a string like 'database.<collection>.<id>'"}
}

func (ev *evaluator) test(n *node) any {
	re := n.val.(*regexp.Regexp)
	arg := ev.eval(n.x)
	if s, ok := arg.(sym); ok {
		return ev.testOf(s, re)
	}
	return testValue(re, arg)
}

// testValue is re.test(v) for a plain value (or a failure or unknown).
func testValue(re *regexp.Regexp, v any) any {
	switch a := v.(type) {
	case failure, unknown:
		return a
	case string:
		return re.MatchString(a)
	case []any:
		for _, e := range a {
			if s, ok := e.(string); ok && re.MatchString(s) {
				return true
			}
		}
	}
	return false
}

func (ev *evaluator) neg(x any) any {
	if s, ok := x.(sym); ok {
		x = ev.value(s, "")
	}
	switch v := x.(type) {
	case failure, unknown:
		return v
	case int64:
		if v != math.MinInt64 {
			return -v
		}
	}
	if f, ok := toFloat(x); ok {
		return -f
	}
	return failure{"only numbers can be negated"}
}

func (ev *evaluator) array(n *node) any {
	out := make([]any, 0, len(n.list))
	var unk unknown
	for _, e := range n.list {
		v := ev.eval(e)
		if s, ok := v.(sym); ok {
			v = ev.value(s, "")
		}
		switch x := v.(type) {
		case failure:
			return x
		case unknown:
			unk.hints = append(unk.hints, x.hints...)
			continue
		}
		out = append(out, v)
	}
	if unk.hints != nil {
		return unk
	}
	return out
}

func (ev *evaluator) template(n *node) any {
	var b strings.Builder
	for _, part := range n.list {
		v := ev.eval(part)
		if s, ok := v.(sym); ok {
			v = ev.value(s, "")
		}
		switch x := v.(type) {
		case failure, unknown:
			return x
		}
		b.WriteString(toString(v))
	}
	return b.String()
}

func (ev *evaluator) add(x, y any) any {
	if s, ok := x.(sym); ok {
		x = ev.value(s, "")
	}
	if s, ok := y.(sym); ok {
		y = ev.value(s, "")
	}
	if r, stop := propagate(x, y); stop {
		return r
	}
	_, xs := x.(string)
	_, ys := y.(string)
	if xs || ys {
		return toString(x) + toString(y)
	}
	a, aok := x.(int64)
	b, bok := y.(int64)
	if aok && bok && (b >= 0 && a <= math.MaxInt64-b || b < 0 && a >= math.MinInt64-b) {
		return a + b
	}
	fa, aok := toFloat(x)
	fb, bok := toFloat(y)
	if aok && bok {
		return fa + fb
	}
	return failure{"+ adds numbers or joins strings"}
}

// propagate returns the failure or unknown among x and y, if any: a
// failure first, else the hints of both unknowns.
func propagate(x, y any) (any, bool) {
	if f, ok := x.(failure); ok {
		return f, true
	}
	if f, ok := y.(failure); ok {
		return f, true
	}
	ux, xu := x.(unknown)
	uy, yu := y.(unknown)
	switch {
	case xu && yu:
		return unknown{append(append([]Hint{}, ux.hints...), uy.hints...)}, true
	case xu:
		return ux, true
	case yu:
		return uy, true
	}
	return nil, false
}

// truth maps a value to a three-valued truth: true, false, unknown or
// failure (JavaScript truthiness for plain values).
func (ev *evaluator) truth(v any) any {
	if s, ok := v.(sym); ok {
		return ev.truthOf(s)
	}
	switch x := v.(type) {
	case failure, unknown:
		return x
	}
	return truthy(v)
}

func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	}
	if f, ok := toFloat(v); ok {
		return f != 0 && !math.IsNaN(f)
	}
	return true
}

// and, or and not are Kleene's logic over true, false, unknown, plus
// failure, which is never true: false && x is false; failure && x is a
// failure unless x is false; unknown only when the answer may still be true.
func and(a, b any) any {
	if a == false || b == false {
		return false
	}
	if f, ok := a.(failure); ok {
		return f
	}
	if f, ok := b.(failure); ok {
		return f
	}
	if r, stop := propagate(a, b); stop {
		return r
	}
	return true
}

func or(a, b any) any {
	if a == true || b == true {
		return true
	}
	ua, au := a.(unknown)
	ub, bu := b.(unknown)
	switch {
	case au && bu:
		return unknown{append(append([]Hint{}, ua.hints...), ub.hints...)}
	case au:
		return ua
	case bu:
		return ub
	}
	if f, ok := a.(failure); ok {
		return f
	}
	if f, ok := b.(failure); ok {
		return f
	}
	return false
}

func not(a any) any {
	switch x := a.(type) {
	case bool:
		return !x
	case unknown:
		hints := make([]Hint, len(x.hints))
		for i, h := range x.hints {
			h.Op = negated[h.Op]
			hints[i] = h
		}
		return unknown{hints}
	}
	return a
}

// negated is the hint operator of a negated comparison.
var negated = map[string]string{
	"==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">",
	"in": "not in", "not in": "in", "has": "not has", "not has": "has",
	"truthy": "falsy", "falsy": "truthy", "test": "not test", "not test": "test", "": "",
}
