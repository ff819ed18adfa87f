package functions

import (
	"math"
	"strconv"
	"strings"

	"github.com/dop251/goja"
)

// regExps guards RegExp.prototype's Symbol.replace and Symbol.match,
// which for a global expression collect every match in one Go call (done
// here, counting: at most maxMatches), and Symbol.split (at most maxElems
// pieces).
func (g *guards) regExps() {
	proto := g.proto("RegExp")
	if proto == nil {
		return
	}
	g.wrapSymbol(proto, goja.SymReplace, "[Symbol.replace]", func(call goja.FunctionCall, orig goja.Callable) goja.Value {
		rx, ok := call.This.(*goja.Object)
		if !ok {
			return g.call(orig, call.This, call.Arguments...)
		}
		s, repl := g.str(call.Argument(0)), call.Argument(1)
		if g.plainRegExp(rx, s) {
			if _, functional := goja.AssertFunction(repl); functional {
				return g.call(orig, rx, s, g.replacement(s, repl, 0)) // counts what repl returns
			}
			if t := g.str(repl); g.templateFits(s, t, 0) {
				return g.call(orig, rx, s, t)
			}
		}
		return g.regExpReplace(rx, s, repl)
	})
	g.wrapSymbol(proto, goja.SymSplit, "[Symbol.split]", func(call goja.FunctionCall, orig goja.Callable) goja.Value {
		s := g.str(call.Argument(0))
		lim := g.uint32Limit(call.Argument(1))
		return g.checkSplit(g.call(orig, call.This, s, g.vm.ToValue(min(lim, g.maxElems+1))), lim)
	})
	g.wrapSymbol(proto, goja.SymMatch, "[Symbol.match]", func(call goja.FunctionCall, orig goja.Callable) goja.Value {
		rx, ok := call.This.(*goja.Object)
		if !ok {
			return g.call(orig, call.This, call.Arguments...)
		}
		s := g.str(call.Argument(0))
		if g.plainRegExp(rx, s) {
			return g.call(orig, rx, s)
		}
		return g.match(rx, s)
	})
}

// match is RegExp.prototype[Symbol.match]: one exec, or for a global
// expression every match's string, at most maxElems of them.
func (g *guards) match(rx *goja.Object, s goja.String) goja.Value {
	flags := rx.Get("flags")
	if flags == nil {
		flags = goja.Undefined()
	}
	f := flags.String()
	if !strings.Contains(f, "g") {
		return g.exec(rx, s)
	}
	unicode := strings.ContainsAny(f, "uv")
	g.setLastIndex(rx, 0)
	var found []any
	for {
		if len(found)%pollEvery == pollEvery-1 {
			g.in.poll()
		}
		r, ok := g.exec(rx, s).(*goja.Object)
		if !ok {
			if len(found) == 0 {
				return goja.Null()
			}
			return g.vm.NewArray(found...)
		}
		if int64(len(found)) >= g.maxMatches() {
			panic(g.tooMany())
		}
		m := r.Get("0")
		if m == nil {
			m = goja.Undefined()
		}
		ms := g.str(m)
		found = append(found, ms)
		if ms.Length() == 0 {
			i := toLength(rx.Get("lastIndex"))
			g.setLastIndex(rx, advance(s, i, unicode))
		}
	}
}

// maxMatches bounds the matches one replace or match collects, each held
// until the end (about 160 bytes each): an eighth of maxElems, so that
// what they hold stays well under the memory budget.
func (g *guards) maxMatches() int64 { return g.maxElems / 8 }

// regExpMatch is what RegExp.prototype[Symbol.replace] reads of one exec
// result.
type regExpMatch struct {
	matched  goja.String
	position int
	captures []goja.Value
	groups   goja.Value
}

// regExpReplace is RegExp.prototype[Symbol.replace](s, replaceValue): the
// matches (every one, for a global expression) are collected first, each
// read once, then each replaced — by replaceValue's result or its $
// patterns — the result at most maxChars.
func (g *guards) regExpReplace(rx *goja.Object, s goja.String, replaceValue goja.Value) goja.Value {
	fn, functional := goja.AssertFunction(replaceValue)
	var template goja.String
	if !functional {
		template = g.str(replaceValue)
	}
	f := g.str(rx.Get("flags")).String()
	global, unicode := strings.Contains(f, "g"), strings.ContainsAny(f, "uv")
	if global {
		g.setLastIndex(rx, 0)
	}
	var matches []regExpMatch
	for {
		if len(matches)%pollEvery == pollEvery-1 {
			g.in.poll()
		}
		r, ok := g.exec(rx, s).(*goja.Object)
		if !ok {
			break
		}
		if int64(len(matches)) >= g.maxMatches() {
			panic(g.tooMany())
		}
		m := g.regExpMatchOf(r, s.Length())
		matches = append(matches, m)
		if !global {
			break
		}
		if m.matched.Length() == 0 {
			g.setLastIndex(rx, advance(s, toLength(rx.Get("lastIndex")), unicode))
		}
	}
	var b goja.StringBuilder
	size, next := int64(0), 0
	for i, m := range matches {
		if i%pollEvery == pollEvery-1 {
			g.in.poll()
		}
		var replacement goja.String
		if functional {
			args := append(append([]goja.Value{m.matched}, m.captures...), g.vm.ToValue(m.position), s)
			if !goja.IsUndefined(m.groups) {
				args = append(args, m.groups)
			}
			replacement = g.str(g.call(fn, goja.Undefined(), args...))
		} else {
			groups := m.groups
			if !goja.IsUndefined(groups) {
				groups = groups.ToObject(g.vm)
			}
			replacement = g.substitute(template, m.matched, s, m.position, m.captures, groups, g.maxChars-size)
		}
		if m.position >= next {
			part := s.Substring(next, m.position)
			if size += int64(part.Length() + replacement.Length()); size > g.maxChars {
				panic(g.tooLong())
			}
			b.WriteString(part)
			b.WriteString(replacement)
			next = m.position + m.matched.Length()
		}
	}
	if next < s.Length() {
		if size += int64(s.Length() - next); size > g.maxChars {
			panic(g.tooLong())
		}
		b.WriteString(s.Substring(next, s.Length()))
	}
	return b.String()
}

// regExpMatchOf reads an exec result: its match, clamped position,
// captures and named groups.
func (g *guards) regExpMatchOf(r *goja.Object, length int) regExpMatch {
	n := max(toLength(r.Get("length"))-1, 0)
	if n > g.maxElems {
		panic(g.tooMany())
	}
	m := regExpMatch{matched: g.str(r.Get("0")), groups: r.Get("groups")}
	pos := r.Get("index")
	if pos == nil {
		pos = goja.Undefined()
	}
	p := pos.ToNumber().ToFloat()
	switch {
	case math.IsNaN(p) || p < 0:
		m.position = 0
	case p > float64(length):
		m.position = length
	default:
		m.position = int(p)
	}
	m.captures = make([]goja.Value, n)
	for i := range m.captures {
		if v := r.Get(strconv.Itoa(i + 1)); v != nil && !goja.IsUndefined(v) {
			m.captures[i] = g.str(v)
		} else {
			m.captures[i] = goja.Undefined()
		}
	}
	if m.groups == nil {
		m.groups = goja.Undefined()
	}
	return m
}

// exec is RegExpExec: the expression's exec (which the function may have
// replaced), else the built-in one.
func (g *guards) exec(rx *goja.Object, s goja.String) goja.Value {
	if f, ok := goja.AssertFunction(rx.Get("exec")); ok {
		r := g.call(f, rx, s)
		if _, isObj := r.(*goja.Object); !isObj && !goja.IsNull(r) {
			panic(g.vm.NewTypeError("exec must return an object or null"))
		}
		return r
	}
	return g.call(g.in.intrinsics.regExpExec, rx, s)
}

func (g *guards) setLastIndex(rx *goja.Object, i int64) {
	if err := rx.Set("lastIndex", i); err != nil {
		panic(err)
	}
}

// advance is AdvanceStringIndex.
func advance(s goja.String, i int64, unicode bool) int64 {
	if !unicode || i+1 >= int64(s.Length()) {
		return i + 1
	}
	if c, d := s.CharAt(int(i)), s.CharAt(int(i+1)); c >= 0xd800 && c < 0xdc00 && d >= 0xdc00 && d < 0xe000 {
		return i + 2
	}
	return i + 1
}

// plainRegExp reports a RegExp whose exec is the built-in one for sure — a
// RegExp, not a Proxy, with no own property but lastIndex, whose prototype
// is RegExp.prototype, whose exec is the built-in as a plain value — on a
// string short enough: it matches at most once per character, so goja's
// own replace and match (which do not go through exec) can run.
func (g *guards) plainRegExp(rx *goja.Object, s goja.String) bool {
	if int64(s.Length()) >= g.maxMatches() || rx.ClassName() != "RegExp" || rx.ExportType() == proxyType ||
		rx.Prototype() == nil || !rx.Prototype().SameAs(g.proto("RegExp")) {
		return false
	}
	if names := rx.GetOwnPropertyNames(); len(names) != 1 || names[0] != "lastIndex" {
		return false
	}
	d, err := g.in.intrinsics.descriptor(goja.Undefined(), rx.Prototype(), g.vm.ToValue("exec"))
	do, ok := d.(*goja.Object)
	if err != nil || !ok {
		return false
	}
	v := do.Get("value")
	return v != nil && v.SameAs(g.in.intrinsics.execObject)
}
