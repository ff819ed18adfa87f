package functions

import (
	"math"
	"strconv"
	"strings"

	"github.com/dop251/goja"
)

// strings guards the String.prototype methods whose result can be far
// longer than their input: repeat and padStart/padEnd (by a count),
// concat (the same string many times), replace and replaceAll (a
// replacement, or $' and $`, at every match), split (an element per
// character); and String.raw. Each reads its arguments once — the number
// checked is the number used — and hands the original primitives.
func (g *guards) strings() {
	proto := g.proto("String")
	if proto == nil {
		return
	}
	g.wrap(proto, "repeat", func(call goja.FunctionCall, orig goja.Callable) goja.Value {
		s := g.thisString(call.This, "repeat")
		n := call.Argument(0).ToNumber()
		if f := n.ToFloat(); !math.IsInf(f, 1) && f*float64(s.Length()) > float64(g.maxChars) {
			panic(g.tooLong())
		}
		return g.call(orig, s, n)
	})
	for _, name := range []string{"padStart", "padEnd"} {
		g.wrap(proto, name, func(call goja.FunctionCall, orig goja.Callable) goja.Value {
			s := g.thisString(call.This, name)
			n := call.Argument(0).ToNumber()
			fill := call.Argument(1)
			if !goja.IsUndefined(fill) {
				fill = g.str(fill)
			}
			if l := toLength(n); l > int64(s.Length()) && l > g.maxChars && (goja.IsUndefined(fill) || fill.(goja.String).Length() > 0) {
				panic(g.tooLong())
			}
			return g.call(orig, s, n, fill)
		})
	}
	g.wrap(proto, "concat", func(call goja.FunctionCall, orig goja.Callable) goja.Value {
		s := g.thisString(call.This, "concat")
		parts := make([]goja.Value, len(call.Arguments))
		size := int64(s.Length())
		for i, a := range call.Arguments {
			p := g.str(a)
			if size += int64(p.Length()); size > g.maxChars {
				panic(g.tooLong())
			}
			parts[i] = p
		}
		return g.call(orig, s, parts...)
	})
	g.wrap(proto, "replace", func(call goja.FunctionCall, orig goja.Callable) goja.Value {
		return g.replace(call, orig, false)
	})
	g.wrap(proto, "replaceAll", func(call goja.FunctionCall, orig goja.Callable) goja.Value {
		return g.replace(call, orig, true)
	})
	g.wrap(proto, "split", func(call goja.FunctionCall, orig goja.Callable) goja.Value {
		o := g.coercible(call.This, "split")
		sep, limit := call.Argument(0), call.Argument(1)
		if splitter := g.method(sep, goja.SymSplit); splitter != nil {
			return g.call(splitter, sep, o, limit)
		}
		s := g.str(o)
		lim := g.uint32Limit(limit)
		if !goja.IsUndefined(sep) {
			sep = g.str(sep)
		}
		return g.checkSplit(g.call(orig, s, sep, g.vm.ToValue(min(lim, g.maxElems+1))), lim)
	})
	if str := g.global("String"); str != nil {
		g.wrap(str, "raw", func(call goja.FunctionCall, _ goja.Callable) goja.Value {
			return g.raw(call)
		})
	}
}

// str is ToString: the string of v, running an object's toString or
// valueOf once.
func (g *guards) str(v goja.Value) goja.String {
	if v == nil {
		v = goja.Undefined()
	}
	v = v.ToString() // an object's primitive; a primitive itself
	switch p := v.(type) {
	case goja.String:
		return p
	case *goja.Symbol:
		panic(g.vm.NewTypeError("Cannot convert a Symbol value to a string"))
	}
	return g.vm.ToValue(v.String()).(goja.String)
}

// coercible is RequireObjectCoercible(this).
func (g *guards) coercible(this goja.Value, name string) goja.Value {
	if this == nil || goja.IsUndefined(this) || goja.IsNull(this) {
		panic(g.vm.NewTypeError("String.prototype." + name + " called on null or undefined"))
	}
	return this
}

// thisString is the string a String.prototype method works on.
func (g *guards) thisString(this goja.Value, name string) goja.String {
	return g.str(g.coercible(this, name))
}

// method is GetMethod(v, sym), or nil when v is undefined or null or
// has no such method.
func (g *guards) method(v goja.Value, sym *goja.Symbol) goja.Callable {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return nil
	}
	m := v.ToObject(g.vm).GetSymbol(sym)
	if m == nil || goja.IsUndefined(m) || goja.IsNull(m) {
		return nil
	}
	f, ok := goja.AssertFunction(m)
	if !ok {
		panic(g.vm.NewTypeError(sym.String() + " is not a function"))
	}
	return f
}

// uint32Limit is split's limit: ToUint32, 2^32-1 when undefined.
func (g *guards) uint32Limit(limit goja.Value) int64 {
	if goja.IsUndefined(limit) {
		return math.MaxUint32
	}
	f := limit.ToNumber().ToFloat()
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return int64(uint32(int64(math.Trunc(math.Mod(f, 1<<32)))))
}

// checkSplit refuses a split that made more than maxElems pieces (it was
// given maxElems+1 as its limit when the caller's was larger).
func (g *guards) checkSplit(r goja.Value, lim int64) goja.Value {
	if o, ok := r.(*goja.Object); ok && lim > g.maxElems && toLength(o.Get("length")) > g.maxElems {
		panic(g.tooMany())
	}
	return r
}

// replace is String.prototype.replace and replaceAll: a search value with
// a Symbol.replace method (a RegExp) is handed to it, as the standard
// says; otherwise the replacement goes to the original as a function that
// writes each match's replacement, counting, unless the result cannot
// outgrow the budget however many matches there are.
func (g *guards) replace(call goja.FunctionCall, orig goja.Callable, all bool) goja.Value {
	name := "replace"
	if all {
		name = "replaceAll"
	}
	o := g.coercible(call.This, name)
	search, repl := call.Argument(0), call.Argument(1)
	if all && !goja.IsUndefined(search) && !goja.IsNull(search) && g.isRegExp(search) {
		flags := search.ToObject(g.vm).Get("flags")
		if flags == nil || goja.IsUndefined(flags) || goja.IsNull(flags) || !strings.Contains(flags.String(), "g") {
			panic(g.vm.NewTypeError("replaceAll must be called with a global RegExp"))
		}
	}
	if replacer := g.method(search, goja.SymReplace); replacer != nil {
		return g.call(replacer, search, o, repl)
	}
	s := g.str(o)
	searchString := g.str(search)
	if all {
		g.countMatches(s, searchString)
	}
	return g.call(orig, s, searchString, g.replacement(s, repl, searchString.Length()))
}

// countMatches refuses a replaceAll of more than maxMatches occurrences,
// which goja would list at once.
func (g *guards) countMatches(s, search goja.String) {
	step := int64(max(search.Length(), 1))
	n := int64(0)
	for pos := g.call(g.in.intrinsics.indexOf, s, search).ToInteger(); pos >= 0; pos = g.call(g.in.intrinsics.indexOf, s, search, g.vm.ToValue(pos+step)).ToInteger() {
		if n++; n > g.maxMatches() {
			panic(g.tooMany())
		}
		if n%pollEvery == 0 {
			g.in.poll()
		}
		if pos+step > int64(s.Length()) {
			break
		}
	}
}

// isRegExp is IsRegExp: Symbol.match, else being a RegExp.
func (g *guards) isRegExp(v goja.Value) bool {
	o, ok := v.(*goja.Object)
	if !ok {
		return false
	}
	if m := o.GetSymbol(goja.SymMatch); m != nil && !goja.IsUndefined(m) {
		return m.ToBoolean()
	}
	return o.ClassName() == "RegExp"
}

// replacement is what to hand a replace of a string search in place of
// repl, for s: repl itself (as a string) when no result can be longer than
// maxChars (templateFits), else a function that writes each replacement
// (calling repl, or expanding its $ patterns) and counts. step is the
// least a match advances by.
func (g *guards) replacement(s goja.String, repl goja.Value, step int) goja.Value {
	f, functional := goja.AssertFunction(repl)
	var template goja.String
	if !functional {
		template = g.str(repl)
		if g.templateFits(s, template, step) {
			return template
		}
	}
	total := int64(s.Length()) // the result is at most s and every replacement
	return g.vm.ToValue(func(call goja.FunctionCall) goja.Value {
		g.pollSometimes()
		var r goja.String
		if functional {
			r = g.str(g.call(f, goja.Undefined(), call.Arguments...))
		} else { // a string search: (matched, position, string)
			r = g.substitute(template, g.str(call.Argument(0)), g.str(call.Argument(2)), int(call.Argument(1).ToInteger()), nil, goja.Undefined(), g.maxChars-total)
		}
		if total += int64(r.Length()); total > g.maxChars {
			panic(g.tooLong())
		}
		return r
	})
}

// templateFits reports whether replacing every match in s (one every
// step characters at most) by template cannot make more than maxChars,
// whatever its $ patterns expand to.
func (g *guards) templateFits(s, template goja.String, step int) bool {
	matches := int64(s.Length())/int64(max(step, 1)) + 1
	per := int64(template.Length())
	if t := template.String(); strings.Contains(t, "$") {
		per += int64(strings.Count(t, "$")) * int64(s.Length())
	}
	return per == 0 || matches <= g.maxChars/per && int64(s.Length())+matches*per <= g.maxChars
}

// substitute is GetSubstitution: template's $$, $&, $`, $', $n, $nn and
// $<name> for a match of matched at position in str, at most limit long.
func (g *guards) substitute(template, matched, str goja.String, position int, captures []goja.Value, groups goja.Value, limit int64) goja.String {
	var b goja.StringBuilder
	size := int64(0)
	write := func(s goja.String) {
		if size += int64(s.Length()); size > limit {
			panic(g.tooLong())
		}
		b.WriteString(s)
	}
	tlen := template.Length()
	digit := func(i int) (int, bool) {
		if i < tlen {
			if c := template.CharAt(i); c >= '0' && c <= '9' {
				return int(c - '0'), true
			}
		}
		return 0, false
	}
	for i := 0; i < tlen; {
		j := i
		for j < tlen && template.CharAt(j) != '$' {
			j++
		}
		write(template.Substring(i, j))
		if i = j; i >= tlen {
			break
		}
		ref, refLen := goja.String(nil), 1 // "$" alone, unless a pattern follows
		switch c := rune(0); {
		case i+1 < tlen:
			c = rune(template.CharAt(i + 1))
			switch {
			case c == '$':
				ref, refLen = template.Substring(i, i+1), 2
			case c == '&':
				ref, refLen = matched, 2
			case c == '`':
				ref, refLen = str.Substring(0, min(max(position, 0), str.Length())), 2
			case c == '\'':
				ref, refLen = str.Substring(min(max(position, 0)+matched.Length(), str.Length()), str.Length()), 2
			case c >= '0' && c <= '9':
				index, digits := int(c-'0'), 1
				if d, ok := digit(i + 2); ok && index*10+d >= 1 && index*10+d <= len(captures) {
					index, digits = index*10+d, 2
				}
				refLen = 1 + digits
				if index >= 1 && index <= len(captures) {
					if v := captures[index-1]; goja.IsUndefined(v) {
						ref = g.vm.ToValue("").(goja.String)
					} else {
						ref = g.str(v)
					}
				} else {
					ref = template.Substring(i, i+refLen)
				}
			case c == '<':
				end := -1
				for k := i + 2; k < tlen; k++ {
					if template.CharAt(k) == '>' {
						end = k
						break
					}
				}
				if end < 0 || goja.IsUndefined(groups) {
					ref, refLen = template.Substring(i, i+2), 2
					break
				}
				refLen = end + 1 - i
				v := groups.ToObject(g.vm).Get(template.Substring(i+2, end).String())
				if v == nil || goja.IsUndefined(v) {
					ref = g.vm.ToValue("").(goja.String)
				} else {
					ref = g.str(v)
				}
			}
		}
		if ref == nil {
			ref = template.Substring(i, i+1)
		}
		write(ref)
		i += refLen
	}
	return b.String()
}

// raw is String.raw(template, ...substitutions): the raw segments' length
// read once, the result at most maxBytes.
func (g *guards) raw(call goja.FunctionCall) goja.Value {
	cooked := call.Argument(0).ToObject(g.vm)
	raw := cooked.Get("raw")
	if raw == nil {
		raw = goja.Undefined()
	}
	r := raw.ToObject(g.vm)
	n := toLength(r.Get("length"))
	if n > g.maxElems {
		panic(g.tooMany())
	}
	var b goja.StringBuilder
	size := int64(0)
	add := func(v goja.Value) {
		if v == nil {
			v = goja.Undefined()
		}
		s := g.str(v)
		if size += int64(s.Length()); size > g.maxChars {
			panic(g.tooLong())
		}
		b.WriteString(s)
	}
	subs := call.Arguments[min(1, len(call.Arguments)):]
	for i := int64(0); i < n; i++ {
		if i%pollEvery == pollEvery-1 {
			g.in.poll()
		}
		add(r.Get(strconv.FormatInt(i, 10)))
		if i+1 < n && i < int64(len(subs)) {
			add(subs[i])
		}
	}
	return b.String()
}
